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
