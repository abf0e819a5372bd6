"""Reads about inspections: who may be given an inspection's cases, and how many they hold."""

from __future__ import annotations

from django.db.models import Count, Q

from audit.accounts.roles import Role
from audit.models import COUNTED_REVIEW_STATUSES, InspectionStatus
from cases.selectors import ancestor_ids


def assessor_choices(inspection):
    """Assessors who may be given this inspection's cases: its team, or assessors whose
    provider scope covers one of its providers."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    assessors = User.objects.filter(is_active=True, groups__name=Role.ASSESSOR)
    team = list(inspection.team.filter(groups__name=Role.ASSESSOR).values_list("pk", flat=True))
    covering = ancestor_ids(inspection.providers.values_list("pk", flat=True))
    return (
        assessors.filter(Q(pk__in=team) | Q(providers__in=covering))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def with_loads(assessors, inspection):
    """The assessors, each with `here` (cases of this inspection assigned to them) and `open`
    (cases assigned to them, in any inspection not yet published, whose review is not yet
    submitted): one query."""
    return assessors.annotate(
        here=Count(
            "assigned_cases", filter=Q(assigned_cases__inspection=inspection), distinct=True
        ),
        open=Count(
            "assigned_cases",
            filter=~Q(assigned_cases__review__status__in=COUNTED_REVIEW_STATUSES)
            & ~Q(assigned_cases__inspection__status=InspectionStatus.PUBLISHED),
            distinct=True,
        ),
    )
