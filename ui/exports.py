"""Cells that are safe to open in a spreadsheet: one rule for every CSV and XLSX the service writes.

A cell whose text begins with =, +, -, @ (or their full-width forms), a tab, a carriage return or
a line feed can be run as a formula by Excel, LibreOffice or Google Sheets (`=HYPERLINK(...)`
sends the reader to a stranger's site, `=cmd|...` has run programs). Case records, rationales and
provider names are data, never code, so such text is written with a leading apostrophe, which
spreadsheets show as plain text. Numbers (and text that is just a number, such as "-0.12") pass
through unchanged.

This module sits in `standards`, the lowest layer, so `cases` and `audit` can both use it.
"""

from __future__ import annotations

import csv
import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def safe_cell(value):
    """The value as an export should hold it: text a spreadsheet would evaluate is made inert."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        if PLAIN_NUMBER.fullmatch(value):
            return value
        return "'" + value
    return value


def safe_row(values) -> list:
    return [safe_cell(value) for value in values]


class SafeCSVWriter:
    """csv.writer whose rows are escaped cell by cell."""

    def __init__(self, stream, **kwargs):
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row):
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def safe_csv_writer(stream, **kwargs) -> SafeCSVWriter:
    return SafeCSVWriter(stream, **kwargs)
