"""An area's page, downloads and JSON: a region audited PDU by PDU (tests/audit/reports/
pooled_data.py): 66 of 140 pooled on 2.1.1, 47.1%, Inadequate."""

import csv
import io
import json

import pytest
from django.urls import reverse

from audit.accounts.roles import Role
from audit.models import AuditEvent
from cases.models import ProviderType
from tests.audit.reports.pooled_data import region_of_pdus
from tests.audit.reports.test_report_pdfs import pdf_response, pdf_text
from tests.audit.rollup_data import inspection_of, judged, provider, publish, small_framework

pytestmark = pytest.mark.django_db


@pytest.fixture
def north():
    framework, standards, kqs = small_framework()
    region, pdus = region_of_pdus(framework, kqs)
    return framework, kqs, region, pdus


def rows_of(response):
    assert response.status_code == 200, response.content[:300]
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def download(client, slug, fmt="csv", code="NORTH", query=""):
    return client.get(reverse("reports:area_download", args=[code, slug, fmt]) + query)


def test_area_page_shows_the_pooled_figures(north, client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("reports:area", args=["NORTH"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "North region: figures of the area" in html
    assert "66 of 140" in html
    assert "PDU A inspection" in html and "PDU C inspection" in html
    assert "<svg" in html and "Funnel plot: 2.1.1" in html
    assert "<script" not in html.split('id="funnel"')[1].split("</section>")[0]
    assert AuditEvent.objects.filter(object_type="area_report").exists()


def test_area_downloads_hold_the_pooled_counts(north, client, admin_user):
    client.force_login(admin_user)
    rows = rows_of(download(client, "key-questions"))
    first = next(r for r in rows if r["Key question"] == "2.1.1")
    assert (first["Sufficient"], first["Applicable"], first["Percentage"]) == ("66", "140", "47.1")
    assert first["Band"] == "Inadequate"
    used = rows_of(download(client, "inspections"))
    assert [(r["Provider"], r["Reviews counted"]) for r in used] == [
        ("PDU A", "100"),
        ("PDU B", "20"),
        ("PDU C", "20"),
    ]
    assert download(client, "all", "xlsx").status_code == 200
    text = pdf_text(
        pdf_response(client, reverse("reports:area_download", args=["NORTH", "report", "pdf"]))
    )
    assert "North region: figures of the area" in text and "66 of 140" in text


def test_area_funnel_lists_providers_outside_the_limits(north, client, admin_user):
    """Overall 47.1%: PDU A (30 of 100) lies below its 99.8% limits (32.1% to 62.2%); PDUs B
    and C (18 of 20) above theirs (12.6% to 81.6%)."""
    client.force_login(admin_user)
    rows = rows_of(download(client, "funnel-outside", query="?measure=2.1.1"))
    assert [(r["Provider"], r["Where it lies"]) for r in rows] == [
        ("PDU A", "Below the 99.8% limit"),
        ("PDU B", "Above the 99.8% limit"),
        ("PDU C", "Above the 99.8% limit"),
    ]


def test_area_json(north, client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("reports:area_json", args=["NORTH"]))
    data = json.loads(response.content)
    kq = next(k for k in data["figures"]["key_questions"] if k["code"] == "2.1.1")
    assert (kq["sufficient"], kq["applicable"], kq["rating"]) == (66, 140, "inadequate")
    assert [i["provider"] for i in data["inspections"]] == ["PDU-A", "PDU-B", "PDU-C"]
    assert data["inspections_used"] == "latest of each provider"


def test_mixed_framework_versions_refused_naming_them(north, client, admin_user):
    framework, kqs, region, pdus = north
    other, _, other_kqs = small_framework()
    pdu = provider(code="PDU-D", name="PDU D", type=ProviderType.PDU, parent=region)
    inspection = inspection_of(other, pdu, title="PDU D inspection")
    judged(inspection, pdu, {other_kqs["2.1.1"]: (5, 10)}, 10)
    publish(inspection)
    client.force_login(admin_user)
    response = client.get(reverse("reports:area", args=["NORTH"]))
    html = response.content.decode()
    assert response.status_code == 409
    assert "different framework versions" in html
    assert str(framework) in html and str(other) in html
    answer = client.get(reverse("reports:area_json", args=["NORTH"]))
    assert answer.status_code == 409 and str(other) in answer.json()["error"]
    chosen = client.get(reverse("reports:area", args=["NORTH"]) + f"?framework={other.id}")
    assert chosen.status_code == 200 and "5 of 10" in chosen.content.decode()


def test_a_partial_date_is_an_error_at_the_field(north, client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("reports:area", args=["NORTH"]) + "?period_start_0=1")
    assert "Earliest end date must include a month and year" in (response.content.decode())


def test_area_pages_are_scoped(north, client, make_user):
    framework, kqs, region, pdus = north
    pdu_b, _ = pdus["PDU-B"]
    client.force_login(make_user(Role.ASSESSOR, providers=[region]))
    assert client.get(reverse("reports:area", args=["NORTH"])).status_code == 404
    client.force_login(make_user(Role.MANAGER, providers=[pdu_b]))
    assert client.get(reverse("reports:area", args=["NORTH"])).status_code == 404
    assert client.get(reverse("reports:area_json", args=["NORTH"])).status_code == 404
    assert download(client, "key-questions").status_code == 404
    rows = rows_of(download(client, "key-questions", code="PDU-B"))
    first = next(r for r in rows if r["Key question"] == "2.1.1")
    assert (first["Sufficient"], first["Applicable"]) == ("18", "20")
    client.force_login(make_user(Role.MANAGER, providers=[region]))
    assert client.get(reverse("reports:area", args=["NORTH"])).status_code == 200


def test_provider_page_beside_its_region_and_all_providers(north, client, admin_user):
    """PDU A, 30 of 100, beside the rest of North (36 of 40, 90%) and all providers (66 of
    140, 47.1%; 95% limits for 100 cases 37.4% to 56.9%)."""
    client.force_login(admin_user)
    url = reverse("reports:provider_download", args=["PDU-A", "beside-area", "csv"])
    rows = rows_of(client.get(url))
    first = rows[0]
    assert first["Key question or focus measure"].startswith("2.1.1")
    assert first["This provider"] == "30 of 100 (30%)"
    assert first["North region without this provider"] == "36 of 40 (90%)"
    assert first["Difference from the region (points)"] == "-60.0"
    assert first["Outside the region's 95% limits?"] == "Yes: below"
    assert first["All providers"] == "66 of 140 (47%)"
    assert first["Difference from all providers (points)"] == "-17.1"
    assert first["Outside the 95% limits of all providers?"] == "Yes: below"
    html = client.get(reverse("reports:provider", args=["NORTH"])).content.decode()
    assert reverse("reports:area", args=["NORTH"]) in html


def test_area_json_names_a_wrong_filter(north, client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("reports:area_json", args=["NORTH"]) + "?period_end_0=40")
    assert response.status_code == 400
    assert "period_end" in response.json()["fields"]
