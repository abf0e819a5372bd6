"""Moderation: blind second reads of a share of each assessor's reviews, and their resolution.

A lead draws, for each assessor, a share of their submitted reviews at random (the seed is
recorded, so the same seed on the same reviews draws the same cases) and may add reviews of
their own choosing. Moderators judge the key questions without seeing the first judgements;
where the two differ, the lead records the resolved judgement with a note. The resolution
replaces the first judgement in the roll-up (`Coalesce(resolution.value, judgement.value)`);
both originals are kept.
"""

from __future__ import annotations

import math
import random
import secrets
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from audit.accounts.roles import READ_SECOND, Role, has_role, may
from audit.counts.contribution import record_contribution_change
from audit.inspections.lifecycle import lock
from audit.models import (
    COUNTED_REVIEW_STATUSES,
    CaseReview,
    Inspection,
    InspectionStatus,
    Judgement,
    ModerationJudgement,
    ModerationRead,
    Resolution,
    ReviewStatus,
    SampledCase,
    User,
    ensure_not_published,
)
from audit.notifications import events as notification_events
from audit.scoring.pairs import disagreeing, paired_judgements, paired_judgements_in
from audit.scoring.rules import review_facts
from audit.trail import trail
from cases.selectors import ancestor_ids, provider_ids_visible_to
from standards.models import JudgementValue, KeyQuestion, RatedBy

OPEN_STATUSES = (InspectionStatus.FIELDWORK, InspectionStatus.MODERATION)
MAX_SEED = 2**63 - 1


class ModerationRefused(ValidationError):
    """A moderation step refused; the message says why."""


def _require_open(inspection: Inspection, doing: str) -> None:
    ensure_not_published(inspection)
    if inspection.status not in OPEN_STATUSES:
        raise ModerationRefused(
            f"{doing} during fieldwork or moderation; {inspection} is in "
            f"{InspectionStatus(inspection.status).label.lower()}."
        )


def _require_lead(user, doing: str) -> None:
    if not has_role(user, Role.LEAD):
        raise ModerationRefused(f"Only a lead can {doing}.")


def display_name(user) -> str:
    if user is None:
        return "Not assigned"
    return user.get_full_name() or user.get_username()


# Selecting reviews ---------------------------------------------------------------------------


def moderation_target(counted: int, share: Decimal | float | int) -> int:
    """How many of an assessor's counted reviews to read again: the share, rounded up, and at
    least one whenever the assessor has any."""
    if counted <= 0:
        return 0
    return max(1, math.ceil(Decimal(counted) * Decimal(share) / 100))


@dataclass
class AssessorDraw:
    assessor: str
    counted: int
    target: int
    already_selected: int
    selected: list[str] = field(default_factory=list)  # CRNs drawn now


@dataclass
class SampleDraw:
    seed: int
    assessors: list[AssessorDraw]

    @property
    def selected(self) -> list[str]:
        return [crn for draw in self.assessors for crn in draw.selected]


def _assessor_id(row) -> int | None:
    return row["sampled_case__assessor_id"] or row["submitted_by_id"]


def _counted_reviews_by_assessor(inspection: Inspection):
    """The inspection's counted reviews in CRN order, grouped by assessor, and the assessors."""
    rows = list(
        CaseReview.objects.filter(
            sampled_case__inspection=inspection, status__in=COUNTED_REVIEW_STATUSES
        )
        .values(
            "id",
            "sampled_case__case__crn",
            "sampled_case__assessor_id",
            "submitted_by_id",
            "moderation__id",
            "moderation__reason",
        )
        .order_by("sampled_case__case__crn")
    )
    by_assessor: dict[int | None, list[dict]] = {}
    for row in rows:
        by_assessor.setdefault(_assessor_id(row), []).append(row)
    return by_assessor, User.objects.in_bulk([pk for pk in by_assessor if pk is not None])


