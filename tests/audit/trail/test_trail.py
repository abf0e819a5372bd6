"""The audit trail: what is recorded, and the admins' page and CSV export in the service."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.accounts.roles import Role
from audit.models import AuditEvent, CaseReview, ReviewStatus
from audit.trail import trail
from cases.models import Case
from tests.audit.access_world import build_world
from tests.audit.moderation_support import completed_read, inspection_for, submitted_review

pytestmark = pytest.mark.django_db

Action = AuditEvent.Action


@pytest.fixture
def world(db):
    return build_world()


def last_event(**filters):
    return AuditEvent.objects.filter(**filters).order_by("-pk").first()


def csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode())))


# What is recorded ------------------------------------------------------------------------------


def test_viewing_and_changing_a_review_are_recorded(client, world):
    a = world.a
    assessor = a.users[Role.ASSESSOR]
    client.force_login(assessor)
    args = [a.inspection.pk, a.open_crn]
    pages = {
        "task list": reverse("audit:review_tasks", args=args),
        "case facts": reverse("audit:review_facts", args=args),
        "standard 2.1": reverse("audit:review_standard", args=args + ["2.1"]),
        "check answers": reverse("audit:review_check", args=args),
        "history": reverse("audit:review_history", args=args),
    }
    for page, url in pages.items():
        assert client.get(url).status_code == 200
        event = last_event()
        assert (event.username, event.action, event.detail) == (
            assessor.username,
            Action.VIEWED,
            {"page": page},
        )
        assert event.object_label == f"Review of {a.open_crn}" and event.path == url

    review = CaseReview.objects.get(sampled_case__case__crn=a.open_crn)
    response = client.post(
        reverse("audit:review_facts_draft", args=[a.inspection.pk, a.open_crn]),
        {"version": review.version, "home_visit_needed": "no"},
    )
    assert response.status_code == 302
    event = last_event()
    assert (event.action, event.object_id, event.detail) == (
        Action.CHANGED,
        str(review.pk),
        {"page": "case facts"},
    )


def test_submit_return_and_reopen_are_recorded(client, world):
    a = world.a
    lead = a.users[Role.LEAD]
    crn = a.open_crn
    review = CaseReview.objects.get(sampled_case__case__crn=crn)
    CaseReview.objects.filter(pk=review.pk).update(status=ReviewStatus.SUBMITTED)
    client.force_login(lead)
    url = reverse("audit:review_return", args=[a.inspection.pk, crn])
    assert client.post(url, {"comment": "Say why 2.1.2 is not sufficient."}).status_code == 302
    event = last_event()
    assert (event.username, event.action) == (lead.username, Action.RETURNED)
    assert event.detail == {"comment": "Say why 2.1.2 is not sufficient."}

    CaseReview.objects.filter(pk=review.pk).update(status=ReviewStatus.SUBMITTED)
    url = reverse("audit:review_reopen", args=[a.inspection.pk, crn])
    assert client.post(url, {"comment": ""}).status_code == 302
    assert last_event().action == Action.REOPENED


def test_viewing_and_exporting_reports_are_recorded(client, world):
    a = world.a
    manager = a.users[Role.MANAGER]
    client.force_login(manager)
    pk = a.inspection.pk
    expected = [
        (
            reverse("reports:inspection", args=[pk]) + "?gender=male",
            Action.VIEWED,
            "inspection_report",
        ),
        (
            reverse("reports:inspection_download", args=[pk, "standards", "csv"]),
            Action.EXPORTED,
            "inspection_report",
        ),
        (
            reverse("reports:inspection_download", args=[pk, "all", "xlsx"]),
            Action.EXPORTED,
            "inspection_report",
        ),
        (reverse("reports:inspection_json", args=[pk]), Action.EXPORTED, "inspection_report"),
        (reverse("reports:provider", args=[a.pdu.code]), Action.VIEWED, "provider_report"),
        (
            reverse("reports:provider_download", args=[a.pdu.code, "all", "xlsx"]),
            Action.EXPORTED,
            "provider_report",
        ),
        (reverse("reports:league"), Action.VIEWED, "league_table"),
    ]
    for url, action, object_type in expected:
        before = AuditEvent.objects.count()
        assert client.get(url).status_code == 200, url
        assert AuditEvent.objects.count() == before + 1, url
        event = last_event()
        assert (event.username, event.action, event.object_type) == (
            manager.username,
            action,
            object_type,
        ), url
        assert event.path == url.split("?")[0]
    assert last_event(path=reverse("reports:inspection", args=[pk])).detail == {"gender": "male"}
    assert (
        "standards.csv"
        in last_event(
            path=reverse("reports:inspection_download", args=[pk, "standards", "csv"])
        ).object_label
    )


def test_a_report_refused_is_not_recorded_as_seen(client, world):
    client.force_login(world.b.users[Role.MANAGER])
    assert (
        client.get(reverse("reports:inspection", args=[world.a.inspection.pk])).status_code == 404
    )
    assert not AuditEvent.objects.exists()


def test_moderation_steps_are_recorded(client, world):
    a = world.a
    lead, moderator = a.users[Role.LEAD], a.users[Role.MODERATOR]
    pk = a.inspection.pk
    client.force_login(moderator)
    assert client.get(reverse("moderation:read", args=[pk, a.moderated_crn])).status_code == 200
    assert (last_event().action, last_event().detail) == (Action.VIEWED, {"page": "second read"})

    client.force_login(lead)
    assert client.get(reverse("moderation:agreement_csv", args=[pk])).status_code == 200
    assert (last_event().action, last_event().username) == (Action.EXPORTED, lead.username)
    url = reverse("moderation:resolve", args=[pk, a.moderated_crn, "2.1.2"])
    assert (
        client.post(
            url, {"value": "sufficient", "note": "Both readers agreed on reflection."}
        ).status_code
        == 302
    )
    event = last_event()
    assert event.action == Action.RESOLVED and a.moderated_crn in event.object_label


def test_ratings_and_overrides_are_recorded(client, world):
    a = world.a
    lead = a.users[Role.LEAD]
    client.force_login(lead)
    url = reverse("reports:standard_rating_edit", args=[a.inspection.pk, a.pdu.code, "2.1"])
    response = client.post(url, {"rating": "good", "rationale": "Strong assessment practice."})
    assert response.status_code == 302
    event = last_event()
    assert event.action == Action.OVERRIDDEN  # 2.1 is rated from case data
    assert event.detail == {"provider": a.pdu.code, "standard": "2.1", "rating": "good"}
    withdraw = reverse(
        "reports:standard_rating_withdraw", args=[a.inspection.pk, a.pdu.code, "2.1"]
    )
    assert client.post(withdraw).status_code == 302
    assert "withdrawn" in last_event().object_label


def test_case_data_exports_and_imports_are_recorded(client, world):
    a = world.a
    client.force_login(a.users[Role.LEAD])
    assert client.get(reverse("cases:sample_csv", args=[a.sample.pk])).status_code == 200
    event = last_event()
    assert (event.action, event.object_type, event.object_id) == (
        Action.EXPORTED,
        "sample",
        str(a.sample.pk),
    )

    manager = a.users[Role.MANAGER]
    client.force_login(manager)
    data = (
        b"crn,sentence_type,start_date,rosh_level,gender\n"
        b"XA0099,community_order,2026-03-01,medium,male\n"
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("caseload.csv", data, content_type="text/csv")
    preview = client.post(
        reverse("cases:provider_caseload_upload", args=[a.pdu.code]),
        {"file": upload, "provider": a.pdu.code},
        follow=True,
    )
    token = preview.context["confirm_form"].initial["upload"]
    assert client.post(reverse("cases:caseload_confirm"), {"upload": token}).status_code == 302
    assert Case.objects.filter(crn="XA0099").exists()
    event = last_event()
    assert (event.action, event.object_type, event.username) == (
        Action.IMPORTED,
        "caseload",
        manager.username,
    )
    assert event.detail == {"by_provider": {a.pdu.code: 1}}


def test_commands_are_recorded_as_the_system():
    event = trail.record(user=None, action=Action.IMPORTED, object_type="caseload", label="x")
    assert event.username == "system" and event.user is None


# The trail page --------------------------------------------------------------------------------


def _events(world):
    a = world.a
    lead, assessor = a.users[Role.LEAD], a.users[Role.ASSESSOR]
    review = CaseReview.objects.get(sampled_case__case__crn=a.open_crn)
    old = trail.record(user=assessor, action=Action.VIEWED, obj=review)
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - datetime.timedelta(days=40))
    trail.record(user=lead, action=Action.EXPORTED, obj=a.inspection, label="Alderley report")
    trail.record(user=lead, action=Action.RETURNED, obj=review)
    trail.record(
        user=assessor,
        action=Action.CHANGED,
        obj=review,
        label='=HYPERLINK("http://evil.example","click")',
    )


def test_only_admins_see_the_trail(client, world):
    _events(world)
    for url in (reverse("trail:events"), reverse("trail:events_csv")):
        client.logout()
        assert client.get(url).status_code == 302  # sign in first
        for side in (world.a, world.b):
            for user in side.users.values():
                client.force_login(user)
                assert client.get(url).status_code == 404, (user, url)
        client.force_login(world.admin)
        assert client.get(url).status_code == 200


def test_admins_find_the_trail_in_the_navigation(client, world):
    client.force_login(world.admin)
    assert reverse("trail:events") in client.get(reverse("home")).content.decode()
    client.force_login(world.a.users[Role.LEAD])
    assert reverse("trail:events") not in client.get(reverse("home")).content.decode()


def test_trail_page_lists_and_filters_events(client, world, django_assert_max_num_queries):
    _events(world)
    a = world.a
    lead = a.users[Role.LEAD]
    client.force_login(world.admin)
    url = reverse("trail:events")
    with django_assert_max_num_queries(8):
        page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "4 events." in html
    assert html.index("HYPERLINK") < html.index("Alderley report")  # newest first
    assert "&quot;http://evil.example&quot;" in html  # escaped, as all page text

    def shown(**query):
        response = client.get(url, query)
        assert response.status_code == 200
        return response.content.decode()

    assert "2 events match" in shown(username=lead.username.upper())
    assert "1 event match" in shown(action="returned")
    assert "2 events match" in shown(text=a.open_crn.lower())
    assert "3 events match" in shown(**day("since", timezone.localdate()))
    assert "1 event match" in shown(
        **day("until", timezone.localdate() - datetime.timedelta(days=30))
    )
    assert "No events match" in shown(username="nobody")


def day(name: str, date: datetime.date) -> dict:
    """A date as the GOV.UK date input sends it: day, month and year."""
    return {f"{name}_0": date.day, f"{name}_1": date.month, f"{name}_2": date.year}


def test_bad_filters_are_a_400_with_the_reason(client, world):
    client.force_login(world.admin)
    response = client.get(
        reverse("trail:events"), {"since_0": "30", "since_1": "2", "since_2": "2026"}
    )
    assert response.status_code == 400
    assert "Enter a real first day" in response.content.decode()
    response = client.get(reverse("trail:events"), {"since_0": "1", "since_2": "2026"})
    assert response.status_code == 400
    assert "First day must include a month" in response.content.decode()
    response = client.get(
        reverse("trail:events"),
        {**day("since", datetime.date(2026, 3, 2)), **day("until", datetime.date(2026, 3, 1))},
    )
    assert response.status_code == 400
    assert "The last day must be on or after the first day" in response.content.decode()
    assert client.get(reverse("trail:events_csv"), {"action": "shredded"}).status_code == 400


def test_trail_csv_is_filtered_escaped_and_itself_recorded(client, world):
    _events(world)
    client.force_login(world.admin)
    response = client.get(reverse("trail:events_csv"), {"username": "assessor-a"})
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="audit-trail-')
    rows = csv_rows(response)
    assert rows[0] == trail.CSV_HEADER
    assert [r[2] for r in rows[1:]] == ["viewed", "changed"]  # oldest first
    assert rows[2][5] == '\'=HYPERLINK("http://evil.example","click")'
    event = last_event()
    assert (event.action, event.object_type, event.username, event.detail) == (
        Action.EXPORTED,
        "audit_trail",
        world.admin.username,
        {"username": "assessor-a"},
    )


def test_pagination_keeps_the_filters(client, world):
    lead = world.a.users[Role.LEAD]
    AuditEvent.objects.bulk_create(
        AuditEvent(
            user=lead,
            username=lead.username,
            action=Action.VIEWED,
            object_type="casereview",
            object_label=f"Review {n}",
        )
        for n in range(60)
    )
    client.force_login(world.admin)
    html = client.get(reverse("trail:events"), {"action": "viewed"}).content.decode()
    assert "page 1 of 2" in html and "action=viewed&amp;page=2" in html
    html = client.get(reverse("trail:events"), {"action": "viewed", "page": "2"}).content.decode()
    assert html.count('<tr class="govuk-table__row">') == 1 + 10


def test_moderator_of_another_inspection_is_not_recorded_reading(client, world):
    """A refused read leaves no trace in the trail (nothing was shown)."""
    other = inspection_for(world.framework, provider=world.b.pdu)
    review = submitted_review(other, world.b.users[Role.ASSESSOR], ["sufficient"] * 3)
    completed_read(review, world.b.users[Role.MODERATOR], ["sufficient"] * 3)
    client.force_login(world.a.users[Role.MODERATOR])
    url = reverse("moderation:read", args=[other.pk, review.sampled_case.case.crn])
    assert client.get(url).status_code == 404
    assert not AuditEvent.objects.exists()


def test_demo_trail_events_load_once(world):
    from audit.synthetic.demo import DEMO_INSPECTION_TITLE, load_trail_demo

    assert load_trail_demo() == 0  # nothing to show until the demo inspection exists
    a = world.a
    type(a.inspection).objects.filter(pk=a.inspection.pk).update(title=DEMO_INSPECTION_TITLE)
    for username, user in [
        ("assessor", a.users[Role.ASSESSOR]),
        ("lead", a.users[Role.LEAD]),
        ("manager", a.users[Role.MANAGER]),
        ("moderator", a.users[Role.MODERATOR]),
    ]:
        type(user).objects.filter(pk=user.pk).update(username=username)
    assert load_trail_demo() == 6
    assert load_trail_demo() == 0
    assert AuditEvent.objects.filter(detail__demo=True).count() == 6
    assert set(AuditEvent.objects.values_list("action", flat=True)) == {"viewed", "exported"}
    newest = AuditEvent.objects.order_by("-at").first()
    assert newest.username == "manager" and newest.at < timezone.now()
