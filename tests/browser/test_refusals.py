"""The page for something a user may see but not change: it says who may, passes axe, and
reflows at 320 px; the inspection form offers other leads for the team."""

import pytest

from audit.accounts.roles import Role

from .conftest import axe_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def _no_sideways_scroll(page):
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def colleagues(make_user):
    from ..audit.moderation_support import published_framework
    from ..factories import InspectionFactory, ProviderFactory

    region = ProviderFactory(type="region", code="REG", name="Midlands region")
    pdu = ProviderFactory(code="PDU-W", name="Wolverhampton PDU", parent=region)
    lead = make_user(Role.LEAD, providers=[region], first_name="Leigh", last_name="Lead")
    colleague = make_user(Role.LEAD, providers=[region], first_name="Cal", last_name="Colleague")
    inspection = InspectionFactory(
        title="Wolverhampton 2026", framework=published_framework(), providers=[pdu], lead=lead
    )
    return inspection, lead, colleague


def test_a_lead_who_does_not_run_the_inspection_is_told_who_does(
    page, sign_in, browser_errors, colleagues
):
    inspection, _, colleague = colleagues
    sign_in(page, colleague.username)
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        response = page.goto(f"/inspections/{inspection.pk}/edit/")
        assert response.status == 403
        assert page.get_by_role("heading", level=1).inner_text() == (
            "You cannot change this inspection"
        )
        assert "Only the inspection’s lead (Leigh Lead), or a lead on its team" in (
            page.locator("main").inner_text()
        )
        screenshot(page, f"refused-inspection-edit-{width}")
        assert axe_violations(page) == []
        assert _no_sideways_scroll(page), width
    browser_errors.clear()  # the 403 status itself, reported by the browser


def test_the_inspection_form_offers_leads_for_the_team(page, sign_in, axe, colleagues):
    inspection, lead, _ = colleagues
    sign_in(page, lead.username)
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"/inspections/{inspection.pk}/edit/")
        assert page.get_by_label("Cal Colleague").count() == 1
        axe(page, f"inspection-form-team-{width}")
        assert _no_sideways_scroll(page), width
