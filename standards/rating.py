"""The inspection rating rules as pure functions.

They take numbers and a framework's bands and never touch the ORM, so the same rules serve the
roll-up, the reports and the property tests. Every threshold comes from the framework version.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import models


class Rating(models.TextChoices):
    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"

    @property
    def points(self) -> int:
        return _POINTS[self]

    @property
    def tag_colour(self) -> str:
        """The GOV.UK tag modifier used wherever the rating is shown."""
        return _TAG_COLOURS[self]

    @classmethod
    def from_points(cls, points: int) -> Rating:
        return {value: rating for rating, value in _POINTS.items()}[points]


_POINTS = {
    Rating.OUTSTANDING: 3,
    Rating.GOOD: 2,
    Rating.REQUIRES_IMPROVEMENT: 1,
    Rating.INADEQUATE: 0,
}
_TAG_COLOURS = {
    Rating.OUTSTANDING: "govuk-tag--green",
    Rating.GOOD: "govuk-tag--turquoise",
    Rating.REQUIRES_IMPROVEMENT: "govuk-tag--yellow",
    Rating.INADEQUATE: "govuk-tag--red",
}


class InvalidBands(ValueError):
    """The bands of a framework do not form a usable rating scheme."""

    def __init__(self, problems: Sequence[BandProblem]):
        self.problems = tuple(problems)
        super().__init__(" ".join(p.message for p in self.problems))


@dataclass(frozen=True)
class BandProblem:
    """What is wrong with a set of bands: the band it is about, and which of its bounds."""

    rating: Rating
    message: str
    bound: str = "lower"  # "lower" (percentage bands), "min" or "max" (score bands)


@dataclass(frozen=True)
class PercentageBand:
    rating: Rating
    lower_bound: Decimal  # inclusive, in percent


@dataclass(frozen=True)
class ScoreBand:
    rating: Rating
    min_score: int
    max_score: int


@dataclass(frozen=True)
class RatingScheme:
    """A framework version's thresholds, detached from the database."""

    percentage_bands: tuple[PercentageBand, ...]
    score_bands: tuple[ScoreBand, ...]
    standards_count: int

    def __post_init__(self):
        object.__setattr__(
            self,
            "percentage_bands",
            tuple(sorted(self.percentage_bands, key=lambda b: b.lower_bound, reverse=True)),
        )
        object.__setattr__(
            self, "score_bands", tuple(sorted(self.score_bands, key=lambda b: b.min_score))
        )
        validate_percentage_bands(self.percentage_bands)
        validate_score_bands(self.score_bands, self.max_score)

    @property
    def max_score(self) -> int:
        return max_score_for(self.standards_count)


def max_score_for(standards_count: int) -> int:
    return standards_count * max(r.points for r in Rating)


def _one_band_each(bands, kind: str, bound: str) -> tuple[dict, list[BandProblem]]:
    """The bands by rating, with a problem for each rating given twice or not at all."""
    by_rating, problems = {}, []
    for band in bands:
        if band.rating in by_rating:
            problems.append(
                BandProblem(
                    band.rating,
                    f"{band.rating.label} has more than one {kind} band: give it one.",
                    bound,
                )
            )
        by_rating[band.rating] = band
    for rating in Rating:
        if rating not in by_rating:
            problems.append(BandProblem(rating, f"Give a {kind} band for {rating.label}.", bound))
    return by_rating, problems


def _worst_first() -> list[Rating]:
    return sorted(Rating, key=lambda r: r.points)


def percentage_band_problems(bands: Sequence[PercentageBand]) -> list[BandProblem]:
    """Everything wrong with a framework's percentage bands, each naming its band and why."""
    by_rating, problems = _one_band_each(bands, "percentage", "lower")
    for band in by_rating.values():
        if band.lower_bound < 0 or band.lower_bound > 100:
            problems.append(
                BandProblem(
                    band.rating,
                    f"{band.rating.label} starts at "
                    f"{_percent(band.lower_bound)}: percentage "
                    "bands must lie between 0% and 100%.",
                )
            )
    if problems:
        return problems
    lowest = by_rating[Rating.INADEQUATE]
    if lowest.lower_bound != 0:
        problems.append(
            BandProblem(
                Rating.INADEQUATE,
                (
                    f"Inadequate starts at {_percent(lowest.lower_bound)}: the Inadequate band "
                    "must "
                    "start at 0%, so that every percentage has a rating."
                ),
            )
        )
    ordered = [by_rating[r] for r in _worst_first()]
    for lower, higher in zip(ordered, ordered[1:]):
        if higher.lower_bound <= lower.lower_bound:
            problems.append(
                BandProblem(
                    higher.rating,
                    (
                        f"{higher.rating.label} starts at {_percent(higher.lower_bound)}, which "
                        "is not "
                        f"above {lower.rating.label} at {_percent(lower.lower_bound)}: each better "
                        "rating must need a higher percentage than the one below it."
                    ),
                )
            )
    return problems


