"""The roll-up engine against inspections whose figures are worked out by hand."""

import datetime

import pytest
from django.db.models import Q

from audit.counts.contribution import record_case_change, record_contribution_change
from audit.models import ReviewStatus
from audit.reports.breakdowns import DIMENSIONS_BY_KEY, breakdowns
from audit.reports.rollup import RollupUnavailable, rollup, rollup_inspections
from audit.reports.rollup_export import rollup_csv_rows, rollup_to_dict
from audit.reports.rollup_results import whole_percent
from standards.models import PromptValue
from standards.rating import Rating
from tests.audit.rollup_data import (
    NA,
    N,
    S,
    add_review,
    inspection_of,
    provider,
    rate,
    small_framework,
)
from tests.factories import FrameworkFactory, InspectionFactory, PromptAnswerFactory

O, G, RI, I = Rating.OUTSTANDING, Rating.GOOD, Rating.REQUIRES_IMPROVEMENT, Rating.INADEQUATE


@pytest.fixture
def scenario(db):
    """North: complete and rated. South: partial, with an override. East: no reviews."""
    framework, standards, kqs = small_framework()
    north = provider(code="NORTH", name="North PDU")
    south = provider(code="SOUTH", name="South PDU")
    east = provider(code="EAST", name="East PDU")
    inspection = inspection_of(framework, north, south, east)
    k1, k2, k3 = kqs["2.1.1"], kqs["2.1.2"], kqs["2.2.1"]

    # North, five submitted reviews:
    #   2.1.1  S S S S N   -> 4 of 5 = 80%  Outstanding (exactly on the boundary)
    #   2.1.2  S S S N NA  -> 3 of 4 = 75%  Good (not applicable left out)
    #   2.2.1  S N N S S   -> the second N resolved to S by moderation -> 4 of 5 = 80% Outstanding
    rows = [(S, S, S), (S, S, N), (S, S, N), (S, N, S), (N, NA, S)]
    for index, (a, b, c) in enumerate(rows):
        add_review(
            inspection, north, {k1: a, k2: b, k3: c}, resolutions={k3: S} if index == 1 else None
        )
    # Reviews that do not count: in progress, returned, not started; all not sufficient.
    for status in (ReviewStatus.IN_PROGRESS, ReviewStatus.RETURNED, ReviewStatus.NOT_STARTED):
        add_review(inspection, north, {k1: N, k2: N, k3: N}, status=status)
    # A moderated review counts too: it is in the South figures below.
    rate(inspection, north, standards["1.1"], Rating.GOOD)

    # South, twenty reviews (one of them moderated):
    #   2.1.1  13 S, 7 N   -> 13 of 20 = 65%  Good (exactly on the boundary)
    #   2.1.2  10 S, 10 N  -> 10 of 20 = 50%  Requires improvement (exactly on the boundary)
    #   2.2.1  all NA      -> no percentage, 2.2 not rated
    for i in range(20):
        add_review(
            inspection,
            south,
            {k1: S if i < 13 else N, k2: S if i < 10 else N, k3: NA},
            status=ReviewStatus.MODERATED if i == 0 else ReviewStatus.SUBMITTED,
        )
    rate(
        inspection,
        south,
        standards["2.1"],
        Rating.GOOD,
        rationale="Assessment quality improved after the sample window closed.",
    )

    # The same provider in another inspection must not leak in.
    other = inspection_of(framework, north)
    add_review(other, north, {k1: N, k2: N, k3: N})
    return inspection, standards, kqs


