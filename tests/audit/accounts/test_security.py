"""Hardening: throttled sign-in, strict CSP, session expiry, error pages, audit trail."""

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from audit.models import AuditEvent
from audit.trail import trail


@pytest.mark.django_db
def test_brute_force_sign_in_is_locked_out(client, user):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": user.username, "password": "wrong-guess"})
    response = client.post(
        reverse("login"), {"username": user.username, "password": "correct-horse-battery"}
    )
    assert response.status_code == 429
    assert b"Wait 30 minutes, then try again" in response.content
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    html = response.content.decode()
    assert "<script>" not in html  # every script is a file from 'self'
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_sessions_expire_after_inactivity():
    assert settings.SESSION_COOKIE_AGE <= 60 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST
    assert settings.SESSION_COOKIE_HTTPONLY


@pytest.mark.django_db
def test_weak_passwords_are_refused(user):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ["password123", "12345678901234", "short"]:
        with pytest.raises(ValidationError):
            validate_password(weak, user)
    validate_password("a-long-unusual-passphrase-2026", user)


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_not_found_page_reveals_nothing(client, user):
    client.force_login(user)
    response = client.get("/no-such-page/X123456/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"X123456" not in response.content
    assert b"Traceback" not in response.content


@pytest.mark.django_db
def test_trail_records_who_did_what(user):
    event = trail.record(
        user=user,
        action=trail.Action.EXPORTED,
        object_type="report",
        object_id="42",
        label="Inspection report",
    )
    assert AuditEvent.objects.get() == event
    assert event.username == user.username
    assert str(event) == f"{user.username} exported Inspection report"


@pytest.mark.django_db
def test_trail_admin_is_read_only_and_exports_csv(client, admin_user, user):
    trail.record(
        user=user,
        action=trail.Action.VIEWED,
        object_type="casereview",
        object_id="7",
        label='=HYPERLINK("http://evil")',
    )
    client.force_login(admin_user)
    changelist = reverse("admin:audit_auditevent_changelist")
    assert client.get(changelist).status_code == 200
    event = AuditEvent.objects.get()
    assert (
        client.post(
            reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    response = client.post(changelist, {"action": "export_csv", "_selected_action": [event.pk]})
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/csv")
    assert "'=HYPERLINK" in body
    assert AuditEvent.objects.count() == 1
