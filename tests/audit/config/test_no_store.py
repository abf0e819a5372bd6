"""No page or download is kept by a browser or proxy cache: every URL of the URL conf answers
with `Cache-Control: no-store`, signed in or not, whatever the status; static files do not."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.cache import get_max_age

from tests.audit.access_world import build_world
from tests.audit.accounts.test_permission_matrix import url_for, url_patterns

DOWNLOADS = {
    "cases:sample_csv",
    "reports:inspection_json",
    "reports:inspection_download",
    "reports:provider_download",
    "reports:league_download",
    "moderation:agreement_csv",
    "trail:events_csv",
}


@pytest.fixture
def world(db):
    return build_world()


def never_stored(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return "no-store" in directives and "private" in directives and get_max_age(response) == 0


@pytest.mark.parametrize("principal", ["admin", "assessor", "anonymous"])
def test_every_url_answers_with_no_store(world, principal):
    client = Client()
    user = world.user(principal)
    if user is not None:
        client.force_login(user)
    stored, downloads = [], set()
    for name, pattern in url_patterns():
        if name == "logout":
            continue  # would end the session for the URLs after it; POST-only anyway
        url = url_for(name, pattern, world)
        response = client.get(url)
        if not never_stored(response):
            stored.append(f"{name} {url} {response.status_code}: {response.get('Cache-Control')!r}")
        if response.status_code == 200 and name in DOWNLOADS:
            downloads.add(name)
    assert stored == []
    if principal == "admin":
        assert downloads == DOWNLOADS  # the files themselves were checked, not refusals


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/no-such-page/"),
        ("post", "/accounts/logout/"),
        ("get", "/admin/"),
        ("get", "/admin/audit/user/"),
        ("post", "/inspections/new/"),
    ],
)
def test_refusals_redirects_and_the_admin_are_not_stored_either(world, method, path):
    client = Client()
    client.force_login(world.admin)
    assert never_stored(getattr(client, method)(path))


def test_a_failed_or_throttled_sign_in_is_not_stored(world):
    response = Client().post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 200 and never_stored(response)


def test_static_files_keep_their_caching(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
