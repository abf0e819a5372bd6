"""Driving pages with the keyboard alone, as someone who cannot use a mouse would.

Focus only ever moves by Tab and Shift+Tab; radios are chosen with the arrow keys and Space,
text is typed, links and buttons are activated with Enter. The scripts run in the page only to
*read* where focus is, never to move it.
"""

from __future__ import annotations

MAX_PRESSES = 250

FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  return {tag: e.tagName.toLowerCase(), id: e.id, name: e.getAttribute('name'),
          type: e.getAttribute('type'), value: e.value, checked: !!e.checked,
          text: (e.innerText || '').trim().slice(0, 120)};
}"""

# Where focus is relative to `target`: "here", "ahead" (Tab moves towards it) or "behind".
WHERE = """([target, name]) => {
  const active = document.activeElement;
  if (active === target || (name && active && active.getAttribute('name') === name)) return 'here';
  if (!active || active === document.body) return 'ahead';
  return active.compareDocumentPosition(target) & Node.DOCUMENT_POSITION_FOLLOWING
    ? 'ahead' : 'behind';
}"""


class KeyboardError(AssertionError):
    pass


def focused(page) -> dict | None:
    return page.evaluate(FOCUSED)


def _tab_towards(page, target, name: str = "", *, limit: int = MAX_PRESSES) -> bool:
    for _ in range(limit):
        where = page.evaluate(WHERE, [target, name])
        if where == "here":
            return True
        page.keyboard.press("Tab" if where == "ahead" else "Shift+Tab")
    return False


def tab_to(page, locator) -> None:
    """Press Tab (or Shift+Tab, when the target is behind) until `locator` has focus."""
    if not _tab_towards(page, locator.element_handle()):
        raise KeyboardError(f"Could not reach {locator} with Tab; focus is on {focused(page)}")


def tab_into_group(page, name: str) -> dict:
    """Tab until focus is on one of the radios (or checkboxes) named `name`."""
    first = page.locator(f'input[name="{name}"]').first.element_handle()
    if not _tab_towards(page, first, name):
        raise KeyboardError(
            f"Could not reach the radios {name} with Tab; focus is on {focused(page)}"
        )
    return focused(page)


def choose(page, name: str, value: str) -> None:
    """Choose a radio by keyboard: Tab into its group, arrow to the option, Space to select."""
    now = tab_into_group(page, name)
    options = page.locator(f'input[name="{name}"]').count()
    for _ in range(options + 1):
        if now["value"] == value:
            if not now["checked"]:
                page.keyboard.press("Space")
            break
        page.keyboard.press("ArrowDown")
        now = focused(page)
    else:
        raise KeyboardError(f"No option {value!r} among the radios {name}")
    checked = page.locator(f'input[name="{name}"]:checked')
    assert checked.get_attribute("value") == value, f"{name}: {value} was not selected"


def type_into(page, locator, text: str) -> None:
    tab_to(page, locator)
    page.keyboard.type(text)


def press_enter_on(page, locator) -> None:
    """Tab to a link or button and press Enter, waiting for the page it leads to."""
    tab_to(page, locator)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def sign_in(page, username: str, password: str = "correct-horse-battery") -> None:
    page.goto("/accounts/login/")
    type_into(page, page.get_by_label("Username"), username)
    type_into(page, page.get_by_label("Password"), password)
    with page.expect_navigation():
        page.keyboard.press("Enter")
