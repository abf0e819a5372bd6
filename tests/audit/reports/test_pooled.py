"""Figures of an area pooled across the inspections of the providers beneath it."""

import datetime

import pytest
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext

from audit.models import Inspection
from audit.reports.pooled import MixedFrameworks, area_rollup
from audit.reports.rollup import counted_judgements, effective_value
from cases.models import ProviderType
from standards.rating import Rating
from tests.audit.reports.pooled_data import region_of_pdus
from tests.audit.rollup_data import inspection_of, judged, provider, publish, small_framework

pytestmark = pytest.mark.django_db


@pytest.fixture
def north():
    framework, standards, kqs = small_framework()
    region, pdus = region_of_pdus(framework, kqs)
    return framework, kqs, region, pdus


def pooled(area, **kwargs):
    return area_rollup(area, inspections=Inspection.objects.all(), provider_ids=None, **kwargs)


def test_region_pools_counts_never_averages_percentages(north):
    framework, kqs, region, pdus = north
    result = pooled(region)
    kq = result.result.key_question("2.1.1")
    assert (kq.sufficient, kq.applicable) == (66, 140)
    assert round(kq.percentage, 1) == 47.1
    assert kq.rating is Rating.INADEQUATE  # the mean of 30%, 90% and 90% would say Good
    assert result.result.standard("2.1").data_rating is Rating.INADEQUATE
    assert result.result.reviews == 140
    assert [i.title for i in result.inspections] == [
        "PDU A inspection",
        "PDU B inspection",
        "PDU C inspection",
    ]
    assert result.framework == framework


def test_regional_figures_equal_the_judgements_counted_another_way(north):
    """Counted from the judgements themselves, not from the maintained counts."""
    framework, kqs, region, pdus = north
    expected = (
        counted_judgements()
        .annotate(effective=effective_value())
        .values("key_question__code")
        .annotate(
            sufficient=Count("id", filter=Q(effective="sufficient")),
            applicable=Count("id", filter=Q(effective__in=["sufficient", "not_sufficient"])),
            not_applicable=Count("id", filter=Q(effective="na")),
        )
    )
    result = pooled(region).result
    for row in expected:
        kq = result.key_question(row["key_question__code"])
        assert (kq.sufficient, kq.applicable, kq.not_applicable) == (
            row["sufficient"],
            row["applicable"],
            row["not_applicable"],
        )


def test_only_the_latest_inspection_of_each_provider_unless_every_one_is_asked(north):
    framework, kqs, region, pdus = north
    pdu_a, _ = pdus["PDU-A"]
    again = inspection_of(
        framework, pdu_a, title="PDU A again", period_end=datetime.date(2026, 9, 30)
    )
    judged(again, pdu_a, {kqs["2.1.1"]: (8, 10)}, 10)
    publish(again)
    latest = pooled(region).result.key_question("2.1.1")
    assert (latest.sufficient, latest.applicable) == (8 + 18 + 18, 10 + 20 + 20)
    every = pooled(region, every_inspection=True)
    kq = every.result.key_question("2.1.1")
    assert (kq.sufficient, kq.applicable) == (30 + 8 + 18 + 18, 100 + 10 + 20 + 20)
    assert len(every.inspections) == 4


def test_the_period_chooses_the_inspections(north):
    framework, kqs, region, pdus = north
    result = pooled(region, period_start=datetime.date(2026, 4, 1))
    assert [i.title for i in result.inspections] == ["PDU B inspection", "PDU C inspection"]
    assert result.result.key_question("2.1.1").applicable == 40
    empty = pooled(region, period_end=datetime.date(2025, 12, 31))
    assert empty.result is None and empty.contributions == ()


def test_unpublished_inspections_are_left_out(north):
    framework, kqs, region, pdus = north
    pdu_b, inspection = pdus["PDU-B"]
    Inspection.objects.filter(id=inspection.id).update(status="fieldwork")
    assert pooled(region).result.key_question("2.1.1").applicable == 120


def test_a_provider_compared_with_the_rest_of_its_region(north):
    framework, kqs, region, pdus = north
    pdu_a, _ = pdus["PDU-A"]
    rest = pooled(region, leave_out={pdu_a.id}).result.key_question("2.1.1")
    assert (rest.sufficient, rest.applicable) == (36, 40)


def test_pooling_refused_across_framework_versions(north):
    framework, kqs, region, pdus = north
    other, _, other_kqs = small_framework()
    pdu = provider(code="PDU-D", name="PDU D", type=ProviderType.PDU, parent=region)
    inspection = inspection_of(other, pdu, title="PDU D inspection")
    judged(inspection, pdu, {other_kqs["2.1.1"]: (5, 10)}, 10)
    publish(inspection)
    with pytest.raises(MixedFrameworks) as refused:
        pooled(region)
    assert str(framework) in str(refused.value) and str(other) in str(refused.value)
    assert "different framework versions" in str(refused.value)
    chosen = pooled(region, framework=other).result.key_question("2.1.1")
    assert (chosen.sufficient, chosen.applicable) == (5, 10)


def test_scope_limits_the_providers_pooled(north):
    framework, kqs, region, pdus = north
    pdu_b, _ = pdus["PDU-B"]
    result = area_rollup(
        region, inspections=Inspection.objects.all(), provider_ids={pdu_b.id, region.id}
    )
    assert result.result.key_question("2.1.1").applicable == 20


def test_queries_do_not_grow_with_providers(north, django_assert_max_num_queries):
    framework, kqs, region, pdus = north
    with CaptureQueriesContext(connection) as few:
        pooled(region)
    assert len(few) <= 17  # with the change numbers, the key of a kept roll-up
    for code in ("PDU-E", "PDU-F", "PDU-G"):
        unit = provider(code=code, name=code, type=ProviderType.PDU, parent=region)
        inspection = inspection_of(framework, unit, title=f"{code} inspection")
        judged(inspection, unit, {kqs["2.1.1"]: (3, 4)}, 4)
        publish(inspection)
    with django_assert_max_num_queries(len(few)):
        result = pooled(region)
    assert len(result.inspections) == 6
