"""The rows of the national data set, from the shared case generator (audit/synthetic/cases.py),
streamed to the database by the bulk writer: caseloads, sampled cases, reviews with their facts,
prompt answers and judgements, second reads and resolutions, and the lead's ratings.

Ids are reserved up front so that related rows are written without reading anything back.
"""

from __future__ import annotations

import datetime
import random

from audit.models import (
    CaseReview,
    Judgement,
    ModerationJudgement,
    ModerationRead,
    PromptAnswer,
    Resolution,
    ReviewStatus,
    SampledCase,
    StandardJudgement,
)
from audit.synthetic import cases as synthetic
from audit.synthetic.bulk import BulkWriter
from audit.synthetic.dates import case_date_cells
from cases.case_dates import CASE_DATE_FIELDS
from cases.models import Case, Sample
from standards.models import RatedBy
from standards.rating import Rating

CASELOAD_PER_SAMPLED_CASE = 2
READ_ROW = [
    "id",
    "review_id",
    "moderator_id",
    "reason",
    "selection_seed",
    "selected_at",
    "completed_at",
    "version",
]
CASE_ROW = [
    "id",
    "crn",
    "provider_id",
    *synthetic.CASE_COLUMNS,
    "created_at",
    "updated_at",
    *CASE_DATE_FIELDS,
]
REVIEW_ROW = [
    "id",
    "sampled_case_id",
    "status",
    "version",
    *synthetic.FACT_COLUMNS,
    "started_at",
    "submitted_at",
    "submitted_by_id",
    "updated_at",
]


def write_caseloads(writer: BulkWriter, rng, *, pdus, per_pdu, prefix, period, now) -> list:
    """Every PDU's caseload, twice its sample, started in the months before the period; returns
    the sampled cases' rows (CASE_ROW order), of which a random half of each caseload."""
    first_case = writer.reserve(Case, sum(per_pdu) * CASELOAD_PER_SAMPLED_CASE)
    first_start = period[0] - datetime.timedelta(days=239)
    cases, sampled_cases = [], []
    stamp = writer.when(now)
    n = 0
    for pdu, count in zip(pdus, per_pdu):
        chosen = set(rng.sample(range(count * CASELOAD_PER_SAMPLED_CASE), count))
        for i in range(count * CASELOAD_PER_SAMPLED_CASE):
            values = synthetic.case_values(rng, first_start=first_start, spread_days=180)
            case = (
                first_case + n,
                f"{prefix}{n:07d}",
                pdu.pk,
                values[0],
                writer.day(values[1]),
                *values[2:],
                stamp,
                stamp,
                *case_date_cells(writer, f"{prefix}{n:07d}", values[1]),
            )
            cases.append(case)
            if i in chosen:
                sampled_cases.append(case)
            n += 1
    writer.write(Case, CASE_ROW, cases, label="cases in the caseloads")
    return sampled_cases


def write_sampled_cases(writer: BulkWriter, rng, *, sample, inspection, sampled_cases, assessors):
    """The sample's cases, each sampled case assigned to one of its PDU's `assessors` (those of
    its region); returns the first sampled case's id and each one's assessor."""
    first_link = writer.reserve(Sample.cases.through, len(sampled_cases))
    writer.write(
        Sample.cases.through,
        ["id", "sample_id", "case_id"],
        ((first_link + i, sample.pk, c[0]) for i, c in enumerate(sampled_cases)),
    )
    first_sampled = writer.reserve(SampledCase, len(sampled_cases))
    assessor_of = [rng.choice(assessors[c[2]]) for c in sampled_cases]
    assigned = writer.when(datetime.datetime(2026, 7, 1, 9, tzinfo=datetime.UTC))
    writer.write(
        SampledCase,
        ["id", "inspection_id", "case_id", "provider_id", "assessor_id", "assigned_at"],
        (
            (first_sampled + i, inspection.pk, c[0], c[2], assessor_of[i].pk, assigned)
            for i, c in enumerate(sampled_cases)
        ),
        label="sampled cases",
    )
    return first_sampled, assessor_of


