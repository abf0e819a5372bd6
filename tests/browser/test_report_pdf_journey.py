"""A manager asks for the national picture as a PDF: the link shows the job's page, which offers
the file once made; the page passes axe and reflows at 320 pixels."""

import pytest
from playwright.sync_api import expect

from .conftest import DEMO_PASSWORD, screenshot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_manager_downloads_the_national_picture_as_a_pdf(
    page, axe, sign_in, demo_data, live_server
):
    sign_in(page, "manager", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/reports/national/")
    page.get_by_role("link", name="Download as PDF").click()
    expect(page.get_by_role("heading", name="PDF of the national picture", level=1)).to_be_visible()
    axe(page, "report-pdf-job-done")
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download").click()
    download = downloading.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    page.set_viewport_size({"width": 320, "height": 640})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    screenshot(page, "report-pdf-job-done-320")
