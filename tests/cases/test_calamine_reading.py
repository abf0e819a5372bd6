"""XLSX rows read by python-calamine once the checks pass; the cell-reference checks before it.

calamine places each cell where its reference (A1, CV250001) says and builds the used area as one
grid, so the references are checked first: rows and columns against their limits, and the area
they span against XLSX_MAX_CELLS. Memory is measured on the bombs in a separate process, whose
peak resident size counts calamine's own (Rust) allocations, which tracemalloc cannot see.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cases.spreadsheets import FileRejected, Limits, check_workbook, read_rows

from . import bombs
from .helpers import HEADER, csv_bytes, rows, xlsx_bytes
from .test_spreadsheet_limits import HEADER_ROW, TOO_MANY_ROWS, assert_refused_cheaply

ROOT = Path(__file__).resolve().parents[2]
LIMITS = Limits(
    max_rows=250_001,
    max_columns=100,
    max_unpacked_bytes=256 * 1024 * 1024,
    max_parts=1_000,
    max_shared_strings=500_000,
    max_shared_strings_bytes=50 * 1024 * 1024,
    max_cells=6_000_000,
)


cell, one_row = bombs.cell, bombs.one_row


def test_a_workbook_reads_the_same_as_its_csv():
    records = rows(30)
    records[3]["mappa_category"] = "2"
    from_xlsx = list(read_rows(xlsx_bytes(records), "caseload.xlsx"))
    from_csv = list(read_rows(csv_bytes(records), "caseload.csv"))
    assert from_xlsx == from_csv
    assert from_xlsx[0] == HEADER and len(from_xlsx) == 31


def test_native_cells_come_as_text_or_dates():
    values = [[datetime.date(2026, 3, 1), 3.0, 2.5, True, datetime.datetime(2026, 4, 2, 9, 30)]]
    data = xlsx_bytes([], header=["a", "b", "c", "d", "e"], values=values)
    assert list(read_rows(data, "f.xlsx"))[1] == [
        datetime.date(2026, 3, 1),
        "3",
        "2.5",
        "yes",
        datetime.date(2026, 4, 2),
    ]


def test_the_total_is_known_before_the_rows_are_read():
    reading = read_rows(xlsx_bytes(rows(12)), "f.xlsx")
    assert reading.total == 13
    assert len(list(reading)) == 13
    assert read_rows(csv_bytes(rows(12)), "f.csv").total == 13


def test_columns_left_of_the_first_used_one_come_back_blank():
    data = bombs.workbook(
        bombs.sheet(
            [
                one_row(2, cell("C2", "crn"), cell("D2", "provider")),
                one_row(3, cell("C3", "X1"), cell("D3", "PDU-A")),
            ]
        )
    )
    assert list(read_rows(data, "f.xlsx")) == [
        ["", "", "", ""],
        ["", "", "crn", "provider"],
        ["", "", "X1", "PDU-A"],
    ]


def test_cells_without_references_are_read_in_order_by_the_streaming_reader():
    plain = b'<row><c t="inlineStr"><is><t>crn</t></is></c><c t="inlineStr"><is><t>provider</t>'
    plain += b'</is></c></row><row><c t="inlineStr"><is><t>X1</t></is></c></row>'
    data = bombs.workbook(bombs.sheet([(plain, 1)]))
    assert not check_workbook(data, LIMITS).referenced
    assert [[str(value) for value in line] for line in read_rows(data, "f.xlsx")] == [
        ["crn", "provider"],
        ["X1"],
    ]


def test_references_in_other_spellings_are_found():
    """Attributes before r, single quotes, a namespace prefix: calamine reads them all."""
    data = bombs.workbook(
        bombs.sheet(
            [
                HEADER_ROW,
                (b"<row r='2'><c s='0' r='B2' t='inlineStr'><is><t>x</t></is></c></row>", 1),
                (
                    b'<row r="3"><x:c xmlns:x="urn:x" r="A3" t="inlineStr"><is><t>y</t></is>'
                    b"</x:c></row>",
                    1,
                ),
            ]
        )
    )
    shape = check_workbook(data, LIMITS)
    assert shape.referenced and (shape.rows, shape.columns) == (3, 2)


def test_a_single_cell_far_down_is_refused_from_its_reference():
    far = one_row(2, cell("A99999999", "X1"))
    assert_refused_cheaply(bombs.workbook(bombs.sheet([HEADER_ROW, far])), TOO_MANY_ROWS)


def test_a_cell_whose_reference_lies_beyond_its_row_is_refused():
    """The row says 2, the cell says 300,000: calamine goes by the cell."""
    lying = one_row(2, cell("A300000", "X1"))
    assert_refused_cheaply(bombs.workbook(bombs.sheet([HEADER_ROW, lying])), TOO_MANY_ROWS)


def test_a_cell_in_a_far_column_is_refused_whatever_its_attributes():
    far = (b'<row r="2"><c s="1" r="ZZ2" t="inlineStr"><is><t>x</t></is></c></row>', 1)
    assert_refused_cheaply(
        bombs.workbook(bombs.sheet([HEADER_ROW, far])),
        (
            "The file has cells beyond column CV: the most allowed is 100 columns. Remove the "
            "columns the import does not use."
        ),
    )


def test_cells_spanning_too_large_an_area_are_refused():
    """Two cells, at A1 and CV60001: within the row and column limits, but their area is
    6,000,100 cells, which calamine would hold as one grid."""
    data = bombs.workbook(
        bombs.sheet([one_row(1, cell("A1", "crn")), one_row(60001, cell("CV60001", "x"))])
    )
    assert_refused_cheaply(
        data,
        (
            "The worksheet's cells span 60,001 rows by 100 columns: more than the 6,000,000 cells "
            "allowed. Remove the columns the import does not use, or split the file."
        ),
    )


def test_a_damaged_sheet_is_refused_plainly():
    data = bombs.workbook(bombs.sheet([HEADER_ROW, (b'<row r="2"><c r="A2" t="n"><v>1', 1)]))
    with pytest.raises(FileRejected, match="it may be damaged"):
        list(read_rows(data, "f.xlsx"))


# Memory in a process of its own -----------------------------------------------------------------

PEAK_RSS_MB = 400
CHILD = textwrap.dedent("""
    import json, sys
    sys.path.insert(0, {root!r})
    from tests.cases import bombs
    from cases.spreadsheets import FileRejected, Limits, read_rows

    def high_water_mb():
        # VmHWM belongs to this process's own memory map; getrusage's ru_maxrss would carry
        # the parent's peak across exec.
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024

    data = bombs.named({name!r})
    LIMITS = Limits(**{limits!r})
    before = high_water_mb()
    try:
        rows = sum(1 for _ in read_rows(data, "bomb.xlsx", LIMITS))
        outcome = f"read {{rows}} rows"
    except FileRejected as refused:
        outcome = str(refused)
    print(json.dumps({{"outcome": outcome, "before": before, "peak": high_water_mb()}}))
""")


@pytest.mark.slow
@pytest.mark.parametrize(
    "name", ["empty rows", "far cell", "largest area allowed", "shared strings"]
)
def test_peak_memory_of_reading_a_bomb_is_bounded(name):
    script = CHILD.format(root=str(ROOT), name=name, limits=dataclasses.asdict(LIMITS))
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env={"PYTHONPATH": str(ROOT)},
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    print(name, figures)
    assert figures["peak"] < PEAK_RSS_MB, figures
