"""Caseload import: every row checked, every problem named, nothing written unless all is good."""

import datetime

import pytest

from cases.importers import RowError, import_caseload
from cases.models import CRN_RULE, Case

from ..factories import CaseFactory, ProviderFactory
from .helpers import HEADER, csv_bytes, row, rows, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def pdu_a():
    return ProviderFactory(code="PDU-A", name="Alpha PDU")


@pytest.fixture
def pdu_b():
    return ProviderFactory(code="PDU-B", name="Bravo PDU")


def run(data, filename="caseload.csv", **kwargs):
    return import_caseload(data=data, filename=filename, **kwargs)


def test_good_csv_creates_every_case_with_its_values(pdu_a, pdu_b):
    data = csv_bytes(
        [
            row(
                "A000001",
                "PDU-A",
                sentence_type="licence",
                start_date="2026-01-15",
                rosh_level="very_high",
                gender="female",
                mappa_category="2",
                mappa_level="1",
                ethnicity="Black",
                age_band="35-49",
                domestic_abuse_history="yes",
                child_safeguarding_concerns="Y",
                practitioner_grade="pso",
            ),
            row(
                "a000002",
                "pdu-b",
                sentence_type="PSS",
                start_date="28/02/2026",
                rosh_level="Very high",
                gender="F",
                mappa_category="Category 3",
                mappa_level="Level 2",
                domestic_abuse_history="TRUE",
                child_safeguarding_concerns="0",
                practitioner_grade="Probation officer",
            ),
        ]
    )
    result = run(data)
    assert result.ok, result.errors
    assert (result.rows, result.created, result.updated, result.written) == (2, 2, 0, True)
    first = Case.objects.get(crn="A000001")
    assert first.provider == pdu_a
    assert first.sentence_type == "licence"
    assert first.start_date == datetime.date(2026, 1, 15)
    assert (first.rosh_level, first.gender) == ("very_high", "female")
    assert (first.mappa_category, first.mappa_level) == (2, 1)
    assert (first.ethnicity, first.age_band, first.practitioner_grade) == ("Black", "35-49", "pso")
    assert first.domestic_abuse_history is True and first.child_safeguarding_concerns is True
    second = Case.objects.get(crn="A000002")  # CRNs are stored in capitals
    assert second.provider == pdu_b
    assert second.sentence_type == "post_sentence_supervision"
    assert second.start_date == datetime.date(2026, 2, 28)
    assert (second.mappa_category, second.mappa_level) == (3, 2)
    assert second.domestic_abuse_history is True and second.child_safeguarding_concerns is False
    assert second.practitioner_grade == "po"
    assert result.by_provider == {"PDU-A": 1, "PDU-B": 1}


def test_good_xlsx_with_native_dates_and_numbers(pdu_a):
    data = xlsx_bytes(
        rows(2),
        values=[
            [
                "A000003",
                "PDU-A",
                "licence",
                datetime.datetime(2026, 4, 2),
                "high",
                "male",
                2,
                1.0,
                "Asian",
                "18-24",
                True,
                False,
                "po",
            ]
        ],
    )
    result = run(data, "caseload.xlsx")
    assert result.ok, result.errors
    assert result.created == 3
    case = Case.objects.get(crn="A000003")
    assert case.start_date == datetime.date(2026, 4, 2)
    assert (case.mappa_category, case.mappa_level) == (2, 1)
    assert case.domestic_abuse_history is True


def test_xlsx_is_recognised_by_content_whatever_its_name(pdu_a):
    result = run(xlsx_bytes(rows(1)), "export")
    assert result.ok and result.created == 1


def test_provider_column_optional_with_a_default_provider(pdu_a, pdu_b):
    header = [name for name in HEADER if name != "provider"]
    result = run(csv_bytes(rows(3), header=header), default_provider=pdu_b)
    assert result.ok
    assert set(Case.objects.values_list("provider__code", flat=True)) == {"PDU-B"}


def test_blank_provider_cell_takes_the_default(pdu_a, pdu_b):
    data = csv_bytes([row("A000001", ""), row("A000002", "PDU-A")])
    result = run(data, default_provider=pdu_b)
    assert result.ok
    assert dict(Case.objects.values_list("crn", "provider__code")) == {
        "A000001": "PDU-B",
        "A000002": "PDU-A",
    }


def test_optional_columns_may_be_left_out(pdu_a):
    header = ["crn", "provider", "sentence_type", "start_date", "rosh_level", "gender"]
    result = run(csv_bytes(rows(1), header=header))
    assert result.ok
    case = Case.objects.get()
    assert (case.mappa_category, case.domestic_abuse_history, case.practitioner_grade) == (
        None,
        False,
        "",
    )


