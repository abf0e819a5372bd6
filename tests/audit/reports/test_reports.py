"""Report pages, downloads, the JSON roll-up and the lead's standard ratings."""

import csv
import datetime
import io
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from audit.accounts.roles import Role
from audit.models import Inspection, InspectionStatus, StandardJudgement
from standards.rating import Rating
from tests.audit.reports.test_rollup import scenario  # noqa: F401 - the shared hand-built inspection
from tests.audit.rollup_data import (
    N,
    S,
    add_review,
    bulk_reviews,
    inspection_of,
    provider,
    rate,
    small_framework,
)


def url(name, *args):
    return reverse(f"reports:{name}", args=args)


@pytest.fixture
def manager_of(make_user):
    def make(*codes):
        from cases.models import Provider

        return make_user(Role.MANAGER, providers=list(Provider.objects.filter(code__in=codes)))

    return make


def csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode())))


# --------------------------------------------------------------------------------------------
# Inspection report


def test_inspection_report_shows_ratings_overrides_and_chart(scenario, client, admin_user):
    inspection, _, _ = scenario
    client.force_login(admin_user)
    html = client.get(url("inspection", inspection.id) + "?provider=SOUTH").content.decode()
    # Data-driven rating beside the override, both as GOV.UK tags, and the rationale.
    assert '<strong class="govuk-tag govuk-tag--yellow">Requires improvement</strong>' in html
    assert '<strong class="govuk-tag govuk-tag--turquoise">Good</strong>' in html
    assert "Assessment quality improved after the sample window closed." in html
    # Key questions: n of N, whole percentage, interval.
    assert "13 of 20" in html and "65%" in html
    # Partial overall, said plainly.
    assert "Partial: 1 of 3 standards rated" in html
    # The chart: SVG with a title and description, bands shaded by class, and no inline styles.
    assert re.search(
        r'<svg[^>]*role="img"[^>]*aria-labelledby="kq-chart-title kq-chart-desc"', html
    )
    assert '<title id="kq-chart-title">' in html
    assert "app-chart__band--outstanding" in html
    assert 'style="' not in html and "<style" not in html
    # Small cells flagged in breakdowns (South has 20 cases, all of medium RoSH).
    assert "Key questions by RoSH level" in html


def test_whole_inspection_report_lists_every_provider(scenario, client, admin_user):
    inspection, _, _ = scenario
    client.force_login(admin_user)
    html = client.get(url("inspection", inspection.id)).content.decode()
    for name in ("North PDU", "South PDU", "East PDU"):
        assert name in html
    assert "17 of 25" in html  # 2.1.1 over the whole inspection
    assert "covers the case standards only" in html


def test_breakdown_filters_by_get_parameters(scenario, client, admin_user):
    inspection, _, _ = scenario
    from cases.models import Case

    Case.objects.filter(sampled_in__provider__code="SOUTH").update(sentence_type="licence")
    client.force_login(admin_user)
    response = client.get(
        url("inspection_download", inspection.id, "breakdown-provider", "csv")
        + "?sentence_type=licence"
    )
    rows = csv_rows(response)
    assert rows[0] == ["Key question", "South PDU"]
    assert rows[1] == ["2.1.1", "65.0"]
    page = client.get(
        url("inspection", inspection.id) + "?sentence_type=licence&by=provider"
    ).content.decode()
    assert "Key questions by provider (Sentence type: Licence)" in page


def test_small_cells_are_flagged_not_shown(scenario, client, admin_user):
    inspection, _, _ = scenario
    client.force_login(admin_user)
    rows = csv_rows(
        client.get(url("inspection_download", inspection.id, "breakdown-provider", "csv"))
    )
    header, k1 = rows[0], rows[1]
    assert header == ["Key question", "North PDU", "South PDU"]
    # North has exactly 5 applicable cases, so its cell is shown.
    assert k1 == ["2.1.1", "80.0", "65.0"]
    page = client.get(url("inspection", inspection.id) + "?provider=NORTH&rosh_level=high")
    assert "No counted reviews match these filters." in page.content.decode()


