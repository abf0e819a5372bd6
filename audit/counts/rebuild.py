"""Rebuilding the counts from the base tables, and checking them (`manage.py rollup_check`).

Both go through the same contribution code as every save (audit.counts.contribution), so a
bulk load (the national data set, the demo data) fills the counts exactly as saving each review
would have.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Sum

from audit.counts.contribution import ReviewState, add_to_counts, computed_states
from audit.models import (
    CaseReview,
    CountKind,
    Inspection,
    ReviewContribution,
    RollupCount,
)


@dataclass(frozen=True)
class Difference:
    inspection_id: int
    provider_id: int
    key: tuple  # (kind, subject, dimension, dimension value, value)
    stored: int
    recomputed: int


def _reviews_of(inspection_ids: list[int]) -> list[int]:
    return list(
        CaseReview.objects.filter(sampled_case__inspection_id__in=inspection_ids).values_list(
            "pk", flat=True
        )
    )


def _live_inspections(inspection_ids: list[int] | None) -> list[int]:
    """Inspections whose counts come from their case data (not those purged: their published
    figures are kept apart)."""
    found = Inspection.objects.filter(case_data_purged_at__isnull=True)
    if inspection_ids is not None:
        found = found.filter(pk__in=inspection_ids)
    return list(found.values_list("pk", flat=True))


def recomputed(inspection_ids: list[int]) -> tuple[Counter, dict[int, ReviewState]]:
    """The counts per key (without stripes) and every counted review's state, from the base
    tables."""
    totals: Counter = Counter()
    states = {}
    for pk, state in computed_states(_reviews_of(inspection_ids)):
        states[pk] = state
        totals.update(state.keys())
    return totals, states


def stored(inspection_ids: list[int]) -> Counter:
    rows = (
        RollupCount.objects.filter(inspection_id__in=inspection_ids)
        .exclude(kind=CountKind.CHANGES)
        .values(
            "inspection_id",
            "provider_id",
            "kind",
            "subject",
            "dimension",
            "dimension_value",
            "value",
        )
        .annotate(total=Sum("n"))
        .order_by()
    )
    return Counter(
        {
            (
                r["inspection_id"],
                r["provider_id"],
                r["kind"],
                r["subject"],
                r["dimension"],
                r["dimension_value"],
                r["value"],
            ): r["total"]
            for r in rows
            if r["total"]
        }
    )


def differences(inspection_ids: list[int] | None = None) -> list[Difference]:
    """Every count whose stored total differs from the recomputation, and every review whose
    stored contribution differs from its state now (as a count of kind "review")."""
    ids = _live_inspections(inspection_ids)
    expected, states = recomputed(ids)
    held = stored(ids)
    found = [
        Difference(key[0], key[1], key[2:], held.get(key, 0), expected.get(key, 0))
        for key in sorted(set(expected) | set(held))
        if held.get(key, 0) != expected.get(key, 0)
    ]
    ledgers = dict(
        ReviewContribution.objects.filter(review__sampled_case__inspection_id__in=ids).values_list(
            "review_id", "state"
        )
    )
    for pk in sorted(set(ledgers) | set(states)):
        before = ReviewState.from_json(ledgers[pk]) if pk in ledgers else None
        if before != states.get(pk):
            state = states.get(pk) or before
            found.append(
                Difference(
                    state.inspection,
                    state.provider,
                    ("review", pk),
                    int(pk in ledgers),
                    int(pk in states),
                )
            )
    return found


def _write_ledgers(ledgers: list[tuple[int, dict]]) -> None:
    """Each counted review's contribution: COPY on PostgreSQL (JSON as text), else in batches."""
    if connection.vendor != "postgresql":
        ReviewContribution.objects.bulk_create(
            (ReviewContribution(review_id=pk, state=state) for pk, state in ledgers),
            batch_size=5000,
        )
        return
    table = ReviewContribution._meta.db_table
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} (review_id, state) FROM STDIN") as copy:
            for pk, state in ledgers:
                copy.write_row((pk, json.dumps(state)))


@transaction.atomic
def rebuild_counts(*, inspection_ids: list[int] | None = None) -> int:
    """Replace the counts of these inspections (None: all) by a recomputation from the base
    tables; returns the number of counted reviews."""
    ids = _live_inspections(inspection_ids)
    figures = RollupCount.objects.filter(inspection_id__in=ids).exclude(kind=CountKind.CHANGES)
    # The change counts stay (they only grow): one more for every provider whose figures go.
    delta: Counter = Counter(
        {
            (i, p, CountKind.CHANGES.value, 0, "", "", "", 0): 1
            for i, p in figures.values_list("inspection_id", "provider_id").distinct().order_by()
        }
    )
    figures.delete()
    ReviewContribution.objects.filter(review__sampled_case__inspection_id__in=ids).delete()
    ledgers, totals = [], Counter()
    for pk, state in computed_states(_reviews_of(ids)):
        totals.update(state.keys())
        ledgers.append((pk, state.to_json()))
    _write_ledgers(ledgers)
    # One stripe per key, as the fold leaves them: the rebuild is one transaction.
    delta.update({(*key, 0): n for key, n in totals.items()})
    add_to_counts(delta)
    return ReviewContribution.objects.filter(review__sampled_case__inspection_id__in=ids).count()
