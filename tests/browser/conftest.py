"""Real-browser journeys: Playwright driving Debian's chromium against a live server."""

import os
import re
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
VIEWPORT = {"width": 1280, "height": 900}
RESHOWN_FORM = re.compile(
    r"Failed to load resource: the server responded with a status of "
    r"(400|409|429) "
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make to set
# up data are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if Path(str(item.fspath)).parent.name == "browser":
            item.add_marker(pytest.mark.browser)
            if not os.path.exists(CHROMIUM):
                item.add_marker(pytest.mark.skip(reason=f"{CHROMIUM} is not installed"))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def browser_errors():
    """Console errors and uncaught exceptions of the test's pages; any left at the end fail it.

    A test that provokes an error on purpose (a 404 page, say) removes it from this list.
    """
    return []


@pytest.fixture
def page(browser, live_server, browser_errors):
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT)
    context.set_default_timeout(15_000)
    page = context.new_page()

    def on_console(message):
        if message.type != "error":
            return
        if message.location.get("url") == page.url and RESHOWN_FORM.match(message.text):
            # the page itself: a form re-shown with its errors (400), a stale save (409) or a
            # sign-in paused after too many wrong passwords (429)
            return
        browser_errors.append(f"console error on {page.url}: {message.text} {message.location}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: browser_errors.append(f"uncaught on {page.url}: {error}"))
    yield page
    context.close()
    assert not browser_errors, "The browser reported errors:\n" + "\n".join(browser_errors)


class AccessibilityError(AssertionError):
    pass


def axe_violations(page) -> list[dict]:
    """axe-core's WCAG 2.2 A/AA violations on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
    )
    return results.response["violations"]


def screenshot(page, name):
    """The first screenful of the page (quick, and the size the README shows)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


@pytest.fixture
def axe(browser_errors):
    """Check the current page against WCAG 2.2 A/AA; save a screenshot named after it.

    Fails with each rule broken and the elements breaking it, and with any browser error so far
    (a page that throws is not one a keyboard or screen-reader user can rely on).
    """

    def check(page, name):
        screenshot(page, name)
        assert not browser_errors, f"The browser reported errors on {name}:\n" + "\n".join(
            browser_errors
        )
        violations = axe_violations(page)
        if violations:
            lines = [f"{len(violations)} accessibility violation(s) on {name} ({page.url}):"]
            for violation in violations:
                lines.append(f"- {violation['id']}: {violation['help']}")
                for node in violation["nodes"]:
                    lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:200]}")
            raise AccessibilityError("\n".join(lines))

    return check


@pytest.fixture
def sign_in():
    def do(page, username, password="correct-horse-battery"):
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

    return do


DEMO_PASSWORD = "demo-password-2026"


@pytest.fixture
def demo_people(db):
    """The demo's providers (a region and its three PDUs) and users, without any audit data."""
    from audit.synthetic import demo

    pdus = demo.load_providers()
    demo.load_users(pdus)
    return {p.code: p for p in pdus}


@pytest.fixture
def demo_data(db):
    """The quick start's demo data, a little smaller: both HMIP versions, the West Midlands PDUs,
    an inspection in fieldwork with submitted and moderated reviews, a drawn sample, ratings and
    a published inspection a year earlier. Sign in as lead, assessor, moderator or manager with
    DEMO_PASSWORD."""
    from audit.synthetic import demo
    from standards.loaders import load_framework_file, shipped_files

    for path in shipped_files():
        load_framework_file(path)
    pdus = demo.load_providers()
    demo.load_cases(pdus, per_provider=60)
    demo.load_users(pdus)
    demo.load_inspection(pdus, per_pdu=10)
    demo.load_moderation()
    demo.load_drawn_sample(pdus)
    demo.load_rollup_demo(pdus)
    return {p.code: p for p in pdus}
