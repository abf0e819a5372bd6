"""Folding the stripes of each count into one row, so reads sum a quarter of the rows.

Saves spread a key's changes over STRIPES rows (one per `review id % STRIPES`) so that concurrent
saves seldom wait for each other; a read sums the stripes. Once fieldwork has settled, the
stripes hold the same total in one row: `fold_counts` moves each key's total into its lowest
stripe held and deletes the others (and keys whose total is zero). Totals are unchanged, so it
can run at any time (`manage.py fold_counts`, nightly in operations); a save after it simply
starts a stripe again.

No deadlock with saves: the fold locks an inspection's count rows in the order every save
upserts them (the sorted key, stripe last) and inserts no row, so it either waits for a save or
a save waits for it, never both.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Collate

from audit.models import Inspection, RollupCount

KEY_FIELDS = ("provider_id", "kind", "subject", "dimension", "dimension_value", "value")
TEXT_FIELDS = {"kind", "dimension", "dimension_value", "value"}
BATCH = 2000


def _save_order() -> list:
    """The order add_to_counts upserts keys in: Python's sort of the key, so byte order for text
    (PostgreSQL's "C" collation; SQLite compares bytes already)."""
    order = [F("inspection_id")]
    for name in KEY_FIELDS:
        if name in TEXT_FIELDS and connection.vendor == "postgresql":
            order.append(Collate(F(name), "C"))
        else:
            order.append(F(name))
    return [*order, F("stripe")]


@transaction.atomic
def fold_inspection(inspection_id: int) -> tuple[int, int]:
    """Fold one inspection's counts; returns (rows before, rows after)."""
    rows = (
        RollupCount.objects.filter(inspection_id=inspection_id)
        .select_for_update()
        .order_by(*_save_order())
        .values_list("pk", *KEY_FIELDS, "n")
    )
    keep: dict[tuple, list] = {}  # key -> [pk of its lowest stripe, total, n held there]
    gone: list[int] = []
    before = 0
    for pk, *key, n in rows.iterator(chunk_size=BATCH):
        before += 1
        held = keep.get(tuple(key))
        if held is None:
            keep[tuple(key)] = [pk, n, n]
        else:
            held[1] += n
            gone.append(pk)
    changed = []
    for pk, total, n in keep.values():
        if total == 0:
            gone.append(pk)
        elif total != n:
            changed.append((pk, total))
    _set_totals(changed)
    for start in range(0, len(gone), BATCH):
        RollupCount.objects.filter(pk__in=gone[start : start + BATCH]).delete()
    return before, before - len(gone)


def _set_totals(changed: list[tuple[int, int]]) -> None:
    """Set n of each (pk, n): one statement per batch (PostgreSQL, and SQLite from 3.33)."""
    table = RollupCount._meta.db_table
    with connection.cursor() as cursor:
        for start in range(0, len(changed), BATCH):
            batch = changed[start : start + BATCH]
            values = ", ".join(["(%s, %s)"] * len(batch))
            cursor.execute(
                f"WITH totals(pk, n) AS (VALUES {values}) "
                f"UPDATE {table} SET n = totals.n FROM totals WHERE {table}.id = totals.pk",
                [part for pair in batch for part in pair],
            )


def fold_counts(*, inspection_ids: list[int] | None = None) -> tuple[int, int]:
    """Fold the counts of these inspections (None: all), each in its own transaction; returns
    (rows before, rows after)."""
    ids = inspection_ids
    if ids is None:
        ids = list(Inspection.objects.order_by("pk").values_list("pk", flat=True))
    before = after = 0
    for inspection_id in ids:
        b, a = fold_inspection(inspection_id)
        before, after = before + b, after + a
    return before, after
