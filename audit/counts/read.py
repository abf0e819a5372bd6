"""Reading the maintained counts: each key's total, summed over its stripes in the database."""

from __future__ import annotations

from django.db.models import Sum

from audit.models import RollupCount


def count_totals(
    inspection_ids,
    kinds,
    *,
    provider_ids=None,
    dimension: str | None = None,
):
    """(inspection, provider, kind, subject, dimension value, value, total) of every count of
    these kinds (and breakdown dimension) that is not zero: one query."""
    rows = RollupCount.objects.filter(inspection_id__in=list(inspection_ids), kind__in=kinds)
    if provider_ids is not None:
        rows = rows.filter(provider_id__in=provider_ids)
    if dimension is not None:
        rows = rows.filter(dimension=dimension)
    return (
        rows.values_list(
            "inspection_id", "provider_id", "kind", "subject", "dimension_value", "value"
        )
        .annotate(total=Sum("n"))
        .filter(total__gt=0)
        .order_by()
    )
