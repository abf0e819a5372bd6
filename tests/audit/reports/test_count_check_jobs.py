"""`rollup_check` as a background job: the same check and repair as in the foreground, queued by
`--background`, run by the worker, and all or nothing."""

import io
from unittest import mock

import pytest
from django.core.management import call_command
from django.db.models import F

from audit.accounts.roles import Role
from audit.counts import checking
from audit.counts.rebuild import differences
from audit.models import RollupCount
from jobs.models import Job, JobStatus
from tests.audit.moderation_support import (
    NA,
    N,
    S,
    inspection_for,
    published_framework,
    submitted_review,
)

# The worker closes its database connection between jobs: these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def two_spoilt(settings, make_user):
    """Two inspections, each with a stray count."""
    settings.TASKS = DATABASE_BACKEND
    framework = published_framework()
    assessor = make_user(Role.ASSESSOR)
    inspections = [inspection_for(framework) for _ in range(2)]
    for inspection in inspections:
        submitted_review(inspection, assessor, [S, N, NA])
        stray = RollupCount.objects.filter(inspection=inspection, kind="reviews").first()
        RollupCount.objects.filter(pk=stray.pk).update(n=F("n") + 3)
    return inspections


def test_background_check_and_repair_runs_as_a_job(two_spoilt):
    out = io.StringIO()
    call_command("rollup_check", "--repair", "--background", stdout=out)
    job = Job.objects.get()
    assert f"Queued as job {job.pk}" in out.getvalue()
    assert job.status == JobStatus.QUEUED and job.params == {"inspection_ids": None, "repair": True}
    assert len(differences()) == 2  # nothing done until a worker runs it
    call_command("run_jobs", batch=True, verbosity=0)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.outcome["differences"] == 2
    assert job.outcome["repaired"] == sorted(i.pk for i in two_spoilt)
    assert job.outcome["summary"][0] == "Checked the counts of 2 inspection(s): 2 difference(s)."
    assert differences() == []
    assert job.done == job.total  # progress reached the end


def test_a_check_without_repair_changes_nothing(two_spoilt):
    check = checking.check_counts(inspection_ids=[two_spoilt[0].pk])
    assert check.inspections == 1 and len(check.found) == 1 and check.repaired == []
    assert len(differences()) == 2


def test_a_repair_cut_short_repairs_nothing(two_spoilt):
    real = checking.rebuild_counts
    calls = []

    def fails_on_the_second(*, inspection_ids):
        calls.append(inspection_ids)
        if len(calls) == 2:
            raise RuntimeError("worker lost")
        return real(inspection_ids=inspection_ids)

    with mock.patch.object(checking, "rebuild_counts", fails_on_the_second):
        with pytest.raises(RuntimeError):
            checking.check_counts(repair=True)
    assert len(calls) == 2
    assert len(differences()) == 2  # the first inspection's repair was rolled back too
