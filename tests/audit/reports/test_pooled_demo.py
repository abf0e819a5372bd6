"""On the demo data: the North East, audited PDU by PDU, has figures equal to the sum of its PDU
inspections' counts, counted again from the judgements themselves."""

import pytest
from django.db.models import Count, Q

from audit.models import Inspection
from audit.reports.pooled import area_rollup
from audit.reports.rollup import counted_judgements, effective_value
from cases.models import Provider

pytestmark = pytest.mark.django_db


def test_regional_figures_equal_the_sum_of_the_pdu_inspections_counts(hmip_2018, hmip_2021):
    from audit.synthetic import demo, demo_rounds

    pdus = demo.load_providers()
    demo.load_users(pdus)
    demo_rounds.load_published_rounds(demo.demo_framework())
    region = Provider.objects.get(code=demo_rounds.NORTH_EAST[0])
    codes = [code for code, _ in demo_rounds.NORTH_EAST_PDUS]
    used = list(Inspection.objects.filter(providers__code__in=codes).order_by("period_end"))
    assert len(used) == 3  # one inspection of each PDU

    pooled = area_rollup(region, inspections=Inspection.objects.all(), provider_ids=None)

    assert [i.id for i in pooled.inspections] == [i.id for i in used]
    expected = (
        counted_judgements()
        .filter(review__sampled_case__inspection__in=used)
        .annotate(effective=effective_value())
        .values("key_question__code")
        .annotate(
            sufficient=Count("id", filter=Q(effective="sufficient")),
            applicable=Count("id", filter=Q(effective__in=["sufficient", "not_sufficient"])),
        )
    )
    assert len(expected) == len(pooled.result.key_questions)
    for row in expected:
        kq = pooled.result.key_question(row["key_question__code"])
        assert (kq.sufficient, kq.applicable) == (row["sufficient"], row["applicable"])
    assert pooled.result.reviews == sum(
        i.sampled_cases.filter(review__status__in=["submitted", "moderated"]).count() for i in used
    )
