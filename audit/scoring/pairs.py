"""First-read judgements paired with the completed second read of the same key question."""

from __future__ import annotations

from django.db.models import F, FilteredRelation, Q

from audit.models import Inspection, Judgement


def _paired():
    """Each first judgement joined to the moderator's judgement of the same key question.

    Only completed second reads; the first judgement is the assessor's original, never the
    resolved value, because agreement measures the readers and not the outcome.
    """
    return Judgement.objects.annotate(
        second=FilteredRelation(
            "review__moderation__judgements",
            condition=Q(review__moderation__judgements__key_question=F("key_question")),
        )
    ).filter(review__moderation__completed_at__isnull=False, second__isnull=False)


def paired_judgements(inspection):
    return _paired().filter(review__sampled_case__inspection=inspection)


def paired_judgements_in(inspection_ids):
    return _paired().filter(review__sampled_case__inspection_id__in=inspection_ids)


def disagreeing(queryset):
    return queryset.annotate(
        second_value=F("second__value"), second_rationale=F("second__rationale")
    ).filter(~Q(value=F("second_value")))


def unresolved_disagreement_count(inspection: Inspection) -> int:
    return disagreeing(paired_judgements(inspection)).filter(resolution__isnull=True).count()
