"""Improvement actions: the figure an action starts from, its lifecycle, overdue, scoping,
permissions, the before and after on the next report, reminders and exports."""

from __future__ import annotations

import csv
import datetime
import io
import random

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.improvement import selectors
from audit.improvement.services import change_state, record_action, send_reminders
from audit.models import ActionChange, ActionState, AuditEvent, ImprovementAction
from tests.audit.improvement.support import place, reviews

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DUE = TODAY + datetime.timedelta(days=30)


@pytest.fixture
def p():
    return place()


def record(p, finding="kq:2.1.1", *, by=None, owner=None, due=DUE, inspection=None):
    return record_action(
        user=by or p.manager,
        inspection=inspection or p.first,
        provider=p.pdu,
        finding=finding,
        description="Team managers check every assessment before it is signed off.",
        owner=owner or p.lead,
        due_date=due,
    )


def new_url(p, inspection=None):
    return reverse("improvement:new", args=[(inspection or p.first).pk, p.pdu.code])


def form_data(p, **changes):
    data = {
        "finding": "kq:2.1.1",
        "description": "Team managers check every assessment.",
        "owner": str(p.lead.pk),
        "due_date_0": str(DUE.day),
        "due_date_1": str(DUE.month),
        "due_date_2": str(DUE.year),
    }
    data.update(changes)
    return data


# The figure an action starts from ------------------------------------------------------------


def test_a_key_question_action_starts_from_the_reports_figure(p):
    action = record(p)
    assert (action.numerator, action.denominator, action.percentage) == (20, 50, 40.0)
    assert action.inspection == p.first
    assert action.measure_code == "2.1.1"
    assert action.state == ActionState.OPEN
    assert action.finding_label == "Key question 2.1.1 Assessment engages the person?"


def test_a_case_data_standard_starts_from_its_weakest_key_question(p):
    action = record(p, "standard:2.1")
    # 2.1.1 (20 of 50) is weaker than 2.1.2 (50 of 50): it sets the standard's rating.
    assert (action.measure_code, action.numerator, action.denominator) == ("2.1.1", 20, 50)
    assert "weakest key question 2.1.1" in action.finding_label


def test_a_standard_rated_by_judgement_has_no_figure(p):
    action = record(p, "standard:1.1")
    assert not action.has_figure
    assert action.percentage is None and action.measure_code == ""


def test_an_unknown_finding_is_refused_at_the_field(p):
    with pytest.raises(ValidationError) as caught:
        record(p, "kq:9.9.9")
    assert caught.value.message_dict == {"finding": ["Choose a finding of this report."]}
    assert not ImprovementAction.objects.exists()


def test_the_owner_must_see_the_provider_and_the_due_date_not_be_past(p):
    with pytest.raises(ValidationError) as caught:
        record(p, owner=p.other_manager, due=TODAY - datetime.timedelta(days=1))
    errors = caught.value.message_dict
    assert errors["owner"] == ["Choose an owner who can see North PDU"]
    assert errors["due_date"] == ["The due date must be today or in the future"]
    # Assessors do not read reports, so they cannot own an action either.
    with pytest.raises(ValidationError):
        record(p, owner=p.assessor)
    assert not ImprovementAction.objects.exists()


def test_recording_is_on_the_audit_trail_with_its_figure(p):
    action = record(p)
    event = AuditEvent.objects.get(object_type="improvement_action", object_id=str(action.pk))
    assert event.username == "manager"
    assert event.detail["event"] == "recorded"
    assert event.detail["figure"] == "20/50"
    assert event.detail["owner"] == "lead"


# Lifecycle -----------------------------------------------------------------------------------


def test_an_action_moves_open_in_progress_done_with_a_note_each_time(p):
    action = record(p)
    change_state(user=p.lead, action=action, state=ActionState.IN_PROGRESS, note="Started.")
    change_state(user=p.lead, action=action, state=ActionState.DONE, note="All checked.")
    action.refresh_from_db()
    assert action.state == ActionState.DONE
    history = list(action.changes.values_list("from_state", "to_state", "note"))
    assert history == [
        ("", "open", "Action recorded."),
        ("open", "in_progress", "Started."),
        ("in_progress", "done", "All checked."),
    ]
    events = AuditEvent.objects.filter(
        object_type="improvement_action", action=AuditEvent.Action.STATUS_CHANGED
    )
    assert [e.detail["to"] for e in events.order_by("at", "pk")] == ["in_progress", "done"]


