"""The statistical rules: worked examples from the domain notes, boundaries and properties."""

import dataclasses
import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import beta

from standards.rating import Rating, rating_for, sufficiency, wilson_interval
from standards.statistics import (
    SIGNIFICANT_Z,
    BandConfidence,
    BandProbability,
    FunnelLimits,
    FunnelPosition,
    Pooled,
    band_confidence,
    band_confidence_sentence,
    change,
    format_probability,
    funnel_limits,
    funnel_point,
    pool,
)

from .test_rating import SCHEME_2018, band_bounds, scheme

O, G, RI, I = Rating.OUTSTANDING, Rating.GOOD, Rating.REQUIRES_IMPROVEMENT, Rating.INADEQUATE


def one_decimal(probability):
    return round(100 * probability, 1)


# ---------------------------------------------------------------------------------------------
# Band confidence


@pytest.mark.parametrize(
    "sufficient, applicable, expected, rated, flagged",
    [
        (13, 40, {I: 98.6, RI: 1.4, G: 0.0, O: 0.0}, I, False),
        (40, 50, {O: 44.4, G: 54.3, RI: 1.3, I: 0.0}, O, True),
        # 50% is inside Requires improvement (lower bounds are inclusive), yet Inadequate is
        # just the likelier band: flagged.
        (50, 100, {I: 50.0, RI: 49.9, G: 0.1, O: 0.0}, RI, True),
        (55, 100, {RI: 82.2, I: 16.0, G: 1.8, O: 0.0}, RI, False),
    ],
)
def test_band_confidence_worked_examples(sufficient, applicable, expected, rated, flagged):
    confidence = band_confidence(sufficient, applicable, SCHEME_2018)
    assert {b.rating: one_decimal(b.probability) for b in confidence.bands} == expected
    assert confidence.rating is rated
    assert confidence.less_likely_than_not is flagged
    assert confidence.rated_probability == confidence.probability(rated)
    assert (confidence.sufficient, confidence.applicable) == (sufficient, applicable)


def test_band_confidence_bands_best_first_with_their_limits():
    confidence = band_confidence(40, 50, SCHEME_2018)
    assert [(b.rating, b.lower_bound, b.upper_bound) for b in confidence.bands] == [
        (O, Decimal(80), Decimal(100)),
        (G, Decimal(65), Decimal(80)),
        (RI, Decimal(50), Decimal(65)),
        (I, Decimal(0), Decimal(50)),
    ]


def test_band_confidence_reads_the_framework_bands():
    """Lowering Outstanding to 75% moves most of the Good band's chance into Outstanding."""
    confidence = band_confidence(40, 50, scheme(bounds=(75, 65, 50, 0)))
    assert one_decimal(confidence.probability(O)) == 76.2
    assert confidence.probability(O) == pytest.approx(beta(41, 11).sf(0.75), rel=1e-9)
    assert confidence.bands[1].upper_bound == 75
    assert not confidence.less_likely_than_not


def test_band_confidence_of_the_shipped_framework(hmip_2018):
    confidence = band_confidence(40, 50, hmip_2018.rating_scheme())
    assert one_decimal(confidence.probability(O)) == 44.4
    assert confidence.less_likely_than_not


def test_band_confidence_keeps_tiny_chances_exact():
    """A best band far out of reach keeps its true, tiny, positive chance."""
    confidence = band_confidence(0, 200, SCHEME_2018)
    assert confidence.probability(O) == pytest.approx(beta(1, 201).sf(0.8), rel=1e-6)
    assert 0 < confidence.probability(O) < 1e-100


def test_band_confidence_undefined_without_cases():
    assert band_confidence(0, 0, SCHEME_2018) is None


@pytest.mark.parametrize("sufficient, applicable", [(-1, 5), (6, 5), (1, -1)])
def test_band_confidence_refuses_impossible_counts(sufficient, applicable):
    with pytest.raises(ValueError, match="between 0 and applicable"):
        band_confidence(sufficient, applicable, SCHEME_2018)


counts = st.integers(min_value=1, max_value=3000).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
)


