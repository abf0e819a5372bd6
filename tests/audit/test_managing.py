"""Seeing versus managing: a user who may see an inspection's reports may still not change it.

Changes to an inspection, its reviews, its moderation and its standard ratings follow one rule
(`audit.selectors.manageable_inspections`); reading follows the visibility rules.
"""
import pytest
from django.urls import reverse

from audit.models import StandardJudgement
from audit.roles import Role
from cases.models import Provider
from standards.rating import Rating

from .test_rollup import scenario  # noqa: F401 - the shared hand-built inspection

pytestmark = pytest.mark.django_db


@pytest.fixture
def led_elsewhere(scenario, make_user):  # noqa: F811 - the fixture above
    """The roll-up scenario's inspection of North, South and East PDUs, led by a lead of all
    three, and a lead whose only provider is North."""
    inspection, standards, _ = scenario
    providers = list(Provider.objects.filter(code__in=["NORTH", "SOUTH", "EAST"]))
    inspection.lead = make_user(Role.LEAD, providers=providers, first_name="Robin",
                                last_name="Runs-it")
    inspection.save(update_fields=["lead"])
    north_lead = make_user(Role.LEAD, providers=[Provider.objects.get(code="NORTH")])
    return inspection, standards, north_lead


def _rating_url(inspection, code, standard):
    return reverse("reports:standard_rating_edit", args=[inspection.pk, code, standard])


def _north_overall(client, inspection):
    data = client.get(reverse("reports:inspection_json", args=[inspection.pk])).json()
    return next(p for p in data["providers"] if p["code"] == "NORTH")["overall"]


def test_a_lead_of_one_pdu_cannot_rate_standards_of_an_inspection_they_do_not_manage(
    client, led_elsewhere
):
    """A lead whose only provider is one PDU gets 404 for the inspection (led by someone else)
    and must not be able to enter, override or withdraw its standard ratings for that PDU."""
    inspection, standards, north_lead = led_elsewhere
    client.force_login(north_lead)
    assert client.get(reverse("audit:inspection_detail", args=[inspection.pk])).status_code == 404
    # They may read the report of their own PDU...
    assert client.get(reverse("reports:inspection", args=[inspection.pk])).status_code == 200
    before = _north_overall(client, inspection)
    ratings = list(StandardJudgement.objects.order_by("pk").values_list(
        "pk", "provider__code", "standard__code", "rating", "rationale"))

    # ...but an override of a case-data standard is refused and nothing is written.
    response = client.post(_rating_url(inspection, "NORTH", "2.1"),
                           {"rating": Rating.INADEQUATE.value, "rationale": "Overridden."})
    assert response.status_code == 403
    assert "Only the inspection’s lead (Robin Runs-it)" in response.content.decode()
    assert not StandardJudgement.objects.filter(standard=standards["2.1"],
                                                provider__code="NORTH").exists()
    # Withdrawing the lead's rating of 1.1 for North is refused too.
    response = client.post(_rating_url(inspection, "NORTH", "1.1"), {"action": "withdraw"})
    assert response.status_code == 403
    assert list(StandardJudgement.objects.order_by("pk").values_list(
        "pk", "provider__code", "standard__code", "rating", "rationale")) == ratings
    assert _north_overall(client, inspection) == before
    # The rating pages themselves are the lead's: refused, not shown.
    for url in (_rating_url(inspection, "NORTH", "2.1"),
                reverse("reports:standard_ratings", args=[inspection.pk, "NORTH"])):
        assert client.get(url).status_code == 403, url


def test_the_inspections_lead_still_rates_and_withdraws(client, led_elsewhere):
    inspection, standards, _ = led_elsewhere
    client.force_login(inspection.lead)
    response = client.post(_rating_url(inspection, "NORTH", "2.1"),
                           {"rating": Rating.INADEQUATE.value, "rationale": "Overridden."})
    assert response.status_code == 302
    assert StandardJudgement.objects.get(standard=standards["2.1"],
                                         provider__code="NORTH").rating == "inadequate"
    assert client.post(_rating_url(inspection, "NORTH", "2.1"),
                       {"action": "withdraw"}).status_code == 302
    assert not StandardJudgement.objects.filter(standard=standards["2.1"],
                                                provider__code="NORTH").exists()
