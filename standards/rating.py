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
        return self.standards_count * max(r.points for r in Rating)


def validate_percentage_bands(bands: Sequence[PercentageBand]) -> None:
    ratings = [b.rating for b in bands]
    if sorted(ratings) != sorted(Rating) or len(set(ratings)) != len(ratings):
        raise InvalidBands("Give exactly one percentage band for each of the four ratings.")
    ordered = sorted(bands, key=lambda b: b.rating.points)
    bounds = [b.lower_bound for b in ordered]
    if bounds[0] != 0:
        raise InvalidBands("The Inadequate band must start at 0%.")
    if any(b < 0 or b > 100 for b in bounds):
        raise InvalidBands("Percentage bands must lie between 0% and 100%.")
    if any(lower >= higher for lower, higher in zip(bounds, bounds[1:])):
        raise InvalidBands(
            "Each better rating must need a higher percentage than the one below it."
        )


def validate_score_bands(bands: Sequence[ScoreBand], max_score: int) -> None:
    ratings = [b.rating for b in bands]
    if sorted(ratings) != sorted(Rating) or len(set(ratings)) != len(ratings):
        raise InvalidBands("Give exactly one score band for each of the four ratings.")
    ordered = sorted(bands, key=lambda b: b.min_score)
    if [b.rating.points for b in ordered] != sorted(r.points for r in Rating):
        raise InvalidBands("Score bands must rise from Inadequate to Outstanding.")
    if ordered[0].min_score != 0:
        raise InvalidBands("The lowest score band must start at 0.")
    for lower, higher in zip(ordered, ordered[1:]):
        if lower.max_score + 1 != higher.min_score:
            raise InvalidBands(
                f"Score bands must meet without gap or overlap: {lower.rating.label} ends at "
                f"{lower.max_score}, {higher.rating.label} starts at {higher.min_score}."
            )
    if any(b.min_score > b.max_score for b in ordered):
        raise InvalidBands("A score band's lowest score must not exceed its highest.")
    if ordered[-1].max_score != max_score:
        raise InvalidBands(
            f"The Outstanding band must end at the maximum score, {max_score}."
        )


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
    ratings = [rating_for(p, scheme) for p in percentages if p is not None]
    if not ratings:
        return None
    return min(ratings, key=lambda rating: rating.points)


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
