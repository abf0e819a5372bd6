"""No case data in error pages or logs: a 500 shows nothing from the request, the request log
names no CRN and holds no form body, and gunicorn's access log redacts the CRN in a path."""
from __future__ import annotations

import datetime
import io
import json
import logging

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from audit.logging import RedactingGunicornLogger, redact, redact_path
from audit.roles import Role

from .access_world import build_world

RATIONALE = "Partner disclosed coercive control at the home visit"


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def request_log():
    """What the service's console handler writes (django.request's only handler, shared with
    the root logger), through its own formatter and filter."""
    handler = logging.getLogger("django.request").handlers[0]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def failing(monkeypatch, target):
    def boom(*args, **kwargs):
        raise RuntimeError(f"boom while handling XA0001: {RATIONALE}")

    monkeypatch.setattr(target, boom)


@override_settings(DEBUG=False)
def test_a_500_page_shows_nothing_from_the_request(world, monkeypatch, request_log):
    failing(monkeypatch, "audit.views.reviews.load_review_state")
    client = Client(raise_request_exception=False)
    client.force_login(world.a.users[Role.ASSESSOR])
    url = reverse("audit:review_tasks", args=[world.a.inspection.pk, world.a.open_crn])
    response = client.get(url + "?crn=XA0001")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Sorry, there is a problem with the service" in html
    for secret in ("XA0001", "boom", RATIONALE, "Traceback", "Alderley"):
        assert secret not in html, secret


@override_settings(DEBUG=False)
def test_the_request_log_names_no_crn_and_holds_no_form_body(world, monkeypatch, request_log):
    failing(monkeypatch, "audit.services.save_review")
    client = Client(raise_request_exception=False)
    client.force_login(world.a.users[Role.ASSESSOR])
    url = reverse("audit:review_standard", args=[world.a.inspection.pk, world.a.open_crn, "2.1"])
    response = client.post(url, {"version": "0", "kq_2_1_2": "not_sufficient",
                                 "kq_2_1_2_rationale": RATIONALE})
    assert response.status_code == 500
    lines = [json.loads(line) for line in request_log.getvalue().splitlines()]
    lines = [line for line in lines if line["logger"] == "django.request"]
    assert len(lines) == 1
    entry = lines[0]
    assert entry["level"] == "ERROR" and entry["logger"] == "django.request"
    assert entry["message"] == (f"Internal Server Error: /inspections/{world.a.inspection.pk}"
                                "/cases/[CRN]/standards/2.1/")
    assert entry["exception"] == "RuntimeError"  # the class only: messages may hold case data
    logged = request_log.getvalue()
    for secret in ("XA0001", "boom", RATIONALE, "coercive"):
        assert secret not in logged, secret


def test_not_found_is_not_logged_at_all(world, request_log, client):
    client.force_login(world.a.users[Role.ASSESSOR])
    assert client.get("/inspections/1/cases/X123456/nothing/").status_code == 404
    assert "django.request" not in request_log.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("path, redacted", [
    ("/inspections/4/cases/XA0001/", "/inspections/4/cases/[CRN]/"),
    ("/inspections/4/cases/ABC-12/standards/2.1/", "/inspections/4/cases/[CRN]/standards/2.1/"),
    ("/moderation/4/reads/XA0002/", "/moderation/4/reads/[CRN]/"),
    ("/moderation/4/disagreements/XA0002/2.1.2/", "/moderation/4/disagreements/[CRN]/2.1.2/"),
    ("/no-such-page/X123456/", "/no-such-page/[CRN]/"),
    ("/reports/inspections/4/", "/reports/inspections/4/"),
    ("/cases/providers/PDU-A/", "/cases/providers/PDU-A/"),
])
def test_paths_are_redacted(path, redacted):
    assert redact_path(path) == redacted


@pytest.mark.django_db
def test_messages_lose_query_strings_and_crns():
    assert redact('"GET /inspections/4/cases/XA0001/?next=/x&crn=XA0001 HTTP/1.1" 200') == \
        '"GET /inspections/4/cases/[CRN]/ HTTP/1.1" 200'


@pytest.mark.django_db
def test_gunicorn_access_log_redacts_the_path():
    from gunicorn.config import Config

    class Response:
        status = "200 OK"
        sent = 512
        headers = []

    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/moderation/4/reads/XA0002/?crn=XA0002",
               "PATH_INFO": "/moderation/4/reads/XA0002/", "QUERY_STRING": "crn=XA0002",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.0.0.1"}
    atoms = RedactingGunicornLogger(Config()).atoms(
        Response(), [], environ, datetime.timedelta(milliseconds=12))
    assert atoms["U"] == "/moderation/4/reads/[CRN]/"
    assert atoms["r"] == "GET /moderation/4/reads/[CRN]/ HTTP/1.1"
    assert atoms["q"] == ""
    from audit import gunicorn_conf

    assert gunicorn_conf.logger_class == "audit.logging.RedactingGunicornLogger"
    assert "%(q)s" not in gunicorn_conf.access_log_format
