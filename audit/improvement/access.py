"""Who may see, record and move improvement actions.

Actions are scoped like the reports (audit/reports/access.py): one who may see a provider's
reports sees its actions; an action's owner always sees their own. Recording an action takes
the RECORD_ACTIONS permission (leads and managers) and the provider in scope; moving one takes
being its owner, or holding that permission with the provider in scope. One who may see an
action but not move it gets a 403 saying who may; one who may not see it gets a 404.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from audit.accounts.access import MayNotChange
from audit.accounts.roles import RECORD_ACTIONS, SEE_INSPECTIONS, Role, may
from audit.models import ImprovementAction, User
from cases.selectors import ancestor_ids, provider_ids_visible_to

# The roles an owner may hold: those that may see a provider's reports.
OWNER_ROLES = (Role.LEAD, Role.MANAGER, Role.MODERATOR)


def may_record(user) -> bool:
    return may(user, RECORD_ACTIONS)


def visible_actions(user) -> QuerySet:
    queryset = ImprovementAction.objects.select_related("provider", "inspection", "owner")
    if not user.is_authenticated:
        return queryset.none()
    if user.is_superuser:
        return queryset
    mine = Q(owner=user)
    if may(user, SEE_INSPECTIONS):
        mine |= Q(provider_id__in=provider_ids_visible_to(user))
    return queryset.filter(mine)


def action_or_404(user, pk) -> ImprovementAction:
    action = visible_actions(user).filter(pk=pk).first()
    if action is None:
        raise Http404("No such action.")
    return action


def provider_in_scope(user, provider_id) -> bool:
    ids = provider_ids_visible_to(user)
    return ids is None or provider_id in ids


def may_move(user, action: ImprovementAction) -> bool:
    if user.is_superuser or action.owner_id == user.pk:
        return True
    return may_record(user) and provider_in_scope(user, action.provider_id)


def refuse_unless_may_move(user, action: ImprovementAction) -> ImprovementAction:
    if not may_move(user, action):
        raise MayNotChange(
            "this action",
            "Only its owner, or a lead or manager whose providers include its provider, can "
            "change its state.",
        )
    return action


def refuse_unless_may_record(user, provider) -> None:
    if not (may_record(user) and provider_in_scope(user, provider.id)):
        raise MayNotChange(
            "the improvement actions of this provider",
            "Only a lead or manager whose providers include it can record an action.",
        )


def possible_owners(provider) -> QuerySet:
    """Active users who may see the provider's reports: scoped to it or to a provider above it,
    in a role that reads reports."""
    return (
        User.objects.filter(
            is_active=True,
            providers__in=ancestor_ids([provider.id]),
            groups__name__in=OWNER_ROLES,
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
