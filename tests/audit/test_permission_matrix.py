"""Every URL of the service, tried as each role and as nobody, against an explicit rules table.

The URLs come from the URL conf itself (Django admin's own pages aside, which are checked
separately for non-staff users), so a new page without a rule fails the test with "no access
rule for <name>". The world (tests/audit/access_world.py) has two sides: the URLs are filled
from side A; the `_b` columns are the same roles scoped to side B, who must get exactly what
they would get for an object that does not exist, and never see a word of side A.

Reading the table: `in` is a redirect to the sign-in page; other entries are status codes.
Role-only pages answer 403 to roles without the permission (the same for every object, so
nothing leaks); an object the user may not see is a 404. A page whose POST line is left out is
read-only: POST is refused with 405.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import URLResolver, get_resolver, reverse

from audit.roles import ROLE_PERMISSIONS, Role, may

from ..factories import UserFactory
from .access_world import World, build_world

PRINCIPALS = ["anonymous", "assessor", "moderator", "lead", "manager", "admin",
              "assessor_b", "moderator_b", "lead_b", "manager_b"]
OUT_OF_SCOPE = [p for p in PRINCIPALS if p.endswith("_b")]
LOGIN = "in"

MATRIX = """
# url name                        method anon asr  mod  lead mgr  adm  | asr' mod' lead' mgr'
home                              GET    in   200  200  200  200  200  | 200  200  200  200
health                            GET    200  200  200  200  200  200  | 200  200  200  200
health                            POST   405  405  405  405  405  405  | 405  405  405  405
login                             GET    200  302  302  302  302  302  | 302  302  302  302
login                             POST   200  302  302  302  302  302  | 302  302  302  302
logout                            GET    in   405  405  405  405  405  | 405  405  405  405
logout                            POST   in   in   in   in   in   in   | in   in   in   in
standards:framework               GET    in   200  200  200  200  200  | 200  200  200  200

# Caseloads and samples: leads and managers, within their providers.
cases:provider_list               GET    in   403  403  200  200  200  | 403  403  200  200
cases:provider_detail             GET    in   403  403  200  200  200  | 403  403  404  404
cases:caseload_upload             GET    in   403  403  403  200  200  | 403  403  403  200
cases:caseload_upload             POST   in   403  403  403  400  400  | 403  403  403  400
cases:provider_caseload_upload    GET    in   403  403  403  200  200  | 403  403  403  404
cases:provider_caseload_upload    POST   in   403  403  403  400  400  | 403  403  403  404
cases:caseload_confirm            GET    in   405  405  405  405  405  | 405  405  405  405
cases:caseload_confirm            POST   in   403  403  403  404  404  | 403  403  403  404
cases:caseload_cancel             GET    in   405  405  405  405  405  | 405  405  405  405
cases:caseload_cancel             POST   in   403  403  403  404  404  | 403  403  403  404
cases:sample_list                 GET    in   403  403  200  200  200  | 403  403  200  200
cases:sample_new                  GET    in   403  403  200  403  200  | 403  403  200  403
cases:sample_new                  POST   in   403  403  400  403  400  | 403  403  400  403
cases:sample_detail               GET    in   403  403  200  200  200  | 403  403  404  404
cases:sample_csv                  GET    in   403  403  200  200  200  | 403  403  404  404

# Inspections: seen by leads, moderators and managers of their providers; run by their leads.
audit:inspection_list             GET    in   200  200  200  200  200  | 200  200  200  200
audit:inspection_create           GET    in   403  403  200  403  200  | 403  403  200  403
audit:inspection_create           POST   in   403  403  200  403  200  | 403  403  200  403
audit:inspection_detail           GET    in   404  200  200  200  200  | 404  404  404  404
audit:inspection_edit             GET    in   404  404  200  404  200  | 404  404  404  404
audit:inspection_edit             POST   in   404  404  200  404  200  | 404  404  404  404
audit:inspection_add_sample       GET    in   404  404  200  404  200  | 404  404  404  404
audit:inspection_add_sample       POST   in   404  404  200  404  200  | 404  404  404  404
audit:inspection_assign           GET    in   404  404  200  404  200  | 404  404  404  404
audit:inspection_assign           POST   in   404  404  200  404  200  | 404  404  404  404
audit:inspection_import           GET    in   404  404  200  404  200  | 404  404  404  404
audit:inspection_import           POST   in   404  404  200  404  200  | 404  404  404  404

