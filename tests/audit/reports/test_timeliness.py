"""Timeliness measures: counted in working days from the case dates, with "not known" apart,
equal to a day-by-day recount; limits read from the framework version; shown in every report
and export."""

import csv
import datetime
import io
import json
import random

import holidays
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit.counts.contribution import record_case_change
from audit.counts.rebuild import differences
from audit.models import COUNTED_REVIEW_STATUSES, ReviewStatus, SampledCase
from audit.reports.rollup import rollup
from cases.models import Case
from standards.loaders import add_missing_timeliness_measures
from standards.models import TimelinessMeasure
from standards.timeliness import KINDS
from tests.audit.reports.test_report_pdfs import pdf_response, pdf_text
from tests.audit.rollup_data import S, add_review, inspection_of, provider, small_framework

pytestmark = pytest.mark.django_db

D = datetime.date
ENGLAND = holidays.country_holidays("GB", subdiv="ENG", years=range(2025, 2028))


def by_hand(start, end):
    """Working days after `start` up to and including `end`, one day at a time; 0 when `end`
    is before `start`."""
    days = (start + datetime.timedelta(days=k) for k in range(1, (end - start).days + 1))
    return sum(1 for day in days if day.weekday() < 5 and day not in ENGLAND)


def recount(inspection, limits):
    """(in time, known, not known) per provider code and kind, from the cases of the counted
    reviews, the long way."""
    found = {}
    sampled_cases = SampledCase.objects.filter(
        inspection=inspection, review__status__in=COUNTED_REVIEW_STATUSES
    ).select_related("case", "provider")
    for sampled in sampled_cases:
        for kind in KINDS:
            first = getattr(sampled.case, kind.from_field)
            second = getattr(sampled.case, kind.to_field)
            met, known, unknown = found.get((sampled.provider.code, kind.code), (0, 0, 0))
            if first is None or second is None:
                unknown += 1
            else:
                known += 1
                met += by_hand(first, second) <= limits[kind.code]
            found[(sampled.provider.code, kind.code)] = (met, known, unknown)
    return found


def counted(inspection):
    return {
        (p.code, m.code): (m.numerator, m.denominator, m.not_known)
        for p in rollup(inspection).providers
        for m in p.focus_measures
        if m.is_timeliness
    }


def maybe(rng, day, spread):
    """A date a few days after `day`, sometimes not known."""
    if rng.random() < 0.2:
        return None
    return day + datetime.timedelta(days=rng.randint(0, spread))


@pytest.fixture
def world():
    """Two providers, 80 reviews of every status, dates around Christmas, Easter and August."""
    framework, _, kqs = small_framework()
    add_missing_timeliness_measures(framework=framework)
    north, south = provider(code="NORTH", name="North PDU"), provider(code="SOUTH", name="South")
    inspection = inspection_of(framework, north, south)
    rng = random.Random(19)
    starts = [D(2026, 12, 21), D(2026, 3, 30), D(2026, 8, 20), D(2026, 5, 1)]
    statuses = [ReviewStatus.SUBMITTED] * 3 + [ReviewStatus.IN_PROGRESS]
    for i in range(80):
        start = starts[i % 4] + datetime.timedelta(days=rng.randint(0, 6))
        allocated = maybe(rng, start, 4)
        after = allocated or start
        case = Case.objects.create(
            crn=f"T{i:06d}",
            provider=(north, south)[i % 2],
            sentence_type="community_order",
            rosh_level="medium",
            gender="male",
            start_date=start,
            allocation_date=allocated,
            first_appointment_date=maybe(rng, after, 12) if allocated else None,
            # Sometimes screened at court, before allocation: counts as 0 days.
            rosh_screening_date=maybe(rng, start, 16),
        )
        add_review(inspection, case.provider, {kqs["2.1.1"]: S}, case=case, status=statuses[i % 4])
    return inspection, framework


def limits_of(framework):
    return dict(framework.timeliness_measures.values_list("code", "limit_working_days"))


def test_counts_equal_a_day_by_day_recount_with_not_known_apart(world):
    inspection, framework = world
    limits = limits_of(framework)
    assert limits == {
        "allocated_in_time": 1,
        "first_appointment_in_time": 5,
        "rosh_screening_in_time": 5,
    }
    expected = recount(inspection, limits)
    assert counted(inspection) == expected
    # Every state is present: in time, late and not known, for every kind.
    for kind in KINDS:
        met = sum(expected[(p, kind.code)][0] for p in ("NORTH", "SOUTH"))
        known = sum(expected[(p, kind.code)][1] for p in ("NORTH", "SOUTH"))
        unknown = sum(expected[(p, kind.code)][2] for p in ("NORTH", "SOUTH"))
        assert 0 < met < known and unknown > 0
    # The whole inspection adds the providers up; in-progress reviews are not counted.
    whole = {m.code: m for m in rollup(inspection).whole.focus_measures if m.is_timeliness}
    for kind in KINDS:
        north, south = expected[("NORTH", kind.code)], expected[("SOUTH", kind.code)]
        m = whole[kind.code]
        assert (m.numerator, m.denominator, m.not_known) == tuple(
            a + b for a, b in zip(north, south)
        )
        assert m.denominator + m.not_known == 60
        assert m.ci_low < m.percentage < m.ci_high
    assert differences([inspection.id]) == []


