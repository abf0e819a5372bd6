"""Hostile input thrown at the scoring import, the scoring pages and every other form: no 500,
a clear refusal, and nothing half-written.

Each example runs in a savepoint that is rolled back, so every example meets the same world
(tests/audit/access_world.py); "nothing half-written" compares the rows before and after.
"""

from __future__ import annotations

import contextlib

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import example, given, settings
from hypothesis import strategies as st

from audit.accounts.roles import Role
from audit.models import (
    AuditEvent,
    CaseReview,
    Inspection,
    Judgement,
    PromptAnswer,
    Resolution,
    ReviewEvent,
    ReviewStatus,
    SampledCase,
    StandardJudgement,
)
from audit.scoring.importers import COLUMNS, ImportFailed, import_file
from audit.scoring.rules import FACT_FIELDS
from tests.audit.access_world import build_world
from tests.hostile import FUZZ, a_file, hostile_text
from ui.text import control_character

pytestmark = pytest.mark.django_db

CODES = [
    "2.1.1",
    "2.1.1.a",
    "2.1.2",
    "2.1.2.a",
    "2.1.3",
    "home_visit_needed",
    "rosh_level_found",
    "mappa_category",
]
ANSWERS = ["yes", "no", "na", "sufficient", "not sufficient", "medium", "1"]


@pytest.fixture
def world(db):
    return build_world()


@contextlib.contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def snapshot():
    """Every row the scoring import or the scoring pages could write."""
    return (
        list(PromptAnswer.objects.order_by("pk").values_list("review_id", "prompt_id", "value")),
        list(
            Judgement.objects.order_by("pk").values_list(
                "review_id", "key_question_id", "value", "rationale"
            )
        ),
        list(
            CaseReview.objects.order_by("pk").values_list("pk", "version", "status", *FACT_FIELDS)
        ),
        list(SampledCase.objects.order_by("pk").values_list("pk", "assessor_id")),
        ReviewEvent.objects.count(),
    )


def assert_clean_text_stored():
    """Whatever was written holds no control characters (line breaks and tabs aside)."""
    for model, field in [
        (Judgement, "rationale"),
        (ReviewEvent, "comment"),
        (Resolution, "note"),
        (StandardJudgement, "rationale"),
        (Inspection, "title"),
        (AuditEvent, "object_label"),
    ]:
        for text in model.objects.values_list(field, flat=True):
            assert control_character(text) is None, (model.__name__, field, text[:80])


def review_rows():
    cell = {
        "crn": hostile_text("XA0001", "XA0002", "xa0001"),
        "question_code": hostile_text(*CODES),
        "answer": hostile_text(*ANSWERS),
        "rationale": hostile_text("Risk to the partner was not analysed.", max_size=200),
        "assessor": hostile_text("assessor-a", "lead-a", "ASSESSOR-A"),
    }
    header = st.one_of(st.just(COLUMNS), st.lists(hostile_text(*COLUMNS), max_size=6))
    body = st.lists(st.tuples(*[cell[c] for c in COLUMNS]).map(list), max_size=8)
    return st.builds(lambda h, b: [h] + b, header, body)


# The scoring import ---------------------------------------------------------------------------


@FUZZ
@given(file=a_file(review_rows()))
def test_scoring_import_refuses_hostile_files_and_writes_nothing(world, file):
    content, name = file
    with rolled_back():
        before = snapshot()
        try:
            result = import_file(
                inspection=world.a.inspection,
                content=content,
                filename=name,
                user=world.a.users[Role.LEAD],
            )
        except ImportFailed as failed:
            assert failed.errors
            for error in failed.errors:
                message = str(error)
                assert message and len(message) < 1000, message[:200]
                assert control_character(message, multiline=False) is None, message
            assert snapshot() == before
        else:
            assert result.reviews >= 1
            assert_clean_text_stored()


@FUZZ
@given(file=a_file(review_rows()))
def test_scoring_import_page_never_fails(client, world, file):
    content, name = file
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.a.users[Role.LEAD])
    url = reverse("audit:inspection_import", args=[world.a.inspection.pk])
    with rolled_back():
        before = snapshot()
        response = client.post(url, {"file": SimpleUploadedFile(name, content)})
        assert response.status_code in (200, 302, 400)
        if response.status_code != 302:
            assert "govuk-error-summary" in response.content.decode()
            assert snapshot() == before
        assert_clean_text_stored()


def test_a_nul_byte_in_a_username_is_reported_not_looked_up(world):
    content = (
        b"crn,question_code,answer,rationale,assessor\n"
        b"XA0001,2.1.1.a,yes,,assessor-a\x00\n"
        b"XA0001,2.1.1,not sufficient,Bad\x00plan,\n"
    )
    with pytest.raises(ImportFailed) as failed:
        import_file(
            inspection=world.a.inspection,
            content=content,
            filename="s.csv",
            user=world.a.users[Role.LEAD],
        )
    assert [str(e) for e in failed.value.errors] == [
        "Row 2, assessor: The value contains a null character: remove it and import the file "
        "again.",
        "Row 3, rationale: The value contains a null character: remove it and import the file "
        "again.",
    ]
    long = f"XA0001,2.1.1,not sufficient,{'x' * 5001},\n"
    with pytest.raises(ImportFailed) as failed:
        import_file(
            inspection=world.a.inspection,
            content=("crn,question_code,answer,rationale\n" + long).encode(),
            filename="s.csv",
        )
    assert [str(e) for e in failed.value.errors] == [
        "Row 2, rationale: The value is 5,001 characters long; the most allowed is 5,000."
    ]


