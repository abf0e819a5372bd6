"""Drawing a sample from inside an inspection: its providers and period, refusals at the field
for providers and windows outside it, a warning with the margin of error when the sample is
smaller than suggested, and straight back to the inspection with the sample's cases added."""

import datetime

import pytest
from django.urls import reverse

from audit.accounts.roles import Role
from audit.inspections import services
from audit.models import InspectionStatus, SampledCase
from cases import sampling
from cases.models import Sample
from tests.audit.moderation_support import inspection_for, published_framework
from tests.factories import CaseFactory, ProviderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user):
    pdu = ProviderFactory(code="PDU-S", name="Sampled PDU")
    other = ProviderFactory(code="PDU-O", name="Other PDU")
    lead = make_user(Role.LEAD, providers=[pdu, other])
    inspection = inspection_for(
        published_framework(),
        provider=pdu,
        lead=lead,
        status=InspectionStatus.PLANNING,
        period_start=datetime.date(2026, 6, 1),
        period_end=datetime.date(2026, 11, 30),
    )
    for n in range(120):
        CaseFactory(provider=pdu, crn=f"S{n:06d}", start_date=datetime.date(2026, 7, 1))
    for n in range(30):  # before the period: never eligible
        CaseFactory(provider=pdu, crn=f"E{n:06d}", start_date=datetime.date(2026, 2, 1))
        CaseFactory(provider=other, crn=f"O{n:06d}", start_date=datetime.date(2026, 7, 1))
    return {"pdu": pdu, "other": other, "lead": lead, "inspection": inspection}


def _post(**overrides):
    data = {
        "providers": ["PDU-S"],
        "window_start_0": "1",
        "window_start_1": "6",
        "window_start_2": "2026",
        "window_end_0": "30",
        "window_end_1": "11",
        "window_end_2": "2026",
        "confidence": "95",
        "margin": "5",
        "size": "",
        "seed": "7",
    }
    data.update(overrides)
    return data


def _urls(inspection):
    return (
        reverse("audit:inspection_draw_sample", args=[inspection.pk]),
        reverse("audit:inspection_draw_sample_confirm", args=[inspection.pk]),
    )


def test_the_form_starts_from_the_inspection(world, client):
    client.force_login(world["lead"])
    check, _ = _urls(world["inspection"])
    response = client.get(check)
    form = response.context["form"]
    assert form["providers"].value() == ["PDU-S"]
    assert [code for code, _ in form.fields["providers"].choices] == ["PDU-S"]
    assert form["window_start"].value() == datetime.date(2026, 6, 1)
    assert 'name="window_end_1" value="11"' in response.content.decode()


def test_checking_suggests_a_size_and_writes_nothing(world, client):
    client.force_login(world["lead"])
    check, _ = _urls(world["inspection"])
    response = client.post(check, _post())
    assert response.status_code == 200
    suggested = sampling.sample_size(120, 95, 5)
    assert f'<strong id="suggested-size">{suggested}</strong>' in response.content.decode()
    assert "Eligible caseload: 120 cases" in response.content.decode()
    assert not Sample.objects.exists()


def test_a_provider_outside_the_inspection_is_refused_at_the_field(world, client):
    client.force_login(world["lead"])
    _, draw = _urls(world["inspection"])
    response = client.post(draw, _post(providers=["PDU-O"], size="10"))
    assert response.status_code == 400
    assert "PDU-O is not a provider of this inspection" in response.content.decode()
    assert not Sample.objects.exists()


def test_a_window_outside_the_period_is_refused_at_the_field(world, client):
    client.force_login(world["lead"])
    _, draw = _urls(world["inspection"])
    response = client.post(draw, _post(window_start_1="1", size="10"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "Window start must be within the period inspected, 1 June 2026 to 30 November 2026" in (
        page
    )
    assert 'id="window_start-error"' in page or "govuk-error-message" in page
    assert not Sample.objects.exists()


def test_a_smaller_sample_is_drawn_only_when_the_lead_accepts_its_margin(world, client):
    client.force_login(world["lead"])
    inspection = world["inspection"]
    _, draw = _urls(inspection)
    margin = 100 * sampling.margin_of_error(12, 120, 95)
    response = client.post(draw, _post(size="12"))
    assert response.status_code == 400
    assert f"gives a margin of error of {margin:.1f}% at 95% confidence" in (
        response.content.decode()
    )
    assert not Sample.objects.exists()

    response = client.post(draw, _post(size="12", accept_smaller="on"))
    assert response.status_code == 302
    assert response["Location"] == reverse("audit:inspection_detail", args=[inspection.pk])
    inspection.refresh_from_db()
    assert inspection.sample.requested_size == 12
    assert SampledCase.objects.filter(inspection=inspection).count() == 12
    assert set(
        SampledCase.objects.filter(inspection=inspection).values_list("case_id", flat=True)
    ) == set(inspection.sample.cases.values_list("pk", flat=True))


def test_the_suggested_size_draws_straight_into_the_inspection(world, client):
    client.force_login(world["lead"])
    inspection = world["inspection"]
    _, draw = _urls(inspection)
    suggested = sampling.sample_size(120, 95, 5)
    response = client.post(draw, _post(size=str(suggested)), follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "audit:inspection_detail", args=[inspection.pk]
    )
    assert f"{suggested} cases added to the inspection" in response.content.decode()
    assert SampledCase.objects.filter(inspection=inspection).count() == suggested
    assert not SampledCase.objects.filter(inspection=inspection, case__crn__startswith="E")


def test_the_service_refuses_providers_and_windows_outside(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.draw_sample_into(
            inspection=world["inspection"],
            providers=[world["other"]],
            window_start=datetime.date(2026, 1, 1),
            window_end=datetime.date(2026, 11, 30),
            size=5,
            user=world["lead"],
        )
    assert set(refused.value.error_dict) == {"providers", "window_start"}
    assert not Sample.objects.exists()


def test_samples_outside_the_inspection_are_not_offered(world, client):
    inside = sampling.draw_sample(
        providers=[world["pdu"]],
        window_start=datetime.date(2026, 6, 1),
        window_end=datetime.date(2026, 11, 30),
        size=5,
        seed=1,
    )
    early = sampling.draw_sample(
        providers=[world["pdu"]],
        window_start=datetime.date(2026, 1, 1),
        window_end=datetime.date(2026, 5, 31),
        size=5,
        seed=1,
    )
    wider = sampling.draw_sample(
        providers=[world["pdu"], world["other"]],
        window_start=datetime.date(2026, 6, 1),
        window_end=datetime.date(2026, 11, 30),
        size=5,
        seed=1,
    )
    client.force_login(world["lead"])
    page = client.get(reverse("audit:inspection_add_sample", args=[world["inspection"].pk]))
    offered = {s.pk for s in page.context["samples"]}
    assert inside.pk in offered
    assert early.pk not in offered and wider.pk not in offered