def test_a_published_version_refuses_a_changed_limit_and_its_reports_keep_theirs(
    world, admin_client
):
    inspection, framework = world
    framework.publish()
    before = counted(inspection)
    measure = framework.timeliness_measures.get(code="first_appointment_in_time")
    response = admin_client.post(
        reverse("admin:standards_timelinessmeasure_change", args=[measure.pk]),
        {"limit_working_days": 2, "order": measure.order},
    )
    assert response.status_code == 200
    assert f"{framework} is published and cannot be changed." in response.content.decode()
    assert TimelinessMeasure.objects.get(pk=measure.pk).limit_working_days == 5
    assert counted(inspection) == before == recount(inspection, limits_of(framework))
    labels = [m.label for m in rollup(inspection).whole.focus_measures if m.is_timeliness]
    assert "First appointment within 5 working days of allocation" in labels


def test_a_draft_versions_limit_applies_to_the_reviews_scored_against_it(world, admin_client):
    inspection, framework = world  # scored against a draft version
    measure = framework.timeliness_measures.get(code="first_appointment_in_time")
    response = admin_client.post(
        reverse("admin:standards_timelinessmeasure_change", args=[measure.pk]),
        {"limit_working_days": 2, "order": measure.order},
    )
    assert response.status_code == 302
    assert TimelinessMeasure.objects.get(pk=measure.pk).limit_working_days == 2
    limits = limits_of(framework)
    assert counted(inspection) == recount(inspection, limits)
    assert counted(inspection) != recount(inspection, {**limits, "first_appointment_in_time": 5})
    labels = [m.label for m in rollup(inspection).whole.focus_measures if m.is_timeliness]
    assert "First appointment within 2 working days of allocation" in labels
    assert "Allocated within 1 working day of sentence or release" in labels


def test_a_limit_past_the_most_allowed_is_refused_in_the_admin(world, admin_client):
    _, framework = world
    measure = framework.timeliness_measures.get(code="allocated_in_time")
    response = admin_client.post(
        reverse("admin:standards_timelinessmeasure_change", args=[measure.pk]),
        {"limit_working_days": 61, "order": 1},
    )
    assert response.status_code == 200
    assert TimelinessMeasure.objects.get(pk=measure.pk).limit_working_days == 1


def test_changed_dates_move_the_counts(world):
    inspection, framework = world
    cases = list(Case.objects.filter(allocation_date__isnull=True)[:5])
    for case in cases:
        case.allocation_date = case.start_date
        case.save()
    record_case_change(case_ids=[c.pk for c in cases])
    assert counted(inspection) == recount(inspection, limits_of(framework))
    assert differences([inspection.id]) == []


def test_a_version_without_timeliness_measures_shows_none(world):
    inspection, framework = world
    framework.timeliness_measures.all().delete()
    assert counted(inspection) == {}


def test_reports_and_exports_show_the_measures(world, admin_client):
    inspection, _ = world
    whole = {m.code: m for m in rollup(inspection).whole.focus_measures}
    allocated = whole["allocated_in_time"]
    html = admin_client.get(reverse("reports:inspection", args=[inspection.id])).content.decode()
    assert "Allocated within 1 working day of sentence or release" in html
    assert "Dates not known" in html
    assert allocated.text in html and allocated.interval_text in html

    download = reverse("reports:inspection_download", args=[inspection.id, "focus-measures", "csv"])
    rows = list(csv.DictReader(io.StringIO(admin_client.get(download).content.decode())))
    row = next(r for r in rows if r["Measure"] == allocated.label)
    assert int(row["Cases meeting the measure"]) == allocated.numerator
    assert int(row["Dates not known"]) == allocated.not_known
    home_visits = next(r for r in rows if r["Measure"].startswith("Home visits made"))
    assert home_visits["Dates not known"] == ""

    download = download.replace(".csv", ".xlsx")
    sheet = load_workbook(io.BytesIO(admin_client.get(download).content)).active
    values = [[cell.value for cell in line] for line in sheet.iter_rows()]
    assert any(allocated.label in line and allocated.not_known in line for line in values)

    text = pdf_text(
        pdf_response(
            admin_client,
            reverse("reports:inspection_download", args=[inspection.id, "report", "pdf"]),
        )
    )
    assert "Allocated within 1 working day of sentence or release" in text
    assert "Dates not known" in text

    data = json.loads(
        admin_client.get(reverse("reports:inspection_json", args=[inspection.id])).content
    )
    found = {m["code"]: m for m in data["whole_inspection"]["focus_measures"]}
    assert found["allocated_in_time"]["not_known"] == allocated.not_known
    assert found["allocated_in_time"]["denominator"] == allocated.denominator
    assert "not_known" not in found["home_visits_made"]
