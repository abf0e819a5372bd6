"""PDFs of the inspection report, the provider report and the national picture: made by a job
from the pages' templates, downloaded from the job's page, read back with pypdf to find the
ratings and figures."""

import io

import pytest
from django.http import HttpResponse
from django.urls import resolve, reverse
from pypdf import PdfReader

from audit.models import Inspection
from jobs.models import Job, JobStatus

from .test_national_picture import national  # noqa: F401 - the hand-worked national round

pytestmark = pytest.mark.django_db


def pdf_response(client, url):
    """Ask for a report's PDF as a user does: the link starts a job (run at once in tests), whose
    page offers the file."""
    started = client.get(url)
    if started.status_code != 302:
        return started
    job = Job.objects.get(pk=resolve(started.url).kwargs["pk"])
    page = client.get(started.url)
    assert page.status_code == 200
    if job.status != JobStatus.DONE:
        return page
    download = reverse("jobs:download", args=[job.pk])
    assert download.encode() in page.content
    streamed = client.get(download)
    response = HttpResponse(b"".join(streamed.streaming_content), status=streamed.status_code)
    for header in ("Content-Type", "Content-Disposition"):
        response[header] = streamed[header]
    return response


def pdf_text(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith('.pdf"')
    reader = PdfReader(io.BytesIO(response.content))
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height  # landscape
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_inspection_report_pdf_has_the_ratings_explained(national, client, admin_user):
    client.force_login(admin_user)
    inspection = Inspection.objects.get(title="National round")
    text = pdf_text(
        pdf_response(
            client,
            reverse("reports:inspection_download", args=[inspection.id, "report", "pdf"])
            + "?provider=N-NPS",
        )
    )
    assert "National round" in text and "North NPS" in text
    assert "The overall rating is Outstanding: the 3 standards score 8 points out of 9" in text
    assert "Standard 2.1 is Outstanding because a standard takes the band of its weakest" in text
    assert "9 of 10" in text  # the key-question table
    assert "How the figures are worked out" in text  # the methods
    assert "Provisional" not in text
    assert "http" not in text  # no link addresses printed


def test_provisional_inspection_pdf_says_so(national, client, admin_user):
    client.force_login(admin_user)
    pending = Inspection.objects.get(title="West fieldwork")
    text = pdf_text(
        pdf_response(
            client, reverse("reports:inspection_download", args=[pending.id, "report", "pdf"])
        )
    )
    assert "Provisional: this inspection has not been published" in text


def test_provider_and_national_pdfs(national, client, admin_user):
    client.force_login(admin_user)
    text = pdf_text(
        pdf_response(client, reverse("reports:provider_download", args=["E-CRC", "report", "pdf"]))
    )
    assert "East CRC" in text and "National round" in text and "Inadequate" in text
    text = pdf_text(
        pdf_response(client, reverse("reports:national_download", args=["report", "pdf"]))
    )
    assert "Of 3 providers: 1 Outstanding, 1 Good, 0 Requires improvement, 1 Inadequate." in text
    assert "4 of 9 provider-standard pairs are rated below Good" in text
    assert "16 of 20 (80%)" in text and "40.0" in text


def test_pdf_only_of_a_whole_report_and_only_in_scope(national, client, admin_user, make_user):
    from audit.accounts.roles import Role
    from cases.models import Provider

    inspection = Inspection.objects.get(title="National round")
    client.force_login(admin_user)
    bad = reverse("reports:inspection_download", args=[inspection.id, "key-questions", "pdf"])
    assert client.get(bad).status_code == 404
    client.force_login(make_user(Role.MANAGER, providers=[Provider.objects.get(code="E-CRC")]))
    assert (
        client.get(
            reverse("reports:provider_download", args=["N-NPS", "report", "pdf"])
        ).status_code
        == 404
    )
    text = pdf_text(
        pdf_response(client, reverse("reports:national_download", args=["report", "pdf"]))
    )
    assert "North NPS" not in text and "East CRC" in text
