"""Recording improvement actions, moving them through their states, and reminding owners.

Writes are keyword-only and atomic; each puts the change on the audit trail and, for a
change of state, keeps the note in the action's history (ActionChange).
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from audit.improvement.access import possible_owners
from audit.improvement.findings import findings
from audit.models import ActionChange, ActionState, ImprovementAction
from audit.reports.rollup import rollup
from audit.trail import trail

REMINDER_DAYS = 7

logger = logging.getLogger(__name__)


def _trail(user, action: ImprovementAction, what: str, detail: dict, trail_action=None):
    trail.record(
        user=user,
        action=trail_action or trail.Action.CHANGED,
        obj=action,
        object_type="improvement_action",
        label=f"{action.provider.name}: {action.finding_label}"[:200],
        detail={"event": what, **detail},
    )


def finding_of(inspection, provider, key: str):
    """The finding named `key` ("kq:2.1.1") in the provider's results of the inspection."""
    result = rollup(inspection, provider_ids={provider.id}).provider(provider.code)
    if result is None:
        raise ValidationError(f"{provider.name} is not part of “{inspection}”.")
    found = next((f for f in findings(result) if f.key == key), None)
    if found is None:
        raise ValidationError({"finding": "Choose a finding of this report."})
    return found


@transaction.atomic
def record_action(
    *, user, inspection, provider, finding: str, description: str, owner, due_date
) -> ImprovementAction:
    """Record an action against a finding; the figure it starts from is copied from the
    report as it is now."""
    description = (description or "").strip()
    errors = {}
    if not description:
        errors["description"] = "Enter what will change"
    if owner is None or not possible_owners(provider).filter(pk=owner.pk).exists():
        errors["owner"] = f"Choose an owner who can see {provider.name}"
    if due_date is None:
        errors["due_date"] = "Enter the due date"
    elif due_date < timezone.localdate():
        errors["due_date"] = "The due date must be today or in the future"
    if errors:
        raise ValidationError(errors)
    found = finding_of(inspection, provider, finding)
    figure = found.figure
    action = ImprovementAction.objects.create(
        provider=provider,
        inspection=inspection,
        finding_kind=found.kind,
        finding_code=found.code,
        finding_label=found.label[:300],
        measure_code=found.measure_code if figure is not None else "",
        numerator=figure.numerator if figure is not None else None,
        denominator=figure.denominator if figure is not None else None,
        description=description,
        owner=owner,
        due_date=due_date,
        created_by=user,
    )
    ActionChange.objects.create(
        action=action, from_state="", to_state=ActionState.OPEN, note="Action recorded.", by=user
    )
    _trail(
        user,
        action,
        "recorded",
        {
            "inspection": inspection.pk,
            "finding": found.key,
            "owner": owner.get_username(),
            "due_date": due_date.isoformat(),
            "figure": f"{action.numerator}/{action.denominator}" if figure else "",
        },
    )
    return action


@transaction.atomic
def change_state(*, user, action: ImprovementAction, state: str, note: str) -> ActionChange:
    """Move an action to another state, with the note that says why."""
    action = ImprovementAction.objects.select_for_update().get(pk=action.pk)
    note = (note or "").strip()
    errors = {}
    if state not in ActionState.values:
        errors["state"] = "Choose the action’s new state"
    elif state == action.state:
        errors["state"] = f"The action is already {action.get_state_display().lower()}"
    if not note:
        errors["note"] = "Enter a note saying what has changed"
    if errors:
        raise ValidationError(errors)
    previous = action.state
    action.state = state
    action.save(update_fields=["state"])
    change = ActionChange.objects.create(
        action=action, from_state=previous, to_state=state, note=note, by=user
    )
    _trail(
        user,
        action,
        "state changed",
        {"from": previous, "to": state, "note": note[:200]},
        trail.Action.STATUS_CHANGED,
    )
    return change


def actions_to_remind(today: datetime.date):
    """Actions not done, due within a week, whose owner has not been reminded."""
    return ImprovementAction.objects.filter(
        reminder_sent_at__isnull=True,
        due_date__lte=today + datetime.timedelta(days=REMINDER_DAYS),
    ).exclude(state=ActionState.DONE)


def _reminder_text(action: ImprovementAction) -> str:
    return (
        f"Hello {action.owner.get_full_name() or action.owner.get_username()},\n\n"
        f"The improvement action you own for {action.provider.name} is due on "
        f"{action.due_date:%-d %B %Y}.\n\n"
        f"Finding: {action.finding_label}\n"
        f"What will change: {action.description}\n"
        f"State: {action.get_state_display()}\n\n"
        f"Open it in {settings.SERVICE_NAME} to record progress.\n"
    )


def send_reminders(*, today: datetime.date | None = None) -> int:
    """Email each owner whose action falls due within a week, once per action.

    Each action is claimed under a row lock and marked before its email is sent, so two runs
    at once, or a run repeated, never remind twice. An owner without an email address is
    skipped and stays unreminded until one is added.
    """
    today = today or timezone.localdate()
    sent = 0
    for pk in actions_to_remind(today).exclude(owner__email="").values_list("pk", flat=True):
        try:
            sent += _remind(pk, today)
        except OSError:
            # The mail server refused: the action stays unreminded for the next run.
            logger.exception("Reminder for improvement action %s not sent", pk)
    return sent


def _remind(pk: int, today: datetime.date) -> int:
    with transaction.atomic():
        action = (
            actions_to_remind(today)
            .select_for_update(of=("self",))
            .select_related("owner", "provider")
            .filter(pk=pk)
            .first()
        )
        if action is None:
            return 0
        action.reminder_sent_at = timezone.now()
        action.save(update_fields=["reminder_sent_at"])
        send_mail(
            subject=f"Improvement action due {action.due_date:%-d %B %Y}: {action.provider.name}",
            message=_reminder_text(action),
            from_email=None,
            recipient_list=[action.owner.email],
        )
        _trail(None, action, "reminder sent", {"to": action.owner.get_username()})
        return 1
