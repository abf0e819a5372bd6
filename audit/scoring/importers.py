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
    _refuse_unless_importable(inspection)
    standards = case_standards(inspection.framework_id)
    reviews = {
        r.sampled_case.case.crn: r
        for r in review_queryset()
        .filter(sampled_case__inspection=inspection)
        .select_for_update(of=("self",))
    }
    batch = _Batch(inspection, reviews, *_questions(standards))
    for number, row in rows:
        batch.add(number, row)
    assignments: dict[str, object] = {}
    errors = batch.errors
    errors += _assessor_errors(batch.named, assignments)
    errors += _inconsistent_facts(reviews, batch.facts, batch.fact_rows)
    if errors:
        raise ImportFailed(sorted(errors, key=lambda e: e.row))
    (progress or NullProgress()).phase("Saving the reviews")
    return _write(
        inspection, reviews, batch.facts, batch.answers, batch.judgements, assignments, user, source
    )


def _refuse_unless_importable(inspection):
    """Reviews are imported only into an inspection in planning or fieldwork."""
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


def _questions(standards) -> tuple[dict, dict]:
    """The framework's prompts and key questions by code."""
    prompts, key_questions = {}, {}
    for standard in standards:
        for kq in standard.key_questions.all():
            key_questions[kq.code] = kq
            for prompt in kq.prompts.all():
                prompts[prompt.code] = prompt
    return prompts, key_questions


@dataclass
class _Batch:
    """The rows as they are read: every problem found, and what the good rows will write."""

    inspection: object
    reviews: dict  # CRN -> review, locked for the import
    prompts: dict
    key_questions: dict
    errors: list = field(default_factory=list)
    seen: dict = field(default_factory=dict)  # (CRN, question code) -> the row giving it
    locked_reported: set = field(default_factory=set)
    facts: dict = field(default_factory=dict)  # review id -> {fact: value}
    answers: list = field(default_factory=list)
    judgements: list = field(default_factory=list)
    fact_rows: dict = field(default_factory=dict)  # (review id, fact) -> (row, CRN)
    named: list = field(default_factory=list)  # rows that name an assessor

    def add(self, number: int, row: dict) -> None:
        unreadable = _unreadable_cells(number, row)
        if unreadable:
            self.errors.extend(unreadable)
            return
        crn, code, answer = row["crn"], row["question_code"], row["answer"]
        rationale, username = row["rationale"], row["assessor"]
        crn_key = crn_from_text(crn) if crn else None
        review, row_errors = self._review(number, crn, crn_key)
        row_errors += self._duplicate(number, crn, crn_key, code)
        kind, target, value, problems = self._answer(number, code, answer, rationale)
        row_errors += problems
        if username:
            # Checked after the last row, when every username is known: one query for them all.
            self.named.append((number, crn, crn_key, username, review))
        self.errors.extend(row_errors)
        if row_errors or review is None:
            return
        if kind == "fact":
            self.facts.setdefault(review.pk, {})[target] = value
            self.fact_rows[(review.pk, target)] = (number, crn)
        elif kind == "prompt":
            self.answers.append((review, target, value))
        else:
            self.judgements.append((review, target, value, rationale))

    def _review(self, number, crn, crn_key):
        """The review a row's CRN names, if it may be imported: (review or None, errors)."""
        if not crn:
            return None, [RowError(number, "crn", "Enter the case reference (CRN).")]
        if crn_key is None:
            return None, [RowError(number, "crn", f"“{crn}” is not a CRN: {CRN_RULE}.")]
        review = self.reviews.get(crn_key)
        if review is None:
            return None, [
                RowError(number, "crn", f"{crn} is not a sampled case in this inspection.")
            ]
        if review.status in EDITABLE_STATUSES:
            return review, []
        if crn_key in self.locked_reported:
            return None, []
        self.locked_reported.add(crn_key)
        return None, [
            RowError(
                number,
                "crn",
                f"{crn} is already {review.get_status_display().lower()}; the lead must "
                "return or reopen it before it can be imported again.",
            )
        ]

    def _duplicate(self, number, crn, crn_key, code) -> list[RowError]:
        """A missing question code, or one this case was already given on an earlier row."""
        if not code:
            return [RowError(number, "question_code", "Enter the question code.")]
        if not crn_key:
            return []
        key = (crn_key, code.lower())
        if key in self.seen:
            return [
                RowError(
                    number,
                    "question_code",
                    f"Duplicate row: row {self.seen[key]} already answers {code} for {crn}.",
                )
            ]
        self.seen[key] = number
        return []

    def _answer(self, number, code, answer, rationale):
        """What a row answers and the value it gives: (kind, target, value, errors)."""
        kind, target = _target(code, self.prompts, self.key_questions)
        if kind is None:
            if not code:
                return None, None, None, []
            return (
                None,
                None,
                None,
                [
                    RowError(
                        number,
                        "question_code",
                        f"Unknown question code “{code}”: use a prompt or key-question code "
                        f"of {self.inspection.framework}, or a case-fact name such as "
                        "home_visit_needed.",
                    )
                ],
            )
        value, message = _value(kind, target, answer, rationale)
        if not message:
            return kind, target, value, []
        column = "rationale" if message.startswith("Give") else "answer"
        return kind, target, value, [RowError(number, column, message)]


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


def _write(inspection, reviews, facts, answers, judgements, assignments, user, source):
    """Write a checked import: facts, assessors, answers; then submit each review it
    completes, leave the others in progress, and record it all."""
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
        _assign(inspection, touched, assignments, now)
    upsert_answers(answers, user)
    upsert_judgements(judgements, user)
    result = ImportResult(reviews=len(touched), answers=len(answers) + len(judgements))
    _submit_complete(touched, result, user, now)
    bulk_update_with_history(
        list(touched.values()),
        CaseReview,
        FACT_FIELDS
        + ["status", "submitted_at", "submitted_by", "started_at", "version", "updated_at"],
        default_user=user,
    )
    record_contribution_change(review_ids=list(touched))
    _record_import(inspection, touched.values(), result, user, source)
    return result


def _assign(inspection, touched, assignments, now):
    """The assessors the file names: each case given to its assessor, who joins the team."""
    sampled = []
    for pk, assessor in assignments.items():
        sampled_case = touched[pk].sampled_case
        sampled_case.assessor = assessor
        sampled_case.assigned_at = now
        sampled.append(sampled_case)
    SampledCase.objects.bulk_update(sampled, ["assessor", "assigned_at"])
    inspection.team.add(*{a.pk for a in assignments.values()})


def _submit_complete(touched, result, user, now):
    """Each review the import completes is submitted, with the prompts and key questions that
    do not apply to its case answered "not applicable"; the others are left in progress. The
    reviews are changed in memory, for the one bulk update that follows."""
    states = review_states(touched.values())
    prompt_rows, judgement_rows = [], []
    for pk, review in touched.items():
        state = states[pk]
        if not state.problems():
            p_rows, j_rows = not_applicable_rows(state)
            prompt_rows += p_rows
            judgement_rows += j_rows
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
    upsert_answers(prompt_rows, user)
    upsert_judgements(judgement_rows, user)


def _record_import(inspection, reviews, result, user, source):
    """Each review's history says it was imported and what became of it; the trail, the
    import as a whole."""
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
        for review in reviews
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
