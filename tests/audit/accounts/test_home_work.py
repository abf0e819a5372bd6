"""The home page shows each role its work, counted in the database: checked against counts made
another way over many rows in every state, in a fixed number of queries."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.accounts.work import assessor_work, lead_work, manager_work, moderator_work
from audit.models import (
    COUNTED_REVIEW_STATUSES,
    InspectionStatus,
    ModerationRead,
    Publication,
    ReviewStatus,
    SampledCase,
)
from tests.audit.moderation_support import inspection_for, published_framework, submitted_review

STATUSES = list(ReviewStatus)
INSPECTION_STATUSES = list(InspectionStatus)


@pytest.fixture
def world(make_user):
    lead = make_user("lead", username="leigh")
    assessor = make_user("assessor", username="asha")
    other = make_user("assessor", username="other")
    moderator = make_user("moderator", username="mo")
    manager = make_user("manager", username="manny")
    framework = published_framework()
    inspections = []
    for n, status in enumerate(INSPECTION_STATUSES * 2):
        inspection = inspection_for(
            framework,
            status=InspectionStatus.FIELDWORK,
            lead=lead,
            title=f"Inspection {n}",
            period_start=date(2020, 1, 1),
            period_end=date(2020, 6, 1) if n % 2 else date(2099, 6, 1),
        )
        lead.providers.add(inspection.test_provider)
        if n < 6:
            manager.providers.add(inspection.test_provider)
        for i, review_status in enumerate(STATUSES * 2):
            who = assessor if i % 3 else other
            review = submitted_review(inspection, who, [], status=review_status)
            if review_status in COUNTED_REVIEW_STATUSES and i % 2:
                ModerationRead.objects.create(
                    review=review,
                    moderator=moderator,
                    reason=ModerationRead.Reason.RANDOM,
                    completed_at=timezone.now() if i % 4 == 1 else None,
                )
        type(inspection).objects.filter(pk=inspection.pk).update(status=status)
        inspection.status = status
        if status == InspectionStatus.PUBLISHED:
            when = timezone.now() - timedelta(days=5 if n < 4 else 60)
            type(inspection).objects.filter(pk=inspection.pk).update(published_at=when)
            Publication.objects.create(
                inspection=inspection,
                published_by=lead,
                published_at=when,
                agreement_threshold="0.60",
            )
        inspections.append(inspection)
    return {
        "lead": lead,
        "assessor": assessor,
        "moderator": moderator,
        "manager": manager,
        "inspections": inspections,
    }


OPEN = {InspectionStatus.PLANNING, InspectionStatus.FIELDWORK, InspectionStatus.MODERATION}


def test_assessor_counts_match_a_count_made_row_by_row(world):
    due = returned = 0
    for sampled in SampledCase.objects.select_related("review", "inspection"):
        if sampled.assessor_id != world["assessor"].pk or sampled.inspection.status not in OPEN:
            continue
        status = sampled.review.status
        due += status in (ReviewStatus.NOT_STARTED, ReviewStatus.IN_PROGRESS)
        returned += status == ReviewStatus.RETURNED
    assert due > 0 and returned > 0
    assert assessor_work(world["assessor"]) == {"due": due, "returned": returned}


def test_moderator_count_matches(world):
    waiting = sum(
        1
        for read in ModerationRead.objects.select_related("review__sampled_case__inspection")
        if read.moderator_id == world["moderator"].pk
        and read.completed_at is None
        and read.review.sampled_case.inspection.status in OPEN
    )
    assert waiting > 0
    assert moderator_work(world["moderator"]) == waiting


def test_lead_sees_open_inspections_with_next_step_outstanding_and_overdue(world):
    rows = {i.title: i for i in lead_work(world["lead"])}
    expected = [i for i in world["inspections"] if i.status in OPEN]
    assert sorted(rows) == sorted(i.title for i in expected)
    for inspection in expected:
        row = rows[inspection.title]
        outstanding = sum(
            1
            for s in SampledCase.objects.filter(inspection=inspection).select_related("review")
            if s.review.status not in COUNTED_REVIEW_STATUSES
        )
        assert row.outstanding == outstanding == 6
        assert row.overdue == (inspection.period_end < date.today())
    assert rows["Inspection 0"].next_step == "Start fieldwork"


def test_manager_sees_recent_publications_of_their_providers(world):
    titles = [i.title for i in manager_work(world["manager"])]
    assert titles == ["Inspection 3"]  # published 5 days ago, in their providers; 7 is older


def test_the_home_page_shows_it_in_a_fixed_number_of_queries(
    client, world, make_user, django_assert_max_num_queries
):
    everyone = make_user("assessor", "moderator", "lead", "manager", username="all", providers=[])
    client.force_login(world["assessor"])
    html = client.get(reverse("home")).content.decode()
    work = assessor_work(world["assessor"])
    assert f"{work['due']} cases not yet submitted" in html
    assert f">{work['returned']}</strong> to change and submit again" in html
    client.force_login(world["lead"])
    html = client.get(reverse("home")).content.decode()
    assert html.count("Overdue</strong>") == sum(
        1 for i in world["inspections"] if i.status in OPEN and i.period_end < date.today()
    )
    client.force_login(everyone)
    client.get(reverse("home"))
    with django_assert_max_num_queries(16):
        client.get(reverse("home"))
