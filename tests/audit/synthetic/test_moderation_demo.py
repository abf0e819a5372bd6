"""Demo moderation: a seeded sample of the demo inspection, read again, some resolved."""

import pytest

from audit.models import ModerationJudgement, ModerationRead, Resolution, ReviewStatus
from audit.moderation.services import disagreements, moderation_target
from audit.synthetic import demo

pytestmark = pytest.mark.django_db


def test_demo_moderation_waits_for_the_demo_inspection(hmip_2021):
    pdus = demo.load_providers()
    demo.load_users(pdus)
    assert demo.load_moderation() is None
    assert not ModerationRead.objects.exists()


@pytest.mark.slow
def test_demo_moderation_is_realistic_and_idempotent(hmip_2018, hmip_2021):
    pdus = demo.load_providers()
    demo.load_cases(pdus)
    demo.load_users(pdus)
    inspection = demo.load_inspection(pdus)
    assert demo.load_moderation() == inspection

    reads = ModerationRead.objects.filter(review__sampled_case__inspection=inspection)
    random_reads = reads.filter(reason=ModerationRead.Reason.RANDOM)
    assert set(random_reads.values_list("selection_seed", flat=True)) == {demo.DEMO_MODERATION_SEED}
    for username in ("assessor", "assessor2"):
        counted = inspection.sampled_cases.filter(
            assessor__username=username,
            review__status__in=[ReviewStatus.SUBMITTED, ReviewStatus.MODERATED],
        ).count()
        assert random_reads.filter(
            review__sampled_case__assessor__username=username
        ).count() == moderation_target(counted, inspection.moderation_share)
    assert reads.filter(reason=ModerationRead.Reason.LEAD_CHOICE).count() == 1
    assert set(reads.values_list("moderator__username", flat=True)) == {"moderator"}
    assert reads.filter(completed_at__isnull=True).count() == 2
    completed = reads.filter(completed_at__isnull=False)
    assert set(completed.values_list("review__status", flat=True)) == {ReviewStatus.MODERATED}
    found = disagreements(inspection)
    assert len(found) >= 2
    resolved = [d for d in found if d.resolution is not None]
    assert 0 < len(resolved) < len(found)

    counts = (reads.count(), ModerationJudgement.objects.count(), Resolution.objects.count())
    demo.load_all()
    assert (
        reads.count(),
        ModerationJudgement.objects.count(),
        Resolution.objects.count(),
    ) == counts
