"""Sign-in throttling stops guessing without letting anyone lock out someone else.

Failures count per username and address together; the address is the connection's own unless
that is a reverse proxy named in DJANGO_TRUSTED_PROXIES, whose X-Forwarded-For then says where
the sign-in came from.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from audit.accounts.sign_in import check_trusted_proxies, client_address

PASSWORD = "correct-horse-battery"
LIMIT = settings.AXES_FAILURE_LIMIT
PROXY = "10.0.0.5"


def sign_in(username, password, address="192.0.2.10", forwarded=None):
    """One sign-in from a fresh browser at `address` (through the proxy when `forwarded`)."""
    headers = {"REMOTE_ADDR": address}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    client = Client()
    response = client.post(
        reverse("login"), {"username": username, "password": password}, **headers
    )
    return response, client


def signed_in(response, client) -> bool:
    return response.status_code == 302 and client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_made_up_usernames_from_one_address_lock_out_nobody_else(user):
    for n in range(LIMIT * 4):
        response, _ = sign_in(f"nobody-{n}", "guess-123456")
        assert response.status_code == 200  # the usual "enter a correct username" page
    assert signed_in(*sign_in(user.username, PASSWORD))


@pytest.mark.django_db
def test_guesses_at_one_username_from_elsewhere_do_not_lock_that_person_out(user):
    for n in range(LIMIT):
        sign_in(user.username, "guess-123456", address=f"198.51.100.{n + 1}")
    assert signed_in(*sign_in(user.username, PASSWORD, address="198.51.100.77"))


@pytest.mark.django_db
def test_guessing_one_username_from_one_address_is_stopped_with_a_plain_message(user):
    for _ in range(LIMIT):
        response, _ = sign_in(user.username, "guess-123456")
    assert response.status_code == 429
    response, client = sign_in(user.username, PASSWORD)  # even the right password, for now
    assert response.status_code == 429
    assert not signed_in(response, client)
    html = response.content.decode()
    assert '<h1 class="govuk-heading-xl">Sign in</h1>' in html
    assert "govuk-error-summary" in html
    assert f"The password for this username was wrong {LIMIT} times" in html
    assert "Wait 30 minutes, then try again" in html
    assert "Other people can still sign in" in html
    # Someone else at the same address is not affected.
    other = type(user).objects.create_user("someone-else", password=PASSWORD)
    assert signed_in(*sign_in(other.username, PASSWORD))


@pytest.mark.django_db
def test_behind_the_trusted_proxy_each_person_is_counted_at_their_own_address(user, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    attacker = "203.0.113.9"
    for n in range(LIMIT):
        # A forged entry in front of the proxy's own is ignored: the proxy appends the truth.
        sign_in(user.username, "guess-123456", PROXY, forwarded=f"192.0.2.{n}, {attacker}")
    response, _ = sign_in(user.username, PASSWORD, PROXY, forwarded=attacker)
    assert response.status_code == 429
    assert signed_in(*sign_in(user.username, PASSWORD, PROXY, forwarded="198.51.100.7"))


@pytest.mark.django_db
@pytest.mark.parametrize("proxies", [[], [PROXY]])
def test_a_client_that_is_not_a_trusted_proxy_cannot_choose_its_address(user, settings, proxies):
    settings.TRUSTED_PROXIES = proxies
    for n in range(LIMIT):
        sign_in(user.username, "guess-123456", "203.0.113.9", forwarded=f"192.0.2.{n}")
    response, _ = sign_in(user.username, PASSWORD, "203.0.113.9", forwarded="192.0.2.200")
    assert response.status_code == 429


class FakeRequest:
    def __init__(self, peer, forwarded=None):
        self.META = {"REMOTE_ADDR": peer}
        if forwarded is not None:
            self.META["HTTP_X_FORWARDED_FOR"] = forwarded


@given(forwarded=st.text(max_size=60))
def test_only_a_trusted_proxy_is_believed(forwarded):
    from django.test import override_settings

    with override_settings(TRUSTED_PROXIES=[PROXY]):
        assert client_address(FakeRequest("203.0.113.9", forwarded)) == "203.0.113.9"
    with override_settings(TRUSTED_PROXIES=[]):
        assert client_address(FakeRequest(PROXY, forwarded)) == PROXY


@pytest.mark.parametrize(
    "peer, forwarded, address",
    [
        (PROXY, "198.51.100.7", "198.51.100.7"),
        (PROXY, "1.2.3.4, 198.51.100.7", "198.51.100.7"),
        (PROXY, " 198.51.100.7 , 10.0.0.6", "198.51.100.7"),  # a second proxy inside the network
        (PROXY, "2001:db8::7", "2001:db8::7"),
        (PROXY, "10.0.0.6", PROXY),  # nothing but proxies: counted against the proxy
        (PROXY, "not-an-address", PROXY),
        (PROXY, None, PROXY),
        ("10.0.1.1", "198.51.100.7", "10.0.1.1"),
    ],
)
def test_the_client_is_the_last_address_a_trusted_proxy_wrote(settings, peer, forwarded, address):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert client_address(FakeRequest(peer, forwarded)) == address


@pytest.mark.parametrize("proxies", [["*"], ["10.0.0.5/8"], ["proxy.internal"]])
def test_a_mistyped_proxy_is_a_system_check_error(settings, proxies):
    settings.TRUSTED_PROXIES = proxies
    [error] = check_trusted_proxies()
    assert error.id == "audit.E001"
    assert "DJANGO_TRUSTED_PROXIES" in error.msg and proxies[0] in error.msg
