"""manage.py import_caseload: counts on success, every problem and a non-zero exit on failure."""

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cases.case_dates import CASE_DATE_FIELDS
from cases.models import Case

from ..factories import ProviderFactory
from .helpers import HEADER, csv_bytes, row, rows, xlsx_bytes

pytestmark = pytest.mark.django_db
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "caseload.csv"


@pytest.fixture
def pdu_a():
    return ProviderFactory(code="PDU-A")


def call(*args):
    out, err = StringIO(), StringIO()
    call_command("import_caseload", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_imports_and_prints_counts(tmp_path, pdu_a):
    path = tmp_path / "caseload.csv"
    path.write_bytes(csv_bytes(rows(4)))
    out, _ = call(str(path))
    assert "Imported 4 cases from caseload.csv" in out and "4 new, 0 updated" in out
    out, _ = call(str(path))
    assert "0 new, 4 updated" in out
    assert Case.objects.count() == 4


def test_provider_option_for_a_file_without_provider_column(tmp_path, pdu_a):
    path = tmp_path / "caseload.xlsx"
    path.write_bytes(xlsx_bytes(rows(2), header=[n for n in HEADER if n != "provider"]))
    out, _ = call(str(path), "--provider", "PDU-A")
    assert "2 new" in out
    assert set(Case.objects.values_list("provider__code", flat=True)) == {"PDU-A"}


def test_errors_listed_exit_non_zero_and_nothing_written(tmp_path, pdu_a):
    path = tmp_path / "bad.csv"
    path.write_bytes(
        csv_bytes(
            [
                row("A000001", rosh_level="extreme"),
                row("A000002"),
                row("A000003", start_date="31/13/2026"),
            ]
        )
    )
    err = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_caseload", str(path), stdout=StringIO(), stderr=err)
    assert str(failure.value) == "bad.csv: 2 problem(s) in 2 of 3 row(s); nothing was written."
    lines = err.getvalue().strip().splitlines()
    assert lines[0].startswith("Row 2, rosh_level: Unknown RoSH level 'extreme'")
    assert lines[1].startswith("Row 4, start_date: '31/13/2026' is not a date")
    assert Case.objects.count() == 0


def test_command_exit_status_is_non_zero(tmp_path):
    """Run for real; the file is refused on its header, before any database work."""
    import subprocess
    import sys

    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(rows(2), header=[n for n in HEADER if n != "gender"]))
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "import_caseload",
            str(path),
            "--dry-run",
            "--settings=audit.config.settings.test",
        ],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "gender: The file has no column for gender." in done.stderr
    assert "bad.csv: 1 problem(s); nothing was written." in done.stderr


def test_unknown_provider_option_and_missing_file(tmp_path, pdu_a):
    path = tmp_path / "caseload.csv"
    path.write_bytes(csv_bytes(rows(1)))
    with pytest.raises(CommandError, match="Unknown provider code 'NOPE'"):
        call(str(path), "--provider", "NOPE")
    with pytest.raises(CommandError, match="Cannot read"):
        call(str(tmp_path / "missing.csv"))


def test_dry_run_writes_nothing(tmp_path, pdu_a):
    path = tmp_path / "caseload.csv"
    path.write_bytes(csv_bytes(rows(3)))
    out, _ = call(str(path), "--dry-run")
    assert "Checked 3 cases" in out and "nothing written" in out
    assert Case.objects.count() == 0


# The example files' timeliness dates: (allocation, first appointment, RoSH screening, first home
# visit), None where the file leaves the date blank (not known).
D = datetime.date
EXAMPLE_DATES = {
    "E100001": (D(2026, 1, 6), D(2026, 1, 9), D(2026, 1, 8), D(2026, 2, 3)),
    "E100002": (D(2026, 1, 12), D(2026, 1, 20), D(2026, 1, 14), None),
    "E100003": (D(2026, 1, 19), D(2026, 1, 19), D(2026, 1, 21), D(2026, 1, 23)),
    "E100004": (D(2026, 2, 4), None, None, None),
    "E100005": (D(2026, 2, 9), D(2026, 2, 10), D(2026, 2, 10), D(2026, 2, 12)),
    "E100006": (None, D(2026, 2, 24), None, None),
    "E100007": (D(2026, 3, 10), D(2026, 3, 13), D(2026, 3, 12), D(2026, 3, 26)),
    "E100008": (D(2026, 3, 17), D(2026, 3, 25), D(2026, 3, 17), None),
    "E100009": (D(2026, 3, 23), D(2026, 3, 24), D(2026, 3, 24), D(2026, 3, 27)),
    "E100010": (D(2026, 3, 31), D(2026, 4, 8), D(2026, 4, 9), None),
}


@pytest.mark.parametrize("example", [EXAMPLE, EXAMPLE.with_suffix(".xlsx")], ids=["csv", "xlsx"])
def test_documented_example_file_imports_with_its_dates(db, example):
    for code in ("PDU-BHM-N", "PDU-BHM-S"):
        ProviderFactory(code=code)
    out, _ = call(str(example))
    assert "10 new" in out
    assert Case.objects.filter(gender="female").count() == 4
    stored = {
        crn: dates
        for crn, *dates in Case.objects.values_list("crn", *CASE_DATE_FIELDS).order_by("crn")
    }
    assert stored == {crn: list(dates) for crn, dates in EXAMPLE_DATES.items()}
    assert Case.objects.get(crn="E100010").start_date == D(2026, 3, 30)
    # Every date known and not known, as the formats page describes.
    assert all(any(d[i] is None for d in EXAMPLE_DATES.values()) for i in range(4))
    assert all(any(d[i] is not None for d in EXAMPLE_DATES.values()) for i in range(4))


def test_example_xlsx_holds_the_same_cases_as_the_csv(db):
    from cases.importers import import_caseload

    for code in ("PDU-BHM-N", "PDU-BHM-S"):
        ProviderFactory(code=code)
    from_csv = import_caseload(data=EXAMPLE.read_bytes(), filename="caseload.csv", dry_run=True)
    xlsx = EXAMPLE.with_suffix(".xlsx")
    from_xlsx = import_caseload(data=xlsx.read_bytes(), filename=xlsx.name, dry_run=True)
    assert from_csv.ok and from_xlsx.ok
    assert from_xlsx.preview == from_csv.preview
    assert from_xlsx.rows == from_csv.rows == 10


def test_formats_doc_lists_every_column():
    from cases.importers import COLUMNS

    doc = (EXAMPLE.parents[1] / "formats.md").read_text()
    section = doc.split("## Caseload import", 1)[1].split("\n## ", 1)[0]
    for column in COLUMNS:
        assert f"| `{column.name}` |" in section
        for alias in column.aliases:
            assert f"`{alias}`" in section
