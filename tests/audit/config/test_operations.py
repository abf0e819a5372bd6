"""Production run path: the replica router and the health check's failure answer."""

from types import SimpleNamespace
from unittest import mock

import pytest
from django.db import DatabaseError
from django.urls import reverse

from audit.config.db_routers import ReportReplicaRouter
from audit.reports.replica import reads_from_replica, report_reads
from cases.models import Case


def with_replica():
    return mock.patch(
        "audit.config.db_routers.settings",
        SimpleNamespace(DATABASES={"default": {}, "replica": {}}),
    )


def test_report_reads_go_to_the_replica_when_configured():
    router = ReportReplicaRouter()
    with with_replica():
        assert router.db_for_read(Case) is None
        with report_reads():
            assert router.db_for_read(Case) == "replica"
        assert router.db_for_read(Case) is None
        assert router.db_for_write(Case) == "default"


def test_without_replica_report_reads_stay_on_default():
    with report_reads():
        assert ReportReplicaRouter().db_for_read(Case) is None


def test_decorator_marks_the_view_as_reporting():
    seen = []

    @reads_from_replica
    def view(request):
        with with_replica():
            seen.append(ReportReplicaRouter().db_for_read(Case))
        return "ok"

    assert view(None) == "ok"
    assert seen == ["replica"]


def test_replica_is_never_migrated():
    assert not ReportReplicaRouter().allow_migrate("replica", "cases")
    assert ReportReplicaRouter().allow_migrate("default", "cases")


@pytest.mark.django_db
def test_health_check_reports_database_failure(client):
    with mock.patch("audit.accounts.views.connection") as connection:
        connection.cursor.side_effect = DatabaseError("down")
        response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