def test_header_aliases_spacing_and_case_accepted_and_unknown_columns_ignored(pdu_a):
    data = (
        b"Case Reference,Provider Code,Sentence Type,Start Date,RoSH,Gender,Name\n"
        b"A000001,PDU-A,Licence,2026-03-01,Low,Male,Someone\n"
    )
    result = run(data)
    assert result.ok, result.errors
    assert result.ignored_columns == ["Name"]
    assert Case.objects.get().rosh_level == "low"


def test_utf8_bom_semicolons_and_windows_encoding(pdu_a):
    text = (
        "crn;provider;sentence_type;start_date;rosh_level;gender;ethnicity\r\n"
        "A000001;PDU-A;licence;2026-03-01;low;male;Irish Traveller – Gypsy\r\n"
    )
    assert run(("\ufeff" + text).encode("utf-8")).ok
    Case.objects.all().delete()
    result = run(text.encode("cp1252"))
    assert result.ok
    assert Case.objects.get().ethnicity == "Irish Traveller – Gypsy"


def test_utf16_tab_separated_unicode_text(pdu_a):
    text = (
        "crn\tprovider\tsentence_type\tstart_date\trosh_level\tgender\r\n"
        "A000001\tPDU-A\tlicence\t2026-03-01\tlow\tfemale\r\n"
    )
    result = run(text.encode("utf-16"), "caseload.txt")
    assert result.ok, result.errors
    assert Case.objects.get().gender == "female"


def test_blank_lines_skipped_and_row_numbers_are_spreadsheet_rows(pdu_a):
    data = csv_bytes([row("A000001"), {}, row("A000002", rosh_level="extreme")])
    result = run(data)
    assert result.rows == 2
    assert result.errors == [RowError(4, "rosh_level", result.errors[0].reason)]


@pytest.mark.parametrize(
    "overrides, column, reason",
    [
        (
            {"rosh_level": "extreme"},
            "rosh_level",
            "Unknown RoSH level 'extreme': use one of low, medium, high, very_high, not_screened.",
        ),
        ({"rosh_level": ""}, "rosh_level", "The RoSH level is missing."),
        (
            {"sentence_type": "custody"},
            "sentence_type",
            "Unknown sentence type 'custody': use one of community_order, "
            "suspended_sentence_order, "
            "licence, post_sentence_supervision.",
        ),
        (
            {"gender": "unknown"},
            "gender",
            "Unknown gender 'unknown': use one of female, male, other, not_known.",
        ),
        (
            {"start_date": "31/02/2026"},
            "start_date",
            "'31/02/2026' is not a date: use YYYY-MM-DD (2026-03-01) or DD/MM/YYYY (01/03/2026).",
        ),
        (
            {"start_date": "03-01-2026"},
            "start_date",
            "'03-01-2026' is not a date: use YYYY-MM-DD (2026-03-01) or DD/MM/YYYY (01/03/2026).",
        ),
        ({"start_date": ""}, "start_date", "The start date is missing."),
        (
            {"provider": "NOPE"},
            "provider",
            "Unknown provider code 'NOPE', or not a provider you manage.",
        ),
        ({"provider": ""}, "provider", "The provider code is missing."),
        ({"crn": ""}, "crn", "The CRN is missing."),
        ({"crn": "A 1"}, "crn", f"'A 1' is not a CRN: {CRN_RULE}."),
        ({"crn": "A" * 21}, "crn", f"'{'A' * 21}' is not a CRN: {CRN_RULE}."),
        ({"crn": "-A00001"}, "crn", f"'-A00001' is not a CRN: {CRN_RULE}."),
        (
            {"mappa_category": "4"},
            "mappa_category",
            "The value '4' is not a MAPPA category: use 1, 2, 3 or leave it blank.",
        ),
        (
            {"mappa_category": "2", "mappa_level": "high"},
            "mappa_level",
            "The value 'high' is not a MAPPA level: use 1, 2, 3 or leave it blank.",
        ),
        ({"mappa_level": "2"}, "mappa_level", "A MAPPA level needs a MAPPA category."),
        (
            {"domestic_abuse_history": "maybe"},
            "domestic_abuse_history",
            "'maybe' is not yes or no: use yes/no, true/false, Y/N or 1/0.",
        ),
        (
            {"child_safeguarding_concerns": "2"},
            "child_safeguarding_concerns",
            "'2' is not yes or no: use yes/no, true/false, Y/N or 1/0.",
        ),
        (
            {"practitioner_grade": "SPO"},
            "practitioner_grade",
            "Unknown practitioner grade 'SPO': use one of po, pso, other or leave it blank.",
        ),
        (
            {"ethnicity": "x" * 61},
            "ethnicity",
            "The value is 61 characters long; the most allowed is 60.",
        ),
        (
            {"age_band": "eighteen to twenty-four"},
            "age_band",
            "The value is 23 characters long; the most allowed is 10.",
        ),
        (
            {"ethnicity": "x" * 201},
            "ethnicity",
            "The value is 201 characters long; the most allowed is 200.",
        ),
        ({"ethnicity": "Whi\x00te"}, "ethnicity", "The value contains control characters."),
        ({"age_band": "18\u202e-24"}, "age_band", "The value contains control characters."),
    ],
)
def test_each_kind_of_bad_row_is_named_with_row_column_and_reason(pdu_a, overrides, column, reason):
    data = csv_bytes([row("A000001"), {**row("A000002"), **overrides}, row("A000003")])
    result = run(data)
    assert result.errors == [RowError(3, column, reason)]
    assert not result.written
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    "typed",
    [
        "x1\ufb00",  # x1ﬀ: the ligature upper-cases to FF
        "X12345\u00df",  # ß upper-cases to SS
        "\uff38123456",  # a full-width X
        "X12345\u0661",  # an Arabic-Indic digit one
        "X123\u2011456",  # a non-breaking hyphen
    ],
)
def test_crns_outside_plain_ascii_are_refused_never_rewritten(pdu_a, typed):
    result = run(csv_bytes([row("A000001"), row(typed)]))
    assert result.errors == [RowError(3, "crn", f"'{typed}' is not a CRN: {CRN_RULE}.")]
    assert not Case.objects.exists()


