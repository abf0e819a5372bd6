"""Send report reads to a read replica when one is configured.

Reports are read-heavy aggregates that tolerate a moment's replication lag; scoring reads and
every write stay on the primary so an assessor always sees what they just saved.
"""

from __future__ import annotations

from django.conf import settings

from audit.reports.replica import reporting

REPLICA = "replica"


class ReportReplicaRouter:
    def db_for_read(self, model, **hints):
        if reporting.get() and REPLICA in settings.DATABASES:
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
