"""The proxy's headers are believed only when the deployment names the proxy, and gunicorn
listens on 127.0.0.1 unless told otherwise.

Run against the production settings in a separate process (Django's test client there, and a
real gunicorn), as the deploy check in test_site.py is.
"""

from __future__ import annotations

import importlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HOST = "audit.example.gov.uk"


def production_env(**extra) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "audit.config.settings.production",
        "DJANGO_SECRET_KEY": "x7$kq!" * 10,
        "DJANGO_ALLOWED_HOSTS": f"{HOST},127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    for name in (
        "DJANGO_TRUSTED_PROXIES",
        "DJANGO_SECURE_PROXY_SSL_HEADER",
        "GUNICORN_BIND",
        "FORWARDED_ALLOW_IPS",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    ):
        env.pop(name, None)
    env.update(extra)
    return env


PROBE = """
import json
import django
django.setup()
from django.test import Client
response = Client().get("/", HTTP_HOST="HOST_NAME", HTTP_X_FORWARDED_PROTO="https",
                        HTTP_X_FORWARDED_HOST="evil.example")
print(json.dumps({"status": response.status_code, "location": response.get("Location")}))
""".replace("HOST_NAME", HOST)


def probe(**extra) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=production_env(**extra),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_django_does_not_take_x_forwarded_proto_from_whoever_sends_it():
    answer = probe()
    assert answer == {"status": 301, "location": f"https://{HOST}/"}


def test_django_reads_x_forwarded_proto_only_when_configured():
    assert probe(DJANGO_SECURE_PROXY_SSL_HEADER="true") == {
        "status": 302,
        "location": "/accounts/login/?next=/",
    }


def test_gunicorn_listens_on_loopback_and_trusts_no_proxy_unless_told(monkeypatch):
    from audit.config import gunicorn_conf

    for name in ("GUNICORN_BIND", "DJANGO_TRUSTED_PROXIES", "FORWARDED_ALLOW_IPS"):
        monkeypatch.delenv(name, raising=False)
    conf = importlib.reload(gunicorn_conf)
    assert conf.bind == "127.0.0.1:8000"
    assert conf.forwarded_allow_ips == ""
    assert conf.secure_scheme_headers == {"X-FORWARDED-PROTO": "https"}

    monkeypatch.setenv("GUNICORN_BIND", "10.0.0.7:8000")
    monkeypatch.setenv("DJANGO_TRUSTED_PROXIES", "10.0.0.5,10.0.1.0/24")
    conf = importlib.reload(gunicorn_conf)
    assert conf.bind == "10.0.0.7:8000"
    assert conf.forwarded_allow_ips == "10.0.0.5,10.0.1.0/24"
    monkeypatch.undo()
    importlib.reload(gunicorn_conf)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(port, path, headers):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=10) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


@pytest.fixture
def gunicorn(tmp_path):
    """gunicorn as `make serve` runs it, on a free loopback port, with one worker."""
    processes = []

    def start(**extra):
        port = free_port()
        log = tmp_path / f"gunicorn-{port}.log"
        env = production_env(
            GUNICORN_BIND=f"127.0.0.1:{port}",
            WEB_CONCURRENCY="1",
            DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}",
            **extra,
        )
        process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "-c",
                "audit/config/gunicorn_conf.py",
                "audit.config.wsgi",
            ],
            cwd=ROOT,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        processes.append(process)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return port, log
            except OSError:
                time.sleep(0.2)
        raise AssertionError(log.read_text())

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=30)


def test_gunicorn_believes_x_forwarded_proto_only_from_a_named_proxy(gunicorn):
    headers = {"Host": HOST, "X-Forwarded-Proto": "https"}
    port, _ = gunicorn()
    status, answer = fetch(port, "/", headers)
    assert (status, answer["Location"]) == (301, f"https://{HOST}/")

    port, log = gunicorn(DJANGO_TRUSTED_PROXIES="127.0.0.1")
    status, answer = fetch(port, "/", headers)
    assert (status, answer["Location"]) == (302, "/accounts/login/?next=/")
    assert "no-store" in answer["Cache-Control"]
    # The access log of a real worker: routes, redacted words, one JSON object per line.
    fetch(port, "/inspections/4/cases/CRN-0001/?crn=X1FF", headers)
    fetch(port, "/cases/AB-12345%0a%7B%22forged%22:1%7D/", headers)
    time.sleep(0.5)
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    paths = [line["path"] for line in lines if "path" in line]
    assert paths == ["/", "/inspections/4/cases/<str:crn>/", "/cases/[redacted]/"], log.read_text()
    for secret in ("CRN-0001", "X1FF", "AB-12345", "forged"):
        assert secret not in log.read_text()
    assert "Listening at: http://127.0.0.1:" in log.read_text()  # gunicorn's own lines whole
