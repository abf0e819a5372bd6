"""A lead runs an inspection from creation to publication from the inspection page alone: its
task list leads to each step (draw a sample, assign, start fieldwork, start moderation, the
moderation page, publish). The assessors' scoring and the moderator's second reads, which are
theirs to do, are done through the services between the lead's steps. Every page passes axe;
the task list, the sample and the assignment pages are shot at 1,280 and 320 px for the user
guide, and none scrolls sideways."""

import datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from audit.accounts.roles import Role
from audit.models import CaseReview, InspectionStatus, Judgement, ModerationRead, SampledCase
from audit.moderation import services as moderation
from audit.scoring import services
from audit.scoring.selectors import case_standards
from cases import sampling
from tests.factories import CaseFactory, ProviderFactory

from ..audit.scoring_support import score_completely

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def shoot(page, name):
    """The page at 1,280 and 320 px into docs/screenshots; neither scrolls sideways."""
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
            f"{name} scrolls sideways at {width}px"
        )
        page.screenshot(path=str(DOCS / f"{name}-{width}.png"))
    page.set_viewport_size({"width": 1280, "height": 900})


def people(make_user):
    provider = ProviderFactory(code="PDU-L", name="Lakeside PDU")
    lead = make_user(Role.LEAD, providers=[provider], first_name="Leigh", last_name="Lead")
    assessors = [
        make_user(Role.ASSESSOR, providers=[provider], first_name=name, last_name="Assessor")
        for name in ("Asha", "Ben")
    ]
    moderator = make_user(
        Role.MODERATOR, providers=[provider], first_name="Mo", last_name="Moderator"
    )
    for n in range(40):
        CaseFactory(provider=provider, crn=f"L{n:06d}", start_date=datetime.date(2026, 7, 1))
    return provider, lead, assessors, moderator


def assessors_score_everything(inspection, framework):
    """What the assessors do meanwhile: score and submit each case assigned to them."""
    standards = case_standards(framework)
    for sampled in SampledCase.objects.filter(inspection=inspection).select_related("assessor"):
        review = CaseReview.objects.get(sampled_case=sampled)
        review = score_completely(review, sampled.assessor, framework)
        services.submit_review(
            review=review, version=review.version, user=sampled.assessor, standards=standards
        )


def moderator_agrees(inspection, lead, moderator):
    """What the moderator does meanwhile: each second read, agreeing with the first."""
    reads = list(ModerationRead.objects.filter(review__sampled_case__inspection=inspection))
    moderation.assign_moderator(reads=reads, moderator=moderator, by=lead)
    for read in reads:
        codes = {kq.code for kq in moderation.moderation_key_questions(read.review)}
        first = {
            j.key_question.code: (j.value, j.rationale)
            for j in Judgement.objects.filter(review=read.review).select_related("key_question")
        }
        moderation.record_second_read(
            read=read, by=moderator, judgements={c: v for c, v in first.items() if c in codes}
        )


def step(page, name):
    return page.locator("#inspection-steps").get_by_role("link", name=name)


