"""A region's page and its funnel plot on the demo data, as the manager: axe clean, nothing but
the table regions scrolls sideways at 320 px, and the funnel plot's measure chosen without
script."""

import pytest
from playwright.sync_api import expect

from .conftest import DEMO_PASSWORD, screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PAGE_SCROLLS_SIDEWAYS = "document.documentElement.scrollWidth > window.innerWidth"


def test_regional_page_and_funnel_plot(page, axe, sign_in, demo_data):
    sign_in(page, "manager", DEMO_PASSWORD)
    page.goto("/reports/providers/REG-WM/")
    page.get_by_role("link", name="Figures of West Midlands pooled", exact=False).click()
    expect(page.get_by_role("heading", name="West Midlands: figures of the area")).to_be_visible()
    expect(page.get_by_role("table", name="Inspections used")).to_be_visible()
    chart = page.get_by_role("img", name="Funnel plot", exact=False)
    expect(chart).to_be_visible()
    assert not page.evaluate(PAGE_SCROLLS_SIDEWAYS)
    axe(page, "regional-page")
    page.locator("#funnel").scroll_into_view_if_needed()
    screenshot(page, "regional-funnel-1280")

    measure = page.get_by_label("Key question or focus measure")
    second = measure.locator("option").nth(1)
    wanted = second.get_attribute("value")
    measure.select_option(wanted)
    page.get_by_role("button", name="Show funnel plot").click()
    expect(page.get_by_label("Key question or focus measure")).to_have_value(wanted)
    expect(page.get_by_role("img", name=f"Funnel plot: {wanted}", exact=False)).to_be_visible()
    axe(page, "regional-funnel-measure")

    page.set_viewport_size({"width": 320, "height": 800})
    page.goto("/reports/areas/REG-WM/")
    assert not page.evaluate(PAGE_SCROLLS_SIDEWAYS)
    screenshot(page, "regional-page-320")
    page.locator("#funnel").scroll_into_view_if_needed()
    assert not page.evaluate(PAGE_SCROLLS_SIDEWAYS)
    screenshot(page, "regional-funnel-320")


def test_league_of_a_region_and_national_funnel_pass_axe(page, axe, sign_in, demo_data):
    sign_in(page, "manager", DEMO_PASSWORD)
    page.goto("/reports/league/?region=REG-WM&sort=difference")
    expect(page.get_by_role("img", name="Funnel plot", exact=False)).to_be_visible()
    assert not page.evaluate(PAGE_SCROLLS_SIDEWAYS)
    axe(page, "league-region-funnel")
    page.goto("/reports/national/")
    expect(page.get_by_role("img", name="Funnel plot", exact=False)).to_be_visible()
    axe(page, "national-funnel")
