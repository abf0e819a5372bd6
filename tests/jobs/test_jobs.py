"""Background jobs: imports run by a worker through the database backend, progress that moves,
failures said plainly, interrupted work that writes nothing and is tried again, and jobs seen by
their owner alone."""

from __future__ import annotations

import datetime
import re
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from audit.accounts.roles import Role
from cases import importers
from cases.models import Case
from jobs.models import Job, JobStatus
from jobs.progress import JobProgress
from jobs.services import GENERAL_FAILURE, recover_stalled

from ..cases.helpers import csv_bytes, row, rows
from ..factories import ProviderFactory

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def queued(settings):
    """Jobs wait in the database until the worker is run."""
    settings.TASKS = DATABASE_BACKEND


@pytest.fixture
def pdu(db):
    return ProviderFactory(code="PDU-A", name="Alpha PDU")


@pytest.fixture
def manager(make_user, pdu):
    return make_user(Role.MANAGER, providers=[pdu])


def work_the_queue():
    call_command("run_jobs", batch=True, verbosity=0)


def upload(client, data, name="caseload.csv"):
    return client.post(
        reverse("cases:caseload_upload"), {"file": SimpleUploadedFile(name, data), "provider": ""}
    )


def token_of(response) -> str:
    match = re.search(r'name="upload" value="([0-9a-f]+)"', response.content.decode())
    assert match, "the preview has no confirm form"
    return match.group(1)


def assert_progress_page(response, words: str):
    html = response.content.decode()
    assert response.status_code == 200
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in html
    assert 'data-module="app-job-progress"' in html
    assert words in html
    assert "<script>" not in html  # nothing inline for the content security policy to allow


@pytest.mark.django_db(transaction=True)
def test_a_caseload_import_runs_end_to_end_through_the_database_backend(
    client, queued, manager, pdu
):
    client.force_login(manager)
    started = upload(client, csv_bytes(rows(40)))
    assert started.status_code == 302
    job = Job.objects.get()
    assert started["Location"] == job.get_absolute_url()
    assert (job.status, job.owner) == (JobStatus.QUEUED, manager)
    assert_progress_page(client.get(started["Location"]), "Waiting to start")

    work_the_queue()
    preview = client.get(started["Location"])
    assert "Check the caseload" in preview.content.decode()
    assert Case.objects.count() == 0

    confirmed = client.post(reverse("cases:caseload_confirm"), {"upload": token_of(preview)})
    assert Case.objects.count() == 0  # the page only queued the work
    assert_progress_page(client.get(confirmed["Location"]), "Waiting to start")
    work_the_queue()
    done = client.get(confirmed["Location"], follow=True)
    assert done.redirect_chain[-1][0] == reverse("cases:provider_list")
    assert "40 new cases, 0 updated" in done.content.decode()
    assert Case.objects.count() == 40
    write = Job.objects.get(pk=int(confirmed["Location"].rstrip("/").rsplit("/", 1)[1]))
    assert (write.status, write.attempts, write.message) == (JobStatus.DONE, 1, "")


@pytest.mark.django_db(transaction=True)
def test_a_failing_file_reports_its_rows_errors(client, queued, manager, pdu):
    client.force_login(manager)
    data = csv_bytes([row("A000001", rosh_level="extreme"), row("A000002", start_date="soon")])
    started = upload(client, data)
    work_the_queue()
    html = client.get(started["Location"]).content.decode()
    assert "There is a problem with the caseload" in html
    assert "2 problems in 2 of 2 rows" in html
    assert "Unknown RoSH level &#x27;extreme&#x27;" in html
    assert "&#x27;soon&#x27; is not a date" in html
    assert 'name="upload"' not in html
    assert Job.objects.get().status == JobStatus.DONE  # the job ran; the file failed its checks


class Interrupted(BaseException):
    """What a worker killed mid-job amounts to: the work stops where it is, nothing caught."""


@pytest.mark.django_db(transaction=True)
def test_a_write_interrupted_midway_writes_nothing_and_is_tried_again(
    client, queued, manager, pdu, settings
):
    client.force_login(manager)
    preview = upload(client, csv_bytes(rows(30)))
    work_the_queue()
    confirmed = client.post(
        reverse("cases:caseload_confirm"), {"upload": token_of(client.get(preview["Location"]))}
    )
    real_write = importers.write_cases

    def half_then_killed(records, existing):
        real_write(records[:15], existing)
        assert Case.objects.count() == 15  # written, inside the transaction
        raise Interrupted

    with mock.patch.object(importers, "write_cases", half_then_killed):
        work_the_queue()
    assert Case.objects.count() == 0
    job = Job.objects.get(work="cases.import_jobs.write_caseload")
    assert (job.status, job.attempts) == (JobStatus.RUNNING, 1)
    page = client.get(confirmed["Location"])
    assert_progress_page(page, "Writing 30 cases")  # not yet taken for lost

    later = timezone.now() + datetime.timedelta(seconds=settings.JOBS_STALLED_AFTER + 1)
    assert recover_stalled(now=later) == (1, 0)
    work_the_queue()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.DONE, 2)
    assert Case.objects.count() == 30


