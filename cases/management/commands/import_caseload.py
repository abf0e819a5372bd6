import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases.importers import import_caseload
from cases.models import Provider
from jobs.progress import TerminalProgress


class Command(BaseCommand):
    help = (
        "Import a caseload from a CSV or XLSX file (columns: docs/formats.md). Every row is "
        "checked first; if any is bad, every problem is listed and nothing is written. "
        "Cases already held are updated by CRN."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV or XLSX caseload file.")
        parser.add_argument(
            "--provider",
            metavar="CODE",
            help="Provider code for rows without one (the file may then omit the provider column).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report, but write nothing."
        )

    def handle(self, *args, file, provider=None, dry_run=False, **options):
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
        default_provider = None
        if provider:
            default_provider = Provider.objects.filter(code=provider).first()
            if default_provider is None:
                raise CommandError(f"Unknown provider code '{provider}'.")

        started = time.perf_counter()
        progress = TerminalProgress(
            stream=getattr(self.stderr, "_out", None), disable=options["verbosity"] < 1
        )
        try:
            result = import_caseload(
                data=data,
                filename=path.name,
                default_provider=default_provider,
                dry_run=dry_run,
                progress=progress,
            )
        finally:
            progress.close()
        elapsed = time.perf_counter() - started
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            summary = (
                f"{path.name}: {len(result.errors)} problem(s)"
                + (f" in {result.bad_rows} of {result.rows} row(s)" if result.bad_rows else "")
                + "; nothing was written."
            )
            raise CommandError(summary)
        verb = "Checked" if dry_run else "Imported"
        tail = " (dry run: nothing written)" if dry_run else ""
        self.stdout.write(
            f"{verb} {result.rows} cases from {path.name} in {elapsed:.2f}s: "
            f"{result.created} new, {result.updated} updated{tail}."
        )
        if result.ignored_columns:
            self.stdout.write("Ignored columns: " + ", ".join(result.ignored_columns))
