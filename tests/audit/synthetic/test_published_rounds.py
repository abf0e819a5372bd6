"""The demo's published rounds: the legacy NPS division and CRC, so the national picture
compares kinds of provider, and a region audited PDU by PDU within one year."""

import pytest
from django.urls import reverse

from audit.models import Inspection, InspectionStatus, Judgement, RollupCount, User
from audit.reports.national import NationalPictureReport
from audit.synthetic import demo
from audit.synthetic.demo_rounds import NORTH_EAST, NORTH_EAST_ROUNDS, load_published_rounds
from cases.models import Provider, ProviderType
from cases.selectors import provider_ids_visible_to

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def rounds(hmip_2021):
    pdus = demo.load_providers()
    demo.load_users(pdus)
    return load_published_rounds(hmip_2021)


def test_the_nps_and_crc_have_published_inspections_and_the_gaps_table_shows(rounds, hmip_2021):
    kinds = set(
        Provider.objects.filter(inspections__in=[i.pk for i in rounds]).values_list(
            "type", flat=True
        )
    )
    assert {ProviderType.NPS_DIVISION, ProviderType.CRC, ProviderType.PDU} <= kinds
    manager = User.objects.get(username="manager")
    report = NationalPictureReport(
        framework=hmip_2021,
        inspections=Inspection.objects.all(),
        provider_ids=provider_ids_visible_to(manager),
    )
    gaps = report.gaps_table()
    assert gaps.rows
    comparisons = {row["kinds"] for row in gaps.rows}
    assert "NPS division minus Community Rehabilitation Company" in comparisons
    keeping_safe = [
        row
        for row in gaps.rows
        if row["kinds"] == "NPS division minus Community Rehabilitation Company"
        and row["gap"] is not None
    ]
    assert keeping_safe and max(row["gap"] for row in keeping_safe) > 10


def test_a_region_is_audited_pdu_by_pdu_within_one_year(rounds, hmip_2021):
    region = Provider.objects.get(code=NORTH_EAST[0])
    pdus = list(Provider.objects.filter(parent=region, type=ProviderType.PDU))
    assert len(pdus) >= 3
    inspections = Inspection.objects.filter(title__in=[r.title for r in NORTH_EAST_ROUNDS])
    assert inspections.count() == len(pdus)
    for inspection in inspections:
        assert inspection.status == InspectionStatus.PUBLISHED
        assert inspection.framework == hmip_2021
        assert inspection.providers.count() == 1
        assert RollupCount.objects.filter(inspection=inspection).exists()
        assert Judgement.objects.filter(review__sampled_case__inspection=inspection).exists()
    assert {p.pk for i in inspections for p in i.providers.all()} == {p.pk for p in pdus}
    ends = sorted(inspections.values_list("period_end", flat=True))
    assert (ends[-1] - ends[0]).days < 365
    # The region's people see it.
    assert region.pk in provider_ids_visible_to(User.objects.get(username="manager"))


def test_loading_again_changes_nothing(rounds, hmip_2021):
    counts = (Inspection.objects.count(), Judgement.objects.count())
    assert load_published_rounds(hmip_2021) == rounds
    assert (Inspection.objects.count(), Judgement.objects.count()) == counts


def test_the_managers_national_picture_page_shows_the_gaps(rounds, client):
    client.force_login(User.objects.get(username="manager"))
    response = client.get(reverse("reports:national"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Gaps between kinds of provider" in html
    assert "Only one kind of provider has a published inspection" not in html
    assert "NPS Midlands division" in html and "Staffordshire and West Midlands CRC" in html
