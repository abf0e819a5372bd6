"""The case facts a framework version may refer to: one place for their names, plain-English
labels and values.

Applicability rules (`standards.applicability`) name these facts; the admin's rule builder offers
them as choices and reads rules back with these words. Anything else that states rules about case
facts (which facts follow from which, say) should name facts from here, so an admin meets the same
words everywhere. The values are those the case record and the review hold (`cases.models` for
the case's own facts, `audit.scoring.selectors.review_facts` for those the assessor records).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Value:
    value: str | bool
    label: str  # as it reads inside a sentence: "very high", "post-sentence supervision"


@dataclass(frozen=True)
class Fact:
    name: str
    label: str  # a heading or legend: "RoSH level"
    values: tuple[Value, ...]
    subject: str = ""  # a choice fact inside a sentence: "the RoSH level"
    when_yes: str = ""  # a yes/no fact inside a sentence: "a home visit is needed"
    when_no: str = ""

    @property
    def is_yes_no(self) -> bool:
        return bool(self.when_yes)

    @property
    def value_codes(self) -> tuple:
        return tuple(v.value for v in self.values)

    def label_of(self, value) -> str:
        for known in self.values:
            if known.value == value and type(known.value) is type(value):
                return known.label
        return str(value).replace("_", " ")


def _choice(name, label, subject, values) -> Fact:
    return Fact(name, label, tuple(Value(v, text) for v, text in values), subject=subject)


def _yes_no(name, label, when_yes, when_no) -> Fact:
    return Fact(
        name, label, (Value(True, "yes"), Value(False, "no")), when_yes=when_yes, when_no=when_no
    )


FACT_LIST: tuple[Fact, ...] = (
    _choice(
        "sentence_type",
        "Sentence type",
        "the sentence type",
        [
            ("community_order", "community order"),
            ("suspended_sentence_order", "suspended sentence order"),
            ("licence", "licence"),
            ("post_sentence_supervision", "post-sentence supervision"),
        ],
    ),
    _choice(
        "rosh_level",
        "RoSH level",
        "the RoSH level",
        [
            ("low", "low"),
            ("medium", "medium"),
            ("high", "high"),
            ("very_high", "very high"),
            ("not_screened", "not screened"),
        ],
    ),
    _choice(
        "gender",
        "Gender",
        "the gender recorded",
        [
            ("female", "female"),
            ("male", "male"),
            ("other", "other"),
            ("not_known", "not known"),
        ],
    ),
    _yes_no(
        "domestic_abuse_history",
        "History of domestic abuse",
        "there is a history of domestic abuse",
        "there is no history of domestic abuse",
    ),
    _yes_no(
        "child_safeguarding_concerns",
        "Child safeguarding concerns",
        "there are child safeguarding concerns",
        "there are no child safeguarding concerns",
    ),
    _yes_no(
        "mappa_eligible",
        "Eligible for MAPPA",
        "the case is eligible for MAPPA",
        "the case is not eligible for MAPPA",
    ),
    _yes_no(
        "home_visit_needed",
        "Home visit needed",
        "a home visit is needed",
        "no home visit is needed",
    ),
    _yes_no(
        "domestic_abuse_enquiries_needed",
        "Domestic abuse enquiries needed",
        "domestic abuse enquiries are needed",
        "no domestic abuse enquiries are needed",
    ),
    _yes_no(
        "child_safeguarding_enquiries_needed",
        "Child safeguarding enquiries needed",
        "child safeguarding enquiries are needed",
        "no child safeguarding enquiries are needed",
    ),
    _yes_no(
        "full_risk_analysis_required",
        "Full analysis of risk of harm required",
        "a full analysis of risk of harm is required",
        "no full analysis of risk of harm is required",
    ),
    _yes_no("review_due", "Review due", "a review is due", "no review is due"),
)

FACTS: dict[str, Fact] = {fact.name: fact for fact in FACT_LIST}


def or_list(items) -> str:
    """ "a", "a or b", "a, b or c" """
    items = list(items)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


def and_list(items) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
