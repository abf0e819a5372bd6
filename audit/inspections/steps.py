"""The inspection's steps as a task list: each step's state, what blocks it, and where to act.

Plan, draw a sample, assign, fieldwork, moderation, publish. Read-only: the steps themselves are
done by the services (inspections.services, inspections.lifecycle), each step's page calls them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.formats import date_format

from audit.inspections import lifecycle
from audit.models import COUNTED_REVIEW_STATUSES, InspectionStatus, SampledCase

COMPLETED = "completed"
IN_PROGRESS = "in_progress"
NOT_STARTED = "not_started"
CANNOT_START = "cannot_start"

ORDER = [
    InspectionStatus.PLANNING,
    InspectionStatus.FIELDWORK,
    InspectionStatus.MODERATION,
    InspectionStatus.PUBLISHED,
]


@dataclass
class Step:
    key: str
    title: str
    status: str
    hint: str = ""
    blockers: list[str] = field(default_factory=list)
    url: str | None = None  # where the step is done; None when there is nothing to do there


def case_progress(inspection) -> dict:
    """Sampled, assigned and submitted cases of the inspection: one query."""
    return SampledCase.objects.filter(inspection=inspection).aggregate(
        sampled=Count("pk"),
        assigned=Count("pk", filter=Q(assessor__isnull=False)),
        submitted=Count("pk", filter=Q(review__status__in=COUNTED_REVIEW_STATUSES)),
    )


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _reached(inspection, status) -> bool:
    return ORDER.index(inspection.status) >= ORDER.index(status)


def _url(name, inspection, manage) -> str | None:
    return reverse(name, args=[inspection.pk]) if manage else None


def _plan(inspection, manage, providers: int) -> Step:
    period = (
        f"{date_format(inspection.period_start, 'j M Y')} to "
        f"{date_format(inspection.period_end, 'j M Y')}"
    )
    return Step(
        "plan",
        "Plan: providers and period",
        COMPLETED,
        hint=f"{_plural(providers, 'provider')}, {period}",
        url=_url("audit:inspection_edit", inspection, manage),
    )


def _sample(inspection, manage, progress) -> Step:
    open_to_cases = inspection.status in (InspectionStatus.PLANNING, InspectionStatus.FIELDWORK)
    url = _url("audit:inspection_draw_sample", inspection, manage and open_to_cases)
    if progress["sampled"]:
        return Step(
            "sample", "Draw a sample", COMPLETED, _plural(progress["sampled"], "case"), url=url
        )
    return Step("sample", "Draw a sample", NOT_STARTED, "No cases sampled yet", url=url)


def _assign(inspection, manage, progress) -> Step:
    sampled, assigned = progress["sampled"], progress["assigned"]
    url = _url("audit:inspection_assign", inspection, manage and sampled > 0)
    if not sampled:
        return Step("assign", "Assign cases", CANNOT_START, "Draw a sample first")
    hint = f"{assigned:,} of {_plural(sampled, 'case')} assigned"
    status = COMPLETED if assigned == sampled else IN_PROGRESS if assigned else NOT_STARTED
    return Step("assign", "Assign cases", status, hint, url=url)


def _fieldwork(inspection, manage, progress) -> Step:
    submitted = f"{progress['submitted']:,} of {_plural(progress['sampled'], 'review')} submitted"
    if inspection.status == InspectionStatus.PLANNING:
        problems = lifecycle.fieldwork_blockers(inspection)
        if problems:
            return Step("fieldwork", "Start fieldwork", CANNOT_START, blockers=problems)
        return Step(
            "fieldwork",
            "Start fieldwork",
            NOT_STARTED,
            "Starts by itself when the first review is started",
            url=_url("audit:inspection_start_fieldwork", inspection, manage),
        )
    if inspection.status == InspectionStatus.FIELDWORK:
        return Step("fieldwork", "Fieldwork", IN_PROGRESS, submitted)
    return Step("fieldwork", "Fieldwork", COMPLETED, submitted)


def _moderation(inspection, manage) -> Step:
    if not _reached(inspection, InspectionStatus.FIELDWORK):
        return Step("moderation", "Start moderation", CANNOT_START, "Start fieldwork first")
    if inspection.status == InspectionStatus.FIELDWORK:
        problems = lifecycle.moderation_blockers(inspection)
        if problems:
            return Step("moderation", "Start moderation", CANNOT_START, blockers=problems)
        url = _url("audit:inspection_start_moderation", inspection, manage)
        return Step("moderation", "Start moderation", NOT_STARTED, "Every review is in", url=url)
    url = _url("moderation:inspection", inspection, manage)
    if inspection.status == InspectionStatus.MODERATION:
        hint = "Second reads, agreement and disagreements"
        return Step("moderation", "Moderation", IN_PROGRESS, hint, url=url)
    return Step("moderation", "Moderation", COMPLETED, url=url)


def publish_url(inspection) -> str:
    """Where the lead publishes the inspection: the page that checks what will be published."""
    return reverse("reports:publish_check", args=[inspection.pk])


def _publish(inspection, manage) -> Step:
    if inspection.is_published:
        when = inspection.published_at
        hint = f"Published {date_format(when, 'j M Y')}" if when else "Published"
        return Step("publish", "Publish", COMPLETED, hint)
    if inspection.status != InspectionStatus.MODERATION:
        return Step("publish", "Publish", CANNOT_START, "Moderate the reviews first")
    problems = lifecycle.publication_blockers(inspection)
    if problems:
        return Step("publish", "Publish", CANNOT_START, blockers=problems)
    url = publish_url(inspection) if manage else None
    return Step("publish", "Publish", NOT_STARTED, "Ready to publish", url=url)


def inspection_steps(inspection, *, manage: bool) -> list[Step]:
    """The task list, in order. `manage`: whether the user may act (links only then)."""
    progress = case_progress(inspection)
    return [
        _plan(inspection, manage and not inspection.is_published, inspection.providers.count()),
        _sample(inspection, manage, progress),
        _assign(inspection, manage, progress),
        _fieldwork(inspection, manage, progress),
        _moderation(inspection, manage),
        _publish(inspection, manage),
    ]
