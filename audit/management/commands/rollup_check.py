"""Check the roll-up's maintained counts against a recomputation from the base tables.

    manage.py rollup_check [--inspection ID] [--repair]

Prints every difference (inspection, provider, key, stored, recomputed) and exits with status 1
when there is any; --repair then rebuilds the counts of the inspections concerned from the base
tables. See docs/rollup.md.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from audit.counts.rebuild import differences, rebuild_counts


class Command(BaseCommand):
    help = "Compare the roll-up's counts with the base tables; --repair rebuilds them."

    def add_arguments(self, parser):
        parser.add_argument("--inspection", type=int, help="Check this inspection only.")
        parser.add_argument(
            "--repair", action="store_true", help="Rebuild the counts of any that differ."
        )

    def handle(self, *args, inspection=None, repair=False, **options):
        ids = None if inspection is None else [inspection]
        found = differences(ids)
        for d in found:
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
        if not found:
            self.stdout.write("The counts match the base tables.")
            return
        self.stdout.write(f"{len(found)} difference(s).")
        if repair:
            repaired = sorted({d.inspection_id for d in found})
            rebuild_counts(inspection_ids=repaired)
            listed = ", ".join(map(str, repaired))
            self.stdout.write(f"Rebuilt the counts of inspection(s) {listed}.")
        sys.exit(1)
