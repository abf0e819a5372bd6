"""Inspections: creation on a published framework, a framework fixed once scoring starts, samples
that keep each case's provider, bulk assignment, and the lead's pages."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.accounts.roles import Role
from audit.inspections import services as inspection_services
from audit.models import (
    CaseReview,
    FrameworkFixed,
    Inspection,
    InspectionStatus,
    ReviewStatus,
    SampledCase,
)
from audit.scoring import services
from tests.audit.scoring_support import draw_sample, review_of, score_completely, scoring_setup
from tests.factories import CaseFactory, FrameworkFactory, ProviderFactory

pytestmark = pytest.mark.django_db


def new_inspection(framework, provider, lead):
    return inspection_services.create_inspection(
        title="Audit",
        framework=framework,
        providers=[provider],
        lead=lead,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 6, 30),
    )


def test_an_inspection_needs_a_published_framework(make_user):
    draft = FrameworkFactory()
    provider = ProviderFactory()
    with pytest.raises(ValidationError) as refused:
        new_inspection(draft, provider, make_user(Role.LEAD))
    assert "is not published" in str(refused.value.message_dict["framework"])
    assert not Inspection.objects.exists()


def test_framework_is_fixed_once_the_first_review_is_saved(hmip_2018, hmip_2021, make_user):
    setup = scoring_setup(hmip_2018, make_user, cases=1)
    inspection = setup["inspection"]
    details = dict(
        title="Audit",
        providers=[setup["provider"]],
        period_start=inspection.period_start,
        period_end=inspection.period_end,
    )
    # Before scoring starts the lead may still switch version.
    inspection_services.update_inspection(inspection=inspection, framework=hmip_2021, **details)
    inspection_services.update_inspection(inspection=inspection, framework=hmip_2018, **details)
    services.save_review(
        review=review_of(inspection, "X000001"),
        version=0,
        user=setup["assessor"],
        facts={"home_visit_needed": "no"},
    )
    with pytest.raises(ValidationError, match="framework version cannot change"):
        inspection_services.update_inspection(inspection=inspection, framework=hmip_2021, **details)
    inspection.framework = hmip_2021
    with pytest.raises(FrameworkFixed):
        inspection.save()
    assert Inspection.objects.get(pk=inspection.pk).framework == hmip_2018


def test_adding_a_sample_keeps_each_case_provider_and_creates_reviews(hmip_2018, make_user):
    region = ProviderFactory(type="region", code="REG")
    north, south = ProviderFactory(parent=region), ProviderFactory(parent=region)
    lead = make_user(Role.LEAD, providers=[region])
    inspection = new_inspection(hmip_2018, region, lead)
    cases = [CaseFactory(provider=north), CaseFactory(provider=south)]
    sample = draw_sample(cases)
    assert inspection_services.add_sample(inspection=inspection, sample=sample, user=lead) == 2
    assert inspection_services.add_sample(inspection=inspection, sample=sample, user=lead) == 0
    inspection.refresh_from_db()
    assert inspection.sample == sample
    sampled = SampledCase.objects.get(case=cases[0])
    assert sampled.provider == north
    assert (
        CaseReview.objects.filter(
            sampled_case__inspection=inspection, status=ReviewStatus.NOT_STARTED
        ).count()
        == 2
    )
    # A later move of the case does not move the audited result.
    cases[0].provider = south
    cases[0].save()
    assert SampledCase.objects.get(case=cases[0]).provider == north


def test_a_sample_from_other_providers_is_refused(hmip_2018, make_user):
    mine, other = ProviderFactory(), ProviderFactory()
    lead = make_user(Role.LEAD, providers=[mine, other])
    inspection = new_inspection(hmip_2018, mine, lead)
    outside = CaseFactory(provider=other, crn="Z000009")
    with pytest.raises(ValidationError, match="Z000009"):
        inspection_services.add_sample(
            inspection=inspection,
            sample=draw_sample([CaseFactory(provider=mine), outside]),
            user=lead,
        )
    assert not SampledCase.objects.exists()


def test_bulk_assignment_rules(hmip_2018, make_user):
    setup = scoring_setup(hmip_2018, make_user, cases=3)
    inspection, assessor = setup["inspection"], setup["assessor"]
    second = make_user(Role.ASSESSOR, providers=[setup["provider"]])
    not_an_assessor = make_user(Role.MANAGER, providers=[setup["provider"]])
    ids = list(inspection.sampled_cases.order_by("case__crn").values_list("pk", flat=True))
    with pytest.raises(ValidationError, match="not an assessor"):
        inspection_services.assign_cases(
            inspection=inspection, sampled_case_ids=ids, assessor=not_an_assessor
        )
    review = score_completely(review_of(inspection, "X000001"), assessor, hmip_2018)
    services.submit_review(review=review, version=review.version, user=assessor)
    with pytest.raises(ValidationError, match="X000001: submitted reviews keep their assessor"):
        inspection_services.assign_cases(
            inspection=inspection, sampled_case_ids=ids, assessor=second
        )
    assert (
        inspection_services.assign_cases(
            inspection=inspection, sampled_case_ids=ids[1:], assessor=second
        )
        == 2
    )
    assert (
        inspection_services.assign_cases(
            inspection=inspection, sampled_case_ids=ids[2:], assessor=None
        )
        == 1
    )
    assert list(
        inspection.sampled_cases.order_by("case__crn").values_list("assessor", flat=True)
    ) == [assessor.pk, second.pk, None]


def test_lead_creates_an_inspection_with_clear_errors(client, hmip_2018, make_user):
    provider = ProviderFactory(name="Walsall")
    draft = FrameworkFactory(title="Draft framework")
    lead = make_user(Role.LEAD, providers=[provider])
    client.force_login(lead)
    page = client.get(reverse("audit:inspection_create")).content.decode()
    assert "Walsall" in page and hmip_2018.title in page and "Draft framework" not in page
    response = client.post(
        reverse("audit:inspection_create"),
        {
            "title": "",
            "framework": draft.pk,
            "providers": [provider.pk],
            "period_start_0": "1",
            "period_start_1": "7",
            "period_start_2": "2026",
            "period_end_0": "1",
            "period_end_1": "1",
            "period_end_2": "2026",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in html
    assert 'href="#id_title"' in html and "Enter a title for the inspection" in html
    assert 'href="#id_framework_1"' in html
    assert "The end of the period must be on or after its start" in html
    assert not Inspection.objects.exists()
    impossible = client.post(
        reverse("audit:inspection_create"),
        {
            "title": "Audit",
            "period_start_0": "31",
            "period_start_1": "2",
            "period_start_2": "2026",
            "period_end_0": "",
            "period_end_1": "6",
            "period_end_2": "2026",
        },
    ).content.decode()
    assert "Enter a real period start date" in impossible
    assert "Period end date must include a day" in impossible
    assert "out of range" not in impossible and "Enter the day, month and year" not in impossible


def test_sample_page_offers_only_samples_the_lead_can_see(client, hmip_2018, make_user):
    setup = scoring_setup(hmip_2018, make_user, cases=1)
    hidden = draw_sample([CaseFactory(provider=ProviderFactory(name="Elsewhere"))])
    visible = draw_sample([CaseFactory(provider=setup["provider"], crn="X000099")])
    client.force_login(setup["lead"])
    url = reverse("audit:inspection_add_sample", args=[setup["inspection"].pk])
    page = client.get(url).content.decode()
    assert f'value="{visible.pk}"' in page and f'value="{hidden.pk}"' not in page
    assert client.post(url, {"sample": hidden.pk}).status_code == 400
    response = client.post(url, {"sample": visible.pk})
    assert response.status_code == 302
    assert setup["inspection"].sampled_cases.filter(case__crn="X000099").exists()


def test_assignment_page_assigns_and_unassigns_in_bulk(client, hmip_2018, make_user):
    setup = scoring_setup(hmip_2018, make_user, cases=3)
    inspection = setup["inspection"]
    second = make_user(
        Role.ASSESSOR, providers=[setup["provider"]], first_name="Ben", last_name="Second"
    )
    client.force_login(setup["lead"])
    url = reverse("audit:inspection_assign", args=[inspection.pk])
    page = client.get(url).content.decode()
    assert "Ben Second" in page and "Not started" in page and "0 of 5 sections complete" in page
    ids = list(inspection.sampled_cases.order_by("case__crn").values_list("pk", flat=True))
    response = client.post(url, {"cases": ids[:2]})
    assert "Select the assessor to give the cases to" in response.content.decode()
    response = client.post(url, {"assessor": second.pk})
    assert 'href="#id_cases_1"' in response.content.decode()
    response = client.post(url, {"cases": ids[:2], "assessor": second.pk})
    assert response.status_code == 302
    assert SampledCase.objects.filter(assessor=second).count() == 2
    unassign = reverse("audit:inspection_unassign", args=[inspection.pk])
    assert f'formaction="{unassign}"' in page
    response = client.post(unassign, {"assessor": ""})
    assert 'href="#id_cases_1"' in response.content.decode()
    assert f'<form method="post" action="{url}"' in response.content.decode()
    client.post(unassign, {"cases": ids[2:]})
    assert SampledCase.objects.get(pk=ids[2]).assessor is None


def test_detail_shows_progress_and_edit_locks_the_framework(client, hmip_2018, make_user):
    setup = scoring_setup(hmip_2018, make_user, cases=2)
    inspection = setup["inspection"]
    review = score_completely(review_of(inspection, "X000001"), setup["assessor"], hmip_2018)
    services.submit_review(review=review, version=review.version, user=setup["assessor"])
    client.force_login(setup["lead"])
    html = client.get(reverse("audit:inspection_detail", args=[inspection.pk])).content.decode()
    assert "Fixed: scoring has started." in html
    assert "Test PDU (PDU-T)" in html
    edit = client.get(reverse("audit:inspection_edit", args=[inspection.pk])).content.decode()
    assert "Scoring has started, so the framework version can no longer change." in edit
    assert 'name="framework"' not in edit


def test_details_can_change_but_not_the_framework_once_scoring_started(
    client, hmip_2018, hmip_2021, make_user
):
    setup = scoring_setup(hmip_2018, make_user, cases=1)
    inspection = setup["inspection"]
    services.save_review(
        review=review_of(inspection, "X000001"),
        version=0,
        user=setup["assessor"],
        facts={"home_visit_needed": "no"},
    )
    client.force_login(setup["lead"])
    response = client.post(
        reverse("audit:inspection_edit", args=[inspection.pk]),
        {
            "title": "Renamed audit",
            "framework": hmip_2021.pk,
            "providers": [setup["provider"].pk],
            "period_start_0": "1",
            "period_start_1": "1",
            "period_start_2": "2026",
            "period_end_0": "31",
            "period_end_1": "5",
            "period_end_2": "2026",
        },
    )
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.title == "Renamed audit"
    assert inspection.period_end == datetime.date(2026, 5, 31)
    assert inspection.framework == hmip_2018


def test_a_published_inspection_refuses_edits_samples_and_assignment(client, hmip_2018, make_user):
    setup = scoring_setup(hmip_2018, make_user, cases=2)
    inspection = setup["inspection"]
    Inspection.objects.filter(pk=inspection.pk).update(status=InspectionStatus.PUBLISHED)
    ids = list(inspection.sampled_cases.values_list("pk", flat=True))
    client.force_login(setup["lead"])
    detail = reverse("audit:inspection_detail", args=[inspection.pk])
    for name, data in [
        ("inspection_edit", {"title": "Renamed audit"}),
        ("inspection_add_sample", {"sample": "1"}),
        ("inspection_assign", {"cases": ids, "assessor": setup["assessor"].pk}),
        ("inspection_unassign", {"cases": ids}),
    ]:
        response = client.post(reverse(f"audit:{name}", args=[inspection.pk]), data, follow=True)
        assert response.redirect_chain == [(detail, 302)], name
        assert "Test PDU audit is published and cannot be changed." in response.content.decode(), (
            name
        )
    inspection.refresh_from_db()
    assert inspection.title == "Test PDU audit"
    assert SampledCase.objects.filter(pk__in=ids, assessor=setup["assessor"]).count() == 2
