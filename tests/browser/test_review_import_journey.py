"""A lead imports scored reviews: the file is checked by a job (here run at once, in-process),
the preview gives the figures to be written, then confirming imports them and returns to the
inspection. The upload with problems lists them by row. Every page passes axe and reflows at
320 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from audit.models import ReviewStatus

from ..audit.scoring.test_import_reviews import complete_rows, csv_bytes
from ..audit.scoring_support import review_of, scoring_setup
from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def at_320(page, name):
    page.set_viewport_size({"width": 320, "height": 800})
    screenshot(page, f"{name}-320")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_lead_previews_then_imports_scored_reviews(
    page, axe, sign_in, hmip_2018, make_user, tmp_path
):
    setup = scoring_setup(hmip_2018, make_user, cases=2)
    inspection = setup["inspection"]
    bad = tmp_path / "bad-scores.csv"
    bad.write_bytes(
        csv_bytes(
            [["X000404", "2.1.1.a", "yes", "", ""], ["X000001", "2.1.1.a", "perhaps", "", ""]]
        )
    )
    good = tmp_path / "scores.csv"
    good.write_bytes(
        csv_bytes(
            complete_rows(hmip_2018, "X000001") + [["X000002", "home_visit_needed", "no", "", ""]]
        )
    )
    sign_in(page, setup["lead"].username)

    page.goto(f"/inspections/{inspection.pk}/import/")
    page.get_by_label("Upload a file of scored reviews").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "The scored reviews cannot be imported"
    )
    expect(page.locator("table")).to_contain_text("X000404 is not a sampled case")
    axe(page, "review-import-problems")
    at_320(page, "review-import-problems")

    page.get_by_role("link", name="Upload a corrected file").click()
    page.get_by_label("Upload a file of scored reviews").set_input_files(str(good))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the scored reviews")
    summary = page.locator(".govuk-summary-list")
    expect(summary).to_contain_text("Complete, to be submitted")
    axe(page, "review-import-preview")
    at_320(page, "review-import-preview")
    assert review_of(inspection, "X000001").status != ReviewStatus.SUBMITTED

    page.get_by_role("button", name="Import").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(inspection.title)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "1 complete and submitted, 1 in progress"
    )
    assert review_of(inspection, "X000001").status == ReviewStatus.SUBMITTED
