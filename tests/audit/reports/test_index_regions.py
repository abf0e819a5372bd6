"""The reports index lists the regions the user may see, each linking to its pooled figures, in a
fixed number of queries however many regions there are."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.accounts.roles import Role
from cases.models import Provider, ProviderType
from tests.audit.reports.pooled_data import region_of_pdus
from tests.audit.rollup_data import provider, small_framework

pytestmark = pytest.mark.django_db

CODES = ["REG-A", "REG-B", "REG-C", "REG-D", "REG-E", "REG-F"]


def regions(count, *, first=0):
    """`count` regions, each with one PDU whose inspection is published (8 of 10 on 2.1.1)."""
    framework, _, kqs = small_framework()
    return [
        region_of_pdus(framework, kqs, region_code=code, figures={f"{code}-PDU": (8, 10)})[0]
        for code in CODES[first : first + count]
    ]


def region_links(html):
    """The region links of the index's Regions list, in order."""
    section = html.split(">Regions</h2>", 1)[1].split(">Providers</h2>", 1)[0]
    return re.findall(r'href="(/reports/areas/[^"]+/)"', section)


def area_url(code):
    return reverse("reports:area", args=[code])


def index_queries(client, user):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("reports:index"))
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_a_regional_manager_sees_only_their_region(client, make_user):
    made = regions(3)
    client.force_login(make_user(Role.MANAGER, providers=[made[1]]))
    html = client.get(reverse("reports:index")).content.decode()
    assert region_links(html) == [area_url("REG-B")]
    assert "Reg-B region" in html and "Reg-A region" not in html
    assert client.get(area_url("REG-B")).status_code == 200
    assert client.get(area_url("REG-A")).status_code == 404


def test_a_national_manager_sees_every_region_and_each_link_opens(client, make_user):
    made = regions(3)
    client.force_login(make_user(Role.MANAGER, providers=made))
    html = client.get(reverse("reports:index")).content.decode()
    links = region_links(html)
    assert links == [area_url(code) for code in CODES[:3]]
    for link in links:
        page = client.get(link)
        assert page.status_code == 200, link
        assert "8 of 10" in page.content.decode()


def test_nps_divisions_are_listed_but_pdus_are_not(client, make_user):
    (region,) = regions(1)
    division = provider(code="NPS-X", name="NPS X division", type=ProviderType.NPS_DIVISION)
    client.force_login(make_user(Role.MANAGER, providers=[region, division]))
    html = client.get(reverse("reports:index")).content.decode()
    assert region_links(html) == [area_url("NPS-X"), area_url("REG-A")]  # by name
    # A division with nothing inspected beneath it opens too, saying so.
    page = client.get(area_url("NPS-X"))
    assert page.status_code == 200
    assert "No published inspection of a provider in this area" in page.content.decode()


def test_a_manager_of_one_pdu_is_told_there_is_no_region(client, make_user):
    regions(2)
    pdu = Provider.objects.get(code="REG-A-PDU")
    client.force_login(make_user(Role.MANAGER, providers=[pdu]))
    html = client.get(reverse("reports:index")).content.decode()
    assert region_links(html) == []
    assert "None of the providers you can see is a region." in html


def test_the_index_makes_as_many_queries_for_six_regions_as_for_two(client, make_user, admin_user):
    made = regions(2)
    manager = make_user(Role.MANAGER, providers=made)
    two = {who: index_queries(client, user) for who, user in (("m", manager), ("a", admin_user))}
    manager.providers.add(*regions(4, first=2))
    six = {who: index_queries(client, user) for who, user in (("m", manager), ("a", admin_user))}
    for who in ("m", "a"):
        assert len(region_links(two[who][1])) == 2
        assert len(region_links(six[who][1])) == 6
        assert six[who][0] == two[who][0], who