@pytest.mark.django_db
def test_a_job_lost_on_every_try_is_marked_failed_saying_so(client, manager, settings):
    job = Job.objects.create(
        owner=manager,
        work="cases.import_jobs.write_caseload",
        title="Importing caseload big.csv",
        page="cases:caseload_job",
        status=JobStatus.RUNNING,
        attempts=settings.JOBS_MAX_ATTEMPTS,
        params={"filename": "big.csv"},
        heartbeat_at=timezone.now() - datetime.timedelta(hours=1),
    )
    client.force_login(manager)
    page = client.get(job.get_absolute_url())  # the page notices it is lost
    html = page.content.decode()
    assert "it did not finish" in html
    assert (
        "The work stopped before it finished (the server running it stopped), and nothing "
        "was saved. It was tried 2 times. Start it again."
    ) in html
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED


@pytest.mark.django_db
def test_a_fault_in_the_work_fails_the_job_with_a_plain_message(client, manager, pdu):
    client.force_login(manager)
    with mock.patch("cases.import_jobs.import_caseload", side_effect=ValueError("a bug")):
        page = upload(client, csv_bytes(rows(2)))
    html = client.get(page["Location"]).content.decode()
    assert escape(GENERAL_FAILURE) in html and "a bug" not in html
    assert Job.objects.get().status == JobStatus.FAILED
    assert Case.objects.count() == 0


class Recording(JobProgress):
    """Writes on every call (a clock that jumps) and notes what the job's row then says."""

    def __init__(self, job_id):
        ticks = iter(range(0, 10**6, 10))
        super().__init__(job_id, clock=lambda: next(ticks))
        self.seen = []

    def write(self, force=False):
        super().write(force)
        job = Job.objects.get(pk=self.job_id)
        self.seen.append((job.phase, job.done, job.total))


@pytest.mark.django_db(transaction=True)
def test_progress_figures_move(manager, pdu):
    job = Job.objects.create(owner=manager, work="x", title="Checking", status=JobStatus.RUNNING)
    progress = Recording(job.pk)
    result = importers.import_caseload(data=csv_bytes(rows(5)), filename="c.csv", progress=progress)
    assert result.ok and result.created == 5
    assert progress.seen == [
        ("Checking rows", 0, 6),
        ("Checking rows", 2, 6),
        ("Checking rows", 3, 6),
        ("Checking rows", 4, 6),
        ("Checking rows", 5, 6),
        ("Checking rows", 6, 6),
        ("Writing 5 cases", 0, None),
    ]


@pytest.mark.django_db
def test_each_user_sees_only_their_own_jobs(client, manager, make_user, pdu):
    client.force_login(manager)
    page = upload(client, csv_bytes(rows(2)))
    own = Job.objects.get()
    other = make_user(Role.MANAGER, providers=[pdu])
    theirs = Job.objects.create(owner=other, work="x", title="Their purge", status=JobStatus.DONE)
    home = client.get(reverse("home")).content.decode()
    assert "Checking caseload caseload.csv" in home and "Their purge" not in home
    assert client.get(page["Location"]).status_code == 200
    assert client.get(reverse("jobs:detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("jobs:status", args=[theirs.pk])).status_code == 404
    status = client.get(reverse("jobs:status", args=[own.pk])).json()
    assert status == {
        "status": "done",
        "status_label": "Finished",
        "finished": True,
        "text": "Working: 3 of 3 rows",
        "done": 3,
        "total": 3,
        "percent": 100,
        "url": own.get_absolute_url(),
    }
    client.force_login(other)
    assert client.get(own.get_absolute_url()).status_code == 404
    assert client.get(reverse("jobs:detail", args=[own.pk])).status_code == 404
    assert "Checking caseload" not in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_the_home_page_lists_recent_jobs_in_two_queries(client, manager, django_assert_num_queries):
    for number in range(15):
        Job.objects.create(owner=manager, work="x", title=f"Job {number}", status=JobStatus.DONE)
    client.force_login(manager)
    html = client.get(reverse("home")).content.decode()
    assert "Job 14" in html and "Job 5" in html and "Job 4" not in html  # the ten newest
    from jobs.selectors import recent_jobs

    with django_assert_num_queries(1):
        assert len(recent_jobs(manager)) == 10


@pytest.mark.django_db
def test_a_purge_job_runs_the_purge_and_says_what_it_did(admin_user):
    from audit.retention.jobs import start_purge

    job = start_purge(before=datetime.date(2020, 1, 1), owner=admin_user)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.outcome["summary"][0] == (
        "Removed the case data of 0 inspection(s) published before 2020-01-01."
    )