def test_a_done_action_may_be_reopened_with_a_note(p):
    action = record(p)
    change_state(user=p.lead, action=action, state=ActionState.DONE, note="Done.")
    change_state(user=p.manager, action=action, state=ActionState.OPEN, note="Not yet, after all.")
    action.refresh_from_db()
    assert action.state == ActionState.OPEN


@pytest.mark.parametrize(
    ("state", "note", "field", "message"),
    [
        ("open", "Nothing", "state", "The action is already open"),
        ("in_progress", "   ", "note", "Enter a note saying what has changed"),
        ("finished", "Done", "state", "Choose the action’s new state"),
    ],
)
def test_a_change_without_a_note_or_to_the_same_state_is_refused(p, state, note, field, message):
    action = record(p)
    with pytest.raises(ValidationError) as caught:
        change_state(user=p.lead, action=action, state=state, note=note)
    assert caught.value.message_dict[field] == [message]
    action.refresh_from_db()
    assert action.state == ActionState.OPEN
    assert action.changes.count() == 1


# Overdue -------------------------------------------------------------------------------------


def test_overdue_is_past_due_and_not_done(p):
    action = record(p, due=TODAY)
    later = TODAY + datetime.timedelta(days=1)
    assert not action.is_overdue(TODAY)
    assert action.is_overdue(later)
    flagged = selectors.with_overdue(ImprovementAction.objects.all(), later).get()
    assert flagged.overdue
    change_state(user=p.lead, action=action, state=ActionState.DONE, note="Done.")
    action.refresh_from_db()
    assert not action.is_overdue(later)
    assert not selectors.with_overdue(ImprovementAction.objects.all(), later).get().overdue


def test_state_counts_match_a_count_made_row_by_row(p):
    rng = random.Random(19)
    for i in range(40):
        action = record(p, due=TODAY + datetime.timedelta(days=rng.randint(0, 20)))
        state = rng.choice(ActionState.values)
        if state != ActionState.OPEN:
            change_state(user=p.lead, action=action, state=state, note=f"Step {i}.")
    day = TODAY + datetime.timedelta(days=10)
    counts = selectors.state_counts(ImprovementAction.objects.all(), day)
    rows = list(ImprovementAction.objects.all())
    assert counts == {
        "open": sum(a.state == "open" for a in rows),
        "in_progress": sum(a.state == "in_progress" for a in rows),
        "done": sum(a.state == "done" for a in rows),
        "overdue": sum(a.is_overdue(day) for a in rows),
    }
    assert counts["open"] and counts["in_progress"] and counts["done"] and counts["overdue"]


# The next inspection's report ------------------------------------------------------------------


def report(client, user, inspection, code="PDU-N"):
    client.force_login(user)
    url = reverse("reports:inspection", args=[inspection.pk]) + f"?provider={code}"
    return client.get(url).content.decode()


def test_the_next_published_report_shows_the_change_and_its_significance(p, client):
    record(p)
    html = report(client, p.manager, p.second)
    assert "20 of 50 (40%)" in html and "35 of 50 (70%)" in html
    assert "56% to 81%" in html  # the Wilson interval of 35 of 50
    assert "Up 30 points: larger than chance would explain (z = 3.02)" in html
    # The report it started from compares nothing.
    assert "before and after" not in report(client, p.manager, p.first)


def test_a_small_change_is_within_chance(client):
    p = place(after=(24, 50))
    record(p)
    html = report(client, p.lead, p.second)
    assert "Up 8 points: within what chance would explain (z = 0.81)" in html