def test_key_question_percentages_by_hand(scenario):
    inspection, _, _ = scenario
    result = rollup(inspection)
    north = result.provider("NORTH")
    assert north.reviews == 5
    k1, k2, k3 = (north.key_question(c) for c in ("2.1.1", "2.1.2", "2.2.1"))
    assert (k1.sufficient, k1.applicable, k1.percentage, k1.rating) == (4, 5, 80.0, O)
    assert (k2.sufficient, k2.applicable, k2.not_applicable) == (3, 4, 1)
    assert k2.percentage == 75.0 and k2.rating is G
    # The resolution replaced the original "not sufficient".
    assert (k3.sufficient, k3.applicable, k3.rating) == (4, 5, O)

    south = result.provider("SOUTH")
    assert south.reviews == 20
    assert south.key_question("2.1.1").percentage == 65.0
    assert south.key_question("2.1.1").rating is G
    assert south.key_question("2.1.2").percentage == 50.0
    assert south.key_question("2.1.2").rating is RI
    nothing = south.key_question("2.2.1")
    assert (nothing.applicable, nothing.not_applicable, nothing.percentage, nothing.rating) == (
        0,
        20,
        None,
        None,
    )
    assert nothing.ci_low is None and nothing.ci_high is None


def test_wilson_interval_beside_every_percentage(scenario):
    inspection, _, _ = scenario
    k1 = rollup(inspection).provider("NORTH").key_question("2.1.1")
    # 4 of 5: p = 0.8, z = 1.96 -> 37.6% to 96.4%.
    assert k1.ci_low == pytest.approx(37.55, abs=0.01)
    assert k1.ci_high == pytest.approx(96.38, abs=0.01)


def test_standard_ratings_overrides_and_overall(scenario):
    inspection, _, _ = scenario
    result = rollup(inspection)

    north = result.provider("NORTH")
    leadership, assessment, planning = north.standards
    assert [s.code for s in north.standards] == ["1.1", "2.1", "2.2"]
    # 2.1 takes its weakest key question: min(Outstanding, Good) = Good.
    assert assessment.data_rating is G and assessment.rating is G and not assessment.is_overridden
    assert planning.rating is O
    assert leadership.is_judgement_rated and leadership.rating is G
    assert leadership.rationale == "Evidence from fieldwork."
    # 2 + 2 + 3 = 7 of 9 -> Good (5-7), complete.
    assert north.overall.score == 7
    assert north.overall.max_score == 9
    assert not north.overall.is_partial
    assert north.overall.rating is G
    assert north.overall_note == ""

    south = result.provider("SOUTH")
    assessment = south.standard("2.1")
    # Data says Requires improvement (weakest is 50%); the lead's override says Good.
    assert assessment.data_rating is RI
    assert assessment.override is G and assessment.is_overridden
    assert assessment.rating is G
    assert "improved" in assessment.rationale
    assert south.standard("2.2").rating is None  # no applicable cases
    assert south.standard("1.1").rating is None  # not entered
    # Only 2.1 is rated: 2 points out of 3, partial, no overall rating invented.
    assert (south.overall.score, south.overall.max_score, south.overall.standards_rated) == (
        2,
        3,
        1,
    )
    assert south.overall.is_partial and south.overall.rating is None
    assert "Partial: 1 of 3 standards rated" in south.overall_note


def test_provider_with_no_reviews_is_not_rated(scenario):
    inspection, _, _ = scenario
    east = rollup(inspection).provider("EAST")
    assert east.reviews == 0
    assert all(kq.applicable == 0 and kq.percentage is None for kq in east.key_questions)
    assert all(s.rating is None for s in east.standards)
    assert east.overall.score == 0 and east.overall.rating is None
    assert east.overall_note.startswith("Not rated")


def test_whole_inspection_sums_the_providers(scenario):
    inspection, _, _ = scenario
    whole = rollup(inspection).whole
    assert whole.is_whole_inspection and whole.reviews == 25
    # 2.1.1: 4 + 13 = 17 of 25 = 68% Good; 2.1.2: 3 + 10 = 13 of 24 = 54.17% RI;
    # 2.2.1: 4 of 5 = 80% Outstanding.
    k1, k2, k3 = whole.key_questions
    assert (k1.sufficient, k1.applicable, k1.rating) == (17, 25, G)
    assert (k2.sufficient, k2.applicable, k2.rating) == (13, 24, RI)
    assert k2.percentage == pytest.approx(54.1667, abs=1e-4) and k2.percent_display == 54
    assert (k3.sufficient, k3.applicable, k3.rating) == (4, 5, O)
    # Lead entries are per provider, so across three providers only case standards are rated:
    # 2.1 RI (1) + 2.2 O (3) = 4 of 6, partial.
    assert [s.rating for s in whole.standards] == [None, RI, O]
    assert (whole.overall.score, whole.overall.max_score, whole.overall.is_partial) == (4, 6, True)


