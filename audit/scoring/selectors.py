"""Reads about case reviews: case facts, progress and completeness, and who may open a review.

Everything that decides whether a review is complete lives here, so the review pages, the
submit service and the scoring import all apply the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from audit.accounts.access import can_manage_inspection
from audit.accounts.roles import SCORE_REVIEWS, may
from audit.models import (
    CaseReview,
    Inspection,
    InspectionStatus,
    Judgement,
    PromptAnswer,
    ReviewStatus,
)
from audit.scoring.case_facts import (
    FACT_FIELDS,
    FACT_QUESTIONS,  # noqa: F401  (the review pages read it from here)
    FACT_RECORDED_BY,
    blank,
    is_asked,
    missing,
    missing_message,
    recorded_values,
    refused,
    rules_of,
)
from standards.models import JudgementValue, KeyQuestion, RatedBy, Standard

EDITABLE_STATUSES = (ReviewStatus.NOT_STARTED, ReviewStatus.IN_PROGRESS, ReviewStatus.RETURNED)


class SectionStatus:
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


FACTS_SECTION = "facts"


# --- case facts -------------------------------------------------------------------------------


def review_facts(review: CaseReview) -> dict:
    """The case facts the framework's applicability rules are evaluated against.

    The case record's facts, overridden or completed by what the assessor found in the record.
    `review.sampled_case.case` should be loaded with the review.
    """
    facts = review.sampled_case.case.facts()
    for name in (
        "home_visit_needed",
        "domestic_abuse_enquiries_needed",
        "child_safeguarding_enquiries_needed",
    ):
        value = getattr(review, name)
        if value:
            facts[name] = value == "yes"
    if review.rosh_level_found:
        facts["rosh_level"] = review.rosh_level_found
    if review.mappa_category is not None:
        facts["mappa_eligible"] = True
    if review.full_risk_analysis_completed:
        facts["full_risk_analysis_required"] = review.full_risk_analysis_completed != "na"
    return facts


def rule_facts(rule) -> set[str]:
    """The fact names an applicability rule refers to."""
    if not rule:
        return set()
    if "all" in rule or "any" in rule:
        names = set()
        for item in rule.get("all", rule.get("any")):
            names |= rule_facts(item)
        return names
    if "not" in rule:
        return rule_facts(rule["not"])
    return {rule["fact"]}


# --- the framework, loaded once per page -------------------------------------------------------


def case_standards(framework) -> list[Standard]:
    """The framework's case-data standards with key questions and prompts: three queries."""
    return list(
        Standard.objects.filter(framework=framework, rated_by=RatedBy.CASE_DATA)
        .order_by("order", "code")
        .prefetch_related(
            Prefetch(
                "key_questions",
                queryset=KeyQuestion.objects.order_by("order", "code").prefetch_related("prompts"),
            )
        )
    )


def standard_by_code(standards, code) -> Standard | None:
    return next((s for s in standards if s.code == code), None)


# --- completeness and progress -----------------------------------------------------------------


@dataclass
class Problem:
    """Something that stops a review being submitted, tied to the field that fixes it."""

    section: str  # FACTS_SECTION or a standard code
    field: str  # a review fact field, a prompt code or a key-question code
    kind: str  # "fact", "prompt", "judgement" or "rationale"
    message: str


@dataclass
class Section:
    key: str  # FACTS_SECTION or a standard code
    title: str
    status: str
    judged: int = 0
    judgements_applicable: int = 0
    answered: int = 0
    prompts_applicable: int = 0
    problems: list = field(default_factory=list)

    @property
    def unanswered(self) -> int:
        """Prompts still to answer before the standard is complete."""
        return sum(1 for problem in self.problems if problem.kind == "prompt")


