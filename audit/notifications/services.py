"""Telling users about work that concerns them.

`notify` is called explicitly by the services whose work someone else needs to know about:
cases assigned, a review returned, a disagreement resolved, a report published. Each recipient
gets a notification in the service (listed at /notifications/, counted in the header) and, when
they have an email address, an email through Django's email backend once the change is
committed (docs/operations.md, "Email"). A failed email is logged; the change still stands and
the notification is still listed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from audit.models import Notification, User

logger = logging.getLogger(__name__)


def _email(recipients: list[User], subject: str, message: str, link: str) -> None:
    base = getattr(settings, "SERVICE_URL", "").rstrip("/")
    body = f"{message}\n\n{base}{link}\n" if link else f"{message}\n"
    for user in recipients:
        if not user.email:
            continue
        try:
            send_mail(subject, body, None, [user.email])
        except Exception:  # noqa: BLE001 - an email that fails must not undo the work done
            logger.exception("Notification email to user %s failed", user.pk)


@transaction.atomic
def notify(*, recipients: Iterable[User], kind: str, message: str, link: str = "") -> int:
    """Notify each recipient once (the same user named twice is told once; nobody is told of
    their own action by the caller passing them). Returns how many were notified."""
    people = {user.pk: user for user in recipients if user is not None}
    if not people:
        return 0
    Notification.objects.bulk_create(
        Notification(recipient_id=pk, kind=kind, message=message[:500], link=link) for pk in people
    )
    User.objects.filter(pk__in=people).update(unread_notifications=F("unread_notifications") + 1)
    subject = f"{settings.SERVICE_NAME}: {Notification(kind=kind).get_kind_display()}"
    users = list(people.values())
    transaction.on_commit(lambda: _email(users, subject, message, link))
    return len(people)


@transaction.atomic
def mark_read(*, notification: Notification, by: User) -> bool:
    """Mark one of the user's notifications read; False if it already was."""
    changed = Notification.objects.filter(
        pk=notification.pk, recipient=by, read_at__isnull=True
    ).update(read_at=timezone.now())
    if changed:
        User.objects.filter(pk=by.pk, unread_notifications__gt=0).update(
            unread_notifications=F("unread_notifications") - 1
        )
    return bool(changed)


@transaction.atomic
def mark_all_read(*, by: User) -> int:
    changed = Notification.objects.filter(recipient=by, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    unread = Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
    User.objects.filter(pk=by.pk).update(
        unread_notifications=Coalesce(
            Subquery(unread.order_by().values("recipient").annotate(n=Count("id")).values("n")),
            0,
        )
    )
    return changed
