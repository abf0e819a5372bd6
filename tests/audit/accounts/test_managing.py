"""Seeing versus managing: a user who may see an inspection's reports may still not change it.

Changes to an inspection, its reviews, its moderation and its standard ratings follow one rule
(`audit.accounts.access.manageable_inspections`); reading follows the visibility rules.
"""

import pytest
from django.urls import reverse

from audit.accounts.roles import Role
from audit.models import StandardJudgement
from cases.models import Provider
from standards.rating import Rating
from tests.audit.reports.test_rollup import scenario  # noqa: F401 - the shared hand-built inspection

pytestmark = pytest.mark.django_db


@pytest.fixture
def led_elsewhere(scenario, make_user):  # noqa: F811 - the fixture above
    """The roll-up scenario's inspection of North, South and East PDUs, led by a lead of all
    three, and a lead whose only provider is North."""
    inspection, standards, _ = scenario
    providers = list(Provider.objects.filter(code__in=["NORTH", "SOUTH", "EAST"]))
    inspection.lead = make_user(
        Role.LEAD, providers=providers, first_name="Robin", last_name="Runs-it"
    )
    inspection.save(update_fields=["lead"])
    north_lead = make_user(Role.LEAD, providers=[Provider.objects.get(code="NORTH")])
    return inspection, standards, north_lead


def _rating_url(inspection, code, standard):
    return reverse("reports:standard_rating_edit", args=[inspection.pk, code, standard])


def _north_overall(client, inspection):
    data = client.get(reverse("reports:inspection_json", args=[inspection.pk])).json()
    return next(p for p in data["providers"] if p["code"] == "NORTH")["overall"]


@pytest.mark.slow
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
    ratings = list(
        StandardJudgement.objects.order_by("pk").values_list(
            "pk", "provider__code", "standard__code", "rating", "rationale"
        )
    )

    # ...but an override of a case-data standard is refused and nothing is written.
    response = client.post(
        _rating_url(inspection, "NORTH", "2.1"),
        {"rating": Rating.INADEQUATE.value, "rationale": "Overridden."},
    )
    assert response.status_code == 403
    assert "Only the inspection’s lead (Robin Runs-it)" in response.content.decode()
    assert not StandardJudgement.objects.filter(
        standard=standards["2.1"], provider__code="NORTH"
    ).exists()
    # Withdrawing the lead's rating of 1.1 for North is refused too.
    response = client.post(_rating_url(inspection, "NORTH", "1.1"), {"action": "withdraw"})
    assert response.status_code == 403
    assert (
        list(
            StandardJudgement.objects.order_by("pk").values_list(
                "pk", "provider__code", "standard__code", "rating", "rationale"
            )
        )
        == ratings
    )
    assert _north_overall(client, inspection) == before
    # The rating pages themselves are the lead's: refused, not shown.
    for url in (
        _rating_url(inspection, "NORTH", "2.1"),
        reverse("reports:standard_ratings", args=[inspection.pk, "NORTH"]),
    ):
        assert client.get(url).status_code == 403, url


def test_the_inspections_lead_still_rates_and_withdraws(client, led_elsewhere):
    inspection, standards, _ = led_elsewhere
    client.force_login(inspection.lead)
    response = client.post(
        _rating_url(inspection, "NORTH", "2.1"),
        {"rating": Rating.INADEQUATE.value, "rationale": "Overridden."},
    )
    assert response.status_code == 302
    assert (
        StandardJudgement.objects.get(standard=standards["2.1"], provider__code="NORTH").rating
        == "inadequate"
    )
    assert (
        client.post(_rating_url(inspection, "NORTH", "2.1"), {"action": "withdraw"}).status_code
        == 302
    )
    assert not StandardJudgement.objects.filter(
        standard=standards["2.1"], provider__code="NORTH"
    ).exists()


# The rule itself: every combination of role, place and scope --------------------------------


@pytest.fixture
def two_pdu_inspection(make_user):
    from tests.audit.moderation_support import published_framework
    from tests.factories import InspectionFactory, ProviderFactory

    region = ProviderFactory(type="region", code="REG", name="Region")
    places = {
        "region": [region],
        "pdu one": [ProviderFactory(code="PDU-1", name="One PDU", parent=region)],
        "elsewhere": [ProviderFactory(code="PDU-X", name="Elsewhere PDU")],
        "none": [],
    }
    places["pdu two"] = [ProviderFactory(code="PDU-2", name="Two PDU", parent=region)]
    inspection = InspectionFactory(
        framework=published_framework(), providers=places["pdu one"] + places["pdu two"]
    )
    return inspection, places


def test_only_its_lead_or_a_lead_on_its_team_covering_all_its_providers_may_manage(
    client, make_user, two_pdu_inspection
):
    """Exhaustively: the change pages answer 200 to those who may manage the inspection, 403 to
    those who only see it, 404 to the rest, and the selector agrees."""
    import itertools

    from audit.accounts.access import can_manage_inspection, manageable_inspections

    inspection, places = two_pdu_inspection
    roles = [Role.LEAD, Role.MODERATOR, Role.MANAGER, Role.ASSESSOR]
    edit = reverse("audit:inspection_edit", args=[inspection.pk])
    for role, leads, on_team, place in itertools.product(
        roles, [False, True], [False, True], places
    ):
        user = make_user(role, providers=places[place])
        inspection.lead = user if leads else None
        inspection.save(update_fields=["lead"])
        inspection.team.set([user] if on_team else [])
        manages = role == Role.LEAD and (leads or on_team) and place == "region"
        sees = role != Role.ASSESSOR and (leads or on_team or place == "region")
        case = (role, leads, on_team, place)
        assert can_manage_inspection(user, inspection) is manages, case
        assert manageable_inspections(user).filter(pk=inspection.pk).exists() is manages, case
        client.force_login(user)
        assert client.get(edit).status_code == (200 if manages else 403 if sees else 404), case


def test_a_lead_added_to_the_team_may_manage_and_the_403_says_who_may(
    client, make_user, two_pdu_inspection
):
    """Another lead of the region sees the inspection but may not change it until its lead puts
    them on the team."""
    inspection, places = two_pdu_inspection
    lead = make_user(Role.LEAD, providers=places["region"], first_name="Leigh", last_name="Lead")
    colleague = make_user(
        Role.LEAD, providers=places["region"], first_name="Cal", last_name="Colleague"
    )
    inspection.lead = lead
    inspection.save(update_fields=["lead"])
    edit = reverse("audit:inspection_edit", args=[inspection.pk])

    client.force_login(colleague)
    assert client.get(reverse("audit:inspection_detail", args=[inspection.pk])).status_code == 200
    refused = client.get(edit)
    assert refused.status_code == 403
    page = refused.content.decode()
    assert "You cannot change this inspection" in page
    assert "Only the inspection’s lead (Leigh Lead), or a lead on its team" in page

    client.force_login(lead)
    form = client.get(edit).content.decode()
    assert "Cal Colleague" in form  # leads are offered for the team
    response = client.post(
        edit,
        {
            "title": inspection.title,
            "framework": inspection.framework_id,
            "providers": [p.pk for p in inspection.providers.all()],
            "team": [colleague.pk],
            "period_start_0": "1",
            "period_start_1": "1",
            "period_start_2": "2026",
            "period_end_0": "30",
            "period_end_1": "6",
            "period_end_2": "2026",
        },
    )
    assert response.status_code == 302

    client.force_login(colleague)
    assert client.get(edit).status_code == 200
