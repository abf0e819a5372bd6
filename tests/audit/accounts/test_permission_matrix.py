"""Every URL of the service, tried as each role and as nobody, against an explicit rules table.

The URLs come from the URL conf itself (Django admin's own pages aside, which are checked
separately for non-staff users), so a new page without a rule fails the test with "no access
rule for <name>". The world (tests/audit/access_world.py) has two sides: the URLs are filled
from side A; the `_b` columns are the same roles scoped to side B, who must get exactly what
they would get for an object that does not exist, and never see a word of side A.

Reading the table: `in` is a redirect to the sign-in page; other entries are status codes.
Role-only pages answer 403 to roles without the permission (the same for every object, so
nothing leaks); an object the user may not see is a 404; one they see but may not change is a
403 (the `look` column is side A's onlooker, a lead of its region who does not run its
inspection). A page whose POST line is left out is read-only: POST is refused with 405.

The empty POSTs of the table prove little about writes, so every URL that accepts POST is also
sent a real change (WRITES, below) by those who see its object but may not manage it, and the
database is compared before and after.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import URLResolver, get_resolver, reverse

from audit.accounts.roles import ROLE_PERMISSIONS, Role, may
from tests.audit.access_world import World, build_world
from tests.factories import UserFactory

PRINCIPALS = [
    "anonymous",
    "assessor",
    "moderator",
    "lead",
    "manager",
    "admin",
    "onlooker",
    "assessor_b",
    "moderator_b",
    "lead_b",
    "manager_b",
]
OUT_OF_SCOPE = [p for p in PRINCIPALS if p.endswith("_b")]
LOGIN = "in"

MATRIX = """
# url name                        method anon asr  mod  lead mgr  adm  look | asr' mod' lead' mgr'
home                              GET    in   200  200  200  200  200  200  | 200  200  200  200
health                            GET    200  200  200  200  200  200  200  | 200  200  200  200
health                            POST   405  405  405  405  405  405  405  | 405  405  405  405
login                             GET    200  302  302  302  302  302  302  | 302  302  302  302
login                             POST   200  302  302  302  302  302  302  | 302  302  302  302
logout                            GET    in   405  405  405  405  405  405  | 405  405  405  405
logout                            POST   in   in   in   in   in   in   in   | in   in   in   in
session_extend                    GET    in   405  405  405  405  405  405  | 405  405  405  405
session_extend                    POST   in   200  200  200  200  200  200  | 200  200  200  200
notifications:list                GET    in   200  200  200  200  200  200  | 200  200  200  200
notifications:read                GET    in   405  405  405  405  405  405  | 405  405  405  405
notifications:read                POST   in   404  404  404  404  404  404  | 404  404  404  404
notifications:read_all            GET    in   405  405  405  405  405  405  | 405  405  405  405
notifications:read_all            POST   in   302  302  302  302  302  302  | 302  302  302  302
standards:framework               GET    in   200  200  200  200  200  200  | 200  200  200  200

# Caseloads and samples: leads and managers, within their providers.
cases:provider_list               GET    in   403  403  200  200  200  200  | 403  403  200  200
cases:provider_detail             GET    in   403  403  200  200  200  200  | 403  403  404  404
cases:caseload_upload             GET    in   403  403  403  200  200  403  | 403  403  403  200
cases:caseload_upload             POST   in   403  403  403  400  400  403  | 403  403  403  400
cases:provider_caseload_upload    GET    in   403  403  403  200  200  403  | 403  403  403  404
cases:provider_caseload_upload    POST   in   403  403  403  400  400  403  | 403  403  403  404
cases:caseload_confirm            GET    in   405  405  405  405  405  405  | 405  405  405  405
cases:caseload_confirm            POST   in   403  403  403  404  404  403  | 403  403  403  404
cases:caseload_cancel             GET    in   405  405  405  405  405  405  | 405  405  405  405
cases:caseload_cancel             POST   in   403  403  403  404  404  403  | 403  403  403  404
cases:caseload_job                GET    in   403  403  403  200  404  403  | 403  403  403  404
cases:sample_list                 GET    in   403  403  200  200  200  200  | 403  403  200  200
cases:sample_new                  GET    in   403  403  200  403  200  200  | 403  403  200  403
cases:sample_new                  POST   in   403  403  400  403  400  400  | 403  403  400  403
cases:sample_draw                 GET    in   405  405  405  405  405  405  | 405  405  405  405
cases:sample_draw                 POST   in   403  403  400  403  400  400  | 403  403  400  403
cases:sample_detail               GET    in   403  403  200  200  200  200  | 403  403  404  404
cases:sample_csv                  GET    in   403  403  200  200  200  200  | 403  403  404  404

# Inspections: seen by leads, moderators and managers of their providers; changed only by those
# who manage them (its lead or a lead on its team): a 403 to the others who see them.
audit:inspection_list             GET    in   200  200  200  200  200  200  | 200  200  200  200
audit:inspection_create           GET    in   403  403  200  403  200  200  | 403  403  200  403
audit:inspection_create           POST   in   403  403  200  403  200  200  | 403  403  200  403
audit:inspection_detail           GET    in   404  200  200  200  200  200  | 404  404  404  404
audit:inspection_edit             GET    in   404  403  200  403  200  403  | 404  404  404  404
audit:inspection_edit             POST   in   404  403  200  403  200  403  | 404  404  404  404
audit:inspection_add_sample       GET    in   404  403  200  403  200  403  | 404  404  404  404
audit:inspection_add_sample       POST   in   404  403  200  403  200  403  | 404  404  404  404
audit:inspection_draw_sample      GET    in   404  403  200  403  200  403  | 404  404  404  404
audit:inspection_draw_sample      POST   in   404  403  400  403  400  403  | 404  404  404  404
audit:inspection_draw_sample_confirm GET in  405  405  405  405  405  405  | 405  405  405  405
audit:inspection_draw_sample_confirm POST in 404  403  400  403  400  403  | 404  404  404  404
audit:inspection_start_fieldwork GET    in   404  403  200  403  200  403  | 404  404  404  404
audit:inspection_start_fieldwork POST   in   404  403  400  403  400  403  | 404  404  404  404
audit:inspection_start_moderation GET   in   404  403  200  403  200  403  | 404  404  404  404
audit:inspection_start_moderation POST  in   404  403  400  403  400  403  | 404  404  404  404
audit:inspection_assign           GET    in   404  403  200  403  200  403  | 404  404  404  404
audit:inspection_assign           POST   in   404  403  400  403  400  403  | 404  404  404  404
audit:inspection_share            GET    in   405  405  405  405  405  405  | 405  405  405  405
audit:inspection_share            POST   in   404  403  400  403  400  403  | 404  404  404  404
audit:inspection_unassign         GET    in   405  405  405  405  405  405  | 405  405  405  405
audit:inspection_unassign         POST   in   404  403  400  403  400  403  | 404  404  404  404
audit:inspection_import           GET    in   404  403  200  403  200  403  | 404  404  404  404
audit:inspection_import           POST   in   404  403  200  403  200  403  | 404  404  404  404
audit:review_import_job           GET    in   404  403  200  403  404  403  | 404  404  404  404
audit:review_import_confirm       GET    in   405  405  405  405  405  405  | 405  405  405  405
audit:review_import_confirm       POST   in   404  403  404  403  404  403  | 404  404  404  404
audit:review_import_cancel        GET    in   405  405  405  405  405  405  | 405  405  405  405
audit:review_import_cancel        POST   in   404  403  404  403  404  403  | 404  404  404  404

