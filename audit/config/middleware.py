"""Requests refused before any view sees them, and what every response must carry."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from audit.scoring import held_saves
from ui.text import FORBIDDEN_IN_A_LINE


class RejectControlCharactersInURL:
    """A web address holding control characters (a NUL byte above all, which PostgreSQL cannot
    even compare) is a 400 with the usual GOV.UK page: no lookup, no error, nothing logged.

    Form bodies are left to the forms, which report such characters on the field concerned.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _holds_control_characters(request):
            return render(request, "400.html", {"page_title": "Bad request"}, status=400)
        return self.get_response(request)


def _holds_control_characters(request) -> bool:
    if FORBIDDEN_IN_A_LINE.search(request.path_info):
        return True
    for key, values in request.GET.lists():
        if FORBIDDEN_IN_A_LINE.search(key) or any(FORBIDDEN_IN_A_LINE.search(v) for v in values):
            return True
    return False


class NeverStoreResponses:
    """Every page and download the service builds carries `Cache-Control: no-store` (with
    Django's other never-cache headers), so neither a shared browser nor a proxy keeps a copy
    of case data. Static files, answered earlier by whitenoise, keep their long caching.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response


class HoldSignedOutSaves:
    """A review page saved after the session ended is kept, not dropped (`audit.held_saves`):
    the sign-in page says so, and the page gets the answers back once its user signs in.

    Placed after the CSRF check (a forged post is refused as ever) and before the sign-in
    requirement, which then sends every other signed-out request to the sign-in page.
    """

    # Each URL a review page saves to -> the page, where its user gets the answers back.
    PAGES = {
        "audit:review_facts": "audit:review_facts",
        "audit:review_facts_draft": "audit:review_facts",
        "audit:review_standard": "audit:review_standard",
        "audit:review_standard_draft": "audit:review_standard",
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if (
            request.method != "POST"
            or request.user.is_authenticated
            or match is None
            or match.view_name not in self.PAGES
        ):
            return None
        token = held_saves.hold(
            inspection_id=view_kwargs["pk"],
            crn=view_kwargs["crn"],
            page=view_kwargs.get("code", "facts"),
            post=request.POST,
            token=request.COOKIES.get(held_saves.COOKIE, ""),
        )
        if token is None:
            return None
        messages.warning(
            request,
            "You were signed out before your answers were saved. They "
            "are kept for you: sign in again and they will be put back "
            "on the page for you to save.",
        )
        page = reverse(self.PAGES[match.view_name], kwargs=view_kwargs)
        query = request.META.get("QUERY_STRING", "")
        response = redirect_to_login(f"{page}?{query}" if query else page)
        response.set_cookie(
            held_saves.COOKIE,
            token,
            max_age=settings.HELD_SAVE_MAX_AGE,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
        return response
