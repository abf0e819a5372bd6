"""Send report reads to a read replica when one is configured.

Reports are read-heavy aggregates that tolerate a moment's replication lag; scoring reads and
every write stay on the primary so an assessor always sees what they just saved.
"""

from __future__ import annotations

import contextvars
import functools
from contextlib import contextmanager

from django.conf import settings

_reporting = contextvars.ContextVar("reporting", default=False)

REPLICA = "replica"


@contextmanager
def report_reads():
    token = _reporting.set(True)
    try:
        yield
    finally:
        _reporting.reset(token)


def reads_from_replica(view):
    """Decorator for report views and exports."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        with report_reads():
            return view(*args, **kwargs)

    return wrapper


class ReportReplicaRouter:
    def db_for_read(self, model, **hints):
        if _reporting.get() and REPLICA in settings.DATABASES:
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
