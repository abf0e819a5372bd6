"""Folding the striped counts keeps every total, and the counts stay exact through later saves."""

import io
from collections import Counter

import pytest
from django.core.management import call_command

from audit.accounts.roles import Role
from audit.counts.contribution import record_contribution_change
from audit.counts.fold import fold_counts
from audit.counts.rebuild import differences
from audit.models import CaseReview, Judgement, ReviewStatus, RollupCount
from audit.reports.breakdowns import breakdowns
from audit.reports.rollup import rollup
from tests.audit.moderation_support import (
    NA,
    N,
    S,
    inspection_for,
    published_framework,
    submitted_review,
)

pytestmark = pytest.mark.django_db

KEY = ("inspection_id", "provider_id", "kind", "subject", "dimension", "dimension_value", "value")


def totals():
    found = Counter()
    for *key, n in RollupCount.objects.values_list(*KEY, "n"):
        found[tuple(key)] += n
    return +found  # keys at zero left out


def test_folding_keeps_the_totals_and_later_saves_stay_exact(make_user):
    framework = published_framework()
    inspection = inspection_for(framework)
    assessor = make_user(Role.ASSESSOR)
    reviews = [
        submitted_review(inspection, assessor, values)
        for values in ([S, N, NA], [S, S, S], [N, N, S], [NA, S, N], [S, N, N], [S, S, NA])
    ]
    # A review returned: its keys held by no other review fall to zero in their stripe.
    CaseReview.objects.filter(pk=reviews[0].pk).update(status=ReviewStatus.IN_PROGRESS)
    record_contribution_change(review_ids=[reviews[0].pk])
    before_totals, before_rows = totals(), RollupCount.objects.count()
    result = rollup(inspection)
    split = breakdowns(inspection, key_questions=result.whole.key_questions)
    assert RollupCount.objects.values("stripe").distinct().count() > 1

    out = io.StringIO()
    call_command("fold_counts", "--inspection", str(inspection.pk), stdout=out)
    after_rows = RollupCount.objects.count()
    assert f"Folded {before_rows:,} count rows into {after_rows:,}." in out.getvalue()
    assert after_rows == len(before_totals) < before_rows  # one row per key, no zeros
    assert totals() == before_totals
    assert not RollupCount.objects.filter(n=0).exists()
    assert rollup(inspection) == result
    assert breakdowns(inspection, key_questions=result.whole.key_questions) == split
    assert differences([inspection.pk]) == []

    # Saves after the fold start stripes again; the counts stay exact.
    judgement = Judgement.objects.filter(review=reviews[1]).first()
    Judgement.objects.filter(pk=judgement.pk).update(value=N)
    record_contribution_change(review_ids=[reviews[1].pk])
    submitted_review(inspection, assessor, [N, N, N])
    assert differences([inspection.pk]) == []
    assert fold_counts(inspection_ids=[inspection.pk])[1] == len(totals())
    assert differences([inspection.pk]) == []


def test_a_submission_writes_its_keys_in_one_upsert(make_user, django_assert_num_queries):
    """A review starting to count: whether it counts, its lock, its stored contribution, its
    judgements, its answers, one upsert of all its count keys, its contribution: seven queries
    whatever the number of keys, and one count row per key (reviews, key questions, breakdown
    cells). A save of a review that does not count, before or now: one query, nothing written."""
    inspection = inspection_for(published_framework())
    review = submitted_review(
        inspection, make_user(Role.ASSESSOR), [S, N, NA], status=ReviewStatus.IN_PROGRESS
    )
    with django_assert_num_queries(1):
        assert record_contribution_change(review_ids=[review.pk]) == 0
    CaseReview.objects.filter(pk=review.pk).update(status=ReviewStatus.SUBMITTED)
    # Whether it counts, the lock, then the read, the judgements, the answers, the upsert and
    # the contribution.
    with django_assert_num_queries(7):
        keys = record_contribution_change(review_ids=[review.pk])
    # 1 review, 3 key questions, 3 x 5 breakdown cells, the case facts it meets, the working
    # days of each of the 3 timeliness kinds x 5 case characteristics, and one change.
    facts = RollupCount.objects.filter(kind="fact").count()
    assert keys == RollupCount.objects.count() == 1 + 3 + 15 + facts + 3 * 5 + 1
    assert RollupCount.objects.filter(kind="tbd").count() == 15
    assert RollupCount.objects.get(kind="changes").n == 1