@dataclass
class ReviewState:
    """A review with its answers, judged against its framework and its case facts."""

    review: CaseReview
    standards: list
    answers: dict  # prompt id -> value
    judgements: dict  # key question id -> (value, rationale)

    def __post_init__(self):
        self.facts = review_facts(self.review)

    def prompt_applies(self, prompt) -> bool:
        return prompt.applies_to(self.facts)

    def key_question_applies(self, key_question) -> bool:
        return key_question.applies_to(self.facts)

    def fact_problems(self) -> list[Problem]:
        """Facts missing for submission, and recorded answers that contradict each other."""
        values = recorded_values(self.review)
        rules = rules_of(self.review)
        messages = {name: missing_message(name) for name in missing(rules, values)}
        for standard in self.standards:
            for kq in standard.key_questions.all():
                for rule in [kq.applicability] + [p.applicability for p in kq.prompts.all()]:
                    for fact in rule_facts(rule):
                        recorded_by = FACT_RECORDED_BY.get(fact)
                        if (
                            recorded_by
                            and self.facts.get(fact) is None
                            and is_asked(rules, recorded_by, values)
                        ):
                            messages.setdefault(recorded_by, missing_message(recorded_by))
        messages.update(refused(rules, values))
        return [
            Problem(FACTS_SECTION, name, "fact", messages[name])
            for name in FACT_FIELDS
            if name in messages
        ]

    def unanswered_prompts(self, kq) -> list:
        """The prompts of an applicable key question still to answer: evidence comes before the
        judgement, so it is complete only when each prompt that applies is answered (a key
        question judged not applicable needs none)."""
        if not self.key_question_applies(kq):
            return []
        if self.judgements.get(kq.pk, ("", ""))[0] == JudgementValue.NOT_APPLICABLE:
            return []
        return [
            p for p in kq.prompts.all() if self.prompt_applies(p) and not self.answers.get(p.pk)
        ]

    def judgement_problems(self, standard) -> list[Problem]:
        """What stops the standard being complete: unanswered prompts, then the judgement."""
        problems = []
        for kq in standard.key_questions.all():
            if not self.key_question_applies(kq):
                continue
            problems += [
                Problem(standard.code, prompt.code, "prompt", f"Select an answer for {prompt.code}")
                for prompt in self.unanswered_prompts(kq)
            ]
            value, rationale = self.judgements.get(kq.pk, ("", ""))
            if not value:
                problems.append(
                    Problem(
                        standard.code, kq.code, "judgement", f"Select a judgement for {kq.code}"
                    )
                )
            elif value == JudgementValue.NOT_APPLICABLE and not kq.allows_not_applicable:
                problems.append(
                    Problem(
                        standard.code,
                        kq.code,
                        "judgement",
                        f"{kq.code} applies to this case: select sufficient or not sufficient",
                    )
                )
            elif value == JudgementValue.NOT_SUFFICIENT and not (rationale or "").strip():
                problems.append(
                    Problem(
                        standard.code,
                        kq.code,
                        "rationale",
                        f"Give your reasons for judging {kq.code} not sufficient",
                    )
                )
        return problems

    def problems(self) -> list[Problem]:
        found = self.fact_problems()
        for standard in self.standards:
            found += self.judgement_problems(standard)
        return found

    def facts_section(self) -> Section:
        problems = self.fact_problems()
        recorded = sum(1 for name in FACT_FIELDS if not blank(getattr(self.review, name)))
        if recorded == 0:
            status = SectionStatus.NOT_STARTED
        elif problems:
            status = SectionStatus.IN_PROGRESS
        else:
            status = SectionStatus.COMPLETED
        return Section(FACTS_SECTION, "Case facts", status, problems=problems)

    def standard_section(self, standard) -> Section:
        section = Section(
            standard.code, f"{standard.code} {standard.title}", SectionStatus.NOT_STARTED
        )
        touched = False
        for kq in standard.key_questions.all():
            for prompt in kq.prompts.all():
                if prompt.pk in self.answers:
                    touched = True
                if self.prompt_applies(prompt):
                    section.prompts_applicable += 1
                    if self.answers.get(prompt.pk):
                        section.answered += 1
            if kq.pk in self.judgements:
                touched = True
            if self.key_question_applies(kq):
                section.judgements_applicable += 1
                if self.judgements.get(kq.pk, ("", ""))[0]:
                    section.judged += 1
        section.problems = self.judgement_problems(standard)
        if not touched:
            section.status = SectionStatus.NOT_STARTED
        elif section.problems:
            section.status = SectionStatus.IN_PROGRESS
        else:
            section.status = SectionStatus.COMPLETED
        return section

    def sections(self) -> list[Section]:
        return [self.facts_section()] + [self.standard_section(s) for s in self.standards]


