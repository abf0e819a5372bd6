"""The audit trail: one call records who did what to which review or report.

Recorded: who viewed, changed, submitted, returned or reopened a review; who viewed or exported a
report (pages, CSV/XLSX, the JSON roll-up, the moderation agreement CSV); who resolved a
disagreement, rated or overrode a standard, changed an inspection's status or assignments, and
who imported or exported case data. Admins read it in the service (audit/trail/views.py) and in
the Django admin, and export it as CSV. Rows are never updated or deleted by the application.
"""

from __future__ import annotations

import json

from django.db.models import Q

from audit.models import AuditEvent
from ui.exports import safe_csv_writer

Action = AuditEvent.Action
SYSTEM = "system"  # a command or a data load, with no one signed in
CSV_HEADER = ["at", "username", "action", "object_type", "object_id", "object", "path", "detail"]


def record(
    *,
    user,
    action: str,
    obj=None,
    object_type: str = "",
    object_id="",
    label: str = "",
    request=None,
    detail: dict | None = None,
) -> AuditEvent:
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = object_id or obj.pk
        label = label or str(obj)
    authenticated = user is not None and user.is_authenticated
    if authenticated:
        username = user.get_username()
    else:
        username = SYSTEM if user is None else "anonymous"
    return AuditEvent.objects.create(
        user=user if authenticated else None,
        username=username,
        action=action,
        object_type=object_type[:50],
        object_id=str(object_id)[:50],
        object_label=label[:200],
        path=(request.path[:300] if request is not None else ""),
        detail=detail or {},
    )


def record_case_data_event(
    sender, *, user, action, object_type, label, object_id="", request=None, detail=None, **kwargs
):
    """Receiver for cases.signals.case_data_event (connected in AuditConfig.ready)."""
    record(
        user=user,
        action=action,
        object_type=object_type,
        object_id=object_id,
        label=label,
        request=request,
        detail=detail,
    )


# Reading the trail -----------------------------------------------------------------------------


def events(*, username: str = "", action: str = "", text: str = "", since=None, until=None):
    """Events, newest first, narrowed by the filters given (dates are local calendar days)."""
    queryset = AuditEvent.objects.order_by("-at", "-pk")
    if username:
        queryset = queryset.filter(username__iexact=username)
    if action:
        queryset = queryset.filter(action=action)
    if text:
        queryset = queryset.filter(
            Q(object_label__icontains=text) | Q(object_id=text) | Q(path__icontains=text)
        )
    if since:
        queryset = queryset.filter(at__date__gte=since)
    if until:
        queryset = queryset.filter(at__date__lte=until)
    return queryset


def write_csv(queryset, stream) -> None:
    """The events as CSV, oldest first; every cell escaped against formula injection."""
    writer = safe_csv_writer(stream)
    writer.writerow(CSV_HEADER)
    for event in queryset.order_by("at", "pk").iterator(chunk_size=2000):
        writer.writerow(
            [
                event.at.isoformat(),
                event.username,
                event.action,
                event.object_type,
                event.object_id,
                event.object_label,
                event.path,
                json.dumps(event.detail, ensure_ascii=False, sort_keys=True)
                if event.detail
                else "",
            ]
        )
