"""Funnel plots on the national picture and the league table, and the league table filtered to
one region with each provider beside the rest of it (tests/audit/reports/pooled_data.py)."""

import csv
import io

import pytest
from django.urls import reverse

from audit.reports.beside import beside
from audit.reports.funnel import FunnelEntry, funnel_chart, outside_table
from standards.statistics import FunnelPosition
from tests.audit.reports.pooled_data import region_of_pdus
from tests.audit.rollup_data import small_framework

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_regions():
    framework, standards, kqs = small_framework()
    north, _ = region_of_pdus(framework, kqs)
    south, _ = region_of_pdus(framework, kqs, region_code="SOUTH", figures={"PDU-D": (15, 20)})
    return framework, north, south


def rows_of(response):
    assert response.status_code == 200, response.content[:300]
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_national_picture_has_a_funnel_plot_and_its_table(two_regions, client, admin_user):
    """Overall 81 of 160 (50.6%): PDU A (30 of 100) below its 99.8% limits, PDUs B and C
    (18 of 20) above theirs, PDU D (15 of 20, 75%) above the 95% limit only (72.5%)."""
    client.force_login(admin_user)
    html = client.get(reverse("reports:national") + "?measure=2.1.1").content.decode()
    assert "Funnel plot: 2.1.1" in html and 'role="img"' in html
    assert '<option value="2.1.1" selected>' in html
    url = reverse("reports:national_download", args=["funnel-outside", "csv"])
    rows = rows_of(client.get(url + "?measure=2.1.1"))
    assert [(r["Provider"], r["Where it lies"]) for r in rows] == [
        ("PDU A", "Below the 99.8% limit"),
        ("PDU D", "Above the 95% limit"),
        ("PDU B", "Above the 99.8% limit"),
        ("PDU C", "Above the 99.8% limit"),
    ]


def test_league_filtered_to_a_region_and_sorted_by_difference(two_regions, client, admin_user):
    framework, north, south = two_regions
    client.force_login(admin_user)
    query = f"?framework={framework.id}&region=NORTH&measure=2.1.1&sort=difference"
    rows = rows_of(client.get(reverse("reports:league_download", args=["league", "csv"]) + query))
    difference = "2.1.1: difference from the rest of the region (points)"
    assert [(r["Provider"], r[difference], r["Outside the 95% limits?"]) for r in rows] == [
        ("PDU A", "-60.0", "Yes: below"),  # 30% against the rest's 36 of 40 (90%)
        ("PDU C", "50.0", "Yes: above"),  # 90% against 48 of 120 (40%); ties by rank, as
        ("PDU B", "50.0", "Yes: above"),  # every sort of the league does
    ]
    assert rows[0]["2.1.1: rest of the region"] == "36 of 40 (90%)"
    html = client.get(reverse("reports:league") + query).content.decode()
    assert "PDU D" not in html and "Funnel plot: 2.1.1" in html
    every = rows_of(
        client.get(
            reverse("reports:league_download", args=["league", "csv"])
            + f"?framework={framework.id}"
        )
    )
    assert len(every) == 4 and difference not in every[0]


def test_league_regions_offered_are_those_in_scope(two_regions, client, make_user):
    from audit.accounts.roles import Role

    framework, north, south = two_regions
    client.force_login(make_user(Role.MANAGER, providers=[south]))
    html = client.get(reverse("reports:league")).content.decode()
    assert ">South region</option>" in html and "North region" not in html


def test_a_provider_inside_the_limits_is_not_flagged_and_one_outside_is():
    inside = beside((20, 40), (500, 1000))  # 50% against 50%
    assert inside.position is FunnelPosition.INSIDE and inside.outside_95 is False
    assert inside.difference == 0
    outside = beside((27, 40), (500, 1000))  # 67.5% against 50%: above 65.5%
    assert outside.position is FunnelPosition.ABOVE_95 and outside.outside_95 is True
    assert outside.difference == pytest.approx(17.5)
    assert beside((0, 0), (5, 10)).outside_95 is None


def test_funnel_chart_geometry():
    entries = [FunnelEntry("A", "A", "/a", 20, 40), FunnelEntry("B", "B", "/b", 80, 160)]
    chart = funnel_chart(slug="funnel", measure="2.1.1", entries=entries)
    assert chart.overall_y == pytest.approx(12 + 320 * 0.5)
    assert [p.position for p in chart.points] == ["inside", "inside"]
    xs = [p.x for p in chart.points]
    assert chart.plot_left < xs[0] < xs[1] <= chart.plot_right
    assert [name for name, _ in chart.limits] == ["upper-998", "upper-95", "lower-95", "lower-998"]
    assert [t.label for t in chart.x_ticks] == ["0", "40", "80", "120", "160", "200"]
    assert funnel_chart(slug="f", measure="m", entries=[FunnelEntry("A", "A", "", 0, 0)]) is None
    assert outside_table("m", entries).rows == []
