"""Moderation pages: blind scoring, the lead's page, disagreements, CSV export and scoping."""

import csv
import io

import pytest
from django.urls import reverse

from audit.models import AuditEvent, InspectionStatus, ModerationRead, Resolution, ReviewStatus
from audit.moderation.services import assign_moderator, select_for_moderation
from tests.audit.moderation_support import (
    NA,
    N,
    S,
    completed_read,
    inspection_for,
    published_framework,
    submitted_review,
)
from tests.factories import ProviderFactory

FIRST_RATIONALE = "Assessor-only words: the plan ignores the victim entirely."
PAGE_BOUND = 22  # whatever the number of reviews, reads and disagreements


@pytest.fixture
def setup(db, make_user):
    provider = ProviderFactory(name="Wolverhampton PDU")
    lead = make_user(
        "lead", providers=[provider], username="leigh", first_name="Leigh", last_name="Lead"
    )
    asha = make_user(
        "assessor", providers=[provider], username="asha", first_name="Asha", last_name="Khan"
    )
    mo = make_user(
        "moderator", providers=[provider], username="mo", first_name="Mo", last_name="Reader"
    )
    framework = published_framework()
    inspection = inspection_for(framework, provider=provider, lead=lead, title="Wolverhampton 2026")
    review = submitted_review(inspection, asha, [S, N, S], crn="X123456", rationale=FIRST_RATIONALE)
    read = select_for_moderation(review=review, by=lead)
    assign_moderator(reads=[read], moderator=mo, by=lead)
    return {
        "provider": provider,
        "lead": lead,
        "asha": asha,
        "mo": mo,
        "framework": framework,
        "inspection": inspection,
        "review": review,
        "read": read,
    }


def read_url(setup, crn="X123456"):
    return reverse("moderation:read", args=[setup["inspection"].pk, crn])


def page_url(setup):
    return reverse("moderation:inspection", args=[setup["inspection"].pk])


def step_url(setup, step):
    """Each of the lead's steps on the moderation page posts to a URL of its own."""
    return reverse(f"moderation:{step}", args=[setup["inspection"].pk])


# Blind second read ---------------------------------------------------------------------------


def test_moderator_page_is_blind_to_the_first_judgement(
    client, setup, django_assert_max_num_queries
):
    client.force_login(setup["mo"])
    with django_assert_max_num_queries(PAGE_BOUND):
        page = client.get(read_url(setup))
    assert page.status_code == 200
    html = page.content.decode()
    assert "2.1.1 Question 2.1.1?" in html and "2.1.3 Question 2.1.3?" in html
    assert "Guidance for 2.1.2." in html and "Prompt 2.1.2.a?" in html
    assert 'data-module="govuk-radios"' in html and "govuk-radios__conditional" in html
    # Nothing of the first read: no rationale, no answer chosen, not even who read it first.
    assert FIRST_RATIONALE not in html
    assert "checked" not in html
    assert "Asha" not in html and "Khan" not in html
    # Not applicable only where the framework allows it (2.1.3).
    assert html.count('value="na"') == 1


def test_second_read_errors_are_summarised_and_nothing_is_saved(client, setup):
    client.force_login(setup["mo"])
    response = client.post(read_url(setup), {"kq_2_1_1": S, "kq_2_1_2": N, "rationale_2_1_2": " "})
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Select a judgement for 2.1.3." in html
    assert "Enter a rationale for judging 2.1.2 not sufficient." in html
    assert FIRST_RATIONALE not in html
    setup["read"].refresh_from_db()
    assert setup["read"].completed_at is None


def test_after_completion_both_reads_are_side_by_side(client, setup):
    client.force_login(setup["mo"])
    response = client.post(
        read_url(setup),
        {
            "kq_2_1_1": N,
            "rationale_2_1_1": "Moderator: no analysis of risk.",
            "kq_2_1_2": N,
            "rationale_2_1_2": "Moderator: plan too vague.",
            "kq_2_1_3": NA,
        },
    )
    assert response.status_code == 302 and response["Location"] == read_url(setup)
    setup["review"].refresh_from_db()
    assert setup["review"].status == ReviewStatus.MODERATED
    html = client.get(read_url(setup)).content.decode()
    assert FIRST_RATIONALE in html
    assert "Moderator: no analysis of risk." in html
    assert html.count("govuk-tag--red") == 2  # 2.1.1 and 2.1.3 disagree
    assert "Asha Khan" in html
    # A second submission is not recorded again.
    again = client.post(read_url(setup), {"kq_2_1_1": S, "kq_2_1_2": S, "kq_2_1_3": S})
    assert again.status_code == 302
    assert setup["read"].judgements.get(key_question__code="2.1.1").value == N


