"""Large writes of the counts (a rebuild, a bulk import) go to PostgreSQL with COPY, and give
the same counts as saving each review; a rebuild leaves one stripe per key, as the fold does."""

import pytest
from django.db import connection
from django.db.models import Count, Sum

from audit.counts import contribution
from audit.counts.read import change_numbers
from audit.counts.rebuild import differences, rebuild_counts
from audit.models import CountKind, ReviewContribution, RollupCount
from tests.audit.rollup_data import bulk_reviews, inspection_of, provider, small_framework


@pytest.fixture
def national(db):
    framework, _, kqs = small_framework()
    north, south = provider(code="NORTH"), provider(code="SOUTH")
    inspection = inspection_of(framework, north, south)
    bulk_reviews(inspection, north, list(kqs.values()), 30)
    bulk_reviews(inspection, south, list(kqs.values()), 20)
    return inspection


def totals(inspection):
    rows = (
        RollupCount.objects.filter(inspection=inspection)
        .exclude(kind=CountKind.CHANGES)
        .values_list("kind", "provider", "subject", "dimension", "dimension_value", "value")
        .annotate(total=Sum("n"))
        .order_by()
    )
    return {row[:-1]: row[-1] for row in rows}


@pytest.mark.parametrize("copy_above", [0, 10**9])
def test_a_rebuild_copied_or_batched_gives_the_saves_counts(national, monkeypatch, copy_above):
    monkeypatch.setattr(contribution, "COPY_ABOVE", copy_above)
    saved = totals(national)
    number = change_numbers([national.pk])[national.pk]
    assert rebuild_counts(inspection_ids=[national.pk]) == 50
    assert totals(national) == saved
    assert differences([national.pk]) == []
    assert ReviewContribution.objects.count() == 50
    assert change_numbers([national.pk])[national.pk] > number
    # One stripe per key, as the fold leaves them.
    assert not (
        RollupCount.objects.exclude(kind=CountKind.CHANGES)
        .values("kind", "provider", "subject", "dimension", "dimension_value", "value")
        .annotate(stripes=Count("id"))
        .filter(stripes__gt=1)
        .exists()
    )


def test_copied_keys_add_to_the_keys_held(national, monkeypatch):
    """COPY goes through a scratch table and ON CONFLICT: keys held already are added to."""
    monkeypatch.setattr(contribution, "COPY_ABOVE", 0)
    key = RollupCount.objects.filter(inspection=national, kind=CountKind.REVIEWS).first()
    before = key.n
    contribution.add_to_counts(
        {
            (
                national.pk,
                key.provider_id,
                key.kind,
                key.subject,
                key.dimension,
                key.dimension_value,
                key.value,
                key.stripe,
            ): 2
        }
    )
    key.refresh_from_db()
    assert key.n == before + 2
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('rollup_delta')")
            assert cursor.fetchone()[0] is None  # the scratch table is gone
