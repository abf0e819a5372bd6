"""Rows of an uploaded CSV or XLSX file, read within the limits in docs/formats.md.

One reader for every import (caseloads in cases.importers, scored reviews in
audit.scoring.importers). Rows are yielded one at a time and never all held. A file past any limit
is refused with a plain reason before it can cost much: an XLSX workbook is a zip of XML parts, and
a small one can
unpack to gigabytes or declare a sheet of a hundred million rows, so the zip's own records and
then the XML itself are checked before openpyxl parses a cell:

- the number of parts and their unpacked sizes added up, as the zip declares them; then each XML
  part is unpacked in small pieces and counted, so a part that unpacks to more than it declared
  (a lying header) is refused when it does, not after;
- each worksheet's declared dimension (A1:M99999999) and its number of rows, blank ones included;
- the shared-strings table's number of strings and size;
- document type declarations, which workbooks never carry and entity expansion needs.

Counting is done on the unpacked bytes with bytes.count, which runs at memory speed; an XML
parser calling Python for each element would cost more than reading the file. A count can only
err upwards (text that happens to read "<row"), which refuses a file at worst a row early.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import itertools
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from openpyxl.utils.cell import get_column_letter, range_boundaries

CHUNK = 64 * 1024
ZIP_CENTRAL_RECORD = b"PK\x01\x02"
DIMENSION = re.compile(
    rb"<(?:[\w.-]+:)?dimension\s[^>]{0,200}?\bref\s*=\s*[\"']([^\"']{0,40})[\"']"
)
DIMENSION_SPAN = 512  # longer than any match of DIMENSION, so none is lost between two pieces


class FileRejected(Exception):
    """The file cannot be read at all, or is past a limit; the message says why, plainly."""


@dataclass(frozen=True)
class Limits:
    """The documented limits, from settings (SPREADSHEET_* and XLSX_*)."""

    max_rows: int
    max_columns: int
    max_unpacked_bytes: int
    max_parts: int
    max_shared_strings: int
    max_shared_strings_bytes: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_rows=settings.SPREADSHEET_MAX_ROWS,
            max_columns=settings.SPREADSHEET_MAX_COLUMNS,
            max_unpacked_bytes=settings.XLSX_MAX_UNPACKED_BYTES,
            max_parts=settings.XLSX_MAX_PARTS,
            max_shared_strings=settings.XLSX_MAX_SHARED_STRINGS,
            max_shared_strings_bytes=settings.XLSX_MAX_SHARED_STRINGS_BYTES,
        )


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:,.0f} MB"


def _too_many_rows(limits: Limits) -> FileRejected:
    return FileRejected(
        f"The file has more than {limits.max_rows:,} rows (blank rows count): split it into "
        "smaller files."
    )


def _too_wide(limits: Limits) -> FileRejected:
    return FileRejected(
        f"The file has cells beyond column {get_column_letter(limits.max_columns)}: the most "
        f"allowed is {limits.max_columns} columns. Remove the columns the import does not use."
    )


# CSV -----------------------------------------------------------------------------------------


def _encoding(data: bytes) -> str:
    """The file's encoding, found by decoding it in pieces and keeping none of the text."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        candidates = [("utf-16", "The file is not readable UTF-16 text.")]
    else:
        # Excel on Windows saves "CSV" in the Windows code page.
        candidates = [
            ("utf-8-sig", ""),
            ("cp1252", "The file is not text in UTF-8: save it as 'CSV UTF-8'."),
        ]
    for encoding, refusal in candidates:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for start in range(0, len(data), CHUNK):
                decoder.decode(data[start : start + CHUNK])
            decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError as exc:
            if refusal:
                raise FileRejected(refusal) from exc
    raise AssertionError("unreachable: the last candidate refuses")