# Reviews: the assigned assessor and those who manage the inspection; moderators read blind
# elsewhere. Returning and reopening are for those who manage it: a 403 to the assessor.
audit:my_cases                    GET    in   200  200  200  200  200  200  | 200  200  200  200
audit:review_tasks                GET    in   200  404  200  404  200  404  | 404  404  404  404
audit:review_facts                GET    in   200  404  200  404  200  404  | 404  404  404  404
audit:review_facts                POST   in   400  404  400  404  400  404  | 404  404  404  404
audit:review_facts_draft          GET    in   405  405  405  405  405  405  | 405  405  405  405
audit:review_facts_draft          POST   in   400  404  400  404  400  404  | 404  404  404  404
audit:review_standard             GET    in   200  404  200  404  200  404  | 404  404  404  404
audit:review_standard             POST   in   400  404  400  404  400  404  | 404  404  404  404
audit:review_standard_draft       GET    in   405  405  405  405  405  405  | 405  405  405  405
audit:review_standard_draft       POST   in   400  404  400  404  400  404  | 404  404  404  404
audit:review_check                GET    in   200  404  200  404  200  404  | 404  404  404  404
audit:review_check                POST   in   400  404  400  404  400  404  | 404  404  404  404
audit:review_return               GET    in   403  404  200  404  200  404  | 404  404  404  404
audit:review_return               POST   in   403  404  200  404  200  404  | 404  404  404  404
audit:review_reopen               GET    in   403  404  200  404  200  404  | 404  404  404  404
audit:review_reopen               POST   in   403  404  200  404  200  404  | 404  404  404  404
audit:review_history              GET    in   200  404  200  404  200  404  | 404  404  404  404

# Reports: leads, moderators and managers, for their providers; ratings by those who manage the
# inspection.
reports:index                     GET    in   404  200  200  200  200  200  | 404  200  200  200
reports:inspection                GET    in   404  200  200  200  200  200  | 404  404  404  404
reports:inspection_json           GET    in   404  200  200  200  200  200  | 404  404  404  404
reports:inspection_download       GET    in   404  200  200  200  200  200  | 404  404  404  404
reports:publish_check             GET    in   404  403  200  403  200  403  | 404  404  404  404
reports:publish                   GET    in   405  405  405  405  405  405  | 405  405  405  405
reports:publish                   POST   in   404  403  400  403  400  403  | 404  404  404  404
reports:standard_ratings          GET    in   404  404  200  404  200  403  | 404  404  404  404
reports:standard_rating_edit      GET    in   404  404  200  404  200  403  | 404  404  404  404
reports:standard_rating_edit      POST   in   404  404  200  404  200  403  | 404  404  404  404
reports:standard_rating_withdraw  GET    in   405  405  405  405  405  405  | 405  405  405  405
reports:standard_rating_withdraw  POST   in   404  404  302  404  302  403  | 404  404  404  404
reports:provider                  GET    in   404  200  200  200  200  200  | 404  404  404  404
reports:provider_download         GET    in   404  200  200  200  200  200  | 404  404  404  404
# A region's figures pooled across its providers' inspections: seen like the provider's page.
reports:area                      GET    in   404  200  200  200  200  200  | 404  404  404  404
reports:area_json                 GET    in   404  200  200  200  200  200  | 404  404  404  404
reports:area_download             GET    in   404  200  200  200  200  200  | 404  404  404  404
reports:league                    GET    in   404  200  200  200  200  200  | 404  200  200  200
reports:league_download           GET    in   404  200  200  200  200  200  | 404  200  200  200
# The national picture: published inspections only; the world has none, so nothing to download.
reports:national                  GET    in   404  200  200  200  200  200  | 404  200  200  200
reports:national_download         GET    in   404  404  404  404  404  404  | 404  404  404  404

# Moderation: the pages of those who manage the inspection (a 403 to the others who see it);
# the moderator's own second reads, recorded by them alone.
moderation:index                  GET    in   404  200  200  404  200  200  | 404  200  200  404
moderation:inspection             GET    in   404  403  200  404  200  403  | 404  404  404  404
moderation:draw                   GET    in   405  405  405  405  405  405  | 405  405  405  405
moderation:draw                   POST   in   404  403  302  404  302  403  | 404  404  404  404
moderation:choose                 GET    in   405  405  405  405  405  405  | 405  405  405  405
moderation:choose                 POST   in   404  403  400  404  400  403  | 404  404  404  404
moderation:assign                 GET    in   405  405  405  405  405  405  | 405  405  405  405
moderation:assign                 POST   in   404  403  400  404  400  403  | 404  404  404  404
moderation:advance                GET    in   405  405  405  405  405  405  | 405  405  405  405
moderation:advance                POST   in   404  403  400  404  400  403  | 404  404  404  404
moderation:reopen                 GET    in   405  405  405  405  405  405  | 405  405  405  405
moderation:reopen                 POST   in   404  403  400  404  400  403  | 404  404  404  404
moderation:agreement_csv          GET    in   404  403  200  404  200  403  | 404  404  404  404
moderation:disagreements          GET    in   404  403  200  404  200  403  | 404  404  404  404
moderation:resolve                GET    in   404  403  200  404  200  403  | 404  404  404  404
moderation:resolve                POST   in   404  403  400  404  400  403  | 404  404  404  404
moderation:read                   GET    in   404  200  200  404  200  404  | 404  404  404  404
moderation:read                   POST   in   404  302  302  404  302  404  | 404  404  404  404
moderation:read_draft             GET    in   405  405  405  405  405  405  | 405  405  405  405
moderation:read_draft             POST   in   404  302  302  404  302  404  | 404  404  404  404

