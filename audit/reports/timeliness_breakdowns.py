"""Timeliness measures broken down by case characteristic, as the key questions are.

Read from the maintained counts like the key questions' breakdowns: each counted review adds
one to its working-days key of each timeliness kind per case characteristic (kind "tbd",
audit/counts/contribution.py), and by provider the per-provider timeliness keys already serve.
Filtered breakdowns (the report's filter form) count the base tables instead, as the key
questions' do (one query per dimension: the counted reviews grouped by value and each kind's
two case dates, the working days counted on the distinct rows exactly as the counts count
them). Either way the result is kept in the reports cache beside the roll-up, under its key.
When an inspection's case data is purged, the counts per provider, value and working days are
kept in its PublishedFigures first, as the key questions' breakdowns are, and read from there.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, Q, Sum, Value

from audit.counts.contribution import counted_reviews
from audit.counts.timeliness import CASE, kind_keys
from audit.models import CountKind, Inspection, RollupCount
from audit.reports import rollup_cache
from audit.reports.breakdowns import (
    DIMENSIONS,
    Breakdown,
    BreakdownCell,
    BreakdownRow,
    Dimension,
    breakdown_columns,
    kept_breakdowns,
)
from audit.reports.rollup import in_scope
from standards.timeliness import KINDS, in_time
from standards.timeliness import PREFIX as TIME_PREFIX

# The breakdown filters and dimensions are lookups from a judgement; these read reviews.
FROM_JUDGEMENT = "review__"
PROVIDER = "sampled_case__provider_id"
# Where PublishedFigures.breakdowns keeps these once the case data is purged.
TIMELINESS = "timeliness"


@dataclass(frozen=True)
class TimelinessCell(BreakdownCell):
    """One measure for one value: `sufficient` (in time) of `applicable` (the cases whose dates
    are known); `not_known` apart, never late. A breakdown cell, so that the report tables show
    and export it alike."""

    not_known: int = 0

    @property
    def in_time(self) -> int:
        return self.sufficient

    @property
    def known(self) -> int:
        return self.applicable

    @property
    def not_known_text(self) -> str:
        return f"{self.not_known} not known" if self.not_known else ""

    @property
    def text(self) -> str:
        if self.applicable == 0 and self.not_known:
            return "no dates known"
        return super().text


EMPTY = TimelinessCell(0, 0, 0)


def timeliness_breakdowns(
    inspection: Inspection,
    *,
    measures: Iterable,
    provider_ids: set[int] | None = None,
    filters: Q | None = None,
    dimensions: Iterable[Dimension] = DIMENSIONS,
    kept_as: str = "",
) -> list[Breakdown]:
    """Each timeliness measure (TimelinessMeasure rows: code, limit, label) broken down by each
    dimension: rows are the measures, cells TimelinessCell. One query per dimension.

    `filters`: the breakdown filters, a Q on Judgement over case fields, applied to the reviews.
    `kept_as`: the `source` of the inspection's roll-up, when it was kept (rollup_cache).
    """
    measures = list(measures)
    return rollup_cache.beside_each(
        kept_as,
        dimensions,
        lambda d: _breakdown(inspection, d, measures, provider_ids, filters),
        "timeliness-breakdown",
        rollup_cache.scope_part(provider_ids),
        repr(filters),
        tuple((m.code, m.limit_working_days) for m in measures),
    )


def _breakdown(inspection, dimension, measures, provider_ids, filters) -> Breakdown:
    per_value, labels = _days_per_value(inspection, dimension, provider_ids, filters)
    columns = breakdown_columns(dimension, set(per_value), labels)
    rows = [
        BreakdownRow(
            code=m.code,
            wording=m.label,
            cells=tuple(
                TimelinessCell(*in_time(per_value[value], m.code, m.limit_working_days))
                if value in per_value
                else EMPTY
                for value, _ in columns
            ),
        )
        for m in measures
    ]
    return Breakdown(dimension=dimension, columns=tuple(columns), rows=tuple(rows))


def _days_per_value(inspection, dimension, provider_ids, filters) -> tuple[dict, dict]:
    """({value: Counter of timeliness count keys}, {value: label}) of the counted reviews."""
    per_value: dict = defaultdict(Counter)
    labels = {}
    for _, value, label, fact, n in _day_counts(inspection, dimension, provider_ids, filters):
        per_value[value][fact] += n
        if dimension.label_path:
            labels[value] = label
    return dict(per_value), labels


def _day_counts(inspection, dimension, provider_ids, filters, *, by_provider=False):
    """(provider id or None, value, label or None, timeliness count key, cases), from the
    counted reviews or, once the case data is purged, from the figures kept (which cannot be
    filtered)."""
    if inspection.case_data_purged_at is not None:
        if filters is not None:
            return
        kept = kept_breakdowns(inspection).get(TIMELINESS, {})
        for provider, value, label, fact, n in kept.get(dimension.key, []):
            if provider_ids is None or provider in provider_ids:
                yield provider, value, label, fact, n
        return
    yield from _live_days(inspection, dimension, provider_ids, filters, by_provider)


def _live_days(inspection, dimension, provider_ids, filters, by_provider):
    if filters is not None:  # the counts are not kept per filter
        yield from _counted_days(inspection, dimension, provider_ids, filters, by_provider)
    elif dimension.key == "provider":
        yield from _provider_days(inspection, provider_ids)
    else:
        yield from _dimension_days(inspection, dimension, provider_ids, by_provider)


def _dimension_days(inspection, dimension, provider_ids, by_provider):
    """From the maintained counts of the timeliness keys per case characteristic: one query."""
    rows = RollupCount.objects.filter(
        inspection_id=inspection.id,
        kind=CountKind.TIMELINESS_BREAKDOWN,
        dimension=dimension.key,
    )
    if provider_ids is not None:
        rows = rows.filter(provider_id__in=provider_ids)
    grouped = (
        rows.values_list("provider_id", "dimension_value", "value")
        if by_provider
        else rows.values_list("dimension_value", "value")
    )
    for row in grouped.annotate(total=Sum("n")).filter(total__gt=0).order_by():
        provider, (value, fact, n) = (row[0], row[1:]) if by_provider else (None, row)
        yield provider, value, None, fact, n


def _provider_days(inspection, provider_ids):
    """By provider, unfiltered: the maintained counts' timeliness keys, which are kept per
    provider already (as the key questions' provider breakdown is): one query."""
    rows = RollupCount.objects.filter(
        inspection_id=inspection.id, kind=CountKind.FACT, value__startswith=TIME_PREFIX
    )
    if provider_ids is not None:
        rows = rows.filter(provider_id__in=provider_ids)
    yield from (
        rows.values_list("provider_id", "provider__code", "provider__name", "value")
        .annotate(total=Sum("n"))
        .filter(total__gt=0)
        .order_by()
    )


def _counted_days(inspection, dimension, provider_ids, filters, by_provider):
    """One query: for each kind, the counted reviews grouped by the value (and the provider) and
    the kind's two case dates, the kinds' groups joined (UNION ALL). Its rows are the distinct
    (value, first date, second date) of each kind, far fewer than the reviews; the working days
    are then counted once per row, with the bank holidays, as the counts count them."""
    reviews = in_scope(
        counted_reviews().filter(sampled_case__inspection_id=inspection.id),
        "sampled_case__provider_id",
        provider_ids,
    )
    if filters is not None:
        reviews = reviews.filter(_on_reviews(filters))
    path = dimension.path.removeprefix(FROM_JUDGEMENT)
    label_path = (dimension.label_path or "").removeprefix(FROM_JUDGEMENT)
    fields = [
        *([PROVIDER] if by_provider else []),
        path,
        *([label_path] if label_path else []),
    ]
    parts = [
        reviews.values(*fields, first=F(CASE + kind.from_field), second=F(CASE + kind.to_field))
        .annotate(kind=Value(index), n=Count("id"))
        .order_by()
        for index, kind in enumerate(KINDS)
    ]
    rows = list(parts[0].union(*parts[1:], all=True))
    for index, kind in enumerate(KINDS):
        found = [row for row in rows if row["kind"] == index]
        starts, ends = [row["first"] for row in found], [row["second"] for row in found]
        for row, fact in zip(found, kind_keys(kind, starts, ends)):
            yield (
                row[PROVIDER] if by_provider else None,
                row[path] or "",
                row[label_path] if label_path else None,
                fact,
                row["n"],
            )


def timeliness_counts_by_provider(inspection) -> dict[str, list]:
    """Every dimension's timeliness count keys per provider and value, to keep in
    PublishedFigures.breakdowns under "timeliness" when the case data is purged: one query per
    dimension."""
    kept = {}
    for dimension in DIMENSIONS:
        found: Counter = Counter()
        for provider, value, label, fact, n in _live_days(
            inspection, dimension, None, None, by_provider=True
        ):
            found[(provider, value, label, fact)] += n
        kept[dimension.key] = sorted(([*key, n] for key, n in found.items()), key=str)
    return kept


def _on_reviews(q: Q) -> Q:
    """The same filter read from a review: each lookup without its leading "review__"."""
    found = Q()
    found.connector, found.negated = q.connector, q.negated
    found.children = [
        _on_reviews(child)
        if isinstance(child, Q)
        else (child[0].removeprefix(FROM_JUDGEMENT), child[1])
        for child in q.children
    ]
    return found
