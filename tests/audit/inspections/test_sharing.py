"""Assigning: sharing cases evenly (a property of the rule, then the service and the page), and
each assessor's load shown beside the list, checked against a recount."""

from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.accounts.roles import Role
from audit.inspections import services
from audit.inspections.selectors import assessor_choices, with_loads
from audit.inspections.sharing import NobodyMayTake, even_split
from audit.models import (
    COUNTED_REVIEW_STATUSES,
    CaseReview,
    InspectionStatus,
    ReviewStatus,
    SampledCase,
)
from tests.audit.moderation_support import S, inspection_for, published_framework, submitted_review
from tests.factories import ProviderFactory

cases_strategy = st.lists(st.integers(min_value=0, max_value=4), max_size=60)
assessors_strategy = st.lists(
    st.frozensets(st.integers(min_value=0, max_value=4), max_size=2), min_size=1, max_size=6
)


@settings(deadline=None)
@given(providers=cases_strategy, owns=assessors_strategy)
def test_loads_differ_by_at_most_one(providers, owns):
    cases = list(enumerate(providers))
    assessors = list(enumerate(owns))
    plan = even_split(cases, assessors, avoid_own=False)
    assert set(plan) == {case for case, _ in cases}
    loads = Counter(plan.values())
    counts = [loads.get(a, 0) for a, _ in assessors]
    assert max(counts) - min(counts) <= 1


@settings(deadline=None)
@given(providers=cases_strategy, owns=assessors_strategy)
def test_no_assessor_gets_their_own_providers_cases_when_asked(providers, owns):
    cases = list(enumerate(providers))
    assessors = list(enumerate(owns))
    own = dict(assessors)
    try:
        plan = even_split(cases, assessors, avoid_own=True)
    except NobodyMayTake as stuck:
        for case in stuck.cases:  # refused only when truly nobody may take it
            assert all(providers[case] in mine for mine in owns)
        return
    assert set(plan) == {case for case, _ in cases}
    assert all(providers[case] not in own[taker] for case, taker in plan.items())
    # Among assessors who may take any case at all, a case never sits with one holding two more
    # than another who could have taken it.
    loads = Counter(plan.values())
    for case, taker in plan.items():
        for other, mine in assessors:
            if providers[case] not in mine:
                assert loads[taker] - loads.get(other, 0) <= 1


# --- the service and the page ------------------------------------------------------------------


@pytest.fixture
def world(make_user, db):
    east = ProviderFactory(code="PDU-E", name="East PDU")
    west = ProviderFactory(code="PDU-W", name="West PDU")
    lead = make_user(Role.LEAD, providers=[east, west])
    ann = make_user(Role.ASSESSOR, providers=[east], first_name="Ann", last_name="East")
    bob = make_user(Role.ASSESSOR, providers=[west], first_name="Bob", last_name="West")
    cat = make_user(Role.ASSESSOR, providers=[west], first_name="Cat", last_name="West")
    framework = published_framework()
    inspection = inspection_for(framework, provider=east, lead=lead)
    inspection.providers.add(west)
    for provider, n in ((east, 7), (west, 5)):
        inspection.test_provider = provider
        for _ in range(n):
            submitted_review(inspection, None, [S, S, S], status=ReviewStatus.NOT_STARTED)
    return {
        "inspection": inspection,
        "lead": lead,
        "ann": ann,
        "bob": bob,
        "cat": cat,
        "east": east,
        "west": west,
        "framework": framework,
    }


def _ids(inspection):
    return list(SampledCase.objects.filter(inspection=inspection).values_list("pk", flat=True))


@pytest.mark.django_db
def test_sharing_evenly_keeps_assessors_off_their_own_provider(world):
    inspection = world["inspection"]
    shared = services.share_cases(
        inspection=inspection,
        sampled_case_ids=_ids(inspection),
        assessors=[world["ann"], world["bob"], world["cat"]],
        avoid_own_provider=True,
        user=world["lead"],
    )
    # Only Ann may take West's five cases; Bob and Cat share East's seven.
    assert shared == {world["ann"]: 5, world["bob"]: 4, world["cat"]: 3}
    assert not SampledCase.objects.filter(assessor=world["ann"], provider=world["east"]).exists()
    assert not SampledCase.objects.filter(
        assessor__in=[world["bob"], world["cat"]], provider=world["west"]
    ).exists()
    assert set(inspection.team.all()) >= {world["ann"], world["bob"], world["cat"]}