# Background jobs: each seen by the user who started it alone (here, side A's lead).
jobs:detail                       GET    in   404  404  200  404  404  404  | 404  404  404  404
jobs:status                       GET    in   404  404  200  404  404  404  | 404  404  404  404
jobs:download                     GET    in   404  404  200  404  404  404  | 404  404  404  404

# Improvement actions: seen like the reports (and by their owners); recorded by leads and
# managers of the provider, a 403 to the moderator who sees the report; moved by the owner
# (side A's lead) or a lead or manager of the provider.
improvement:list                  GET    in   404  200  200  200  200  200  | 404  200  200  200
improvement:export                GET    in   404  200  200  200  200  200  | 404  200  200  200
improvement:new                   GET    in   404  403  200  200  200  200  | 404  404  404  404
improvement:new                   POST   in   404  403  400  400  400  400  | 404  404  404  404
improvement:detail                GET    in   404  200  200  200  200  200  | 404  404  404  404
improvement:state                 GET    in   405  405  405  405  405  405  | 405  405  405  405
improvement:state                 POST   in   404  403  400  400  400  400  | 404  404  404  404

# The audit trail: admins only.
trail:events                      GET    in   404  404  404  404  200  404  | 404  404  404  404
trail:events_csv                  GET    in   404  404  404  404  200  404  | 404  404  404  404
"""

# Pages about objects every signed-in user may read (the framework is the published standard).
SHARED_WITH_EVERYONE = {"standards:framework"}

READ_ONLY_POST = (LOGIN,) + ("405",) * (len(PRINCIPALS) - 1)
# Read-only pages are POSTed to as nobody and as the admin, who may see every page: a page that
# forgot to refuse writes would answer the admin's POST as if it were a GET.
READ_ONLY_PROBES = ("anonymous", "admin")


@dataclass(frozen=True)
class Rule:
    get: tuple
    post: tuple = READ_ONLY_POST


def parse(matrix: str) -> dict[str, Rule]:
    rows: dict[str, dict[str, tuple]] = {}
    for line in matrix.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, method, *cells = [c for c in line.split() if c != "|"]
        assert len(cells) == len(PRINCIPALS), f"{name} {method}: {len(cells)} columns"
        rows.setdefault(name, {})[method] = tuple(cells)
    return {
        name: Rule(**{m.lower(): cells for m, cells in methods.items()})
        for name, methods in rows.items()
    }


RULES = parse(MATRIX)


# The URL conf ---------------------------------------------------------------------------------


def url_patterns(patterns=None, namespace=None):
    """(name, pattern) for every URL of the service, Django admin's own aside."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue
            inner = pattern.namespace or namespace
            if namespace and pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}"
            yield from url_patterns(pattern.url_patterns, inner)
        else:
            name = pattern.name or str(pattern.pattern)
            yield (f"{namespace}:{name}" if namespace else name), pattern


def missing_rules(rules) -> list[str]:
    return [f"no access rule for {name}" for name, _ in url_patterns() if name not in rules]


def url_for(name: str, pattern, world: World, *, exists: bool = True) -> str:
    """The URL filled from side A's objects (or, with exists=False, from objects that do not
    exist, to compare what an out-of-scope user sees with what nobody could see)."""
    a = world.a
    if name in JOB_PAGES:
        return _job_url(name, world, exists)
    kwargs = {}
    for key in pattern.pattern.converters:
        if key == "pk" and name == "notifications:read":
            # Nobody's notification: each user's own are tested in tests/audit/notifications.
            kwargs[key] = 987654
        elif key == "pk" and name in ACTION_PAGES:
            kwargs[key] = _action(world).pk if exists else 987654
        elif key == "pk":
            value = a.sample.pk if name.startswith("cases:") else a.inspection.pk
            kwargs[key] = value if exists else 987654
        elif key == "crn":
            crn = a.moderated_crn if name.startswith("moderation:") else a.open_crn
            kwargs[key] = crn if exists else "XZ9999"
        elif key == "code":
            code = {
                "audit:review_standard": "2.1",
                "audit:review_standard_draft": "2.1",
                "moderation:resolve": "2.1.2",
                "standards:framework": world.framework.code,
            }.get(name, a.pdu.code)
            kwargs[key] = (
                code
                if exists
                or name
                in ("audit:review_standard", "audit:review_standard_draft", "moderation:resolve")
                else "NO-SUCH"
            )
        elif key == "version":
            kwargs[key] = world.framework.version
        elif key == "standard_code":
            kwargs[key] = "2.1"
        elif key == "slug":
            kwargs[key] = "all"
        elif key == "fmt":
            kwargs[key] = "xlsx"
        else:
            raise AssertionError(f"{name}: no value for the URL argument {key!r}")
    return reverse(name, kwargs=kwargs)


ACTION_PAGES = {"improvement:detail", "improvement:state"}


def _action(world: World):
    """Side A's improvement action, owned by its lead (made once, as the page asks for it)."""
    import datetime

    from audit.models import ImprovementAction

    a = world.a
    action, _ = ImprovementAction.objects.get_or_create(
        provider=a.pdu,
        inspection=a.inspection,
        defaults={
            "finding_kind": "kq",
            "finding_code": "2.1.2",
            "finding_label": "Key question 2.1.2",
            "measure_code": "2.1.2",
            "numerator": 0,
            "denominator": 1,
            "description": "Check every assessment.",
            "owner": a.users[Role.LEAD],
            "due_date": datetime.date(2099, 1, 1),
        },
    )
    return action