@settings(deadline=None)  # the reference Beta of scipy.stats is slow on its first call
@given(counts, band_bounds)
def test_band_probabilities_sum_to_one_and_match_the_beta(pair, bounds):
    sufficient, applicable = pair
    s = scheme(bounds=bounds)
    confidence = band_confidence(sufficient, applicable, s)
    probabilities = [b.probability for b in confidence.bands]
    assert all(0 <= p <= 1 for p in probabilities)
    assert sum(probabilities) == pytest.approx(1, abs=1e-9)
    posterior = beta(sufficient + 1, applicable - sufficient + 1)
    for band in confidence.bands:
        exact = posterior.cdf(float(band.upper_bound) / 100) - posterior.cdf(
            float(band.lower_bound) / 100
        )
        assert band.probability == pytest.approx(exact, abs=1e-9)
    assert confidence.rating is rating_for(sufficiency(sufficient, applicable), s)
    assert confidence.less_likely_than_not == (confidence.rated_probability < 0.5)


@given(counts)
def test_more_sufficient_cases_never_lower_the_chance_of_the_best_band(pair):
    sufficient, applicable = pair
    if sufficient == applicable:
        sufficient -= 1
    worse = band_confidence(sufficient, applicable, SCHEME_2018)
    better = band_confidence(sufficient + 1, applicable, SCHEME_2018)
    assert better.probability(O) >= worse.probability(O)
    assert better.probability(I) <= worse.probability(I)


def hand_made(rated, probabilities, applicable=50):
    """A band confidence with chosen probabilities, to test the wording at its boundaries."""
    return BandConfidence(
        sufficient=0,
        applicable=applicable,
        rating=rated,
        bands=tuple(
            BandProbability(r, Decimal(lo), Decimal(hi), p)
            for r, lo, hi, p in zip(
                (O, G, RI, I), (80, 65, 50, 0), (100, 80, 65, 50), probabilities
            )
        ),
    )


def test_a_band_exactly_even_is_not_flagged_and_just_below_is():
    assert not hand_made(G, (0.25, 0.5, 0.25, 0)).less_likely_than_not
    assert hand_made(G, (0.25, 0.497, 0.253, 0)).less_likely_than_not
    assert not hand_made(G, (0.247, 0.503, 0.25, 0)).less_likely_than_not


@pytest.mark.parametrize(
    "sufficient, applicable, sentence",
    [
        (
            40,
            50,
            "With 50 cases, the figure could well be Good (54.3%): the chance that it is "
            "Outstanding, as rated, is 44.4%, less than even.",
        ),
        (
            50,
            100,
            "With 100 cases, the figure could well be Inadequate (50.0%): the chance that "
            "it is Requires improvement, as rated, is 49.9%, less than even.",
        ),
        (13, 40, "With 40 cases, the figure is almost certainly Inadequate (98.6%)."),
        (
            55,
            100,
            "With 100 cases, the figure is probably Requires improvement (82.2%), but "
            "could be Inadequate (16.0%).",
        ),
        (
            0,
            1,
            "With 1 case, the figure is probably Inadequate (75.0%), but could be Requires "
            "improvement (12.8%).",
        ),
    ],
)
def test_band_confidence_in_plain_words(sufficient, applicable, sentence):
    confidence = band_confidence(sufficient, applicable, SCHEME_2018)
    assert band_confidence_sentence(confidence) == sentence
    assert confidence.sentence == sentence


def test_almost_certainly_from_95_percent():
    assert "almost certainly Good (95.0%)" in hand_made(G, (0.03, 0.95, 0.02, 0)).sentence
    assert (
        "probably Good (94.5%), but could be Outstanding (3.5%)"
        in hand_made(G, (0.035, 0.945, 0.02, 0)).sentence
    )
    assert "almost certainly Good (95.5%)" in hand_made(G, (0.025, 0.955, 0.02, 0)).sentence


def test_the_likeliest_other_band_is_named_and_a_tie_names_the_better_band():
    assert hand_made(RI, (0.1, 0.3, 0.3, 0.3)).likeliest_other.rating is G
    assert hand_made(RI, (0.1, 0.2, 0.3, 0.4)).likeliest_other.rating is I
    assert hand_made(I, (0.4, 0.1, 0.1, 0.4)).likeliest_other.rating is O