def test_lead_sees_an_incomplete_read_as_waiting(client, setup):
    client.force_login(setup["lead"])
    page = client.get(read_url(setup))
    assert page.status_code == 200
    assert "Waiting for Mo Reader" in page.content.decode()
    refused = client.post(read_url(setup), {"kq_2_1_1": S})
    assert refused.status_code == 403  # seen, but only its moderator records it
    assert "Only the moderator it is assigned to (Mo Reader)" in refused.content.decode()
    assert not setup["read"].judgements.exists()


# Scoping -------------------------------------------------------------------------------------


def test_pages_refuse_those_who_may_not_moderate_the_inspection(client, setup, make_user):
    """A 404 to those who cannot see the inspection or whose role has no moderation pages; a
    403 to those who see the inspection but may not manage it."""
    disagreements = reverse("moderation:disagreements", args=[setup["inspection"].pk])
    csv_url = reverse("moderation:agreement_csv", args=[setup["inspection"].pk])
    elsewhere = ProviderFactory()
    visitors = {
        "assessor": (setup["asha"], "404"),
        "manager": (make_user("manager", providers=[setup["provider"]]), "404"),
        "other moderator": (make_user("moderator", providers=[setup["provider"]]), "403"),
        "lead of nothing here": (make_user("lead", providers=[setup["provider"]]), "403"),
        "team lead out of scope": (make_user("lead", providers=[elsewhere]), "403"),
        "lead elsewhere": (make_user("lead", providers=[elsewhere]), "404"),
    }
    setup["inspection"].team.add(visitors["team lead out of scope"][0])
    for who, (user, lead_pages) in visitors.items():
        client.force_login(user)
        assert client.get(read_url(setup)).status_code == 404, who  # not their read
        for url in [page_url(setup), disagreements, csv_url]:
            assert str(client.get(url).status_code) == lead_pages, (who, url)
    client.force_login(setup["asha"])
    assert client.get(reverse("moderation:index")).status_code == 404
    # The moderator sees only their read, not the lead's pages.
    client.force_login(setup["mo"])
    assert client.get(read_url(setup)).status_code == 200
    assert client.get(page_url(setup)).status_code == 403
    assert client.get(disagreements).status_code == 403


def test_team_member_with_lead_role_may_moderate_the_inspection(client, setup, make_user):
    colleague = make_user("lead", providers=[setup["provider"]])
    setup["inspection"].team.add(colleague)
    client.force_login(colleague)
    assert client.get(page_url(setup)).status_code == 200


def test_index_lists_reads_and_led_inspections(client, setup, django_assert_max_num_queries):
    client.force_login(setup["mo"])
    html = client.get(reverse("moderation:index")).content.decode()
    assert "X123456" in html and "To do" in html
    assert "Inspections you lead" not in html
    client.force_login(setup["lead"])
    other = inspection_for(setup["framework"], provider=setup["provider"], lead=setup["lead"])
    submitted_review(other, setup["asha"], [S, S, S])
    with django_assert_max_num_queries(PAGE_BOUND):
        html = client.get(reverse("moderation:index")).content.decode()
    assert "Wolverhampton 2026" in html and str(other) in html
    assert "Wolverhampton PDU" in html


# The lead's moderation page ------------------------------------------------------------------


def test_draw_the_sample_with_a_seed_and_see_it(client, setup):
    for _ in range(11):
        submitted_review(setup["inspection"], setup["asha"], [S, S, S])
    client.force_login(setup["lead"])
    response = client.post(step_url(setup, "draw"), {"draw-seed": "4242"})
    assert response.status_code == 302
    random_reads = ModerationRead.objects.filter(reason=ModerationRead.Reason.RANDOM)
    assert random_reads.count() == 2  # 12 submitted, 10% rounded up
    assert set(random_reads.values_list("selection_seed", flat=True)) == {4242}
    html = client.get(page_url(setup)).content.decode()
    assert "2 reviews selected for moderation with seed 4242." in html
    assert "<strong>4242</strong>" in html