JOB_PAGES = {  # the page -> (whose job it is, the work it ran, its outcome)
    "jobs:detail": (Role.LEAD, "audit.scoring.import_jobs.check_reviews", {"summary": ["Done."]}),
    "jobs:status": (Role.LEAD, "audit.scoring.import_jobs.check_reviews", {"summary": ["Done."]}),
    "jobs:download": (Role.LEAD, "audit.reports.pdf_jobs.make_report_pdf", {}),
    "cases:caseload_job": (
        Role.MANAGER,
        "cases.import_jobs.check_caseload",
        {"result": {"ok": False, "errors": [[None, "", "Unreadable."]], "error_count": 1}},
    ),
    "audit:review_import_job": (
        Role.LEAD,
        "audit.scoring.import_jobs.check_reviews",
        {"ok": False, "errors": [[0, "", "Unreadable."]], "error_count": 1},
    ),
}


def _job_url(name: str, world: World, exists: bool) -> str:
    """A finished job of side A's, owned as JOB_PAGES says (or an id no job has)."""
    from jobs.models import Job, JobStatus

    role, work, outcome = JOB_PAGES[name]
    job, _ = Job.objects.get_or_create(
        title=f"Matrix: {name}",
        owner=world.a.users[role],
        defaults={
            "work": work,
            "status": JobStatus.DONE,
            "outcome": outcome,
            "params": {
                "inspection": world.a.inspection.pk,
                "token": "0",
                "sha256": "",
                "filename": "f.csv",
            },
        },
    )
    if name == "jobs:download":
        from jobs.files import save_output

        job.outcome = save_output(
            job, data=b"%PDF-1.7", filename="report.pdf", content_type="application/pdf"
        )
        job.save(update_fields=["outcome"])
    pk = job.pk if exists else 987654
    if name == "audit:review_import_job":
        return reverse(name, kwargs={"pk": world.a.inspection.pk if exists else 987654, "job": pk})
    return reverse(name, args=[pk])


# Running the matrix ---------------------------------------------------------------------------


def _sign_in(client, world, principal):
    client.logout()
    user = world.user(principal)
    if user is not None:
        client.force_login(user)


def _request(client, method, url):
    """One request, whose writes are rolled back so each starts from the same world (and whose
    flash messages are dropped, so they do not show on the next page)."""
    with transaction.atomic():
        response = getattr(client, method)(url)
        transaction.set_rollback(True)
    client.cookies.pop("messages", None)  # django.contrib.messages' cookie
    return response


def _outcome(response) -> str:
    if response.status_code == 302 and response["Location"].startswith(settings.LOGIN_URL_PATH):
        return LOGIN
    return str(response.status_code)


def _text(response) -> str:
    """What the response shows: the page, the file, or the cells of a workbook."""
    body = b"".join(response) if response.streaming else response.content
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(body), read_only=True)
        return " ".join(
            str(c)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for c in row
            if c
        )
    return body.decode("utf-8", "replace") + response.get("Location", "")


def run_matrix(client, world: World, names=None, rules=RULES) -> list[str]:
    """Every problem found: a missing rule, an unexpected status, or side A shown to side B."""
    problems = []
    urls = [(n, p) for n, p in url_patterns() if names is None or n in names]
    for name, _ in urls:
        if name not in rules:
            problems.append(f"no access rule for {name}")
    urls = [(n, p) for n, p in urls if n in rules]
    for column, principal in enumerate(PRINCIPALS):
        _sign_in(client, world, principal)
        for name, pattern in urls:
            url = url_for(name, pattern, world)
            rule = rules[name]
            methods = [("get", rule.get[column]), ("post", rule.post[column])]
            if rule.post == READ_ONLY_POST and principal not in READ_ONLY_PROBES:
                methods.pop()  # the method check comes first, the same for everyone signed in
            for method, expected in methods:
                response = _request(client, method, url)
                outcome = _outcome(response)
                if outcome != expected:
                    problems.append(
                        f"{method.upper()} {name} as {principal}: expected "
                        f"{expected}, got {outcome} ({url})"
                    )
                if principal in OUT_OF_SCOPE or outcome in ("403", "404"):
                    shown = _text(response)
                    leaked = [s for s in world.a.secrets if s in shown]
                    if principal != "anonymous" and leaked:
                        problems.append(
                            f"{method.upper()} {name} as {principal} shows {leaked} ({outcome})"
                        )
                if (
                    principal in OUT_OF_SCOPE
                    and pattern.pattern.converters
                    and name not in SHARED_WITH_EVERYONE
                ):
                    nowhere = url_for(name, pattern, world, exists=False)
                    if nowhere != url:
                        as_if_missing = _outcome(_request(client, method, nowhere))
                        if as_if_missing != outcome:
                            problems.append(
                                f"{method.upper()} {name} as {principal}: {outcome} for side A "
                                f"but {as_if_missing} for nothing at all: that tells them "
                                "side A's object exists"
                            )
                if (
                    settings.SESSION_COOKIE_NAME not in client.cookies
                    or not client.cookies[settings.SESSION_COOKIE_NAME].value
                ):
                    _sign_in(client, world, principal)  # signed out by the logout URL
    return problems


@pytest.fixture(autouse=True)
def login_path(settings):
    settings.LOGIN_URL_PATH = reverse(settings.LOGIN_URL)


@pytest.fixture
def world(db):
    return build_world()


# The tests ------------------------------------------------------------------------------------


def test_every_url_has_an_access_rule():
    assert missing_rules(RULES) == []


def test_a_url_without_a_rule_fails():
    """Remove a rule from the table and the check names the page that lost it."""
    for name in ("audit:inspection_detail", "trail:events_csv", "health"):
        rules = {key: rule for key, rule in RULES.items() if key != name}
        assert missing_rules(rules) == [f"no access rule for {name}"]


def test_rules_name_only_real_urls():
    names = {name for name, _ in url_patterns()}
    assert set(RULES) - names == set()