def read_csv(data: bytes, limits: Limits) -> Iterator[list]:
    """Rows of a CSV file, decoded as they are read: the text is never held whole."""
    text = io.TextIOWrapper(io.BytesIO(data), encoding=_encoding(data), newline="")
    first_line = text.readline()
    if "\x00" in first_line:
        raise FileRejected("The file is not a CSV file: it contains binary data.")
    delimiter = max(",;\t", key=first_line.count)
    try:
        reader = csv.reader(itertools.chain([first_line], text), delimiter=delimiter, strict=True)
        for number, row in enumerate(reader, start=1):
            if number > limits.max_rows:
                raise _too_many_rows(limits)
            if len(row) > limits.max_columns:
                if any(cell.strip() for cell in row[limits.max_columns :]):
                    raise _too_wide(limits)
                row = row[: limits.max_columns]
            yield row
    except csv.Error as exc:
        raise FileRejected(f"The CSV file cannot be read: {exc}.") from exc


# XLSX: checks on the zip and its XML, before anything is parsed --------------------------------


class _Stream:
    """Counts byte strings across the pieces of a stream, each piece seen once."""

    KEEP = 16  # longer than any needle sought: a match across two pieces is still seen

    def __init__(self):
        self.tail = b""
        self.window = b""

    def next(self, piece: bytes) -> None:
        self.window = self.tail + piece
        self.previous, self.tail = self.tail, self.window[-self.KEEP :]

    def count(self, *needles: bytes) -> int:
        # A match lying wholly in the end kept from the last piece was counted then.
        return sum(self.window.count(n) - self.previous.count(n) for n in needles)


def _check_dimension(ref: bytes, limits: Limits) -> None:
    text = ref.decode("ascii", "replace")
    try:
        min_col, min_row, max_col, max_row = range_boundaries(text.upper())
    except (TypeError, ValueError) as exc:
        raise FileRejected(
            f"The XLSX file cannot be read: its worksheet size '{text}' is not a cell range."
        ) from exc
    if (max_row or 0) > limits.max_rows:
        raise FileRejected(
            f"The worksheet says it is {text} ({max_row:,} rows): the most allowed is "
            f"{limits.max_rows:,} rows. Save only the cases, or split the file."
        )
    if (max_col or 0) > limits.max_columns:
        raise FileRejected(
            f"The worksheet says it is {text} ({max_col:,} columns): the most allowed is "
            f"{limits.max_columns} columns. Remove the columns the import does not use."
        )


def _check_part(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, unpacked_so_far: int
) -> int:
    """Unpack one part in pieces, counting as it goes; returns its unpacked size."""
    stream = _Stream()
    row_count = string_count = size = 0
    tail = b""
    with archive.open(info) as part:
        while piece := part.read(CHUNK):
            size += len(piece)
            if size > info.file_size:
                raise FileRejected("The XLSX file is damaged: a part unpacks to more than it says.")
            if unpacked_so_far + size > limits.max_unpacked_bytes:
                raise FileRejected(
                    f"The XLSX file unpacks to more than {_megabytes(limits.max_unpacked_bytes)}: "
                    "the most allowed. Save it as CSV, or split it."
                )
            stream.next(piece)
            if b"<!" in stream.window and stream.count(b"<!DOCTYPE", b"<!ENTITY"):
                raise FileRejected(
                    "The XLSX file cannot be read: it declares a document type, which "
                    "workbooks saved by Excel, LibreOffice or Google Sheets never do."
                )
            row_count += stream.count(b"<row", b":row")
            if b"rowBreaks" in stream.window:
                row_count -= stream.count(b"<rowBreaks", b":rowBreaks")
            if row_count > limits.max_rows:
                raise _too_many_rows(limits)
            string_count += stream.count(b"<si", b":si")
            if string_count > limits.max_shared_strings:
                raise FileRejected(
                    f"The workbook has more than {limits.max_shared_strings:,} different texts: "
                    "the most allowed. Save it as CSV, or split it."
                )
            # The texts are no longer than the XML that holds them, as declared (and held to).
            if string_count and info.file_size > limits.max_shared_strings_bytes:
                raise FileRejected(
                    f"The workbook's texts come to more than "
                    f"{_megabytes(limits.max_shared_strings_bytes)}: the most allowed. Save it as "
                    "CSV, or split it."
                )
            window = tail + piece
            if b"dimension" in window:
                for found in DIMENSION.finditer(window):
                    _check_dimension(found.group(1), limits)
            tail = window[-DIMENSION_SPAN:]
    return size


