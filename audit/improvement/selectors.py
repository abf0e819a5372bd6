"""Reading improvement actions: a provider's, an owner's, and those a report compares.

Overdue and the next inspection are worked out in the database (annotations), never by
looping over actions in Python.
"""

from __future__ import annotations

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from audit.improvement.access import visible_actions
from audit.improvement.findings import BeforeAfter, Figure, figure_of
from audit.models import ActionState, ImprovementAction, Inspection, InspectionStatus, SampledCase


def overdue_q(today=None) -> Q:
    return Q(due_date__lt=today or timezone.localdate()) & ~Q(state=ActionState.DONE)


def with_overdue(queryset: QuerySet, today=None) -> QuerySet:
    return queryset.annotate(
        overdue=ExpressionWrapper(overdue_q(today), output_field=BooleanField())
    )


def published_inspections_of(provider_ref, sampled_ref=None) -> QuerySet:
    """Published inspections that inspected the provider or sampled cases from it;
    `provider_ref` is a provider id or an OuterRef to one (then `sampled_ref`, the same
    reference seen from one query deeper)."""
    sampled = SampledCase.objects.filter(provider=sampled_ref or provider_ref)
    return Inspection.objects.filter(status=InspectionStatus.PUBLISHED).filter(
        Q(providers=provider_ref) | Q(pk__in=sampled.values("inspection_id"))
    )


def with_next_inspection(queryset: QuerySet) -> QuerySet:
    """Each action's next published inspection of its provider (`next_inspection_id`), the
    first whose period ends after that of the inspection the action starts from."""
    later = published_inspections_of(
        OuterRef("provider_id"), OuterRef(OuterRef("provider_id"))
    ).filter(period_end__gt=OuterRef("inspection__period_end"))
    return queryset.annotate(
        next_inspection_id=Subquery(later.order_by("period_end", "pk").values("pk")[:1])
    )


def provider_actions(user, provider, today=None) -> QuerySet:
    """The provider's actions the user may see, soonest due first."""
    queryset = visible_actions(user).filter(provider=provider).order_by("due_date", "pk")
    return with_next_inspection(with_overdue(queryset, today))


def state_counts(queryset: QuerySet, today=None) -> dict:
    """How many of these actions are in each state, and how many are overdue: one query."""
    return queryset.order_by().aggregate(
        open=Count("pk", filter=Q(state=ActionState.OPEN)),
        in_progress=Count("pk", filter=Q(state=ActionState.IN_PROGRESS)),
        done=Count("pk", filter=Q(state=ActionState.DONE)),
        overdue=Count("pk", filter=overdue_q(today)),
    )


def owner_actions(user, today=None) -> QuerySet:
    """The actions the user owns that are not done, soonest due first."""
    if not user.is_authenticated:
        return ImprovementAction.objects.none()
    queryset = (
        ImprovementAction.objects.select_related("provider", "inspection")
        .filter(owner=user)
        .exclude(state=ActionState.DONE)
        .order_by("due_date", "pk")
    )
    return with_overdue(queryset, today)


def actions_compared_at(user, inspection, provider_id: int) -> QuerySet:
    """The provider's actions whose next published inspection is this one: started from an
    earlier inspection, with no published inspection of the provider in between."""
    if inspection.status != InspectionStatus.PUBLISHED:
        return ImprovementAction.objects.none()
    between = published_inspections_of(provider_id).filter(
        period_end__gt=OuterRef("inspection__period_end"), period_end__lt=inspection.period_end
    )
    return with_overdue(
        visible_actions(user)
        .filter(provider_id=provider_id, inspection__period_end__lt=inspection.period_end)
        .exclude(Exists(between))
        .order_by("finding_kind", "finding_code", "pk")
    )


def before_after(actions, result) -> list[BeforeAfter]:
    """Each action's starting figure beside its figure in `result` (the provider's results at
    the later inspection, already read for the report)."""
    rows = []
    for action in actions:
        before = Figure(action.numerator, action.denominator) if action.has_figure else None
        after = figure_of(result, action.finding_kind, action.measure_code)
        rows.append(BeforeAfter(action=action, before=before, after=after))
    return rows