def test_scoped_rollup_leaves_out_other_providers(scenario):
    inspection, _, _ = scenario
    north_id = rollup(inspection).provider("NORTH").provider_id
    result = rollup(inspection, provider_ids={north_id})
    assert [p.code for p in result.providers] == ["NORTH"]
    assert result.is_partial_scope
    assert result.whole.reviews == 5
    # With one provider in view, the whole equals that provider, lead entries included.
    assert result.whole.overall.score == 7


def test_constant_queries_for_one_or_many_inspections(scenario, django_assert_num_queries):
    inspection, _, _ = scenario
    # 12, and one more for the change number, the key of a kept roll-up (rollup_cache).
    with django_assert_num_queries(13) as one:
        rollup(inspection)
    framework, _, kqs = small_framework()
    more = []
    for _ in range(4):
        p = provider()
        extra = inspection_of(framework, p)
        add_review(extra, p, {kqs["2.1.1"]: S})
        more.append(extra)
    with django_assert_num_queries(len(one.captured_queries)):
        results = rollup_inspections([inspection, *more])
    assert len(results) == 5


def test_hmip_2018_full_overall_score(hmip_2018):
    """Ten standards: four case standards all Outstanding (12) + six judged Good (12) = 24 Good."""
    p = provider(code="PDU-X")
    inspection = inspection_of(hmip_2018, p)
    kqs = [kq for s in hmip_2018.standards.all() for kq in s.key_questions.all()]
    assert len(kqs) == 12
    for _ in range(5):
        add_review(inspection, p, {kq: S for kq in kqs})
    for standard in hmip_2018.standards.filter(rated_by="judgement"):
        rate(inspection, p, standard, Rating.GOOD)
    result = rollup(inspection).provider("PDU-X")
    assert [s.rating for s in result.standards if not s.is_judgement_rated] == [O] * 4
    assert result.overall.score == 24 and result.overall.max_score == 30
    assert result.overall.rating is G and not result.overall.is_partial


def test_hmip_2018_weak_keeping_safe_makes_every_case_standard_inadequate(hmip_2018):
    """Engaging and desistance all sufficient, keeping-safe mostly not: all four Inadequate.

    With the six judged standards at Requires improvement (6) and case standards 0, the overall is
    6 -> Requires improvement: no limiting rule at overall level.
    """
    p = provider(code="PDU-Y")
    inspection = inspection_of(hmip_2018, p)
    kqs = [kq for s in hmip_2018.standards.all() for kq in s.key_questions.all()]
    for i in range(10):
        add_review(
            inspection, p, {kq: (S if kq.lens != "keeping_safe" or i < 4 else N) for kq in kqs}
        )
    for standard in hmip_2018.standards.filter(rated_by="judgement"):
        rate(inspection, p, standard, Rating.REQUIRES_IMPROVEMENT)
    result = rollup(inspection).provider("PDU-Y")
    assert result.key_question("2.1.1").percentage == 100.0
    assert result.key_question("2.1.3").percentage == 40.0
    assert [s.data_rating for s in result.standards if not s.is_judgement_rated] == [I] * 4
    assert (result.overall.score, result.overall.rating) == (6, RI)


