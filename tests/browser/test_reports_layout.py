"""Reports at the sizes managers use: at 1,280 px the inspection report shows every standard and
the overall rating without scrolling the page sideways; at 320 px nothing but the focusable table
regions scrolls. The national picture and the provider trend pass axe."""

import pytest
from playwright.sync_api import expect

from audit.models import Inspection, InspectionStatus
from audit.synthetic.demo import DEMO_INSPECTION_TITLE

from .conftest import DEMO_PASSWORD, screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PAGE_SCROLLS_SIDEWAYS = "document.documentElement.scrollWidth > window.innerWidth"


def inside_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    return (
        box is not None and box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"]
    )


def test_inspection_report_fits_at_1280_and_reflows_at_320(page, axe, sign_in, demo_data):
    sign_in(page, "manager", DEMO_PASSWORD)
    inspection = Inspection.objects.get(title=DEMO_INSPECTION_TITLE)
    page.goto(f"/reports/inspections/{inspection.id}/")
    expect(page.get_by_role("heading", name="Provisional", level=2)).to_be_visible()
    table = page.get_by_role("table", name="Ratings by provider")
    overall = table.get_by_role("columnheader", name="Overall rating")
    assert not page.evaluate(PAGE_SCROLLS_SIDEWAYS)
    assert inside_viewport(page, overall)
    for header in table.locator("thead th").all():
        assert inside_viewport(page, header), header.inner_text()
    region = page.get_by_role("region", name="Ratings by provider")
    assert region.evaluate("r => r.scrollWidth <= r.clientWidth")  # nothing hidden at 1,280 px
    table.scroll_into_view_if_needed()
    screenshot(page, "inspection-report-ratings-1280")
    axe(page, "inspection-report-explained")

    page.set_viewport_size({"width": 320, "height": 800})
    assert not page.evaluate(PAGE_SCROLLS_SIDEWAYS)
    region.focus()  # a keyboard user scrolls the wide table inside its region
    page.keyboard.press("ArrowRight")
    first = table.locator("tbody th").first
    assert inside_viewport(page, first)  # the provider column stays in view
    screenshot(page, "inspection-report-ratings-320")


def test_printed_report_is_a4_landscape_without_link_addresses(page, sign_in, demo_data):
    import io

    from pypdf import PdfReader

    sign_in(page, "manager", DEMO_PASSWORD)
    inspection = Inspection.objects.get(title=DEMO_INSPECTION_TITLE)
    page.goto(f"/reports/inspections/{inspection.id}/")
    page.emulate_media(media="print")
    reader = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True, print_background=True)))
    first = reader.pages[0].mediabox
    assert (round(float(first.width)), round(float(first.height))) == (842, 595)  # A4 landscape
    text = " ".join(p.extract_text() for p in reader.pages)
    assert "Overall rating" in text and "Wolverhampton" in text
    assert "/reports/" not in text and "http" not in text


def test_national_picture_and_trend_pass_axe(page, axe, sign_in, demo_data):
    sign_in(page, "manager", DEMO_PASSWORD)
    page.goto("/reports/")
    page.get_by_role("link", name="National picture", exact=False).click()
    expect(page.get_by_role("heading", name="National picture", level=1)).to_be_visible()
    expect(page.get_by_role("table", name="Overall ratings of providers")).to_be_visible()
    assert not page.evaluate(PAGE_SCROLLS_SIDEWAYS)
    axe(page, "national-picture")
    page.set_viewport_size({"width": 320, "height": 800})
    assert not page.evaluate(PAGE_SCROLLS_SIDEWAYS)
    screenshot(page, "national-picture-320")
    page.set_viewport_size({"width": 1280, "height": 900})

    published = Inspection.objects.filter(status=InspectionStatus.PUBLISHED).first()
    code = published.providers.order_by("name").first().code
    page.goto(f"/reports/providers/{code}/?provisional=1")
    expect(page.get_by_role("img", name="Key-question sufficiency by inspection")).to_be_visible()
    axe(page, "provider-trend-chart")


def test_reports_index_lists_the_managers_regions_at_1280_and_320(page, axe, sign_in, demo_data):
    from django.contrib.auth import get_user_model

    from audit.reports.area_forms import regions_visible_to
    from audit.synthetic.demo import REGION

    sign_in(page, "manager", DEMO_PASSWORD)
    page.goto("/reports/")
    expect(page.get_by_role("heading", name="Regions", level=2)).to_be_visible()
    manager = get_user_model().objects.get(username="manager")
    names = [r.name for r in regions_visible_to(manager)]
    assert REGION[1] in names
    links = page.locator("h2:text-is('Regions') + p + ul a")
    assert links.all_inner_texts() == names
    assert not page.evaluate(PAGE_SCROLLS_SIDEWAYS)
    axe(page, "reports-index-1280")
    page.get_by_role("heading", name="Regions", level=2).evaluate("e => e.scrollIntoView()")
    screenshot(page, "reports-index-regions-1280")
    page.set_viewport_size({"width": 320, "height": 800})
    assert not page.evaluate(PAGE_SCROLLS_SIDEWAYS)
    page.get_by_role("heading", name="Regions", level=2).evaluate("e => e.scrollIntoView()")
    screenshot(page, "reports-index-320")
    page.set_viewport_size({"width": 1280, "height": 900})

    links.filter(has_text=REGION[1]).click()
    expect(page.get_by_role("heading", name=REGION[1], level=1)).to_be_visible()
    assert page.url.endswith(f"/reports/areas/{REGION[0]}/")
