"""Built roll-ups kept between requests (audit/reports/rollup_cache.py): read again while
nothing they are built from has changed, never once anything has."""

import json

import pytest
from django.core.cache import caches
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.accounts.roles import Role
from audit.counts.contribution import record_case_change, record_contribution_change
from audit.counts.read import change_numbers
from audit.models import Inspection, InspectionStatus, Judgement
from audit.reports import rollup_cache
from audit.reports.breakdowns import DIMENSIONS_BY_KEY, breakdowns
from audit.reports.rollup import rollup, rollup_inspections
from audit.reports.rollup_export import rollup_json
from standards.rating import Rating
from tests.audit.rollup_data import N, S, add_review, inspection_of, provider, rate, small_framework


@pytest.fixture
def north(db):
    framework, standards, kqs = small_framework()
    north = provider(code="NORTH", name="North PDU")
    south = provider(code="SOUTH", name="South PDU")
    inspection = inspection_of(framework, north, south)
    for value in (S, S, S, N):
        add_review(inspection, north, {kqs["2.1.1"]: value, kqs["2.1.2"]: S, kqs["2.2.1"]: S})
    add_review(inspection, south, {kqs["2.1.1"]: N, kqs["2.1.2"]: N, kqs["2.2.1"]: S})
    return inspection, standards, kqs, north, south


def kept() -> int:
    return len(caches[rollup_cache.CACHE]._cache)


def queries(function) -> int:
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured)


def test_a_roll_up_read_again_unchanged_is_the_kept_one_in_fewer_queries(north):
    inspection, *_ = north
    first_queries = queries(lambda: rollup(inspection))
    first = rollup(inspection)
    again_queries = queries(lambda: rollup(inspection))
    assert kept() == 1
    assert rollup(inspection) == first
    # The framework, the counts and their grouping are not read again: only what the key needs.
    assert again_queries < first_queries - 5


def test_a_change_to_the_counts_is_read_at_once(north):
    inspection, _, kqs, north_pdu, _ = north
    before = rollup(inspection).provider("NORTH").key_question("2.1.1")
    assert (before.sufficient, before.applicable) == (3, 4)
    number = change_numbers([inspection.pk])[inspection.pk]
    judgement = Judgement.objects.filter(
        review__sampled_case__provider=north_pdu, key_question=kqs["2.1.1"], value=N
    ).get()
    Judgement.objects.filter(pk=judgement.pk).update(value=S)
    record_contribution_change(review_ids=[judgement.review_id])
    assert change_numbers([inspection.pk])[inspection.pk] > number
    after = rollup(inspection).provider("NORTH").key_question("2.1.1")
    assert (after.sufficient, after.applicable) == (4, 4)
    add_review(inspection, north_pdu, {kqs["2.1.1"]: N})
    again = rollup(inspection).provider("NORTH").key_question("2.1.1")
    assert (again.sufficient, again.applicable) == (4, 5)


def test_a_lead_rating_a_renamed_provider_and_a_new_status_are_read_at_once(north):
    inspection, standards, _, north_pdu, _ = north
    assert rollup(inspection).provider("NORTH").standard("1.1").rating is None
    rate(inspection, north_pdu, standards["1.1"], Rating.GOOD)
    assert rollup(inspection).provider("NORTH").standard("1.1").rating == Rating.GOOD
    north_pdu.name = "North and Coast PDU"
    north_pdu.save()
    assert rollup(inspection).provider("NORTH").name == "North and Coast PDU"
    Inspection.objects.filter(pk=inspection.pk).update(status=InspectionStatus.PUBLISHED)
    inspection.refresh_from_db()
    assert rollup(inspection).status == InspectionStatus.PUBLISHED


def test_each_scope_and_each_question_asked_is_kept_apart(north):
    inspection, _, _, north_pdu, _ = north
    everyone = rollup(inspection)
    scoped = rollup(inspection, provider_ids={north_pdu.id})
    assert [p.code for p in everyone.providers] == ["NORTH", "SOUTH"]
    assert [p.code for p in scoped.providers] == ["NORTH"]
    assert everyone.whole.key_question("2.1.1").applicable == 5
    assert scoped.whole.key_question("2.1.1").applicable == 4
    lean = rollup_inspections([inspection], focus_measures=False)[inspection.id]
    assert lean.whole.focus_measures == () and everyone.whole.focus_measures != ()
    assert kept() == 3
    assert rollup(inspection) == everyone


