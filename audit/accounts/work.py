"""The work the home page shows each role: counted in the database, a query or two per role.

- an assessor: their cases still to do (not started or in progress) and those returned to them;
- a moderator: the second reads assigned to them and not yet submitted (drafts included);
- a lead: the inspections they run and have not published, each with its next step, its reviews
  still outstanding, and overdue when its period has ended;
- a manager: the inspections of their providers published in the last RECENT_DAYS days.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from audit.accounts.access import manageable_inspections
from audit.accounts.roles import Role, has_role
from audit.models import (
    COUNTED_REVIEW_STATUSES,
    Inspection,
    InspectionStatus,
    ModerationRead,
    ReviewStatus,
    SampledCase,
)
from cases.selectors import provider_ids_visible_to

RECENT_DAYS = 30
NEXT_STEP = {
    InspectionStatus.PLANNING: "Start fieldwork",
    InspectionStatus.FIELDWORK: "Finish fieldwork and start moderation",
    InspectionStatus.MODERATION: "Complete moderation and publish",
}
OPEN = (InspectionStatus.PLANNING, InspectionStatus.FIELDWORK, InspectionStatus.MODERATION)


def assessor_work(user) -> dict:
    return SampledCase.objects.filter(assessor=user, inspection__status__in=OPEN).aggregate(
        due=Count(
            "id",
            filter=Q(review__status__in=(ReviewStatus.NOT_STARTED, ReviewStatus.IN_PROGRESS))
            | Q(review__isnull=True),
        ),
        returned=Count("id", filter=Q(review__status=ReviewStatus.RETURNED)),
    )


def moderator_work(user) -> int:
    return ModerationRead.objects.filter(
        moderator=user,
        completed_at__isnull=True,
        review__sampled_case__inspection__status__in=OPEN,
    ).count()


def lead_work(user) -> list[Inspection]:
    today = timezone.localdate()
    inspections = (
        manageable_inspections(user)
        .filter(status__in=OPEN)
        .annotate(
            outstanding=Count(
                "sampled_cases",
                filter=~Q(sampled_cases__review__status__in=COUNTED_REVIEW_STATUSES),
            )
        )
        .order_by("period_end", "title")
    )
    rows = list(inspections)
    for inspection in rows:
        inspection.next_step = NEXT_STEP[inspection.status]
        inspection.overdue = inspection.period_end < today
    return rows


def manager_work(user):
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    published = Inspection.objects.filter(
        status=InspectionStatus.PUBLISHED, published_at__gte=since
    )
    ids = provider_ids_visible_to(user)
    if ids is not None:
        published = published.filter(
            Q(providers__in=ids) | Q(sampled_cases__provider_id__in=ids)
        ).distinct()
    return list(published.select_related("publication").order_by("-published_at", "title")[:20])


def work_for(user) -> dict:
    """Each section for the roles the user holds; empty when they hold none of them."""
    work = {}
    if has_role(user, Role.ASSESSOR):
        work["assessor"] = assessor_work(user)
    if has_role(user, Role.MODERATOR):
        work["moderator"] = moderator_work(user)
    if has_role(user, Role.LEAD):
        work["lead"] = lead_work(user)
    if has_role(user, Role.MANAGER):
        work["manager"] = manager_work(user)
    return work
