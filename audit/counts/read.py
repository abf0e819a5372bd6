"""Reading the maintained counts: each key's total, summed over its stripes in the database."""

from __future__ import annotations

from django.db.models import Case, CharField, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce

from audit.models import CountKind, RollupCount
from standards.models import JudgementValue, PromptValue

# The values counted as met (a judgement sufficient, a prompt answered yes) and as applicable.
POSITIVE = (JudgementValue.SUFFICIENT.value, PromptValue.YES.value)
APPLICABLE = (*POSITIVE, JudgementValue.NOT_SUFFICIENT.value, PromptValue.NO.value)
NOT_APPLICABLE = JudgementValue.NOT_APPLICABLE.value


def _counts(inspection_ids, kinds, provider_ids, dimension):
    rows = RollupCount.objects.filter(inspection_id__in=list(inspection_ids), kind__in=kinds)
    if provider_ids is not None:
        rows = rows.filter(provider_id__in=provider_ids)
    if dimension is not None:
        rows = rows.filter(dimension=dimension)
    return rows


def count_totals(
    inspection_ids,
    kinds,
    *,
    provider_ids=None,
    dimension: str | None = None,
):
    """(inspection, provider, kind, subject, dimension value, value, total) of every count of
    these kinds (and breakdown dimension) that is not zero: one query."""
    return (
        _counts(inspection_ids, kinds, provider_ids, dimension)
        .values_list("inspection_id", "provider_id", "kind", "subject", "dimension_value", "value")
        .annotate(total=Sum("n"))
        .filter(total__gt=0)
        .order_by()
    )


def count_sums(
    inspection_ids,
    kinds,
    *,
    provider_ids=None,
    dimension: str | None = None,
    by_provider: bool = True,
):
    """The counts folded in the database, one row per (inspection, provider, kind, subject,
    dimension value, case fact): (..., total, met, applicable, not applicable), where met counts
    sufficient judgements and yes answers, applicable adds the not sufficient and no. A case
    fact's count keeps its measure as the last part of the group; the others fold their values
    into the three sums. `by_provider=False` sums the providers too (the rows leave the provider
    out). One query, returning a third of the rows count_totals would for key questions."""
    zero = Value(0)
    rows = _counts(inspection_ids, kinds, provider_ids, dimension).annotate(
        # A case-fact count's value is its measure: kept apart, not folded.
        fact=Case(
            When(kind=CountKind.FACT, then=F("value")),
            default=Value(""),
            output_field=CharField(),
        )
    )
    group = ["inspection_id", "provider_id", "kind", "subject", "dimension_value"]
    if not by_provider:
        group.remove("provider_id")
    return (
        rows.values_list(*group, "fact")
        .annotate(
            total=Sum("n"),
            met=Coalesce(Sum("n", filter=Q(value__in=POSITIVE)), zero),
            applicable=Coalesce(Sum("n", filter=Q(value__in=APPLICABLE)), zero),
            not_applicable=Coalesce(Sum("n", filter=Q(value=NOT_APPLICABLE)), zero),
        )
        .filter(total__gt=0)
        .order_by()
    )


def change_numbers(inspection_ids) -> dict[int, int]:
    """How many times each inspection's counts have changed (0 if never): one query over an
    index. It only grows, so a figure built after reading it is never older than it says."""
    rows = (
        RollupCount.objects.filter(inspection_id__in=list(inspection_ids), kind=CountKind.CHANGES)
        .values_list("inspection_id")
        .annotate(total=Sum("n"))
        .order_by()
    )
    return {inspection_id: 0 for inspection_id in inspection_ids} | dict(rows)
