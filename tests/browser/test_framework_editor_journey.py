"""An admin makes the next version of the 2021 framework in the editor: clones it, adds a prompt
whose rule is built from choices, changes a band, reads what changed, and publishes. The new
version is then offered for new inspections and the one it replaced is not."""

import pytest
from playwright.sync_api import expect

from standards.models import Framework, FrameworkStatus, Prompt

from ..factories import UserFactory
from .best_practice import check_page

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_an_admin_publishes_the_next_version_and_leads_are_offered_it(
    page, sign_in, hmip_2018, hmip_2021, make_user
):
    UserFactory(username="ada", first_name="Ada", is_staff=True, is_superuser=True, roles=["admin"])
    sign_in(page, "ada")
    page.get_by_role("link", name="Admin", exact=True).click()
    page.get_by_role("link", name="Frameworks").click()
    page.get_by_role("link", name="HMIP PDU case supervision 2021").click()
    expect(
        page.get_by_role("heading", name="HMIP PDU case supervision 2021", level=1)
    ).to_be_visible()
    check_page(page, "editor-published")

    # Clone: the draft opens in the editor.
    page.get_by_role("button", name="Clone as a new draft").click()
    expect(
        page.get_by_text("Created draft HMIP PDU case supervision 2021 (2021.1)")
    ).to_be_visible()
    draft = Framework.objects.get(code=hmip_2021.code, version="2021.1")
    check_page(page, "editor-draft")

    # A prompt, with a rule built from choices and read back before it is added.
    page.get_by_role("link", name="Add a prompt to key question 2.1.3").click()
    form = page.locator("#add-prompt")
    expect(form.get_by_label("Code")).to_have_value("2.1.3.h")
    form.get_by_label("Wording").fill("Were the views of actual and potential victims sought?")
    form.get_by_label("Only when all the conditions chosen below are met").check()
    rosh = form.get_by_role("group", name="RoSH level", exact=True)
    rosh.get_by_label("Is one of").check()
    values = form.get_by_role("group", name="RoSH level is one of")
    expect(values).to_be_visible()  # revealed by the choice
    for level in ("Medium", "High", "Very high"):
        values.get_by_label(level, exact=True).check()
    check_page(page, "editor-add-prompt")
    form.get_by_role("button", name="Read the rule back").click()
    expect(
        page.get_by_text("The rule reads: Asked when the RoSH level is medium, high or very high")
    ).to_be_visible()
    assert not Prompt.objects.filter(
        key_question__standard__framework=draft, code="2.1.3.h"
    ).exists()
    page.locator("#add-prompt").get_by_role("button", name="Add prompt").click()
    expect(page.get_by_text("Added prompt 2.1.3.h.")).to_be_visible()
    added = Prompt.objects.get(key_question__standard__framework=draft, code="2.1.3.h")
    assert added.applicability == {"fact": "rosh_level", "in": ["medium", "high", "very_high"]}
    expect(page.locator(f"#prompt-{added.pk} + .app-editor__rule")).to_have_text(
        "Asked when the RoSH level is medium, high or very high."
    )

    # A band: a wrong one is refused with the message at the band, then corrected.
    page.get_by_role("link", name="Change the bands").click()
    page.get_by_label("Good from (%)").fill("85")
    page.get_by_role("button", name="Save the bands").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Outstanding starts at 80%, which is not above Good at 85%"
    )
    expect(page.locator("#div_id_lower_outstanding")).to_contain_text("which is not above Good")
    check_page(page, "editor-bands-error")
    page.get_by_label("Good from (%)").fill("70")
    page.get_by_role("button", name="Save the bands").click()
    expect(page.get_by_text("Bands saved.")).to_be_visible()

    # What changed, then publication.
    page.get_by_role("link", name="Check the changes and publish").click()
    expect(page.get_by_role("heading", name="Publish version 2021.1")).to_be_visible()
    bands = page.get_by_role("table", name="Rating bands")
    expect(
        bands.get_by_role("row", name="Good Lower bound 65% and above 70% and above")
    ).to_be_visible()
    prompts = page.get_by_role("table", name="Prompts")
    expect(prompts.get_by_role("row").filter(has_text="Prompt 2.1.3.h")).to_contain_text("Added")
    check_page(page, "publish-confirm")
    page.set_viewport_size({"width": 320, "height": 800})
    check_page(page, "publish-confirm-320", rules=False)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Publish version 2021.1").click()
    expect(page.get_by_text("Version 2021 is now superseded")).to_be_visible()
    hmip_2021.refresh_from_db()
    draft.refresh_from_db()
    assert (draft.status, hmip_2021.status) == (
        FrameworkStatus.PUBLISHED,
        FrameworkStatus.SUPERSEDED,
    )

    # A lead creating an inspection is offered the new version, not the superseded one.
    page.get_by_role("button", name="Sign out").click()
    lead = make_user("lead")
    sign_in(page, lead.username)
    page.goto("/inspections/new/")
    versions = page.get_by_role("group", name="Framework version")
    expect(versions.get_by_label("HMIP PDU case supervision 2021 (version 2021.1)")).to_be_visible()
    expect(versions.get_by_label("HMIP PDU case supervision 2021 (version 2021)")).to_have_count(0)
    expect(
        versions.get_by_label("HMIP case supervision 2018 (CRC and NPS) (version 2018)")
    ).to_be_visible()


def test_the_editor_reflows_at_320_pixels(page, sign_in, hmip_2021):
    from standards.services import clone_framework

    draft = clone_framework(framework=hmip_2021, version="2021.1")
    prompt = Prompt.objects.get(key_question__standard__framework=draft, code="2.1.3.b")
    UserFactory(username="ada", is_staff=True, is_superuser=True, roles=["admin"])
    sign_in(page, "ada")
    page.set_viewport_size({"width": 320, "height": 800})
    base = f"/admin/standards/framework/{draft.pk}/editor/"
    for name, url, rules in [
        ("editor-prompt-320", f"{base}?change=prompt-{prompt.pk}#prompt-{prompt.pk}", True),
        ("editor-bands-320", f"{base}?change=bands#bands", False),
        ("editor-details-320", f"{base}?change=details#details", False),
        ("import-320", "/admin/standards/framework/import/", True),
    ]:
        page.goto(url)
        check_page(page, name, rules=rules)
