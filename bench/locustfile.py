"""Locust: assessors scoring their own reviews, as bench/loadtest.py runs it against gunicorn.

Each simulated assessor signs in with the sign-in form, then, again and again, opens one of
its reviews' task list, opens a standard page and saves it with every question answered (at
random, with a rationale for each judgement), as a browser would: the CSRF token and the
version it loaded go back with the form. A save refused as stale (409) is reloaded and retried:
it counts as neither an error nor a lost answer. Every answer of every accepted save is recorded
and written out at the end, so bench/loadtest.py can check that each one is in the database.

The measured period starts LOADTEST_SETTLE seconds after the last assessor has signed in (statistics
are reset then, so sign-in, one deliberately slow password hash each, is not measured) and lasts
LOADTEST_SECONDS; then the test stops. Reads LOADTEST_PLAN (the fieldwork: inspection, assessors,
their CRNs) and writes LOADTEST_RESULT. The service sees HTTPS, as behind the TLS-terminating proxy:
requests carry X-Forwarded-Proto: https, and the client sends the Secure cookies over plain HTTP on
loopback.
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
import time
from pathlib import Path

import gevent
from locust import HttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.fieldwork import STANDARDS, standard_form  # noqa: E402

PLAN = json.loads(Path(os.environ["LOADTEST_PLAN"]).read_text())
ASSIGNMENTS = iter(PLAN["assessors"])
SAVED: dict[str, dict] = {}  # "crn prompt|judgement code" -> the last value accepted
COUNTS = {"saves": 0, "stale_refused": 0, "retries_exhausted": 0, "signed_in": 0}
MEASURED = {"from": None}
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


WAIT = [float(n) for n in os.environ.get("LOADTEST_WAIT", "5,15").split(",")]


class Assessor(HttpUser):
    # Between one saved page and opening the next: seconds, where real assessors take minutes.
    wait_time = between(*WAIT)

    def call(self, method, url, **kwargs):
        """A request with the session's cookies. They are Secure (TLS ends at the proxy in
        production); on loopback the client talks plain HTTP, so it is told to send them."""
        for cookie in self.client.cookies:
            cookie.secure = False
        return getattr(self.client, method)(url, **kwargs)

    def on_start(self):
        origin = self.host.replace("http://", "https://")
        self.headers = {"X-Forwarded-Proto": "https", "Origin": origin, "Referer": origin + "/"}
        self.client.headers.update({"X-Forwarded-Proto": "https"})
        self.me = next(ASSIGNMENTS)
        self.rng = random.Random(self.me["username"])
        self.saves = 0
        page = self.call("get", "/accounts/login/", name="sign in page")
        token = TOKEN.search(page.text).group(1)
        with self.call(
            "post",
            "/accounts/login/",
            name="sign in",
            allow_redirects=False,
            headers=self.headers,
            data={
                "username": self.me["username"],
                "password": self.me["password"],
                "csrfmiddlewaretoken": token,
            },
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-in answered {response.status_code}")
            else:
                COUNTS["signed_in"] += 1

    @task
    def score_a_page(self):
        crn = self.rng.choice(self.me["crns"])
        code = self.rng.choice(STANDARDS)
        review = f"/inspections/{PLAN['inspection']}/cases/{crn}/"
        self.call("get", review, name="review task list")
        url = f"{review}standards/{code}/"
        for _attempt in range(3):
            page = self.call("get", url, name="standard page")
            if page.status_code != 200:
                return
            self.saves += 1
            data, sent = standard_form(
                page.text, self.rng, f"{self.me['username']} save {self.saves}"
            )
            with self.call(
                "post",
                url,
                data=data,
                headers=self.headers,
                allow_redirects=False,
                name="save standard page",
                catch_response=True,
            ) as response:
                if response.status_code == 302:
                    COUNTS["saves"] += 1
                    for prompt, value in sent["prompts"].items():
                        SAVED[f"{crn} prompt {prompt}"] = value
                    for kq, value in sent["judgements"].items():
                        SAVED[f"{crn} judgement {kq}"] = value
                    return
                if response.status_code == 409:
                    # Refused as stale, nothing written: reload and save again.
                    COUNTS["stale_refused"] += 1
                    response.success()
                    continue
                response.failure(f"save answered {response.status_code}")
                return
        COUNTS["retries_exhausted"] += 1


def measure(environment):
    """Reset the statistics once every assessor has signed in and settled; stop after the
    measured period."""
    while COUNTS["signed_in"] < len(PLAN["assessors"]):
        gevent.sleep(0.5)
    gevent.sleep(float(os.environ.get("LOADTEST_SETTLE", "5")))
    environment.stats.reset_all()
    MEASURED["from"] = time.time()
    gevent.sleep(float(os.environ.get("LOADTEST_SECONDS", "60")))
    MEASURED["to"] = time.time()
    environment.runner.quit()


@events.test_start.add_listener
def start_measuring(environment, **kwargs):
    gevent.spawn(measure, environment)


@events.test_stop.add_listener
def write_result(environment, **kwargs):
    Path(os.environ["LOADTEST_RESULT"]).write_text(
        json.dumps({"counts": COUNTS, "saved": SAVED, "measured": MEASURED})
    )