# Reviews: the assigned assessor and the inspection's lead; moderators read blind elsewhere.
audit:my_cases                    GET    in   200  200  200  200  200  | 200  200  200  200
audit:review_tasks                GET    in   200  404  200  404  200  | 404  404  404  404
audit:review_facts                GET    in   200  404  200  404  200  | 404  404  404  404
audit:review_facts                POST   in   400  404  400  404  400  | 404  404  404  404
audit:review_standard             GET    in   200  404  200  404  200  | 404  404  404  404
audit:review_standard             POST   in   400  404  400  404  400  | 404  404  404  404
audit:review_check                GET    in   200  404  200  404  200  | 404  404  404  404
audit:review_check                POST   in   400  404  400  404  400  | 404  404  404  404
audit:review_return               GET    in   404  404  200  404  200  | 404  404  404  404
audit:review_return               POST   in   404  404  200  404  200  | 404  404  404  404
audit:review_reopen               GET    in   404  404  200  404  200  | 404  404  404  404
audit:review_reopen               POST   in   404  404  200  404  200  | 404  404  404  404
audit:review_history              GET    in   200  404  200  404  200  | 404  404  404  404

# Reports: leads, moderators and managers, for their providers; ratings by leads.
reports:index                     GET    in   404  200  200  200  200  | 404  200  200  200
reports:inspection                GET    in   404  200  200  200  200  | 404  404  404  404
reports:inspection_json           GET    in   404  200  200  200  200  | 404  404  404  404
reports:inspection_download       GET    in   404  200  200  200  200  | 404  404  404  404
reports:standard_ratings          GET    in   404  404  200  404  200  | 404  404  404  404
reports:standard_rating_edit      GET    in   404  404  200  404  200  | 404  404  404  404
reports:standard_rating_edit      POST   in   404  404  200  404  200  | 404  404  404  404
reports:provider                  GET    in   404  200  200  200  200  | 404  404  404  404
reports:provider_download         GET    in   404  200  200  200  200  | 404  404  404  404
reports:league                    GET    in   404  200  200  200  200  | 404  200  200  200
reports:league_download           GET    in   404  200  200  200  200  | 404  200  200  200

# Moderation: the lead's pages for their inspections; the moderator's own second reads.
moderation:index                  GET    in   404  200  200  404  200  | 404  200  200  404
moderation:inspection             GET    in   404  404  200  404  200  | 404  404  404  404
moderation:inspection             POST   in   404  404  400  404  400  | 404  404  404  404
moderation:agreement_csv          GET    in   404  404  200  404  200  | 404  404  404  404
moderation:disagreements          GET    in   404  404  200  404  200  | 404  404  404  404
moderation:resolve                GET    in   404  404  200  404  200  | 404  404  404  404
moderation:resolve                POST   in   404  404  400  404  400  | 404  404  404  404
moderation:read                   GET    in   404  200  200  404  200  | 404  404  404  404
moderation:read                   POST   in   404  302  302  404  302  | 404  404  404  404

