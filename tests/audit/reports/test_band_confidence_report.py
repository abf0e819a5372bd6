"""The inspection report shows the band confidence of the worked example 40 of 50 (rated
Outstanding at exactly 80%, yet Good is likelier): flagged, in words, and each band's chance in
the download."""

import csv
import io

import pytest
from django.urls import reverse

from tests.audit.rollup_data import N, S, add_review, inspection_of, provider, small_framework

pytestmark = pytest.mark.django_db


def test_forty_of_fifty_is_flagged_on_the_page_and_in_the_download(client, admin_user):
    framework, standards, kqs = small_framework()
    alpha = provider(code="A-PDU", name="Alpha PDU")
    inspection = inspection_of(framework, alpha)
    for i in range(50):
        add_review(inspection, alpha, {kqs["2.1.1"]: S if i < 40 else N})
    client.force_login(admin_user)
    html = client.get(reverse("reports:inspection", args=[inspection.id])).content.decode()
    sentence = (
        "With 50 cases, the figure could well be Good (54.3%): the chance that it is "
        "Outstanding, as rated, is 44.4%, less than even."
    )
    assert sentence in html
    assert "Flagged: less likely than not" in html
    assert "Flagged key questions come first" in html
    response = client.get(
        reverse("reports:inspection_download", args=[inspection.id, "key-questions", "csv"])
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    row = dict(zip(rows[0], rows[1]))
    assert row["Key question"] == "2.1.1" and row["Band"] == "Outstanding"
    assert row["How sure"] == sentence
    assert row["Flag"] == "Rated band less likely than not"
    assert [row[f"Chance {band}"] for band in ("Outstanding", "Good")] == ["44.4", "54.3"]
    assert [row[f"Chance {b}"] for b in ("Requires improvement", "Inadequate")] == ["1.3", "0.0"]