@pytest.mark.django_db
def test_sharing_refuses_when_nobody_may_take_a_case(world):
    inspection = world["inspection"]
    west_cases = SampledCase.objects.filter(inspection=inspection, provider=world["west"])
    with pytest.raises(ValidationError) as refused:
        services.share_cases(
            inspection=inspection,
            sampled_case_ids=list(west_cases.values_list("pk", flat=True)),
            assessors=[world["bob"], world["cat"]],
            avoid_own_provider=True,
            user=world["lead"],
        )
    assert "every chosen assessor works for the case's provider" in str(refused.value)
    assert not SampledCase.objects.filter(assessor__isnull=False).exists()


@pytest.mark.django_db
def test_submitted_reviews_keep_their_assessor(world):
    inspection = world["inspection"]
    one = SampledCase.objects.filter(inspection=inspection).first()
    CaseReview.objects.filter(sampled_case=one).update(status=ReviewStatus.SUBMITTED)
    with pytest.raises(ValidationError):
        services.share_cases(
            inspection=inspection,
            sampled_case_ids=_ids(inspection),
            assessors=[world["bob"]],
            avoid_own_provider=False,
            user=world["lead"],
        )
    assert not SampledCase.objects.filter(assessor__isnull=False).exists()


@pytest.mark.django_db
def test_each_assessors_load_matches_a_recount(world, django_assert_max_num_queries):
    inspection, ann, bob = world["inspection"], world["ann"], world["bob"]
    elsewhere = inspection_for(world["framework"], provider=world["east"], lead=world["lead"])
    published = inspection_for(
        world["framework"], provider=world["east"], status=InspectionStatus.PUBLISHED
    )
    statuses = ReviewStatus.values
    for n, sampled in enumerate(SampledCase.objects.filter(inspection=inspection)):
        SampledCase.objects.filter(pk=sampled.pk).update(assessor=[ann, bob][n % 2])
        CaseReview.objects.filter(sampled_case=sampled).update(status=statuses[n % len(statuses)])
    for status in statuses:
        submitted_review(elsewhere, ann, [S, S, S], status=status)
        submitted_review(published, ann, [S, S, S], status=status)
    with django_assert_max_num_queries(4):  # who may be assessors (3), their loads (1)
        loads = {
            a.pk: (a.here, a.open) for a in with_loads(assessor_choices(inspection), inspection)
        }
    for assessor in (ann, bob, world["cat"]):
        assigned = SampledCase.objects.filter(assessor=assessor)
        here = assigned.filter(inspection=inspection).count()
        still_open = sum(
            1
            for s in assigned.select_related("review", "inspection")
            if s.review.status not in COUNTED_REVIEW_STATUSES
            and s.inspection.status != InspectionStatus.PUBLISHED
        )
        assert loads[assessor.pk] == (here, still_open)
    assert loads[ann.pk][1] > loads[bob.pk][1]  # Ann's open reviews elsewhere count too


@pytest.mark.django_db
def test_the_page_shares_the_selected_cases(world, client):
    inspection = world["inspection"]
    client.force_login(world["lead"])
    page = client.get(reverse("audit:inspection_assign", args=[inspection.pk]))
    assert "0 here · 0 not yet submitted" in page.content.decode()
    response = client.post(
        reverse("audit:inspection_share", args=[inspection.pk]),
        {
            "cases": [str(pk) for pk in _ids(inspection)],
            "assessors": [world["bob"].pk, world["cat"].pk],
        },
    )
    assert response.status_code == 302
    held = Counter(
        SampledCase.objects.filter(inspection=inspection).values_list("assessor_id", flat=True)
    )
    assert held == {world["bob"].pk: 6, world["cat"].pk: 6}


@pytest.mark.django_db
def test_the_page_says_what_to_choose(world, client):
    inspection = world["inspection"]
    client.force_login(world["lead"])
    response = client.post(reverse("audit:inspection_share", args=[inspection.pk]), {})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Select at least one case to share" in page
    assert "Select the assessors to share the cases among" in page