def test_plain_ascii_crns_are_stored_in_capitals(pdu_a):
    assert run(csv_bytes([row("x123456"), row("n1a2b-0000001")])).ok
    assert sorted(Case.objects.values_list("crn", flat=True)) == ["N1A2B-0000001", "X123456"]


def test_duplicate_crn_names_both_rows(pdu_a):
    data = csv_bytes([row("A000001"), row("A000002"), row("a000001")])
    result = run(data)
    assert result.errors == [
        RowError(4, "crn", "The CRN A000001 is also on row 2: list each case once.")
    ]


def test_every_problem_in_every_row_is_reported_in_order(pdu_a):
    data = csv_bytes(
        [
            row("A000001", rosh_level="x", gender="y"),
            row("A000002"),
            row("A000003", start_date="tomorrow", provider="ZZZ"),
        ]
    )
    result = run(data)
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "rosh_level"),
        (2, "gender"),
        (4, "provider"),
        (4, "start_date"),
    ]
    assert result.bad_rows == 2 and result.rows == 3
    assert Case.objects.count() == 0


def test_missing_required_column_is_one_file_error(pdu_a):
    header = [name for name in HEADER if name not in ("rosh_level", "start_date")]
    result = run(csv_bytes(rows(5), header=header))
    assert len(result.errors) == 1
    error = result.errors[0]
    assert (error.row, error.column) == (None, "start_date, rosh_level")
    assert error.reason.startswith("The file has no column for start_date, rosh_level.")
    assert Case.objects.count() == 0


def test_missing_provider_column_without_a_default_provider(pdu_a):
    header = [name for name in HEADER if name != "provider"]
    result = run(csv_bytes(rows(1), header=header))
    assert [(e.row, e.column) for e in result.errors] == [(None, "provider")]
    assert "choose the provider" in result.errors[0].reason


def test_repeated_column_is_a_file_error(pdu_a):
    data = csv_bytes(rows(1), header=HEADER + ["rosh_level"])
    result = run(data)
    assert result.errors == [
        RowError(None, "rosh_level", "The column 'rosh_level' appears more than once.")
    ]


@pytest.mark.parametrize(
    "data, filename, reason",
    [
        (b"", "caseload.csv", "The file is empty: the first row must name the columns."),
        (b"\n\n", "caseload.csv", "The file is empty: the first row must name the columns."),
        (
            ",".join(HEADER).encode() + b"\n",
            "caseload.csv",
            "The file has a header row but no cases.",
        ),
        (
            b"\x00\x01\x02crn,provider\n",
            "caseload.csv",
            "The file is not a CSV file: it contains binary data.",
        ),
        (
            b"\x81\x8d\x8f\x90\x9d",
            "caseload.csv",
            "The file is not text in UTF-8: save it as 'CSV UTF-8'.",
        ),
        (
            b"crn,provider\nA,B",
            "caseload.xlsx",
            "The file is not an Excel workbook: save it as XLSX or CSV.",
        ),
        (
            b"PK\x03\x04garbage",
            "caseload.xlsx",
            "The file is not an Excel workbook: save it as XLSX or CSV.",
        ),
        (b"whatever", "caseload.pdf", "Upload a CSV or XLSX file."),
        (
            ",".join(HEADER).encode() + b'\nA1,"unterminated',
            "caseload.csv",
            "The CSV file cannot be read: unexpected end of data.",
        ),
    ],
)
def test_unreadable_files_get_a_file_error(pdu_a, data, filename, reason):
    result = run(data, filename)
    assert result.errors == [RowError(None, "", reason)]
    assert Case.objects.count() == 0


