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


# --- the facts the assessor records ---------------------------------------------------------------
#
# The case-facts page of a review asks these questions. Their names are the review's own fields
# and their values are those stored ("yes", "no", "na" for not applicable). A framework version's
# fact rules (`standards.fact_rules`) say which of them follow from which, in these words.


@dataclass(frozen=True)
class RecordedFact:
    name: str
    question: str  # the legend on the case-facts page: "Was a RoSH screening completed?"
    topic: str  # after "Select ": "whether a RoSH screening was completed"
    values: tuple[Value, ...]
    said: tuple[tuple[object, str], ...] = ()  # a value as a clause: "no RoSH screening ..."
    subject: str = ""  # a choice fact inside a sentence: "the RoSH level you found"

    @property
    def value_codes(self) -> tuple:
        return tuple(v.value for v in self.values)

    def label_of(self, value) -> str:
        return next((v.label for v in self.values if v.value == value), str(value))

    def clause(self, value) -> str:
        """The value as a clause: "no RoSH screening was completed", "the RoSH level you
        found is low"."""
        said = dict(self.said)
        if value in said:
            return said[value]
        return f"{self.subject} is {self.label_of(value)}"


YES_NO = (Value("yes", "yes"), Value("no", "no"))
YES_NO_NA = YES_NO + (Value("na", "not applicable"),)


def _recorded(name, question, topic, when_yes, when_no, *, na=True) -> RecordedFact:
    return RecordedFact(
        name,
        question,
        topic,
        YES_NO_NA if na else YES_NO,
        said=(("yes", when_yes), ("no", when_no)),
    )


RECORDED_FACT_LIST: tuple[RecordedFact, ...] = (
    _recorded(
        "rosh_screening_completed",
        "Was a RoSH screening completed?",
        "whether a RoSH screening was completed",
        "a RoSH screening was completed",
        "no RoSH screening was completed",
        na=False,
    ),
    _recorded(
        "rosh_screening_on_time",
        "Was the RoSH screening completed on time?",
        "whether the RoSH screening was completed on time",
        "the RoSH screening was completed on time",
        "the RoSH screening was not completed on time",
    ),
    RecordedFact(
        "rosh_level_found",
        "What RoSH level did you find in the record?",
        "the RoSH level you found in the record",
        (
            Value("low", "low"),
            Value("medium", "medium"),
            Value("high", "high"),
            Value("very_high", "very high"),
            Value("not_screened", "not screened"),
        ),
        subject="the RoSH level you found",
    ),
    _recorded(
        "full_risk_analysis_completed",
        "Was a full analysis of the risk of harm completed where required?",
        "whether a full analysis of the risk of harm was completed",
        "a full analysis of the risk of harm was completed",
        "no full analysis of the risk of harm was completed",
    ),
    _recorded(
        "domestic_abuse_enquiries_needed",
        "Were domestic abuse enquiries with the police needed?",
        "whether domestic abuse enquiries with the police were needed",
        "domestic abuse enquiries with the police were needed",
        "no domestic abuse enquiries with the police were needed",
        na=False,
    ),
    _recorded(
        "domestic_abuse_enquiries_made",
        "Were domestic abuse enquiries made with the police?",
        "whether domestic abuse enquiries were made with the police",
        "domestic abuse enquiries were made with the police",
        "no domestic abuse enquiries were made with the police",
    ),
    _recorded(
        "domestic_abuse_reply_received",
        "Did the police reply?",
        "whether the police replied",
        "the police replied",
        "the police did not reply",
    ),
    _recorded(
        "domestic_abuse_reply_sufficient",
        "Was the police reply sufficient and used?",
        "whether the police reply was sufficient and used",
        "the police reply was sufficient and used",
        "the police reply was not sufficient or not used",
    ),
    _recorded(
        "child_safeguarding_enquiries_needed",
        "Were child safeguarding enquiries with children’s services needed?",
        "whether child safeguarding enquiries with children’s services were needed",
        "child safeguarding enquiries with children’s services were needed",
        "no child safeguarding enquiries with children’s services were needed",
        na=False,
    ),
    _recorded(
        "child_safeguarding_enquiries_made",
        "Were child safeguarding enquiries made with children’s services?",
        "whether child safeguarding enquiries were made with children’s services",
        "child safeguarding enquiries were made with children’s services",
        "no child safeguarding enquiries were made with children’s services",
    ),
    _recorded(
        "child_safeguarding_reply_received",
        "Did children’s services reply?",
        "whether children’s services replied",
        "children’s services replied",
        "children’s services did not reply",
    ),
    _recorded(
        "child_safeguarding_reply_sufficient",
        "Was the reply from children’s services sufficient and used?",
        "whether the reply from children’s services was sufficient and used",
        "the reply from children’s services was sufficient and used",
        "the reply from children’s services was not sufficient or not used",
    ),
    _recorded(
        "home_visit_needed",
        "Was a home visit needed to manage the risk of harm?",
        "whether a home visit was needed to manage the risk of harm",
        "a home visit was needed",
        "no home visit was needed",
        na=False,
    ),
    _recorded(
        "home_visit_made",
        "Was a home visit made?",
        "whether a home visit was made",
        "a home visit was made",
        "no home visit was made",
    ),
    RecordedFact(
        "mappa_category",
        "MAPPA category",
        "the MAPPA category",
        (Value(1, "category 1"), Value(2, "category 2"), Value(3, "category 3")),
        subject="the MAPPA category",
    ),
    RecordedFact(
        "mappa_level",
        "MAPPA level",
        "the MAPPA level",
        (Value(1, "level 1"), Value(2, "level 2"), Value(3, "level 3")),
        subject="the MAPPA level",
    ),
    _recorded(
        "management_oversight_sufficient",
        "Was management oversight sufficient?",
        "whether management oversight was sufficient",
        "management oversight was sufficient",
        "management oversight was not sufficient",
    ),
    _recorded(
        "person_interviewed",
        "Was the person on probation interviewed for the inspection?",
        "whether the person on probation was interviewed for the inspection",
        "the person on probation was interviewed",
        "the person on probation was not interviewed",
        na=False,
    ),
)

RECORDED_FACTS: dict[str, RecordedFact] = {fact.name: fact for fact in RECORDED_FACT_LIST}
