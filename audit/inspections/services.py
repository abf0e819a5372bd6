"""Changes to inspections: create and edit them, draw samples into them, assign their cases.

Keyword-only, atomic, and refusing rather than guessing.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from audit.inspections.selectors import assessor_choices
from audit.inspections.sharing import NobodyMayTake, even_split
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
from cases import sampling
from cases.models import Sample
from cases.selectors import descendant_ids
from standards.models import FrameworkStatus

_KEPT = (ReviewStatus.SUBMITTED, ReviewStatus.MODERATED)


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


def refuse_outside(*, inspection, providers, window_start, window_end):
    """A sample for an inspection draws from its providers (or units beneath them) within the
    period it inspects; anything else is refused, naming the field."""
    covered = descendant_ids(inspection.providers.values_list("pk", flat=True))
    outside = [p for p in providers if p.pk not in covered]
    problems = {}
    if outside:
        names = ", ".join(f"{p.name} ({p.code})" for p in outside)
        problems["providers"] = f"{names}: not a provider of this inspection."
    for name, day in (("window_start", window_start), ("window_end", window_end)):
        if not inspection.period_start <= day <= inspection.period_end:
            problems[name] = "The window must be within the period inspected."
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def draw_sample_into(
    *, inspection, providers, window_start, window_end, size, seed=None, user
) -> tuple[Sample, int]:
    """Draw a sample of the inspection's caseload and add its cases to the inspection, in one
    transaction. Returns the sample and the number of cases added."""
    ensure_not_published(inspection)
    _refuse_in_moderation(inspection, "cases can be added")
    refuse_outside(
        inspection=inspection,
        providers=providers,
        window_start=window_start,
        window_end=window_end,
    )
    sample = sampling.draw_sample(
        providers=providers,
        window_start=window_start,
        window_end=window_end,
        size=size,
        seed=seed,
        drawn_by=user.get_username(),
    )
    return sample, add_sample(inspection=inspection, sample=sample, user=user)


def _own_providers(assessors) -> dict[int, frozenset]:
    """Each assessor's own providers and the units beneath them."""
    through = type(assessors[0]).providers.through
    direct: dict[int, list[int]] = {a.pk: [] for a in assessors}
    for user_id, provider_id in through.objects.filter(user_id__in=list(direct)).values_list(
        "user_id", "provider_id"
    ):
        direct[user_id].append(provider_id)
    return {
        pk: frozenset(descendant_ids(ids)) if ids else frozenset() for pk, ids in direct.items()
    }


@transaction.atomic
def share_cases(*, inspection, sampled_case_ids, assessors, avoid_own_provider, user=None) -> dict:
    """Share the chosen cases evenly among the chosen assessors (with `avoid_own_provider`,
    none to an assessor whose own providers include the case's). Returns {assessor: cases}."""
    ensure_not_published(inspection)
    assessors = list(assessors)
    if not assessors:
        raise ValidationError({"assessors": "Select the assessors to share the cases among."})
    allowed = set(assessor_choices(inspection).values_list("pk", flat=True))
    if strangers := [a for a in assessors if a.pk not in allowed]:
        names = ", ".join(a.get_full_name() or a.username for a in strangers)
        raise ValidationError({"assessors": f"{names}: not an assessor for this inspection."})
    chosen = list(
        SampledCase.objects.filter(inspection=inspection, pk__in=sampled_case_ids)
        .select_related("case", "review")
        .order_by("case__crn")
    )
    if not chosen:
        raise ValidationError({"cases": "Select at least one case."})
    if locked := [s.case.crn for s in chosen if s.review.status in _KEPT]:
        raise ValidationError(
            {
                "cases": f"{', '.join(locked)}: submitted reviews keep their assessor; return or "
                "reopen them, or leave them out."
            }
        )
    own = _own_providers(assessors)
    try:
        plan = even_split(
            [(s.pk, s.provider_id) for s in chosen],
            [(a.pk, own[a.pk]) for a in assessors],
            avoid_own=avoid_own_provider,
        )
    except NobodyMayTake as stuck:
        crns = ", ".join(s.case.crn for s in chosen if s.pk in set(stuck.cases))
        raise ValidationError(
            {
                "avoid_own_provider": f"{crns}: every chosen assessor works for the case's "
                "provider. Choose another assessor or let assessors take their own provider's "
                "cases."
            }
        ) from None
    now = timezone.now()
    by_assessor = {a: [pk for pk, taker in plan.items() if taker == a.pk] for a in assessors}
    for assessor, ids in by_assessor.items():
        if ids:
            SampledCase.objects.filter(pk__in=ids).update(assessor=assessor, assigned_at=now)
    inspection.team.add(*assessors)
    trail.record(
        user=user,
        action=trail.Action.CHANGED,
        obj=inspection,
        label=f"{inspection}: {len(chosen)} cases shared among {len(assessors)} assessors",
        detail={
            "shared": {a.get_username(): len(ids) for a, ids in by_assessor.items()},
            "avoid_own_provider": avoid_own_provider,
        },
    )
    return {a: len(ids) for a, ids in by_assessor.items()}
