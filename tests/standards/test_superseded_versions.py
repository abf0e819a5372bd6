"""Publishing a version supersedes the one it replaces: that one stays readable, frozen and in use
by its inspections, and is never offered for new ones."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.accounts.roles import Role
from audit.inspections import lifecycle
from audit.inspections import services as inspection_services
from audit.inspections.forms import InspectionForm
from audit.scoring import services as audit_services
from standards.models import DraftChanged, FrameworkFrozen, FrameworkStatus, KeyQuestion
from standards.services import clone_framework, publish_framework, retire_framework, save_part

from ..audit.scoring_support import review_of, score_completely, scoring_setup
from ..factories import ProviderFactory


def test_publishing_a_clone_supersedes_the_version_it_was_made_from(hmip_2018, hmip_2021):
    draft = clone_framework(framework=hmip_2021, version="2021.1")
    assert draft.replaced_version() == hmip_2021
    publish_framework(framework=draft)
    hmip_2021.refresh_from_db()
    hmip_2018.refresh_from_db()
    assert draft.status == FrameworkStatus.PUBLISHED
    assert hmip_2021.status == FrameworkStatus.SUPERSEDED
    assert hmip_2021.superseded_by == draft
    assert hmip_2018.status == FrameworkStatus.PUBLISHED  # another programme, same code
    kq = KeyQuestion.objects.get(standard__framework=hmip_2021, code="2.1.3")
    kq.wording = "Changed"
    with pytest.raises(FrameworkFrozen):
        kq.save()


def test_a_second_draft_from_the_same_version_replaces_the_version_now_in_its_place(hmip_2021):
    first = clone_framework(framework=hmip_2021, version="2021.1")
    second = clone_framework(framework=hmip_2021, version="2021.2")
    publish_framework(framework=first)
    assert second.replaced_version() == first
    publish_framework(framework=second)
    first.refresh_from_db()
    assert first.status == FrameworkStatus.SUPERSEDED
    assert first.superseded_by == second


def test_a_stale_publication_is_refused(hmip_2021):
    draft = clone_framework(framework=hmip_2021, version="2021.1")
    loaded = draft.revision
    kq = KeyQuestion.objects.get(standard__framework=draft, code="2.1.3")
    kq.wording = "Changed by someone else"
    save_part(framework=draft, revision=loaded, part=kq)
    with pytest.raises(DraftChanged):
        publish_framework(framework=draft, revision=loaded)
    draft.refresh_from_db()
    hmip_2021.refresh_from_db()
    assert draft.status == FrameworkStatus.DRAFT
    assert hmip_2021.status == FrameworkStatus.PUBLISHED


def test_a_superseded_version_can_be_retired(hmip_2021):
    publish_framework(framework=clone_framework(framework=hmip_2021, version="2021.1"))
    hmip_2021.refresh_from_db()
    retire_framework(framework=hmip_2021)
    assert hmip_2021.status == FrameworkStatus.RETIRED


def _form_choices(form):
    return [str(f) for f in form.fields["framework"].queryset]


def test_new_inspections_are_offered_the_new_version_not_the_superseded_one(
    hmip_2018, hmip_2021, make_user
):
    lead = make_user(Role.LEAD)
    new = publish_framework(framework=clone_framework(framework=hmip_2021, version="2021.1"))
    hmip_2021.refresh_from_db()
    assert _form_choices(InspectionForm(user=lead)) == [
        "HMIP PDU case supervision 2021 (2021.1)",
        "HMIP case supervision 2018 (CRC and NPS) (2018)",
    ]
    with pytest.raises(ValidationError, match="is not published"):
        inspection_services.create_inspection(
            title="Too late",
            framework=hmip_2021,
            providers=[ProviderFactory()],
            lead=lead,
            period_start=datetime.date(2026, 1, 1),
            period_end=datetime.date(2026, 6, 30),
        )
    assert new.status == FrameworkStatus.PUBLISHED


def test_an_inspection_planned_on_the_old_version_keeps_it(hmip_2021, make_user, client):
    setup = scoring_setup(hmip_2021, make_user, cases=2)
    inspection, lead = setup["inspection"], setup["lead"]
    publish_framework(framework=clone_framework(framework=hmip_2021, version="2021.1"))
    inspection.refresh_from_db()
    # Its details can still be saved: the version it uses is offered for it alone.
    form = InspectionForm(user=lead, initial={"framework": hmip_2021.pk})
    assert "HMIP PDU case supervision 2021 (2021)" in _form_choices(form)
    client.force_login(lead)
    response = client.post(
        reverse("audit:inspection_edit", args=[inspection.pk]),
        {
            "title": "Renamed audit",
            "framework": hmip_2021.pk,
            "providers": [setup["provider"].pk],
            "period_start_0": "1",
            "period_start_1": "1",
            "period_start_2": "2026",
            "period_end_0": "30",
            "period_end_1": "6",
            "period_end_2": "2026",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    inspection.refresh_from_db()
    assert inspection.title == "Renamed audit" and inspection.framework == hmip_2021
    # Fieldwork starts, a review is scored, and the report reads the superseded version.
    lifecycle.start_fieldwork(inspection=inspection, by=lead)
    review = score_completely(review_of(inspection, "X000001"), setup["assessor"], hmip_2021)
    audit_services.submit_review(review=review, version=review.version, user=setup["assessor"])
    page = client.get(reverse("reports:inspection", args=[inspection.pk]))
    assert page.status_code == 200
    assert b"HMIP PDU case supervision 2021" in page.content
    framework_page = client.get(reverse("standards:framework", args=[hmip_2021.code, "2021"]))
    assert b"Superseded" in framework_page.content