def _draw_for(person, reviews: list[dict], share, seed: int):
    """One assessor's draw: their reviews shuffled by the seed and their username, taken in that
    order, skipping those already selected, until their random selections reach the target."""
    username = person.get_username() if person else ""
    target = moderation_target(len(reviews), share)
    already = sum(1 for r in reviews if r["moderation__reason"] == ModerationRead.Reason.RANDOM)
    draw = AssessorDraw(display_name(person), len(reviews), target, already)
    order = list(reviews)
    random.Random(f"{seed}:{username}").shuffle(order)
    needed, new_reads = target - already, []
    for row in order:
        if needed <= 0:
            break
        if row["moderation__id"] is not None:
            continue
        new_reads.append(
            ModerationRead(
                review_id=row["id"], reason=ModerationRead.Reason.RANDOM, selection_seed=seed
            )
        )
        draw.selected.append(row["sampled_case__case__crn"])
        needed -= 1
    return draw, new_reads


@transaction.atomic
def draw_moderation_sample(*, inspection: Inspection, by, seed: int | None = None) -> SampleDraw:
    """Select at random, per assessor, the inspection's share of their counted reviews.

    Reproducible: each assessor's counted reviews, in CRN order, are shuffled by a generator
    seeded with the recorded seed and the assessor's username; reviews are taken in that order,
    skipping any already selected, until the assessor's random selections reach the target.
    Drawing again later only tops up (for reviews submitted since).
    """
    _require_lead(by, "draw the moderation sample")
    inspection = lock(inspection)
    _require_open(inspection, "Reviews can only be selected for moderation")
    if seed is None:
        seed = secrets.randbelow(2**31 - 1) + 1
    if not 0 <= seed <= MAX_SEED:
        raise ModerationRefused(f"The seed must be a whole number from 0 to {MAX_SEED}.")
    by_assessor, people = _counted_reviews_by_assessor(inspection)
    draws, new_reads = [], []
    for assessor_id, reviews in sorted(
        by_assessor.items(),
        key=lambda item: people[item[0]].get_username() if item[0] in people else "",
    ):
        draw, reads = _draw_for(people.get(assessor_id), reviews, inspection.moderation_share, seed)
        draws.append(draw)
        new_reads += reads
    ModerationRead.objects.bulk_create(new_reads)
    result = SampleDraw(seed=seed, assessors=draws)
    trail.record(
        user=by,
        action=trail.Action.CHANGED,
        obj=inspection,
        label=f"{inspection}: moderation sample drawn with seed {seed}",
        detail={"seed": seed, "selected": result.selected},
    )
    return result


@transaction.atomic
def select_for_moderation(*, review: CaseReview, by) -> ModerationRead:
    """The lead's own choice of a review to read again, beyond the random share."""
    _require_lead(by, "choose reviews for moderation")
    review = CaseReview.objects.select_related("sampled_case__case").get(pk=review.pk)
    inspection = lock(review.sampled_case.inspection)
    _require_open(inspection, "Reviews can only be selected for moderation")
    crn = review.sampled_case.case.crn
    if review.status not in COUNTED_REVIEW_STATUSES:
        raise ModerationRefused(
            f"The review of {crn} is not submitted: only submitted reviews can be moderated."
        )
    if ModerationRead.objects.filter(review=review).exists():
        raise ModerationRefused(f"The review of {crn} is already selected for moderation.")
    read = ModerationRead.objects.create(review=review, reason=ModerationRead.Reason.LEAD_CHOICE)
    trail.record(
        user=by,
        action=trail.Action.CHANGED,
        obj=inspection,
        label=f"{inspection}: {crn} chosen for moderation",
    )
    return read


