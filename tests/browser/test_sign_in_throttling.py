"""A person who has typed the wrong password too often is told, on the sign-in page, what has
happened and when to try again; the page passes axe and reflows at 320 px."""

import pytest
from django.conf import settings

from .conftest import screenshot


@pytest.mark.slow
def test_too_many_wrong_passwords_are_explained_on_the_sign_in_page(page, axe, make_user):
    user = make_user("assessor")
    page.goto("/accounts/login/")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill("a-wrong-guess-1")
        page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    assert "Wait 30 minutes, then try again" in summary.inner_text()
    assert "Other people can still sign in" in summary.inner_text()
    assert page.evaluate("document.activeElement.closest('.govuk-error-summary') !== null")
    axe(page, "sign-in-paused")

    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    screenshot(page, "sign-in-paused-320")
    page.get_by_role("link", name="Wait 30 minutes, then try again").click()
    assert page.evaluate("document.activeElement.id") == "id_username"
