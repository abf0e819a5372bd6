"""The inspection lifecycle: planning -> fieldwork -> moderation -> published, in that order.

Each step is a service that refuses, with a message saying what is missing, when the inspection
is not ready for it. There is no skipping and no going back, except that a lead may reopen
fieldwork from moderation (for example to return a review to its assessor). A published
inspection is frozen: every writer calls `audit.models.ensure_not_published` first, and the
models refuse updates and deletions as a backstop (see `audit.models.InspectionPublished`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from audit.models import (
    COUNTED_REVIEW_STATUSES,
    Inspection,
    InspectionPublished,
    InspectionStatus,
    ModerationRead,
    SampledCase,
    ensure_not_published,
)
from audit.scoring.pairs import unresolved_disagreement_count
from audit.trail import trail

__all__ = [
    "InspectionPublished",
    "TransitionRefused",
    "advance",
    "blockers",
    "next_status",
    "publish",
    "reopen_fieldwork",
    "start_fieldwork",
    "start_moderation",
]

NEXT_STATUS = {
    InspectionStatus.PLANNING: InspectionStatus.FIELDWORK,
    InspectionStatus.FIELDWORK: InspectionStatus.MODERATION,
    InspectionStatus.MODERATION: InspectionStatus.PUBLISHED,
}

ACTION_LABELS = {
    InspectionStatus.FIELDWORK: "Start fieldwork",
    InspectionStatus.MODERATION: "Start moderation",
    InspectionStatus.PUBLISHED: "Publish inspection",
}


class TransitionRefused(ValidationError):
    """A lifecycle step the inspection is not ready for; the messages say why."""


def lock(inspection: Inspection) -> Inspection:
    """The inspection re-read and locked for the rest of the transaction."""
    return (
        Inspection.objects.select_for_update(of=("self",))
        .select_related("framework")
        .get(pk=inspection.pk)
    )


def next_status(inspection: Inspection) -> str | None:
    return NEXT_STATUS.get(inspection.status)


def _plural(count: int, one: str, many: str) -> str:
    return one if count == 1 else many


def _status_name(inspection) -> str:
    return InspectionStatus(inspection.status).label.lower()


# What blocks each step -----------------------------------------------------------------------


def fieldwork_blockers(inspection: Inspection) -> list[str]:
    problems = []
    if not inspection.framework.is_in_use:
        problems.append(
            f"Fieldwork cannot start: the framework version {inspection.framework} is not "
            "published. Publish it first."
        )
    if not SampledCase.objects.filter(inspection=inspection).exists():
        problems.append(
            "Fieldwork cannot start: the inspection has no sampled cases. "
            "Draw or import a sample first."
        )
    return problems


def review_progress(inspection: Inspection) -> dict:
    """Sampled cases and how many of them have a submitted (or moderated) review."""
    return SampledCase.objects.filter(inspection=inspection).aggregate(
        total=Count("id"),
        submitted=Count("id", filter=Q(review__status__in=COUNTED_REVIEW_STATUSES)),
    )


def moderation_blockers(inspection: Inspection) -> list[str]:
    progress = review_progress(inspection)
    outstanding = progress["total"] - progress["submitted"]
    if progress["total"] == 0:
        return ["Moderation cannot start: the inspection has no sampled cases."]
    if outstanding:
        return [
            f"Moderation cannot start until fieldwork has ended: {outstanding} of "
            f"{progress['total']} sampled cases "
            f"{_plural(outstanding, 'does', 'do')} not have a submitted review."
        ]
    return []


def publication_blockers(inspection: Inspection) -> list[str]:
    reads = ModerationRead.objects.filter(review__sampled_case__inspection=inspection).aggregate(
        selected=Count("id"), incomplete=Count("id", filter=Q(completed_at__isnull=True))
    )
    problems = []
    if reads["selected"] == 0:
        problems.append(
            "The inspection cannot be published: no reviews have been selected for moderation."
        )
    if reads["incomplete"]:
        n = reads["incomplete"]
        problems.append(
            f"The inspection cannot be published: {n} selected second "
            f"{_plural(n, 'read is', 'reads are')} not complete."
        )
    unresolved = unresolved_disagreement_count(inspection)
    if unresolved:
        problems.append(
            f"The inspection cannot be published: {unresolved} "
            f"{_plural(unresolved, 'disagreement is', 'disagreements are')} not resolved."
        )
    return problems


BLOCKERS = {
    InspectionStatus.FIELDWORK: fieldwork_blockers,
    InspectionStatus.MODERATION: moderation_blockers,
    InspectionStatus.PUBLISHED: publication_blockers,
}


def blockers(inspection: Inspection) -> list[str]:
    """What stops the inspection moving to its next status now (empty when it may move)."""
    target = next_status(inspection)
    return [] if target is None else BLOCKERS[target](inspection)


# Transitions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Transition:
    """One move of an inspection's status: from `require` to `to`, else `refusal`."""

    require: str
    to: str
    refusal: str


