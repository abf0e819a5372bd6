"""The site shell: sign-in required everywhere, GOV.UK layout, health check, deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_pages_need_sign_in(client, hmip_2018):
    for url in [
        reverse("home"),
        reverse("standards:framework", args=["hmip-case-supervision", "2018"]),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_login_page_uses_govuk_layout(client):
    page = client.get(reverse("login"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'class="govuk-template"' in html
    assert "govuk-skip-link" in html
    assert "govuk-phase-banner" in html
    assert "govuk-footer" in html
    assert "govuk-frontend.min" in html


@pytest.mark.django_db
def test_no_crown_or_crown_copyright_anywhere(client, user):
    """This is not a service on a GOV.UK domain: no crown logo, favicon or Crown copyright."""
    signed_out = client.get(reverse("login")).content.decode()
    client.force_login(user)
    signed_in = client.get(reverse("home")).content.decode()
    for html in (signed_out, signed_in):
        assert "Crown copyright" not in html
        assert "copyright-logo" not in html
        assert "/assets/images/favicon" not in html  # GOV.UK Frontend's icons are the crown
        assert "images/favicon.svg" in html
    icon = (ROOT / "static" / "images" / "favicon.svg").read_text()
    assert "<svg" in icon


@pytest.mark.django_db
def test_sign_in_and_out(client, user):
    response = client.post(
        reverse("login"), {"username": user.username, "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert b"Sign out" in home.content
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_wrong_password_shows_error_summary(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": "nope"})
    assert response.status_code == 200
    assert b"govuk-error-summary" in response.content


@pytest.mark.django_db
def test_framework_page_lists_questions(client, user, hmip_2018, django_assert_max_num_queries):
    client.force_login(user)
    with django_assert_max_num_queries(15):
        page = client.get(reverse("standards:framework", args=["hmip-case-supervision", "2018"]))
    assert page.status_code == 200
    assert (
        "2.1.3 Does assessment focus sufficiently on keeping other people safe?"
        in page.content.decode()
    )


@pytest.mark.django_db
def test_health_check_is_public_and_checks_database(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_deploy_check_is_clean_with_production_settings():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "audit.config.settings.production",
        "DJANGO_SECRET_KEY": "x7$kq!" * 10,
        "DJANGO_ALLOWED_HOSTS": "audit.example.gov.uk",
        "DJANGO_TRUSTED_PROXIES": "127.0.0.1",  # the reverse proxy, as operations.md has it
    }
    # The browser tests allow synchronous ORM calls in their own process only.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_a_missing_secret_key():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "audit.config.settings.production"}
    env.pop("DJANGO_SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
