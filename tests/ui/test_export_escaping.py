"""Every CSV and XLSX the service writes escapes cells a spreadsheet would run as a formula,
with the one shared rule (ui.exports.safe_cell)."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from audit.accounts.roles import Role
from audit.models import AuditEvent
from audit.trail import trail
from cases.models import Case, Provider
from tests.audit.access_world import build_world
from ui.exports import safe_cell, safe_csv_writer

EVIL = '=HYPERLINK("http://evil.example","click")'


@pytest.mark.parametrize(
    "value, expected",
    [
        (EVIL, "'" + EVIL),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("\n=1+1", "'\n=1+1"),
        ("\uff1d1+1", "'\uff1d1+1"),  # a full-width equals sign, which some spreadsheets accept
        ("-0.12", "-0.12"),  # a plain number stays a number
        ("+5", "+5"),
        ("1e-3", "1e-3"),
        ("Alderley PDU", "Alderley PDU"),
        ("", ""),
        (-3, -3),
        (None, None),
        (0.5, 0.5),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_safe_csv_writer_escapes_every_cell():
    out = io.StringIO()
    writer = safe_csv_writer(out)
    writer.writerow([EVIL, 3, "@x"])
    writer.writerows([["-1", "=A1"]])
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["'" + EVIL, "3", "'@x"],
        ["-1", "'=A1"],
    ]


# Each export ---------------------------------------------------------------------------------


@pytest.fixture
def world(db):
    world = build_world()
    a = world.a
    Case.objects.filter(crn=a.moderated_crn).update(ethnicity=EVIL)
    Provider.objects.filter(pk=a.pdu.pk).update(name="+Alderley PDU")
    a.inspection.__class__.objects.filter(pk=a.inspection.pk).update(title="@Alderley audit")
    a.users[Role.ASSESSOR].__class__.objects.filter(pk=a.users[Role.ASSESSOR].pk).update(
        first_name="@Asha", last_name="-Assessor"
    )
    return world


def csv_cells(response) -> list[str]:
    body = b"".join(response) if response.streaming else response.content
    return [cell for row in csv.reader(io.StringIO(body.decode())) for cell in row]


def xlsx_cells(response) -> list:
    book = load_workbook(io.BytesIO(response.content))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert all(c.data_type != "f" for c in cells)  # no cell is a formula
    return [c.value for c in cells if c.value is not None]


def assert_inert(cells, *texts):
    for text in texts:
        assert "'" + text in cells, text
        assert text not in cells, text


def test_inspection_report_exports(client, world):
    a = world.a
    client.force_login(a.users[Role.MANAGER])
    pk = a.inspection.pk
    rows = csv_cells(
        client.get(reverse("reports:inspection_download", args=[pk, "breakdown-ethnicity", "csv"]))
    )
    assert_inert(rows, EVIL)
    rows = csv_cells(
        client.get(reverse("reports:inspection_download", args=[pk, "providers", "csv"]))
    )
    assert_inert(rows, "+Alderley PDU")
    cells = xlsx_cells(client.get(reverse("reports:inspection_download", args=[pk, "all", "xlsx"])))
    assert_inert(cells, EVIL, "+Alderley PDU")


def test_provider_report_and_league_exports(client, world):
    a = world.a
    client.force_login(a.users[Role.MANAGER])
    cells = xlsx_cells(
        client.get(reverse("reports:provider_download", args=[a.pdu.code, "all", "xlsx"]))
    )
    assert_inert(cells, "@Alderley audit")
    cells = xlsx_cells(client.get(reverse("reports:league_download", args=["all", "xlsx"])))
    assert_inert(cells, "+Alderley PDU")


def test_moderation_agreement_csv(client, world):
    client.force_login(world.a.users[Role.LEAD])
    rows = csv_cells(client.get(reverse("moderation:agreement_csv", args=[world.a.inspection.pk])))
    assert_inert(rows, "@Asha -Assessor")


def test_sample_csv(client, world):
    a = world.a
    Provider.objects.filter(pk=a.pdu.pk).update(code="=PDU-A")
    client.force_login(a.users[Role.LEAD])
    rows = csv_cells(client.get(reverse("cases:sample_csv", args=[a.sample.pk])))
    assert_inert(rows, "=PDU-A")


def test_audit_trail_csv_in_the_service_and_the_admin(client, world):
    trail.record(
        user=world.a.users[Role.LEAD],
        action=trail.Action.VIEWED,
        object_type="casereview",
        label=EVIL,
    )
    client.force_login(world.admin)
    assert_inert(csv_cells(client.get(reverse("trail:events_csv"))), EVIL)
    events = list(AuditEvent.objects.values_list("pk", flat=True))
    response = client.post(
        reverse("admin:audit_auditevent_changelist"),
        {"action": "export_csv", "_selected_action": events},
    )
    assert_inert(csv_cells(response), EVIL)


def test_rollup_command_csv(world, capsys):
    call_command("rollup", "--inspection", str(world.a.inspection.pk), "--format", "csv")
    cells = [c for row in csv.reader(io.StringIO(capsys.readouterr().out)) for c in row]
    assert_inert(cells, "+Alderley PDU")