def check_workbook(data: bytes, limits: Limits) -> None:
    """Refuse a workbook past a limit, reading no more of it than it takes to tell."""
    if data.count(ZIP_CENTRAL_RECORD) > limits.max_parts:
        raise FileRejected(
            f"The XLSX file has more than {limits.max_parts:,} parts: it is not a workbook the "
            "import can read. Save it again from Excel, or as CSV."
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileRejected("The file is not an Excel workbook: save it as XLSX or CSV.") from exc
    with archive:
        parts = archive.infolist()
        if len(parts) > limits.max_parts:
            raise FileRejected(
                f"The XLSX file has more than {limits.max_parts:,} parts: it is not a workbook "
                "the import can read. Save it again from Excel, or as CSV."
            )
        declared = sum(info.file_size for info in parts)
        if declared > limits.max_unpacked_bytes:
            raise FileRejected(
                f"The XLSX file would unpack to {_megabytes(declared)}: the most allowed is "
                f"{_megabytes(limits.max_unpacked_bytes)}. Save it as CSV, or split it."
            )
        unpacked = 0
        try:
            # Every part, whatever its name: openpyxl finds the sheets through the workbook's
            # relationships, which may name any part.
            for info in parts:
                unpacked += _check_part(archive, info, limits, unpacked)
        except zipfile.BadZipFile as exc:
            # Python's zip reader stops a part at its declared size and then checks its CRC: a
            # part that says it is small but unpacks to more ends here, having cost little.
            raise FileRejected(
                "The XLSX file is damaged: a part of it does not match the size and checksum it "
                "declares. Save it again from Excel, or as CSV."
            ) from exc
        except (OSError, EOFError, NotImplementedError, RuntimeError, zlib.error) as exc:
            raise FileRejected("The XLSX file cannot be opened: it may be damaged.") from exc


# XLSX: the rows --------------------------------------------------------------------------------


def _cell_text(value) -> str | datetime.date:
    """A spreadsheet cell as text (or a date, which XLSX stores natively)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx(data: bytes, limits: Limits) -> Iterator[list]:
    """The first worksheet's rows, streamed by openpyxl's read-only mode once the checks pass.

    Rows are numbered as the spreadsheet numbers them: reading starts at row 1 even when the
    sheet's first used row is lower, and rows missing from the file come as blank rows, which
    count toward the limit.
    """
    from openpyxl import load_workbook

    check_workbook(data, limits)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise FileRejected("The XLSX file cannot be opened: it may be damaged.") from exc
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise FileRejected("The XLSX file has no worksheet.")
        # A declared dimension (checked above, and held to here) fixes every row's width;
        # without one a row is as wide as its last cell, and a row past the limit is refused.
        width = min(sheet.max_column, limits.max_columns) if sheet.max_column else None
        rows = sheet.iter_rows(min_row=1, max_col=width, values_only=True)
        for number, row in enumerate(rows, start=1):
            if number > limits.max_rows:
                raise _too_many_rows(limits)
            if len(row) > limits.max_columns:
                raise _too_wide(limits)
            yield [_cell_text(value) for value in row]
    except FileRejected:
        raise
    except Exception as exc:
        raise FileRejected("The XLSX file cannot be read: it may be damaged.") from exc
    finally:
        workbook.close()


def read_rows(data: bytes, filename: str = "", limits: Limits | None = None) -> Iterator[list]:
    """Rows of cells from a CSV or XLSX file, chosen by content (XLSX is a zip) then by name.

    Cells are text, or dates where an XLSX cell holds one. Raises FileRejected, from the call or
    while iterating, when the file cannot be read or passes a limit.
    """
    limits = limits or Limits.from_settings()
    suffix = Path(filename or "").suffix.lower()
    if data[:4] == b"PK\x03\x04" or suffix in (".xlsx", ".xlsm"):
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise FileRejected("The file is not an Excel workbook: save it as XLSX or CSV.")
        return read_xlsx(data, limits)
    if suffix not in ("", ".csv", ".txt"):
        raise FileRejected("Upload a CSV or XLSX file.")
    return read_csv(data, limits)
