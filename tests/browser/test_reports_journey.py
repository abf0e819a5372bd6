"""A manager opens the inspection report on the demo data, breaks the key questions down by a case
characteristic with a filter, downloads that table as CSV, then looks at a provider's trend and
the league table. Every page passes axe."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from audit.models import COUNTED_REVIEW_STATUSES, Judgement
from audit.synthetic.demo import DEMO_INSPECTION_TITLE

from .conftest import DEMO_PASSWORD, screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

CAPTION = "Key questions by practitioner grade (Gender: Male)"


def expected_cell(code, grade):
    """The breakdown cell computed from the judgements themselves: sufficient of applicable,
    the lead's resolution counting where there is one."""
    judgements = Judgement.objects.filter(
        key_question__code=code,
        review__status__in=COUNTED_REVIEW_STATUSES,
        review__sampled_case__inspection__title=DEMO_INSPECTION_TITLE,
        review__sampled_case__case__gender="male",
        review__sampled_case__case__practitioner_grade=grade,
    ).select_related("resolution")
    values = [getattr(j, "resolution", None) and j.resolution.value or j.value for j in judgements]
    applicable = [v for v in values if v in ("sufficient", "not_sufficient")]
    return applicable.count("sufficient"), len(applicable)


def test_manager_filters_a_breakdown_and_downloads_it(page, axe, sign_in, demo_data):
    sign_in(page, "manager", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Reports", level=1)).to_be_visible()
    axe(page, "reports-index")

    page.get_by_role("link", name=DEMO_INSPECTION_TITLE).first.click()
    expect(page.get_by_role("heading", name=DEMO_INSPECTION_TITLE, level=1)).to_be_visible()
    axe(page, "inspection-report")
    page.get_by_role("heading", name="Key questions", exact=True).evaluate(
        "heading => heading.scrollIntoView()"
    )
    screenshot(page, "inspection-report-chart")

    breakdown_nav = page.get_by_role("navigation", name="Breakdown")
    breakdown_nav.get_by_role("link", name="Practitioner grade").click()
    expect(breakdown_nav.get_by_text("Practitioner grade")).to_have_attribute(
        "aria-current", "page"
    )
    page.get_by_label("Gender").select_option(label="Male")
    page.get_by_role("button", name="Apply filters").click()
    assert "gender=male" in page.url and "by=practitioner_grade" in page.url
    table = page.get_by_role("table", name=CAPTION)
    expect(table).to_be_visible()
    axe(page, "inspection-report-filtered")

    headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    screen = {
        row.locator("th").inner_text().strip(): [
            c.strip() for c in row.locator("td").all_inner_texts()
        ]
        for row in table.locator("tbody tr").all()
    }
    with page.expect_download() as download_info:
        page.get_by_role("link", name=f"CSV of {CAPTION}").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(open(download.path(), encoding="utf-8-sig").read())))

    assert rows[0] == headers == ["Key question", "Probation officer", "Probation services officer"]
    assert [row[0] for row in rows[1:]] == list(screen) and len(screen) == 12
    for code, *cells in rows[1:]:
        for grade, value, shown in zip(["po", "pso"], cells, screen[code]):
            sufficient, applicable = expected_cell(code, grade)
            if applicable >= 5:
                percent = 100 * sufficient / applicable
                assert abs(float(value) - percent) <= 0.05, (code, grade)  # one decimal place
                assert shown.startswith(f"{int(percent + 0.5)}%"), (code, grade, shown)
                assert f"{sufficient} of {applicable}" in shown
            else:
                assert (
                    value
                    == shown.split("\n")[0]
                    == ("no cases" if applicable == 0 else "fewer than 5 cases")
                ), (code, grade)

    # A provider's trend over the two inspections, and the league table.
    page.get_by_role("link", name="Reports", exact=True).first.click()
    page.get_by_role("link", name="Wolverhampton").first.click()
    expect(page.get_by_role("heading", name="Wolverhampton", level=1)).to_be_visible()
    expect(page.get_by_text("spring 2025").first).to_be_visible()
    axe(page, "provider-trend")

    page.get_by_role("link", name="Reports", exact=True).first.click()
    page.get_by_role("link", name=re.compile("league table", re.I)).first.click()
    expect(page.get_by_role("heading", name="League table", level=1)).to_be_visible()
    league = page.locator("#table-league table")
    expect(league.locator("tbody tr")).to_have_count(3)
    axe(page, "league-table")

    # Sorted in the browser by the MoJ sortable table: the header links become buttons.
    score = league.get_by_role("button", name="Score")
    score_heading = league.locator("thead th").filter(has_text=re.compile(r"^\s*Score"))
    score.click()
    expect(score_heading).to_have_attribute("aria-sort", "ascending")
    ascending = [
        float(v)
        for v in league.locator("tbody tr td[data-sort-value]").evaluate_all(
            "cells => cells.filter(c => c.cellIndex === "
            + str(score.evaluate("b => b.closest('th').cellIndex"))
            + ").map(c => c.dataset.sortValue)"
        )
    ]
    assert ascending == sorted(ascending) and len(ascending) == 3
    score.click()
    expect(score_heading).to_have_attribute("aria-sort", "descending")
    expect(
        page.get_by_role("status").filter(has_text="Sort by Score (descending)")
    ).to_be_attached()
    axe(page, "league-table-sorted")
