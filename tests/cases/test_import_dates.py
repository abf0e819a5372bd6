"""Caseload import: the optional timeliness dates, read, checked against the start date and today,
and written; a bad date names its row, column and reason and writes nothing."""

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cases.case_dates import CASE_DATE_FIELDS, date_problems
from cases.importers import RowError, import_caseload
from cases.models import Case

from ..factories import ProviderFactory
from .helpers import HEADER, csv_bytes, row, xlsx_bytes

pytestmark = pytest.mark.django_db

D = datetime.date
DATED_HEADER = [*HEADER, *CASE_DATE_FIELDS]


@pytest.fixture
def pdu_a():
    return ProviderFactory(code="PDU-A", name="Alpha PDU")


def run(records, header=DATED_HEADER, filename="caseload.csv", maker=csv_bytes):
    return import_caseload(data=maker(records, header), filename=filename)


def test_dates_are_read_written_and_blank_means_not_known(pdu_a):
    result = run(
        [
            row(
                "A000001",
                start_date="2026-03-05",
                allocation_date="2026-03-06",
                first_appointment_date="12/03/2026",
                rosh_screening_date="2026-03-09",
                first_home_visit_date="2026-04-01",
            ),
            row("A000002", start_date="2026-03-05", allocation_date="2026-03-05"),
        ]
    )
    assert result.ok, result.errors
    first, second = Case.objects.order_by("crn")
    assert (
        first.allocation_date,
        first.first_appointment_date,
        first.rosh_screening_date,
        first.first_home_visit_date,
    ) == (D(2026, 3, 6), D(2026, 3, 12), D(2026, 3, 9), D(2026, 4, 1))
    assert second.allocation_date == D(2026, 3, 5)  # the same day as the sentence is allowed
    assert second.first_appointment_date is None
    assert second.rosh_screening_date is None


def test_the_date_columns_may_be_left_out_and_have_aliases(pdu_a):
    assert run([row()], header=HEADER).ok
    assert Case.objects.get().allocation_date is None
    header = [*HEADER, "Allocated", "First appointment", "RoSH screened", "Home visit date"]
    record = row(
        "A000002",
        Allocated="2026-03-02",
        **{"First appointment": "2026-03-03", "RoSH screened": "", "Home visit date": ""},
    )
    assert run([record], header=header).ok
    case = Case.objects.get(crn="A000002")
    assert (case.allocation_date, case.first_appointment_date) == (D(2026, 3, 2), D(2026, 3, 3))


def test_xlsx_date_cells_are_read(pdu_a):
    cells = ["A000001", "PDU-A", "licence", D(2026, 1, 5), "low", "male"]
    cells += [None] * (len(HEADER) - len(cells)) + [D(2026, 1, 6), None, D(2026, 1, 7), None]
    result = import_caseload(data=xlsx_bytes([], DATED_HEADER, values=[cells]), filename="c.xlsx")
    assert result.ok, result.errors
    case = Case.objects.get()
    assert (case.allocation_date, case.rosh_screening_date) == (D(2026, 1, 6), D(2026, 1, 7))


def test_bad_dates_name_row_column_and_reason_and_nothing_is_written(pdu_a):
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    result = run(
        [
            row("A000001", allocation_date="2026-03-02"),  # good
            row("A000002", start_date="2026-03-05", allocation_date="2026-03-04"),
            row("A000003", first_appointment_date=tomorrow.isoformat()),
            row("A000004", rosh_screening_date="31/02/2026"),
            row("A000005", start_date="2026-03-05", first_home_visit_date="2026-03-01"),
        ]
    )
    assert not result.ok
    assert Case.objects.count() == 0
    long_tomorrow = f"{tomorrow.day} {tomorrow:%B %Y}"
    assert result.errors == [
        RowError(
            3,
            "allocation_date",
            "The allocation date, 4 March 2026, is before the sentence or release date, "
            "5 March 2026.",
        ),
        RowError(
            4,
            "first_appointment_date",
            f"The first appointment date, {long_tomorrow}, is after today "
            f"({long_date_today()}): it cannot have happened yet.",
        ),
        RowError(
            5,
            "rosh_screening_date",
            "'31/02/2026' is not a date: use YYYY-MM-DD (2026-03-01) or DD/MM/YYYY (01/03/2026).",
        ),
        RowError(
            6,
            "first_home_visit_date",
            "The first home visit date, 1 March 2026, is before the sentence or release date, "
            "5 March 2026.",
        ),
    ]
    assert str(result.errors[0]).startswith("Row 3, allocation_date: The allocation date")


def long_date_today():
    today = datetime.date.today()
    return f"{today.day} {today:%B %Y}"


def test_a_reimport_clears_a_date_left_blank(pdu_a):
    assert run([row(allocation_date="2026-03-02")]).ok
    assert run([row(allocation_date="")]).ok
    assert Case.objects.get().allocation_date is None


dates = st.dates(D(2020, 1, 1), D(2030, 12, 31))


@settings(max_examples=200, deadline=None)
@given(start=dates, given_dates=st.lists(st.one_of(st.none(), dates), min_size=4, max_size=4))
def test_date_problems_refuse_exactly_the_dates_outside_start_to_latest(start, given_dates):
    latest = D(2026, 6, 30)
    values = dict(zip(CASE_DATE_FIELDS, given_dates))
    refused = {field for field, _ in date_problems(start, values, latest=latest)}
    assert refused == {
        field for field, day in values.items() if day is not None and not start <= day <= latest
    }
