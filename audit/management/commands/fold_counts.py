"""Fold the stripes of the roll-up's counts into one row per key (totals unchanged).

    manage.py fold_counts [--inspection ID]

Run nightly, or after a bulk load: reads then sum a quarter of the rows. See docs/rollup.md.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from audit.counts.fold import fold_counts


class Command(BaseCommand):
    help = "Fold the striped counts of the roll-up into one row per key; totals are unchanged."

    def add_arguments(self, parser):
        parser.add_argument("--inspection", type=int, help="Fold this inspection only.")

    def handle(self, *args, inspection=None, **options):
        ids = None if inspection is None else [inspection]
        before, after = fold_counts(inspection_ids=ids)
        self.stdout.write(f"Folded {before:,} count rows into {after:,}.")
