from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from audit.models import Inspection
from audit.scoring.importers import ImportFailed, import_file


class Command(BaseCommand):
    help = (
        "Import scored reviews into an inspection from a CSV or XLSX file (one row per case and "
        "question; columns: docs/formats.md, 'Scoring import'). Every row is checked first; if "
        "any is bad, every problem is listed and nothing is written. Complete reviews are "
        "submitted, the others left in progress."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV or XLSX file of scored reviews.")
        parser.add_argument(
            "--inspection",
            type=int,
            required=True,
            metavar="ID",
            help="The inspection's id (shown in its page address).",
        )
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="Who the changes are recorded against in the review history.",
        )

    def handle(self, *args, file, inspection, user=None, **options):
        path = Path(file)
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
        target = Inspection.objects.select_related("framework").filter(pk=inspection).first()
        if target is None:
            raise CommandError(f"There is no inspection with id {inspection}.")
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"Unknown user '{user}'.")
        try:
            result = import_file(inspection=target, content=content, filename=path.name, user=actor)
        except ImportFailed as failure:
            for error in failure.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{path.name}: {len(failure.errors)} problem(s); nothing was written."
            ) from failure
        self.stdout.write(
            f"Imported {result.answers} answers for {result.reviews} cases into {target}: "
            f"{result.submitted} complete and submitted, {result.in_progress} in progress."
        )
