from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audits"

    def ready(self):
        from .roles import sync_role_permissions

        post_migrate.connect(sync_role_permissions, sender=self)