@transaction.atomic
def assign_moderator(*, reads, moderator, by) -> int:
    """Give second reads to a moderator. All or nothing: every problem is reported at once."""
    _require_lead(by, "assign moderators")
    reads = list(
        ModerationRead.objects.filter(pk__in=[r.pk for r in reads]).select_related(
            "review__sampled_case__case",
            "review__sampled_case__provider",
            "review__sampled_case__inspection",
        )
    )
    if not reads:
        raise ModerationRefused("Select at least one second read to assign.")
    for inspection_id in {r.review.sampled_case.inspection_id for r in reads}:
        inspection = lock(Inspection(pk=inspection_id))
        _require_open(inspection, "Moderators can only be assigned")
    name = display_name(moderator)
    problems = []
    if not has_role(moderator, Role.MODERATOR, Role.LEAD):
        problems.append(
            f"{name} cannot moderate: they have neither the moderator nor the lead role."
        )
    visible = provider_ids_visible_to(moderator)
    for read in reads:
        sampled = read.review.sampled_case
        crn = sampled.case.crn
        if read.completed_at is not None:
            problems.append(f"The second read of {crn} is complete and cannot be reassigned.")
        elif moderator.pk in (sampled.assessor_id, read.review.submitted_by_id):
            problems.append(f"{name} scored {crn} and cannot read it a second time.")
        elif visible is not None and sampled.provider_id not in visible:
            problems.append(f"{name} cannot see {sampled.provider}, so cannot read {crn}.")
    if problems:
        raise ModerationRefused(problems)
    ModerationRead.objects.filter(pk__in=[r.pk for r in reads]).update(moderator=moderator)
    return len(reads)


# Second reads --------------------------------------------------------------------------------


def moderation_key_questions(review: CaseReview) -> list[KeyQuestion]:
    """The key questions a second read answers: the framework's case-data key questions that
    apply to this case, by the same facts the first reader's form used (one query)."""
    framework_id = review.sampled_case.inspection.framework_id
    facts = review_facts(review)
    questions = (
        KeyQuestion.objects.filter(
            standard__framework_id=framework_id, standard__rated_by=RatedBy.CASE_DATA
        )
        .select_related("standard")
        .prefetch_related("prompts")
        .order_by("standard__order", "standard__code", "order", "code")
    )
    return [kq for kq in questions if kq.applies_to(facts)]


@transaction.atomic
def record_second_read(*, read: ModerationRead, by, judgements: dict) -> ModerationRead:
    """Record the moderator's blind judgements and complete the read.

    `judgements` maps key-question code to (value, rationale). Every applicable key question
    needs a judgement, and "not sufficient" needs a rationale. On completion the review is
    moderated; where the readers agree nothing more is needed.
    """
    read = ModerationRead.objects.select_related(
        "review__sampled_case__case", "review__sampled_case__inspection"
    ).get(pk=read.pk)
    review = read.review
    inspection = lock(review.sampled_case.inspection)
    _require_open(inspection, "Second reads can only be recorded")
    review = CaseReview.objects.select_for_update().get(pk=review.pk)
    review.sampled_case = read.review.sampled_case
    crn = review.sampled_case.case.crn
    if read.moderator_id is None or read.moderator_id != by.pk:
        raise ModerationRefused("Only the moderator assigned to this second read can record it.")
    if read.completed_at is not None:
        raise ModerationRefused(f"The second read of {crn} is already complete.")
    if review.status != ReviewStatus.SUBMITTED:
        raise ModerationRefused(
            f"The review of {crn} is {ReviewStatus(review.status).label.lower()}: "
            "only a submitted review can be moderated."
        )
    questions = moderation_key_questions(review)
    errors: dict[str, list[str]] = {}
    rows = []
    for kq in questions:
        value, rationale = judgements.get(kq.code, ("", ""))
        rationale = (rationale or "").strip()
        if not value:
            errors[kq.code] = [f"Select a judgement for {kq.code}."]
        elif value not in kq.allowed_values():
            errors[kq.code] = [f"{kq.code} cannot be judged “{value}”."]
        elif value == JudgementValue.NOT_SUFFICIENT and not rationale:
            errors[kq.code] = [f"Enter a rationale for judging {kq.code} not sufficient."]
        else:
            rows.append(
                ModerationJudgement(read=read, key_question=kq, value=value, rationale=rationale)
            )
    for code in sorted(set(judgements) - {kq.code for kq in questions}):
        errors[code] = [f"{code} is not a key question of this review."]
    if errors:
        raise ModerationRefused(errors)
    ModerationJudgement.objects.filter(read=read).delete()  # the draft, replaced in full
    ModerationJudgement.objects.bulk_create(rows)
    read.completed_at = timezone.now()
    read.save(update_fields=["completed_at"])
    review.status = ReviewStatus.MODERATED
    review.version += 1
    review.save(update_fields=["status", "version", "updated_at"])
    record_contribution_change(review_ids=[review.pk])
    trail.record(
        user=by, action=trail.Action.CHANGED, obj=review, label=f"Second read of {crn} completed"
    )
    return read