def score_band_problems(bands: Sequence[ScoreBand], max_score: int) -> list[BandProblem]:
    """Everything wrong with a framework's overall score bands, each naming its band and why."""
    by_rating, problems = _one_band_each(bands, "score", "min")
    for band in by_rating.values():
        if band.min_score < 0:
            problems.append(
                BandProblem(
                    band.rating,
                    f"{band.rating.label} starts at {band.min_score}: scores are never below 0.",
                    "min",
                )
            )
        if band.min_score > band.max_score:
            problems.append(
                BandProblem(
                    band.rating,
                    (
                        f"{band.rating.label} runs from {band.min_score} to {band.max_score}: a "
                        "score "
                        "band's lowest score must not exceed its highest."
                    ),
                    "max",
                )
            )
    if problems:
        return problems
    return _score_band_order_problems([by_rating[r] for r in _worst_first()], max_score)


def _score_band_order_problems(ordered: list[ScoreBand], max_score: int) -> list[BandProblem]:
    """Bands that are each sound, worst first: from 0 to the maximum, without gap or overlap."""
    problems = []
    if ordered[0].min_score != 0:
        problems.append(
            BandProblem(
                ordered[0].rating,
                (
                    f"{ordered[0].rating.label} starts at {ordered[0].min_score}: the lowest "
                    "score band "
                    "must start at 0."
                ),
                "min",
            )
        )
    for lower, higher in zip(ordered, ordered[1:]):
        if lower.max_score + 1 != higher.min_score:
            problems.append(
                BandProblem(
                    higher.rating,
                    (
                        f"{lower.rating.label} ends at {lower.max_score} and {higher.rating.label} "
                        f"starts at {higher.min_score}: score bands must rise from Inadequate to "
                        f"Outstanding and meet without gap or overlap, so {higher.rating.label} "
                        "should "
                        f"start at {lower.max_score + 1}."
                    ),
                    "min",
                )
            )
    if ordered[-1].max_score != max_score:
        problems.append(
            BandProblem(
                ordered[-1].rating,
                (
                    f"{ordered[-1].rating.label} ends at {ordered[-1].max_score}: the "
                    "Outstanding band "
                    f"must end at the maximum score, {max_score} (3 points for each standard)."
                ),
                "max",
            )
        )
    return problems


def _percent(value) -> str:
    return f"{Decimal(value).normalize():f}%"


def validate_percentage_bands(bands: Sequence[PercentageBand]) -> None:
    if problems := percentage_band_problems(bands):
        raise InvalidBands(problems)


def validate_score_bands(bands: Sequence[ScoreBand], max_score: int) -> None:
    if problems := score_band_problems(bands, max_score):
        raise InvalidBands(problems)


def sufficiency(sufficient: int, applicable: int) -> float | None:
    """Share of applicable cases judged sufficient, in percent; None when nothing applies."""
    if applicable < 0 or sufficient < 0 or sufficient > applicable:
        raise ValueError("sufficient must lie between 0 and applicable")
    if applicable == 0:
        return None
    return 100.0 * sufficient / applicable


def wilson_interval(successes: int, n: int, z: float = 1.959963984540054):
    """95% Wilson score interval in percent, sound even at 0% and 100%."""
    if n == 0:
        return None
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    low = 0.0 if successes == 0 else max(0.0, 100 * (centre - half))
    high = 100.0 if successes == n else min(100.0, 100 * (centre + half))
    return (low, high)


def rating_for(percentage, scheme: RatingScheme) -> Rating | None:
    """The band a sufficiency percentage falls in; lower bounds are inclusive."""
    if percentage is None:
        return None
    value = Decimal(str(percentage))
    for band in scheme.percentage_bands:
        if value >= band.lower_bound:
            return band.rating
    raise ValueError(f"{percentage} is below every band")


def standard_rating(percentages: Iterable, scheme: RatingScheme) -> Rating | None:
    """A case standard takes the rating of its weakest key question that has data."""
    return weakest_rating(rating_for(p, scheme) for p in percentages if p is not None)


def weakest_rating(ratings: Iterable[Rating | None]) -> Rating | None:
    """The weakest of the key questions' ratings (None where none has data)."""
    found = [rating for rating in ratings if rating is not None]
    if not found:
        return None
    return min(found, key=lambda rating: rating.points)


@dataclass(frozen=True)
class OverallResult:
    score: int
    max_score: int  # the maximum for the standards present
    standards_rated: int
    standards_in_scheme: int
    rating: Rating | None

    @property
    def is_partial(self) -> bool:
        return self.standards_rated < self.standards_in_scheme


def overall(standard_ratings: Iterable[Rating | None], scheme: RatingScheme) -> OverallResult:
    """Sum the points of the rated standards and map the sum by the framework's score bands.

    There is no limiting rule at overall level. When fewer standards are rated than the scheme
    has, the score is out of the maximum for those present and no overall rating is invented.
    """
    rated = [r for r in standard_ratings if r is not None]
    if len(rated) > scheme.standards_count:
        raise ValueError(
            f"{len(rated)} standards rated but the scheme has {scheme.standards_count}"
        )
    score = sum(r.points for r in rated)
    max_points = max(r.points for r in Rating)
    rating = None
    if len(rated) == scheme.standards_count:
        rating = overall_rating(score, scheme)
    return OverallResult(
        score=score,
        max_score=len(rated) * max_points,
        standards_rated=len(rated),
        standards_in_scheme=scheme.standards_count,
        rating=rating,
    )


def overall_rating(score: int, scheme: RatingScheme) -> Rating:
    for band in scheme.score_bands:
        if band.min_score <= score <= band.max_score:
            return band.rating
    raise ValueError(f"score {score} is outside the framework's score bands")
