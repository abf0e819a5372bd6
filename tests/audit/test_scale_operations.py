"""Scaling out: report pages read from the replica when one is configured; scoring never does."""
from unittest import mock

import pytest
from django.urls import reverse

from audit import db_routers
from audit.models import User
from audit.national_dataset import build_national_dataset

from .scoring_support import scoring_setup

pytestmark = pytest.mark.django_db


@pytest.fixture
def reads():
    """Every read the router is asked about: (model, whether it was a report read)."""
    seen = []
    original = db_routers.ReportReplicaRouter.db_for_read

    def recording(self, model, **hints):
        seen.append((model._meta.label, db_routers._reporting.get()))
        return original(self, model, **hints)

    with mock.patch.object(db_routers.ReportReplicaRouter, "db_for_read", recording):
        yield seen


def test_report_pages_read_from_the_replica(client, hmip_2018, reads):
    data = build_national_dataset(reviews=30, seed=1, title="Replica test")
    client.force_login(User.objects.get(username="natl-lead"))
    for url in (
        reverse("reports:index"),
        reverse("reports:inspection", args=[data.inspection.pk]),
        reverse("reports:inspection_json", args=[data.inspection.pk]),
        reverse("reports:inspection_download", args=[data.inspection.pk, "key-questions",
                                                     "csv"]),
        reverse("reports:provider", args=[data.inspection.providers.first().code]),
        reverse("reports:league"),
    ):
        reads.clear()
        assert client.get(url).status_code == 200, url
        report_reads = {model for model, reporting in reads if reporting}
        assert "audit.Inspection" in report_reads, url


def test_scoring_pages_read_from_the_primary(client, hmip_2018, make_user, reads):
    setup = scoring_setup(hmip_2018, make_user, cases=1)
    client.force_login(setup["assessor"])
    url = reverse("audit:review_standard", args=[setup["inspection"].pk, "X000001", "2.1"])
    assert client.get(url).status_code == 200
    assert reads and not any(reporting for _, reporting in reads)