# The scoring pages ----------------------------------------------------------------------------


def standard_post():
    fields = {}
    for n in (1, 2, 3):
        fields[f"p_2_1_{n}_a"] = hostile_text("yes", "no", "na")
        fields[f"kq_2_1_{n}"] = hostile_text("sufficient", "not_sufficient", "na")
        fields[f"kq_2_1_{n}_rationale"] = hostile_text("The plan ignores the victim.", max_size=300)
    return st.fixed_dictionaries({}, optional=fields)


def facts_post():
    fields = {name: hostile_text("yes", "no", "na", "medium", "1", "2") for name in FACT_FIELDS}
    return st.fixed_dictionaries({}, optional=fields)


@FUZZ
@given(
    page=st.sampled_from(["facts", "2.1"]),
    draft=st.booleans(),
    data=st.data(),
    version=st.one_of(st.none(), hostile_text("0", "1", "99")),
)
def test_scoring_pages_refuse_hostile_answers_cleanly(client, world, page, draft, data, version):
    a = world.a
    client.force_login(a.users[Role.ASSESSOR])
    args = [a.inspection.pk, a.open_crn]
    tail = "_draft" if draft else ""
    if page == "facts":
        url, post = reverse(f"audit:review_facts{tail}", args=args), data.draw(facts_post())
    else:
        url = reverse(f"audit:review_standard{tail}", args=args + [page])
        post = data.draw(standard_post())
    current = CaseReview.objects.get(sampled_case__case__crn=a.open_crn).version
    post["version"] = str(current) if version is None else version
    with rolled_back():
        before = snapshot()
        response = client.post(url, post)
        assert response.status_code in (200, 302, 400, 409), response.status_code
        if response.status_code in (400, 409):
            assert "govuk-error-summary" in response.content.decode()
            assert snapshot() == before
        assert_clean_text_stored()


def test_a_rationale_with_control_characters_is_refused_with_a_clear_message(client, world):
    a = world.a
    client.force_login(a.users[Role.ASSESSOR])
    url = reverse("audit:review_standard", args=[a.inspection.pk, a.open_crn, "2.1"])
    version = CaseReview.objects.get(sampled_case__case__crn=a.open_crn).version
    for rationale, message in [
        ("Missed\x00 the risk", "Remove the null character from this answer"),
        ("Missed\x1b[31m the risk", "Remove a control character (U+001B) from this text"),
        ("Missed \u202ethe risk", "Remove a control character (U+202E) from this text"),
        ("x" * 5001, "The reasons for 2.1.2 must be 5,000 characters or fewer"),
    ]:
        response = client.post(
            url, {"version": version, "kq_2_1_2": "not_sufficient", "kq_2_1_2_rationale": rationale}
        )
        assert response.status_code == 400
        html = response.content.decode()
        assert "govuk-error-summary" in html and message in html, message
    assert not Judgement.objects.filter(review__sampled_case__case__crn=a.open_crn).exists()
    # Lines and tabs are text, not control characters.
    response = client.post(
        reverse("audit:review_standard_draft", args=[a.inspection.pk, a.open_crn, "2.1"]),
        {
            "version": version,
            "kq_2_1_2": "not_sufficient",
            "kq_2_1_2_rationale": "Line one.\r\n\tLine two.",
        },
    )
    assert response.status_code == 302
    assert (
        Judgement.objects.get(review__sampled_case__case__crn=a.open_crn).rationale
        == "Line one.\r\n\tLine two."
    )


# Every other form -----------------------------------------------------------------------------