def test_each_form_on_the_page_posts_to_its_own_step(client, setup):
    submitted_review(setup["inspection"], setup["asha"], [S, S, S])
    client.force_login(setup["lead"])
    html = client.get(page_url(setup)).content.decode()
    for step in ("draw", "choose", "advance"):
        assert f'<form method="post" action="{step_url(setup, step)}"' in html, step
    assert 'name="action"' not in html
    reads = ModerationRead.objects.count()
    assert client.post(page_url(setup), {"action": "draw"}).status_code == 405
    assert ModerationRead.objects.count() == reads


def test_bad_seed_and_unknown_crn_are_explained(client, setup):
    client.force_login(setup["lead"])
    response = client.post(step_url(setup, "draw"), {"draw-seed": "ten"})
    assert response.status_code == 400
    assert "Enter the seed as a whole number" in response.content.decode()
    response = client.post(step_url(setup, "choose"), {"choose-crn": "Z999999"})
    assert response.status_code == 400
    assert "Z999999 is not a sampled case with a review in this inspection." in (
        response.content.decode()
    )
    response = client.post(step_url(setup, "choose"), {"choose-crn": "x123456"})
    assert response.status_code == 400
    assert "The review of X123456 is already selected for moderation." in response.content.decode()
    # x123456 in capitals names the case; a look-alike that only folds to it does not.
    response = client.post(step_url(setup, "choose"), {"choose-crn": "x12345\u0666"})
    assert response.status_code == 400
    assert "is not a CRN: use up to 20 letters (A to Z)" in response.content.decode()


def test_lead_adds_a_review_and_assigns_a_moderator(client, setup, make_user):
    other = submitted_review(setup["inspection"], setup["asha"], [S, S, S], crn="X654321")
    client.force_login(setup["lead"])
    response = client.post(step_url(setup, "choose"), {"choose-crn": "X654321"})
    assert response.status_code == 302
    read = ModerationRead.objects.get(review=other)
    assert read.reason == ModerationRead.Reason.LEAD_CHOICE
    response = client.post(
        step_url(setup, "assign"),
        {
            "assign-reads": ["X654321"],
            "assign-moderator": setup["mo"].pk,
        },
    )
    assert response.status_code == 302
    read.refresh_from_db()
    assert read.moderator == setup["mo"]
    # Only moderators and leads covering the inspection's providers are offered.
    make_user("moderator", providers=[ProviderFactory()], first_name="Far", last_name="Away")
    page = client.get(page_url(setup)).content.decode()
    assert "Mo Reader</option>" in page and "Far Away" not in page
    # The assessor cannot be chosen to read their own review.
    response = client.post(
        step_url(setup, "assign"),
        {
            "assign-reads": ["X654321"],
            "assign-moderator": setup["asha"].pk,
        },
    )
    assert response.status_code == 400
    assert "Choose a moderator from the list." in response.content.decode()


def test_lifecycle_refusals_are_shown_in_an_error_summary(client, setup):
    submitted_review(setup["inspection"], setup["asha"], [S], status=ReviewStatus.IN_PROGRESS)
    client.force_login(setup["lead"])
    response = client.post(step_url(setup, "advance"), {})
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert (
        "Moderation cannot start until fieldwork has ended: 1 of 2 sampled cases does not "
        "have a submitted review."
    ) in html
    assert 'href="#lifecycle"' in html
    setup["inspection"].refresh_from_db()
    assert setup["inspection"].status == InspectionStatus.FIELDWORK


def test_lifecycle_button_moves_the_inspection_on(client, setup):
    client.force_login(setup["lead"])
    assert "Start moderation" in client.get(page_url(setup)).content.decode()
    response = client.post(step_url(setup, "advance"), {})
    assert response.status_code == 302
    setup["inspection"].refresh_from_db()
    assert setup["inspection"].status == InspectionStatus.MODERATION
    html = client.get(page_url(setup)).content.decode()
    assert "Moderation has started on Wolverhampton 2026." in html
    assert "Publish inspection" in html and "Reopen fieldwork" in html
    assert "1 selected second read is not complete." in html
    response = client.post(step_url(setup, "reopen"), {})
    setup["inspection"].refresh_from_db()
    assert setup["inspection"].status == InspectionStatus.FIELDWORK


