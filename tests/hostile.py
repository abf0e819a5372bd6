"""Hypothesis strategies for hostile input, shared by the fuzz tests.

Values an attacker, a broken export or a careless paste might send: formula-injection cells,
control characters and NUL bytes, bidirectional overrides, very long text, quotes and
separators, and text that looks nearly right.
"""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

FORMULAS = [
    '=HYPERLINK("http://x.example","y")',
    "=1+1",
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3",
    "=cmd|' /C notepad'!'A1'",
    "\t=1+1",
    "\r=1+1",
    "\uff1d1+1",
]
NASTY = [
    "\x00",
    "a\x00b",
    "X000001\x00",
    "\x07",
    "\x1b[31m",
    "\u202eevil",
    "\u2066x\u2069",
    "\x85",
    "\r\n",
    "\n",
    "\t",
    "'",
    '"',
    '""',
    ",",
    ";",
    "\\",
    "%00",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "é",
    "😀",
    "\ufeff",
    "\u200b",
    " ",
    "",
    "0",
    "-1",
    "1e309",
    "NaN",
    "A" * 300,
    "A" * 6000,
]

# A fuzz run: modest, so the suite stays quick; no deadline (the database sets the pace).
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


def hostile_text(*plausible: str, max_size: int = 40):
    """Hostile values, random text and the plausible values given (so rows get deep enough
    into validation to meet the hostile ones)."""
    return st.one_of(
        st.sampled_from(FORMULAS + NASTY),
        st.sampled_from(list(plausible) or [""]),
        st.text(max_size=max_size),
        st.text(alphabet=st.characters(max_codepoint=0x9F), max_size=8),
        st.builds(
            lambda a, b: a + b,
            st.sampled_from(list(plausible) or ["x"]),
            st.sampled_from(FORMULAS + NASTY),
        ),
    )


ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"]


def encode_csv(rows, encoding: str, delimiter: str = ",") -> bytes:
    """Rows as a CSV file in the encoding given; what the encoding cannot hold is replaced."""
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    text = out.getvalue()
    if encoding.startswith("utf"):
        return text.encode(encoding, "surrogatepass")
    return text.encode(encoding, "replace")


def xlsx_file(rows) -> bytes:
    """Rows as a workbook. openpyxl cannot store control characters, so they are dropped."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", c) if isinstance(c, str) else c for c in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def a_file(rows_strategy):
    """(bytes, filename): the rows as CSV in some encoding or as XLSX, or random bytes."""
    as_csv = st.builds(
        lambda rows, encoding, delimiter, name: (encode_csv(rows, encoding, delimiter), name),
        rows_strategy,
        st.sampled_from(ENCODINGS),
        st.sampled_from([",", ";", "\t"]),
        st.sampled_from(["scores.csv", "scores.CSV", "scores.txt"]),
    )
    as_xlsx = st.builds(lambda rows: (xlsx_file(rows), "scores.xlsx"), rows_strategy)
    binary = st.tuples(
        st.binary(max_size=2000),
        st.sampled_from(["scores.csv", "scores.xlsx", "scores", "scores.exe"]),
    )
    return st.one_of(as_csv, as_xlsx, binary)
