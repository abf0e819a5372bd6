"""The roles of a QA team, held as Django groups."""
from django.db import models


class Role(models.TextChoices):
    ASSESSOR = "assessor", "Assessor"
    MODERATOR = "moderator", "Moderator"
    LEAD = "lead", "Lead"
    MANAGER = "manager", "Manager"
    ADMIN = "admin", "Admin"


def has_role(user, *roles) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    names = getattr(user, "_role_names", None)
    if names is None:
        names = set(user.groups.values_list("name", flat=True))
        user._role_names = names
    return any(role in names for role in roles)


# Model permissions each role's group holds; kept in step by sync_role_permissions after every
# migrate. "app_label.codename".
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.ASSESSOR: [
        "standards.view_framework",
        "audit.view_casereview",
        "audit.change_casereview",
    ],
    Role.MODERATOR: [
        "standards.view_framework",
        "audit.view_inspection",
        "audit.view_casereview",
    ],
    Role.LEAD: [
        "standards.view_framework",
        "cases.view_case",
        "cases.view_provider",
        "cases.add_sample",
        "cases.view_sample",
        "audit.add_inspection",
        "audit.change_inspection",
        "audit.view_inspection",
        "audit.view_casereview",
    ],
    Role.MANAGER: [
        "standards.view_framework",
        "cases.add_case",
        "cases.change_case",
        "cases.view_case",
        "cases.view_provider",
        "cases.view_sample",
        "audit.view_inspection",
    ],
    Role.ADMIN: [],  # admins are superusers
}


def sync_role_permissions(**kwargs):
    from django.contrib.auth.models import Group, Permission

    for role, codes in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for code in codes:
            app_label, codename = code.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                wanted.append(permission)
        group.permissions.set(wanted)
