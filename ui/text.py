"""Free text typed into the service: what it may not contain.

Control characters have no place in a rationale, a note or a title: NUL cannot be stored by
PostgreSQL at all, the others are invisible, and the bidirectional overrides can make text read
differently from what it holds. Tabs and line breaks are allowed (text areas have lines).
Used by every GOV.UK form (`ui.forms`) and by the imports.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
FORBIDDEN_IN_A_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def control_character(text: str, *, multiline: bool = True) -> str | None:
    """A description of the first forbidden character in the text, or None if there is none."""
    if not isinstance(text, str):
        return None
    match = (FORBIDDEN if multiline else FORBIDDEN_IN_A_LINE).search(text)
    if match is None:
        return None
    char = match.group()
    if char == "\x00":
        return "a null character"
    return f"a control character (U+{ord(char):04X})"


@deconstructible
class NoControlCharacters:
    """A form-field validator: refuses text holding control characters, saying what to remove."""

    code = "control_characters"

    def __init__(self, multiline: bool = True):
        self.multiline = multiline

    def __call__(self, value):
        found = control_character(value, multiline=self.multiline)
        if found:
            raise ValidationError(
                f"Remove {found} from this text: it may have been pasted in from another "
                "program, and it cannot be saved.",
                code=self.code,
            )

    def __eq__(self, other):
        return isinstance(other, NoControlCharacters) and other.multiline == self.multiline
