"""Notifications: who is told of what, by email (Django's test outbox) and in the service; the
unread count the header shows; marking read; nobody sees another's notifications."""

import pytest
from django.core import mail
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from audit.inspections.services import assign_cases
from audit.models import Notification, NotificationKind, ReviewStatus, User
from audit.moderation.services import resolve_disagreement
from audit.notifications.services import mark_all_read, mark_read, notify
from audit.scoring.services import return_review
from tests.audit.moderation_support import (
    N,
    S,
    completed_read,
    inspection_for,
    published_framework,
    submitted_review,
)
from tests.factories import UserFactory


def unread(user) -> int:
    return User.objects.values_list("unread_notifications", flat=True).get(pk=user.pk)


@pytest.fixture
def people(make_user):
    lead = make_user("lead", username="leigh", first_name="Leigh", last_name="Lead")
    assessor = make_user("assessor", username="asha", email="asha@example.org")
    moderator = make_user("moderator", username="mo", email="mo@example.org")
    return lead, assessor, moderator


def test_notify_lists_emails_and_counts_once_per_person(people, django_capture_on_commit_callbacks):
    lead, assessor, moderator = people
    with django_capture_on_commit_callbacks(execute=True):
        told = notify(
            recipients=[assessor, assessor, moderator, lead, None],
            kind=NotificationKind.CASES_ASSIGNED,
            message="Three cases assigned.",
            link="/my-cases/",
        )
    assert told == 3
    assert Notification.objects.count() == 3
    assert [unread(u) for u in people] == [1, 1, 1]
    # The lead has no email address: two emails, one each, with the link.
    assert sorted(m.to[0] for m in mail.outbox) == ["asha@example.org", "mo@example.org"]
    assert mail.outbox[0].subject == "Case Supervision Audit: Cases assigned"
    assert "Three cases assigned." in mail.outbox[0].body
    assert "/my-cases/" in mail.outbox[0].body


def test_no_email_leaves_before_the_change_is_committed(people, django_capture_on_commit_callbacks):
    _, assessor, _ = people
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(recipients=[assessor], kind=NotificationKind.REVIEW_RETURNED, message="Returned.")
    assert mail.outbox == [] and len(callbacks) == 1


def test_assigning_cases_tells_the_assessor(people, django_capture_on_commit_callbacks):
    lead, assessor, _ = people
    framework = published_framework()
    inspection = inspection_for(framework, lead=lead, title="Wolverhampton 2026")
    cases = [
        submitted_review(inspection, None, [], status=ReviewStatus.NOT_STARTED).sampled_case
        for _ in range(3)
    ]
    assessor.providers.add(inspection.test_provider)
    with django_capture_on_commit_callbacks(execute=True):
        assign_cases(
            inspection=inspection,
            sampled_case_ids=[c.pk for c in cases],
            assessor=assessor,
            user=lead,
        )
    note = Notification.objects.get(recipient=assessor)
    assert note.kind == NotificationKind.CASES_ASSIGNED
    assert note.message == "3 cases in Wolverhampton 2026 assigned to you by Leigh Lead."
    assert note.link == reverse("audit:my_cases")
    assert [m.to for m in mail.outbox] == [["asha@example.org"]]
    assert not Notification.objects.filter(recipient=lead).exists()


def test_returning_a_review_tells_its_assessor(people, django_capture_on_commit_callbacks):
    lead, assessor, _ = people
    inspection = inspection_for(published_framework(), lead=lead, title="Wolverhampton 2026")
    lead.providers.add(inspection.test_provider)
    review = submitted_review(inspection, assessor, [S, S, S], crn="X123456")
    with django_capture_on_commit_callbacks(execute=True):
        return_review(review=review, user=lead, comment="Add the risk assessment.")
    note = Notification.objects.get(recipient=assessor)
    assert note.kind == NotificationKind.REVIEW_RETURNED
    assert note.message == (
        "Your review of X123456 in Wolverhampton 2026 was returned by Leigh Lead: "
        "Add the risk assessment."
    )
    assert note.link == reverse("audit:review_tasks", args=[inspection.pk, "X123456"])
    assert len(mail.outbox) == 1