def test_small_breakdown_cell_in_export(scenario, client, admin_user):
    inspection, _, kqs = scenario
    p = provider(code="TINY", name="Tiny PDU")
    inspection.providers.add(p)
    add_review(inspection, p, {kqs["2.1.1"]: S})
    client.force_login(admin_user)
    rows = csv_rows(
        client.get(url("inspection_download", inspection.id, "breakdown-provider", "csv"))
    )
    assert rows[0][-1] == "Tiny PDU"
    assert rows[1][-1] == "fewer than 5 cases"
    html = client.get(url("inspection", inspection.id) + "?by=provider").content.decode()
    assert '<span class="app-muted">fewer than 5 cases</span>' in html
    assert '80%<span class="app-cell-hint">4 of 5</span>' in html  # North's 2.1.1


def test_constant_queries_for_10_and_1000_reviews(
    client, admin_user, django_assert_max_num_queries
):
    framework, standards, kqs = small_framework()
    bound = 36  # the XLSX of the whole report builds all six breakdowns
    for count in (10, 1000):
        p = provider()
        inspection = inspection_of(framework, p)
        bulk_reviews(inspection, p, list(kqs.values()), count)
        rate(inspection, p, standards["1.1"], Rating.GOOD)
        client.force_login(admin_user)
        for page in (
            url("inspection", inspection.id),
            url("inspection", inspection.id) + f"?provider={p.code}&gender=female",
            url("provider", p.code),
            url("league"),
            url("index"),
            url("inspection_json", inspection.id),
            url("inspection_download", inspection.id, "all", "xlsx"),
        ):
            with django_assert_max_num_queries(bound):
                response = client.get(page)
            assert response.status_code == 200
        # The 1,000 are really counted.
        data = client.get(url("inspection_json", inspection.id)).json()
        assert data["whole_inspection"]["reviews"] == count


# --------------------------------------------------------------------------------------------
# Downloads


def test_key_question_csv_and_xlsx(scenario, client, admin_user):
    inspection, _, _ = scenario
    client.force_login(admin_user)
    response = client.get(
        url("inspection_download", inspection.id, "key-questions", "csv") + "?provider=NORTH"
    )
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="inspection-' in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0] == [
        "Key question",
        "Question",
        "Sufficient",
        "Applicable",
        "Not applicable",
        "Percentage",
        "CI low",
        "CI high",
        "Band",
        "How sure",
        "Flag",
        "Chance Outstanding",
        "Chance Good",
        "Chance Requires improvement",
        "Chance Inadequate",
    ]
    assert rows[1][:6] == ["2.1.1", "Assessment engages the person?", "4", "5", "0", "80.0"]
    # 4 of 5 is rated Outstanding, but with 5 cases that band has only a 34.5% chance: flagged.
    assert rows[1][8:] == [
        "Outstanding",
        "With 5 cases, the figure could well be Good (33.6%): the chance that it is "
        "Outstanding, as rated, is 34.5%, less than even.",
        "Rated band less likely than not",
        "34.5",
        "33.6",
        "21.0",
        "10.9",
    ]

    response = client.get(url("inspection_download", inspection.id, "all", "xlsx"))
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[:5] == [
        "explained",
        "providers",
        "standards",
        "key-questions",
        "focus-measures",
    ]
    sheet = workbook["key-questions"]
    assert [c.value for c in sheet[2]][:6] == [
        "2.1.1",
        "Assessment engages the person?",
        17,
        25,
        0,
        68.0,
    ]
    providers_sheet = workbook["providers"]
    header = [c.value for c in providers_sheet[1]]
    assert header[:3] == ["Provider", "Provider code", "Reviews counted"]
    north = next(r for r in providers_sheet.iter_rows(values_only=True) if r[1] == "NORTH")
    assert north[header.index("Score")] == 7 and north[header.index("Overall rating")] == "Good"


def test_unknown_table_or_format_is_404(scenario, client, admin_user):
    inspection, _, _ = scenario
    client.force_login(admin_user)
    assert client.get(url("inspection_download", inspection.id, "nope", "csv")).status_code == 404
    assert client.get(url("inspection_download", inspection.id, "all", "csv")).status_code == 404
    assert client.get(f"/reports/inspections/{inspection.id}/standards.pdf").status_code == 404