def test_a_lead_runs_an_inspection_from_its_page(page, axe, sign_in, hmip_2018, make_user):
    provider, lead, (asha, ben), moderator = people(make_user)
    sign_in(page, lead.username)

    # Create the inspection.
    page.goto("/inspections/")
    page.get_by_role("button", name="Create an inspection").click()
    page.get_by_label("Title").fill("Lakeside autumn audit")
    page.get_by_label(f"{hmip_2018.title} (version {hmip_2018.version})").check()
    page.get_by_label("Lakeside PDU (PDU-L)").check()
    for prefix, (day, month, year) in (
        ("period_start", ("1", "6", "2026")),
        ("period_end", ("30", "11", "2026")),
    ):
        page.locator(f"#id_{prefix}_0").fill(day)
        page.locator(f"#id_{prefix}_1").fill(month)
        page.locator(f"#id_{prefix}_2").fill(year)
    page.get_by_role("button", name="Create inspection").click()
    expect(page.get_by_role("heading", name="Lakeside autumn audit", level=1)).to_be_visible()
    expect(page.locator("#step-fieldwork-status")).to_have_text("Cannot start yet")
    axe(page, "lead-inspection-new")
    shoot(page, "inspection-steps-new")

    # Draw a sample from the inspection: too small a sample is questioned, with its margin.
    step(page, "Draw a sample").click()
    expect(page.get_by_label("Lakeside PDU (PDU-L)")).to_be_checked()
    page.get_by_label("Sample size").fill("6")
    page.get_by_role("button", name="Draw the sample").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("gives a margin of error of")
    axe(page, "lead-sample-smaller")
    shoot(page, "inspection-sample-smaller")
    page.get_by_label("Draw it anyway, with the wider margin of error").check()
    page.get_by_role("button", name="Draw the sample").click()
    expect(page.get_by_text("6 cases added to the inspection")).to_be_visible()
    inspection = lead.inspections_led.get()
    assert SampledCase.objects.filter(inspection=inspection).count() == 6

    # Assign: select all, share evenly between the two assessors.
    step(page, "Assign cases").click()
    page.locator("#checkboxes-all").check(force=True)  # MoJ multi-select: "Select all"
    expect(page.get_by_label("Select L", exact=False).first).to_be_checked()
    page.get_by_label("Asha Assessor").check()
    page.get_by_label("Ben Assessor").check()
    page.get_by_role("button", name="Share selected cases evenly").click()
    expect(page.get_by_text("6 cases shared: Asha Assessor 3; Ben Assessor 3.")).to_be_visible()
    expect(page.get_by_text("3 here · 3 not yet submitted")).to_have_count(2)
    axe(page, "lead-assign-shared")
    shoot(page, "inspection-assign")
    page.get_by_role("link", name="Lakeside autumn audit").click()

    # Start fieldwork from the task list.
    step(page, "Start fieldwork").click()
    page.get_by_role("button", name="Start fieldwork").click()
    expect(page.get_by_text("Lakeside autumn audit is now in fieldwork.")).to_be_visible()
    expect(page.locator("#step-fieldwork-status")).to_have_text("In progress")
    axe(page, "lead-inspection-fieldwork")

    assessors_score_everything(inspection, hmip_2018)

    # Start moderation, then draw its sample on the moderation page.
    page.reload()
    step(page, "Start moderation").click()
    axe(page, "lead-start-moderation")
    page.get_by_role("button", name="Start moderation").click()
    expect(page.get_by_text("Lakeside autumn audit is now in moderation.")).to_be_visible()
    step(page, "Moderation").click()
    page.get_by_label("Random seed (optional)").fill("20261130")
    page.get_by_role("button", name="Draw the moderation sample").click()
    expect(page.get_by_text("selected for moderation with seed 20261130")).to_be_visible()

    moderator_agrees(inspection, lead, moderator)

    # Publish, from the inspection page's last step.
    page.goto(f"/inspections/{inspection.pk}/")
    expect(page.locator("#step-publish-status")).to_have_text("Not yet started")
    axe(page, "lead-inspection-ready")
    shoot(page, "inspection-steps-ready")
    step(page, "Publish").click()  # the page that checks what will be published
    axe(page, "lead-publish-check")
    reason = page.get_by_label("Why publish with an incomplete overall rating?")
    if reason.count():
        reason.fill("Judgement-rated standards are rated at the next round.")
        page.get_by_role("button", name="Publish as partial").click()
    else:
        page.get_by_role("button", name="Publish inspection").click()
    expect(page.get_by_text("Lakeside autumn audit is published.")).to_be_visible()
    page.goto(f"/inspections/{inspection.pk}/")
    expect(page.locator("#step-publish-status")).to_have_text("Completed")
    axe(page, "lead-inspection-published")
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.PUBLISHED
    assert sampling.sample_size(40, 95, 5) > 6  # the warning was due
