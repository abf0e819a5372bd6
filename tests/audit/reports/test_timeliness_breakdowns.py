"""Timeliness measures broken down by case characteristic: counted from the counted reviews'
case dates, "not known" apart, small cells flagged, scoped, filtered, kept beside the roll-up
and following its changes; shown on the inspection report and in its exports."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.accounts.roles import Role
from audit.counts.contribution import record_case_change
from audit.models import Inspection, InspectionStatus, ReviewStatus
from audit.reports.breakdowns import DIMENSIONS_BY_KEY
from audit.reports.rollup import rollup
from audit.reports.timeliness_breakdowns import TimelinessCell, timeliness_breakdowns
from audit.retention.services import freeze_figures
from cases.models import Case
from standards.loaders import add_missing_timeliness_measures
from tests.audit.reports.test_report_pdfs import pdf_response, pdf_text
from tests.audit.rollup_data import S, add_review, inspection_of, provider, small_framework

pytestmark = pytest.mark.django_db

D = datetime.date
# March 2026 has no bank holiday: Monday 2 March is the sentence date of every case.
START = D(2026, 3, 2)
IN_TIME = D(2026, 3, 3)  # allocated 1 working day after: within the limit of 1
LATE = D(2026, 3, 4)  # 2 working days: late
FIRST_IN_TIME = D(2026, 3, 10)  # 5 working days after allocation on the 3rd: within 5
FIRST_LATE = D(2026, 3, 11)  # 6: late
COURT = D(2026, 2, 27)  # screened before allocation: counts as 0 days, in time

SUB, MOD = ReviewStatus.SUBMITTED, ReviewStatus.MODERATED
IN_PROGRESS, RETURNED = ReviewStatus.IN_PROGRESS, ReviewStatus.RETURNED

# (provider, gender, status, allocation date, first appointment date, RoSH screening date)
REVIEWS = [
    ("NORTH", "male", SUB, IN_TIME, FIRST_IN_TIME, None),
    ("NORTH", "male", SUB, IN_TIME, FIRST_IN_TIME, None),
    ("NORTH", "male", SUB, IN_TIME, FIRST_LATE, None),
    ("NORTH", "male", SUB, IN_TIME, None, None),
    ("NORTH", "male", SUB, LATE, None, None),
    ("NORTH", "male", SUB, LATE, None, None),
    ("NORTH", "male", SUB, None, None, None),  # allocation not known
    ("NORTH", "male", MOD, IN_TIME, None, None),
    ("NORTH", "male", IN_PROGRESS, IN_TIME, None, None),  # not counted
    ("NORTH", "male", IN_PROGRESS, IN_TIME, None, None),  # not counted
    ("NORTH", "male", RETURNED, LATE, None, None),  # not counted
    ("NORTH", "female", SUB, IN_TIME, None, None),
    ("SOUTH", "male", SUB, LATE, None, None),
    ("SOUTH", "male", SUB, IN_TIME, None, COURT),
    ("SOUTH", "female", SUB, IN_TIME, None, None),
    ("SOUTH", "female", SUB, IN_TIME, None, None),
    ("SOUTH", "female", SUB, None, None, None),
    ("SOUTH", "female", MOD, LATE, None, None),
    ("SOUTH", "female", RETURNED, IN_TIME, None, None),  # not counted
]

# Worked by hand from REVIEWS: (in time, known, not known) per measure and value.
# Counted: NORTH male 8, NORTH female 1, SOUTH male 2, SOUTH female 4 (15 in all).
BY_GENDER = {
    "allocated_in_time": {"male": (6, 9, 1), "female": (3, 4, 1)},
    "first_appointment_in_time": {"male": (2, 3, 7), "female": (0, 0, 5)},
    "rosh_screening_in_time": {"male": (1, 1, 9), "female": (0, 0, 5)},
}
BY_PROVIDER = {
    "allocated_in_time": {"NORTH": (6, 8, 1), "SOUTH": (3, 5, 1)},
    "first_appointment_in_time": {"NORTH": (2, 3, 6), "SOUTH": (0, 0, 6)},
    "rosh_screening_in_time": {"NORTH": (0, 0, 9), "SOUTH": (1, 1, 5)},
}
# Only NORTH's cases.
NORTH_BY_GENDER = {
    "allocated_in_time": {"male": (5, 7, 1), "female": (1, 1, 0)},
    "first_appointment_in_time": {"male": (2, 3, 5), "female": (0, 0, 1)},
    "rosh_screening_in_time": {"male": (0, 0, 8), "female": (0, 0, 1)},
}


def add(inspection, kq, providers, code, gender, status, allocated, first, screened):
    case = Case.objects.create(
        crn=f"TB{Case.objects.count():05d}",
        provider=providers[code],
        sentence_type="community_order",
        rosh_level="medium",
        gender=gender,
        start_date=START,
        allocation_date=allocated,
        first_appointment_date=first,
        rosh_screening_date=screened,
    )
    return add_review(inspection, providers[code], {kq: S}, case=case, status=status)


@pytest.fixture
def world():
    framework, _, kqs = small_framework()
    add_missing_timeliness_measures(framework=framework)
    providers = {
        "NORTH": provider(code="NORTH", name="North PDU"),
        "SOUTH": provider(code="SOUTH", name="South PDU"),
    }
    inspection = inspection_of(framework, *providers.values())
    for spec in REVIEWS:
        add(inspection, kqs["2.1.1"], providers, *spec)
    # Submitted, in time, but in an inspection still in planning: counts nowhere.
    planning = inspection_of(framework, *providers.values(), status=InspectionStatus.PLANNING)
    for _ in range(2):
        add(planning, kqs["2.1.1"], providers, "NORTH", "male", SUB, IN_TIME, None, None)
    return inspection, planning, framework, providers, kqs


def measures_of(framework):
    return list(framework.timeliness_measures.all())


def cells(breakdown) -> dict:
    """{measure code: {value: (in time, known, not known)}}."""
    return {
        row.code: {
            value: (cell.in_time, cell.known, cell.not_known)
            for (value, _), cell in zip(breakdown.columns, row.cells)
        }
        for row in breakdown.rows
    }


def by(inspection, framework, *keys, **kwargs):
    return timeliness_breakdowns(
        inspection,
        measures=measures_of(framework),
        dimensions=[DIMENSIONS_BY_KEY[k] for k in keys],
        **kwargs,
    )


def test_each_cell_is_worked_by_hand_with_not_known_apart(world):
    inspection, planning, framework, providers, _ = world
    gender, by_provider = by(inspection, framework, "gender", "provider")
    assert cells(gender) == BY_GENDER
    assert cells(by_provider) == BY_PROVIDER
    assert by_provider.columns == (("NORTH", "North PDU"), ("SOUTH", "South PDU"))
    assert gender.columns == (("female", "Female"), ("male", "Male"))  # in the choices' order
    assert [row.wording for row in gender.rows] == [
        "Allocated within 1 working day of sentence or release",
        "First appointment within 5 working days of allocation",
        "RoSH screening within 5 working days of allocation",
    ]
    # The whole inspection's figures are the same cases counted by the roll-up.
    whole = {m.code: m for m in rollup(inspection).whole.focus_measures if m.is_timeliness}
    for code, values in BY_GENDER.items():
        summed = tuple(sum(v[i] for v in values.values()) for i in range(3))
        assert summed == (whole[code].numerator, whole[code].denominator, whole[code].not_known)
    # The planning inspection's reviews count nowhere.
    nothing = by(planning, framework, "gender", "provider")
    assert [b.columns for b in nothing] == [(), ()]


def test_cells_show_percentages_small_cells_and_not_known():
    assert TimelinessCell(6, 9, 1).text == "67% (6 of 9)"
    assert TimelinessCell(6, 9, 1).not_known_text == "1 not known"
    assert TimelinessCell(3, 4, 1).text == "fewer than 5 cases"
    assert TimelinessCell(3, 4, 1).percentage is None
    assert TimelinessCell(0, 0, 5).text == "no dates known"
    assert TimelinessCell(0, 0, 0).text == "no cases"
    assert TimelinessCell(3, 5, 0).percentage == 60.0


def test_provider_scope_and_filters_are_respected(world):
    inspection, _, framework, providers, _ = world
    (north,) = by(inspection, framework, "gender", provider_ids={providers["NORTH"].id})
    assert cells(north) == NORTH_BY_GENDER
    (south,) = by(inspection, framework, "provider", provider_ids={providers["SOUTH"].id})
    assert south.columns == (("SOUTH", "South PDU"),)
    # The report's breakdown filters (a Q on judgements' case fields) narrow the reviews alike.
    female = Q(review__sampled_case__case__gender="female")
    (filtered,) = by(inspection, framework, "provider", filters=female)
    assert cells(filtered)["allocated_in_time"] == {"NORTH": (1, 1, 0), "SOUTH": (2, 3, 1)}


def test_one_query_per_dimension_whatever_the_number_of_reviews(world):
    inspection, _, framework, providers, kqs = world
    extra = inspection_of(framework, *providers.values())
    measures = measures_of(framework)
    dimensions = [DIMENSIONS_BY_KEY[k] for k in ("gender", "provider", "ethnicity")]

    def queries():
        with CaptureQueriesContext(connection) as captured:
            timeliness_breakdowns(extra, measures=measures, dimensions=dimensions)
        return len(captured)

    for _ in range(2):
        add(extra, kqs["2.1.1"], providers, "NORTH", "male", SUB, IN_TIME, None, None)
    two = queries()
    for i in range(8):
        gender = ("male", "female")[i % 2]
        add(extra, kqs["2.1.1"], providers, "SOUTH", gender, SUB, LATE, FIRST_LATE, None)
    assert queries() == two == 3


def test_kept_beside_the_roll_up_and_a_change_shows_at_once(world):
    inspection, _, framework, providers, kqs = world
    source = rollup(inspection).source
    assert source
    measures = measures_of(framework)
    (first,) = by(inspection, framework, "gender", kept_as=source)
    with CaptureQueriesContext(connection) as captured:
        (again,) = timeliness_breakdowns(
            inspection, measures=measures, dimensions=[DIMENSIONS_BY_KEY["gender"]], kept_as=source
        )
    assert len(captured) == 0 and again == first
    # A case's allocation date edited: late becomes in time, at once.
    case = Case.objects.filter(gender="female", allocation_date=LATE).get()
    case.allocation_date = IN_TIME
    case.save()
    record_case_change(case_ids=[case.pk])
    source = rollup(inspection).source
    (moved,) = by(inspection, framework, "gender", kept_as=source)
    assert cells(moved)["allocated_in_time"]["female"] == (4, 4, 1)
    # A new submitted review, at once.
    add(inspection, kqs["2.1.1"], providers, "SOUTH", "female", SUB, IN_TIME, None, None)
    (grown,) = by(inspection, framework, "gender", kept_as=rollup(inspection).source)
    assert cells(grown)["allocated_in_time"]["female"] == (5, 5, 1)
    assert grown.rows[0].cells[0].text == "100% (5 of 5)"


@pytest.fixture
def manager(make_user, world):
    _, _, _, providers, _ = world
    return make_user(Role.MANAGER, providers=list(providers.values()))


def test_the_report_page_shows_the_table_for_the_dimension_shown(world, client, manager):
    inspection, *_ = world
    client.force_login(manager)
    url = reverse("reports:inspection", args=[inspection.id])
    html = client.get(url, {"by": "gender"}).content.decode()
    assert "Timeliness by gender" in html
    assert "Key questions by gender" in html
    assert "67%" in html and "6 of 9; 1 not known" in html
    assert "fewer than 5 cases" in html and "no dates known" in html
    assert "Timeliness by provider" not in html
    html = client.get(url, {"by": "provider"}).content.decode()
    assert "Timeliness by provider" in html and "6 of 8; 1 not known" in html
    # A provider's own report: its cases only.
    html = client.get(url, {"by": "gender", "provider": "NORTH"}).content.decode()
    assert "71%" in html and "5 of 7; 1 not known" in html


def test_a_manager_of_one_provider_sees_only_its_cases(world, client, make_user):
    inspection, _, _, providers, _ = world
    client.force_login(make_user(Role.MANAGER, providers=[providers["SOUTH"]]))
    url = reverse("reports:inspection_download", args=[inspection.id, "timeliness-provider", "csv"])
    rows = list(csv.reader(io.StringIO(client.get(url).content.decode())))
    assert rows[0] == ["Timeliness measure", "South PDU", "South PDU: dates not known"]


def test_the_csv_export_has_the_table_with_not_known_apart(world, client, manager):
    inspection, *_ = world
    client.force_login(manager)
    url = reverse("reports:inspection_download", args=[inspection.id, "timeliness-gender", "csv"])
    response = client.get(url)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "Timeliness measure",
        "Female",
        "Female: dates not known",
        "Male",
        "Male: dates not known",
    ]
    assert rows[1] == [
        "Allocated within 1 working day of sentence or release",
        "fewer than 5 cases",
        "1",
        "66.7",
        "1",
    ]
    assert rows[2][1:] == ["no dates known", "5", "fewer than 5 cases", "7"]
    # Every dimension's table is a sheet of the whole report's workbook.
    url = reverse("reports:inspection_download", args=[inspection.id, "all", "xlsx"])
    workbook = load_workbook(io.BytesIO(client.get(url).content))
    for key in ("rosh-level", "sentence-type", "gender", "ethnicity", "provider"):
        assert f"timeliness-{key}" in workbook.sheetnames
    sheet = workbook["timeliness-provider"]
    assert [c.value for c in sheet[2]] == [
        "Allocated within 1 working day of sentence or release",
        75.0,
        1,
        60.0,
        1,
    ]
    assert "timeliness-practitioner-grade" in workbook.sheetnames
    # Filtered as the page is.
    url = reverse("reports:inspection_download", args=[inspection.id, "timeliness-gender", "csv"])
    rows = list(csv.reader(io.StringIO(client.get(url, {"gender": "female"}).content.decode())))
    assert rows[0] == ["Timeliness measure", "Female", "Female: dates not known"]


def test_the_pdf_has_the_table_of_the_dimension_shown(world, client, manager):
    inspection, *_ = world
    client.force_login(manager)
    url = reverse("reports:inspection_download", args=[inspection.id, "report", "pdf"])
    text = pdf_text(pdf_response(client, f"{url}?by=provider"))
    assert "Timeliness by provider" in text
    assert "6 of 8; 1 not known" in text


def test_a_purged_inspection_shows_the_figures_kept(world):
    inspection, _, framework, providers, _ = world
    freeze_figures(inspection)
    before = [cells(b) for b in by(inspection, framework, "gender", "provider")]
    Inspection.objects.filter(pk=inspection.pk).update(case_data_purged_at=timezone.now())
    inspection.refresh_from_db()
    Case.objects.update(allocation_date=None)  # what the purge removes is no longer read
    assert [cells(b) for b in by(inspection, framework, "gender", "provider")] == before
    assert before[0] == BY_GENDER
    (north,) = by(inspection, framework, "gender", provider_ids={providers["NORTH"].id})
    assert cells(north) == NORTH_BY_GENDER
    (filtered,) = by(
        inspection, framework, "gender", filters=Q(review__sampled_case__case__gender="male")
    )
    assert filtered.columns == ()
