"""No case data in error pages or logs: a 500 shows nothing from the request, the request log
names no CRN (of any shape) and holds no form body, gunicorn's access log logs routes rather than
paths, and no logged value can start a line of its own."""

from __future__ import annotations

import datetime
import io
import json
import logging

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from audit.accounts.roles import Role
from audit.config import gunicorn_conf
from audit.config.logging import JsonFormatter, RedactingGunicornLogger, loggable_path, redact
from tests.audit.access_world import build_world

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
    failing(monkeypatch, "audit.scoring.views.load_review_state")
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
    failing(monkeypatch, "audit.scoring.services.save_review")
    client = Client(raise_request_exception=False)
    client.force_login(world.a.users[Role.ASSESSOR])
    url = reverse("audit:review_standard", args=[world.a.inspection.pk, world.a.open_crn, "2.1"])
    response = client.post(
        url, {"version": "0", "kq_2_1_2": "not_sufficient", "kq_2_1_2_rationale": RATIONALE}
    )
    assert response.status_code == 500
    lines = [json.loads(line) for line in request_log.getvalue().splitlines()]
    lines = [line for line in lines if line["logger"] == "django.request"]
    assert len(lines) == 1
    entry = lines[0]
    assert entry["level"] == "ERROR" and entry["logger"] == "django.request"
    assert entry["message"] == (
        f"Internal Server Error: /inspections/{world.a.inspection.pk}"
        "/cases/<str:crn>/standards/<str:code>/"
    )
    assert entry["exception"] == "RuntimeError"  # the class only: messages may hold case data
    logged = request_log.getvalue()
    for secret in ("XA0001", "boom", RATIONALE, "coercive"):
        assert secret not in logged, secret


def test_not_found_is_not_logged_at_all(world, request_log, client):
    client.force_login(world.a.users[Role.ASSESSOR])
    assert client.get("/inspections/1/cases/X123456/nothing/").status_code == 404
    assert "django.request" not in request_log.getvalue()


# Paths in logs --------------------------------------------------------------------------------

# CRNs of every shape, where the URL conf puts them and where it does not.
SHAPES = ["XA0001", "X1FF", "CRN-0001", "AB-12345", "x1\ufb00", "123456"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path, logged",
    [
        ("/inspections/4/cases/XA0001/", "/inspections/4/cases/<str:crn>/"),
        (
            "/inspections/4/cases/CRN-0001/standards/2.1/",
            "/inspections/4/cases/<str:crn>/standards/<str:code>/",
        ),
        ("/moderation/4/reads/X1FF/", "/moderation/4/reads/<str:crn>/"),
        (
            "/moderation/4/disagreements/AB-12345/2.1.2/",
            "/moderation/4/disagreements/<str:crn>/<str:code>/",
        ),
        ("/reports/inspections/4/", "/reports/inspections/4/"),
        ("/reports/inspections/4/all.xlsx", "/reports/inspections/4/<slug:slug>.<export:fmt>"),
        ("/cases/samples/7/cases.csv", "/cases/samples/7/cases.csv"),
        ("/admin/audit/", "/admin/<app_label>/"),
        ("/", "/"),
        # Paths that match no route keep only the service's own words.
        ("/no-such-page/X123456/", "/[redacted]/[redacted]/"),
        (
            "/inspections/4/cases/X1FF/nothing/",
            "/inspections/[redacted]/cases/[redacted]/[redacted]/",
        ),
        ("/inspections/x/cases/CRN-0001/", "/inspections/[redacted]/cases/[redacted]/"),
        ("/reports/AB-12345", "/reports/[redacted]"),
        ("/reports/AB 12345/", "/reports/[redacted]/"),
        ("/static/css/CRN-0001.css", "/static/[redacted]/[redacted]"),
        (
            '/inspections/4/cases/\n{"forged": 1}/x/',
            "/inspections/[redacted]/cases/[redacted]/[redacted]/",
        ),
    ],
)
def test_a_path_is_logged_as_its_route_or_its_route_words(path, logged):
    assert loggable_path(path) == logged


@pytest.mark.django_db
@pytest.mark.parametrize("crn", SHAPES)
@pytest.mark.parametrize(
    "where",
    [
        "/inspections/4/cases/{}/",
        "/inspections/4/cases/{}/nope/",
        "/{}/",
        "/moderation/4/reads/{}",
        "/trail/?q={}",
    ],
)
def test_no_crn_of_any_shape_reaches_a_log_message(crn, where):
    message = redact(f'"GET {where.format(crn)} HTTP/1.1" 404')
    assert crn not in message and message.endswith(' HTTP/1.1" 404')


@pytest.mark.django_db
def test_messages_lose_query_strings_and_crns():
    assert (
        redact('"GET /inspections/4/cases/XA0001/?next=/x&crn=XA0001 HTTP/1.1" 200')
        == '"GET /inspections/4/cases/<str:crn>/ HTTP/1.1" 200'
    )


@pytest.mark.django_db
def test_control_characters_in_a_message_are_escaped():
    message = redact("odd\nline\r\x1b[31m\x7f\u2028 /no/X1FF\n/")
    assert message == "odd\\nline\\r\\x1b[31m\\x7f\\u2028 /[redacted]/[redacted]/"


# Whole log lines ---------------------------------------------------------------------------------