@pytest.mark.slow
@pytest.mark.django_db
def test_every_url_answers_each_role_as_the_rules_say(client, world):
    problems = run_matrix(client, world)
    assert problems == [], "\n".join(problems)


@pytest.mark.django_db
def test_the_matrix_notices_a_rule_that_no_longer_holds(client, world):
    """A rule removed, or an out-of-scope user let in by the table, is a failure."""
    names = ["audit:review_tasks", "reports:inspection"]
    assert run_matrix(client, world, names=names) == []

    without = {k: v for k, v in RULES.items() if k != "audit:review_tasks"}
    assert run_matrix(client, world, names=names, rules=without) == [
        "no access rule for audit:review_tasks"
    ]

    column = PRINCIPALS.index("manager_b")
    loose = list(RULES["reports:inspection"].get)
    loose[column] = "200"
    rules = {**RULES, "reports:inspection": Rule(get=tuple(loose))}
    problems = run_matrix(client, world, names=["reports:inspection"], rules=rules)
    assert problems == [
        "GET reports:inspection as manager_b: expected 200, got 404 ("
        f"{reverse('reports:inspection', args=[world.a.inspection.pk])})"
    ]


@pytest.mark.django_db
def test_only_staff_reach_the_django_admin(client, world):
    admin_urls = [
        reverse("admin:index"),
        reverse("admin:audit_auditevent_changelist"),
        reverse("admin:audit_casereview_changelist"),
    ]
    for principal in PRINCIPALS:
        _sign_in(client, world, principal)
        for url in admin_urls:
            response = client.get(url)
            if principal == "admin":
                assert response.status_code == 200, url
            else:
                assert response.status_code == 302, (principal, url)
                sign_in = (reverse("admin:login"),) + (
                    (reverse("login"),) if principal == "anonymous" else ()
                )
                assert response["Location"].startswith(sign_in), (principal, url)
    # The admin is not scoped to providers: a lead marked as staff by mistake is still kept out.
    staff_lead = UserFactory(roles=[Role.LEAD], is_staff=True, scope=[world.a.pdu])
    client.force_login(staff_lead)
    for url in admin_urls:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(
            reverse("admin:login")
        ), url
    staff_admin = UserFactory(roles=[Role.ADMIN], is_staff=True)
    client.force_login(staff_admin)
    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:audit_casereview_changelist")).status_code == 403


# Seeing versus managing: every URL that accepts POST -------------------------------------------
#
# Each write is sent, with data that makes a real change, first by those who can see the object
# but may not manage it (who must be refused and change no row of the database), then by one
# who may manage it (whose request must change something, or the check would prove nothing).
# The URLs that accept POST are found by asking each URL of the URL conf, so a new one without a
# check here fails `test_every_url_that_accepts_post_has_a_write_check`.

NOT_A_CHANGE = {  # accept POST, but change nothing of an inspection, review, sample or caseload
    "login": "signs the user in",
    "logout": "signs the user out",
    "session_extend": "keeps the user signed in (the timeout warning)",
    "notifications:read": "marks one of the user's own notifications read",
    "notifications:read_all": "marks the user's own notifications read",
}


@dataclass(frozen=True)
class Change:
    """A POST that changes something: `data(world, client)` readies the world (inside the
    rolled-back transaction) and returns the form, `client` being the manager's, signed in."""

    label: str
    data: object
    writes: bool = True  # False: a preview, which writes nothing even for its manager


@dataclass(frozen=True)
class WriteCheck:
    manager: str  # a principal who may make the change
    onlookers: dict  # principal -> the refusal of one who sees the object but may not manage it
    changes: tuple
    done: str = "302"  # the manager's answer


def _review(world, crn=None):
    from audit.models import CaseReview

    return CaseReview.objects.get(
        sampled_case__inspection=world.a.inspection, sampled_case__case__crn=crn or world.a.open_crn
    )


def _submitted(world):
    from audit.models import CaseReview, ReviewStatus

    review = _review(world)
    CaseReview.objects.filter(pk=review.pk).update(status=ReviewStatus.SUBMITTED)
    return review


def _date(prefix, day, month, year):
    return {f"{prefix}_0": str(day), f"{prefix}_1": str(month), f"{prefix}_2": str(year)}


def _action_form(world, client):
    return {
        "finding": "kq:2.1.1",
        "description": "Team managers check every assessment.",
        "owner": str(world.a.users[Role.LEAD].pk),
        **_date("due_date", 1, 1, 2099),
    }


def _caseload_file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.cases.helpers import csv_bytes, row

    return SimpleUploadedFile("caseload.csv", csv_bytes([row("XA0099", "PDU-A")]))


def _staged_caseload(world, client):
    import re

    preview = client.post(
        reverse("cases:caseload_upload"), {"file": _caseload_file(), "provider": ""}, follow=True
    )
    token = re.search(r'name="upload" value="([0-9a-f]+)"', preview.content.decode())
    assert token, "the preview offers no confirmation"
    return {"upload": token.group(1)}


def _new_sample(world, client):
    from tests.audit.scoring_support import draw_sample
    from tests.factories import CaseFactory

    return {"sample": draw_sample([CaseFactory(provider=world.a.pdu, crn="XA0098")]).pk}


def _inspection_form(world, client):
    a = world.a
    return {
        "title": "Renamed inspection",
        "framework": world.framework.pk,
        "providers": [a.pdu.pk],
        "team": [a.users[Role.ASSESSOR].pk],
        **_date("period_start", 1, 1, 2026),
        **_date("period_end", 30, 6, 2026),
    }


