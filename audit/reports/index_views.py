"""The reports index: the inspections, regions and providers the user may see reports of."""

from __future__ import annotations

from django.db.models import OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import render
from django.views.decorators.http import require_GET

from audit.models import CountKind, RollupCount
from audit.reports.access import can_enter_standard_ratings, require_reports, visible_inspections
from audit.reports.area_forms import regions_visible_to
from audit.reports.links import sampled_providers
from audit.reports.replica import reads_from_replica
from cases.models import Provider
from cases.selectors import provider_ids_visible_to


@require_GET
@reads_from_replica
def index(request):
    require_reports(request.user)
    ids = provider_ids_visible_to(request.user)
    # Counted reviews from the maintained counts: a few rows per inspection, not every review.
    counted = RollupCount.objects.filter(inspection=OuterRef("pk"), kind=CountKind.REVIEWS)
    if ids is not None:
        counted = counted.filter(provider_id__in=ids)
    counted = counted.order_by().values("inspection").annotate(total=Sum("n")).values("total")
    inspections = (
        visible_inspections(request.user)
        .annotate(reviews_counted=Coalesce(Subquery(counted), 0))
        .order_by("-period_end", "title")
    )
    shown = list(inspections.values_list("id", flat=True))
    sampled_from = {provider for _, provider in sampled_providers(shown)}
    providers = (
        Provider.objects.filter(Q(inspections__in=shown) | Q(id__in=sampled_from))
        .distinct()
        .order_by("name")
    )
    if ids is not None:
        providers = providers.filter(id__in=ids)
    return render(
        request,
        "reports/index.html",
        {
            "page_title": "Reports",
            "inspections": inspections,
            "providers": providers,
            # One query however many: the regions and NPS divisions in the user's scope.
            "regions": regions_visible_to(request.user),
            "can_enter": can_enter_standard_ratings(request.user),
        },
    )
