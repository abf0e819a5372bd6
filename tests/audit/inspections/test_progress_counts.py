"""The inspection page counts reviews by status in the database, one row per status, however the
reviews are ordered elsewhere."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.accounts.roles import Role
from audit.models import ReviewStatus
from tests.factories import CaseFactory, CaseReviewFactory, InspectionFactory, ProviderFactory

pytestmark = pytest.mark.django_db

WANTED = {
    ReviewStatus.NOT_STARTED: 4,
    ReviewStatus.IN_PROGRESS: 8,
    ReviewStatus.RETURNED: 2,
    ReviewStatus.SUBMITTED: 11,
    ReviewStatus.MODERATED: 5,
}


def _status_rows(html):
    rows = re.findall(
        r'<th scope="row" class="govuk-table__header">([^<]+)</th>'
        r'<td class="govuk-table__cell govuk-table__cell--numeric">(\d+)</td>',
        html,
    )
    labels = dict(ReviewStatus.choices).values()
    return {label: int(count) for label, count in rows if label in labels}


def test_reviews_by_status_counts_every_review(client, make_user):
    provider = ProviderFactory()
    lead = make_user(Role.LEAD, providers=[provider])
    inspection = InspectionFactory(providers=[provider], lead=lead)
    for status, count in WANTED.items():
        for _ in range(count):
            CaseReviewFactory(
                status=status,
                sampled_case__inspection=inspection,
                sampled_case__case=CaseFactory(provider=provider),
            )
    client.force_login(lead)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("audit:inspection_detail", args=[inspection.pk])).content.decode()
    assert _status_rows(html) == {ReviewStatus(s).label: n for s, n in WANTED.items()}
    assert "Reviews by status (30 cases)" in html
    assert len(queries) < 25