def test_focus_measures_from_case_facts_and_prompts(hmip_2018):
    p = provider(code="PDU-F")
    inspection = inspection_of(hmip_2018, p)
    kq = hmip_2018.standards.get(code="2.1").key_questions.get(code="2.1.3")
    prompt = kq.prompts.get(code="2.1.3.a")
    facts = [
        # rosh done, DA needed/made, child needed/made, home needed/made
        dict(
            rosh_screening_completed="yes",
            domestic_abuse_enquiries_needed="yes",
            domestic_abuse_enquiries_made="yes",
            home_visit_needed="yes",
            home_visit_made="no",
        ),
        dict(
            rosh_screening_completed="yes",
            domestic_abuse_enquiries_needed="yes",
            domestic_abuse_enquiries_made="no",
            child_safeguarding_enquiries_needed="yes",
            child_safeguarding_enquiries_made="yes",
        ),
        dict(
            rosh_screening_completed="no",
            domestic_abuse_enquiries_needed="yes",
            domestic_abuse_enquiries_made="yes",
            home_visit_needed="yes",
            home_visit_made="yes",
        ),
        dict(
            rosh_screening_completed="yes",
            domestic_abuse_enquiries_needed="no",
            domestic_abuse_enquiries_made="na",
            home_visit_needed="no",
        ),
    ]
    answers = [PromptValue.YES, PromptValue.NO, PromptValue.YES, PromptValue.NOT_APPLICABLE]
    for fact, answer in zip(facts, answers):
        review = add_review(inspection, p, {kq: S}, **fact)
        PromptAnswerFactory(review=review, prompt=prompt, value=answer)
    # Not counted: a review in progress with every fact positive.
    review = add_review(
        inspection,
        p,
        {kq: S},
        status=ReviewStatus.IN_PROGRESS,
        rosh_screening_completed="yes",
        domestic_abuse_enquiries_needed="yes",
        domestic_abuse_enquiries_made="yes",
    )
    PromptAnswerFactory(review=review, prompt=prompt, value=PromptValue.YES)

    measures = {m.code: m for m in rollup(inspection).provider("PDU-F").focus_measures}
    assert measures["rosh_screening_completed"].text == "3 of 4 (75%)"
    assert measures["domestic_abuse_enquiries_made"].text == "2 of 3 (67%)"
    assert measures["child_safeguarding_enquiries_made"].text == "1 of 1 (100%)"
    assert measures["home_visits_made"].text == "1 of 2 (50%)"
    assert measures["rosh_screening_sufficient"].text == "2 of 3 (67%)"
    assert measures["management_oversight_sufficient"].text == "no cases"


def test_prompt_measures_left_out_when_the_framework_has_no_such_prompt(scenario):
    inspection, _, _ = scenario
    codes = {m.code for m in rollup(inspection).whole.focus_measures}
    assert "rosh_screening_completed" in codes
    assert "rosh_screening_sufficient" not in codes


def test_breakdowns_flag_small_cells(scenario):
    inspection, _, kqs = scenario
    result = rollup(inspection)
    south = result.provider("SOUTH")
    # Give South's cases RoSH levels after the fact: 16 medium, 4 high.
    from cases.models import Case

    south_cases = Case.objects.filter(sampled_in__provider_id=south.provider_id).order_by("crn")
    Case.objects.filter(id__in=[c.id for c in south_cases[16:]]).update(rosh_level="high")
    record_case_change(case_ids=[c.id for c in south_cases])
    [by_rosh, by_provider] = breakdowns(
        inspection,
        key_questions=result.whole.key_questions,
        dimensions=[DIMENSIONS_BY_KEY["rosh_level"], DIMENSIONS_BY_KEY["provider"]],
    )
    assert by_rosh.columns == (("medium", "Medium"), ("high", "High"))
    k1 = by_rosh.rows[0]
    assert k1.code == "2.1.1"
    medium, high = k1.cells
    # Medium: North 4 of 5 + South's first 16 (13 S, 3 N) = 17 of 21.
    assert (medium.sufficient, medium.applicable, medium.percent_display) == (17, 21, 81)
    assert medium.text == "81% (17 of 21)"
    # High: 0 of 4 -> flagged, no percentage.
    assert high.is_small and high.percentage is None and high.text == "fewer than 5 cases"
    # East has no counted reviews, so no column.
    assert by_provider.columns == (("NORTH", "North PDU"), ("SOUTH", "South PDU"))
    north_cell = by_provider.rows[2].cells[0]  # 2.2.1 for North: 4 of 5
    assert north_cell.text == "80% (4 of 5)"


