"""The shared generator of synthetic cases: reproducible, realistic, and consistent with the
framework's fact rules and applicability, so the demo, the national data set and the factories
all produce reviews an assessor could have submitted."""

import datetime
import random
from collections import Counter

import pytest

from audit.scoring.rules import ReviewState, review_facts
from audit.scoring.selectors import case_standards
from audit.synthetic import cases as synthetic
from tests.factories import CaseReviewFactory, SampledCaseFactory, SyntheticCaseFactory

START = datetime.date(2026, 1, 1)


def draw(seed, n):
    rng = random.Random(seed)
    return [synthetic.case_values(rng, first_start=START, spread_days=150) for _ in range(n)]


def test_the_same_seed_gives_the_same_cases_and_shares_are_realistic():
    assert draw(7, 50) == draw(7, 50)
    assert draw(7, 50) != draw(8, 50)
    cases = [dict(zip(synthetic.CASE_COLUMNS, values)) for values in draw(1, 4000)]
    rosh = Counter(c["rosh_level"] for c in cases)
    assert rosh["medium"] > rosh["low"] > rosh["high"] > rosh["very_high"] > 0
    assert 0.08 < sum(c["gender"] == "female" for c in cases) / len(cases) < 0.16
    assert all(START <= c["start_date"] < START + datetime.timedelta(days=150) for c in cases)
    # MAPPA only with a category; high-risk cases far more often than others.
    assert all((c["mappa_level"] is None) == (c["mappa_category"] is None) for c in cases)
    high = [c for c in cases if c["rosh_level"] in ("high", "very_high")]
    assert sum(c["mappa_category"] is not None for c in high) / len(high) > 0.3


def test_judgements_follow_applicability_and_quality():
    class Q:  # a key question as `plan` reads it
        def __init__(self, pk, lens, allows_na=False):
            self.pk, self.lens, self.allows_not_applicable = pk, lens, allows_na
            self.standard = type("S", (), {"code": "2.1"})()

        def applies_to(self, facts):
            return facts.get("applies", True) or self.pk != 3

    questions = [Q(1, "engaging"), Q(2, "keeping_safe"), Q(3, "desistance", allows_na=True)]
    prompts = {1: [], 2: [], 3: []}
    rng = random.Random(3)
    plan = synthetic.plan({"applies": False}, questions, prompts)
    assert synthetic.judge(rng, 0.9, plan[2])[1] == synthetic.NA

    def share(quality, step):
        values = [synthetic.judge(rng, quality, step)[1] for _ in range(2000)]
        return values.count(synthetic.SUFFICIENT) / len(values)

    assert share(0.8, plan[0]) > share(0.8, plan[1]) > share(0.5, plan[1])
    value, rationale = next(
        (v, r)
        for v, r in (synthetic.judge(rng, 0.3, plan[1])[1:] for _ in range(100))
        if v == synthetic.NOT_SUFFICIENT
    )
    assert rationale in synthetic.RATIONALES["keeping_safe"]


@pytest.mark.django_db
def test_factory_cases_and_facts_pass_the_fact_rules_and_match_applicability(hmip_2021):
    standards = case_standards(hmip_2021)
    for seed in range(60):
        case = SyntheticCaseFactory()
        facts, applicability = synthetic.review_facts(random.Random(seed), 0.7, case)
        review = CaseReviewFactory(sampled_case=SampledCaseFactory(case=case), **facts)
        state = ReviewState(review, standards, {}, {})
        assert state.fact_problems() == [], (case.crn, state.fact_problems())
        # The applicability the generator plans with is what the rules derive.
        derived = review_facts(review)
        assert {k: v for k, v in applicability.items() if v is not None} == {
            k: derived[k] for k, v in applicability.items() if v is not None
        }
    assert len(set(type(case).objects.values_list("rosh_level", flat=True))) > 2


@pytest.mark.django_db
def test_the_review_factory_records_generated_facts():
    review = CaseReviewFactory(sampled_case__case=SyntheticCaseFactory(), with_facts=True)
    assert review.rosh_screening_completed in ("yes", "no")
    assert review.home_visit_needed in ("yes", "no")
