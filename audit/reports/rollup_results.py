"""The roll-up's results: plain dataclasses that report pages, exports, the JSON endpoint and the
`rollup` command all read.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from standards.models import RatedBy, TimelinessMeasure
from standards.rating import OverallResult, Rating, RatingScheme, sufficiency, wilson_interval
from standards.timeliness import in_time_each


def whole_percent(value: float | None) -> int | None:
    """A percentage rounded half up to a whole number, as the inspectorate's reports show it."""
    if value is None:
        return None
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class KeyQuestionResult:
    code: str
    standard_code: str
    wording: str
    lens: str
    sufficient: int
    applicable: int
    not_applicable: int
    percentage: float | None
    ci_low: float | None
    ci_high: float | None
    rating: Rating | None

    @property
    def counts_text(self) -> str:
        return f"{self.sufficient} of {self.applicable}"

    @property
    def percent_display(self) -> int | None:
        return whole_percent(self.percentage)


@dataclass(frozen=True)
class StandardResult:
    """One standard's rating for a provider (or the whole inspection).

    `data_rating` is the weakest key question's band (case-data standards only). `entered_rating`
    is the lead's StandardJudgement: the rating of a judgement-rated standard, or an override of a
    case-data standard. `rating` is the one that counts.
    """

    code: str
    title: str
    rated_by: str
    key_question_codes: tuple[str, ...]
    data_rating: Rating | None
    entered_rating: Rating | None
    rationale: str

    @property
    def is_judgement_rated(self) -> bool:
        return self.rated_by == RatedBy.JUDGEMENT

    @property
    def is_overridden(self) -> bool:
        return not self.is_judgement_rated and self.entered_rating is not None

    @property
    def override(self) -> Rating | None:
        return self.entered_rating if self.is_overridden else None

    @property
    def rating(self) -> Rating | None:
        if self.entered_rating is not None:
            return self.entered_rating
        return None if self.is_judgement_rated else self.data_rating


@dataclass(frozen=True)
class FocusMeasureResult:
    """A focus measure: `numerator` of `denominator` cases. A timeliness measure also has the
    cases whose dates are not known, counted apart (never in the denominator)."""

    code: str
    label: str
    numerator: int
    denominator: int
    not_known: int = 0
    is_timeliness: bool = False

    @property
    def percentage(self) -> float | None:
        return sufficiency(self.numerator, self.denominator)

    @property
    def interval(self) -> tuple[float, float] | None:
        """The 95% Wilson interval of the percentage, as for the key questions."""
        return wilson_interval(self.numerator, self.denominator)

    @property
    def ci_low(self) -> float | None:
        return self.interval[0] if self.interval else None

    @property
    def ci_high(self) -> float | None:
        return self.interval[1] if self.interval else None

    @property
    def interval_text(self) -> str:
        if self.interval is None:
            return ""
        low, high = (whole_percent(bound) for bound in self.interval)
        return f"{low}% to {high}%"

    @property
    def percent_display(self) -> int | None:
        return whole_percent(self.percentage)

    @property
    def text(self) -> str:
        if self.denominator == 0:
            return "no cases"
        return f"{self.numerator} of {self.denominator} ({self.percent_display}%)"


@dataclass(frozen=True)
class ProviderRollup:
    """Results for one provider, or for the whole inspection when `code` is None."""

    provider_id: int | None
    code: str | None
    name: str
    reviews: int
    key_questions: tuple[KeyQuestionResult, ...]
    standards: tuple[StandardResult, ...]
    focus_measures: tuple[FocusMeasureResult, ...]
    overall: OverallResult

    @property
    def is_whole_inspection(self) -> bool:
        return self.code is None

    @property
    def overall_note(self) -> str:
        """Says plainly when the overall score is partial, as the rating rules require."""
        result = self.overall
        if result.standards_rated == 0:
            return "Not rated: no standard has a rating yet."
        if result.is_partial:
            return (
                f"Partial: {result.standards_rated} of {result.standards_in_scheme} standards "
                f"rated, so the score is out of {result.max_score} and there is no overall rating."
            )
        return ""

    def key_question(self, code: str) -> KeyQuestionResult | None:
        return next((kq for kq in self.key_questions if kq.code == code), None)

    def standard(self, code: str) -> StandardResult | None:
        return next((s for s in self.standards if s.code == code), None)


@dataclass(frozen=True)
class InspectionRollup:
    inspection_id: int
    title: str
    status: str
    period_start: object
    period_end: object
    framework_id: int
    framework_code: str
    framework_version: str
    framework_title: str
    scheme: RatingScheme
    providers: tuple[ProviderRollup, ...]
    whole: ProviderRollup
    # True when the user may not see every provider, so `whole` covers only those shown.
    is_partial_scope: bool = False
    # Its key in the reports cache (audit/reports/rollup_cache.py), which what is built from it
    # (breakdowns, the JSON) is kept under too; empty when it was not kept.
    source: str = ""

    def provider(self, code: str) -> ProviderRollup | None:
        return next((p for p in self.providers if p.code == code), None)


def timeliness_results(
    measures: list[TimelinessMeasure], fact_counts: dict
) -> list[FocusMeasureResult]:
    """The version's timeliness measures at their limits, from the counted working days."""
    if not measures:
        return []
    found = in_time_each(fact_counts, {m.code: m.limit_working_days for m in measures})
    return [
        FocusMeasureResult(m.code, m.label, *found[m.code], is_timeliness=True) for m in measures
    ]
