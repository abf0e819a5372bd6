"""Explained ratings: the standard's band from each of its key questions, and every overall band
boundary, in sentences."""

from decimal import Decimal

import pytest

from audit.reports.explain import (
    band_limits,
    explanations,
    overall_explanation,
    standard_explanation,
)
from audit.reports.rollup_results import KeyQuestionResult, ProviderRollup, StandardResult
from standards.models import RatedBy
from standards.rating import PercentageBand, Rating, RatingScheme, ScoreBand, overall, rating_for

O, G, RI, I = Rating.OUTSTANDING, Rating.GOOD, Rating.REQUIRES_IMPROVEMENT, Rating.INADEQUATE
SCHEME = RatingScheme(
    percentage_bands=tuple(
        PercentageBand(r, Decimal(b)) for r, b in zip((O, G, RI, I), (80, 65, 50, 0))
    ),
    score_bands=(ScoreBand(I, 0, 1), ScoreBand(RI, 2, 3), ScoreBand(G, 4, 5), ScoreBand(O, 6, 6)),
    standards_count=2,
)


def kq(code, sufficient, applicable):
    percentage = 100 * sufficient / applicable if applicable else None
    return KeyQuestionResult(
        code=code,
        standard_code=code.rsplit(".", 1)[0],
        wording=f"Question {code}?",
        lens="",
        sufficient=sufficient,
        applicable=applicable,
        not_applicable=0,
        percentage=percentage,
        ci_low=None,
        ci_high=None,
        rating=rating_for(percentage, SCHEME),
    )


def standard(code, kqs, *, entered=None, rated_by=RatedBy.CASE_DATA, rationale=""):
    from standards.rating import standard_rating

    return StandardResult(
        code=code,
        title=f"Standard {code}",
        rated_by=rated_by,
        key_question_codes=tuple(k.code for k in kqs),
        data_rating=standard_rating([k.percentage for k in kqs], SCHEME)
        if rated_by == RatedBy.CASE_DATA
        else None,
        entered_rating=entered,
        rationale=rationale,
    )


def test_band_limits_in_words():
    assert band_limits(O, SCHEME) == "80% or more"
    assert band_limits(G, SCHEME) == "65% up to but not including 80%"
    assert band_limits(I, SCHEME) == "below 50%"


@pytest.mark.parametrize("weakest", [0, 1, 2])
def test_the_key_question_that_sets_the_band_is_named_with_its_figure(weakest):
    counts = [(45, 50), (40, 50), (35, 50)]  # 90% O, 80% O, 70% G
    counts[weakest] = (26, 50)  # 52%: Requires improvement
    kqs = [kq(f"1.1.{i + 1}", *c) for i, c in enumerate(counts)]
    sentence = standard_explanation(standard("1.1", kqs), kqs, SCHEME)
    assert sentence.startswith(
        f"Standard 1.1 is Requires improvement because a standard takes the band of its weakest "
        f"key question: 1.1.{weakest + 1} was 52% (26 of 50 cases), in the Requires improvement "
        "band (50% up to but not including 65%)."
    )
    for other in {0, 1, 2} - {weakest}:
        assert f"1.1.{other + 1} " in sentence.split("Its other key questions:")[1]


def test_several_key_questions_in_the_weakest_band_are_all_named():
    kqs = [kq("1.1.1", 30, 50), kq("1.1.2", 28, 50), kq("1.1.3", 45, 50)]
    sentence = standard_explanation(standard("1.1", kqs), kqs, SCHEME)
    assert "1.1.2 was 56% (28 of 50 cases)" in sentence
    assert "Also in that band: 1.1.1 (60%)." in sentence
    assert "Its other key questions: 1.1.3 90% Outstanding." in sentence


def test_override_and_judgement_and_no_data_are_explained():
    kqs = [kq("1.1.1", 10, 50)]
    overridden = standard("1.1", kqs, entered=RI, rationale="Fieldwork showed recovery")
    sentence = standard_explanation(overridden, kqs, SCHEME)
    assert sentence.startswith(
        "Standard 1.1 is Requires improvement: the lead inspector overrode the data-driven rating "
        "(Inadequate). The reason given: Fieldwork showed recovery. Without the override: "
        "Standard 1.1 is Inadequate because a standard takes the band of its weakest key "
        "question: 1.1.1 was 20% (10 of 50 cases), in the Inadequate band (below 50%)."
    )
    judged = standard("3.1", [], entered=G, rated_by=RatedBy.JUDGEMENT, rationale="Strong leaders")
    assert standard_explanation(judged, [], SCHEME) == (
        "Standard 3.1 is Good, rated by the lead inspector's judgement: Strong leaders."
    )
    empty = [kq("1.2.1", 0, 0)]
    assert "none of its key questions had an applicable case" in standard_explanation(
        standard("1.2", empty), empty, SCHEME
    )


def provider(ratings):
    standards = tuple(
        standard(f"{i + 1}.1", [], entered=r, rated_by=RatedBy.JUDGEMENT)
        for i, r in enumerate(ratings)
    )
    return ProviderRollup(
        provider_id=1,
        code="P1",
        name="P",
        reviews=10,
        key_questions=(),
        standards=standards,
        focus_measures=(),
        overall=overall([s.rating for s in standards], SCHEME),
    )


BANDS = (
    "0 to 1 points Inadequate; 2 to 3 points Requires improvement; 4 to 5 points Good; "
    "6 to 6 points Outstanding"
)


@pytest.mark.parametrize(
    "ratings, score, band",
    [
        ((I, I), 0, I),
        ((I, RI), 1, I),  # Inadequate / Requires improvement boundary: 1 | 2
        ((RI, RI), 2, RI),
        ((RI, G), 3, RI),  # Requires improvement / Good: 3 | 4
        ((G, G), 4, G),
        ((G, O), 5, G),  # Good / Outstanding: 5 | 6
        ((O, O), 6, O),
    ],
)
def test_every_overall_band_boundary_is_explained(ratings, score, band):
    sentence = overall_explanation(provider(ratings), SCHEME)
    assert sentence.startswith(
        f"The overall rating is {band.label}: the 2 standards score {score} points out of 6, "
        f"which is in the {band.label} band."
    )
    assert f"Points per standard: 1.1 {ratings[0].label} {ratings[0].points}, " in sentence
    assert sentence.endswith(f"This framework version's bands: {BANDS}.")


def test_a_partial_score_gives_no_overall_rating_and_says_why():
    sentence = overall_explanation(provider((G, None)), SCHEME)
    assert sentence.startswith(
        "Only 1 of 2 standards are rated, so the total of 2 points (out of 3) gives no "
        "overall rating."
    )
    subjects = [s for s, _ in explanations(provider((G, None)), SCHEME)]
    assert subjects == ["Overall", "1.1", "2.1"]
