"""Fieldwork starts by itself when the first review of a planning inspection is started.

Reviews count toward the roll-up only once fieldwork has started (see
`audit.counts.contribution.counts_toward_rollup`), so whatever moves an inspection out of
planning brings the counts of its reviews in step here too.
"""

from __future__ import annotations

from audit.counts.contribution import record_contribution_change
from audit.models import COUNTED_REVIEW_STATUSES, CaseReview, Inspection, InspectionStatus
from audit.trail import trail


def count_reviews_of(inspection) -> int:
    """Bring the counts in step with the inspection's submitted reviews after a status change
    that changes whether they count."""
    counted = CaseReview.objects.filter(
        sampled_case__inspection=inspection, status__in=COUNTED_REVIEW_STATUSES
    ).values_list("pk", flat=True)
    return record_contribution_change(review_ids=list(counted))


def start_with_first_review(*, inspection, by) -> bool:
    """Move a planning inspection into fieldwork because one of its reviews was started (call it
    inside the transaction that starts the review). Returns whether the inspection moved."""
    moved = Inspection.objects.filter(pk=inspection.pk, status=InspectionStatus.PLANNING).update(
        status=InspectionStatus.FIELDWORK
    )
    if not moved:
        return False
    inspection.status = InspectionStatus.FIELDWORK
    trail.record(
        user=by,
        action=trail.Action.STATUS_CHANGED,
        obj=inspection,
        detail={
            "from": InspectionStatus.PLANNING,
            "to": InspectionStatus.FIELDWORK,
            "because": "its first review was started",
        },
    )
    count_reviews_of(inspection)
    return True
