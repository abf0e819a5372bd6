"""Spreadsheet limits: each hostile workbook is refused with a plain reason, fast, in little memory.

The bombs are those found by probing the service: a sheet declaring A1:M99999999; twenty million
empty rows with no dimension or a lying one (176 KB of zip); a shared-strings table of 2.3 MB
that unpacks to 500 MB; and a part whose zip records lie about its size. Time and the peak of
Python's allocations (tracemalloc, which sees zlib's buffers too) are measured around the read
alone, the bomb having been built beforehand.
"""

from __future__ import annotations

import time
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.accounts.roles import Role
from audit.scoring.importers import ImportFailed, import_file
from cases.importers import RowError, import_caseload
from cases.models import Case
from cases.spreadsheets import FileRejected, read_rows

from ..factories import ProviderFactory
from . import bombs
from .helpers import HEADER, csv_bytes, row, xlsx_bytes

pytestmark = pytest.mark.django_db

HEADER_ROW = (bombs.HEADER_ROW.encode(), 1)
CASE_ROW = (b'<row r="2"><c r="A2" t="inlineStr"><is><t>X000001</t></is></c></row>', 1)
EMPTY_ROWS = (b"<row/>" * 100_000, 200)  # twenty million
SECONDS = 1.0
PEAK_BYTES = 16 * 1024 * 1024

TOO_MANY_ROWS = (
    "The file has more than 250,001 rows (blank rows count): split it into smaller files."
)
DAMAGED = (
    "The XLSX file is damaged: a part of it does not match the size and checksum it "
    "declares. Save it again from Excel, or as CSV."
)


def _read_all(data: bytes, filename: str) -> str:
    with pytest.raises(FileRejected) as refused:
        for _ in read_rows(data, filename):
            pass
    return str(refused.value)


def refusal(data: bytes, filename: str = "caseload.xlsx") -> tuple[str, float, int]:
    """(the reason given, seconds taken, peak bytes allocated) for reading a refused file.

    Timed and traced in two runs: tracing every allocation slows Python several times over.
    """
    started = time.perf_counter()
    message = _read_all(data, filename)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    try:
        assert _read_all(data, filename) == message
        return message, seconds, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def assert_refused_cheaply(data: bytes, reason: str, filename: str = "caseload.xlsx"):
    message, seconds, peak = refusal(data, filename)
    assert message == reason
    assert seconds < SECONDS, f"took {seconds:.2f} s"
    assert peak < PEAK_BYTES, f"peak {peak / 1e6:.1f} MB"
    print(f"refused in {seconds * 1000:.0f} ms, peak {peak / 1e6:.2f} MB: {reason[:50]}")


@pytest.fixture(scope="module")
def twenty_million_empty_rows():
    return bombs.workbook(bombs.sheet([HEADER_ROW, EMPTY_ROWS]))


def test_a_sheet_declaring_a_hundred_million_rows_is_refused_before_reading():
    data = bombs.workbook(bombs.sheet([HEADER_ROW, CASE_ROW], dimension="A1:M99999999"))
    assert_refused_cheaply(
        data,
        (
            "The worksheet says it is A1:M99999999 (99,999,999 rows): the most allowed is 250,001 "
            "rows. Save only the cases, or split the file."
        ),
    )


def test_a_sheet_declaring_too_many_columns_is_refused():
    data = bombs.workbook(bombs.sheet([HEADER_ROW], dimension="A1:XFD10"))
    assert_refused_cheaply(
        data,
        (
            "The worksheet says it is A1:XFD10 (16,384 columns): the most allowed is 100 columns. "
            "Remove the columns the import does not use."
        ),
    )


def test_twenty_million_empty_rows_count_and_are_refused(twenty_million_empty_rows):
    assert len(twenty_million_empty_rows) < 1_000_000  # a small upload
    assert_refused_cheaply(twenty_million_empty_rows, TOO_MANY_ROWS)


