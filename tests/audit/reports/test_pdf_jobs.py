"""Report PDFs made by a job: the web request only starts it, asking again finds the same job,
and the worker makes the PDF with the owner's own access, failing plainly when it is gone."""

import pytest
from django.core.management import call_command
from django.urls import resolve, reverse

from audit.accounts.roles import Role
from audit.reports.pdf_jobs import NOT_AVAILABLE
from cases.models import Provider
from jobs.models import Job, JobStatus

from .test_national_picture import national  # noqa: F401 - the hand-worked national round

# The worker closes its database connection between jobs: these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def queued(settings):
    settings.TASKS = DATABASE_BACKEND


def job_of(response) -> Job:
    assert response.status_code == 302
    return Job.objects.get(pk=resolve(response.url).kwargs["pk"])


def test_the_request_starts_the_job_without_making_the_report(
    national, queued, client, admin_user, django_assert_max_num_queries
):
    client.force_login(admin_user)
    url = reverse("reports:national_download", args=["report", "pdf"])
    with django_assert_max_num_queries(12):
        job = job_of(client.get(url))
    assert job.status == JobStatus.QUEUED and job.owner == admin_user
    assert job.title == "PDF of the national picture"
    page = client.get(reverse("jobs:detail", args=[job.pk]))
    assert b"Waiting to start" in page.content
    call_command("run_jobs", batch=True, verbosity=0)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.outcome["file"]["name"].endswith(".pdf") and job.outcome["file"]["size"] > 1000
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_asking_again_finds_the_same_job_unless_it_failed(national, queued, client, admin_user):
    client.force_login(admin_user)
    url = reverse("reports:national_download", args=["report", "pdf"])
    first = job_of(client.get(url))
    assert job_of(client.get(url)) == first
    assert job_of(client.get(url + "?sort=name")) != first  # another query, another PDF
    Job.objects.filter(pk=first.pk).update(status=JobStatus.FAILED)
    assert job_of(client.get(url)) != first


def test_a_job_whose_owner_lost_access_fails_plainly(national, queued, client, make_user):
    north = Provider.objects.get(code="N-NPS")
    manager = make_user(Role.MANAGER, providers=[north])
    client.force_login(manager)
    job = job_of(client.get(reverse("reports:provider_download", args=["N-NPS", "report", "pdf"])))
    manager.providers.clear()
    call_command("run_jobs", batch=True, verbosity=0)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.message == NOT_AVAILABLE
    assert not job.outcome.get("file")
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


def test_out_of_scope_pdfs_start_no_job(national, client, make_user):
    client.force_login(make_user(Role.MANAGER, providers=[Provider.objects.get(code="E-CRC")]))
    url = reverse("reports:provider_download", args=["N-NPS", "report", "pdf"])
    assert client.get(url).status_code == 404
    client.force_login(make_user(Role.ASSESSOR, providers=[Provider.objects.get(code="E-CRC")]))
    assert (
        client.get(reverse("reports:national_download", args=["report", "pdf"])).status_code == 404
    )
    assert not Job.objects.exists()
