"""Check the roll-up's maintained counts against a recomputation from the base tables.

    manage.py rollup_check [--inspection ID] [--repair] [--background]

Prints every difference (inspection, provider, key, stored, recomputed) and exits with status 1
when there is any; --repair then rebuilds the counts of the inspections concerned from the base
tables, all in one transaction. A progress bar shows on a terminal. With --background, queues the
same work as a job for the workers (`manage.py run_jobs`) and prints its number. See
docs/rollup.md.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from audit.counts.checking import check_counts, start_count_check
from jobs.progress import TerminalProgress


class Command(BaseCommand):
    help = "Compare the roll-up's counts with the base tables; --repair rebuilds them."

    def add_arguments(self, parser):
        parser.add_argument("--inspection", type=int, help="Check this inspection only.")
        parser.add_argument(
            "--repair", action="store_true", help="Rebuild the counts of any that differ."
        )
        parser.add_argument(
            "--background",
            action="store_true",
            help="Queue the check as a job for the workers instead.",
        )

    def handle(self, *args, inspection=None, repair=False, background=False, **options):
        ids = None if inspection is None else [inspection]
        if background:
            job = start_count_check(inspection_ids=ids, repair=repair)
            self.stdout.write(f"Queued as job {job.pk}: {job.title}.")
            return
        progress = TerminalProgress(
            stream=getattr(self.stderr, "_out", None), disable=options["verbosity"] < 1
        )
        try:
            check = check_counts(inspection_ids=ids, repair=repair, progress=progress)
        finally:
            progress.close()
        for d in check.found:
            key = " ".join(str(part) for part in d.key if part not in ("", 0))
            if d.key[0] == "review":
                self.stdout.write(
                    f"inspection {d.inspection_id} provider {d.provider_id} {key}: "
                    "contribution stored differs from its recomputation"
                )
                continue
            self.stdout.write(
                f"inspection {d.inspection_id} provider {d.provider_id} {key}: "
                f"stored {d.stored}, recomputed {d.recomputed}"
            )
        if not check.found:
            self.stdout.write("The counts match the base tables.")
            return
        self.stdout.write(f"{len(check.found)} difference(s).")
        if check.repaired:
            listed = ", ".join(map(str, check.repaired))
            self.stdout.write(f"Rebuilt the counts of inspection(s) {listed}.")
        sys.exit(1)
