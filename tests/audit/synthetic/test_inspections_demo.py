"""The demo inspection: realistic, mixed statuses, and loading it twice changes nothing."""

import pytest
from django.db.models import Count

from audit.models import CaseReview, Inspection, Judgement, PromptAnswer, ReviewStatus
from audit.synthetic import demo

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_demo_inspection_has_a_realistic_mix_and_is_idempotent(hmip_2018, hmip_2021):
    pdus = demo.load_providers()
    demo.load_cases(pdus)
    demo.load_users(pdus)
    inspection = demo.load_inspection(pdus)
    assert inspection.framework == hmip_2021
    assert inspection.lead.username == "lead"
    statuses = dict(CaseReview.objects.values_list("status").annotate(n=Count("pk")))
    total = sum(statuses.values())
    assert total == 60
    assert statuses[ReviewStatus.SUBMITTED] > total / 2
    assert statuses[ReviewStatus.IN_PROGRESS] >= 3
    assert statuses[ReviewStatus.NOT_STARTED] >= len(demo.DEMO_IMPORT_CRNS)
    assert set(inspection.sampled_cases.values_list("assessor__username", flat=True)) == {
        "assessor",
        "assessor2",
    }
    assert set(
        CaseReview.objects.filter(sampled_case__case__crn__in=demo.DEMO_IMPORT_CRNS).values_list(
            "status", flat=True
        )
    ) == {ReviewStatus.NOT_STARTED}
    # Keeping people safe is judged sufficient less often than engaging the person.
    submitted = Judgement.objects.filter(review__status=ReviewStatus.SUBMITTED)

    def share(lens):
        judged = submitted.filter(key_question__lens=lens).exclude(value="na")
        return judged.filter(value="sufficient").count() / judged.count()

    assert share("keeping_safe") < share("engaging")
    assert submitted.filter(value="not_sufficient", rationale="").count() == 0

    def counts():
        mine = {"review__sampled_case__inspection": inspection}
        return (
            CaseReview.objects.filter(sampled_case__inspection=inspection).count(),
            PromptAnswer.objects.filter(**mine).count(),
            Judgement.objects.filter(**mine).count(),
            CaseReview.history.filter(sampled_case__inspection=inspection).count(),
        )

    before = counts()
    assert demo.load_inspection(pdus) == inspection
    assert counts() == before
    demo.load_all()  # the other demo data (moderation, reports) builds on this inspection
    before = counts()
    demo.load_all()
    assert Inspection.objects.filter(title=demo.DEMO_INSPECTION_TITLE).count() == 1
    assert counts() == before
