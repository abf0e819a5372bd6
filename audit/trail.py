"""The audit trail: one call records who did what to which review or report."""
from __future__ import annotations

from .models import AuditEvent

Action = AuditEvent.Action


def record(*, user, action: str, obj=None, object_type: str = "", object_id="", label: str = "",
           request=None, detail: dict | None = None) -> AuditEvent:
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = object_id or obj.pk
        label = label or str(obj)
    authenticated = user is not None and user.is_authenticated
    return AuditEvent.objects.create(
        user=user if authenticated else None,
        username=user.get_username() if authenticated else "anonymous",
        action=action,
        object_type=object_type[:50],
        object_id=str(object_id)[:50],
        object_label=label[:200],
        path=(request.path[:300] if request is not None else ""),
        detail=detail or {},
    )
