"""The inspection page as a task list: each step's state, what blocks it, and its action, with
Start fieldwork and Start moderation reachable from the inspection page."""

import pytest
from django.urls import reverse

from audit.accounts.roles import Role
from audit.inspections.steps import (
    CANNOT_START,
    COMPLETED,
    IN_PROGRESS,
    NOT_STARTED,
    inspection_steps,
)
from audit.models import CaseReview, Inspection, InspectionStatus, ReviewStatus, SampledCase
from tests.audit.moderation_support import S, inspection_for, published_framework, submitted_review
from tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user):
    provider = ProviderFactory()
    lead = make_user(Role.LEAD, providers=[provider])
    assessor = make_user(Role.ASSESSOR, providers=[provider])
    inspection = inspection_for(
        published_framework(), provider=provider, lead=lead, status=InspectionStatus.PLANNING
    )
    return {"lead": lead, "assessor": assessor, "inspection": inspection, "provider": provider}


def states(inspection, manage=True):
    inspection.refresh_from_db()
    return {s.key: s.status for s in inspection_steps(inspection, manage=manage)}


def test_a_new_inspection_starts_with_its_sample(world):
    steps = {s.key: s for s in inspection_steps(world["inspection"], manage=True)}
    assert [s.status for s in steps.values()] == [
        COMPLETED,
        NOT_STARTED,
        CANNOT_START,
        CANNOT_START,
        CANNOT_START,
        CANNOT_START,
    ]
    assert "no sampled cases" in steps["fieldwork"].blockers[0]
    assert steps["sample"].url  # the lead can draw a sample from here


def test_the_steps_follow_the_inspection_through_its_lifecycle(world):
    inspection, assessor = world["inspection"], world["assessor"]
    reviews = [
        submitted_review(inspection, None, [S, S, S], status=ReviewStatus.NOT_STARTED)
        for _ in range(3)
    ]
    assert states(inspection)["assign"] == NOT_STARTED
    SampledCase.objects.filter(pk=reviews[0].sampled_case_id).update(assessor=assessor)
    assert states(inspection)["assign"] == IN_PROGRESS
    SampledCase.objects.filter(inspection=inspection).update(assessor=assessor)
    found = states(inspection)
    assert (found["sample"], found["assign"], found["fieldwork"]) == (
        COMPLETED,
        COMPLETED,
        NOT_STARTED,
    )

    Inspection.objects.filter(pk=inspection.pk).update(status=InspectionStatus.FIELDWORK)
    steps = {
        s.key: s for s in inspection_steps(Inspection.objects.get(pk=inspection.pk), manage=True)
    }
    assert steps["fieldwork"].status == IN_PROGRESS
    assert steps["fieldwork"].hint == "0 of 3 reviews submitted"
    assert steps["moderation"].status == CANNOT_START
    assert "3 of 3 sampled cases do not have a submitted review" in steps["moderation"].blockers[0]

    CaseReview.objects.filter(sampled_case__inspection=inspection).update(
        status=ReviewStatus.SUBMITTED
    )
    steps = {
        s.key: s for s in inspection_steps(Inspection.objects.get(pk=inspection.pk), manage=True)
    }
    assert steps["moderation"].status == NOT_STARTED
    assert steps["moderation"].url == reverse(
        "audit:inspection_start_moderation", args=[inspection.pk]
    )

    Inspection.objects.filter(pk=inspection.pk).update(status=InspectionStatus.MODERATION)
    steps = {
        s.key: s for s in inspection_steps(Inspection.objects.get(pk=inspection.pk), manage=True)
    }
    assert (steps["fieldwork"].status, steps["moderation"].status) == (COMPLETED, IN_PROGRESS)
    assert steps["publish"].status == CANNOT_START
    assert "no reviews have been selected for moderation" in steps["publish"].blockers[0]


def test_those_who_may_not_manage_see_the_steps_without_links(world):
    steps = inspection_steps(world["inspection"], manage=False)
    assert all(s.url is None for s in steps)


def test_the_inspection_page_shows_the_task_list(world, client, django_assert_max_num_queries):
    client.force_login(world["lead"])
    url = reverse("audit:inspection_detail", args=[world["inspection"].pk])
    with django_assert_max_num_queries(25):
        page = client.get(url).content.decode()
    assert 'class="govuk-task-list"' in page
    assert "Cannot start yet" in page
    assert "Not yet started" in page


def test_start_fieldwork_from_the_inspection_page(world, client):
    inspection, lead = world["inspection"], world["lead"]
    submitted_review(inspection, None, [S, S, S], status=ReviewStatus.NOT_STARTED)
    client.force_login(lead)
    url = reverse("audit:inspection_start_fieldwork", args=[inspection.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b"Start fieldwork</button>" in page.content
    response = client.post(url)
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.FIELDWORK


def test_start_moderation_refused_with_its_blockers(world, client):
    inspection, lead = world["inspection"], world["lead"]
    submitted_review(inspection, None, [S, S, S], status=ReviewStatus.IN_PROGRESS)
    Inspection.objects.filter(pk=inspection.pk).update(status=InspectionStatus.FIELDWORK)
    client.force_login(lead)
    url = reverse("audit:inspection_start_moderation", args=[inspection.pk])
    response = client.post(url)
    assert response.status_code == 400
    assert "1 of 1 sampled cases does not have a submitted review" in response.content.decode()
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.FIELDWORK


def test_start_moderation_when_every_review_is_in(world, client):
    inspection, lead = world["inspection"], world["lead"]
    submitted_review(inspection, None, [S, S, S])
    Inspection.objects.filter(pk=inspection.pk).update(status=InspectionStatus.FIELDWORK)
    client.force_login(lead)
    response = client.post(reverse("audit:inspection_start_moderation", args=[inspection.pk]))
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.MODERATION