def test_a_zip_that_is_not_a_workbook(pdu_a):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    result = run(buffer.getvalue(), "caseload.xlsx")
    assert result.errors == [
        RowError(None, "", "The XLSX file cannot be opened: it may be damaged.")
    ]


def test_bad_file_writes_nothing_even_when_most_rows_are_good(pdu_a):
    CaseFactory(crn="A000001", provider=pdu_a, rosh_level="low")
    records = rows(50)
    records[49]["gender"] = "?"
    result = run(csv_bytes(records))
    assert not result.ok
    assert Case.objects.count() == 1
    assert Case.objects.get().rosh_level == "low"


def test_reimport_updates_by_crn_without_duplicates(pdu_a, pdu_b):
    first = run(csv_bytes(rows(20)))
    assert (first.created, first.updated) == (20, 0)
    changed = rows(20, rosh_level="high")
    changed[0]["provider"] = "PDU-B"
    changed.append(row("A000021"))
    again = run(csv_bytes(changed))
    assert (again.created, again.updated) == (1, 20)
    assert Case.objects.count() == 21
    assert Case.objects.filter(rosh_level="high").count() == 20
    assert Case.objects.get(crn="A000001").provider == pdu_b


def test_reimport_keeps_created_at_and_moves_updated_at(pdu_a):
    run(csv_bytes(rows(1)))
    case = Case.objects.get()
    run(csv_bytes(rows(1, rosh_level="low")))
    case_after = Case.objects.get()
    assert case_after.created_at == case.created_at
    assert case_after.updated_at >= case.updated_at
    assert case_after.rosh_level == "low"


def test_dry_run_counts_but_writes_nothing(pdu_a):
    CaseFactory(crn="A000002", provider=pdu_a)
    result = run(csv_bytes(rows(3)), dry_run=True)
    assert result.ok and not result.written
    assert (result.created, result.updated) == (2, 1)
    assert Case.objects.count() == 1
    assert [r["crn"] for r in result.preview] == ["A000001", "A000002", "A000003"]


def test_scoped_import_refuses_other_providers_and_their_cases(pdu_a, pdu_b):
    CaseFactory(crn="A000002", provider=pdu_b)
    data = csv_bytes([row("A000001", "PDU-A"), row("A000002", "PDU-A"), row("A000003", "PDU-B")])
    result = run(data, allowed_provider_ids={pdu_a.pk})
    assert result.errors == [
        RowError(3, "crn", "The CRN A000002 belongs to a provider you do not manage."),
        RowError(4, "provider", "Unknown provider code 'PDU-B', or not a provider you manage."),
    ]
    assert Case.objects.count() == 1
    assert Case.objects.get().provider == pdu_b


def test_query_count_does_not_grow_with_rows(pdu_a):
    """A fixed handful of queries per batch of rows (SQLite's batches are small), never per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(count, prefix, **overrides):
        with CaptureQueriesContext(connection) as captured:
            result = run(csv_bytes(rows(count, prefix=prefix, **overrides)))
        assert result.ok and result.created + result.updated == count
        return len(captured)

    # 40 rows fit one of SQLite's batches (999 parameters); PostgreSQL has no batches at all.
    assert queries(2, "B") == queries(40, "C")
    assert queries(40, "C", rosh_level="high") == queries(2, "B", rosh_level="high")
    large = queries(3000, "D")
    assert large <= 3000 / 40
    if connection.vendor == "postgresql":
        assert large == queries(2, "E")


# Hostile input -------------------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(data=st.binary(max_size=3000), name=st.sampled_from(["x.csv", "x.xlsx", "x", "x.txt"]))
def test_random_bytes_never_raise(pdu_a, data, name):
    result = run(data, name, dry_run=True)
    assert isinstance(result.errors, list)
    assert not result.written


@FUZZ
@given(st.lists(st.lists(st.text(max_size=40), min_size=0, max_size=16), max_size=20))
def test_random_cells_under_a_good_header_are_reported_not_raised(pdu_a, cells):
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(cells)
    result = run(out.getvalue().encode("utf-8", "surrogatepass"), dry_run=True)
    for error in result.errors:
        assert error.row is None or error.row >= 2
        assert error.reason
    assert Case.objects.count() == 0
