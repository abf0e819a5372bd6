"""Who may see an inspection, and who may change it or anything in it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from audit.accounts.roles import MANAGE_INSPECTIONS, SEE_INSPECTIONS, may
from audit.models import Inspection
from cases.models import Provider
from cases.selectors import provider_ids_visible_to


def inspections_visible_to(user) -> QuerySet:
    """Inspections the user leads, is in the team of, or whose providers are all visible to them."""
    queryset = Inspection.objects.select_related("framework", "lead")
    if not user.is_authenticated:
        return queryset.none()
    if user.is_superuser:
        return queryset
    if not may(user, SEE_INSPECTIONS):
        return queryset.none()
    visible = provider_ids_visible_to(user)
    by_provider = Q(providers__in=visible) & ~Q(
        pk__in=Inspection.objects.filter(
            providers__in=Provider.objects.exclude(pk__in=visible)
        ).values("pk")
    )
    return queryset.filter(
        Q(pk__in=Inspection.objects.filter(Q(lead=user) | Q(team=user) | by_provider).values("pk"))
    )


class MayNotChange(PermissionDenied):
    """The user may see the object but not change it: a 403 whose page says who may."""

    def __init__(self, what: str, who_may: str):
        super().__init__(f"You cannot change {what}. {who_may}")
        self.what = what
        self.who_may = who_may


def manageable_inspections(user) -> QuerySet:
    """Inspections the user may change, and change anything in: details, samples, assignments,
    score imports, returns and reopens, moderation, resolutions and standard ratings.

    A lead who leads the inspection or is on its team, and whose providers (with those beneath
    them) include every provider it inspects; superusers manage all. Seeing an inspection, or
    the report of one of its providers, is never enough: that is the read rule.
    """
    queryset = Inspection.objects.select_related("framework", "lead")
    if not user.is_authenticated:
        return queryset.none()
    if user.is_superuser:
        return queryset
    if not may(user, MANAGE_INSPECTIONS):
        return queryset.none()
    mine = Inspection.objects.filter(Q(lead=user) | Q(team=user)).values("pk")
    return queryset.filter(pk__in=mine).exclude(
        providers__in=Provider.objects.exclude(pk__in=provider_ids_visible_to(user))
    )


def can_manage_inspection(user, inspection) -> bool:
    if user.is_superuser:
        return True
    return manageable_inspections(user).filter(pk=inspection.pk).exists()


def who_manages(inspection) -> str:
    """Who may change the inspection, in a sentence for the user who may not."""
    lead = inspection.lead
    name = f" ({lead.get_full_name() or lead.username})" if lead is not None else ""
    return (
        f"Only the inspection’s lead{name}, or a lead on its team, can change it or "
        "anything in it, and only when every provider it inspects is one of theirs."
    )


def refuse_unless_manager(user, inspection) -> Inspection:
    """The inspection, if the user may manage it; MayNotChange (a 403) otherwise.

    For a user who can already see the inspection: one who cannot gets a 404 first.
    """
    if not can_manage_inspection(user, inspection):
        raise MayNotChange("this inspection", who_manages(inspection))
    return inspection


def inspection_to_manage_or_404(user, pk, *, seen: QuerySet | None = None) -> Inspection:
    """The inspection to change: a 404 if the user cannot see it (in `seen`, by default the
    inspection pages' read rule), a 403 saying who may if they can see but not manage it."""
    inspection = manageable_inspections(user).filter(pk=pk).first()
    if inspection is not None:
        return inspection
    inspection = (inspections_visible_to(user) if seen is None else seen).filter(pk=pk).first()
    if inspection is None:
        raise Http404("No such inspection")
    raise MayNotChange("this inspection", who_manages(inspection))
