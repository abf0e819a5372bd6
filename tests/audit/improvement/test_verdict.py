"""The before-and-after verdict of an action, without the database."""

from hypothesis import given
from hypothesis import strategies as st

from audit.improvement.findings import BeforeAfter, Figure
from standards.statistics import change


def test_the_hand_worked_examples():
    assert BeforeAfter(None, Figure(20, 50), Figure(35, 50)).verdict == (
        "Up 30 points: larger than chance would explain (z = 3.02)"
    )
    assert BeforeAfter(None, Figure(20, 50), Figure(24, 50)).verdict == (
        "Up 8 points: within what chance would explain (z = 0.81)"
    )
    assert BeforeAfter(None, Figure(35, 50), Figure(20, 50)).verdict.startswith("Down 30 points")


def test_no_figure_or_no_cases_cannot_be_compared():
    assert BeforeAfter(None, None, Figure(3, 4)).verdict == "No figure to compare"
    assert BeforeAfter(None, Figure(3, 4), None).verdict == "No figure to compare"
    assert BeforeAfter(None, Figure(0, 0), Figure(3, 4)).verdict.startswith("Cannot tell")
    assert Figure(0, 0).text == "no cases" and Figure(0, 0).interval_text == "–"


@st.composite
def figures(draw):
    n = draw(st.integers(min_value=0, max_value=400))
    return Figure(draw(st.integers(min_value=0, max_value=n)), n)


@given(figures(), figures())
def test_the_verdict_says_what_the_z_test_says(before, after):
    verdict = BeforeAfter(None, before, after).verdict
    result = change(before.numerator, before.denominator, after.numerator, after.denominator)
    if result.cannot_tell:
        assert verdict == result.reason
        return
    assert ("larger than chance" in verdict) == (abs(result.z) >= 1.96)
    if result.difference > 0:
        assert verdict.startswith("Up ")
    elif result.difference < 0:
        assert verdict.startswith("Down ")
    else:
        assert verdict.startswith("No change")