def test_resolving_a_disagreement_tells_both_readers(people, django_capture_on_commit_callbacks):
    lead, assessor, moderator = people
    inspection = inspection_for(published_framework(), lead=lead, title="Wolverhampton 2026")
    lead.providers.add(inspection.test_provider)
    review = submitted_review(inspection, assessor, [S, S, S], crn="X123456")
    completed_read(review, moderator, [N, S, S])
    judgement = review.judgements.get(key_question__code="2.1.1")
    with django_capture_on_commit_callbacks(execute=True):
        resolve_disagreement(judgement=judgement, value=N, note="Agreed.", by=lead)
    links = dict(Notification.objects.values_list("recipient__username", "link"))
    assert links == {
        "asha": reverse("audit:review_tasks", args=[inspection.pk, "X123456"]),
        "mo": reverse("moderation:read", args=[inspection.pk, "X123456"]),
    }
    assert Notification.objects.first().message == (
        "The disagreement on 2.1.1 for X123456 in Wolverhampton 2026 was resolved by Leigh Lead "
        "as not sufficient."
    )
    assert sorted(m.to[0] for m in mail.outbox) == ["asha@example.org", "mo@example.org"]


def test_marking_read_keeps_the_count(people):
    _, assessor, moderator = people
    for n in range(4):
        notify(recipients=[assessor], kind=NotificationKind.CASES_ASSIGNED, message=f"{n}")
    first, second, *_ = Notification.objects.filter(recipient=assessor)
    assert mark_read(notification=first, by=assessor) is True
    assert mark_read(notification=first, by=assessor) is False  # read once only
    assert mark_read(notification=second, by=moderator) is False  # not theirs
    assert unread(assessor) == 3
    assert mark_all_read(by=assessor) == 3
    assert unread(assessor) == 0


class TestTheCountMatchesTheRows(TestCase):
    """Whatever happens, the header's count is the number of unread rows."""

    @settings(max_examples=30, deadline=None)
    @given(st.lists(st.tuples(st.sampled_from(["notify", "read", "read_all"]), st.integers(0, 9))))
    def test_count(self, steps):
        user = UserFactory(roles=["assessor"])
        for step, n in steps:
            if step == "notify":
                notify(recipients=[user], kind=NotificationKind.CASES_ASSIGNED, message="m")
            elif step == "read":
                rows = list(Notification.objects.filter(recipient=user))
                if rows:
                    mark_read(notification=rows[n % len(rows)], by=user)
            else:
                mark_all_read(by=user)
        rows = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        assert unread(user) == rows


def test_the_header_shows_the_unread_count(client, people):
    _, assessor, _ = people
    for _ in range(3):
        notify(recipients=[assessor], kind=NotificationKind.CASES_ASSIGNED, message="m")
    client.force_login(assessor)
    html = client.get(reverse("notifications:list")).content.decode()
    assert '3<span class="govuk-visually-hidden"> unread</span>' in html


def test_the_list_is_the_users_own_and_opening_one_marks_it_read(client, people):
    lead, assessor, _ = people
    notify(
        recipients=[assessor],
        kind=NotificationKind.REVIEW_RETURNED,
        message="Yours.",
        link="/my-cases/",
    )
    notify(recipients=[lead], kind=NotificationKind.REVIEW_RETURNED, message="The lead's.")
    client.force_login(assessor)
    html = client.get(reverse("notifications:list")).content.decode()
    assert "Yours." in html and "The lead&#x27;s." not in html and "The lead's." not in html
    mine = Notification.objects.get(recipient=assessor)
    theirs = Notification.objects.get(recipient=lead)
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    response = client.post(reverse("notifications:read", args=[mine.pk]))
    assert response.status_code == 302 and response.url == "/my-cases/"
    assert unread(assessor) == 0 and unread(lead) == 1
    assert client.get(reverse("notifications:read", args=[mine.pk])).status_code == 405


def test_mark_all_read_says_how_many(client, people):
    _, assessor, _ = people
    for _ in range(2):
        notify(recipients=[assessor], kind=NotificationKind.CASES_ASSIGNED, message="m")
    client.force_login(assessor)
    response = client.post(reverse("notifications:read_all"), follow=True)
    assert "2 notifications marked as read." in response.content.decode()
    assert unread(assessor) == 0
