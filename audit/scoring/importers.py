"""Scoring import: reviews scored in a spreadsheet, one row per case and question.

Columns: crn, question_code, answer, rationale (optional), assessor (optional). The question
code is a prompt code (2.1.3.b), a key-question code (2.1.3) or a case-fact name
(home_visit_needed). Every bad row is reported and nothing is written unless the whole file is
good. Imported reviews that are complete are submitted; the others are left in progress.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from audit.accounts.roles import Role
from audit.counts.contribution import record_contribution_change
from audit.models import (
    CaseReview,
    InspectionPublished,
    InspectionStatus,
    ReviewEvent,
    ReviewStatus,
    SampledCase,
    ensure_not_published,
)
from audit.scoring.case_facts import recorded_values, refused, rules_of, settled
from audit.scoring.fieldwork import start_with_first_review
from audit.scoring.import_files import (
    COLUMNS,
    REQUIRED_COLUMNS,
    ImportFailed,
    RowError,
    read_rows,
)
from audit.scoring.rules import EDITABLE_STATUSES, FACT_FIELDS
from audit.scoring.selectors import case_standards, review_queryset, review_states
from audit.scoring.services import (
    not_applicable_rows,
    upsert_answers,
    upsert_judgements,
)
from audit.trail import trail
from cases.models import CRN_RULE, MappaCategory, MappaLevel, crn_from_text
from jobs.progress import NullProgress, Progress

__all__ = [
    "COLUMNS",
    "REQUIRED_COLUMNS",
    "ImportFailed",
    "ImportResult",
    "RowError",
    "import_file",
    "import_reviews",
    "read_rows",
]
from standards.models import JudgementValue
from ui.text import control_character

# The longest text each column may hold; anything longer is refused before it is looked up.
MAX_LENGTHS = {"crn": 20, "question_code": 60, "answer": 30, "rationale": 5000, "assessor": 150}
# Spellings accepted for each answer value (lower case), besides the stored value itself.
PROMPT_SPELLINGS = {
    "yes": "yes",
    "y": "yes",
    "no": "no",
    "n": "no",
    "na": "na",
    "n/a": "na",
    "not applicable": "na",
    "not_applicable": "na",
}
JUDGEMENT_SPELLINGS = {
    "sufficient": "sufficient",
    "not sufficient": "not_sufficient",
    "not_sufficient": "not_sufficient",
    "insufficient": "not_sufficient",
    "na": "na",
    "n/a": "na",
    "not applicable": "na",
    "not_applicable": "na",
}


@dataclass
class ImportResult:
    reviews: int = 0
    submitted: int = 0
    in_progress: int = 0
    answers: int = 0
    submitted_crns: list = field(default_factory=list)


def _fact_spellings(name):
    model_field = CaseReview._meta.get_field(name)
    if name in ("mappa_category", "mappa_level"):
        choices = MappaCategory.choices if name == "mappa_category" else MappaLevel.choices
        spellings = {}
        for value, label in choices:
            spellings[str(value)] = value
            spellings[label.lower()] = value
        spellings.update({"none": None, "na": None, "not eligible": None})
        return spellings
    spellings = {}
    for value, label in model_field.choices:
        spellings[value] = value
        spellings[label.lower()] = value
    if "na" in spellings:
        spellings.update({"n/a": "na", "not_applicable": "na"})
    return spellings


@transaction.atomic
def import_reviews(
    *,
    inspection,
    rows: Iterable[tuple[int, dict]],
    user=None,
    source: str = "",
    progress: Progress | None = None,
) -> ImportResult:
    """Validate every row, then write them all, or raise ImportFailed with every problem.

    `rows` is read once, as it comes: the file is never held whole, only what will be written.
    """
    try:
        ensure_not_published(inspection)
    except InspectionPublished as published:
        raise ImportFailed([RowError(0, "", published.message)]) from published
    if inspection.status == InspectionStatus.MODERATION:
        raise ImportFailed(
            [
                RowError(
                    0,
                    "",
                    f"{inspection} is in moderation: reviews can be "
                    "imported only during planning or fieldwork.",
                )
            ]
        )
    standards = case_standards(inspection.framework_id)
    prompts = {}
    key_questions = {}
    for standard in standards:
        for kq in standard.key_questions.all():
            key_questions[kq.code] = kq
            for prompt in kq.prompts.all():
                prompts[prompt.code] = prompt
    reviews = {
        r.sampled_case.case.crn: r
        for r in review_queryset()
        .filter(sampled_case__inspection=inspection)
        .select_for_update(of=("self",))
    }
    errors: list[RowError] = []
    seen: dict[tuple, int] = {}
    locked_reported = set()
    facts: dict[str, dict] = {}
    answers: list = []
    judgements: list = []
    assignments: dict[str, object] = {}
    fact_rows: dict[tuple, tuple[int, str]] = {}
    named: list[tuple] = []  # rows that name an assessor

    for number, row in rows:
        unreadable = _unreadable_cells(number, row)
        if unreadable:
            errors.extend(unreadable)
            continue
        crn, code, answer = row["crn"], row["question_code"], row["answer"]
        rationale, username = row["rationale"], row["assessor"]
        row_errors = []
        review = None
        crn_key = crn_from_text(crn) if crn else None
        if not crn:
            row_errors.append(RowError(number, "crn", "Enter the case reference (CRN)."))
        elif crn_key is None:
            row_errors.append(RowError(number, "crn", f"“{crn}” is not a CRN: {CRN_RULE}."))
        else:
            review = reviews.get(crn_key)
            if review is None:
                row_errors.append(
                    RowError(number, "crn", f"{crn} is not a sampled case in this inspection.")
                )
            elif review.status not in EDITABLE_STATUSES:
                if crn_key not in locked_reported:
                    locked_reported.add(crn_key)
                    row_errors.append(
                        RowError(
                            number,
                            "crn",
                            f"{crn} is already {review.get_status_display().lower()}; the lead "
                            "must "
                            "return or reopen it before it can be imported again.",
                        )
                    )
                review = None
        if not code:
            row_errors.append(RowError(number, "question_code", "Enter the question code."))
        elif crn_key:
            key = (crn_key, code.lower())
            if key in seen:
                row_errors.append(
                    RowError(
                        number,
                        "question_code",
                        f"Duplicate row: row {seen[key]} already answers {code} for {crn}.",
                    )
                )
            else:
                seen[key] = number
        kind, target = _target(code, prompts, key_questions)
        if code and kind is None:
            row_errors.append(
                RowError(
                    number,
                    "question_code",
                    f"Unknown question code “{code}”: use a prompt or key-question code of "
                    f"{inspection.framework}, or a case-fact name such as home_visit_needed.",
                )
            )
        value = None
        if kind is not None:
            value, message = _value(kind, target, answer, rationale)
            if message:
                column = "rationale" if message.startswith("Give") else "answer"
                row_errors.append(RowError(number, column, message))
        if username:
            # Checked after the last row, when every username is known: one query for them all.
            named.append((number, crn, crn_key, username, review))
        errors.extend(row_errors)
        if row_errors or review is None:
            continue
        if kind == "fact":
            facts.setdefault(review.pk, {})[target] = value
            fact_rows[(review.pk, target)] = (number, crn)
        elif kind == "prompt":
            answers.append((review, target, value))
        else:
            judgements.append((review, target, value, rationale))

    errors += _assessor_errors(named, assignments)
    errors += _inconsistent_facts(reviews, facts, fact_rows)
    if errors:
        raise ImportFailed(sorted(errors, key=lambda e: e.row))
    (progress or NullProgress()).phase("Saving the reviews")
    return _write(
        inspection, reviews, facts, answers, judgements, assignments, standards, user, source
    )


def _assessor_errors(named: list[tuple], assignments: dict) -> list[RowError]:
    """Each row naming an assessor: an active assessor (or superuser), and one per case.

    Fills `assignments` (review id -> user) for the rows that pass.
    """
    usernames = {username for *_, username, _ in named}
    User = get_user_model()
    assessors = (
        {
            u.username.lower(): u
            for u in User.objects.filter(username__in=usernames, is_active=True)
            .filter(Q(groups__name=Role.ASSESSOR) | Q(is_superuser=True))
            .distinct()
        }
        if usernames
        else {}
    )
    errors = []
    assessor_for: dict[str, tuple[int, str]] = {}
    for number, crn, crn_key, username, review in named:
        assessor = assessors.get(username.lower())
        if assessor is None:
            errors.append(
                RowError(
                    number,
                    "assessor",
                    f"Unknown assessor “{username}”: give the username of "
                    "an active user with the assessor role.",
                )
            )
        elif crn_key:
            first = assessor_for.setdefault(crn_key, (number, username.lower()))
            if first[1] != username.lower():
                errors.append(
                    RowError(
                        number,
                        "assessor",
                        f"{crn} is given to {first[1]} on row {first[0]} and to {username} here; "
                        "a case has one assessor.",
                    )
                )
            elif review is not None:
                assignments[review.pk] = assessor
    return errors


def _unreadable_cells(number, row) -> list[RowError]:
    """Cells too long, or holding control characters (a NUL byte, say), are reported without
    being looked up or echoed back: the rest of the row is not checked until they are fixed."""
    problems = []
    for column in COLUMNS:
        text = row[column]
        if len(text) > MAX_LENGTHS[column]:
            problems.append(
                RowError(
                    number,
                    column,
                    f"The value is {len(text):,} characters "
                    f"long; the most allowed is "
                    f"{MAX_LENGTHS[column]:,}.",
                )
            )
            continue
        found = control_character(text, multiline=column == "rationale")
        if found:
            problems.append(
                RowError(
                    number,
                    column,
                    f"The value contains {found}: remove it and import the file again.",
                )
            )
    return problems


def _inconsistent_facts(reviews, facts, fact_rows) -> list[RowError]:
    """The framework version's fact rules, as on the case-facts page: answers that contradict
    each other (or the facts already recorded) are refused, on the row that gives them; the
    questions they rule out take the value the rules give them."""
    by_pk = {review.pk: review for review in reviews.values()}
    errors = []
    for pk, changes in facts.items():
        review = by_pk[pk]
        rules = rules_of(review)
        values = {**recorded_values(review), **changes}
        problems = refused(rules, values)
        for name, message in problems.items():
            number, crn = fact_rows.get((pk, name)) or min(
                row for (review_pk, _), row in fact_rows.items() if review_pk == pk
            )
            errors.append(RowError(number, "answer", f"{crn}: {message}."))
        if not problems:
            changes.update(
                {
                    name: value
                    for name, value in settled(rules, values).items()
                    if value != values[name]
                }
            )
    return errors


def _target(code, prompts, key_questions):
    if not code:
        return None, None
    if code in prompts:
        return "prompt", prompts[code]
    if code in key_questions:
        return "judgement", key_questions[code]
    name = code.strip().lower()
    if name in FACT_FIELDS:
        return "fact", name
    return None, None


def _value(kind, target, answer, rationale):
    """(stored value, error message or '')."""
    text = answer.strip().lower()
    if kind == "fact":
        spellings = _fact_spellings(target)
        if not text:
            return None, f"Enter an answer for {target}."
        if text not in spellings:
            allowed = sorted({str(k) for k, v in spellings.items() if str(k) == str(v)})
            return None, (
                f"“{answer}” is not an answer to {target}; use one of: {', '.join(allowed)}."
            )
        return spellings[text], ""
    if not text:
        return None, f"Enter an answer for {target.code}."
    if kind == "prompt":
        value = PROMPT_SPELLINGS.get(text)
        allowed = target.allowed_values()
        if value not in allowed:
            return None, (
                f"“{answer}” is not an answer to prompt {target.code}; use {', '.join(allowed)}."
            )
        return value, ""
    value = JUDGEMENT_SPELLINGS.get(text)
    allowed = target.allowed_values()
    if value == JudgementValue.NOT_APPLICABLE and target.applicability:
        allowed = allowed + [JudgementValue.NOT_APPLICABLE]  # it may not apply to the case
    if value not in allowed:
        return None, (
            f"“{answer}” is not a judgement for key question {target.code}; use "
            f"{', '.join(str(a) for a in allowed)}."
        )
    if value == JudgementValue.NOT_SUFFICIENT and not rationale.strip():
        return None, f"Give the rationale for judging {target.code} not sufficient."
    return value, ""


def _write(inspection, reviews, facts, answers, judgements, assignments, standards, user, source):
    touched = {}
    for review, *_ in answers + judgements:
        touched[review.pk] = review
    for review in reviews.values():
        if review.pk in facts or review.pk in assignments:
            touched[review.pk] = review
    now = timezone.now()
    for pk, changes in facts.items():
        for name, value in changes.items():
            setattr(touched[pk], name, value)
    if assignments:
        sampled = []
        for pk, assessor in assignments.items():
            sampled_case = touched[pk].sampled_case
            sampled_case.assessor = assessor
            sampled_case.assigned_at = now
            sampled.append(sampled_case)
        SampledCase.objects.bulk_update(sampled, ["assessor", "assigned_at"])
        inspection.team.add(*{a.pk for a in assignments.values()})
    upsert_answers(answers, user)
    upsert_judgements(judgements, user)

    states = review_states(touched.values())
    result = ImportResult(reviews=len(touched), answers=len(answers) + len(judgements))
    complete = []
    for pk, review in touched.items():
        state = states[pk]
        if not state.problems():
            complete.append(state)
            review.status = ReviewStatus.SUBMITTED
            review.submitted_at = now
            review.submitted_by = user
            result.submitted += 1
            result.submitted_crns.append(review.sampled_case.case.crn)
        else:
            review.status = ReviewStatus.IN_PROGRESS
            result.in_progress += 1
        review.started_at = review.started_at or now
        review.version += 1
        review.updated_at = now
    prompt_rows, judgement_rows = [], []
    for state in complete:
        p_rows, j_rows = not_applicable_rows(state)
        prompt_rows += p_rows
        judgement_rows += j_rows
    upsert_answers(prompt_rows, user)
    upsert_judgements(judgement_rows, user)
    bulk_update_with_history(
        list(touched.values()),
        CaseReview,
        FACT_FIELDS
        + ["status", "submitted_at", "submitted_by", "started_at", "version", "updated_at"],
        default_user=user,
    )
    if touched:
        start_with_first_review(inspection=inspection, by=user)
    record_contribution_change(review_ids=list(touched))
    label = f" from {source}" if source else ""
    ReviewEvent.objects.bulk_create(
        ReviewEvent(
            review=review,
            kind=ReviewEvent.Kind.IMPORTED,
            actor=user,
            comment=(
                f"Imported{label}; "
                + (
                    "complete, so submitted."
                    if review.status == ReviewStatus.SUBMITTED
                    else "incomplete, so left in progress."
                )
            ),
        )
        for review in touched.values()
    )
    trail.record(
        user=user,
        action=trail.Action.IMPORTED,
        obj=inspection,
        detail={
            "source": source,
            "reviews": result.reviews,
            "submitted": result.submitted,
            "answers": result.answers,
        },
    )
    return result


class _DryRun(Exception):  # noqa: N818 - not an error: how a dry run leaves its transaction
    def __init__(self, result: ImportResult):
        super().__init__("dry run")
        self.result = result


def import_file(
    *,
    inspection,
    content: bytes,
    filename: str = "",
    user=None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a file of scored reviews; or, as a dry run, do every step, report what would be
    written (reviews, answers, how many submitted) and roll it all back."""
    rows = read_rows(content, filename, progress)
    if not dry_run:
        return import_reviews(
            inspection=inspection,
            rows=rows,
            user=user,
            source=Path(filename).name,
            progress=progress,
        )
    try:
        with transaction.atomic():
            raise _DryRun(
                import_reviews(
                    inspection=inspection,
                    rows=rows,
                    user=user,
                    source=Path(filename).name,
                    progress=progress,
                )
            )
    except _DryRun as done:
        return done.result