@transaction.atomic
def _move(inspection: Inspection, *, by, transition: _Transition) -> Inspection:
    to, require = transition.to, transition.require
    locked = lock(inspection)
    ensure_not_published(locked)
    if locked.status != require:
        raise TransitionRefused(f"{transition.refusal}; {locked} is in {_status_name(locked)}.")
    if to in BLOCKERS and NEXT_STATUS.get(require) == to:
        problems = BLOCKERS[to](locked)
        if problems:
            raise TransitionRefused(problems)
    previous = locked.status
    locked.status = to
    fields = ["status"]
    if to == InspectionStatus.PUBLISHED:
        locked.published_at = timezone.now()
        fields.append("published_at")
    locked.save(update_fields=fields)
    trail.record(
        user=by,
        action=trail.Action.STATUS_CHANGED,
        obj=locked,
        detail={"from": previous, "to": to},
    )
    inspection.status = locked.status
    inspection.published_at = locked.published_at
    return locked


def _service(transition: _Transition, doc: str):
    def move(*, inspection: Inspection, by) -> Inspection:
        return _move(inspection, by=by, transition=transition)

    move.__doc__ = doc
    return move


start_fieldwork = _service(
    _Transition(
        InspectionStatus.PLANNING,
        InspectionStatus.FIELDWORK,
        "Fieldwork can only start from planning",
    ),
    "From planning to fieldwork, unless `fieldwork_blockers` says why not.",
)
start_moderation = _service(
    _Transition(
        InspectionStatus.FIELDWORK,
        InspectionStatus.MODERATION,
        "Moderation can only start from fieldwork",
    ),
    "From fieldwork to moderation, unless `moderation_blockers` says why not.",
)
publish = _service(
    _Transition(
        InspectionStatus.MODERATION,
        InspectionStatus.PUBLISHED,
        "An inspection can only be published from moderation",
    ),
    "The status step alone, from moderation to published (and frozen): publishing an "
    "inspection is `audit.reports.publication.publish_inspection`, which checks the overall "
    "rating and the agreement between readers and records the publication, then calls this.",
)
reopen_fieldwork = _service(
    _Transition(
        InspectionStatus.MODERATION,
        InspectionStatus.FIELDWORK,
        "Fieldwork can only be reopened from moderation",
    ),
    "The one step back: from moderation to fieldwork, so reviews can be returned and fixed.",
)

TRANSITIONS = {
    InspectionStatus.FIELDWORK: start_fieldwork,
    InspectionStatus.MODERATION: start_moderation,
    InspectionStatus.PUBLISHED: publish,
}


PUBLISH_FROM_ITS_PAGE = (
    "Publish from the inspection's publication page: it shows what will be published and "
    "asks for any acknowledgements first."
)


def advance(*, inspection: Inspection, by) -> Inspection:
    """Move the inspection to its next status, or refuse saying why.

    Publication is not one of the steps taken here: it goes through its confirmation page and
    `audit.reports.publication.publish_inspection`, which records who published, when and with
    what acknowledgements."""
    ensure_not_published(inspection)
    target = next_status(inspection)
    if target == InspectionStatus.PUBLISHED:
        raise TransitionRefused(PUBLISH_FROM_ITS_PAGE)
    return TRANSITIONS[target](inspection=inspection, by=by)