def _one_json_line(text: str) -> dict:
    assert text.endswith("\n") and text.count("\n") == 1, repr(text)
    assert not any(ord(c) < 32 or 127 <= ord(c) <= 159 for c in text[:-1]), repr(text)
    return json.loads(text)


def test_the_json_formatter_writes_one_line_whatever_the_message():
    record = logging.LogRecord(
        "x",
        logging.WARNING,
        __file__,
        1,
        'forged\n{"level": "INFO"}\r\x7f\x85\u2028%s',
        ("\x00",),
        None,
    )
    entry = _one_json_line(JsonFormatter().format(record) + "\n")
    assert entry["message"] == 'forged\n{"level": "INFO"}\r\x7f\x85\u2028\x00'


@override_settings(DEBUG=False)
def test_a_csrf_refusal_under_a_case_logs_the_route(world, request_log):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.a.users[Role.ASSESSOR])
    url = f"/inspections/{world.a.inspection.pk}/cases/CRN-0001/facts/"
    assert client.post(url, {"x": "y"}).status_code == 403
    [line] = [
        json.loads(line)
        for line in request_log.getvalue().splitlines()
        if "django.security.csrf" in line
    ]
    assert line["message"] == (
        f"Forbidden (CSRF cookie not set.): /inspections/"
        f"{world.a.inspection.pk}/cases/<str:crn>/facts/"
    )


class Response:
    status = "404 Not Found"
    sent = 512
    headers = [("Content-Type", "text/html")]


class Request:
    headers = [
        ("REFERER", "https://audit.example/inspections/4/cases/CRN-0001/"),
        ("X-CRN", "AB-12345"),
    ]


def _environ(path, query=""):
    from urllib.parse import quote

    raw = quote(path.encode("latin-1")) + (f"?{query}" if query else "")
    return {
        "REQUEST_METHOD": "GET",
        "RAW_URI": raw,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.1",
        "HTTP_REFERER": "https://audit.example/moderation/4/reads/X1FF/",
    }


@pytest.fixture
def access_log(tmp_path):
    """gunicorn's logger as gunicorn_conf sets it up, writing its access log to a file."""
    from gunicorn.config import Config

    config = Config()
    config.set("accesslog", str(tmp_path / "access.log"))
    config.set("access_log_format", gunicorn_conf.access_log_format)
    logger = RedactingGunicornLogger(config)

    def access(path, query=""):
        logger.access(
            Response(), Request(), _environ(path, query), datetime.timedelta(milliseconds=12)
        )
        for handler in logger.access_log.handlers:
            handler.flush()
        return (tmp_path / "access.log").read_text()

    yield access
    logger.close_on_exec()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path, logged",
    [
        ("/moderation/4/reads/XA0002/", "/moderation/4/reads/<str:crn>/"),
        ("/inspections/4/cases/CRN-0001/", "/inspections/4/cases/<str:crn>/"),
        ("/cases/X1FF/", "/cases/[redacted]/"),
        ("/AB-12345/", "/[redacted]/"),
        ('/x\n{"path": "/forged"}\r/', "/[redacted]/[redacted]/"),  # %0a in the address
        ('/inspections/4/cases/a"b\\/', "/inspections/4/cases/<str:crn>/"),
    ],
)
def test_gunicorn_access_lines_are_one_json_object_without_a_crn(access_log, path, logged):
    text = access_log(path, "crn=XA0001")
    entry = _one_json_line(text)
    assert entry["path"] == logged
    assert entry["status"] == 404 and entry["remote"] == "10.0.0.1"
    for secret in ["XA0001", "XA0002", "X1FF", "CRN-0001", "AB-12345", "forged"]:
        assert secret not in text


@pytest.mark.django_db
def test_gunicorn_keeps_request_headers_and_the_environment_out_of_its_atoms():
    from gunicorn.config import Config

    atoms = RedactingGunicornLogger(Config()).atoms(
        Response(),
        Request(),
        _environ("/moderation/4/reads/XA0002/", "crn=XA0002"),
        datetime.timedelta(milliseconds=12),
    )
    assert atoms["U"] == "/moderation/4/reads/<str:crn>/"
    assert atoms["r"] == "GET /moderation/4/reads/<str:crn>/ HTTP/1.1"
    assert "q" not in atoms and "f" not in atoms
    assert not [key for key in atoms if key.startswith("{")]
    assert gunicorn_conf.logger_class == "audit.config.logging.RedactingGunicornLogger"
    assert "%(q)s" not in gunicorn_conf.access_log_format


@pytest.mark.django_db
def test_gunicorn_error_lines_that_may_quote_a_request_are_redacted():
    from gunicorn.config import Config

    logger = RedactingGunicornLogger(Config())
    [redacting] = [f for f in logger.error_log.filters if hasattr(f, "filter")]
    error = logging.LogRecord(
        "gunicorn.error",
        logging.ERROR,
        __file__,
        1,
        "Error handling request %s",
        ("/cases/CRN-0001/?crn=X1FF\n",),
        None,
    )
    assert redacting.filter(error)
    assert error.getMessage() == "Error handling request /cases/[redacted]/"
    info = logging.LogRecord(
        "gunicorn.error",
        logging.INFO,
        __file__,
        1,
        "Listening at: %s",
        ("http://127.0.0.1:8000",),
        None,
    )
    assert redacting.filter(info) and info.getMessage() == "Listening at: http://127.0.0.1:8000"