def test_exports_escape_formulas(scenario, client, admin_user):
    inspection, standards, _ = scenario
    from cases.models import Provider

    north = Provider.objects.get(code="NORTH")
    StandardJudgement.objects.filter(provider=north, standard=standards["1.1"]).update(
        rationale='=HYPERLINK("http://evil.example","click")'
    )
    Provider.objects.filter(code="NORTH").update(name="+North PDU")
    client.force_login(admin_user)
    rows = csv_rows(
        client.get(
            url("inspection_download", inspection.id, "standards", "csv") + "?provider=NORTH"
        )
    )
    leadership = next(r for r in rows if r[0] == "1.1")
    assert leadership[-1] == '\'=HYPERLINK("http://evil.example","click")'
    rows = csv_rows(client.get(url("inspection_download", inspection.id, "providers", "csv")))
    assert ["'+North PDU", "NORTH"] == rows[1][:2]

    response = client.get(
        url("inspection_download", inspection.id, "standards", "xlsx") + "?provider=NORTH"
    )
    sheet = load_workbook(io.BytesIO(response.content))["standards"]
    cell = next(r for r in sheet.iter_rows() if r[0].value == "1.1")[-1]
    assert cell.value.startswith("'=HYPERLINK") and cell.data_type == "s"


# --------------------------------------------------------------------------------------------
# JSON endpoint and the command


def test_json_endpoint(scenario, client, admin_user):
    inspection, _, _ = scenario
    client.force_login(admin_user)
    response = client.get(url("inspection_json", inspection.id))
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert [p["code"] for p in data["providers"]] == ["EAST", "NORTH", "SOUTH"]
    north = data["providers"][1]
    assert north["overall"]["rating"] == "good" and north["overall"]["score"] == 7
    assert data["whole_inspection"]["key_questions"][0]["sufficient"] == 17
    assert data["partial_scope"] is False


def test_json_endpoint_needs_sign_in(scenario, client):
    inspection, _, _ = scenario
    response = client.get(url("inspection_json", inspection.id))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_json_endpoint_is_scoped(scenario, client, manager_of):
    inspection, _, _ = scenario
    client.force_login(manager_of("NORTH"))
    data = client.get(url("inspection_json", inspection.id)).json()
    assert [p["code"] for p in data["providers"]] == ["NORTH"]
    assert data["partial_scope"] is True
    assert data["whole_inspection"]["reviews"] == 5