def test_twenty_million_empty_rows_under_a_lying_dimension_are_refused():
    data = bombs.workbook(bombs.sheet([HEADER_ROW, EMPTY_ROWS], dimension="A1:B2"))
    assert_refused_cheaply(data, TOO_MANY_ROWS)


def test_a_row_numbered_far_down_fills_blank_rows_that_count():
    """A single row numbered 99,999,999 and no dimension: openpyxl yields the rows between as
    blank, and they count toward the limit while being read (so this one is refused by the
    read, after 250,001 blank rows, not by the checks before it: allow it more time)."""
    far = (b'<row r="99999999"><c r="A99999999" t="inlineStr"><is><t>X1</t></is></c></row>', 1)
    message, seconds, peak = refusal(bombs.workbook(bombs.sheet([HEADER_ROW, far])))
    assert message == TOO_MANY_ROWS
    assert seconds < 3 * SECONDS and peak < PEAK_BYTES


def test_shared_strings_that_unpack_to_500_mb_are_refused_from_the_zip_records():
    strings = [((b"<si><t>" + b"x" * 32_000 + b"</t></si>") * 10, 1_600)]  # 512 MB of text
    data = bombs.workbook(bombs.sheet([HEADER_ROW]), bombs.shared_strings(strings))
    assert len(data) < 3_000_000
    assert_refused_cheaply(
        data,
        (
            "The XLSX file would unpack to 489 MB: the most allowed is 256 MB. Save it as CSV, or "
            "split it."
        ),
    )


def test_a_shared_strings_table_past_its_own_limit_is_refused():
    strings = [((b"<si><t>" + b"x" * 32_000 + b"</t></si>") * 10, 200)]  # 64 MB of text
    data = bombs.workbook(bombs.sheet([HEADER_ROW]), bombs.shared_strings(strings))
    assert_refused_cheaply(
        data,
        (
            "The workbook's texts come to more than 50 MB: the most allowed. Save it as CSV, or "
            "split it."
        ),
    )


def test_too_many_shared_strings_are_refused():
    strings = [(b"<si><t>a</t></si>" * 1_000, 600)]
    data = bombs.workbook(bombs.sheet([HEADER_ROW]), bombs.shared_strings(strings))
    assert_refused_cheaply(
        data,
        (
            "The workbook has more than 500,000 different texts: the most allowed. Save it as CSV, "
            "or split it."
        ),
    )


def test_a_part_lying_about_its_size_is_refused_when_it_unpacks_past_it():
    data = bombs.workbook(
        bombs.sheet([HEADER_ROW, EMPTY_ROWS]), declared_sizes={"xl/worksheets/sheet1.xml": 2_000}
    )
    assert_refused_cheaply(data, DAMAGED)


def test_a_part_lying_about_its_size_past_the_total_is_refused():
    """Say the shared strings are small when they unpack to 512 MB: reading stops at what the
    records declare, and the checksum then fails."""
    strings = [((b"<si><t>" + b"x" * 32_000 + b"</t></si>") * 10, 1_600)]
    data = bombs.workbook(
        bombs.sheet([HEADER_ROW]),
        bombs.shared_strings(strings),
        declared_sizes={"xl/sharedStrings.xml": 10_000},
    )
    assert_refused_cheaply(data, DAMAGED)


def test_a_document_type_declaration_is_refused():
    sheet = bombs.sheet([HEADER_ROW])
    sheet[0] = (
        b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">]>'
        + sheet[0][0].split(b"?>", 1)[1],
        1,
    )
    assert_refused_cheaply(
        bombs.workbook(sheet),
        (
            "The XLSX file cannot be read: it declares a document type, which workbooks saved by "
            "Excel, LibreOffice or Google Sheets never do."
        ),
    )


def test_values_beyond_the_last_column_allowed_are_refused():
    wide = (b'<row r="2"><c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row>', 1)
    assert_refused_cheaply(
        bombs.workbook(bombs.sheet([HEADER_ROW, wide])),
        (
            "The file has cells beyond column CV: the most allowed is 100 columns. Remove the "
            "columns the import does not use."
        ),
    )


