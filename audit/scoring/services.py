"""Changes to case reviews. Keyword-only, atomic, and refusing rather than guessing.

Saving a review carries the version the user loaded: a save against an older version is refused
(`StaleReview`) and writes nothing, so two people can never overwrite each other silently. Every
change to a case fact, answer or judgement is kept by django-simple-history with who and when.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from audit.accounts.access import can_manage_inspection
from audit.counts.contribution import record_case_change, record_contribution_change
from audit.models import (
    CaseReview,
    InspectionStatus,
    Judgement,
    ModerationRead,
    PromptAnswer,
    ReviewEvent,
    ReviewStatus,
    ensure_not_published,
)
from audit.notifications import events as notification_events
from audit.scoring.case_facts import recorded_values, refused, rules_of, settled
from audit.scoring.fieldwork import start_with_first_review
from audit.scoring.rules import EDITABLE_STATUSES, FACT_FIELDS
from audit.scoring.selectors import case_standards, load_review_state
from audit.trail import trail
from standards.models import JudgementValue, PromptValue


class ReviewError(Exception):
    """A change to a review that was refused; the message says why and what to do."""


class StaleReview(ReviewError):
    """The review changed since the user loaded it; nothing was written.

    `saved_by` and `saved_at` say who saved it meanwhile, and when (None when unknown);
    `what_happened` says so in a sentence for any page, and the message adds what to do on a
    page that shows the user's answers again.
    """

    def __init__(self, *, current_version, saved_by=None, saved_at=None):
        self.current_version = current_version
        self.saved_by = saved_by
        self.saved_at = saved_at
        who = ""
        if saved_at is not None:
            when = date_format(timezone.localtime(saved_at), "j F Y \\a\\t H:i")
            who = f" by {saved_by or 'someone else'} on {when}"
        self.what_happened = (
            f"This review was saved{who}, after you opened it. Nothing on this page has been saved."
        )
        super().__init__(
            f"{self.what_happened} Your answers are shown below: check them against the latest "
            "answers, then save again to replace the latest answers with yours."
        )


class ReviewLocked(ReviewError):
    """The review cannot be changed in its current state (submitted, or inspection published)."""


class ReviewIncomplete(ReviewError):
    """Submission refused: each problem names the field that needs an answer."""

    def __init__(self, problems):
        super().__init__(f"The review cannot be submitted: {len(problems)} answers are missing.")
        self.problems = problems


# --- inspections ---------------------------------------------------------------------------------


# --- reviews -------------------------------------------------------------------------------------


def _check_can_edit(review, user):
    inspection = review.sampled_case.inspection
    ensure_not_published(inspection)
    if review.status not in EDITABLE_STATUSES:
        raise ReviewLocked(
            f"This review is {review.get_status_display().lower()}: it cannot be changed unless "
            "the lead returns or reopens it."
        )
    if (
        user is not None
        and review.sampled_case.assessor_id != user.pk
        and not (can_manage_inspection(user, inspection))
    ):
        raise PermissionDenied("Only the assigned assessor or the lead may change this review.")


def _stale(review) -> StaleReview:
    latest = (
        CaseReview.history.filter(id=review.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
        .first()
    )
    current = CaseReview.objects.filter(pk=review.pk).values_list("version", flat=True).first()
    if latest is None:
        return StaleReview(current_version=current)
    editor = latest.history_user
    return StaleReview(
        current_version=current,
        saved_by=(editor.get_full_name() or editor.username) if editor else None,
        saved_at=latest.history_date,
    )


def _guarded_update(review, *, version, user, **changes) -> CaseReview:
    """Bump the version only if it is still the one the user loaded; refuse otherwise."""
    now = timezone.now()
    rows = CaseReview.objects.filter(
        pk=review.pk, version=version, status__in=EDITABLE_STATUSES
    ).update(version=F("version") + 1, updated_at=now, **changes)
    if rows == 0:
        raise _stale(review)
    for name, value in changes.items():
        setattr(review, name, value)
    review.version = version + 1
    review.updated_at = now
    CaseReview.history.bulk_history_create([review], update=True, default_user=user)
    return review


def _clean_facts(facts: dict) -> dict:
    unknown = set(facts) - set(FACT_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown case facts: {', '.join(sorted(unknown))}.")
    cleaned = {}
    for name, value in facts.items():
        model_field = CaseReview._meta.get_field(name)
        if value in (None, ""):
            value = None if model_field.null else ""
        else:
            value = model_field.to_python(value)
            if value not in dict(model_field.choices):
                raise ValidationError(f"“{value}” is not an answer to {name}.")
        cleaned[name] = value
    return cleaned


def _consistent_facts(review, changes: dict) -> dict:
    """The changes, refused if they contradict each other or the facts already recorded (the
    framework version's fact rules), with each question they rule out given the value the rules
    give it."""
    if not changes:
        return changes
    rules = rules_of(review)
    values = {**recorded_values(review), **changes}
    problems = refused(rules, values)
    if problems:
        raise ValidationError(problems)
    values = settled(rules, values)
    return {
        name: value
        for name, value in values.items()
        if name in changes or value != getattr(review, name)
    }


def nothing_given(*, facts=None, answers=None, judgements=None) -> bool:
    """Whether a page was saved with no answer at all: such a save changes nothing."""
    if any(value not in (None, "") for value in (facts or {}).values()):
        return False
    if any(value for value in (answers or {}).values()):
        return False
    return not any(
        value or (rationale or "").strip() for value, rationale in (judgements or {}).values()
    )


def upsert_answers(items, user):
    """Write prompt answers, items being (review, prompt, value): one read, then bulk writes
    with history. Unchanged answers are left alone."""
    if not items:
        return
    existing = {
        (a.review_id, a.prompt_id): a
        for a in PromptAnswer.objects.filter(
            review_id__in={r.pk for r, _, _ in items}, prompt_id__in={p.pk for _, p, _ in items}
        )
    }
    create, update = [], []
    for review, prompt, value in items:
        current = existing.get((review.pk, prompt.pk))
        if current is None:
            create.append(PromptAnswer(review=review, prompt=prompt, value=value))
        elif current.value != value:
            current.value = value
            update.append(current)
    if create:
        bulk_create_with_history(create, PromptAnswer, default_user=user)
    if update:
        bulk_update_with_history(update, PromptAnswer, ["value"], default_user=user)


def upsert_judgements(items, user):
    """Write key-question judgements, items being (review, key question, value, rationale)."""
    if not items:
        return
    existing = {
        (j.review_id, j.key_question_id): j
        for j in Judgement.objects.filter(
            review_id__in={r.pk for r, *_ in items},
            key_question_id__in={kq.pk for _, kq, *_ in items},
        )
    }
    create, update = [], []
    for review, kq, value, rationale in items:
        current = existing.get((review.pk, kq.pk))
        if current is None:
            create.append(
                Judgement(review=review, key_question=kq, value=value, rationale=rationale)
            )
        elif (current.value, current.rationale) != (value, rationale):
            current.value, current.rationale = value, rationale
            update.append(current)
    if create:
        bulk_create_with_history(create, Judgement, default_user=user)
    if update:
        bulk_update_with_history(update, Judgement, ["value", "rationale"], default_user=user)


def _standard_rows(state, standard, answers, judgements):
    """The answers to write for one standard page: questions that do not apply are recorded
    as not applicable, whatever was posted for them."""
    prompt_rows, judgement_rows = [], []
    review = state.review
    for kq in standard.key_questions.all():
        for prompt in kq.prompts.all():
            if not state.prompt_applies(prompt):
                prompt_rows.append((review, prompt, PromptValue.NOT_APPLICABLE))
                continue
            value = answers.get(prompt.code) or ""
            if not value:
                continue
            if value not in prompt.allowed_values():
                raise ValidationError(f"“{value}” is not an answer to prompt {prompt.code}.")
            prompt_rows.append((review, prompt, value))
        value, rationale = judgements.get(kq.code, ("", ""))
        value, rationale = value or "", (rationale or "").strip()
        if not state.key_question_applies(kq):
            previous = state.judgements.get(kq.pk, ("", ""))[1]
            judgement_rows.append(
                (review, kq, JudgementValue.NOT_APPLICABLE, rationale or previous)
            )
            continue
        if not value:
            continue
        if value not in kq.allowed_values():
            raise ValidationError(f"“{value}” is not a judgement for key question {kq.code}.")
        judgement_rows.append((review, kq, value, rationale))
    return prompt_rows, judgement_rows


@transaction.atomic
def save_review(
    *,
    review,
    version,
    user,
    facts=None,
    standard_code=None,
    answers=None,
    judgements=None,
    standards=None,
    case_dates=None,
) -> CaseReview:
    """Save one page of a review: its case facts, or one standard's answers and judgements.

    `case_dates` (the case facts page) are the case record's timeliness dates; changed ones are
    written to the case, and every counted review of the case is recounted.

    `answers` maps prompt codes to values and `judgements` maps key-question codes to
    (value, rationale). Blank answers leave what is stored, and a page with no answer at all
    changes nothing: not even the review's status. Case facts that contradict each other are
    refused (ValidationError naming each fact). Raises StaleReview (nothing written) when
    `version` is no longer the review's version.
    """
    _check_can_edit(review, user)
    case = review.sampled_case.case if case_dates else None
    dates = {name: day for name, day in (case_dates or {}).items() if getattr(case, name) != day}
    if not dates and nothing_given(facts=facts, answers=answers, judgements=judgements):
        return review
    changes = _consistent_facts(review, _clean_facts(facts or {}))
    if review.status == ReviewStatus.NOT_STARTED:
        changes["status"] = ReviewStatus.IN_PROGRESS
    if review.started_at is None:
        changes["started_at"] = timezone.now()
    _guarded_update(review, version=version, user=user, **changes)
    if changes.get("status") == ReviewStatus.IN_PROGRESS:
        start_with_first_review(inspection=review.sampled_case.inspection, by=user)
    if standard_code is not None:
        _save_standard_page(review, user, standard_code, standards, answers, judgements)
    record_contribution_change(review_ids=[review.pk])
    if dates:
        _save_case_dates(case, dates)
    trail.record(
        user=user,
        action=trail.Action.CHANGED,
        obj=review,
        detail={
            "page": standard_code or "case facts",
            **({"dates": sorted(dates)} if dates else {}),
        },
    )
    return review


def _save_standard_page(review, user, standard_code, standards, answers, judgements) -> None:
    """Write one standard page's answers and judgements (within save_review's transaction)."""
    if standards is None:
        standards = case_standards(review.sampled_case.inspection.framework_id)
    standard = next((s for s in standards if s.code == standard_code), None)
    if standard is None:
        raise ValidationError(f"{standard_code} is not a case standard of this framework.")
    state = load_review_state(review, standards)
    prompt_rows, judgement_rows = _standard_rows(state, standard, answers or {}, judgements or {})
    upsert_answers(prompt_rows, user)
    upsert_judgements(judgement_rows, user)


def _save_case_dates(case, dates: dict) -> None:
    """Write the changed dates to the case, then recount every review of the case (it may be
    sampled in more than one inspection)."""
    for name, day in dates.items():
        setattr(case, name, day)
    case.save(update_fields=[*dates, "updated_at"])
    record_case_change(case_ids=[case.pk])


def not_applicable_rows(state):
    """Every question the case facts rule out, to be recorded as not applicable on submission."""
    prompt_rows, judgement_rows = [], []
    review = state.review
    for standard in state.standards:
        for kq in standard.key_questions.all():
            for prompt in kq.prompts.all():
                if not state.prompt_applies(prompt):
                    prompt_rows.append((review, prompt, PromptValue.NOT_APPLICABLE))
            if not state.key_question_applies(kq):
                rationale = state.judgements.get(kq.pk, ("", ""))[1]
                judgement_rows.append((review, kq, JudgementValue.NOT_APPLICABLE, rationale))
    return prompt_rows, judgement_rows


@transaction.atomic
def submit_review(*, review, version, user, standards=None) -> CaseReview:
    """Submit a complete review; refused with every missing answer while it is incomplete."""
    _check_can_edit(review, user)
    state = load_review_state(review, standards)
    problems = state.problems()
    if problems:
        raise ReviewIncomplete(problems)
    now = timezone.now()
    _guarded_update(
        review,
        version=version,
        user=user,
        status=ReviewStatus.SUBMITTED,
        submitted_at=now,
        submitted_by=user,
        started_at=review.started_at or now,
    )
    start_with_first_review(inspection=review.sampled_case.inspection, by=user)
    prompt_rows, judgement_rows = not_applicable_rows(state)
    upsert_answers(prompt_rows, user)
    upsert_judgements(judgement_rows, user)
    record_contribution_change(review_ids=[review.pk])
    ReviewEvent.objects.create(review=review, kind=ReviewEvent.Kind.SUBMITTED, actor=user)
    trail.record(user=user, action=trail.Action.SUBMITTED, obj=review)
    return review


def _lead_change(review, user, *, to_status, kind, comment, action):
    inspection = review.sampled_case.inspection
    if not can_manage_inspection(user, inspection):
        raise PermissionDenied("Only the inspection's lead may return or reopen a review.")
    ensure_not_published(inspection)
    if inspection.status == InspectionStatus.MODERATION:
        raise ReviewLocked(
            f"{inspection} is in moderation: reopen fieldwork before returning or reopening "
            "a review."
        )
    if review.status != ReviewStatus.SUBMITTED:
        raise ReviewLocked(
            f"Only a submitted review can be returned or reopened; this one is "
            f"{review.get_status_display().lower()}."
        )
    if ModerationRead.objects.filter(review=review, completed_at__isnull=False).exists():
        raise ReviewLocked("This review has been moderated, so it can no longer be reopened.")
    now = timezone.now()
    rows = CaseReview.objects.filter(pk=review.pk, status=ReviewStatus.SUBMITTED).update(
        status=to_status,
        version=F("version") + 1,
        updated_at=now,
        submitted_at=None,
        submitted_by=None,
    )
    if rows == 0:
        raise ReviewLocked("This review changed while you were looking at it; reload the page.")
    review.refresh_from_db()
    record_contribution_change(review_ids=[review.pk])
    CaseReview.history.bulk_history_create([review], update=True, default_user=user)
    ReviewEvent.objects.create(review=review, kind=kind, actor=user, comment=comment)
    trail.record(user=user, action=action, obj=review, detail={"comment": comment})
    return review


@transaction.atomic
def return_review(*, review, user, comment) -> CaseReview:
    """Send a submitted review back to its assessor with the lead's comment (required)."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(
            {"comment": "Enter a comment saying what the assessor should change."}
        )
    returned = _lead_change(
        review,
        user,
        to_status=ReviewStatus.RETURNED,
        kind=ReviewEvent.Kind.RETURNED,
        comment=comment,
        action=trail.Action.RETURNED,
    )
    notification_events.review_returned(review=returned, comment=comment, by=user)
    return returned


@transaction.atomic
def reopen_review(*, review, user, comment="") -> CaseReview:
    """Open a submitted review for changes again; it stops counting until resubmitted."""
    return _lead_change(
        review,
        user,
        to_status=ReviewStatus.IN_PROGRESS,
        kind=ReviewEvent.Kind.REOPENED,
        comment=(comment or "").strip(),
        action=trail.Action.REOPENED,
    )
