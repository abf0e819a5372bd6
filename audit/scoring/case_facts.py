"""The case facts an assessor records on the first page of a review, and their consistency.

The questions and their words come from `standards.facts.RECORDED_FACTS`; which facts follow
from which comes from the review's framework version (`Framework.fact_rules`, read by
`standards.fact_rules`). The case-facts page, the review service, the scoring import and the
completeness check all use the functions here, so they refuse and require the same things.
"""

from __future__ import annotations

from standards import fact_rules
from standards.facts import RECORDED_FACTS

# The case facts an assessor records on the first page of a review, in page order.
FACT_FIELDS = [
    "rosh_screening_completed",
    "rosh_screening_on_time",
    "rosh_level_found",
    "full_risk_analysis_completed",
    "domestic_abuse_enquiries_needed",
    "domestic_abuse_enquiries_made",
    "domestic_abuse_reply_received",
    "domestic_abuse_reply_sufficient",
    "child_safeguarding_enquiries_needed",
    "child_safeguarding_enquiries_made",
    "child_safeguarding_reply_received",
    "child_safeguarding_reply_sufficient",
    "home_visit_needed",
    "home_visit_made",
    "mappa_category",
    "mappa_level",
    "management_oversight_sufficient",
    "person_interviewed",
]

# The question each case fact answers, as asked on the case-facts page.
FACT_QUESTIONS = {name: RECORDED_FACTS[name].question for name in FACT_FIELDS}

# Facts every submitted review records, whatever the framework's rules.
REQUIRED_FACTS = [
    "rosh_screening_completed",
    "rosh_level_found",
    "domestic_abuse_enquiries_needed",
    "child_safeguarding_enquiries_needed",
    "home_visit_needed",
]

# Which review field records an applicability fact the case record may not hold.
FACT_RECORDED_BY = {
    "home_visit_needed": "home_visit_needed",
    "domestic_abuse_enquiries_needed": "domestic_abuse_enquiries_needed",
    "child_safeguarding_enquiries_needed": "child_safeguarding_enquiries_needed",
    "rosh_level": "rosh_level_found",
    "mappa_eligible": "mappa_category",
    "full_risk_analysis_required": "full_risk_analysis_completed",
}

MAPPA_LEVEL_WITHOUT_CATEGORY = "Select the MAPPA category for the level you chose"


def missing_message(name: str) -> str:
    """ "Select whether a RoSH screening was completed" """
    return f"Select {RECORDED_FACTS[name].topic}"


def blank(value) -> bool:
    return value is None or value == ""


def recorded_values(review) -> dict:
    return {name: getattr(review, name) for name in FACT_FIELDS}


def rules_of(review) -> list:
    """The fact rules of the review's framework version (loaded with the review)."""
    return review.sampled_case.inspection.framework.fact_rules or []


def refused(rules, values: dict) -> dict[str, str]:
    """Each fact whose answer contradicts the others: name -> what to do, in plain English."""
    found = {}
    for refusal in fact_rules.refusals(rules, values):
        found.setdefault(refusal.fact, refusal.message)
    if not blank(values.get("mappa_level")) and blank(values.get("mappa_category")):
        found.setdefault("mappa_category", MAPPA_LEVEL_WITHOUT_CATEGORY)
    return found


def settled(rules, values: dict) -> dict:
    """The values with each question the others rule out given the value the rules give it."""
    return fact_rules.settle(rules, values)


def missing(rules, values: dict) -> list[str]:
    """The facts a submitted review needs and this one lacks: the required facts and every
    question the rules ask, given the answers before it."""
    names = [name for name in REQUIRED_FACTS if blank(values.get(name))]
    return names + [name for name in fact_rules.unanswered(rules, values) if name not in names]


def is_asked(rules, name: str, values: dict) -> bool:
    """False only when the recorded answers rule the question out."""
    return fact_rules.asked(rules, name, values) is not False
