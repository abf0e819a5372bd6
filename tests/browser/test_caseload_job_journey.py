"""A manager uploads a large caseload; a worker (a thread here, as `make run` starts one) checks it
while the page shows the rows checked of the total, kept up to date in place by the service's
own script (no inline script, no reloading); the page ends in the preview, and confirming runs
the write the same way. Every page passes axe, and the progress page reflows at 320 px."""

from __future__ import annotations

import re
import threading
import time

import pytest
from playwright.sync_api import expect

from audit.accounts.roles import Role
from cases import importers
from cases.models import Case
from jobs.models import Job, JobStatus

from ..cases.helpers import csv_bytes, rows
from ..factories import ProviderFactory, UserFactory
from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = 20_000
PAUSE = 0.0003  # a second or more of checking per 3,000 rows: the page sees it under way


@pytest.fixture
def queued(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def slow_rows(monkeypatch):
    """Each row takes a little longer to check, so the progress is seen part way."""
    check = importers._Validator.row

    def slowly(self, number, cells):
        time.sleep(PAUSE)
        return check(self, number, cells)

    monkeypatch.setattr(importers._Validator, "row", slowly)


def work_the_queue():
    """What `manage.py run_jobs --batch` runs, less its signal handlers (a thread has none)."""
    from django.db import connection
    from django_tasks_db.management.commands.db_worker import Worker

    try:
        Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="browser-test",
            excluded_queue_names=[],
        ).run()
    finally:
        connection.close()


def worker():
    """The worker, in a thread: it works every job waiting, then stops."""
    thread = threading.Thread(target=work_the_queue)
    thread.start()
    return thread


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_large_caseload_is_checked_and_imported_with_its_progress_shown(
    page, axe, sign_in, queued, slow_rows, tmp_path
):
    pdu = ProviderFactory(code="PDU-A", name="Alpha PDU")
    UserFactory(username="manager", roles=[Role.MANAGER], scope=[pdu])
    path = tmp_path / "national-extract.csv"
    path.write_bytes(csv_bytes(rows(ROWS)))
    sign_in(page, "manager")

    page.goto("/cases/import/")
    page.get_by_label("Caseload file").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Checking caseload national-extract.csv"
    )
    expect(page.get_by_role("status")).to_contain_text("Waiting to start")
    axe(page, "caseload-job-waiting")

    thread = worker()
    status = page.get_by_role("status")
    expect(status).to_contain_text(
        re.compile(r"Checking rows: [\d,]+ of 20,001 rows"), timeout=20_000
    )
    first = int(re.search(r"([\d,]+) of", status.inner_text()).group(1).replace(",", ""))
    axe(page, "caseload-job-progress")
    page.set_viewport_size({"width": 320, "height": 800})
    screenshot(page, "caseload-job-progress-320")
    no_sideways_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.wait_for_function(  # the figures move, written into the page in place
        """first => {
            const text = document.querySelector("[data-job-text]").textContent;
            const found = /([\\d,]+) of/.exec(text);
            return !found || Number(found[1].replaceAll(",", "")) > first;
        }""",
        arg=first,
        timeout=20_000,
    )

    expect(page.get_by_role("heading", level=1)).to_have_text("Check the caseload", timeout=60_000)
    thread.join(timeout=60)
    expect(page.locator(".govuk-summary-list")).to_contain_text("20,000")
    axe(page, "caseload-job-preview")
    assert Case.objects.count() == 0

    page.get_by_role("button", name="Import 20,000 cases").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Importing caseload national-extract.csv"
    )
    axe(page, "caseload-job-writing")
    job_url = page.url
    # SQLite's in-memory test database takes no other write while the import's transaction is
    # open (a page's session is saved on every request): wait for the write on a blank page.
    page.goto("about:blank")
    worker().join(timeout=60)
    page.goto(job_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Providers and caseloads")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "20,000 new cases, 0 updated"
    )
    assert Case.objects.count() == ROWS

    page.goto("/")
    table = page.get_by_role("table", name=re.compile("Imports and other work you started"))
    expect(table).to_contain_text("Importing caseload national-extract.csv")
    expect(table).to_contain_text("Finished")
    axe(page, "home-with-jobs")
    assert set(Job.objects.values_list("status", flat=True)) == {JobStatus.DONE}
