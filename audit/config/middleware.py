"""Requests refused before any view sees them, and what every response must carry."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

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