@pytest.mark.parametrize(
    "probability, text",
    [
        (0, "under 0.1%"),
        (0.0004, "under 0.1%"),
        (0.00049, "under 0.1%"),
        (0.0005, "0.1%"),
        (0.986, "98.6%"),
        (0.4995, "50.0%"),
        (0.9994, "99.9%"),
        (0.9995, "over 99.9%"),
        (1, "over 99.9%"),
    ],
)
def test_probabilities_shown_to_one_decimal_never_as_certain(probability, text):
    assert format_probability(probability) == text


# ---------------------------------------------------------------------------------------------
# Change between two figures


def test_change_worked_example_significant():
    result = change(20, 50, 35, 50)
    assert result.difference == 30
    assert round(result.z, 2) == 3.02
    assert result.significant is True
    assert not result.cannot_tell
    assert result.reason == ""


def test_change_worked_example_within_chance():
    result = change(20, 50, 24, 50)
    assert result.difference == pytest.approx(8)
    assert round(result.z, 2) == 0.81
    assert result.significant is False
    assert not result.cannot_tell


def test_a_fall_has_a_negative_difference_and_z():
    result = change(35, 50, 20, 50)
    assert result.difference == -30
    assert round(result.z, 2) == -3.02
    assert result.significant is True


def test_change_between_samples_of_different_sizes():
    """40 of 80 (50%) then 45 of 60 (75%): pooled 85 of 140, z worked by hand = 3.00."""
    result = change(40, 80, 45, 60)
    p = 85 / 140
    assert result.z == pytest.approx(0.25 / math.sqrt(p * (1 - p) * (1 / 80 + 1 / 60)))
    assert round(result.z, 2) == 3.00
    assert result.difference == pytest.approx(25)


@pytest.mark.parametrize(
    "counts, z, significant",
    [((4, 50, 11, 50), 1.9604, True), ((1, 50, 6, 50), 1.9597, False)],
)
def test_significance_starts_at_z_of_1_96(counts, z, significant):
    result = change(*counts)
    assert round(result.z, 4) == z
    assert result.significant is significant
    assert SIGNIFICANT_Z == 1.96


@pytest.mark.parametrize(
    "counts, reason",
    [
        ((0, 0, 3, 4), "Cannot tell: no applicable cases before."),
        ((3, 4, 0, 0), "Cannot tell: no applicable cases after."),
        ((0, 0, 0, 0), "Cannot tell: no applicable cases before or after."),
    ],
)
def test_change_cannot_tell_without_cases(counts, reason):
    result = change(*counts)
    assert result.cannot_tell
    assert (result.difference, result.z, result.significant) == (None, None, None)
    assert result.reason == reason


@pytest.mark.parametrize(
    "counts, reason",
    [
        ((5, 5, 7, 7), "Cannot tell: every case was sufficient, before and after."),
        ((0, 5, 0, 7), "Cannot tell: no case was sufficient, before and after."),
    ],
)
def test_change_cannot_tell_without_variation(counts, reason):
    result = change(*counts)
    assert result.cannot_tell
    assert result.difference == 0
    assert result.z is None and result.significant is None
    assert result.reason == reason


def test_from_none_to_half_is_testable():
    result = change(0, 10, 5, 10)
    assert result.difference == 50
    assert round(result.z, 2) == 2.58
    assert result.significant is True


@pytest.mark.parametrize("counts", [(6, 5, 1, 5), (1, 5, -1, 5), (1, -5, 1, 5)])
def test_change_refuses_impossible_counts(counts):
    with pytest.raises(ValueError):
        change(*counts)


two_figures = st.tuples(counts, counts)


@given(two_figures)
def test_change_z_is_antisymmetric_and_follows_the_difference(figures):
    (a, n1), (b, n2) = figures
    forward, backward = change(a, n1, b, n2), change(b, n2, a, n1)
    assert forward.difference == -backward.difference
    if forward.z is None:
        assert backward.z is None and forward.significant is None
        assert a + b in (0, n1 + n2)
        return
    assert forward.z == -backward.z
    assert forward.significant == backward.significant == (abs(forward.z) >= 1.96)
    assert math.copysign(1, forward.z) == math.copysign(1, forward.difference) or (
        forward.difference == 0 and forward.z == 0
    )
    # The formula of the domain notes, in exact fractions.
    p = Fraction(a + b, n1 + n2)
    gap = Fraction(b, n2) - Fraction(a, n1)
    assert forward.difference == pytest.approx(float(100 * gap))
    expected = float(gap) / math.sqrt(float(p * (1 - p) * (Fraction(1, n1) + Fraction(1, n2))))
    assert forward.z == pytest.approx(expected, rel=1e-9, abs=1e-12)