def _form_cases(world):
    """(who, method, url, fixed data, hostile field) for each free-text or chosen value."""
    a = world.a
    lead, manager = a.users[Role.LEAD], a.users[Role.MANAGER]
    pk = a.inspection.pk
    return [
        (lead, "post", reverse("audit:review_return", args=[pk, a.open_crn]), {}, "comment"),
        (lead, "post", reverse("audit:review_reopen", args=[pk, a.open_crn]), {}, "comment"),
        (
            lead,
            "post",
            reverse("moderation:resolve", args=[pk, a.moderated_crn, "2.1.2"]),
            {"value": "sufficient"},
            "note",
        ),
        (
            lead,
            "post",
            reverse("moderation:resolve", args=[pk, a.moderated_crn, "2.1.2"]),
            {"note": "Agreed."},
            "value",
        ),
        (
            lead,
            "post",
            reverse("moderation:choose", args=[pk]),
            {},
            "choose-crn",
        ),
        (
            lead,
            "post",
            reverse("moderation:draw", args=[pk]),
            {},
            "draw-seed",
        ),
        (
            lead,
            "post",
            reverse("reports:standard_rating_edit", args=[pk, a.pdu.code, "2.1"]),
            {"rating": "good"},
            "rationale",
        ),
        (
            lead,
            "post",
            reverse("reports:standard_rating_edit", args=[pk, a.pdu.code, "2.1"]),
            {"rationale": "Strong work."},
            "rating",
        ),
        (
            lead,
            "post",
            reverse("audit:inspection_create"),
            {
                "framework": world.framework.pk,
                "providers": [a.pdu.pk],
                "period_start_0": "1",
                "period_start_1": "1",
                "period_start_2": "2026",
                "period_end_0": "30",
                "period_end_1": "6",
                "period_end_2": "2026",
            },
            "title",
        ),
        (
            lead,
            "post",
            reverse("audit:inspection_create"),
            {"title": "Spring audit"},
            "period_start_1",
        ),
        (
            lead,
            "post",
            reverse("audit:inspection_assign", args=[pk]),
            {},
            "cases",
        ),
        (
            lead,
            "post",
            reverse("cases:sample_new"),
            {
                "providers": [a.pdu.code],
                "window_start_0": "1",
                "window_start_1": "1",
                "window_start_2": "2026",
                "window_end_0": "30",
                "window_end_1": "6",
                "window_end_2": "2026",
                "confidence": "95",
            },
            "margin",
        ),
        (lead, "post", reverse("cases:sample_new"), {}, "providers"),
        (manager, "post", reverse("cases:caseload_upload"), {}, "provider"),
        (manager, "post", reverse("cases:caseload_confirm"), {}, "upload"),
        (manager, "get", reverse("reports:inspection", args=[pk]), {}, "provider"),
        (manager, "get", reverse("reports:inspection", args=[pk]), {}, "ethnicity"),
        (manager, "get", reverse("reports:league"), {}, "framework"),
        (manager, "get", reverse("reports:league"), {}, "period_start"),
        (manager, "get", reverse("reports:provider", args=[a.pdu.code]), {}, "sort"),
        (world.admin, "get", reverse("trail:events"), {}, "username"),
        (world.admin, "get", reverse("trail:events"), {}, "since"),
        (None, "post", reverse("login"), {"password": "x"}, "username"),
    ]


@pytest.mark.slow
@settings(FUZZ, max_examples=6)
@given(value=hostile_text("XA0002", "good", "1", "2026", "assessor-a"))
@example(value="\x00")
@example(value="XA0002\x00")
@example(value='=HYPERLINK("http://x.example","y")')
@example(value="\u202eevil")
@example(value="A" * 6000)
@example(value="50% or 1%")
def test_every_form_refuses_hostile_values_without_failing(client, world, value):
    CaseReview.objects.filter(sampled_case__case__crn=world.a.open_crn).update(
        status=ReviewStatus.SUBMITTED
    )
    signed_in = object()
    for user, method, url, fixed, field in _form_cases(world):
        if user is not signed_in:
            client.logout()
            if user is not None:
                client.force_login(user)
            signed_in = user
        with rolled_back():
            response = getattr(client, method)(url, {**fixed, field: value})
            assert response.status_code < 500, (url, field, value)
            assert_clean_text_stored()
        client.cookies.pop("messages", None)


def test_urls_holding_control_characters_are_a_400(client, world):
    client.force_login(world.admin)
    for url in [
        f"/inspections/{world.a.inspection.pk}/cases/XA%000001/",
        "/cases/providers/PDU%00-A/",
        "/reports/providers/%1b/",
        "/trail/?username=a%00b",
        "/reports/league/?framework=%00",
    ]:
        response = client.get(url)
        assert response.status_code == 400, url
        assert "Sorry, there is a problem with your request" in response.content.decode()


def test_an_out_of_range_margin_is_explained_not_a_500(client, world):
    """Found by the fuzz test: messages with a literal % broke Django's %-formatting."""
    client.force_login(world.a.users[Role.LEAD])
    fixed = {
        "providers": [world.a.pdu.code],
        "confidence": "95",
        "window_start_0": "1",
        "window_start_1": "1",
        "window_start_2": "2026",
        "window_end_0": "30",
        "window_end_1": "6",
        "window_end_2": "2026",
    }
    for margin, message in [
        ("0", "The margin of error must be at least 1%"),
        ("51", "The margin of error must be 50% or less"),
    ]:
        response = client.post(reverse("cases:sample_new"), {**fixed, "margin": margin})
        assert response.status_code == 400
        assert message in response.content.decode()


def test_an_overlong_username_is_refused_before_sign_in_is_attempted(client, world):
    """Found on PostgreSQL: the throttling record's username column overflowed with a 500."""
    from axes.models import AccessAttempt

    for username, password in [("A" * 6000, "x"), ("lead-a", "p" * 5000)]:
        response = client.post(reverse("login"), {"username": username, "password": password})
        assert response.status_code == 200
        assert "Enter a correct username and password" in response.content.decode()
    assert not AccessAttempt.objects.exists()
