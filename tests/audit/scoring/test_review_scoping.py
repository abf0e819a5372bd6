"""Who may open which review and inspection: what a user cannot see is a 404; what they see but
may not change is a 403."""

import pytest
from django.urls import reverse

from audit.accounts.roles import Role
from audit.models import InspectionStatus
from tests.audit.scoring_support import scoring_setup
from tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db

REVIEW_PAGES = ["review_tasks", "review_facts", "review_check", "review_history"]
INSPECTION_PAGES = [
    "inspection_detail",
    "inspection_edit",
    "inspection_add_sample",
    "inspection_assign",
    "inspection_import",
]


@pytest.fixture
def setup(hmip_2018, make_user):
    return scoring_setup(hmip_2018, make_user, cases=2)


def review_urls(inspection, crn="X000001"):
    urls = [reverse(f"audit:{name}", args=[inspection.pk, crn]) for name in REVIEW_PAGES]
    urls.append(reverse("audit:review_standard", args=[inspection.pk, crn, "2.1"]))
    return urls


def test_assigned_assessor_and_lead_open_the_review(client, setup):
    for user in (setup["assessor"], setup["lead"]):
        client.force_login(user)
        for url in review_urls(setup["inspection"]):
            assert client.get(url).status_code == 200, url


def test_other_assessor_cannot_see_a_review_or_find_it_in_my_cases(client, setup, make_user):
    other = make_user(Role.ASSESSOR, providers=[setup["provider"]])
    client.force_login(other)
    for url in review_urls(setup["inspection"]):
        assert client.get(url).status_code == 404, url
    assert client.post(review_urls(setup["inspection"])[1], {"version": 0}).status_code == 404
    assert "X000001" not in client.get(reverse("audit:my_cases")).content.decode()
    for name in INSPECTION_PAGES:
        url = reverse(f"audit:{name}", args=[setup["inspection"].pk])
        assert client.get(url).status_code == 404


def test_moderator_and_manager_see_the_inspection_but_not_reviews(client, setup, make_user):
    inspection = setup["inspection"]
    for role in (Role.MODERATOR, Role.MANAGER):
        user = make_user(role, providers=[setup["provider"]])
        client.force_login(user)
        detail = reverse("audit:inspection_detail", args=[inspection.pk])
        assert client.get(detail).status_code == 200
        assert "Test PDU audit" in client.get(reverse("audit:inspection_list")).content.decode()
        for name in INSPECTION_PAGES[1:]:  # seen, but not theirs to change
            assert client.get(reverse(f"audit:{name}", args=[inspection.pk])).status_code == 403
        for url in review_urls(inspection):
            assert client.get(url).status_code == 404, (role, url)


def test_lead_of_another_provider_sees_nothing(client, setup, make_user):
    stranger = make_user(Role.LEAD, providers=[ProviderFactory()])
    client.force_login(stranger)
    assert "Test PDU audit" not in client.get(reverse("audit:inspection_list")).content.decode()
    for name in INSPECTION_PAGES:
        url = reverse(f"audit:{name}", args=[setup["inspection"].pk])
        assert client.get(url).status_code == 404
    for url in review_urls(setup["inspection"]):
        assert client.get(url).status_code == 404
    assert (
        client.post(
            reverse("audit:review_return", args=[setup["inspection"].pk, "X000001"]),
            {"comment": "No"},
        ).status_code
        == 404
    )


def test_team_member_lead_sees_the_inspection_outside_their_providers(client, setup, make_user):
    colleague = make_user(Role.LEAD, providers=[ProviderFactory()])
    setup["inspection"].team.add(colleague)
    client.force_login(colleague)
    assert (
        client.get(reverse("audit:inspection_detail", args=[setup["inspection"].pk])).status_code
        == 200
    )


def test_only_leads_create_inspections(client, setup):
    client.force_login(setup["assessor"])
    assert client.get(reverse("audit:inspection_create")).status_code == 403


def test_unknown_case_or_standard_is_404(client, setup):
    client.force_login(setup["assessor"])
    inspection = setup["inspection"]
    unknown = reverse("audit:review_tasks", args=[inspection.pk, "NOPE"])
    assert client.get(unknown).status_code == 404
    assert (
        client.get(
            reverse("audit:review_standard", args=[inspection.pk, "X000001", "1.1"])
        ).status_code
        == 404
    )  # a judgement-rated standard has no case page


def test_published_inspection_is_read_only_in_the_pages(client, setup, hmip_2018):
    inspection = setup["inspection"]
    type(inspection).objects.filter(pk=inspection.pk).update(status=InspectionStatus.PUBLISHED)
    client.force_login(setup["assessor"])
    url = reverse("audit:review_standard", args=[inspection.pk, "X000001", "2.1"])
    assert client.get(url)["Location"].endswith("/check/")
    draft = reverse("audit:review_standard_draft", args=[inspection.pk, "X000001", "2.1"])
    response = client.post(draft, {"version": 0, "kq_2_1_1": "sufficient"})
    assert response.status_code == 302
    review = inspection.sampled_cases.get(case__crn="X000001").review
    assert review.version == 0 and not review.judgements.exists()
    check = client.get(reverse("audit:review_check", args=[inspection.pk, "X000001"]))
    assert "Submit review" not in check.content.decode()
    assert "published" in check.content.decode()
    client.force_login(setup["lead"])
    detail = client.get(reverse("audit:inspection_detail", args=[inspection.pk])).content.decode()
    assert "read-only" in detail and "Add a sample" not in detail
    response = client.post(
        reverse("audit:inspection_unassign", args=[inspection.pk]),
        {"cases": [review.sampled_case_id]},
    )
    assert response.status_code == 302
    assert inspection.sampled_cases.filter(assessor__isnull=True).count() == 0


def test_my_cases_groups_each_inspection_once(client, setup, hmip_2018):
    from audit.inspections import services
    from tests.audit.scoring_support import draw_sample
    from tests.factories import CaseFactory

    inspection = setup["inspection"]
    other = services.create_inspection(
        title="Second audit",
        framework=hmip_2018,
        providers=[setup["provider"]],
        period_start=inspection.period_start,
        period_end=inspection.period_end,
        lead=setup["lead"],
    )
    services.add_sample(
        inspection=other,
        sample=draw_sample(
            [
                CaseFactory(provider=setup["provider"], crn="X000000"),
                CaseFactory(provider=setup["provider"], crn="X000009"),
            ]
        ),
    )
    services.assign_cases(
        inspection=other,
        assessor=setup["assessor"],
        sampled_case_ids=other.sampled_cases.values_list("pk", flat=True),
    )
    client.force_login(setup["assessor"])
    html = client.get(reverse("audit:my_cases")).content.decode()
    assert html.count("Second audit") == 1 and html.count("Test PDU audit") == 1
    assert html.count("<caption") == 2
