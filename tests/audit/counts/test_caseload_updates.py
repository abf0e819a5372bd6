"""A caseload import that changes a held case's characteristics brings the roll-up's counts of
its reviews in step, in the import's own transaction (cases.case_writes.after_cases_updated)."""

import pytest

from audit.accounts.roles import Role
from audit.counts.rebuild import differences
from audit.models import CountKind, RollupCount
from cases.importers import import_caseload
from cases.models import Case
from tests.audit.moderation_support import (
    NA,
    N,
    S,
    inspection_for,
    published_framework,
    submitted_review,
)
from tests.cases.helpers import csv_bytes, row

pytestmark = pytest.mark.django_db


def gender_counts(inspection) -> dict:
    counted = RollupCount.objects.filter(
        inspection=inspection, kind=CountKind.BREAKDOWN, dimension="gender"
    )
    return {
        value: sum(counted.filter(dimension_value=value).values_list("n", flat=True))
        for value in ("male", "female")
    }


def test_an_imported_change_of_gender_moves_the_counts(make_user, settings):
    inspection = inspection_for(published_framework())
    review = submitted_review(inspection, make_user(Role.ASSESSOR), [S, N, NA])
    case = review.sampled_case.case
    Case.objects.filter(pk=case.pk).update(gender="male")
    from audit.counts.contribution import record_case_change

    record_case_change(case_ids=[case.pk])
    before = gender_counts(inspection)
    assert before["male"] > 0 and before["female"] == 0

    provider = case.provider
    data = csv_bytes([row(case.crn, provider.code, gender="female")])
    result = import_caseload(data=data, filename="caseload.csv")
    assert result.ok, result.errors

    assert gender_counts(inspection) == {"male": 0, "female": before["male"]}
    assert differences([inspection.pk]) == []


def test_the_hooks_named_in_settings_are_the_ones_called(make_user, settings):
    called = []
    settings.CASE_UPDATE_HOOKS = ["tests.audit.counts.test_caseload_updates.remember"]
    remember.calls = called
    inspection = inspection_for(published_framework())
    review = submitted_review(inspection, make_user(Role.ASSESSOR), [S, S, S])
    case = review.sampled_case.case
    import_caseload(data=csv_bytes([row(case.crn, case.provider.code)]), filename="c.csv")
    assert called == [[case.pk]]


def remember(*, case_ids):
    remember.calls.append(list(case_ids))