class ReviewRows:
    """Reviews with their facts, prompt answers and judgements. The answers are streamed to the
    database while the reviews and judgements that go with them are collected (foreign keys
    are checked at commit)."""

    def __init__(self, writer: BulkWriter, rng: random.Random, *, framework, quality, lean):
        self.writer, self.rng = writer, rng
        self.key_questions, self.prompts = synthetic.framework_questions(framework)
        self.prompt_count = sum(len(p) for p in self.prompts.values())
        self.quality, self.lean = quality, lean
        self.plans: dict = {}
        self.review_rows: list = []
        self.judgement_rows: list = []

    def write(self, *, sampled_cases, assessor_of, first_sampled, moderated) -> int:
        reviews = len(sampled_cases)
        self.first_review = self.writer.reserve(CaseReview, reviews)
        first_answer = self.writer.reserve(PromptAnswer, reviews * self.prompt_count)
        self.first_judgement = self.writer.reserve(Judgement, reviews * len(self.key_questions))
        self.writer.write(
            PromptAnswer,
            ["id", "review_id", "prompt_id", "value"],
            self._answers(sampled_cases, assessor_of, first_sampled, moderated, first_answer),
            total=reviews * self.prompt_count,
            label="prompt answers",
        )
        self.writer.write(CaseReview, REVIEW_ROW, self.review_rows, label="submitted reviews")
        return self.first_review

    def _review_row(self, review_id, sampled_id, facts, assessor, moderated):
        when, rng = self.writer.when, self.rng
        submitted = datetime.datetime(2026, 7, 2, 9, tzinfo=datetime.UTC) + datetime.timedelta(
            minutes=rng.randrange(60 * 24 * 60)
        )
        return (
            review_id,
            sampled_id,
            ReviewStatus.MODERATED.value if moderated else ReviewStatus.SUBMITTED.value,
            7 if moderated else 6,
            *facts,
            when(submitted - datetime.timedelta(hours=rng.randrange(2, 72))),
            when(submitted),
            assessor.pk,
            when(submitted),
        )

    def _answers(self, sampled_cases, assessor_of, first_sampled, moderated, first_answer):
        rng, judge = self.rng, synthetic.judge
        next_answer, next_judgement = first_answer, self.first_judgement
        for i, c in enumerate(sampled_cases):
            _id, _crn, provider_id, sentence, _start, rosh, mappa, level, gender = c[:9]
            da, child = c[11], c[12]
            q = self.quality[provider_id] + self.lean[assessor_of[i].pk]
            facts, applicability = synthetic.case_facts(
                rng, q, rosh, mappa, level, da, child, sentence, gender
            )
            review_id = self.first_review + i
            self.review_rows.append(
                self._review_row(review_id, first_sampled + i, facts, assessor_of[i], moderated[i])
            )
            plan = self.plans.get(applicability)
            if plan is None:
                plan = self.plans[applicability] = synthetic.plan(
                    dict(applicability), self.key_questions, self.prompts
                )
            for step in plan:
                prompt_values, value, rationale = judge(rng, q, step)
                for prompt_id, prompt_value in prompt_values:
                    yield (next_answer, review_id, prompt_id, prompt_value)
                    next_answer += 1
                self.judgement_rows.append((next_judgement, review_id, step[0], value, rationale))
                next_judgement += 1


def write_moderation(
    writer: BulkWriter, rng, *, rows: ReviewRows, moderated, moderator_of, lead, seed, now
):
    """A blind second read of the moderated reviews by their region's moderator (`moderator_of`
    each review), and the lead's resolution of each disagreement; then the judgements."""
    reads, second, resolutions = [], [], []
    first_read = writer.reserve(ModerationRead, sum(moderated))
    per_review = len(rows.key_questions)
    for i, is_moderated in enumerate(moderated):
        if not is_moderated:
            continue
        read_id = first_read + len(reads)
        reads.append(
            (
                read_id,
                rows.first_review + i,
                moderator_of[i].pk,
                ModerationRead.Reason.RANDOM.value,
                seed,
                rows.review_rows[i][-3],
                writer.when(now),
                0,  # the draft version: a completed read has had no draft saves
            )
        )
        for row in rows.judgement_rows[i * per_review : (i + 1) * per_review]:
            value = row[3]
            second_value, rationale = synthetic.second_read(
                rng, value, synthetic.RATIONALES["keeping_safe"]
            )
            second.append((read_id, row[2], second_value, rationale))
            if second_value != value:
                resolutions.append((row[0], second_value if rng.random() < 0.65 else value))
    writer.write(
        Judgement,
        ["id", "review_id", "key_question_id", "value", "rationale"],
        rows.judgement_rows,
        total=len(rows.judgement_rows),
        label="judgements",
    )
    rows.judgement_rows = rows.review_rows = None  # free the rows before the next batch
    _write_reads(writer, reads, second, resolutions, lead, now)


def _write_reads(writer: BulkWriter, reads, second, resolutions, lead, now):
    writer.write(
        ModerationRead,
        READ_ROW,
        reads,
        label="completed second reads",
    )
    first_second = writer.reserve(ModerationJudgement, len(second))
    writer.write(
        ModerationJudgement,
        ["id", "read_id", "key_question_id", "value", "rationale"],
        ((first_second + i, *row) for i, row in enumerate(second)),
    )
    first_resolution = writer.reserve(Resolution, len(resolutions))
    resolved_at = writer.when(now)
    note = "Resolved with the moderator after discussing the case."
    writer.write(
        Resolution,
        ["id", "judgement_id", "value", "note", "resolved_by_id", "resolved_at"],
        (
            (first_resolution + i, judgement_id, value, note, lead.pk, resolved_at)
            for i, (judgement_id, value) in enumerate(resolutions)
        ),
        label="resolutions of disagreements",
    )


def write_standard_ratings(rng, *, inspection, framework, pdus, lead):
    """The lead's ratings of the standards rated by judgement, for every PDU."""
    ratings = [
        Rating.OUTSTANDING,
        Rating.GOOD,
        Rating.GOOD,
        Rating.REQUIRES_IMPROVEMENT,
        Rating.REQUIRES_IMPROVEMENT,
        Rating.INADEQUATE,
    ]
    StandardJudgement.objects.bulk_create(
        StandardJudgement(
            inspection=inspection,
            provider=pdu,
            standard=standard,
            rating=rng.choice(ratings),
            entered_by=lead,
            rationale="Rated from the fieldwork evidence and interviews.",
        )
        for pdu in pdus
        for standard in framework.standards.filter(rated_by=RatedBy.JUDGEMENT).order_by("order")
    )
