"""The rest of the service on the quick start's demo data, as a lead, a manager and an assessor:
inspections and assignment, a submitted review's answers and history, providers and strata,
sampling, moderation with agreement statistics, a provider's report and the lead's standard
ratings, the caseload upload and its preview. Every page passes axe, error states included."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from audit.models import Inspection, ReviewStatus, SampledCase, StandardJudgement
from audit.synthetic.demo import DEMO_INSPECTION_TITLE
from cases.models import Case, Sample

from .conftest import DEMO_PASSWORD, screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

EXAMPLE_CASELOAD = Path(__file__).resolve().parents[2] / "docs" / "examples" / "caseload.csv"
BROKEN_CASELOAD = (
    "crn,provider,sentence_type,start_date,rosh_level,gender\n"
    "E900001,PDU-WOL,community_order,2026-02-30,medium,male\n"
    "E900002,PDU-NOWHERE,licence,2026-03-01,extreme,male\n"
)


def menu(page, label):
    page.get_by_role("navigation", name="Menu").get_by_role("link", name=label).click()


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/")


def test_lead_pages(page, axe, sign_in, demo_data):
    inspection = Inspection.objects.get(title=DEMO_INSPECTION_TITLE)
    submitted = (
        SampledCase.objects.filter(inspection=inspection, review__status=ReviewStatus.SUBMITTED)
        .order_by("case__crn")
        .select_related("case")
        .first()
    )
    sign_in(page, "lead", DEMO_PASSWORD)
    axe(page, "lead-home")

    # Inspections: list, detail, assignment (with its error), a submitted review.
    menu(page, "Inspections")
    axe(page, "inspection-list")
    page.get_by_role("link", name=DEMO_INSPECTION_TITLE).click()
    expect(page.get_by_role("heading", name=DEMO_INSPECTION_TITLE, level=1)).to_be_visible()
    axe(page, "inspection-detail")
    page.get_by_role("link", name="Assign cases").click()
    expect(page.get_by_role("heading", name="Assign cases")).to_be_visible()
    axe(page, "inspection-assign")
    page.get_by_role("button", name="Assign selected cases", exact=True).click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    axe(page, "inspection-assign-errors")
    unstarted = (
        SampledCase.objects.filter(inspection=inspection, review__status=ReviewStatus.NOT_STARTED)
        .order_by("case__crn")
        .select_related("case", "assessor")
        .first()
    )
    other = "Ben Assessor" if unstarted.assessor.username == "assessor" else "Asha Assessor"
    page.get_by_label(f"Select {unstarted.case.crn}").check()
    page.get_by_label("Assessor", exact=True).select_option(label=other)
    page.get_by_role("button", name="Assign selected cases", exact=True).click()
    expect(page.locator(".govuk-notification-banner")).to_be_visible()
    axe(page, "inspection-assigned")
    unstarted.refresh_from_db()
    assert unstarted.assessor.get_full_name() == other

    page.get_by_role("link", name=submitted.case.crn, exact=True).click()
    expect(page.get_by_role("heading", name=f"Review of case {submitted.case.crn}")).to_be_visible()
    axe(page, "lead-review-tasks")
    page.get_by_role("link", name="Check answers").click()
    expect(
        page.get_by_role("heading", name=f"Answers for case {submitted.case.crn}")
    ).to_be_visible()
    axe(page, "lead-check-answers")
    page.get_by_role("link", name="See the history of changes").click()
    expect(page.get_by_role("heading", name="History of changes")).to_be_visible()
    expect(page.get_by_role("cell", name="Submitted").first).to_be_visible()
    axe(page, "review-history")
    page.go_back()
    page.get_by_role("button", name="Return to the assessor").click()
    axe(page, "review-return")
    page.get_by_role("button", name="Return review").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    axe(page, "review-return-errors")

    # Inspection forms: create (with its errors), add a sample, import.
    page.goto("/inspections/new/")
    axe(page, "inspection-new")
    page.get_by_role("button", name=re.compile("^(Create|Save)")).click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    axe(page, "inspection-new-errors")
    page.goto(f"/inspections/{inspection.pk}/sample/")
    axe(page, "inspection-add-sample")
    page.goto(f"/inspections/{inspection.pk}/import/")
    axe(page, "inspection-import")

    # Providers, strata and sampling.
    menu(page, "Caseloads")
    axe(page, "providers")
    page.get_by_role("link", name="Wolverhampton", exact=True).click()
    expect(page.get_by_role("heading", name="Wolverhampton", level=1)).to_be_visible()
    axe(page, "provider-detail")
    page.get_by_role("link", name="Draw a sample").first.click()
    axe(page, "sample-new")
    page.get_by_role("group", name="Window start").get_by_label("Day").fill("1")
    page.get_by_role("group", name="Window start").get_by_label("Month").fill("1")
    page.get_by_role("group", name="Window start").get_by_label("Year").fill("2026")
    page.get_by_role("group", name="Window end").get_by_label("Day").fill("31")
    page.get_by_role("group", name="Window end").get_by_label("Month").fill("5")
    page.get_by_role("group", name="Window end").get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Check the caseload").click()
    expect(page.get_by_role("heading", name="Eligible caseload: 60 cases")).to_be_visible()
    expect(page.get_by_role("heading", name="The eligible caseload")).to_be_visible()
    axe(page, "sample-strata")
    page.get_by_label("Random seed (optional)").fill("20260601")
    page.get_by_role("button", name="Draw the sample").click()
    expect(page.get_by_text(re.compile(r"Sample of \d+ cases drawn\."))).to_be_visible()
    axe(page, "sample-drawn")
    drawn = Sample.objects.get(seed=20260601)
    assert list(drawn.providers.values_list("code", flat=True)) == ["PDU-WOL"]
    assert drawn.cases.count() == drawn.requested_size > 0
    page.goto("/cases/samples/")
    axe(page, "sample-list")

    # Moderation with agreement statistics from the demo's second reads.
    menu(page, "Moderation")
    axe(page, "moderation-index-demo")
    page.get_by_role("link", name=DEMO_INSPECTION_TITLE).click()
    expect(page.get_by_role("heading", name="Agreement between readers")).to_be_visible()
    expect(page.get_by_role("table", name="By assessor", exact=True)).to_be_visible()
    axe(page, "moderation-demo")
    page.get_by_role("heading", name="Agreement between readers").evaluate(
        "heading => heading.scrollIntoView()"
    )
    screenshot(page, "moderation-agreement-demo")

    # The lead's ratings for one provider: an override needs a rationale.
    menu(page, "Reports")
    page.get_by_role("link", name=DEMO_INSPECTION_TITLE).first.click()
    page.get_by_role("navigation", name="Results for").get_by_role(
        "link", name="Wolverhampton"
    ).click()
    expect(
        page.get_by_role("heading", name=f"{DEMO_INSPECTION_TITLE}: Wolverhampton")
    ).to_be_visible()
    axe(page, "inspection-report-provider")
    page.get_by_role("link", name="Enter standard ratings and overrides for Wolverhampton").click()
    axe(page, "standard-ratings")
    page.get_by_role("link", name="Override standard 2.1").click()
    axe(page, "standard-rating-override")
    page.get_by_role("button", name="Save rating").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    axe(page, "standard-rating-errors")
    page.get_by_label("Good", exact=True).check()
    page.get_by_label("Rationale").fill("Assessments seen in fieldwork interviews were thorough.")
    page.get_by_role("button", name="Save rating").click()
    expect(page.get_by_text("The rating of standard 2.1 was saved.")).to_be_visible()
    assert (
        StandardJudgement.objects.get(
            inspection=inspection, provider__code="PDU-WOL", standard__code="2.1"
        ).rating
        == "good"
    )
    sign_out(page)

    # An assessor's cases in the same inspection, and a standard part-scored.
    sign_in(page, "assessor", DEMO_PASSWORD)
    menu(page, "My cases")
    expect(page.get_by_role("table", name=DEMO_INSPECTION_TITLE)).to_be_visible()
    axe(page, "my-cases-demo")
    started = (
        SampledCase.objects.filter(
            inspection=inspection,
            assessor__username="assessor",
            review__status__in=[ReviewStatus.IN_PROGRESS, ReviewStatus.NOT_STARTED],
        )
        .order_by("review__status", "case__crn")
        .select_related("case")
        .first()
    )
    page.get_by_role("link", name=started.case.crn, exact=True).click()
    axe(page, "review-tasks-demo")
    page.get_by_role("link", name=re.compile(r"^2\.1 ")).click()
    expect(page.get_by_role("heading", name=re.compile(r"^2\.1 "), level=1)).to_be_visible()
    axe(page, "standard-demo")


def test_manager_uploads_a_caseload(page, axe, sign_in, demo_people):
    sign_in(page, "manager", DEMO_PASSWORD)
    menu(page, "Caseloads")
    page.get_by_role("link", name="Upload a caseload").first.click()
    expect(page.get_by_role("heading", name="Upload a caseload")).to_be_visible()
    axe(page, "caseload-upload")

    page.get_by_role("button", name="Check the file").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    axe(page, "caseload-upload-errors")

    page.get_by_label("Caseload file").set_input_files(
        files=[{"name": "broken.csv", "mimeType": "text/csv", "buffer": BROKEN_CASELOAD.encode()}]
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="The caseload cannot be imported")).to_be_visible()
    problems = page.get_by_role("table", name="Problems in the caseload file, by row and column")
    expect(problems.get_by_role("row")).to_have_count(4)  # header and three problems
    axe(page, "caseload-problems")

    page.get_by_role("link", name="Upload a corrected file").click()
    page.get_by_label("Caseload file").set_input_files(EXAMPLE_CASELOAD)
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="Check the caseload")).to_be_visible()
    axe(page, "caseload-preview")
    assert not Case.objects.filter(crn="E100001").exists()
    page.get_by_role("button", name="Import 10 cases").click()
    expect(page.locator(".govuk-notification-banner")).to_be_visible()
    axe(page, "caseload-imported")
    assert Case.objects.filter(crn__startswith="E1").count() == 10


def _fits(page, name, show=None):
    """Screenshots at desktop and 320 px (of `show`, scrolled to); nothing may scroll
    sideways."""
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        if show is not None:
            show.scroll_into_view_if_needed()
        screenshot(page, f"{name}-{width}")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
            f"{name} scrolls sideways at {width} px"
        )
    page.set_viewport_size({"width": 1280, "height": 900})


def test_manager_cancels_a_previewed_caseload(page, axe, sign_in, demo_people, private_upload_dir):
    sign_in(page, "manager", DEMO_PASSWORD)
    menu(page, "Caseloads")
    page.get_by_role("link", name="Upload a caseload").first.click()
    page.get_by_label("Caseload file").set_input_files(EXAMPLE_CASELOAD)
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="Check the caseload")).to_be_visible()
    _fits(
        page,
        "caseload-preview-cancel",
        page.get_by_role("button", name="Cancel and delete the file"),
    )
    assert len(list(private_upload_dir.iterdir())) == 1
    page.get_by_role("button", name="Cancel and delete the file").click()
    expect(
        page.get_by_text("The caseload was not imported, and the file you uploaded is deleted.")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Upload a caseload")).to_be_visible()
    axe(page, "caseload-cancelled")
    assert list(private_upload_dir.iterdir()) == []
    assert not Case.objects.filter(crn__startswith="E1").exists()


def test_lead_reads_the_report_of_an_inspection_whose_case_data_was_purged(
    page, axe, sign_in, demo_data, settings
):
    import datetime

    from django.utils import timezone

    from audit.retention.services import purge_case_data
    from audit.synthetic.demo import DEMO_PREVIOUS_INSPECTION_TITLE

    settings.CASE_DATA_RETENTION_DAYS = 30
    purge_case_data(before=timezone.localdate() - datetime.timedelta(days=30))
    previous = Inspection.objects.get(title=DEMO_PREVIOUS_INSPECTION_TITLE)
    assert previous.case_data_purged_at is not None
    sign_in(page, "lead", DEMO_PASSWORD)
    page.goto(f"/reports/inspections/{previous.id}/?by=ethnicity")
    expect(page.get_by_text("The case records of this inspection were removed on")).to_be_visible()
    expect(page.get_by_role("heading", name="Breakdowns")).to_be_visible()
    axe(page, "report-purged-inspection")
    _fits(page, "report-purged-inspection")
