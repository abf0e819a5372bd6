"""Band checks name the band at fault and say why, so the admin can put each message at its band."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from standards.rating import (
    PercentageBand,
    Rating,
    ScoreBand,
    percentage_band_problems,
    score_band_problems,
)

O, G, RI, I = Rating.OUTSTANDING, Rating.GOOD, Rating.REQUIRES_IMPROVEMENT, Rating.INADEQUATE


def percent(o, g, ri, i=0):
    return [PercentageBand(r, Decimal(b)) for r, b in ((O, o), (G, g), (RI, ri), (I, i))]


def scores(*ranges):
    return [ScoreBand(r, low, high) for r, (low, high) in zip((I, RI, G, O), ranges)]


def test_good_above_outstanding_is_named():
    problems = percentage_band_problems(percent(80, 85, 50))
    assert [(p.rating, p.message) for p in problems] == [
        (
            O,
            "Outstanding starts at 80%, which is not above Good at 85%: each better rating must "
            "need a higher percentage than the one below it.",
        )
    ]


def test_percentage_problems_name_each_band():
    problems = percentage_band_problems(percent(80, "65.5", 50, 5))
    assert [(p.rating, p.message) for p in problems] == [
        (
            I,
            "Inadequate starts at 5%: the Inadequate band must start at 0%, so that every "
            "percentage has a rating.",
        )
    ]
    problems = percentage_band_problems(percent(120, 65, 50))
    assert [(p.rating, p.message) for p in problems] == [
        (O, "Outstanding starts at 120%: percentage bands must lie between 0% and 100%.")
    ]
    problems = percentage_band_problems(percent(80, 65, 50)[:3])
    assert [(p.rating, p.message) for p in problems] == [
        (I, "Give a percentage band for Inadequate.")
    ]


def test_score_problems_name_each_band():
    assert score_band_problems(scores((0, 5), (6, 15), (16, 25), (26, 30)), 30) == []
    problems = score_band_problems(scores((0, 5), (7, 15), (16, 25), (26, 29)), 30)
    assert [(p.rating, p.message) for p in problems] == [
        (
            RI,
            "Inadequate ends at 5 and Requires improvement starts at 7: score bands must rise "
            "from Inadequate to Outstanding and meet without gap or overlap, so Requires "
            "improvement should start at 6.",
        ),
        (
            O,
            "Outstanding ends at 29: the Outstanding band must end at the maximum score, 30 (3 "
            "points for each standard).",
        ),
    ]
    problems = score_band_problems(scores((0, 5), (6, 15), (20, 16), (26, 30)), 30)
    assert [(p.rating, p.message) for p in problems] == [
        (G, "Good runs from 20 to 16: a score band's lowest score must not exceed its highest.")
    ]
    problems = score_band_problems(scores((1, 5), (6, 15), (16, 25), (26, 30)), 30)
    assert [(p.rating, p.bound) for p in problems] == [(I, "min")]


def test_each_problem_names_the_bound_to_mark():
    """The admin's form puts each message at the field of the bound at fault."""
    assert [p.bound for p in percentage_band_problems(percent(80, 85, 50))] == ["lower"]
    problems = score_band_problems(scores((0, 5), (7, 15), (16, 25), (26, 29)), 30)
    assert [(p.rating, p.bound) for p in problems] == [(RI, "min"), (O, "max")]
    problems = score_band_problems(scores((0, 5), (6, 15), (20, 16), (26, 30)), 30)
    assert [(p.rating, p.bound) for p in problems] == [(G, "max")]


bounds = st.lists(st.integers(min_value=1, max_value=100), min_size=3, max_size=3, unique=True)


@given(bounds)
def test_rising_percentages_have_no_problem_and_any_swap_is_named(values):
    ri, g, o = sorted(values)
    assert percentage_band_problems(percent(o, g, ri)) == []
    problems = percentage_band_problems(percent(g, o, ri))  # Good and Outstanding swapped
    assert [p.rating for p in problems] == [O]
    assert f"Outstanding starts at {g}%" in problems[0].message


@given(st.integers(min_value=1, max_value=12), st.data())
def test_contiguous_score_bands_have_no_problem(standards, data):
    top = standards * 3
    cuts = sorted(
        data.draw(
            st.lists(st.integers(min_value=1, max_value=top), min_size=3, max_size=3, unique=True)
        )
    )
    ranges = [(0, cuts[0] - 1), (cuts[0], cuts[1] - 1), (cuts[1], cuts[2] - 1), (cuts[2], top)]
    assert score_band_problems(scores(*ranges), top) == []
    shifted = [*ranges[:3], (ranges[3][0] + 1, top)] if ranges[3][0] < top else None
    if shifted:
        problems = score_band_problems(scores(*shifted), top)
        assert [p.rating for p in problems] == [O]
