"""Remove the case data of inspections published before a date, keeping their figures.

    manage.py purge_case_data --before 2024-04-01 [--dry-run]

The date may be no more recent than CASE_DATA_RETENTION_DAYS before today. Prints what was
removed, kind by kind; with --dry-run, what would be, changing nothing. Also sweeps expired
caseload uploads from the private upload folder. See docs/operations.md, "Retention and purge".
"""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError

from audit.retention.services import PurgeRefused, purge_case_data
from cases import uploads


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"--before must be a date as YYYY-MM-DD, not '{text}'.") from exc


class Command(BaseCommand):
    help = "Remove case data of inspections published before a date; their figures are kept."

    def add_arguments(self, parser):
        parser.add_argument(
            "--before",
            required=True,
            type=str,
            help="Purge inspections published before this date (YYYY-MM-DD).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be removed; change nothing."
        )

    def handle(self, *args, before, dry_run, **options):
        try:
            report = purge_case_data(before=_date(before), dry_run=dry_run)
        except PurgeRefused as exc:
            raise CommandError(str(exc)) from exc
        verb = "Would remove" if dry_run else "Removed"
        count = len(report.inspections)
        self.stdout.write(
            f"{verb} the case data of {count} inspection{'' if count == 1 else 's'} published "
            f"before {report.before:%Y-%m-%d}" + (":" if count else "; there is nothing to purge.")
        )
        for title in report.inspections:
            self.stdout.write(f"  {title}")
        if count:
            width = max(len(kind) for kind in report.removed)
            for kind, removed in report.removed.items():
                self.stdout.write(f"  {kind:<{width}}  {removed:>9,}")
            if not dry_run:
                self.stdout.write(
                    "Their published figures are kept; the purge is recorded in the audit trail."
                )
        if not dry_run:
            swept = uploads.sweep()
            self.stdout.write(f"Expired caseload uploads deleted: {swept}.")