def test_published_inspection_page_offers_no_changes(client, setup):
    type(setup["inspection"]).objects.filter(pk=setup["inspection"].pk).update(
        status=InspectionStatus.PUBLISHED
    )
    client.force_login(setup["lead"])
    html = client.get(page_url(setup)).content.decode()
    assert "cannot be changed" in html
    assert 'value="draw"' not in html and 'value="advance"' not in html
    response = client.post(step_url(setup, "draw"), {"draw-seed": "1"})
    assert response.status_code == 400
    assert "Wolverhampton 2026 is published and cannot be changed." in response.content.decode()


def test_moderation_page_queries_do_not_grow_with_reviews(
    client, setup, django_assert_max_num_queries
):
    client.force_login(setup["lead"])
    for batch, flag in ((3, "Too few pairs to judge"), (30, "Weak agreement")):
        for _ in range(batch):
            review = submitted_review(setup["inspection"], setup["asha"], [S, N, S])
            completed_read(review, setup["mo"], [N, N, S])
        with django_assert_max_num_queries(PAGE_BOUND):
            page = client.get(page_url(setup))
        assert page.status_code == 200
        assert flag in page.content.decode()


# Disagreements and resolution ----------------------------------------------------------------


@pytest.fixture
def disputed(setup):
    completed_read(setup["review"], setup["mo"], [N, N, S])
    return setup


def test_disagreements_are_listed_and_resolved_with_a_note(
    client, disputed, django_assert_max_num_queries
):
    setup = disputed
    client.force_login(setup["lead"])
    list_url = reverse("moderation:disagreements", args=[setup["inspection"].pk])
    with django_assert_max_num_queries(PAGE_BOUND):
        html = client.get(list_url).content.decode()
    assert "1 of 1 disagreement unresolved" in html
    resolve_url = reverse("moderation:resolve", args=[setup["inspection"].pk, "X123456", "2.1.1"])
    assert resolve_url in html
    page = client.get(resolve_url).content.decode()
    assert "Sufficient" in page and "Not sufficient" in page
    response = client.post(resolve_url, {"value": N, "note": "  "})
    assert response.status_code == 400
    assert "Enter a note explaining the resolution." in response.content.decode()
    assert not Resolution.objects.exists()
    response = client.post(resolve_url, {"value": N, "note": "Agreed at the moderation meeting."})
    assert response.status_code == 302
    resolution = Resolution.objects.get()
    assert (resolution.value, resolution.resolved_by) == (N, setup["lead"])
    html = client.get(list_url).content.decode()
    assert "0 of 1 disagreement unresolved" in html
    assert "2.1.1 for X123456 resolved as not sufficient." in html


def test_agreeing_key_questions_have_no_resolution_page(client, disputed):
    client.force_login(disputed["lead"])
    url = reverse("moderation:resolve", args=[disputed["inspection"].pk, "X123456", "2.1.2"])
    assert client.get(url).status_code == 404


def test_agreement_statistics_export_as_csv(client, disputed):
    setup = disputed
    for values, second in [([S, S, S], [S, S, S]), ([N, S, S], [N, S, NA])]:
        completed_read(
            submitted_review(setup["inspection"], setup["asha"], values), setup["mo"], second
        )
    client.force_login(setup["lead"])
    html = client.get(page_url(setup)).content.decode()
    assert "Download agreement statistics (CSV)" in html
    response = client.get(reverse("moderation:agreement_csv", args=[setup["inspection"].pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    by_key = {(r["breakdown"], r["code"] or r["label"]): r for r in rows}
    kq1 = by_key[("Key question", "2.1.1")]
    # 2.1.1 pairs: (S,N), (S,S), (N,N) -> po 2/3, pe = 2/3*1/3 + 1/3*2/3 = 4/9, kappa 0.4.
    assert (
        kq1["pairs"],
        kq1["agreeing_pairs"],
        kq1["percentage_agreement"],
        kq1["kappa"],
        kq1["agreement_flag"],
    ) == ("3", "2", "66.7", "0.400", "too few pairs to judge")
    kq3 = by_key[("Key question", "2.1.3")]
    assert (kq3["pairs"], kq3["kappa"], kq3["applicability_disagreements"]) == ("2", "n/a", "1")
    asha = by_key[("Assessor", "asha")]
    assert asha["label"] == "Asha Khan" and asha["pairs"] == "8"
    overall = by_key[("Overall", "All key questions and assessors")]
    assert overall["pairs"] == "8" and overall["applicability_disagreements"] == "1"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).exists()
