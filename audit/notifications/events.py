"""The four things people are told about, each worded once, with the page it links to.

The services that do the work call these explicitly, inside their transaction; nobody is told of
their own action.
"""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse

from audit.accounts.roles import Role
from audit.models import NotificationKind, User
from audit.notifications.services import notify
from cases.selectors import ancestor_ids
from standards.models import JudgementValue


def _name(user) -> str:
    if user is None:
        return "the service"
    return user.get_full_name() or user.get_username()


def _others(users, by):
    return [u for u in users if u is not None and (by is None or u.pk != by.pk)]


def cases_assigned(*, inspection, assessor, count: int, by) -> int:
    plural = "case" if count == 1 else "cases"
    return notify(
        recipients=_others([assessor], by),
        kind=NotificationKind.CASES_ASSIGNED,
        message=f"{count} {plural} in {inspection} assigned to you by {_name(by)}.",
        link=reverse("audit:my_cases"),
    )


def review_returned(*, review, comment: str, by) -> int:
    sampled = review.sampled_case
    return notify(
        recipients=_others([sampled.assessor], by),
        kind=NotificationKind.REVIEW_RETURNED,
        message=f"Your review of {sampled.case.crn} in {sampled.inspection} was returned by "
        f"{_name(by)}: {comment}",
        link=reverse("audit:review_tasks", args=[sampled.inspection_id, sampled.case.crn]),
    )


def disagreement_resolved(*, judgement, moderator, value: str, by) -> int:
    """The first reader (to their review's feedback) and the second (to the read) are told."""
    sampled = judgement.review.sampled_case
    crn, code = sampled.case.crn, judgement.key_question.code
    message = (
        f"The disagreement on {code} for {crn} in {sampled.inspection} was resolved by "
        f"{_name(by)} as {JudgementValue(value).label.lower()}."
    )
    told = notify(
        recipients=_others([sampled.assessor], by),
        kind=NotificationKind.DISAGREEMENT_RESOLVED,
        message=message,
        link=reverse("audit:review_tasks", args=[sampled.inspection_id, crn]),
    )
    return told + notify(
        recipients=_others([moderator], by),
        kind=NotificationKind.DISAGREEMENT_RESOLVED,
        message=message,
        link=reverse("moderation:read", args=[sampled.inspection_id, crn]),
    )


def report_published(*, inspection, by) -> int:
    """Managers whose providers cover the inspection's, and its lead and team."""
    covering = ancestor_ids(inspection.providers.values_list("pk", flat=True))
    people = User.objects.filter(is_active=True).filter(
        Q(groups__name=Role.MANAGER, providers__in=covering)
        | Q(pk__in=inspection.team.values("pk"))
        | Q(pk=inspection.lead_id)
    )
    return notify(
        recipients=_others(people.distinct(), by),
        kind=NotificationKind.REPORT_PUBLISHED,
        message=f"The report of {inspection} was published by {_name(by)}.",
        link=reverse("reports:inspection", args=[inspection.pk]),
    )