def test_only_the_next_published_inspection_compares(p, client):
    record(p)
    third = type(p.first).objects.create(
        title="Winter 2026",
        framework=p.framework,
        period_start=datetime.date(2026, 10, 1),
        period_end=datetime.date(2026, 12, 31),
    )
    third.providers.add(p.pdu)
    reviews(third, p.pdu, p.kqs, 45, 50)
    type(p.first).objects.filter(pk=third.pk).update(status="published")
    assert "before and after" in report(client, p.manager, p.second)
    assert "before and after" not in report(client, p.manager, third)
    # The provider page links the action to where it is compared.
    action = selectors.provider_actions(p.manager, p.pdu).get()
    assert action.next_inspection_id == p.second.pk
    client.force_login(p.manager)
    page = client.get(reverse("reports:provider", args=["PDU-N"])).content.decode()
    assert f"/reports/inspections/{p.second.pk}/?provider=PDU-N#improvement-actions" in page


def test_a_provisional_next_inspection_does_not_compare(client):
    p = place()
    type(p.first).objects.filter(pk=p.second.pk).update(status="moderation")
    record(p)
    html = report(client, p.manager, p.second)
    assert "before and after" not in html
    assert "compared on the report of the next published inspection" in html


# Scoping and permissions ---------------------------------------------------------------------


def test_a_manager_sees_the_actions_of_their_providers_only(p, client):
    action = record(p)
    client.force_login(p.other_manager)
    assert client.get(reverse("improvement:detail", args=[action.pk])).status_code == 404
    listing = client.get(reverse("improvement:list")).content.decode()
    assert "Team managers check" not in listing
    response = client.get(reverse("improvement:list") + "?provider=PDU-N")
    assert response.status_code == 404
    client.force_login(p.manager)
    assert "Team managers check" in client.get(reverse("improvement:list")).content.decode()


def test_the_owner_sees_their_actions_on_their_home_page(p, client):
    action = record(p, owner=p.moderator)
    client.force_login(p.moderator)
    html = client.get(reverse("home")).content.decode()
    assert "Your improvement actions" in html
    assert reverse("improvement:detail", args=[action.pk]) in html
    change_state(user=p.moderator, action=action, state=ActionState.DONE, note="Done.")
    assert "Your improvement actions" not in client.get(reverse("home")).content.decode()


def test_a_moderator_who_sees_the_report_may_not_record_an_action(p, client):
    client.force_login(p.moderator)
    assert client.get(reverse("reports:inspection", args=[p.first.pk])).status_code == 200
    assert client.get(new_url(p)).status_code == 403
    response = client.post(new_url(p), form_data(p))
    assert response.status_code == 403
    assert "Only a lead or manager whose providers include it" in response.content.decode()
    assert not ImprovementAction.objects.exists()


@pytest.mark.parametrize("who", ["assessor", "other_manager"])
def test_who_may_not_see_the_report_gets_a_404(p, client, who):
    client.force_login(getattr(p, who))
    assert client.get(new_url(p)).status_code == 404
    assert client.post(new_url(p), form_data(p)).status_code == 404
    assert not ImprovementAction.objects.exists()


def test_a_moderator_who_sees_an_action_may_not_move_it(p, client):
    action = record(p)
    client.force_login(p.moderator)
    assert client.get(reverse("improvement:detail", args=[action.pk])).status_code == 200
    response = client.post(
        reverse("improvement:state", args=[action.pk]), {"state": "done", "note": "Done."}
    )
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.state == ActionState.OPEN and action.changes.count() == 1


def test_an_assessor_cannot_see_or_move_an_action(p, client):
    action = record(p)
    client.force_login(p.assessor)
    assert client.get(reverse("improvement:detail", args=[action.pk])).status_code == 404
    url = reverse("improvement:state", args=[action.pk])
    assert client.post(url, {"state": "done", "note": "x"}).status_code == 404
    action.refresh_from_db()
    assert action.state == ActionState.OPEN


def test_a_moderator_owner_may_move_their_own_action(p, client):
    action = record(p, owner=p.moderator)
    client.force_login(p.moderator)
    url = reverse("improvement:state", args=[action.pk])
    response = client.post(url, {"state": "in_progress", "note": "Begun."})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.state == ActionState.IN_PROGRESS


