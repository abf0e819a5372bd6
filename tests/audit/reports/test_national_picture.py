"""The national picture against a hand-worked fixture: two NPS divisions and a CRC with a
published inspection each, and a CRC whose inspection is still in fieldwork (left out).

Ten reviews each (sufficient of 10 on 2.1.1, 2.1.2, 2.2.1; leadership 1.1 by judgement):
  North NPS  9, 8, 8  1.1 Good  -> 2.1 O, 2.2 O, 1.1 G: 3 + 3 + 2 = 8 Outstanding
  South NPS  7, 6, 7  1.1 Good  -> 2.1 RI, 2.2 G, 1.1 G: 1 + 2 + 2 = 5 Good
  East CRC   4, 5, 6  1.1 RI    -> 2.1 I, 2.2 RI, 1.1 RI: 0 + 1 + 1 = 2 Inadequate
Below Good: South 2.1; East 2.1, 2.2, 1.1: 4 of 9 pairs.
National: 2.1.1 20 of 30 (67%) Good; 2.1.2 19 of 30 (63%) Requires improvement; 2.2.1 21 of 30.
NPS minus CRC on 2.1.1: 16 of 20 (80%) against 4 of 10 (40%): 40.0 points, 4.1 to 66.1.
"""

import csv
import io

import pytest
from django.urls import reverse

from audit.models import Inspection, InspectionStatus
from cases.models import Provider, ProviderType
from standards.rating import Rating
from tests.audit.rollup_data import N, S, add_review, inspection_of, provider, rate, small_framework

pytestmark = pytest.mark.django_db


@pytest.fixture
def national():
    framework, standards, kqs = small_framework()
    north = provider(code="N-NPS", name="North NPS", type=ProviderType.NPS_DIVISION)
    south = provider(code="S-NPS", name="South NPS", type=ProviderType.NPS_DIVISION)
    east = provider(code="E-CRC", name="East CRC", type=ProviderType.CRC)
    west = provider(code="W-CRC", name="West CRC", type=ProviderType.CRC)
    round_ = inspection_of(framework, north, south, east, title="National round")
    pending = inspection_of(framework, west, title="West fieldwork")

    def give(inspection, p, k1, k2, k3, leadership):
        for i in range(10):
            add_review(
                inspection,
                p,
                {
                    kqs["2.1.1"]: S if i < k1 else N,
                    kqs["2.1.2"]: S if i < k2 else N,
                    kqs["2.2.1"]: S if i < k3 else N,
                },
            )
        rate(inspection, p, standards["1.1"], leadership)

    give(round_, north, 9, 8, 8, Rating.GOOD)
    give(round_, south, 7, 6, 7, Rating.GOOD)
    give(round_, east, 4, 5, 6, Rating.REQUIRES_IMPROVEMENT)
    give(pending, west, 10, 10, 10, Rating.OUTSTANDING)
    Inspection.objects.filter(id=round_.id).update(status=InspectionStatus.PUBLISHED)
    return framework


def rows_of(response):
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def download(client, slug):
    return rows_of(client.get(reverse("reports:national_download", args=[slug, "csv"])))


def test_distribution_of_overall_ratings_by_kind(national, client, admin_user):
    client.force_login(admin_user)
    rows = download(client, "distribution")
    assert rows == [
        [
            "Kind of provider",
            "Outstanding",
            "Good",
            "Requires improvement",
            "Inadequate",
            "No overall rating",
            "Providers",
        ],
        ["NPS division", "1", "1", "0", "0", "0", "2"],
        ["Community Rehabilitation Company", "0", "0", "0", "1", "0", "1"],
        ["All providers", "1", "1", "0", "1", "0", "3"],
    ]
    html = client.get(reverse("reports:national")).content.decode()
    assert "Of 3 providers: 1 Outstanding, 1 Good, 0 Requires improvement, 1 Inadequate." in html
    assert "West CRC" not in html  # its inspection is not published


def test_matrix_of_providers_and_standards(national, client, admin_user):
    client.force_login(admin_user)
    rows = download(client, "matrix")
    assert rows[0] == ["Provider", "Kind of provider", "1.1", "2.1", "2.2", "Overall rating"]
    assert rows[1:] == [
        ["East CRC", "Community Rehabilitation Company", "Requires improvement", "Inadequate",
         "Requires improvement", "Inadequate"],
        ["North NPS", "NPS division", "Good", "Outstanding", "Outstanding", "Outstanding"],
        ["South NPS", "NPS division", "Good", "Requires improvement", "Good", "Good"],
    ]  # fmt: skip
    html = client.get(reverse("reports:national")).content.decode()
    assert "4 of 9 provider-standard pairs are rated below Good (44%)." in html
    sorted_rows = rows_of(
        client.get(reverse("reports:national_download", args=["matrix", "csv"]) + "?sort=rating")
    )
    assert [r[0] for r in sorted_rows[1:]] == ["East CRC", "South NPS", "North NPS"]
    sorted_html = client.get(reverse("reports:national") + "?sort=rating").content.decode()
    assert 'aria-sort="ascending"' in sorted_html


