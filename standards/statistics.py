"""The statistical rules behind the report figures, as pure functions.

One home for each rule so every page computes it the same way (see docs/statistics.md):
how sure a band is, whether a figure changed, how figures are pooled, and where a provider
lies on a funnel plot. Like `standards.rating` they take counts and a framework's bands and
never touch the database. Percentages are floats in percent (0 to 100), as `sufficiency`
gives them; probabilities are floats from 0 to 1.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from scipy.special import betaincc

from .rating import Rating, RatingScheme, rating_for, sufficiency, wilson_interval

# Two-sided normal quantiles: 95% and 99.8% (the funnel plot's two pairs of limits).
Z_95 = 1.959963984540054
Z_998 = 3.090232306167813

# A change between two figures is larger than chance would explain when |z| reaches this.
SIGNIFICANT_Z = 1.96

# A rated band whose own probability is below this is "less likely than not" and flagged.
LESS_LIKELY_THAN_NOT = 0.5

# At or above this probability the plain-words sentence says "almost certainly".
ALMOST_CERTAIN = 0.95


def _check_counts(sufficient: int, applicable: int) -> None:
    sufficiency(sufficient, applicable)  # raises a plain error for impossible counts


def _cases(n: int) -> str:
    return f"{n} case" if n == 1 else f"{n} cases"


def format_probability(probability: float) -> str:
    """A probability as a percentage to one decimal; never "0.0%" or "100.0%" for a chance."""
    percent = Decimal(repr(float(100 * probability)))
    value = percent.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if value == 0:
        return "under 0.1%"
    if value == 100:
        return "over 99.9%"
    return f"{value}%"


# ---------------------------------------------------------------------------------------------
# How sure is the band? Beta posterior with a uniform prior.


@dataclass(frozen=True)
class BandProbability:
    rating: Rating
    lower_bound: Decimal  # inclusive, in percent
    upper_bound: Decimal  # exclusive, in percent (the best band runs up to 100 inclusive)
    probability: float


@dataclass(frozen=True)
class BandConfidence:
    """How likely the true sufficiency is to lie in each band, for one figure."""

    sufficient: int
    applicable: int
    rating: Rating  # the band the figure is rated in
    bands: tuple[BandProbability, ...]  # best band first, as the framework orders them

    def probability(self, rating: Rating) -> float:
        return next(b.probability for b in self.bands if b.rating == rating)

    @property
    def rated_probability(self) -> float:
        return self.probability(self.rating)

    @property
    def less_likely_than_not(self) -> bool:
        """The flag: the true figure is more likely outside the rated band than in it."""
        return self.rated_probability < LESS_LIKELY_THAN_NOT

    @property
    def likeliest_other(self) -> BandProbability:
        """The most probable band other than the rated one (the better band on a tie)."""
        others = [b for b in self.bands if b.rating != self.rating]
        return max(others, key=lambda b: b.probability)

    @property
    def sentence(self) -> str:
        return band_confidence_sentence(self)


def band_confidence(sufficient: int, applicable: int, scheme: RatingScheme):
    """The probability of each of the framework's bands, from Beta(s + 1, n - s + 1).

    The uniform prior makes every true sufficiency equally likely before the cases are read;
    the mass between a band's limits is exact (regularised incomplete beta), never sampled.
    None when no case applies, like the percentage itself.
    """
    _check_counts(sufficient, applicable)
    if applicable == 0:
        return None
    bands = scheme.percentage_bands  # best first, by falling lower bound
    uppers = (Decimal(100),) + tuple(b.lower_bound for b in bands[:-1])
    a, b = sufficient + 1, applicable - sufficient + 1
    # Probability that the true figure is at or above each lower bound, in one call; the
    # complement function keeps tiny chances of the best band exact.
    above = betaincc(a, b, np.array([float(band.lower_bound) / 100 for band in bands]))
    masses = np.diff(np.concatenate(([0.0], above)))
    return BandConfidence(
        sufficient=sufficient,
        applicable=applicable,
        rating=rating_for(sufficiency(sufficient, applicable), scheme),
        bands=tuple(
            BandProbability(band.rating, band.lower_bound, upper, max(0.0, float(mass)))
            for band, upper, mass in zip(bands, uppers, masses)
        ),
    )


def band_confidence_sentence(confidence: BandConfidence) -> str:
    """The band confidence in words a manager can quote."""
    cases = _cases(confidence.applicable)
    rated = confidence.rating.label
    chance = format_probability(confidence.rated_probability)
    other = confidence.likeliest_other
    if confidence.less_likely_than_not:
        return (
            f"With {cases}, the figure could well be {other.rating.label} "
            f"({format_probability(other.probability)}): the chance that it is {rated}, "
            f"as rated, is {chance}, less than even."
        )
    if confidence.rated_probability >= ALMOST_CERTAIN:
        return f"With {cases}, the figure is almost certainly {rated} ({chance})."
    return (
        f"With {cases}, the figure is probably {rated} ({chance}), but could be "
        f"{other.rating.label} ({format_probability(other.probability)})."
    )


# ---------------------------------------------------------------------------------------------
# Did it change? Two proportions, pooled z.


@dataclass(frozen=True)
class Change:
    """A figure before and after, and whether the change is larger than chance would explain.

    `significant` is None when the test cannot tell (no cases on one side, or every case
    sufficient, or none, on both sides, so there is no variation to test against); `reason`
    then says why in plain words.
    """

    before_sufficient: int
    before_applicable: int
    after_sufficient: int
    after_applicable: int
    difference: float | None  # percentage points, after minus before
    z: float | None
    significant: bool | None
    reason: str = ""

    @property
    def cannot_tell(self) -> bool:
        return self.significant is None


def change(
    before_sufficient: int, before_applicable: int, after_sufficient: int, after_applicable: int
) -> Change:
    """Pooled two-proportion z test at 95%: significant when |z| >= 1.96."""
    _check_counts(before_sufficient, before_applicable)
    _check_counts(after_sufficient, after_applicable)
    counts = (before_sufficient, before_applicable, after_sufficient, after_applicable)
    missing = [
        side for side, n in (("before", before_applicable), ("after", after_applicable)) if n == 0
    ]
    if missing:
        return Change(
            *counts,
            difference=None,
            z=None,
            significant=None,
            reason=f"Cannot tell: no applicable cases {' or '.join(missing)}.",
        )
    # The difference from integer counts, so 20 of 50 then 35 of 50 is exactly 30 points.
    gap = after_sufficient * before_applicable - before_sufficient * after_applicable
    difference = 100 * gap / (before_applicable * after_applicable)
    pooled = (before_sufficient + after_sufficient) / (before_applicable + after_applicable)
    if pooled in (0, 1):
        every = "every case was" if pooled == 1 else "no case was"
        return Change(
            *counts,
            difference=difference,
            z=None,
            significant=None,
            reason=f"Cannot tell: {every} sufficient, before and after.",
        )
    spread = math.sqrt(pooled * (1 - pooled) * (1 / before_applicable + 1 / after_applicable))
    z = gap / (before_applicable * after_applicable) / spread
    return Change(*counts, difference=difference, z=z, significant=abs(z) >= SIGNIFICANT_Z)


# ---------------------------------------------------------------------------------------------
# Pooling: add the counts, then divide.


@dataclass(frozen=True)
class Pooled:
    sufficient: int
    applicable: int

    @property
    def percentage(self) -> float | None:
        return sufficiency(self.sufficient, self.applicable)

    @property
    def interval(self):
        return wilson_interval(self.sufficient, self.applicable)

    def rating(self, scheme: RatingScheme) -> Rating | None:
        return rating_for(self.percentage, scheme)


def pool(counts: Iterable[tuple[int, int]]) -> Pooled:
    """Add (sufficient, applicable) pairs across providers or inspections.

    Never an average of percentages: a small provider's 90% must weigh as its 20 cases, not
    as much as a large provider's 100. The caller pools only figures of one framework version.
    """
    sufficient = applicable = 0
    for number, (s, n) in enumerate(counts, start=1):
        try:
            _check_counts(s, n)
        except ValueError:
            raise ValueError(
                f"Figure {number} to pool: {s} sufficient of {n} applicable is impossible; "
                f"sufficient must lie between 0 and the applicable cases."
            ) from None
        sufficient += s
        applicable += n
    return Pooled(sufficient, applicable)


# ---------------------------------------------------------------------------------------------
# Funnel plots: is a provider different from the rest, given its number of cases?


class FunnelPosition(enum.Enum):
    INSIDE = "inside"
    ABOVE_95 = "above_95"
    BELOW_95 = "below_95"
    ABOVE_998 = "above_998"
    BELOW_998 = "below_998"

    @property
    def label(self) -> str:
        return _FUNNEL_LABELS[self]

    @property
    def outside(self) -> bool:
        return self is not FunnelPosition.INSIDE


_FUNNEL_LABELS = {
    FunnelPosition.INSIDE: "Within the limits",
    FunnelPosition.ABOVE_95: "Above the 95% limit",
    FunnelPosition.BELOW_95: "Below the 95% limit",
    FunnelPosition.ABOVE_998: "Above the 99.8% limit",
    FunnelPosition.BELOW_998: "Below the 99.8% limit",
}


@dataclass(frozen=True)
class FunnelLimits:
    """Control limits around the overall figure for a provider of `applicable` cases."""

    overall: float  # percent
    applicable: int
    lower_95: float
    upper_95: float
    lower_998: float
    upper_998: float

    def position(self, percentage: float) -> FunnelPosition:
        """Where a figure lies; a figure exactly on a limit is inside it."""
        if percentage > self.upper_998:
            return FunnelPosition.ABOVE_998
        if percentage < self.lower_998:
            return FunnelPosition.BELOW_998
        if percentage > self.upper_95:
            return FunnelPosition.ABOVE_95
        if percentage < self.lower_95:
            return FunnelPosition.BELOW_95
        return FunnelPosition.INSIDE


def funnel_limits(overall: float, applicable: int) -> FunnelLimits | None:
    """p0 +/- z * sqrt(p0 (1 - p0) / n) at 95% and 99.8%, clipped to 0-100%.

    `overall` is the pooled figure of all providers shown, in percent. None without cases.
    """
    if not 0 <= overall <= 100:
        raise ValueError(f"The overall figure must lie between 0% and 100%, not {overall}%.")
    if applicable < 0:
        raise ValueError("The number of applicable cases cannot be negative.")
    if applicable == 0:
        return None
    p0 = overall / 100
    spread = 100 * math.sqrt(p0 * (1 - p0) / applicable)
    return FunnelLimits(
        overall=overall,
        applicable=applicable,
        lower_95=max(0.0, overall - Z_95 * spread),
        upper_95=min(100.0, overall + Z_95 * spread),
        lower_998=max(0.0, overall - Z_998 * spread),
        upper_998=min(100.0, overall + Z_998 * spread),
    )


@dataclass(frozen=True)
class FunnelPoint:
    sufficient: int
    applicable: int
    percentage: float
    limits: FunnelLimits
    position: FunnelPosition


def funnel_point(sufficient: int, applicable: int, overall: float) -> FunnelPoint | None:
    """One provider's figure placed against the limits for its number of cases."""
    _check_counts(sufficient, applicable)
    limits = funnel_limits(overall, applicable)
    if limits is None:
        return None
    percentage = sufficiency(sufficient, applicable)
    return FunnelPoint(
        sufficient=sufficient,
        applicable=applicable,
        percentage=percentage,
        limits=limits,
        position=limits.position(percentage),
    )
