"""Changes to inspections: create and edit them, draw samples into them, assign their cases.

Keyword-only, atomic, and refusing rather than guessing.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from audit.inspections.selectors import assessor_choices
from audit.models import (
    CaseReview,
    Inspection,
    InspectionStatus,
    ReviewStatus,
    SampledCase,
    ensure_not_published,
)
from audit.notifications import events as notification_events
from audit.scoring.selectors import scoring_started
from audit.trail import trail
from cases.selectors import descendant_ids
from standards.models import FrameworkStatus


def _refuse_in_moderation(inspection: Inspection, doing: str):
    if inspection.status == InspectionStatus.MODERATION:
        raise ValidationError(
            f"{inspection} is in moderation: {doing} only during planning or fieldwork. "
            "The lead can reopen fieldwork first."
        )


@transaction.atomic
def create_inspection(
    *, title, framework, providers, period_start, period_end, lead, team=(), moderation_share=None
) -> Inspection:
    """A new inspection in planning, scored against a published framework version."""
    if framework.status != FrameworkStatus.PUBLISHED:
        raise ValidationError(
            {"framework": f"{framework} is not published; choose a published framework version."}
        )
    if not providers:
        raise ValidationError({"providers": "Select at least one provider to inspect."})
    if period_end < period_start:
        raise ValidationError({"period_end": "The period must end on or after its start."})
    inspection = Inspection.objects.create(
        title=title,
        framework=framework,
        period_start=period_start,
        period_end=period_end,
        lead=lead,
        **({"moderation_share": moderation_share} if moderation_share is not None else {}),
    )
    inspection.providers.set(providers)
    inspection.team.set(team)
    return inspection


@transaction.atomic
def update_inspection(
    *, inspection, title, framework, providers, period_start, period_end, team=()
) -> Inspection:
    """Change an inspection's details; its framework version is fixed once scoring starts."""
    ensure_not_published(inspection)
    if framework.pk != inspection.framework_id:
        if scoring_started(inspection):
            raise ValidationError(
                {"framework": "Scoring has started, so the framework version cannot change."}
            )
        if framework.status != FrameworkStatus.PUBLISHED:
            raise ValidationError({"framework": f"{framework} is not published."})
    if not providers:
        raise ValidationError({"providers": "Select at least one provider to inspect."})
    if period_end < period_start:
        raise ValidationError({"period_end": "The period must end on or after its start."})
    inspection.title = title
    inspection.framework = framework
    inspection.period_start = period_start
    inspection.period_end = period_end
    inspection.save()
    inspection.providers.set(providers)
    inspection.team.set(team)
    return inspection


@transaction.atomic
def add_sample(*, inspection, sample, user=None) -> int:
    """Draw a sample's cases into the inspection, each with an empty review. Returns cases added.

    Each sampled case keeps the provider its case belonged to at this moment, so later
    reorganisations do not move results. Cases already in the inspection are left as they are.
    """
    ensure_not_published(inspection)
    _refuse_in_moderation(inspection, "cases can be added")
    cases = list(sample.cases.select_related("provider").order_by("crn"))
    if not cases:
        raise ValidationError("The sample has no cases.")
    covered = descendant_ids(inspection.providers.values_list("pk", flat=True))
    outside = [c.crn for c in cases if c.provider_id not in covered]
    if outside:
        listed = ", ".join(outside[:10]) + (" and others" if len(outside) > 10 else "")
        raise ValidationError(
            f"{len(outside)} cases in this sample belong to providers the inspection does not "
            f"cover: {listed}. Add their providers to the inspection or choose another sample."
        )
    present = set(
        SampledCase.objects.filter(inspection=inspection).values_list("case_id", flat=True)
    )
    new = [
        SampledCase(inspection=inspection, case=case, provider=case.provider)
        for case in cases
        if case.pk not in present
    ]
    created = SampledCase.objects.bulk_create(new)
    if created and created[0].pk is None:  # databases that cannot return ids
        created = list(
            SampledCase.objects.filter(inspection=inspection, case_id__in=[s.case_id for s in new])
        )
    bulk_create_with_history(
        [CaseReview(sampled_case=s) for s in created], CaseReview, default_user=user
    )
    if inspection.sample_id is None:
        inspection.sample = sample
        inspection.save(update_fields=["sample"])
    return len(created)


@transaction.atomic
def assign_cases(*, inspection, sampled_case_ids, assessor, user=None) -> int:
    """Give cases to an assessor (or take them back with assessor=None). Returns cases changed.

    Submitted reviews keep their assessor: return or reopen them first.
    """
    ensure_not_published(inspection)
    if assessor is not None and not assessor_choices(inspection).filter(pk=assessor.pk).exists():
        raise ValidationError(
            {
                "assessor": f"{assessor.get_full_name() or assessor} is not an assessor for this "
                "inspection."
            }
        )
    chosen = list(
        SampledCase.objects.filter(inspection=inspection, pk__in=sampled_case_ids).select_related(
            "case", "review"
        )
    )
    if not chosen:
        raise ValidationError({"cases": "Select at least one case."})
    locked = [
        s.case.crn
        for s in chosen
        if s.review.status in (ReviewStatus.SUBMITTED, ReviewStatus.MODERATED)
        and s.assessor_id != (assessor.pk if assessor else None)
    ]
    if locked:
        raise ValidationError(
            {
                "cases": f"{', '.join(locked)}: submitted reviews keep their assessor; return or "
                "reopen them before reassigning."
            }
        )
    changed = SampledCase.objects.filter(pk__in=[s.pk for s in chosen]).update(
        assessor=assessor, assigned_at=timezone.now() if assessor else None
    )
    if assessor is not None:
        inspection.team.add(assessor)
    who = assessor.get_username() if assessor is not None else ""
    trail.record(
        user=user,
        action=trail.Action.CHANGED,
        obj=inspection,
        label=f"{inspection}: {changed} cases " + (f"assigned to {who}" if who else "unassigned"),
        detail={"crns": sorted(s.case.crn for s in chosen), "assessor": who},
    )
    if assessor is not None and changed:
        notification_events.cases_assigned(
            inspection=inspection, assessor=assessor, count=changed, by=user
        )
    return changed
