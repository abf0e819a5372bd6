"""axe-core with its best-practice rules as well as WCAG 2.2 A/AA, and the page's width: for the
admin pages and the framework editor, which must neither fail a rule nor scroll sideways."""

from .conftest import WCAG_TAGS, AccessibilityError, screenshot


def check_page(page, name, *, rules=True):
    """Screenshot, then fail with any sideways scrolling at the page's width and (unless `rules`
    is off, for a page already checked at another width) every axe violation, best practice
    included."""
    screenshot(page, name)
    viewport = page.viewport_size["width"]
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= viewport, f"{name} ({page.url}) scrolls sideways: {scroll}px at {viewport}px"
    if not rules:
        return
    from axe_playwright_python.sync_playwright import Axe

    # preload off: axe would re-fetch stylesheets that @import (Django admin's forms.css) into
    # inline styles, which the content security policy refuses with a console error.
    results = Axe().run(
        page,
        options={
            "runOnly": {"type": "tag", "values": [*WCAG_TAGS, "best-practice"]},
            "resultTypes": ["violations"],
            "preload": False,
        },
    )
    violations = results.response["violations"]
    lines = [f"{len(violations)} accessibility violation(s) on {name} ({page.url}):"]
    for violation in violations:
        lines.append(f"- {violation['id']}: {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:200]}")
    if violations:
        raise AccessibilityError("\n".join(lines))