def test_national_key_questions_and_gaps(national, client, admin_user):
    client.force_login(admin_user)
    rows = download(client, "key-questions")
    assert [r[:4] + r[5:] for r in rows[1:]] == [
        ["2.1.1", "Assessment engages the person?", "20", "30", "Good"],
        ["2.1.2", "Assessment on desistance?", "19", "30", "Requires improvement"],
        ["2.2.1", "Planning engages the person?", "21", "30", "Good"],
    ]
    gaps = download(client, "gaps")
    header = gaps[0]
    table = [dict(zip(header, r)) for r in gaps[1:]]
    first = table[0]
    assert first["Measure"] == "2.1.1"
    assert first["Comparison"] == "NPS division minus Community Rehabilitation Company"
    assert (first["First"], first["Second"]) == ("16 of 20 (80%)", "4 of 10 (40%)")
    assert (first["Gap (points)"], first["CI low (points)"], first["CI high (points)"]) == (
        "40.0",
        "4.1",
        "66.1",
    )
    assert first["Chance?"] == "larger than chance would explain"
    second = table[1]
    assert (second["Gap (points)"], second["Chance?"]) == (
        "20.0",
        "within what chance would explain",
    )
    # Focus measures with no cases on either side cannot be compared.
    assert table[-1]["Chance?"] == "cannot tell"


def test_national_picture_is_scoped_and_needs_reports(national, client, make_user):
    from audit.accounts.roles import Role
    from cases.models import Provider

    client.force_login(make_user(Role.ASSESSOR))
    assert client.get(reverse("reports:national")).status_code == 404
    # A manager of the CRC sees only it: one provider, no gap to show.
    client.force_login(make_user(Role.MANAGER, providers=[Provider.objects.get(code="E-CRC")]))
    rows = download(client, "matrix")
    assert [r[0] for r in rows[1:]] == ["East CRC"]
    assert download(client, "gaps")[1:] == []


def test_national_picture_queries_do_not_grow_with_providers(
    national, client, admin_user, django_assert_max_num_queries
):
    from tests.audit.rollup_data import add_review, inspection_of, provider

    client.force_login(admin_user)
    with django_assert_max_num_queries(40) as before:
        assert client.get(reverse("reports:national")).status_code == 200
    framework = Inspection.objects.get(title="National round").framework
    more = [provider(code=f"X{i}", name=f"Extra {i}", type=ProviderType.CRC) for i in range(6)]
    extra = inspection_of(framework, *more, title="Second round")
    kq = framework.standards.get(code="2.2").key_questions.first()
    for p in more:
        add_review(extra, p, {kq: S})
    Inspection.objects.filter(id=extra.id).update(status=InspectionStatus.PUBLISHED)
    with django_assert_max_num_queries(len(before.captured_queries)):
        html = client.get(reverse("reports:national")).content.decode()
    assert "Extra 5" in html


def test_the_page_follows_every_change_to_what_it_reads(national, client, admin_user):
    """The page's tables are kept between requests (rollup_cache): a new review, a newly
    published inspection and a provider's new kind each show at once."""
    client.force_login(admin_user)
    url = reverse("reports:national")

    def west_row():
        page = client.get(url).content.decode()
        rows = [r for r in page.split("<tr") if "West CRC" in r]
        return page, rows[0] if rows else ""

    page, west = west_row()
    assert "20 of 30" in page and not west
    assert "20 of 30" in client.get(url).content.decode()  # read again
    round_ = Inspection.objects.get(title="National round")
    kq = round_.framework.standards.get(code="2.1").key_questions.get(code="2.1.1")
    add_review(round_, round_.providers.get(code="E-CRC"), {kq: S})
    assert "21 of 31" in client.get(url).content.decode()
    Inspection.objects.filter(title="West fieldwork").update(status=InspectionStatus.PUBLISHED)
    _, west = west_row()
    assert "Community Rehabilitation Company" in west
    Provider.objects.filter(code="W-CRC").update(type=ProviderType.NPS_DIVISION)
    _, west = west_row()
    assert "NPS division" in west and "Community Rehabilitation Company" not in west
