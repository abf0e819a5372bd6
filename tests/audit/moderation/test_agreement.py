"""Agreement statistics: the hand-worked kappa example, the edge cases, and the DB selector."""

from fractions import Fraction

import pytest

from audit.moderation.agreement import (
    MIN_PAIRS_TO_JUDGE,
    PairCounts,
    agreement,
    agreement_table,
)
from tests.audit.moderation_support import (
    NA,
    N,
    S,
    completed_read,
    inspection_for,
    published_framework,
    submitted_review,
)


def test_worked_example_from_the_domain_notes():
    # 40 pairs: both sufficient 20, both not 10, first sufficient / second not 6, reverse 4.
    result = agreement(
        PairCounts(
            both_sufficient=20,
            both_not_sufficient=10,
            first_sufficient_second_not=6,
            first_not_second_sufficient=4,
        )
    )
    assert result.pairs == 40
    assert result.observed == Fraction(3, 4)
    assert result.expected == Fraction(53, 100)  # 0.65 * 0.60 + 0.35 * 0.40
    assert round(float(result.kappa), 3) == 0.468
    assert result.kappa_display == "0.468"
    assert result.percentage_display == "75.0%"
    assert result.weak and result.flag == "weak agreement"


def test_complete_agreement_on_both_judgements_gives_kappa_one():
    result = agreement(PairCounts(both_sufficient=12, both_not_sufficient=3))
    assert result.observed == 1
    assert result.kappa == 1
    assert result.kappa_display == "1.000"
    assert not result.weak


def test_all_agree_on_one_judgement_leaves_kappa_undefined():
    # Both readers said sufficient every time: pe = 1, so kappa is "n/a", not a number.
    result = agreement(PairCounts(both_sufficient=9))
    assert result.observed == 1
    assert result.expected == 1
    assert result.kappa is None
    assert result.kappa_display == "n/a"
    assert not result.weak
    assert result.percentage_display == "100.0%"


def test_agreement_no_better_than_chance_gives_kappa_zero():
    result = agreement(
        PairCounts(
            both_sufficient=25,
            first_sufficient_second_not=25,
            first_not_second_sufficient=25,
            both_not_sufficient=25,
        )
    )
    assert result.observed == Fraction(1, 2)
    assert result.expected == Fraction(1, 2)
    assert result.kappa == 0
    assert result.kappa_display == "0.000"
    assert result.weak


def test_below_the_minimum_pairs_kappa_is_shown_but_not_judged():
    # 19 pairs agreeing no better than chance: kappa is a number, but too few pairs to call weak.
    few = agreement(
        PairCounts(
            both_sufficient=5,
            first_sufficient_second_not=5,
            first_not_second_sufficient=5,
            both_not_sufficient=4,
        )
    )
    assert few.pairs == MIN_PAIRS_TO_JUDGE - 1 == 19
    assert few.kappa_display != "n/a"
    assert few.too_few_pairs and not few.weak
    assert few.flag == "too few pairs to judge"
    enough = agreement(
        PairCounts(
            both_sufficient=5,
            first_sufficient_second_not=5,
            first_not_second_sufficient=5,
            both_not_sufficient=5,
        )
    )
    assert enough.pairs == MIN_PAIRS_TO_JUDGE
    assert not enough.too_few_pairs and enough.weak
    assert enough.flag == "weak agreement"


def test_no_pairs_is_not_too_few_but_nothing():
    result = agreement(PairCounts())
    assert not result.too_few_pairs and not result.weak and result.flag == ""


def test_systematic_disagreement_gives_negative_kappa():
    result = agreement(PairCounts(first_sufficient_second_not=5, first_not_second_sufficient=5))
    assert result.kappa == -1


def test_kappa_at_the_threshold_is_not_weak():
    # po = 0.8, pe = 0.5 -> kappa exactly 0.6, which is not below 0.6.
    result = agreement(
        PairCounts(
            both_sufficient=40,
            both_not_sufficient=40,
            first_sufficient_second_not=10,
            first_not_second_sufficient=10,
        )
    )
    assert result.kappa == Fraction(3, 5)
    assert not result.weak


def test_no_pairs_means_no_statistics():
    result = agreement(PairCounts(applicability_disagreements=2, both_not_applicable=1))
    assert result.pairs == 0
    assert result.kappa is None and result.observed is None
    assert result.kappa_display == "n/a" and result.percentage_display == "n/a"


def test_not_applicable_pairs_are_counted_apart_from_kappa():
    counts = PairCounts(both_sufficient=3, applicability_disagreements=2, both_not_applicable=1)
    assert counts.pairs == 3
    assert (counts + counts).applicability_disagreements == 4


@pytest.mark.django_db
def test_table_from_the_database_per_key_question_assessor_and_overall(
    make_user, django_assert_max_num_queries
):
    framework = published_framework()
    inspection = inspection_for(framework)
    asha = make_user("assessor", first_name="Asha", last_name="Assessor")
    ben = make_user("assessor", first_name="Ben", last_name="Assessor")
    mo = make_user("moderator")
    # Asha: agrees on 2.1.1 twice; 2.1.2 one each way; 2.1.3 an applicability disagreement.
    completed_read(submitted_review(inspection, asha, [S, S, S]), mo, [S, N, NA])
    completed_read(submitted_review(inspection, asha, [N, N, NA]), mo, [N, S, NA])
    # Ben: agrees everywhere.
    completed_read(submitted_review(inspection, ben, [S, S, N]), mo, [S, S, N])
    # Not read again, or read but not completed: not counted.
    submitted_review(inspection, ben, [N, N, N])
    other = inspection_for(framework)
    completed_read(submitted_review(other, asha, [S, S, S]), mo, [N, N, N])

    with django_assert_max_num_queries(1):
        table = agreement_table(inspection)

    by_kq = {row.code: row.agreement for row in table.by_key_question}
    assert list(by_kq) == ["2.1.1", "2.1.2", "2.1.3"]
    assert by_kq["2.1.1"].counts == PairCounts(both_sufficient=2, both_not_sufficient=1)
    assert by_kq["2.1.2"].counts == PairCounts(
        both_sufficient=1, first_sufficient_second_not=1, first_not_second_sufficient=1
    )
    assert by_kq["2.1.3"].counts == PairCounts(
        both_not_sufficient=1, applicability_disagreements=1, both_not_applicable=1
    )
    assert by_kq["2.1.3"].pairs == 1 and by_kq["2.1.3"].kappa is None

    by_person = {row.label: row.agreement for row in table.by_assessor}
    assert list(by_person) == ["Asha Assessor", "Ben Assessor"]
    assert by_person["Asha Assessor"].pairs == 4
    assert by_person["Asha Assessor"].observed == Fraction(2, 4)
    assert by_person["Asha Assessor"].counts.applicability_disagreements == 1
    assert by_person["Ben Assessor"].observed == 1
    assert table.overall.pairs == 7
    assert table.overall.counts.agreeing_pairs == 5
    assert table.overall.counts.applicability_disagreements == 1