def test_a_csv_of_blank_lines_is_refused_on_its_row_count():
    data = b"crn,provider\n" + b"\n" * 20_000_000
    assert_refused_cheaply(data, TOO_MANY_ROWS, filename="caseload.csv")


# The limits come from settings and bind both file types the same way --------------------------


@pytest.fixture
def five_rows(settings):
    settings.SPREADSHEET_MAX_ROWS = 5
    settings.SPREADSHEET_MAX_COLUMNS = 13


@pytest.mark.parametrize("make", [csv_bytes, xlsx_bytes])
def test_rows_up_to_the_limit_are_read_and_blank_rows_count(five_rows, make):
    four = [row(f"A00000{n}") for n in range(1, 5)]
    assert len(list(read_rows(make(four), f"f.{'csv' if make is csv_bytes else 'xlsx'}"))) == 5
    blank = {name: "" for name in HEADER}
    with pytest.raises(FileRejected, match="more than 5 rows"):
        list(
            read_rows(
                make([*four[:2], blank, *four[2:]]), f"f.{'csv' if make is csv_bytes else 'xlsx'}"
            )
        )


def test_xlsx_row_numbers_are_the_spreadsheets_even_below_empty_top_rows():
    """Errors name spreadsheet rows: a header on row 3 is row 3, however the sheet's size reads."""
    header = (
        b'<row r="3">'
        + b"".join(
            f'<c r="{col}3" t="inlineStr"><is><t>{name}</t></is></c>'.encode()
            for col, name in zip("AB", ["crn", "provider"])
        )
        + b"</row>",
        1,
    )
    data = bombs.workbook(bombs.sheet([header], dimension="A3:B3"))
    assert list(read_rows(data, "f.xlsx")) == [["", ""], ["", ""], ["crn", "provider"]]


# Through the imports and the upload page -------------------------------------------------------


def test_the_caseload_import_reports_the_bomb_as_a_file_error(twenty_million_empty_rows):
    ProviderFactory(code="PDU-A")
    started = time.perf_counter()
    result = import_caseload(data=twenty_million_empty_rows, filename="caseload.xlsx")
    assert time.perf_counter() - started < SECONDS
    assert result.errors == [RowError(None, "", TOO_MANY_ROWS)]
    assert not Case.objects.exists()


def test_the_scoring_import_refuses_the_bomb_with_the_same_reason(
    twenty_million_empty_rows, hmip_2018, make_user
):
    from tests.audit.scoring_support import scoring_setup

    setup = scoring_setup(hmip_2018, make_user, cases=1)
    started = time.perf_counter()
    with pytest.raises(ImportFailed) as failed:
        import_file(
            inspection=setup["inspection"],
            content=twenty_million_empty_rows,
            filename="scores.xlsx",
        )
    seconds = time.perf_counter() - started
    tracemalloc.start()
    try:
        with pytest.raises(ImportFailed):
            import_file(
                inspection=setup["inspection"],
                content=twenty_million_empty_rows,
                filename="scores.xlsx",
            )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [str(error) for error in failed.value.errors] == [f"File: {TOO_MANY_ROWS}"]
    assert seconds < SECONDS and peak < PEAK_BYTES


def test_the_upload_page_shows_the_reason(client, make_user, tmp_path, settings):
    settings.CASELOAD_UPLOAD_DIR = str(tmp_path / "uploads")
    pdu = ProviderFactory(code="PDU-A")
    client.force_login(make_user(Role.MANAGER, providers=[pdu]))
    data = bombs.workbook(bombs.sheet([HEADER_ROW, CASE_ROW], dimension="A1:M99999999"))
    response = client.post(
        reverse("cases:caseload_upload"),
        {"file": SimpleUploadedFile("caseload.xlsx", data), "provider": ""},
    )
    assert response.status_code == 400
    assert "The worksheet says it is A1:M99999999 (99,999,999 rows)" in response.content.decode()
    assert not list((tmp_path / "uploads").glob("*"))  # nothing staged