# Disagreements and their resolution -----------------------------------------------------------


@dataclass
class Disagreement:
    judgement: Judgement  # the first judgement, with its review, case and key question
    second_value: str
    second_rationale: str

    @property
    def crn(self) -> str:
        return self.judgement.review.sampled_case.case.crn

    @property
    def key_question(self) -> KeyQuestion:
        return self.judgement.key_question

    @property
    def first_value(self) -> str:
        return self.judgement.value

    @property
    def first_label(self) -> str:
        return JudgementValue(self.judgement.value).label

    @property
    def second_label(self) -> str:
        return JudgementValue(self.second_value).label

    @property
    def is_applicability(self) -> bool:
        """One reader thought the key question does not apply at all."""
        return JudgementValue.NOT_APPLICABLE in (self.first_value, self.second_value)

    @property
    def kind(self) -> str:
        return "Applicability" if self.is_applicability else "Judgement"

    @property
    def resolution(self) -> Resolution | None:
        try:
            return self.judgement.resolution
        except Resolution.DoesNotExist:
            return None

    @property
    def assessor(self):
        return self.judgement.review.sampled_case.assessor

    @property
    def moderator(self):
        return self.judgement.review.moderation.moderator


def disagreements(
    inspection: Inspection, *, crn: str | None = None, key_question_code: str | None = None
) -> list[Disagreement]:
    """Every key question where the completed second read differs from the first (one query)."""
    queryset = disagreeing(paired_judgements(inspection)).select_related(
        "review__sampled_case__case",
        "review__sampled_case__assessor",
        "review__moderation__moderator",
        "key_question",
        "resolution__resolved_by",
    )
    if crn is not None:
        queryset = queryset.filter(review__sampled_case__case__crn=crn)
    if key_question_code is not None:
        queryset = queryset.filter(key_question__code=key_question_code)
    queryset = queryset.order_by(
        "review__sampled_case__case__crn",
        "key_question__standard__order",
        "key_question__order",
        "key_question__code",
    )
    return [Disagreement(j, j.second_value, j.second_rationale) for j in queryset]


@transaction.atomic
def resolve_disagreement(*, judgement: Judgement, value: str, note: str, by) -> Resolution:
    """The lead's resolved judgement, which replaces the first one in the roll-up."""
    _require_lead(by, "resolve disagreements")
    judgement = Judgement.objects.select_related(
        "review__sampled_case__case", "review__sampled_case__inspection", "key_question"
    ).get(pk=judgement.pk)
    inspection = lock(judgement.review.sampled_case.inspection)
    _require_open(inspection, "Disagreements can only be resolved")
    kq, crn = judgement.key_question, judgement.review.sampled_case.case.crn
    second = ModerationJudgement.objects.filter(
        read__review_id=judgement.review_id,
        read__completed_at__isnull=False,
        key_question=kq,
    ).first()
    if second is None:
        raise ModerationRefused(f"{kq.code} for {crn} has no completed second read to resolve.")
    if second.value == judgement.value:
        raise ModerationRefused(
            f"The first and second reads agree on {kq.code} for {crn}: there is nothing to resolve."
        )
    errors = {}
    if value not in kq.allowed_values(judgement.value, second.value):
        errors["value"] = [f"Select the resolved judgement for {kq.code}."]
    note = (note or "").strip()
    if not note:
        errors["note"] = ["Enter a note explaining the resolution."]
    if errors:
        raise ModerationRefused(errors)
    resolution, _ = Resolution.objects.update_or_create(
        judgement=judgement, defaults={"value": value, "note": note, "resolved_by": by}
    )
    record_contribution_change(review_ids=[judgement.review_id])
    trail.record(
        user=by,
        action=trail.Action.RESOLVED,
        obj=judgement.review,
        label=f"{crn} {kq.code} resolved as {JudgementValue(value).label.lower()}",
        detail={"first": judgement.value, "second": second.value, "resolved": value},
    )
    notification_events.disagreement_resolved(
        judgement=judgement, moderator=second.read.moderator, value=value, by=by
    )
    return resolution


