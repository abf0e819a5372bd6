"""Hostile caseload files: every one is refused with reasons or imported clean, never raised, and
a refused file writes nothing (nor does one whose write fails half-way)."""

from __future__ import annotations

import contextlib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from audit.accounts.roles import Role
from cases import importers
from cases.importers import MAX_CELL_LENGTH, import_caseload
from cases.models import Case
from ui.text import control_character

from ..factories import CaseFactory, ProviderFactory
from ..hostile import FUZZ, a_file, hostile_text
from .helpers import HEADER, csv_bytes, rows

pytestmark = pytest.mark.django_db

PLAUSIBLE = {
    "crn": ["A000001", "a000002", "A000001", "B000009"],
    "provider": ["PDU-A", "pdu-a", "PDU-Z"],
    "sentence_type": ["community_order", "CO", "Licence"],
    "start_date": ["2026-03-01", "01/03/2026", "31/02/2026"],
    "rosh_level": ["medium", "Very high", "vh"],
    "gender": ["male", "F", "other"],
    "mappa_category": ["", "2", "Category 3", "4"],
    "mappa_level": ["", "1", "Level 2"],
    "ethnicity": ["White", "Mixed"],
    "age_band": ["25-34", "18-24"],
    "domestic_abuse_history": ["yes", "N", "maybe"],
    "child_safeguarding_concerns": ["no", "1"],
    "practitioner_grade": ["po", "PSO", ""],
}


@pytest.fixture
def pdu_a(db):
    return ProviderFactory(code="PDU-A", name="Alpha PDU")


@pytest.fixture
def pdu_z(db):
    return ProviderFactory(code="PDU-Z", name="Zulu PDU")


@contextlib.contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def caseload_rows():
    header = st.one_of(
        st.just(HEADER), st.permutations(HEADER), st.lists(hostile_text(*HEADER), max_size=14)
    )
    record = st.tuples(*[hostile_text(*PLAUSIBLE[name]) for name in HEADER]).map(list)
    return st.builds(lambda h, b: [h] + b, header, st.lists(record, max_size=8))


def stored_cases():
    return list(
        Case.objects.order_by("crn").values_list(
            "crn",
            "provider_id",
            "sentence_type",
            "start_date",
            "rosh_level",
            "gender",
            "ethnicity",
            "age_band",
            "practitioner_grade",
        )
    )


def check_refusal(result):
    assert not result.written
    for error in result.errors:
        message = str(error)
        assert message and len(message) < 1000, message[:200]
        assert control_character(message, multiline=False) is None, message


def check_clean_cases():
    for crn, *_, ethnicity, age_band, grade in stored_cases():
        assert re.fullmatch(r"[A-Z0-9][A-Z0-9-]{0,19}", crn)
        for text in (ethnicity, age_band, grade):
            assert control_character(text) is None and len(text) <= MAX_CELL_LENGTH


@FUZZ
@given(file=a_file(caseload_rows()), default=st.booleans())
def test_hostile_caseloads_are_refused_or_imported_clean(pdu_a, pdu_z, file, default):
    content, name = file
    with rolled_back():
        CaseFactory(crn="B000009", provider=pdu_z)  # outside the importer's scope
        before = stored_cases()
        result = import_caseload(
            data=content,
            filename=name,
            default_provider=pdu_a if default else None,
            allowed_provider_ids={pdu_a.pk},
        )
        if result.ok:
            assert result.written and result.created + result.updated == result.rows
            assert Case.objects.get(crn="B000009").provider == pdu_z  # never taken over
            check_clean_cases()
        else:
            check_refusal(result)
            assert stored_cases() == before


@FUZZ
@given(file=a_file(caseload_rows()))
def test_hostile_uploads_never_fail_the_pages(client, make_user, pdu_a, settings, tmp_path, file):
    settings.CASELOAD_UPLOAD_DIR = str(tmp_path / "uploads")
    content, name = file
    client.force_login(make_user(Role.MANAGER, providers=[pdu_a]))
    with rolled_back():
        before = stored_cases()
        preview = client.post(
            reverse("cases:caseload_upload"),
            {"file": SimpleUploadedFile(name, content), "provider": "PDU-A"},
        )
        assert preview.status_code in (200, 400)
        html = preview.content.decode()
        token = re.search(r'name="upload" value="([0-9a-f]+)"', html)
        if token is None:
            assert "There is a problem" in html or "govuk-error-summary" in html
            assert stored_cases() == before
        else:
            done = client.post(reverse("cases:caseload_confirm"), {"upload": token.group(1)})
            assert done.status_code == 302
            check_clean_cases()


@pytest.mark.parametrize("encoding", ["utf-16", "latin-1", "cp1252", "utf-8-sig"])
def test_other_encodings_are_read(pdu_a, encoding):
    text = csv_bytes(rows(2, ethnicity="Café")).decode()
    result = import_caseload(data=text.encode(encoding), filename="c.csv")
    assert result.ok, result.errors
    assert set(Case.objects.values_list("ethnicity", flat=True)) == {"Café"}


def test_formula_cells_are_kept_as_text(pdu_a):
    """A caseload may hold anything in a free-text column: it is data, and every export makes
    it inert (tests/ui/test_export_escaping.py)."""
    data = csv_bytes(rows(1, ethnicity='=HYPERLINK("http://x.example","y")'))
    assert import_caseload(data=data, filename="c.csv").ok
    assert Case.objects.get().ethnicity.startswith("=HYPERLINK")


def test_control_characters_and_nul_bytes_are_named_per_cell(pdu_a):
    data = (
        csv_bytes(rows(2))
        .replace(b"A000002,PDU-A", b"A000002\x00,PDU-A")
        .replace(b"White", b"Wh\x1bite", 1)
    )
    result = import_caseload(data=data, filename="c.csv")
    assert [str(e) for e in result.errors] == [
        "Row 2, ethnicity: The value contains control characters.",
        "Row 3, crn: The value contains control characters.",
    ]
    assert not Case.objects.exists()


def test_a_write_that_fails_half_way_leaves_nothing(pdu_a, monkeypatch):
    real_write = importers.write_cases

    def write_then_fail(records, existing):
        real_write(records, existing)
        assert Case.objects.count() == 3  # written, inside the import's transaction
        raise RuntimeError("the database went away")

    monkeypatch.setattr(importers, "write_cases", write_then_fail)
    with pytest.raises(RuntimeError):
        import_caseload(data=csv_bytes(rows(3)), filename="c.csv")
    assert not Case.objects.exists()