def test_a_manager_records_an_action_through_the_form(p, client):
    client.force_login(p.manager)
    page = client.get(new_url(p) + "?finding=standard:2.1").content.decode()
    assert "Standard 2.1 Assessment (weakest key question 2.1.1): 20 of 50 (40%)" in page
    assert 'value="standard:2.1" selected' in page
    response = client.post(new_url(p), form_data(p))
    action = ImprovementAction.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("improvement:detail", args=[action.pk])
    assert (action.owner, action.due_date, action.created_by) == (p.lead, DUE, p.manager)


def test_bad_input_is_shown_at_each_field_and_nothing_is_saved(p, client):
    client.force_login(p.manager)
    data = form_data(p, description="", owner=str(p.other_manager.pk), due_date_1="13")
    response = client.post(new_url(p), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter what will change" in html
    assert "Choose the owner" in html
    assert "Enter a real due date" in html
    assert not ImprovementAction.objects.exists()


def test_a_state_change_without_a_note_is_shown_on_the_page(p, client):
    action = record(p)
    client.force_login(p.lead)
    response = client.post(reverse("improvement:state", args=[action.pk]), {"state": "done"})
    assert response.status_code == 400
    assert "Enter a note saying what has changed" in response.content.decode()
    assert ActionChange.objects.count() == 1


def test_the_provider_page_lists_actions_in_a_fixed_number_of_queries(
    p, client, django_assert_max_num_queries
):
    client.force_login(p.manager)
    url = reverse("reports:provider", args=["PDU-N"])
    record(p)
    with django_assert_max_num_queries(60) as few:
        client.get(url)
    for _ in range(15):
        record(p, "kq:2.1.2")
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(url).content.decode()
    assert "16 open, 0 in progress, 0 done." in html


# Reminders -----------------------------------------------------------------------------------


def test_owners_are_reminded_once_a_week_before_the_due_date(p):
    soon = record(p, due=TODAY + datetime.timedelta(days=7))
    record(p, due=TODAY + datetime.timedelta(days=8))  # not yet
    done = record(p, due=TODAY + datetime.timedelta(days=2))
    change_state(user=p.lead, action=done, state=ActionState.DONE, note="Done.")
    assert send_reminders(today=TODAY) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lead@example.org"]
    assert "North PDU" in message.subject
    assert "Team managers check every assessment" in message.body
    # Idempotent: a second run, the same day or later, sends nothing more for it.
    assert send_reminders(today=TODAY) == 0
    assert send_reminders(today=TODAY + datetime.timedelta(days=1)) == 1  # the 8-day one
    assert len(mail.outbox) == 2
    soon.refresh_from_db()
    assert soon.reminder_sent_at is not None
    assert AuditEvent.objects.filter(username="system", detail__event="reminder sent").count() == 2


def test_the_reminder_command_reports_what_it_sent(p):
    record(p, due=TODAY + datetime.timedelta(days=3))
    out = io.StringIO()
    call_command("send_action_reminders", stdout=out)
    call_command("send_action_reminders", stdout=out)
    assert out.getvalue().splitlines() == ["1 reminder sent.", "0 reminders sent."]
    assert len(mail.outbox) == 1


# Exports -------------------------------------------------------------------------------------


def test_actions_export_as_csv_and_xlsx_with_formulas_made_inert(p, client):
    action = record(p)
    action.description = '=HYPERLINK("http://example.com")'
    action.save(update_fields=["description"])
    client.force_login(p.manager)
    response = client.get(reverse("improvement:export", args=["csv"]) + "?provider=PDU-N")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header, row = rows[0], dict(zip(rows[0], rows[1]))
    assert "Starting percentage" in header
    assert row["What will change"].startswith("'=HYPERLINK")
    assert (row["Starting figure: cases meeting it"], row["Starting percentage"]) == ("20", "40.0")
    response = client.get(reverse("improvement:export", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [cell.value for cell in sheet[2]]
    assert '\'=HYPERLINK("http://example.com")' in values
    assert (
        AuditEvent.objects.filter(action="exported", object_type="improvement_actions").count() == 2
    )
    assert client.get(reverse("improvement:export", args=["pdf"])).status_code == 404
