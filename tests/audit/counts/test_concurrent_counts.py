"""Assessors saving at once on PostgreSQL: submissions, returns and changed judgements of one
inspection's reviews from many connections, each its own transaction. No deadlock, no error,
and the counts equal the recomputation after."""

import random
import threading

import pytest
from django.db import connection, connections, transaction

from audit.counts.contribution import record_contribution_change
from audit.counts.rebuild import differences
from audit.models import CaseReview, Judgement, Resolution, ReviewStatus
from tests.audit.rollup_data import bulk_reviews, inspection_of, provider, small_framework

pytestmark = pytest.mark.django_db(transaction=True)

WORKERS = 8
ROUNDS = 25


def other(value: str) -> str:
    return "sufficient" if value != "sufficient" else "not_sufficient"


def work(seed: int, review_ids: list[int], start: threading.Barrier, errors: list) -> None:
    rng = random.Random(seed)
    try:
        start.wait()
        for _ in range(ROUNDS):
            # As the services write: a scoring save locks its review's row before its answers
            # change; a moderator's resolution, a transaction of its own, changes without that
            # lock; an import writes several reviews in one order.
            chosen = sorted(rng.sample(review_ids, rng.choice((1, 1, 2, 3))))
            single = len(chosen) == 1  # a resolution is a transaction of its own
            with transaction.atomic():
                for pk in chosen:
                    action = rng.choice(("submit", "return", "judge", "resolve")[: 3 + single])
                    if action == "resolve":
                        resolution = Resolution.objects.filter(judgement__review_id=pk).first()
                        Resolution.objects.filter(pk=resolution.pk).update(
                            value=other(resolution.value)
                        )
                        continue
                    list(CaseReview.objects.filter(pk=pk).select_for_update().values("pk"))
                    if action == "judge":
                        judgement = Judgement.objects.filter(review_id=pk).order_by("?").first()
                        Judgement.objects.filter(pk=judgement.pk).update(
                            value=other(judgement.value)
                        )
                    else:
                        status = (
                            ReviewStatus.SUBMITTED if action == "submit" else ReviewStatus.RETURNED
                        )
                        CaseReview.objects.filter(pk=pk).update(status=status)
                record_contribution_change(review_ids=chosen)
    except Exception as exc:  # noqa: BLE001 - every failure is reported by the test
        errors.append(exc)
    finally:
        connections.close_all()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
def test_many_connections_writing_the_counts_at_once_neither_deadlock_nor_drift():
    framework, _, kqs = small_framework()
    north, south = provider(code="NORTH"), provider(code="SOUTH")
    inspection = inspection_of(framework, north, south)
    bulk_reviews(inspection, north, list(kqs.values()), 12)
    bulk_reviews(inspection, south, list(kqs.values()), 12)
    review_ids = list(
        CaseReview.objects.filter(sampled_case__inspection=inspection).values_list("pk", flat=True)
    )
    # Each review's first judgement already resolved, at its own value: the counts stand.
    Resolution.objects.bulk_create(
        Resolution(judgement=j, value=j.value, note="Agreed.")
        for j in Judgement.objects.filter(review_id__in=review_ids).order_by("review_id", "pk")
        if j.pk == Judgement.objects.filter(review_id=j.review_id).order_by("pk").first().pk
    )
    start, errors = threading.Barrier(WORKERS), []
    threads = [
        threading.Thread(target=work, args=(seed, review_ids, start, errors))
        for seed in range(WORKERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert differences([inspection.pk]) == []
