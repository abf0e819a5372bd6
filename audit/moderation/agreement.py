"""Agreement between first and second readers: percentage agreement and Cohen's kappa.

The arithmetic is a pure function of four counts, so it can be checked by hand; the selector
below gets the counts for an inspection from the database in one grouped query.

Only pairs where both readers judged the key question sufficient or not sufficient enter the
statistics. A pair where exactly one reader said "not applicable" is an applicability
disagreement, counted and shown separately; a pair where both said "not applicable" agrees but
carries no information about the quality judgement.

Kappa on a handful of pairs swings widely with a single judgement, so below MIN_PAIRS_TO_JUDGE
pairs it is shown with its count but labelled "too few pairs to judge" rather than weak or not:
with 20 pairs one changed judgement still moves kappa by about 0.1, with fewer by much more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import Count, Q

from audit.scoring.pairs import paired_judgements
from standards.models import JudgementValue

WEAK_AGREEMENT_BELOW = 0.6
WEAK_AGREEMENT_LABEL = "weak agreement"
MIN_PAIRS_TO_JUDGE = 20
TOO_FEW_PAIRS_LABEL = "too few pairs to judge"
NOT_DEFINED = "n/a"

YES = JudgementValue.SUFFICIENT
NO = JudgementValue.NOT_SUFFICIENT
NA = JudgementValue.NOT_APPLICABLE


@dataclass(frozen=True)
class PairCounts:
    """How first (assessor) and second (moderator) judgements fell, for some set of pairs."""

    both_sufficient: int = 0
    first_sufficient_second_not: int = 0
    first_not_second_sufficient: int = 0
    both_not_sufficient: int = 0
    applicability_disagreements: int = 0
    both_not_applicable: int = 0

    def __add__(self, other: PairCounts) -> PairCounts:
        return PairCounts(
            *(getattr(self, name) + getattr(other, name) for name in self.__dataclass_fields__)
        )

    @property
    def pairs(self) -> int:
        """Pairs that enter the statistics: both readers judged sufficient or not sufficient."""
        return (
            self.both_sufficient
            + self.first_sufficient_second_not
            + self.first_not_second_sufficient
            + self.both_not_sufficient
        )

    @property
    def agreeing_pairs(self) -> int:
        return self.both_sufficient + self.both_not_sufficient


@dataclass(frozen=True)
class Agreement:
    counts: PairCounts
    observed: Fraction | None  # po
    expected: Fraction | None  # pe
    kappa: Fraction | None

    @property
    def pairs(self) -> int:
        return self.counts.pairs

    @property
    def percentage(self) -> float | None:
        return None if self.observed is None else float(self.observed) * 100

    @property
    def too_few_pairs(self) -> bool:
        """Some pairs, but fewer than the documented minimum for judging agreement."""
        return 0 < self.pairs < MIN_PAIRS_TO_JUDGE

    @property
    def weak(self) -> bool:
        return (
            not self.too_few_pairs
            and self.kappa is not None
            and self.kappa < Fraction(WEAK_AGREEMENT_BELOW)
        )

    @property
    def kappa_display(self) -> str:
        return NOT_DEFINED if self.kappa is None else f"{float(self.kappa):.3f}"

    @property
    def percentage_display(self) -> str:
        return NOT_DEFINED if self.percentage is None else f"{self.percentage:.1f}%"

    @property
    def flag(self) -> str:
        if self.too_few_pairs:
            return TOO_FEW_PAIRS_LABEL
        return WEAK_AGREEMENT_LABEL if self.weak else ""


def agreement(counts: PairCounts) -> Agreement:
    """Percentage agreement and Cohen's kappa, exactly, from the counts of pairs.

    po = share of pairs that agree; pe = p1_yes * p2_yes + p1_no * p2_no, each reader's own
    share of "sufficient"; kappa = (po - pe) / (1 - pe), undefined when pe = 1 (both readers
    used one category only) or when there are no pairs.
    """
    n = counts.pairs
    if n == 0:
        return Agreement(counts, None, None, None)
    first_yes = counts.both_sufficient + counts.first_sufficient_second_not
    second_yes = counts.both_sufficient + counts.first_not_second_sufficient
    observed = Fraction(counts.agreeing_pairs, n)
    expected = Fraction(first_yes * second_yes + (n - first_yes) * (n - second_yes), n * n)
    kappa = None if expected == 1 else (observed - expected) / (1 - expected)
    return Agreement(counts, observed, expected, kappa)


@dataclass
class AgreementRow:
    label: str
    agreement: Agreement
    code: str = ""  # key-question code, or the assessor's username


@dataclass
class AgreementTable:
    by_key_question: list[AgreementRow] = field(default_factory=list)
    by_assessor: list[AgreementRow] = field(default_factory=list)
    overall: Agreement = field(default_factory=lambda: agreement(PairCounts()))

    def rows(self):
        """Every row with its breakdown, for exports."""
        for row in self.by_key_question:
            yield "Key question", row
        for row in self.by_assessor:
            yield "Assessor", row
        yield (
            "Overall",
            AgreementRow(label="All key questions and assessors", agreement=self.overall),
        )


def _pair_count_aggregates():
    """Counts of each kind of pair: `value` is the first reader's, `second__value` the second's."""
    return {
        "both_sufficient": Count("id", filter=Q(value=YES, second__value=YES)),
        "first_sufficient_second_not": Count("id", filter=Q(value=YES, second__value=NO)),
        "first_not_second_sufficient": Count("id", filter=Q(value=NO, second__value=YES)),
        "both_not_sufficient": Count("id", filter=Q(value=NO, second__value=NO)),
        "applicability_disagreements": Count(
            "id",
            filter=(Q(value=NA) & ~Q(second__value=NA)) | (~Q(value=NA) & Q(second__value=NA)),
        ),
        "both_not_applicable": Count("id", filter=Q(value=NA, second__value=NA)),
    }


def _key_question_entry(group) -> dict:
    return {
        "code": group["key_question__code"],
        "label": f"{group['key_question__code']} {group['key_question__wording']}",
        "sort": (
            group["key_question__standard__order"],
            group["key_question__order"],
            group["key_question__code"],
        ),
        "counts": PairCounts(),
    }


def _assessor_entry(group) -> dict:
    username = group["review__sampled_case__assessor__username"] or ""
    name = " ".join(
        part
        for part in (
            group["review__sampled_case__assessor__first_name"],
            group["review__sampled_case__assessor__last_name"],
        )
        if part
    )
    return {"code": username, "label": name or username or "Not assigned", "counts": PairCounts()}


def agreement_table(inspection) -> AgreementTable:
    """Agreement per key question, per assessor and overall, from one grouped query."""
    aggregates = _pair_count_aggregates()
    groups = (
        paired_judgements(inspection)
        .values(
            "key_question_id",
            "key_question__code",
            "key_question__wording",
            "key_question__order",
            "key_question__standard__order",
            "review__sampled_case__assessor_id",
            "review__sampled_case__assessor__username",
            "review__sampled_case__assessor__first_name",
            "review__sampled_case__assessor__last_name",
        )
        .annotate(**aggregates)
        .order_by()
    )
    by_kq: dict[int, dict] = {}
    by_assessor: dict[int | None, dict] = {}
    overall = PairCounts()
    for group in groups:
        counts = PairCounts(**{name: group[name] for name in aggregates})
        overall += counts
        by_kq.setdefault(group["key_question_id"], _key_question_entry(group))["counts"] += counts
        by_assessor.setdefault(group["review__sampled_case__assessor_id"], _assessor_entry(group))[
            "counts"
        ] += counts
    return AgreementTable(
        by_key_question=[
            AgreementRow(label=kq["label"], code=kq["code"], agreement=agreement(kq["counts"]))
            for kq in sorted(by_kq.values(), key=lambda kq: kq["sort"])
        ],
        by_assessor=[
            AgreementRow(label=p["label"], code=p["code"], agreement=agreement(p["counts"]))
            for p in sorted(by_assessor.values(), key=lambda p: (p["label"].lower(), p["code"]))
        ],
        overall=agreement(overall),
    )
