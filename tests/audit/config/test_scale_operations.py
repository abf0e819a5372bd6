"""Scaling out: report pages read from the replica when one is configured; scoring never does."""

from unittest import mock

import pytest
from django.urls import reverse

from audit.config import db_routers
from audit.models import User
from audit.reports import replica
from audit.synthetic.national_dataset import build_national_dataset
from tests.audit.scoring_support import scoring_setup

pytestmark = pytest.mark.django_db


@pytest.fixture
def reads():
    """Every read the router is asked about: (model, whether it was a report read)."""
    seen = []
    original = db_routers.ReportReplicaRouter.db_for_read

    def recording(self, model, **hints):
        seen.append((model._meta.label, replica.reporting.get()))
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
        reverse("reports:inspection_download", args=[data.inspection.pk, "key-questions", "csv"]),
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


def test_the_health_check_answers_plain_http_while_pages_redirect(client, monkeypatch):
    """The load balancer's check reaches each web process over plain HTTP, unredirected."""
    import importlib
    import sys

    from django.test import override_settings

    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 60)
    monkeypatch.delitem(sys.modules, "audit.config.settings.production", raising=False)
    production = importlib.import_module("audit.config.settings.production")
    with override_settings(
        SECURE_SSL_REDIRECT=production.SECURE_SSL_REDIRECT,
        SECURE_REDIRECT_EXEMPT=production.SECURE_REDIRECT_EXEMPT,
    ):
        health = client.get(reverse("health"))
        sign_in = client.get(reverse("login"))
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "database": "ok"}
    assert sign_in.status_code == 301
    assert sign_in["Location"].startswith("https://")