def _scoring_file(world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = f"crn,question_code,answer\r\n{world.a.open_crn},home_visit_needed,No\r\n"
    return {"file": SimpleUploadedFile("scores.csv", content.encode())}


def _staged_scores(world, client):
    import re

    url = reverse("audit:inspection_import", args=[world.a.inspection.pk])
    preview = client.post(url, _scoring_file(world, client), follow=True)
    token = re.search(r'name="upload" value="([0-9a-f]+)"', preview.content.decode())
    assert token, "the preview offers no confirmation"
    return {"upload": token.group(1)}


def _completed_review(world, client):
    from tests.audit.scoring_support import score_completely

    review = score_completely(_review(world), world.a.users[Role.ASSESSOR], world.framework)
    return {"version": review.version}


def _in_status(world, status) -> dict:
    """The world's inspection put in `status`; the form of a lifecycle step is empty."""
    from audit.models import Inspection

    Inspection.objects.filter(pk=world.a.inspection.pk).update(status=status)
    return {}


def _inspection_sample_form(world, client):
    from tests.factories import CaseFactory

    CaseFactory(provider=world.a.pdu, crn="XA0097")
    return {
        "providers": [world.a.pdu.code],
        **_date("window_start", 1, 1, 2026),
        **_date("window_end", 30, 6, 2026),
        "confidence": "95",
        "margin": "5",
        "size": "1",
        "seed": "7",
        "accept_smaller": "on",
    }


def _ready_for_moderation(world) -> dict:
    """Fieldwork with every review submitted: ready for moderation."""
    from audit.models import CaseReview, ReviewStatus

    CaseReview.objects.filter(sampled_case__inspection=world.a.inspection).update(
        status=ReviewStatus.SUBMITTED
    )
    return _in_status(world, "fieldwork")


def _publishable(world) -> dict:
    """The world's inspection in moderation with its one second read complete, so nothing
    blocks publication; the acknowledgements it may need are given."""
    from django.utils import timezone

    from audit.models import ModerationRead, Resolution
    from audit.moderation.services import disagreements

    _in_status(world, "moderation")
    read = _chosen_for_moderation(world)
    ModerationRead.objects.filter(pk=read.pk).update(completed_at=timezone.now())
    for found in disagreements(world.a.inspection):
        if found.resolution is None:
            Resolution.objects.create(judgement=found.judgement, value="sufficient", note="Agreed.")
    return {"partial_reason": "Rated next year.", "agreement_note": "Noted."}


def _chosen_for_moderation(world):
    from audit.models import ModerationRead

    return ModerationRead.objects.create(
        review=_submitted(world), reason=ModerationRead.Reason.LEAD_CHOICE
    )


def _read_reopened(world, client):
    """The moderated review's second read, as it was before the moderator completed it."""
    from audit.models import CaseReview, ModerationRead, ReviewStatus

    read = ModerationRead.objects.get(review=_review(world, world.a.moderated_crn))
    read.judgements.all().delete()
    ModerationRead.objects.filter(pk=read.pk).update(completed_at=None)
    CaseReview.objects.filter(pk=read.review_id).update(status=ReviewStatus.SUBMITTED)
    return {"kq_2_1_1": "sufficient", "kq_2_1_2": "sufficient", "kq_2_1_3": "sufficient"}


def _rated(world, client):
    from audit.reports.standard_ratings import record_standard_rating
    from standards.models import Standard

    record_standard_rating(
        inspection=world.a.inspection,
        provider=world.a.pdu,
        standard=Standard.objects.get(framework=world.framework, code="2.1"),
        rating="good",
        rationale="Entered before.",
        user=world.a.users[Role.LEAD],
    )
    return {}


# Those who see the inspection but do not manage it: the onlooker (a lead of the region), the
# moderator on its team and the manager of its region.
SEE_THE_INSPECTION = {"onlooker": "403", "moderator": "403", "manager": "403"}
# A review is seen only by its assessor and those who manage its inspection: the others who see
# the inspection get a 404 for it.
SEE_ITS_INSPECTION = {"onlooker": "404", "moderator": "404", "manager": "404"}
# The lead's moderation steps: a 403 to those who see the inspection, a 404 to the manager.
LEAD_OF_THE_INSPECTION = {"onlooker": "403", "moderator": "403", "manager": "404"}


def _sample_choice(world, client):
    return {
        "providers": [world.a.pdu.code],
        **_date("window_start", 1, 1, 2020),
        **_date("window_end", 31, 12, 2026),
        "confidence": "95",
        "margin": "5",
        "size": "1",
        "seed": "7",
    }


FACTS = Change(
    "facts",
    lambda w, c: {"version": _review(w).version, "rosh_screening_completed": "no"},
)
ANSWERS = Change("answers", lambda w, c: {"version": _review(w).version, "p_2_1_1_a": "yes"})

WRITES = {
    "cases:caseload_upload": WriteCheck(
        "manager",
        {"lead": "403", "onlooker": "403"},
        changes=(
            Change(
                # The preview records only the job that checks the file.
                "preview",
                lambda w, c: {"file": _caseload_file(), "provider": ""},
            ),
        ),
    ),
    "cases:provider_caseload_upload": WriteCheck(
        "manager",
        {"lead": "403", "onlooker": "403"},
        changes=(
            Change(
                # The preview records only the job that checks the file.
                "preview",
                lambda w, c: {"file": _caseload_file(), "provider": ""},
            ),
        ),
    ),
    "cases:caseload_confirm": WriteCheck(
        "manager", {"lead": "403", "onlooker": "403"}, changes=(Change("import", _staged_caseload),)
    ),
    "cases:caseload_cancel": WriteCheck(
        "manager",
        {"lead": "403", "onlooker": "403"},
        # Deletes the staged file (cases/uploads.py), no row: nothing in the database changes.
        changes=(Change("cancel", _staged_caseload, writes=False),),
    ),
    "cases:sample_new": WriteCheck(
        "lead",
        {"manager": "403"},
        changes=(Change("check the caseload", _sample_choice, writes=False),),
        done="200",
    ),
    "cases:sample_draw": WriteCheck(
        "lead", {"manager": "403"}, changes=(Change("draw", _sample_choice),)
    ),
    "audit:inspection_create": WriteCheck(
        "lead",
        {"moderator": "403", "manager": "403"},
        changes=(Change("create", _inspection_form),),
    ),
    "audit:inspection_edit": WriteCheck(
        "lead", SEE_THE_INSPECTION, changes=(Change("edit", _inspection_form),)
    ),
    "audit:inspection_add_sample": WriteCheck(
        "lead", SEE_THE_INSPECTION, changes=(Change("add a sample", _new_sample),)
    ),
    "audit:inspection_draw_sample": WriteCheck(
        "lead",
        SEE_THE_INSPECTION,
        changes=(Change("check the caseload", _inspection_sample_form, writes=False),),
        done="200",
    ),
    "audit:inspection_draw_sample_confirm": WriteCheck(
        "lead", SEE_THE_INSPECTION, changes=(Change("draw", _inspection_sample_form),)
    ),
    "audit:inspection_start_fieldwork": WriteCheck(
        "lead",
        SEE_THE_INSPECTION,
        changes=(Change("start fieldwork", lambda w, c: _in_status(w, "planning")),),
    ),
    "audit:inspection_start_moderation": WriteCheck(
        "lead",
        SEE_THE_INSPECTION,
        changes=(Change("start moderation", lambda w, c: _ready_for_moderation(w)),),
    ),
    "audit:inspection_assign": WriteCheck(
        "lead",
        SEE_THE_INSPECTION,
        changes=(
            Change(
                "assign",
                lambda w, c: {
                    "cases": [str(_review(w).sampled_case_id)],
                    "assessor": w.a.users[Role.ASSESSOR].pk,
                },
            ),
        ),
    ),
    "audit:inspection_share": WriteCheck(
        "lead",
        SEE_THE_INSPECTION,
        changes=(
            Change(
                "share",
                lambda w, c: {
                    "cases": [str(_review(w).sampled_case_id)],
                    "assessors": [w.a.users[Role.ASSESSOR].pk],
                },
            ),
        ),
    ),
    "audit:inspection_unassign": WriteCheck(
        "lead",
        SEE_THE_INSPECTION,
        changes=(Change("unassign", lambda w, c: {"cases": [str(_review(w).sampled_case_id)]}),),
    ),
    "audit:inspection_import": WriteCheck(
        "lead",
        SEE_THE_INSPECTION,
        changes=(Change("check scores", _scoring_file),),  # records the checking job
    ),
    "audit:review_import_confirm": WriteCheck(
        "lead", SEE_THE_INSPECTION, changes=(Change("import scores", _staged_scores),)
    ),
    "audit:review_import_cancel": WriteCheck(
        "lead",
        SEE_THE_INSPECTION,
        # Deletes the staged file (cases/uploads.py), no row: nothing in the database changes.
        changes=(Change("cancel", _staged_scores, writes=False),),
    ),
    # Saved, and shown again with what is left to answer on the page.
    "audit:review_facts": WriteCheck("assessor", SEE_ITS_INSPECTION, (FACTS,), done="200"),
    "audit:review_facts_draft": WriteCheck("assessor", SEE_ITS_INSPECTION, changes=(FACTS,)),
    "audit:review_standard": WriteCheck("assessor", SEE_ITS_INSPECTION, (ANSWERS,), done="200"),
    "audit:review_standard_draft": WriteCheck("assessor", SEE_ITS_INSPECTION, changes=(ANSWERS,)),
    "audit:review_check": WriteCheck(
        "assessor", SEE_ITS_INSPECTION, changes=(Change("submit", _completed_review),)
    ),
    "audit:review_return": WriteCheck(
        "lead",
        {"assessor": "403", **SEE_ITS_INSPECTION},
        changes=(Change("return", lambda w, c: _submitted(w) and {"comment": "Check 2.1."}),),
    ),
    "audit:review_reopen": WriteCheck(
        "lead",
        {"assessor": "403", **SEE_ITS_INSPECTION},
        changes=(Change("reopen", lambda w, c: _submitted(w) and {"comment": "Reopened."}),),
    ),
    "reports:standard_rating_edit": WriteCheck(
        "lead",
        {"onlooker": "403", "moderator": "404", "manager": "404"},
        changes=(
            Change("rate", lambda w, c: {"rating": "inadequate", "rationale": "Overridden."}),
        ),
    ),
    "reports:standard_rating_withdraw": WriteCheck(
        "lead",
        {"onlooker": "403", "moderator": "404", "manager": "404"},
        changes=(Change("withdraw", _rated),),
    ),
    "reports:publish": WriteCheck(
        "lead",
        {"onlooker": "403", "moderator": "403", "manager": "403"},
        changes=(Change("publish", lambda w, c: _publishable(w)),),
    ),
    "moderation:draw": WriteCheck(
        "lead",
        LEAD_OF_THE_INSPECTION,
        changes=(Change("draw", lambda w, c: _submitted(w) and {"draw-seed": "7"}),),
    ),
    "moderation:choose": WriteCheck(
        "lead",
        LEAD_OF_THE_INSPECTION,
        changes=(Change("choose", lambda w, c: _submitted(w) and {"choose-crn": w.a.open_crn}),),
    ),
    "moderation:assign": WriteCheck(
        "lead",
        LEAD_OF_THE_INSPECTION,
        changes=(
            Change(
                "assign",
                lambda w, c: (
                    _chosen_for_moderation(w)
                    and {
                        "assign-reads": [w.a.open_crn],
                        "assign-moderator": w.a.users[Role.MODERATOR].pk,
                    }
                ),
            ),
        ),
    ),
    "moderation:advance": WriteCheck(
        "lead",
        LEAD_OF_THE_INSPECTION,
        changes=(Change("advance", lambda w, c: _in_status(w, "planning")),),
    ),
    "moderation:reopen": WriteCheck(
        "lead",
        LEAD_OF_THE_INSPECTION,
        changes=(Change("reopen fieldwork", lambda w, c: _in_status(w, "moderation")),),
    ),
    "moderation:resolve": WriteCheck(
        "lead",
        {"onlooker": "403", "moderator": "403", "manager": "404"},
        changes=(
            Change(
                "resolve", lambda w, c: {"value": "sufficient", "note": "Agreed at the meeting."}
            ),
        ),
    ),
    "moderation:read": WriteCheck(
        "moderator",
        {"lead": "403", "onlooker": "404", "manager": "404"},
        changes=(Change("second read", _read_reopened),),
    ),
    "moderation:read_draft": WriteCheck(
        "moderator",
        {"lead": "403", "onlooker": "404", "manager": "404"},
        changes=(Change("draft", lambda w, c: {**_read_reopened(w, c), "version": "0"}),),
    ),
    # The moderator sees the report and the action, but neither records nor moves actions.
    "improvement:new": WriteCheck(
        "manager", {"moderator": "403"}, changes=(Change("record an action", _action_form),)
    ),
    "improvement:state": WriteCheck(
        "lead",
        {"moderator": "403"},
        changes=(Change("move an action", lambda w, c: {"state": "done", "note": "Done."}),),
    ),
}


def every_row() -> dict:
    """Every row of every table of the service's own apps (history and trail included), and of
    the background jobs (the user's record and the task queue): a refused change starts no job."""
    from django.apps import apps

    return {
        model._meta.label: list(model._base_manager.order_by("pk").values_list())
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in ("audit", "cases", "standards", "jobs", "django_tasks_database")
    }


def _signed_in(world, principal):
    from django.test import Client

    client = Client()
    client.force_login(world.user(principal))
    return client


def _post(client, url, data):
    for value in data.values():  # an uploaded file is read again from its start
        if hasattr(value, "seek"):
            value.seek(0)
    return client.post(url, data)


def _outcomes_of(url, check: WriteCheck, change: Change, world) -> list[str]:
    """Problems found sending one change by each onlooker, then by the manager; rolled back."""
    problems = []
    with transaction.atomic():
        manager = _signed_in(world, check.manager)
        onlookers = {name: _signed_in(world, name) for name in check.onlookers}
        data = change.data(world, manager)
        before = every_row()
        for name, client in onlookers.items():
            outcome = _outcome(_post(client, url, data))
            if outcome != check.onlookers[name]:
                problems.append(
                    f"{change.label} as {name}: expected {check.onlookers[name]}, got {outcome}"
                )
            changed = [label for label, rows in every_row().items() if rows != before[label]]
            if changed:
                problems.append(f"{change.label} as {name} changed {changed}")
                before = every_row()
        outcome = _outcome(_post(manager, url, data))
        if outcome != check.done:
            problems.append(
                f"{change.label} as {check.manager}: expected {check.done}, got {outcome}"
            )
        if (every_row() != before) != change.writes:
            problems.append(
                f"{change.label} as {check.manager} "
                f"{'wrote nothing' if change.writes else 'wrote something'}"
            )
        transaction.set_rollback(True)
    return [f"POST {url}: {problem}" for problem in problems]


def post_urls(world) -> list[str]:
    """Names of the URLs that accept POST, asked of each URL as a superuser (rolled back)."""
    from django.test import Client

    client = Client()
    client.force_login(world.admin)
    accepting = []
    for name, pattern in url_patterns():
        with transaction.atomic():
            response = client.post(url_for(name, pattern, world))
            transaction.set_rollback(True)
        if response.status_code != 405:
            accepting.append(name)
        if (
            not client.cookies.get(settings.SESSION_COOKIE_NAME)
            or not client.cookies[settings.SESSION_COOKIE_NAME].value
        ):
            client.force_login(world.admin)  # signed out by the logout URL
    return accepting


@pytest.mark.django_db
def test_every_url_that_accepts_post_has_a_write_check(world):
    accepting = post_urls(world)
    assert "reports:standard_rating_edit" in accepting and "health" not in accepting
    assert [n for n in accepting if n not in WRITES and n not in NOT_A_CHANGE] == []
    assert set(WRITES) | set(NOT_A_CHANGE) == set(accepting)  # and nothing stale listed


@pytest.mark.django_db
def test_those_who_see_but_may_not_manage_change_nothing(world, settings, tmp_path):
    """Every POST URL, with a real change, sent by those who may see its object but not manage
    it: refused, and not one row of the database differs; the manager's same request writes."""
    settings.CASELOAD_UPLOAD_DIR = str(tmp_path / "uploads")
    patterns = dict(url_patterns())
    problems = []
    for name, check in WRITES.items():
        url = url_for(name, patterns[name], world)
        for change in check.changes:
            problems += _outcomes_of(url, check, change, world)
    assert problems == [], "\n".join(problems)


@pytest.mark.django_db
def test_the_write_check_notices_a_refusal_that_writes(world, monkeypatch):
    """Were the rating page to save before refusing, the check would say so."""
    from audit.reports import views as reports

    real = reports.inspection_to_manage_or_404

    def saves_then_refuses(user, pk, *, seen=None):
        from audit.models import Inspection

        Inspection.objects.filter(pk=pk).update(title="Changed by an onlooker")
        return real(user, pk, seen=seen)

    monkeypatch.setattr(reports, "inspection_to_manage_or_404", saves_then_refuses)
    check = WRITES["reports:standard_rating_edit"]
    url = url_for(
        "reports:standard_rating_edit", dict(url_patterns())["reports:standard_rating_edit"], world
    )
    problems = _outcomes_of(url, check, check.changes[0], world)
    assert any(
        problem.startswith(f"POST {url}: rate as onlooker changed [")
        and "'audit.Inspection'" in problem
        for problem in problems
    ), problems


# The roles' permissions -----------------------------------------------------------------------


@pytest.mark.django_db
def test_every_role_permission_exists_and_groups_hold_them():
    from django.contrib.auth.models import Group, Permission

    for role, codes in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        held = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")
        }
        assert held == set(codes), role
        for code in codes:
            app_label, codename = code.split(".")
            assert Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).exists(), code


@pytest.mark.django_db
def test_pages_and_django_permissions_agree_for_every_role():
    """`may` (what pages ask) answers exactly as Django's has_perm for each role's group."""
    from django.contrib.auth.models import Permission

    every = [
        f"{p.content_type.app_label}.{p.codename}"
        for p in Permission.objects.select_related("content_type")
    ]
    for role in Role.values:
        user = UserFactory(roles=[role])
        for code in every:
            assert may(user, code) == user.has_perm(code), (role, code)


def test_each_role_has_distinct_powers():
    """No role is a copy of another, and only the admin role reads the audit trail."""
    sets = {role: frozenset(codes) for role, codes in ROLE_PERMISSIONS.items()}
    assert len(set(sets.values())) == len(sets)
    assert [role for role, codes in sets.items() if "audit.view_auditevent" in codes] == [
        Role.ADMIN
    ]
    assert not any(
        code.startswith("audit.delete_auditevent") or code == "audit.change_auditevent"
        for codes in sets.values()
        for code in codes
    )
