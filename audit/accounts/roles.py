"""The roles of a QA team, held as Django groups, and what each role may do.

Two questions decide every page:

- *What may the role do?* A Django permission, held by the role's group (ROLE_PERMISSIONS,
  written to the groups after every migrate). Views ask `may(user, PERMISSION)`, so the table
  below is the one place a role's powers are written down.
- *Which objects?* The user's providers and what they are assigned to (`cases.selectors`,
  `audit.accounts.access`, `audit.scoring.selectors`): an assessor sees the cases assigned to them,
  leads and moderators their inspections, managers the reports of their providers and the providers
  beneath them.

A user who may not see an object gets a 404 for it, exactly as if it did not exist. Changing an
inspection or anything in it takes more than seeing it (`access.manageable_inspections`): one
who sees it but may not change it gets a 403 saying who may.
"""

from django.db import models


class Role(models.TextChoices):
    ASSESSOR = "assessor", "Assessor"
    MODERATOR = "moderator", "Moderator"
    LEAD = "lead", "Lead"
    MANAGER = "manager", "Manager"
    ADMIN = "admin", "Admin"


def _role_names(user) -> set[str]:
    names = getattr(user, "_role_names", None)
    if names is None:
        names = set(user.groups.values_list("name", flat=True))
        user._role_names = names
    return names


def has_role(user, *roles) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return any(role in _role_names(user) for role in roles)


def may(user, permission: str) -> bool:
    """Whether the user's roles allow `permission` ("app_label.codename"); superusers may all.

    Read from ROLE_PERMISSIONS with the user's role names (one query per request, shared with
    has_role), so it answers as `user.has_perm` does for the groups that table is synced to.
    """
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return user.is_active
    return user.is_active and any(
        permission in ROLE_PERMISSIONS.get(name, ()) for name in _role_names(user)
    )


# The permissions the views ask for: one name per thing a role may do.
SCORE_REVIEWS = "audit.change_casereview"  # score the reviews assigned to you (leads: any in
#                                             their inspections; return and reopen them)
SEE_INSPECTIONS = "audit.view_inspection"  # inspections and reports of your providers
CREATE_INSPECTIONS = "audit.add_inspection"
MANAGE_INSPECTIONS = "audit.change_inspection"  # samples, assignments, score imports
READ_SECOND = "audit.view_moderationread"  # the moderation pages: your second reads
MODERATE = "audit.add_moderationjudgement"  # record a blind second read
LEAD_MODERATION = "audit.change_moderationread"  # draw the sample, assign moderators
RESOLVE = "audit.add_resolution"  # resolve a disagreement between two reads
RATE_STANDARDS = "audit.change_standardjudgement"  # enter a rating or an override
SEE_PROVIDERS = "cases.view_provider"
IMPORT_CASELOADS = "cases.add_case"
SEE_SAMPLES = "cases.view_sample"
DRAW_SAMPLES = "cases.add_sample"
RECORD_ACTIONS = "audit.add_improvementaction"  # record improvement actions on findings
SEE_TRAIL = "audit.view_auditevent"  # the audit trail: who viewed, exported or changed what

_READ_FRAMEWORKS = ["standards.view_framework"]
_SCORING = [
    "audit.view_casereview",
    SCORE_REVIEWS,
    "audit.view_promptanswer",
    "audit.add_promptanswer",
    "audit.change_promptanswer",
    "audit.view_judgement",
    "audit.add_judgement",
    "audit.change_judgement",
    "audit.view_reviewevent",
]

# Model permissions each role's group holds; kept in step by sync_role_permissions after every
# migrate. "app_label.codename".
ROLE_PERMISSIONS: dict[str, list[str]] = {
    # Scores the cases assigned to them, nothing else: no inspections, reports or caseloads.
    Role.ASSESSOR: _READ_FRAMEWORKS + _SCORING,
    # Reads blind the reviews assigned for a second read (never opens the first read while
    # reading); sees the inspections and reports of their providers.
    Role.MODERATOR: _READ_FRAMEWORKS
    + [
        SEE_INSPECTIONS,
        READ_SECOND,
        MODERATE,
        "audit.view_moderationjudgement",
    ],
    # Runs inspections of their providers: samples, assignments, scoring, moderation,
    # resolutions, standard ratings and reports.
    Role.LEAD: _READ_FRAMEWORKS
    + _SCORING
    + [
        SEE_PROVIDERS,
        "cases.view_case",
        SEE_SAMPLES,
        DRAW_SAMPLES,
        SEE_INSPECTIONS,
        CREATE_INSPECTIONS,
        MANAGE_INSPECTIONS,
        "audit.view_sampledcase",
        "audit.change_sampledcase",
        READ_SECOND,
        "audit.add_moderationread",
        LEAD_MODERATION,
        MODERATE,
        "audit.view_moderationjudgement",  # a lead may be given second reads too
        "audit.view_resolution",
        RESOLVE,
        "audit.change_resolution",
        "audit.view_standardjudgement",
        "audit.add_standardjudgement",
        RATE_STANDARDS,
        "audit.delete_standardjudgement",
        RECORD_ACTIONS,
    ],
    # Keeps the caseloads of their providers and reads their reports.
    Role.MANAGER: _READ_FRAMEWORKS
    + [
        SEE_PROVIDERS,
        "cases.view_case",
        IMPORT_CASELOADS,
        "cases.change_case",
        SEE_SAMPLES,
        SEE_INSPECTIONS,
        "audit.view_standardjudgement",
        RECORD_ACTIONS,
    ],
    # Runs the service: accounts, providers, frameworks and the audit trail. Admin users are
    # normally superusers too (the demo's are); the group says what the role is for.
    Role.ADMIN: _READ_FRAMEWORKS
    + [
        "standards.add_framework",
        "standards.change_framework",
        "audit.view_user",
        "audit.add_user",
        "audit.change_user",
        SEE_PROVIDERS,
        "cases.add_provider",
        "cases.change_provider",
        SEE_TRAIL,
    ],
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