# Reads for pages -----------------------------------------------------------------------------


def moderator_choices(inspection):
    """Moderators and leads whose provider scope covers one of the inspection's providers."""
    covering = ancestor_ids(inspection.providers.values_list("pk", flat=True))
    return (
        User.objects.filter(
            is_active=True, groups__name__in=[Role.MODERATOR, Role.LEAD], providers__in=covering
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def reads_for_moderator(user):
    """The second reads assigned to the user, within their provider scope."""
    if not may(user, READ_SECOND):
        return ModerationRead.objects.none()
    queryset = ModerationRead.objects.filter(moderator=user).select_related(
        "review__sampled_case__case",
        "review__sampled_case__provider",
        "review__sampled_case__inspection",
    )
    visible = provider_ids_visible_to(user)
    if visible is not None:
        queryset = queryset.filter(review__sampled_case__provider_id__in=visible)
    return queryset.order_by("completed_at", "review__sampled_case__case__crn")


def progress_by_inspection(inspection_ids) -> dict[int, dict]:
    """For each inspection: reviews counted, reads selected/assigned/completed, disagreements
    and unresolved disagreements (three grouped queries whatever the number of inspections)."""
    progress = {
        pk: {
            "sampled": 0,
            "counted": 0,
            "selected": 0,
            "assigned": 0,
            "completed": 0,
            "disagreements": 0,
            "unresolved": 0,
        }
        for pk in inspection_ids
    }
    for row in (
        SampledCase.objects.filter(inspection_id__in=inspection_ids)
        .values("inspection_id")
        .annotate(
            sampled=Count("id"),
            counted=Count("id", filter=Q(review__status__in=COUNTED_REVIEW_STATUSES)),
        )
        .order_by()
    ):
        progress[row.pop("inspection_id")].update(row)
    for row in (
        ModerationRead.objects.filter(review__sampled_case__inspection_id__in=inspection_ids)
        .values(inspection_id=F("review__sampled_case__inspection_id"))
        .annotate(
            selected=Count("id"),
            assigned=Count("id", filter=Q(moderator__isnull=False)),
            completed=Count("id", filter=Q(completed_at__isnull=False)),
        )
        .order_by()
    ):
        progress[row.pop("inspection_id")].update(row)
    for row in (
        disagreeing(paired_judgements_in(inspection_ids))
        .values(inspection_id=F("review__sampled_case__inspection_id"))
        .annotate(
            disagreements=Count("id"),
            unresolved=Count("id", filter=Q(resolution__isnull=True)),
        )
        .order_by()
    ):
        progress[row.pop("inspection_id")].update(row)
    return progress


@dataclass
class AssessorSample:
    assessor: str
    counted: int
    target: int
    random: int
    chosen: int
    completed: int


def sample_by_assessor(inspection: Inspection) -> list[AssessorSample]:
    """Each assessor's counted reviews against the share, and what has been selected (one query
    plus one for names)."""
    rows = (
        CaseReview.objects.filter(
            sampled_case__inspection=inspection, status__in=COUNTED_REVIEW_STATUSES
        )
        .values(assessor=Coalesce("sampled_case__assessor_id", "submitted_by_id"))
        .annotate(
            counted=Count("id"),
            random=Count("id", filter=Q(moderation__reason=ModerationRead.Reason.RANDOM)),
            chosen=Count("id", filter=Q(moderation__reason=ModerationRead.Reason.LEAD_CHOICE)),
            completed=Count("id", filter=Q(moderation__completed_at__isnull=False)),
        )
        .order_by()
    )
    rows = list(rows)
    people = User.objects.in_bulk([r["assessor"] for r in rows if r["assessor"] is not None])
    result = [
        AssessorSample(
            assessor=display_name(people.get(r["assessor"])),
            counted=r["counted"],
            target=moderation_target(r["counted"], inspection.moderation_share),
            random=r["random"],
            chosen=r["chosen"],
            completed=r["completed"],
        )
        for r in rows
    ]
    return sorted(result, key=lambda s: s.assessor.lower())