def load_review_state(review: CaseReview, standards=None) -> ReviewState:
    """The review's answers and judgements: two queries (plus three for the framework)."""
    if standards is None:
        standards = case_standards(review.sampled_case.inspection.framework_id)
    answers = dict(PromptAnswer.objects.filter(review=review).values_list("prompt_id", "value"))
    judgements = {
        kq_id: (value, rationale)
        for kq_id, value, rationale in Judgement.objects.filter(review=review).values_list(
            "key_question_id", "value", "rationale"
        )
    }
    return ReviewState(review, standards, answers, judgements)


def review_states(reviews) -> dict[int, ReviewState]:
    """States for many reviews at once: two queries for the answers, three per framework."""
    reviews = list(reviews)
    if not reviews:
        return {}
    frameworks = {}
    for review in reviews:
        framework_id = review.sampled_case.inspection.framework_id
        if framework_id not in frameworks:
            frameworks[framework_id] = case_standards(framework_id)
    ids = [r.pk for r in reviews]
    answers = {pk: {} for pk in ids}
    for review_id, prompt_id, value in PromptAnswer.objects.filter(review_id__in=ids).values_list(
        "review_id", "prompt_id", "value"
    ):
        answers[review_id][prompt_id] = value
    judgements = {pk: {} for pk in ids}
    for review_id, kq_id, value, rationale in Judgement.objects.filter(
        review_id__in=ids
    ).values_list("review_id", "key_question_id", "value", "rationale"):
        judgements[review_id][kq_id] = (value, rationale)
    return {
        r.pk: ReviewState(
            r, frameworks[r.sampled_case.inspection.framework_id], answers[r.pk], judgements[r.pk]
        )
        for r in reviews
    }


# --- scoping -------------------------------------------------------------------------------------


# --- managing: the one rule for every page that changes an inspection or anything in it --------


def review_queryset() -> QuerySet:
    return CaseReview.objects.select_related(
        "sampled_case__case",
        "sampled_case__provider",
        "sampled_case__assessor",
        "sampled_case__inspection__framework",
        "sampled_case__inspection__lead",
    )


@dataclass
class ReviewAccess:
    review: CaseReview
    is_assessor: bool
    is_lead: bool

    @property
    def inspection(self) -> Inspection:
        return self.review.sampled_case.inspection

    @property
    def can_edit(self) -> bool:
        return (
            (self.is_assessor or self.is_lead)
            and not self.inspection.is_published
            and self.review.status in EDITABLE_STATUSES
        )

    @property
    def can_return(self) -> bool:
        return (
            self.is_lead
            and self.inspection.status in (InspectionStatus.PLANNING, InspectionStatus.FIELDWORK)
            and self.review.status == ReviewStatus.SUBMITTED
        )


def review_access(user, *, inspection_id: int, crn: str) -> ReviewAccess | None:
    """The review if the user is its assessor or leads its inspection; None otherwise (a 404).

    Moderators read blind and managers read reports, so neither opens a review here.
    """
    review = (
        review_queryset()
        .filter(sampled_case__inspection_id=inspection_id, sampled_case__case__crn=crn)
        .first()
    )
    if review is None or not user.is_authenticated:
        return None
    is_assessor = review.sampled_case.assessor_id == user.pk and may(user, SCORE_REVIEWS)
    is_lead = can_manage_inspection(user, review.sampled_case.inspection)
    if not (is_assessor or is_lead):
        return None
    return ReviewAccess(review, is_assessor, is_lead)


def assigned_reviews(user) -> QuerySet:
    """The reviews assigned to an assessor, newest inspection first."""
    if not may(user, SCORE_REVIEWS):
        return review_queryset().none()
    return (
        review_queryset()
        .filter(sampled_case__assessor=user)
        .order_by(
            "-sampled_case__inspection__period_end",
            "sampled_case__inspection_id",
            "sampled_case__case__crn",
        )
    )


def inspection_reviews(inspection) -> QuerySet:
    return (
        review_queryset()
        .filter(sampled_case__inspection=inspection)
        .order_by("sampled_case__case__crn")
    )


def scoring_started(inspection) -> bool:
    return (
        CaseReview.objects.filter(sampled_case__inspection=inspection)
        .exclude(status=ReviewStatus.NOT_STARTED)
        .exists()
    )
