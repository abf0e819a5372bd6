"""Sign-in throttling (django-axes): which address a sign-in comes from, and what a person
sees once one username has been guessed at too often from that address.

Failures are counted per username *and* address together (AXES_LOCKOUT_PARAMETERS), so
guessing made-up usernames locks out nobody else, and guesses at one person's password from
elsewhere do not stop that person signing in from where they are.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.shortcuts import render


@lru_cache(maxsize=8)
def trusted_networks(proxies: tuple[str, ...]) -> tuple:
    """The proxies' addresses (single addresses or networks) as networks; "*" is refused,
    because it would let any client choose the address its failures are counted against."""
    networks = []
    for proxy in proxies:
        try:
            networks.append(ipaddress.ip_network(proxy))
        except ValueError:
            raise ImproperlyConfigured(
                f"DJANGO_TRUSTED_PROXIES: {proxy!r} is not an IP address or network "
                "(for example 10.0.0.5 or 10.0.0.0/24)."
            ) from None
    return tuple(networks)


@checks.register(checks.Tags.security)
def check_trusted_proxies(app_configs=None, **kwargs):
    """A mistyped proxy address stops `manage.py check` (and so a deploy), not a sign-in."""
    try:
        trusted_networks(tuple(settings.TRUSTED_PROXIES))
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="audit.E001")]
    return []


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _is_trusted(address, networks) -> bool:
    return address is not None and any(address in network for network in networks)


def client_address(request) -> str | None:
    """The address a request comes from, for counting failed sign-ins.

    The connection's own address, unless that is one of the reverse proxies named in
    DJANGO_TRUSTED_PROXIES: then the right-most address in X-Forwarded-For that is not a
    trusted proxy (each proxy appends the address it was reached from; anything further left
    was written by the client and could be anything). A client that reaches the service
    directly cannot choose its address by sending the header. django-ipware reads the header
    without checking which peer sent it, hence this small rule of our own.
    """
    peer = request.META.get("REMOTE_ADDR")
    networks = trusted_networks(tuple(settings.TRUSTED_PROXIES))
    if not networks or not _is_trusted(_address(peer or ""), networks):
        return peer
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed(forwarded.split(",")):
        address = _address(hop)
        if address is None:
            return peer  # a malformed chain: count against the proxy rather than guess
        if not _is_trusted(address, networks):
            return str(address)
    return peer


def cool_off_minutes() -> int:
    return round(settings.AXES_COOLOFF_TIME * 60)


def locked_out(request, original_response=None, credentials=None):
    """The sign-in page again, saying in plain words why this username cannot sign in from
    here for now (HTTP 429)."""
    return render(
        request,
        "registration/locked_out.html",
        {
            "page_title": "Sign in",
            "cool_off_minutes": cool_off_minutes(),
            "failure_limit": settings.AXES_FAILURE_LIMIT,
        },
        status=429,
    )
