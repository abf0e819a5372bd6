"""A job's file: kept privately, served to its owner alone, removed when old; and the worker's
periodic look for stalled jobs."""

from __future__ import annotations

import os
import stat
import time
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.accounts.roles import Role
from jobs.files import output_dir, remove_old_outputs, save_output
from jobs.management.commands import run_jobs
from jobs.models import Job, JobStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def out(settings, tmp_path):
    settings.JOBS_OUTPUT_DIR = str(tmp_path / "job-files")
    return tmp_path / "job-files"


@pytest.fixture
def finished(make_user, out):
    owner = make_user(Role.MANAGER)
    job = Job.objects.create(owner=owner, work="x.y", title="PDF", status=JobStatus.DONE)
    job.outcome = save_output(
        job, data=b"%PDF-1.7 made", filename="report.pdf", content_type="application/pdf"
    )
    job.save()
    return job


def test_the_file_is_private_and_whole(finished, out):
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    (path,) = out.iterdir()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes() == b"%PDF-1.7 made"
    assert finished.outcome == {
        "file": {"name": "report.pdf", "content_type": "application/pdf", "size": 13}
    }


def test_only_the_owner_downloads_it(finished, client, make_user):
    url = reverse("jobs:download", args=[finished.pk])
    client.force_login(make_user(Role.MANAGER))
    assert client.get(url).status_code == 404
    client.force_login(finished.owner)
    page = client.get(reverse("jobs:detail", args=[finished.pk]))
    assert url.encode() in page.content and b"report.pdf (13" in page.content
    response = client.get(url)
    assert response["Content-Disposition"] == 'attachment; filename="report.pdf"'
    assert b"".join(response.streaming_content) == b"%PDF-1.7 made"


def test_an_unfinished_job_has_nothing_to_download(finished, client):
    Job.objects.filter(pk=finished.pk).update(status=JobStatus.RUNNING)
    client.force_login(finished.owner)
    assert client.get(reverse("jobs:download", args=[finished.pk])).status_code == 404


def test_old_files_are_removed_and_the_page_says_so(finished, out, client, settings):
    settings.JOBS_OUTPUT_MAX_AGE = 60
    assert remove_old_outputs() == 0
    (path,) = out.iterdir()
    old = time.time() - 61
    os.utime(path, (old, old))
    assert remove_old_outputs() == 1 and not any(out.iterdir())
    client.force_login(finished.owner)
    page = client.get(reverse("jobs:detail", args=[finished.pk]))
    assert b"has been removed" in page.content
    assert client.get(reverse("jobs:download", args=[finished.pk])).status_code == 404


def test_output_dir_is_narrowed_to_the_owner(out):
    out.mkdir(mode=0o755)
    out.chmod(0o755)
    assert stat.S_IMODE(output_dir().stat().st_mode) == 0o700


class TwoLooks:
    """A stop event that lets the loop look twice, then stops it."""

    def __init__(self):
        self.waits = 0

    def wait(self, every):
        self.waits += 1
        return self.waits > 2


def test_the_running_worker_looks_for_stalled_jobs_again_and_again(make_user, settings, out):
    settings.JOBS_STALLED_AFTER = 60
    lost = Job.objects.create(
        owner=make_user(Role.MANAGER),
        work="x.y",
        title="Lost",
        status=JobStatus.RUNNING,
        attempts=1,
        heartbeat_at=timezone.now() - timezone.timedelta(minutes=5),
    )
    said = []
    with (
        mock.patch.object(run_jobs.connection, "close"),
        mock.patch("jobs.services._enqueue") as enqueue,
        mock.patch.object(run_jobs, "housekeeping", wraps=run_jobs.housekeeping) as looked,
    ):
        run_jobs._keep_house(TwoLooks(), 0.01, said.append)
    assert looked.call_count == 2
    lost.refresh_from_db()
    assert lost.status == JobStatus.QUEUED
    assert said == ["Stalled jobs: 1 queued again, 0 marked failed."]
    assert enqueue.call_count <= 1  # queued after commit, once
