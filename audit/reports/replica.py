"""Mark report views so their reads go to a read replica when one is configured
(see audit.config.db_routers).
"""

from __future__ import annotations

import contextvars
import functools
from contextlib import contextmanager

reporting = contextvars.ContextVar("reporting", default=False)


@contextmanager
def report_reads():
    token = reporting.set(True)
    try:
        yield
    finally:
        reporting.reset(token)


def reads_from_replica(view):
    """Decorator for report views and exports."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        with report_reads():
            return view(*args, **kwargs)

    return wrapper
