"""Who may see which reports: roles, and the providers in the user's scope."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from audit.accounts.roles import RATE_STANDARDS, SEE_INSPECTIONS, Role, may
from audit.models import Inspection, SampledCase
from cases.models import Provider
from cases.selectors import provider_ids_visible_to

REPORT_ROLES = (Role.LEAD, Role.MANAGER, Role.MODERATOR)


def can_see_reports(user) -> bool:
    return may(user, SEE_INSPECTIONS)  # the REPORT_ROLES hold it


def can_enter_standard_ratings(user) -> bool:
    return may(user, RATE_STANDARDS)


def require_reports(user):
    """Reports are not offered to other roles: 404, as for anything a user may not see."""
    if not can_see_reports(user):
        raise Http404("No such page.")


def visible_inspections(user):
    """Inspections with at least one provider (inspected or sampled from) in the user's scope."""
    queryset = Inspection.objects.select_related("framework")
    ids = provider_ids_visible_to(user)
    if ids is None:
        return queryset
    return queryset.filter(
        Q(
            id__in=Inspection.providers.through.objects.filter(provider_id__in=ids).values(
                "inspection_id"
            )
        )
        | Q(id__in=SampledCase.objects.filter(provider_id__in=ids).values("inspection_id"))
    )


def visible_inspection_or_404(user, pk) -> Inspection:
    inspection = visible_inspections(user).filter(pk=pk).first()
    if inspection is None:
        raise Http404("No inspection found.")
    return inspection


def visible_provider_or_404(user, code) -> Provider:
    ids = provider_ids_visible_to(user)
    provider = Provider.objects.filter(code=code).first()
    if provider is None or (ids is not None and provider.id not in ids):
        raise Http404("No provider found.")
    return provider
