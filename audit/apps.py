from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audits"

    def ready(self):
        from audit.accounts import sign_in  # noqa: F401 - registers its system check
        from audit.accounts.roles import sync_role_permissions
        from audit.trail.trail import record_case_data_event
        from cases.signals import case_data_event

        post_migrate.connect(sync_role_permissions, sender=self)
        case_data_event.connect(record_case_data_event, dispatch_uid="audit_trail_case_data")