def test_breakdown_filters_narrow_the_cases(scenario):
    inspection, _, _ = scenario
    result = rollup(inspection)
    [by_provider] = breakdowns(
        inspection,
        key_questions=result.whole.key_questions,
        dimensions=[DIMENSIONS_BY_KEY["provider"]],
        filters=Q(review__sampled_case__provider__code="SOUTH"),
    )
    assert by_provider.columns == (("SOUTH", "South PDU"),)
    assert by_provider.rows[0].cells[0].text == "65% (13 of 20)"


def test_rollup_of_a_framework_without_bands_says_why(db):
    framework = FrameworkFactory()
    inspection = InspectionFactory(framework=framework)
    with pytest.raises(RollupUnavailable, match="no usable rating scheme"):
        rollup(inspection)


def test_json_and_csv_structures(scenario):
    inspection, _, _ = scenario
    result = rollup(inspection)
    data = rollup_to_dict(result)
    assert data["inspection"]["id"] == inspection.id
    north = next(p for p in data["providers"] if p["code"] == "NORTH")
    assert north["key_questions"][0] == {
        "code": "2.1.1",
        "standard": "2.1",
        "sufficient": 4,
        "applicable": 5,
        "not_applicable": 0,
        "percentage": 80.0,
        "ci_low": pytest.approx(37.55, abs=0.01),
        "ci_high": pytest.approx(96.38, abs=0.01),
        "rating": "outstanding",
    }
    assert north["overall"] == {
        "score": 7,
        "max_score": 9,
        "standards_rated": 3,
        "standards_in_scheme": 3,
        "partial": False,
        "rating": "good",
    }
    south = next(p for p in data["providers"] if p["code"] == "SOUTH")
    assessment = next(s for s in south["standards"] if s["code"] == "2.1")
    assert (assessment["data_rating"], assessment["override"], assessment["rating"]) == (
        "requires_improvement",
        "good",
        "good",
    )
    assert data["whole_inspection"]["code"] is None

    rows = list(rollup_csv_rows(result))
    overall_rows = [r for r in rows if r["record"] == "overall"]
    assert len(overall_rows) == 4  # three providers and the whole inspection
    assert {"provider_code": "NORTH", "record": "standard", "code": "2.1"}.items() <= next(
        r for r in rows if r["provider_code"] == "NORTH" and r["code"] == "2.1"
    ).items()


def test_resolutions_to_and_from_not_applicable(scenario):
    """A resolution can move a case in or out of a key question's denominator."""
    from audit.models import Judgement, Resolution

    inspection, _, _ = scenario
    north = Judgement.objects.filter(
        review__sampled_case__provider__code="NORTH", review__status="submitted"
    )
    # North 2.1.2 was S S S N NA (3 of 4). Resolve the N to NA and the NA to S: 4 of 4.
    for judgement in north.filter(key_question__code="2.1.2", value__in=[N, NA]):
        Resolution.objects.create(
            judgement=judgement, value=NA if judgement.value == N else S, note="Resolved."
        )
        record_contribution_change(review_ids=[judgement.review_id])
    k2 = rollup(inspection).provider("NORTH").key_question("2.1.2")
    assert (k2.sufficient, k2.applicable, k2.not_applicable) == (4, 4, 1)
    assert k2.rating is O


@pytest.mark.parametrize("value, shown", [(66.5, 67), (54.1666, 54), (79.6, 80), (None, None)])
def test_whole_percentages_round_half_up(value, shown):
    assert whole_percent(value) == shown


def test_inspection_period_in_json(scenario):
    inspection, _, _ = scenario
    data = rollup_to_dict(rollup(inspection))
    assert data["inspection"]["period_end"] == datetime.date(2026, 6, 30).isoformat()


def test_rollup_without_focus_measures(scenario, django_assert_num_queries):
    inspection, _, _ = scenario
    with django_assert_num_queries(12):
        result = rollup_inspections([inspection], focus_measures=False)[inspection.id]
    north = result.provider("NORTH")
    assert north.focus_measures == () and north.reviews == 5
    assert north.overall.score == 7
