"""The case record's timeliness dates on the case facts page: shown, saved to the case, checked
against the sentence or release date and today with an error at the field, and counted."""

import datetime
import re

import pytest
from django.urls import reverse

from audit.accounts.roles import Role
from audit.reports.rollup import rollup
from cases.models import Case
from tests.audit.scoring_support import scoring_setup

pytestmark = pytest.mark.django_db
D = datetime.date


def facts_url(inspection, crn):
    return reverse("audit:review_facts", args=[inspection.pk, crn])


def date_data(name, day):
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


@pytest.fixture
def world(hmip_2018, make_user):
    return scoring_setup(hmip_2018, make_user, cases=1, start_date=D(2026, 3, 5))


def version_of(client, url):
    html = client.get(url).content.decode()
    return int(re.search(r'name="version" value="(\d+)"', html).group(1)), html


def test_dates_are_shown_saved_to_the_case_and_counted(world, client):
    inspection = world["inspection"]
    client.force_login(world["assessor"])
    url = facts_url(inspection, "X000001")
    version, html = version_of(client, url)
    assert "Dates in the case record" in html
    assert "Sentence or release date: <strong>5 March 2026</strong>" in html
    response = client.post(
        reverse("audit:review_facts_draft", args=[inspection.pk, "X000001"]),
        {
            "version": version,
            **date_data("allocation_date", D(2026, 3, 6)),
            **date_data("first_appointment_date", D(2026, 3, 16)),
        },
    )
    assert response.status_code == 302
    case = Case.objects.get(crn="X000001")
    assert case.allocation_date == D(2026, 3, 6)
    assert case.first_appointment_date == D(2026, 3, 16)  # 6 working days: late
    assert case.rosh_screening_date is None
    _, html = version_of(client, url)
    assert 'name="allocation_date_0" value="6"' in html


def test_a_date_before_the_sentence_or_in_the_future_is_refused_at_its_field(world, client):
    inspection = world["inspection"]
    client.force_login(world["assessor"])
    url = facts_url(inspection, "X000001")
    version, _ = version_of(client, url)
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    response = client.post(
        url,
        {
            "version": version,
            "action": "continue",
            **date_data("allocation_date", D(2026, 3, 4)),
            **date_data("rosh_screening_date", tomorrow),
            "first_home_visit_date_0": "31",
            "first_home_visit_date_1": "2",
            "first_home_visit_date_2": "2026",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert (
        "The allocation date, 4 March 2026, is before the sentence or release date, "
        "5 March 2026." in html
    )
    assert "is after today" in html
    assert "Enter a real first home visit date" in html
    case = Case.objects.get(crn="X000001")
    assert case.allocation_date is None and case.rosh_screening_date is None


def test_a_user_who_may_see_but_not_change_the_review_cannot_save_dates(world, make_user, client):
    inspection = world["inspection"]
    other = make_user(Role.MANAGER, providers=[world["provider"]])
    client.force_login(other)
    url = facts_url(inspection, "X000001")
    client.post(url, {"version": 1, **date_data("allocation_date", D(2026, 3, 6))})
    assert Case.objects.get(crn="X000001").allocation_date is None


def test_dates_saved_on_a_submitted_review_move_the_counts(world, hmip_2018):
    from audit.scoring import services
    from tests.audit.scoring_support import review_of, score_completely

    inspection, assessor = world["inspection"], world["assessor"]
    review = score_completely(review_of(inspection, "X000001"), assessor, hmip_2018)
    review = services.submit_review(review=review, version=review.version, user=assessor)
    measure = {m.code: m for m in rollup(inspection).whole.focus_measures}["allocated_in_time"]
    assert (measure.numerator, measure.denominator, measure.not_known) == (0, 0, 1)
    services.reopen_review(review=review_of(inspection, "X000001"), user=world["lead"])
    review = review_of(inspection, "X000001")
    services.save_review(
        review=review,
        version=review.version,
        user=assessor,
        case_dates={"allocation_date": D(2026, 3, 6)},
    )
    review = review_of(inspection, "X000001")
    services.submit_review(review=review, version=review.version, user=assessor)
    measure = {m.code: m for m in rollup(inspection).whole.focus_measures}["allocated_in_time"]
    assert (measure.numerator, measure.denominator, measure.not_known) == (1, 1, 0)
