"""The rating rules, at every boundary of the default bands and as properties."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from standards.rating import (
    InvalidBands,
    PercentageBand,
    Rating,
    RatingScheme,
    ScoreBand,
    overall,
    rating_for,
    standard_rating,
    sufficiency,
    wilson_interval,
)

O, G, RI, I = Rating.OUTSTANDING, Rating.GOOD, Rating.REQUIRES_IMPROVEMENT, Rating.INADEQUATE


def scheme(bounds=(80, 65, 50, 0), score=((0, 5), (6, 15), (16, 25), (26, 30)), standards=10):
    return RatingScheme(
        percentage_bands=tuple(
            PercentageBand(r, Decimal(str(b))) for r, b in zip((O, G, RI, I), bounds)
        ),
        score_bands=tuple(ScoreBand(r, lo, hi) for r, (lo, hi) in zip((I, RI, G, O), score)),
        standards_count=standards,
    )


SCHEME_2018 = scheme()
SCHEME_2021 = scheme(score=((0, 4), (5, 13), (14, 22), (23, 27)), standards=9)


@pytest.mark.parametrize(
    "percentage, expected",
    [
        (100, O),
        (80.0, O),
        (80, O),
        (79.99, G),
        (79.999999, G),
        (65.0, G),
        (65, G),
        (64.99, RI),
        (50.0, RI),
        (50, RI),
        (49.99, I),
        (0, I),
        (0.0, I),
    ],
)
def test_percentage_bands_inclusive_at_lower_bound(percentage, expected):
    assert rating_for(percentage, SCHEME_2018) is expected


def test_no_percentage_has_no_rating():
    assert rating_for(None, SCHEME_2018) is None


def test_moving_a_threshold_changes_the_rating():
    assert rating_for(79, SCHEME_2018) is G
    assert rating_for(79, scheme(bounds=(75, 65, 50, 0))) is O
    assert rating_for(64, scheme(bounds=(80, 60, 50, 0))) is G


def test_sufficiency_excludes_nothing_applicable():
    assert sufficiency(33, 50) == pytest.approx(66.0)
    assert sufficiency(0, 0) is None
    with pytest.raises(ValueError):
        sufficiency(5, 4)


def test_exact_thresholds_from_counts_are_not_lost_to_floating_point():
    # 4 of 5 is exactly 80%, 13 of 20 exactly 65%, 1 of 2 exactly 50%.
    assert rating_for(sufficiency(4, 5), SCHEME_2018) is O
    assert rating_for(sufficiency(13, 20), SCHEME_2018) is G
    assert rating_for(sufficiency(1, 2), SCHEME_2018) is RI
    # 7 of 15 is 46.67%.
    assert rating_for(sufficiency(7, 15), SCHEME_2018) is I


@pytest.mark.parametrize(
    "sufficient, n, low, high",
    [(33, 50, 52.2, 77.6), (40, 50, 67.0, 88.8), (0, 12, 0.0, 24.3), (12, 12, 75.8, 100.0)],
)
def test_wilson_interval_matches_worked_examples(sufficient, n, low, high):
    """The domain notes give one decimal; 0 of 12 and 12 of 12 sit on a rounding edge
    (24.249 and 75.751), so the check allows the half-unit of the published figure."""
    ci_low, ci_high = wilson_interval(sufficient, n)
    assert ci_low == pytest.approx(low, abs=0.051)
    assert ci_high == pytest.approx(high, abs=0.051)


def test_wilson_interval_closed_forms_at_the_extremes():
    z2 = 1.959963984540054**2
    assert wilson_interval(0, 12)[1] == pytest.approx(100 * z2 / (12 + z2))
    assert wilson_interval(12, 12)[0] == pytest.approx(100 * 12 / (12 + z2))
    assert wilson_interval(0, 12)[0] == 0
    assert wilson_interval(12, 12)[1] == 100


def test_wilson_interval_undefined_without_cases():
    assert wilson_interval(0, 0) is None


def test_standard_is_limited_by_weakest_key_question():
    # The domain notes' example: 72%, 81%, 44% -> Inadequate.
    assert standard_rating([72, 81, 44], SCHEME_2018) is I
    assert standard_rating([81, 90, 80], SCHEME_2018) is O
    assert standard_rating([81, 79.99, 95], SCHEME_2018) is G


def test_standard_rated_on_key_questions_with_data():
    assert standard_rating([None, 70, 85], SCHEME_2018) is G
    assert standard_rating([None, None, None], SCHEME_2018) is None
    assert standard_rating([], SCHEME_2018) is None


def test_points():
    assert [r.points for r in (O, G, RI, I)] == [3, 2, 1, 0]


def test_overall_2018_published_outcome_fifteen_points_requires_improvement():
    result = overall([G] * 5 + [RI] * 5, SCHEME_2018)
    assert result.score == 15
    assert result.max_score == 30
    assert result.rating is RI
    assert not result.is_partial


@pytest.mark.parametrize(
    "ratings, score, expected",
    [
        ([I] * 10, 0, I),
        ([RI] * 5 + [I] * 5, 5, I),
        ([RI] * 6 + [I] * 4, 6, RI),
        ([G] * 6 + [RI] * 4, 16, G),
        ([O] * 5 + [G] * 5, 25, G),
        ([O] * 6 + [G] * 4, 26, O),
        ([O] * 10, 30, O),
    ],
)
def test_overall_2018_score_band_edges(ratings, score, expected):
    result = overall(ratings, SCHEME_2018)
    assert result.score == score
    assert result.rating is expected


@pytest.mark.parametrize("score", [0, 2, 3])
def test_overall_2021_low_scores_are_inadequate(score):
    ratings = [RI] * score + [I] * (9 - score)
    assert overall(ratings, SCHEME_2021).rating is I


def test_no_limiting_rule_at_overall_level():
    # All four case standards Inadequate, but the other six score: Requires improvement.
    result = overall([I] * 4 + [G] * 3 + [RI] * 3, SCHEME_2018)
    assert result.score == 9
    assert result.rating is RI


def test_partial_report_scores_present_standards_and_invents_no_rating():
    result = overall([G, G, RI, None], SCHEME_2018)
    assert result.score == 5
    assert result.max_score == 9
    assert result.standards_rated == 3
    assert result.is_partial
    assert result.rating is None


def test_invalid_bands_are_refused_with_reasons():
    with pytest.raises(InvalidBands, match="higher percentage"):
        scheme(bounds=(60, 65, 50, 0))
    with pytest.raises(InvalidBands, match="start at 0"):
        scheme(bounds=(80, 65, 50, 10))
    with pytest.raises(InvalidBands, match="gap or overlap"):
        scheme(score=((0, 5), (7, 15), (16, 25), (26, 30)))
    with pytest.raises(InvalidBands, match="maximum score, 30"):
        scheme(score=((0, 5), (6, 15), (16, 25), (26, 29)))


percentages = st.floats(min_value=0, max_value=100, allow_nan=False)
band_bounds = (
    st.lists(st.integers(min_value=1, max_value=100), min_size=3, max_size=3, unique=True)
    .map(sorted)
    .map(lambda b: (b[2], b[1], b[0], 0))
)


@given(percentages, percentages, band_bounds)
def test_higher_percentage_never_gives_lower_rating(a, b, bounds):
    s = scheme(bounds=bounds)
    low, high = sorted((a, b))
    assert rating_for(high, s).points >= rating_for(low, s).points


@given(st.lists(st.one_of(st.none(), percentages), min_size=1, max_size=6), band_bounds)
def test_standard_rating_never_exceeds_weakest_key_question(values, bounds):
    s = scheme(bounds=bounds)
    result = standard_rating(values, s)
    rated = [rating_for(v, s) for v in values if v is not None]
    if not rated:
        assert result is None
    else:
        assert result.points == min(r.points for r in rated)
        assert all(result.points <= r.points for r in rated)


@given(st.lists(st.sampled_from(list(Rating)), min_size=10, max_size=10))
def test_overall_rating_monotonic_in_score(ratings):
    result = overall(ratings, SCHEME_2018)
    assert result.score == sum(r.points for r in ratings)
    improved = [Rating.from_points(min(3, r.points + 1)) for r in ratings]
    assert overall(improved, SCHEME_2018).rating.points >= result.rating.points


@given(st.integers(min_value=0, max_value=500), st.integers(min_value=0, max_value=500))
def test_wilson_interval_contains_the_point_estimate(x, n):
    if x > n:
        x, n = n, x
    if n == 0:
        assert wilson_interval(x, n) is None
        return
    low, high = wilson_interval(x, n)
    estimate = 100 * x / n
    assert 0 <= low <= estimate + 1e-9
    assert estimate - 1e-9 <= high <= 100