# ---------------------------------------------------------------------------------------------
# Pooling


def test_pooling_adds_counts_never_averages_percentages():
    pdus = [(30, 100), (18, 20), (18, 20)]
    region = pool(pdus)
    assert region == Pooled(sufficient=66, applicable=140)
    assert round(region.percentage, 1) == 47.1
    assert region.rating(SCHEME_2018) is I
    mean_of_percentages = sum(100 * s / n for s, n in pdus) / len(pdus)
    assert mean_of_percentages == pytest.approx(70)
    assert rating_for(mean_of_percentages, SCHEME_2018) is G  # the wrong answer, avoided
    assert region.interval == wilson_interval(66, 140)


def test_pooling_nothing_has_no_figure():
    nothing = pool([])
    assert nothing == Pooled(0, 0)
    assert nothing.percentage is None
    assert nothing.rating(SCHEME_2018) is None
    assert nothing.interval is None


def test_pooling_keeps_a_provider_without_applicable_cases():
    assert pool([(0, 0), (3, 4)]) == Pooled(3, 4)


@pytest.mark.parametrize(
    "pairs, message",
    [
        ([(3, 4), (5, 4)], "Figure 2 to pool: 5 sufficient of 4 applicable is impossible"),
        ([(-1, 4)], "Figure 1 to pool: -1 sufficient of 4 applicable is impossible"),
    ],
)
def test_pooling_refuses_impossible_counts_naming_the_figure(pairs, message):
    with pytest.raises(ValueError, match=message):
        pool(pairs)


@given(st.lists(counts, max_size=12))
def test_pooled_figure_is_total_over_total(pairs):
    pooled = pool(pairs)
    assert pooled.sufficient == sum(s for s, _ in pairs)
    assert pooled.applicable == sum(n for _, n in pairs)
    assert pool(reversed(pairs)) == pooled
    if pairs:
        percentages = [100 * s / n for s, n in pairs]
        assert min(percentages) - 1e-9 <= pooled.percentage <= max(percentages) + 1e-9


# ---------------------------------------------------------------------------------------------
# Funnel plots


@pytest.mark.parametrize(
    "applicable, limits_95, limits_998",
    [(40, (34.5, 65.5), (25.6, 74.4)), (100, (40.2, 59.8), (34.5, 65.5))],
)
def test_funnel_limits_worked_examples(applicable, limits_95, limits_998):
    limits = funnel_limits(50, applicable)
    assert (round(limits.lower_95, 1), round(limits.upper_95, 1)) == limits_95
    assert (round(limits.lower_998, 1), round(limits.upper_998, 1)) == limits_998
    assert (limits.overall, limits.applicable) == (50, applicable)


def test_funnel_limits_use_the_exact_normal_quantiles():
    limits = funnel_limits(50, 10_000)
    assert limits.upper_95 - 50 == pytest.approx(1.959963984540054 * 0.5, rel=1e-12)
    assert limits.upper_998 - 50 == pytest.approx(3.090232306167813 * 0.5, rel=1e-12)


def test_funnel_limits_are_clipped_to_0_and_100_percent():
    low = funnel_limits(2, 10)
    assert low.lower_95 == 0 and low.lower_998 == 0
    assert low.upper_95 == pytest.approx(2 + 1.959963984540054 * math.sqrt(2 * 98 / 10))
    high = funnel_limits(98, 10)
    assert high.upper_95 == 100 and high.upper_998 == 100
    assert high.lower_95 == pytest.approx(98 - 1.959963984540054 * math.sqrt(2 * 98 / 10))


@pytest.mark.parametrize("overall", [0, 100])
def test_funnel_limits_collapse_on_an_overall_figure_of_none_or_all(overall):
    limits = funnel_limits(overall, 25)
    assert limits.lower_95 == limits.upper_95 == limits.lower_998 == limits.upper_998 == overall


