"""The accessibility check fails when a page breaks the rules, naming the rule and the element,
and a browser error fails it too."""

import pytest

from .conftest import AccessibilityError

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_broken_label_fails_the_check(page, axe):
    page.goto("/accounts/login/")
    axe(page, "sign-in-intact")  # the page as served passes

    page.locator('label[for="id_username"]').evaluate("label => label.removeAttribute('for')")
    with pytest.raises(AccessibilityError) as failure:
        axe(page, "sign-in-broken-label")
    message = str(failure.value)
    assert "- label: Form elements must have labels" in message
    assert "#id_username" in message
    assert "#id_password" not in message  # only the element broken is reported


def test_aria_controls_naming_nothing_fails_the_check(page, axe, sign_in, hmip_2018, make_user):
    """The fault the second-read radios had: aria-controls on an option that reveals nothing."""
    from ..audit.scoring_support import scoring_setup

    setup = scoring_setup(hmip_2018, make_user, cases=1)
    sign_in(page, setup["assessor"].username)
    page.goto(f"/inspections/{setup['inspection'].pk}/cases/X000001/standards/2.1/")
    page.locator("#id_kq_2_1_1_0").evaluate(
        "radio => radio.setAttribute('aria-controls', 'conditional_kq_2_1_1_0')"
    )
    with pytest.raises(AccessibilityError) as failure:
        axe(page, "standard-broken-aria")
    assert "- aria-valid-attr-value: ARIA attributes must conform to valid values" in str(
        failure.value
    )
    assert "#id_kq_2_1_1_0" in str(failure.value)


def test_a_script_error_fails_the_check(page, axe, browser_errors):
    page.goto("/accounts/login/")
    page.evaluate("() => setTimeout(() => { throw new Error('reveal broke') }, 0)")
    page.wait_for_timeout(50)
    with pytest.raises(AssertionError, match="reveal broke"):
        axe(page, "sign-in-script-error")
    browser_errors.clear()  # seen; the test itself passes


def test_an_error_page_fails_the_check(page, axe, sign_in, browser_errors, make_user):
    sign_in(page, make_user("lead").username)
    page.goto("/inspections/999999/")
    with pytest.raises(AssertionError, match="status of 404"):
        axe(page, "not-found")
    browser_errors.clear()
