"""Print an inspection's roll-up as JSON or CSV (structure documented in docs/formats.md)."""

import csv
import json

from django.core.management.base import BaseCommand, CommandError

from audit.models import Inspection
from audit.reports.rollup import RollupUnavailable, rollup
from audit.reports.rollup_export import CSV_COLUMNS, rollup_csv_rows, rollup_to_dict
from ui.exports import safe_cell


class Command(BaseCommand):
    help = "Print the roll-up of an inspection: key questions, standards, focus measures, overall."

    def add_arguments(self, parser):
        parser.add_argument("--inspection", type=int, required=True, help="Inspection id.")
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args, **options):
        inspection = Inspection.objects.filter(pk=options["inspection"]).first()
        if inspection is None:
            raise CommandError(f"There is no inspection with id {options['inspection']}.")
        try:
            result = rollup(inspection)
        except RollupUnavailable as exc:
            raise CommandError(str(exc)) from exc
        if options["format"] == "json":
            self.stdout.write(json.dumps(rollup_to_dict(result), indent=2))
            return
        writer = csv.DictWriter(self.stdout, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rollup_csv_rows(result):
            writer.writerow({key: safe_cell(value) for key, value in row.items()})