def test_funnel_limits_undefined_without_cases():
    assert funnel_limits(50, 0) is None
    assert funnel_point(0, 0, 50) is None


@pytest.mark.parametrize("overall", [-0.5, 100.5, 101])
def test_funnel_limits_refuse_an_impossible_overall_figure(overall):
    with pytest.raises(ValueError, match="between 0% and 100%"):
        funnel_limits(overall, 40)


def test_funnel_limits_refuse_a_negative_number_of_cases():
    with pytest.raises(ValueError, match="cannot be negative"):
        funnel_limits(50, -1)


@pytest.mark.parametrize(
    "sufficient, position",
    [
        (20, FunnelPosition.INSIDE),  # 50%
        (26, FunnelPosition.INSIDE),  # 65%, just inside 65.5%
        (27, FunnelPosition.ABOVE_95),  # 67.5%
        (29, FunnelPosition.ABOVE_95),  # 72.5%
        (30, FunnelPosition.ABOVE_998),  # 75%
        (14, FunnelPosition.INSIDE),  # 35%, just inside 34.5%
        (13, FunnelPosition.BELOW_95),  # 32.5%
        (11, FunnelPosition.BELOW_95),  # 27.5%
        (10, FunnelPosition.BELOW_998),  # 25%
    ],
)
def test_a_provider_outside_the_limits_is_flagged_and_one_inside_is_not(sufficient, position):
    point = funnel_point(sufficient, 40, 50)
    assert point.position is position
    assert point.position.outside is (position is not FunnelPosition.INSIDE)
    assert point.percentage == 100 * sufficient / 40
    assert point.limits == funnel_limits(50, 40)
    assert (point.sufficient, point.applicable) == (sufficient, 40)


def test_a_figure_exactly_on_a_limit_is_inside_it():
    limits = FunnelLimits(50, 40, lower_95=40, upper_95=60, lower_998=30, upper_998=70)
    assert limits.position(60) is FunnelPosition.INSIDE
    assert limits.position(40) is FunnelPosition.INSIDE
    assert limits.position(70) is FunnelPosition.ABOVE_95
    assert limits.position(30) is FunnelPosition.BELOW_95
    assert limits.position(70.001) is FunnelPosition.ABOVE_998
    assert limits.position(29.999) is FunnelPosition.BELOW_998


def test_funnel_positions_are_labelled():
    assert [p.label for p in FunnelPosition] == [
        "Within the limits",
        "Above the 95% limit",
        "Below the 95% limit",
        "Above the 99.8% limit",
        "Below the 99.8% limit",
    ]


def test_funnel_point_refuses_impossible_counts():
    with pytest.raises(ValueError):
        funnel_point(41, 40, 50)


overall_figures = st.floats(min_value=0, max_value=100, allow_nan=False)


@given(overall_figures, st.integers(min_value=1, max_value=5000), st.integers(1, 5000))
def test_funnel_limits_contain_the_overall_figure_and_narrow_as_cases_grow(overall, n, more):
    small, large = funnel_limits(overall, n), funnel_limits(overall, n + more)
    for limits in (small, large):
        assert 0 <= limits.lower_998 <= limits.lower_95 <= overall
        assert overall <= limits.upper_95 <= limits.upper_998 <= 100
    assert large.lower_95 >= small.lower_95 and large.upper_95 <= small.upper_95
    assert large.lower_998 >= small.lower_998 and large.upper_998 <= small.upper_998
    assert funnel_limits(overall, n).position(overall) is FunnelPosition.INSIDE


# ---------------------------------------------------------------------------------------------
# Results are values


@pytest.mark.parametrize(
    "result, field",
    [
        (band_confidence(40, 50, SCHEME_2018), "rating"),
        (band_confidence(40, 50, SCHEME_2018).bands[0], "probability"),
        (change(20, 50, 35, 50), "significant"),
        (pool([(30, 100)]), "sufficient"),
        (funnel_limits(50, 40), "upper_95"),
        (funnel_point(30, 40, 50), "position"),
    ],
)
def test_results_cannot_be_changed_once_worked_out(result, field):
    """A page or export cannot alter a figure that another part of the report also shows."""
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(result, field, None)
    assert hash(result) == hash(dataclasses.replace(result))
