"""What makes a review complete: the case facts an assessor records, which of them and which
judgements the framework's rules ask for, and the problems that stop a review being submitted.

These rules live here alone, so the review pages, the submit service and the scoring import all
apply the same ones. They read nothing from the database: `audit.scoring.selectors` loads the
review, its answers and its framework, and hands them to `ReviewState`. The rules between the
case facts themselves are the framework version's (`audit.scoring.case_facts`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from audit.models import CaseReview, ReviewStatus
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
from standards.models import JudgementValue

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