def test_inside_a_transaction_nothing_is_kept_nor_read(north):
    inspection, _, kqs, north_pdu, _ = north

    class Undo(Exception):
        pass

    try:
        with transaction.atomic():
            add_review(inspection, north_pdu, {kqs["2.1.1"]: S})
            inside = rollup(inspection).provider("NORTH").key_question("2.1.1")
            assert (inside.sufficient, inside.applicable) == (4, 5)
            assert kept() == 0
            raise Undo
    except Undo:
        pass
    # The change was undone: the roll-up outside never saw it.
    outside = rollup(inspection).provider("NORTH").key_question("2.1.1")
    assert (outside.sufficient, outside.applicable) == (3, 4)
    assert kept() == 1


def test_breakdowns_and_the_json_are_kept_beside_the_roll_up_and_follow_its_changes(north):
    inspection, _, kqs, north_pdu, _ = north
    result = rollup(inspection)
    assert result.source
    by_rosh = breakdowns(
        inspection,
        key_questions=result.whole.key_questions,
        dimensions=[DIMENSIONS_BY_KEY["rosh_level"]],
        kept_as=result.source,
    )[0]
    first = queries(
        lambda: breakdowns(
            inspection,
            key_questions=result.whole.key_questions,
            dimensions=[DIMENSIONS_BY_KEY["rosh_level"]],
            kept_as=result.source,
        )
    )
    assert first == 0
    cell = dict(zip(by_rosh.columns, by_rosh.rows[0].cells))[("medium", "Medium")]
    assert (cell.sufficient, cell.applicable) == (3, 5)
    body = json.loads(rollup_json(result))
    assert rollup_json(result) == rollup_json(rollup(inspection))

    add_review(inspection, north_pdu, {kqs["2.1.1"]: S})
    changed = rollup(inspection)
    assert changed.source != result.source
    again = breakdowns(
        inspection,
        key_questions=changed.whole.key_questions,
        dimensions=[DIMENSIONS_BY_KEY["rosh_level"]],
        kept_as=changed.source,
    )[0]
    cell = dict(zip(again.columns, again.rows[0].cells))[("medium", "Medium")]
    assert (cell.sufficient, cell.applicable) == (4, 6)
    whole = json.loads(rollup_json(changed))["whole_inspection"]
    assert whole["reviews"] == body["whole_inspection"]["reviews"] + 1


def test_the_report_page_shows_a_change_at_once_and_keeps_scopes_apart(north, client, make_user):
    inspection, _, kqs, north_pdu, south_pdu = north
    url = reverse("reports:inspection", args=[inspection.pk])
    client.force_login(make_user(Role.MANAGER, providers=[north_pdu, south_pdu]))
    assert "4 of 5" in client.get(url).content.decode()  # 2.1.2: North 4 of 4, South 0 of 1
    add_review(inspection, north_pdu, {kqs["2.1.1"]: S, kqs["2.1.2"]: S, kqs["2.2.1"]: S})
    page = client.get(url).content.decode()
    assert "5 of 6" in page and "South PDU" in page
    client.force_login(make_user(Role.MANAGER, providers=[north_pdu]))
    scoped = client.get(url).content.decode()
    assert "South PDU" not in scoped and "4 of 5" in scoped


def test_a_change_to_what_a_review_counts_moves_the_change_number_even_with_no_count_moved(north):
    inspection, _, _, north_pdu, _ = north
    review = add_review(inspection, north_pdu, {}, gender="male")  # counted, nothing judged
    number = change_numbers([inspection.pk])[inspection.pk]
    case = review.sampled_case.case
    case.gender = "female"
    case.save()
    record_case_change(case_ids=[case.pk])
    assert change_numbers([inspection.pk])[inspection.pk] > number
    unchanged = change_numbers([inspection.pk])[inspection.pk]
    record_case_change(case_ids=[case.pk])  # nothing changed: nothing to tell apart
    assert change_numbers([inspection.pk])[inspection.pk] == unchanged