# The audit trail: admins only.
trail:events                      GET    in   404  404  404  404  200  | 404  404  404  404
trail:events_csv                  GET    in   404  404  404  404  200  | 404  404  404  404
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
    return {name: Rule(**{m.lower(): cells for m, cells in methods.items()})
            for name, methods in rows.items()}


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
    kwargs = {}
    for key in pattern.pattern.converters:
        if key == "pk":
            value = a.sample.pk if name.startswith("cases:") else a.inspection.pk
            kwargs[key] = value if exists else 987654
        elif key == "crn":
            crn = a.moderated_crn if name.startswith("moderation:") else a.open_crn
            kwargs[key] = crn if exists else "XZ9999"
        elif key == "code":
            code = {"audit:review_standard": "2.1", "moderation:resolve": "2.1.2",
                    "standards:framework": world.framework.code}.get(name, a.pdu.code)
            kwargs[key] = code if exists or name in ("audit:review_standard",
                                                     "moderation:resolve") else "NO-SUCH"
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
        return " ".join(str(c) for sheet in book.worksheets
                        for row in sheet.iter_rows(values_only=True) for c in row if c)
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
                    problems.append(f"{method.upper()} {name} as {principal}: expected "
                                    f"{expected}, got {outcome} ({url})")
                if principal in OUT_OF_SCOPE or outcome in ("403", "404"):
                    shown = _text(response)
                    leaked = [s for s in world.a.secrets if s in shown]
                    if principal != "anonymous" and leaked:
                        problems.append(f"{method.upper()} {name} as {principal} shows "
                                        f"{leaked} ({outcome})")
                if (principal in OUT_OF_SCOPE and pattern.pattern.converters
                        and name not in SHARED_WITH_EVERYONE):
                    nowhere = url_for(name, pattern, world, exists=False)
                    if nowhere != url:
                        as_if_missing = _outcome(_request(client, method, nowhere))
                        if as_if_missing != outcome:
                            problems.append(
                                f"{method.upper()} {name} as {principal}: {outcome} for side A "
                                f"but {as_if_missing} for nothing at all: that tells them "
                                "side A's object exists")
                if settings.SESSION_COOKIE_NAME not in client.cookies or not client.cookies[
                    settings.SESSION_COOKIE_NAME
                ].value:
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
        "no access rule for audit:review_tasks"]

    column = PRINCIPALS.index("manager_b")
    loose = list(RULES["reports:inspection"].get)
    loose[column] = "200"
    rules = {**RULES, "reports:inspection": Rule(get=tuple(loose))}
    problems = run_matrix(client, world, names=["reports:inspection"], rules=rules)
    assert problems == ["GET reports:inspection as manager_b: expected 200, got 404 ("
                        f"{reverse('reports:inspection', args=[world.a.inspection.pk])})"]


@pytest.mark.django_db
def test_only_staff_reach_the_django_admin(client, world):
    admin_urls = [reverse("admin:index"), reverse("admin:audit_auditevent_changelist"),
                  reverse("admin:audit_casereview_changelist")]
    for principal in PRINCIPALS:
        _sign_in(client, world, principal)
        for url in admin_urls:
            response = client.get(url)
            if principal == "admin":
                assert response.status_code == 200, url
            else:
                assert response.status_code == 302, (principal, url)
                sign_in = (reverse("admin:login"),) + (
                    (reverse("login"),) if principal == "anonymous" else ())
                assert response["Location"].startswith(sign_in), (principal, url)
    # The admin is not scoped to providers: a lead marked as staff by mistake is still kept out.
    staff_lead = UserFactory(roles=[Role.LEAD], is_staff=True, scope=[world.a.pdu])
    client.force_login(staff_lead)
    for url in admin_urls:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(
            reverse("admin:login")), url
    staff_admin = UserFactory(roles=[Role.ADMIN], is_staff=True)
    client.force_login(staff_admin)
    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:audit_casereview_changelist")).status_code == 403


# The roles' permissions -----------------------------------------------------------------------


@pytest.mark.django_db
def test_every_role_permission_exists_and_groups_hold_them():
    from django.contrib.auth.models import Group, Permission

    for role, codes in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        held = {f"{p.content_type.app_label}.{p.codename}"
                for p in group.permissions.select_related("content_type")}
        assert held == set(codes), role
        for code in codes:
            app_label, codename = code.split(".")
            assert Permission.objects.filter(content_type__app_label=app_label,
                                             codename=codename).exists(), code


@pytest.mark.django_db
def test_pages_and_django_permissions_agree_for_every_role():
    """`may` (what pages ask) answers exactly as Django's has_perm for each role's group."""
    from django.contrib.auth.models import Permission

    every = [f"{p.content_type.app_label}.{p.codename}"
             for p in Permission.objects.select_related("content_type")]
    for role in Role.values:
        user = UserFactory(roles=[role])
        for code in every:
            assert may(user, code) == user.has_perm(code), (role, code)


def test_each_role_has_distinct_powers():
    """No role is a copy of another, and only the admin role reads the audit trail."""
    sets = {role: frozenset(codes) for role, codes in ROLE_PERMISSIONS.items()}
    assert len(set(sets.values())) == len(sets)
    assert [role for role, codes in sets.items() if "audit.view_auditevent" in codes] == [
        Role.ADMIN]
    assert not any(code.startswith("audit.delete_auditevent") or
                   code == "audit.change_auditevent" for codes in sets.values() for code in codes)
