"""An admin clones the published framework version in the admin to start the next one, and reads
the audit trail."""

import pytest

from audit.models import AuditEvent
from standards.models import Framework, FrameworkStatus

from ..factories import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_admin_clones_a_framework_version(page, axe, sign_in, hmip_2018):
    ada = UserFactory(username="ada", is_staff=True, is_superuser=True, roles=["admin"])
    page.goto("/")
    assert "/accounts/login/" in page.url
    axe(page, "sign-in")
    sign_in(page, "ada")
    axe(page, "home")

    page.get_by_role("link", name="HMIP case supervision 2018 (CRC and NPS)").click()
    page.get_by_role("heading", name="2.1 Assessment").wait_for()
    axe(page, "framework")

    page.get_by_role("link", name="Admin", exact=True).click()
    axe(page, "admin-index")
    page.goto("/admin/standards/framework/")
    axe(page, "admin-frameworks")
    page.get_by_role(
        "checkbox",
        name="Select this object for an action - HMIP case supervision 2018 (CRC and NPS) (2018)",
    ).check()
    page.get_by_label("Action:").select_option(label="Clone as new draft version")
    page.get_by_role("button", name="Go").click()
    page.get_by_text("Created draft").wait_for()
    axe(page, "admin-frameworks-cloned")

    draft = Framework.objects.get(code=hmip_2018.code, version="2018.1")
    assert draft.status == FrameworkStatus.DRAFT
    assert draft.standards.count() == 10

    # The draft is listed in the service with the standards it was cloned from.
    page.goto("/")
    draft_row = page.get_by_role(
        "row", name="HMIP case supervision 2018 (CRC and NPS) 2018.1 Draft"
    )
    draft_row.get_by_role("link").click()
    page.get_by_text("Framework version 2018.1 · Draft").wait_for()
    page.get_by_role("heading", name="2.1 Assessment").wait_for()
    axe(page, "framework-draft")

    # The audit trail is read in the service.
    AuditEvent.objects.create(
        user=ada,
        username="ada",
        action=AuditEvent.Action.EXPORTED,
        object_type="inspection",
        object_id="1",
        object_label="Spring audit: key questions CSV",
        path="/reports/inspections/1/key-questions.csv",
    )
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Audit trail").click()
    page.get_by_role("heading", name="Audit trail", level=1).wait_for()
    trail = page.get_by_role("table", name="Events, newest first")
    trail.get_by_role("cell", name="Spring audit: key questions CSV").wait_for()
    axe(page, "audit-trail")