def test_rollup_command_json_and_csv(scenario, capsys):
    inspection, _, _ = scenario
    out = io.StringIO()
    call_command("rollup", inspection=inspection.id, format="json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["whole_inspection"]["overall"]["score"] == 4
    out = io.StringIO()
    call_command("rollup", inspection=inspection.id, format="csv", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    north_k1 = next(r for r in rows if r["provider_code"] == "NORTH" and r["code"] == "2.1.1")
    assert (north_k1["sufficient"], north_k1["applicable"], north_k1["percentage"]) == (
        "4",
        "5",
        "80.0",
    )
    assert north_k1["rating"] == "outstanding"
    south_21 = next(r for r in rows if r["provider_code"] == "SOUTH" and r["code"] == "2.1")
    assert (south_21["data_rating"], south_21["override"], south_21["rating"]) == (
        "requires_improvement",
        "good",
        "good",
    )


def test_rollup_command_unknown_inspection(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no inspection with id 999"):
        call_command("rollup", inspection=999, format="json", stdout=io.StringIO())


# --------------------------------------------------------------------------------------------
# Scoping


def test_scoping_gives_404_outside_the_users_providers(scenario, client, manager_of):
    inspection, _, _ = scenario
    outsider = provider(code="ELSEWHERE")
    client.force_login(manager_of("ELSEWHERE"))
    for page in (
        url("inspection", inspection.id),
        url("inspection_json", inspection.id),
        url("inspection_download", inspection.id, "key-questions", "csv"),
        url("provider", "NORTH"),
    ):
        assert client.get(page).status_code == 404, page
    index = client.get(url("index")).content.decode()
    assert inspection.title not in index
    assert outsider.code  # the manager's own provider has no inspection


def test_manager_sees_only_own_provider_within_an_inspection(scenario, client, manager_of):
    inspection, _, _ = scenario
    client.force_login(manager_of("NORTH"))
    page = client.get(url("inspection", inspection.id))
    assert page.status_code == 200
    html = page.content.decode()
    assert "North PDU" in html and "South PDU" not in html
    assert "You can see only some of this inspection" in html
    assert client.get(url("inspection", inspection.id) + "?provider=SOUTH").status_code == 404
    assert client.get(url("provider", "SOUTH")).status_code == 404
    assert client.get(url("provider", "NORTH")).status_code == 200


def test_roles_without_reports_get_404(scenario, client, make_user):
    inspection, _, _ = scenario
    client.force_login(make_user(Role.ASSESSOR))
    assert client.get(url("index")).status_code == 404
    assert client.get(url("inspection", inspection.id)).status_code == 404


def test_index_lists_inspections_with_links(scenario, client, manager_of):
    inspection, _, _ = scenario
    client.force_login(manager_of("SOUTH"))
    html = client.get(url("index")).content.decode()
    assert url("inspection", inspection.id) in html
    assert url("provider", "SOUTH") in html and url("provider", "NORTH") not in html
    assert url("league") in html


# --------------------------------------------------------------------------------------------
# Provider trend and league table


@pytest.fixture
def two_rounds(db):
    """Two inspections a year apart of three providers on the small framework (max 9 points).

    Each provider has five reviews; with five cases 5 or 4 sufficient is Outstanding (100%, 80%)
    and 3 is Requires improvement (60%). 2.1 takes the weaker of 2.1.1 and 2.1.2.

    2025  Alpha   2.1 RI (5, 3 of 5)  2.2 RI (3)  1.1 Good  -> 1 + 1 + 2 = 4
          Bravo   2.1 O  (4, 4)       2.2 RI (3)  1.1 Good  -> 3 + 1 + 2 = 6
          Charlie 2.1 RI (3, 3)       2.2 O  (4)  1.1 RI    -> 1 + 3 + 1 = 5
    2026  Alpha   2.1 RI (3, 3)       2.2 O  (4)  1.1 Good  -> 6 (+2)
          Bravo   as in 2025                                -> 6 (no change)
          Charlie 2.1 RI (3, 3)       2.2 O  (4)  1.1 Good  -> 6 (+1)
    In 2026 all three score 6 (Good, 5-7) with two standards Good or better: ranked by name.
    """
    framework, standards, kqs = small_framework()
    a = provider(code="A-PDU", name="Alpha PDU")
    b = provider(code="B-PDU", name="Bravo PDU")
    c = provider(code="C-PDU", name="Charlie PDU")
    old = inspection_of(
        framework,
        a,
        b,
        c,
        title="2025 round",
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 6, 30),
    )
    new = inspection_of(framework, a, b, c, title="2026 round")

    def give(inspection, p, k1, k2, k3, leadership):
        """Five reviews; k1, k2, k3: how many are sufficient on 2.1.1, 2.1.2, 2.2.1."""
        for i in range(5):
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

    give(old, a, 5, 3, 3, Rating.GOOD)
    give(old, b, 4, 4, 3, Rating.GOOD)
    give(old, c, 3, 3, 4, Rating.REQUIRES_IMPROVEMENT)
    give(new, a, 3, 3, 4, Rating.GOOD)
    give(new, b, 4, 4, 3, Rating.GOOD)
    give(new, c, 3, 3, 4, Rating.GOOD)
    Inspection.objects.filter(id__in=[old.id, new.id]).update(status=InspectionStatus.PUBLISHED)
    old.refresh_from_db()
    new.refresh_from_db()
    return framework, old, new, standards


def test_league_table_ranks_and_shows_change(two_rounds, client, admin_user):
    framework, old, new, standards = two_rounds
    client.force_login(admin_user)
    response = client.get(url("league_download", "league", "csv") + f"?framework={framework.id}")
    rows = csv_rows(response)
    header = rows[0]
    table = [dict(zip(header, r)) for r in rows[1:]]
    # All score 6 with two standards Good or better: ranked by name.
    assert [(r["Rank"], r["Provider"], r["Score"]) for r in table] == [
        ("1", "Alpha PDU", "6"),
        ("2", "Bravo PDU", "6"),
        ("3", "Charlie PDU", "6"),
    ]
    assert [r["Change since previous inspection"] for r in table] == ["2", "0", "1"]
    assert [r["Previous score"] for r in table] == ["4", "6", "5"]
    assert all(r["Overall rating"] == "Good" for r in table)  # 6 of 9 -> Good (5-7)

    html = client.get(url("league") + f"?framework={framework.id}").content.decode()
    assert "+2 points" in html and "+1 point" in html and "no change" in html


def test_league_table_tie_break_on_good_standards(two_rounds, client, admin_user):
    framework, old, new, standards = two_rounds
    from cases.models import Provider

    # Ratings are entered while the 2026 round is in moderation, so its results are provisional.
    Inspection.objects.filter(id=new.id).update(status=InspectionStatus.MODERATION)
    new.refresh_from_db()
    league = url("league_download", "league", "csv") + f"?framework={framework.id}&provisional=on"
    client.force_login(admin_user)
    # Bravo's 2.2 overridden to Good: 3 + 2 + 2 = 7, first on score.
    rate(
        new,
        Provider.objects.get(code="B-PDU"),
        standards["2.2"],
        Rating.GOOD,
        rationale="Planning evidence from interviews.",
    )
    assert [r[1] for r in csv_rows(client.get(league))[1:]] == [
        "Bravo PDU",
        "Alpha PDU",
        "Charlie PDU",
    ]
    # Charlie rated Good on all three: 6 points like Alpha, but three standards Good or better
    # against Alpha's two, so Charlie ranks above Alpha despite the name.
    charlie = Provider.objects.get(code="C-PDU")
    StandardJudgement.objects.filter(inspection=new, provider=charlie).delete()
    for code in ("1.1", "2.1", "2.2"):
        rate(new, charlie, standards[code], Rating.GOOD)
    rows = csv_rows(client.get(league))
    assert [(r[1], r[5], r[7]) for r in rows[1:]] == [
        ("Bravo PDU", "7", "3"),
        ("Charlie PDU", "6", "3"),
        ("Alpha PDU", "6", "2"),
    ]


def test_league_table_period_and_sorting(two_rounds, client, admin_user):
    framework, old, new, standards = two_rounds
    client.force_login(admin_user)
    query = f"?framework={framework.id}&period_end_0=31&period_end_1=12&period_end_2=2025"
    rows = csv_rows(client.get(url("league_download", "league", "csv") + query))
    # Only the 2025 round: B 6, C 5, A 4; no previous inspection so no change.
    assert [(r[1], r[5]) for r in rows[1:]] == [
        ("Bravo PDU", "6"),
        ("Charlie PDU", "5"),
        ("Alpha PDU", "4"),
    ]
    assert all(r[header_index(rows, "Change since previous inspection")] == "" for r in rows[1:])
    rows = csv_rows(
        client.get(
            url("league_download", "league", "csv")
            + f"?framework={framework.id}&sort=change&order=desc"
        )
    )
    assert [r[1] for r in rows[1:]] == ["Alpha PDU", "Charlie PDU", "Bravo PDU"]
    html = client.get(url("league") + f"?framework={framework.id}&sort=provider").content.decode()
    assert 'aria-sort="ascending"' in html
    bad = client.get(
        url("league")
        + f"?framework={framework.id}&period_start_0=1&period_start_1=1&period_start_2=2026"
        + "&period_end_0=1&period_end_1=1&period_end_2=2025"
    )
    assert "The end of the period must be on or after its start." in bad.content.decode()


def header_index(rows, name):
    return rows[0].index(name)


def test_provider_trend(two_rounds, client, admin_user):
    framework, old, new, standards = two_rounds
    client.force_login(admin_user)
    page = client.get(url("provider", "A-PDU"))
    html = page.content.decode()
    assert html.index("2025 round") < html.index("2026 round")
    assert "+2 points" in html
    # The trend charts: SVG without script, each point titled with its figure.
    assert html.count('<svg class="app-trend__svg"') == 2
    assert "<title>Score, Jun 2025: 4</title>" in html
    assert "<title>Score, Jun 2026: 6</title>" in html
    assert "<title>2.2.1, Jun 2025: 60%</title>" in html
    assert "<title>2.2.1, Jun 2026: 80%</title>" in html
    rows = csv_rows(client.get(url("provider_download", "A-PDU", "key-questions", "csv")))
    assert rows[0] == ["Key question", "2025 round (Jun 2025)", "2026 round (Jun 2026)"]
    # 2.1.2: 3 of 5 both years = 60%; 2.2.1: 3 of 5 then 4 of 5.
    assert rows[3] == ["2.2.1", "60.0", "80.0"]
    rows = csv_rows(client.get(url("provider_download", "A-PDU", "overall", "csv")))
    assert [r[4] for r in rows[1:]] == ["4", "6"]


# --------------------------------------------------------------------------------------------
# Lead-entered ratings


@pytest.fixture
def lead_of(make_user):
    """The inspection's lead, whose providers are all of the inspection's."""

    def make(inspection):
        lead = make_user(Role.LEAD, providers=list(inspection.providers.all()))
        inspection.lead = lead
        inspection.save(update_fields=["lead"])
        return lead

    return make


def test_lead_enters_a_judgement_rating_with_rationale(scenario, client, lead_of):
    inspection, standards, _ = scenario
    from cases.models import Provider

    south = Provider.objects.get(code="SOUTH")
    lead = lead_of(inspection)
    client.force_login(lead)
    edit = url("standard_rating_edit", inspection.id, "SOUTH", "1.1")
    response = client.post(edit, {"rating": "good", "rationale": "  "})
    assert response.status_code == 200
    assert "Enter the rationale for this rating." in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()

    response = client.post(edit, {"rating": "outstanding", "rationale": "Strong leadership."})
    assert response.status_code == 302
    entry = StandardJudgement.objects.get(
        inspection=inspection, provider=south, standard=standards["1.1"]
    )
    assert (entry.rating, entry.rationale, entry.entered_by) == (
        "outstanding",
        "Strong leadership.",
        lead,
    )
    assert entry.history.count() == 1 and entry.history.first().history_user == lead
    # South now: 2.1 override G (2) + 1.1 O (3) = 5 of 6, still partial (2.2 not rated).
    data = client.get(url("inspection_json", inspection.id) + "?provider=SOUTH").json()
    south_data = next(p for p in data["providers"] if p["code"] == "SOUTH")
    assert south_data["overall"]["score"] == 5 and south_data["overall"]["partial"] is True


def test_lead_overrides_and_withdraws(scenario, client, lead_of):
    inspection, standards, _ = scenario
    from cases.models import Provider

    north = Provider.objects.get(code="NORTH")
    client.force_login(lead_of(inspection))
    list_page = client.get(url("standard_ratings", inspection.id, "NORTH")).content.decode()
    assert "Override" in list_page
    edit = url("standard_rating_edit", inspection.id, "NORTH", "2.2")
    form = client.get(edit).content.decode()
    assert "Override the rating of 2.2" in form
    client.post(edit, {"rating": "inadequate", "rationale": "Plans copied between cases."})
    html = client.get(url("inspection", inspection.id) + "?provider=NORTH").content.decode()
    assert "Plans copied between cases." in html
    # 2.1 G (2) + 2.2 I (0, override) + 1.1 G (2) = 4 of 9 -> Requires improvement (3-4).
    data = client.get(url("inspection_json", inspection.id)).json()
    assert next(p for p in data["providers"] if p["code"] == "NORTH")["overall"] == {
        "score": 4,
        "max_score": 9,
        "standards_rated": 3,
        "standards_in_scheme": 3,
        "partial": False,
        "rating": "requires_improvement",
    }
    assert 'formaction="' + url("standard_rating_withdraw", inspection.id, "NORTH", "2.2") in (
        client.get(edit).content.decode()
    )
    client.post(url("standard_rating_withdraw", inspection.id, "NORTH", "2.2"))
    assert not StandardJudgement.objects.filter(provider=north, standard=standards["2.2"]).exists()
    history = StandardJudgement.history.filter(provider=north, standard=standards["2.2"])
    assert [h.history_type for h in history.order_by("history_id")] == ["+", "-"]


def test_rating_pages_need_lead_role_and_the_inspection_to_manage(
    scenario, client, make_user, manager_of, lead_of
):
    inspection, _, _ = scenario
    from cases.models import Provider

    client.force_login(manager_of("NORTH"))
    assert client.get(url("standard_ratings", inspection.id, "NORTH")).status_code == 404
    # A lead who sees South's report but does not run the inspection: refused, saying who may.
    client.force_login(make_user(Role.LEAD, providers=[Provider.objects.get(code="SOUTH")]))
    for code in ("NORTH", "SOUTH"):
        assert client.get(url("standard_ratings", inspection.id, code)).status_code == 403
    report = client.get(url("inspection", inspection.id) + "?provider=SOUTH").content.decode()
    assert "Enter standard ratings" not in report
    # A lead of none of its providers cannot see it at all.
    client.force_login(make_user(Role.LEAD, providers=[provider(code="WEST")]))
    assert client.get(url("standard_ratings", inspection.id, "NORTH")).status_code == 404
    client.force_login(lead_of(inspection))
    assert client.get(url("standard_rating_edit", inspection.id, "SOUTH", "9.9")).status_code == 404
    report = client.get(url("inspection", inspection.id) + "?provider=SOUTH").content.decode()
    assert "Enter standard ratings and overrides for South PDU" in report


def test_published_inspection_ratings_are_final(scenario, client, admin_user):
    inspection, _, _ = scenario
    inspection.status = InspectionStatus.PUBLISHED
    inspection.save()
    client.force_login(admin_user)
    response = client.post(
        url("standard_rating_edit", inspection.id, "NORTH", "1.1"),
        {"rating": "inadequate", "rationale": "Changed my mind."},
    )
    assert response.status_code == 200
    assert "is published and cannot be changed" in response.content.decode()


def test_page_shows_one_breakdown_and_the_workbook_all_six(scenario, client, admin_user):
    inspection, _, _ = scenario
    client.force_login(admin_user)
    html = client.get(url("inspection", inspection.id) + "?by=gender").content.decode()
    assert "Key questions by gender" in html
    assert "Key questions by RoSH level" not in html
    assert 'aria-current="page">Gender<' in html
    workbook = load_workbook(
        io.BytesIO(client.get(url("inspection_download", inspection.id, "all", "xlsx")).content)
    )
    assert [name for name in workbook.sheetnames if name.startswith("breakdown-")] == [
        "breakdown-rosh-level",
        "breakdown-sentence-type",
        "breakdown-gender",
        "breakdown-ethnicity",
        "breakdown-practitioner-grade",
        "breakdown-provider",
    ]


def test_league_table_is_scoped(two_rounds, client, manager_of):
    framework, _, _, _ = two_rounds
    client.force_login(manager_of("C-PDU"))
    rows = csv_rows(
        client.get(url("league_download", "league", "csv") + f"?framework={framework.id}")
    )
    assert [r[1] for r in rows[1:]] == ["Charlie PDU"]
    assert rows[1][0] == "1"


def test_reports_in_the_navigation_for_managers(scenario, client, manager_of):
    client.force_login(manager_of("NORTH"))
    home = client.get(reverse("home")).content.decode()
    assert f'href="{url("index")}"' in home


# --------------------------------------------------------------------------------------------
# Provisional and partial results


def test_league_and_trend_leave_out_unpublished_inspections_unless_asked(
    two_rounds, client, admin_user
):
    framework, old, new, standards = two_rounds
    Inspection.objects.filter(id=new.id).update(status=InspectionStatus.MODERATION)
    client.force_login(admin_user)
    league = url("league_download", "league", "csv") + f"?framework={framework.id}"
    rows = csv_rows(client.get(league))
    table = [dict(zip(rows[0], r)) for r in rows[1:]]
    # Only the published 2025 round: its scores, no change, nothing provisional.
    assert [(r["Provider"], r["Score"], r["Results"]) for r in table] == [
        ("Bravo PDU", "6", "Published"),
        ("Charlie PDU", "5", "Published"),
        ("Alpha PDU", "4", "Published"),
    ]
    rows = csv_rows(client.get(league + "&provisional=on"))
    table = [dict(zip(rows[0], r)) for r in rows[1:]]
    assert {r["Inspection"] for r in table} == {"2026 round"}
    assert {r["Results"] for r in table} == {"Provisional"}
    html = client.get(url("league") + f"?framework={framework.id}&provisional=on").content.decode()
    assert "Provisional" in html and "are included and marked" in html

    trend = client.get(url("provider", "A-PDU")).content.decode()
    assert "2025 round" in trend and "2026 round" not in trend
    trend = client.get(url("provider", "A-PDU") + "?provisional=1").content.decode()
    assert "2026 round" in trend and "Provisional" in trend
    rows = csv_rows(client.get(url("provider_download", "A-PDU", "overall", "csv")))
    assert [r[0] for r in rows[1:]] == ["2025 round"]


def test_inspection_report_of_an_unpublished_inspection_says_provisional(
    two_rounds, client, admin_user
):
    framework, old, new, standards = two_rounds
    Inspection.objects.filter(id=new.id).update(status=InspectionStatus.FIELDWORK)
    client.force_login(admin_user)
    html = client.get(url("inspection", new.id)).content.decode()
    assert 'id="provisional-title">Provisional</h2>' in html
    assert "These results are provisional" in html
    rows = csv_rows(client.get(url("inspection_download", new.id, "explained", "csv")))
    assert rows[1][0] == "Provisional"
    published = client.get(url("inspection", old.id)).content.decode()
    assert "These results are provisional" not in published


def test_no_change_is_shown_between_a_partial_and_a_complete_score(two_rounds, client, admin_user):
    framework, old, new, standards = two_rounds
    from cases.models import Provider

    # Alpha's 2025 leadership rating withdrawn before publication: 2025 is partial (2 of 3).
    Inspection.objects.filter(id=old.id).update(status=InspectionStatus.MODERATION)
    StandardJudgement.objects.filter(
        inspection=old, provider=Provider.objects.get(code="A-PDU")
    ).delete()
    Inspection.objects.filter(id=old.id).update(status=InspectionStatus.PUBLISHED)
    client.force_login(admin_user)
    rows = csv_rows(
        client.get(url("league_download", "league", "csv") + f"?framework={framework.id}")
    )
    table = {r[1]: dict(zip(rows[0], r)) for r in rows[1:]}
    assert table["Alpha PDU"]["Change since previous inspection"] == ""
    assert table["Charlie PDU"]["Change since previous inspection"] == "1"
    rows = csv_rows(client.get(url("provider_download", "A-PDU", "overall", "csv")))
    assert [r[rows[0].index("Change since previous")] for r in rows[1:]] == ["", ""]


def test_league_dates_are_gov_uk_date_inputs(two_rounds, client, admin_user):
    framework, *_ = two_rounds
    client.force_login(admin_user)
    html = client.get(url("league") + f"?framework={framework.id}").content.decode()
    assert 'type="date"' not in html
    assert 'name="period_start_0"' in html and "govuk-date-input" in html
    bad = client.get(url("league") + f"?framework={framework.id}&period_start_0=31")
    assert "Earliest end date must include a month and year" in bad.content.decode()
    (filters,) = re.findall(r'<form method="get".*?</form>', html, flags=re.S)
    assert "period_start_0" in filters
    assert "csrfmiddlewaretoken" not in filters  # a GET form puts no token in the address
