"""Provider pages, caseload upload -> preview -> confirm, and the sampling pages, with scoping."""

import datetime
import os
import re
import stat
import tempfile
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.accounts.roles import Role
from cases import sampling, uploads
from cases.models import Case, Sample

from ..factories import CaseFactory, ProviderFactory
from .helpers import HEADER, csv_bytes, row, rows, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def upload_dir(tmp_path, settings):
    settings.CASELOAD_UPLOAD_DIR = str(tmp_path / "uploads")
    return tmp_path / "uploads"


@pytest.fixture
def region():
    return ProviderFactory(code="REG-X", name="Region X", type="region")


@pytest.fixture
def pdu_a(region):
    return ProviderFactory(code="PDU-A", name="Alpha PDU", parent=region)


@pytest.fixture
def pdu_b(region):
    return ProviderFactory(code="PDU-B", name="Bravo PDU", parent=region)


@pytest.fixture
def elsewhere():
    return ProviderFactory(code="PDU-Z", name="Zulu PDU")


@pytest.fixture
def manager(make_user, pdu_a):
    return make_user(Role.MANAGER, providers=[pdu_a])


@pytest.fixture
def lead(make_user, region):
    return make_user(Role.LEAD, providers=[region])


def upload(client, data, name="caseload.csv", provider="", url=None):
    """Upload a file; the job checking it runs at once (tests' task backend): its page follows."""
    return client.post(
        url or reverse("cases:caseload_upload"),
        {"file": SimpleUploadedFile(name, data), "provider": provider},
        follow=True,
    )


def confirm(client, token):
    """Confirm an upload: the write job runs at once, and its page sends on to the provider's."""
    return client.post(reverse("cases:caseload_confirm"), {"upload": token}, follow=True)


def token_of(response) -> str:
    match = re.search(r'name="upload" value="([0-9a-f]+)"', response.content.decode())
    assert match, "the preview has no confirm form"
    return match.group(1)


# Providers ---------------------------------------------------------------------------------


def test_provider_list_shows_the_visible_tree_with_counts(
    client, lead, region, pdu_a, pdu_b, elsewhere, django_assert_max_num_queries
):
    CaseFactory.create_batch(3, provider=pdu_a)
    ProviderFactory(code="TEAM-A1", name="Alpha team one", parent=pdu_a, type="team")
    client.force_login(lead)
    # session, permissions, roles, one per level of the tree for scoping, then 3 for the page
    with django_assert_max_num_queries(16):
        page = client.get(reverse("cases:provider_list"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Region X" in html and "Alpha PDU" in html and "Alpha team one" in html
    assert "Zulu PDU" not in html
    assert "3 cases" in html
    # nested: the team sits inside Alpha's list, which sits inside the region's
    assert html.index("Region X") < html.index("Alpha PDU") < html.index("Alpha team one")
    assert html.count("app-tree__children") == 2


def test_provider_pages_need_permission(client, make_user, pdu_a):
    assessor = make_user(Role.ASSESSOR, providers=[pdu_a])
    client.force_login(assessor)
    assert client.get(reverse("cases:provider_list")).status_code == 403
    assert client.get(reverse("cases:provider_detail", args=["PDU-A"])).status_code == 403


def test_provider_detail_shows_strata_of_it_and_its_units(
    client, lead, region, pdu_a, pdu_b, django_assert_max_num_queries
):
    CaseFactory.create_batch(4, provider=pdu_a, rosh_level="high", sentence_type="licence")
    CaseFactory.create_batch(2, provider=pdu_b, gender="female")
    client.force_login(lead)
    with django_assert_max_num_queries(18):
        page = client.get(reverse("cases:provider_detail", args=["REG-X"]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "6 cases, including its units" in html
    assert "High, licence or PSS" in html
    assert "Medium, community sentence, female" in html
    assert "Alpha PDU" in html and "Bravo PDU" in html


def test_provider_outside_scope_is_404(client, manager, elsewhere, region):
    client.force_login(manager)
    assert client.get(reverse("cases:provider_detail", args=["PDU-Z"])).status_code == 404
    assert client.get(reverse("cases:provider_detail", args=["REG-X"])).status_code == 404
    assert client.get(reverse("cases:provider_detail", args=["PDU-A"])).status_code == 200


# Upload, preview, confirm ----------------------------------------------------------------------


def test_upload_page_shows_form_and_columns(client, manager):
    client.force_login(manager)
    page = client.get(reverse("cases:caseload_upload"))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in html
    assert "govuk-file-upload" in html
    for name in HEADER:
        assert f"<code>{name}</code>" in html


def test_upload_preview_confirm_imports(client, manager, pdu_a):
    client.force_login(manager)
    CaseFactory(crn="A000002", provider=pdu_a, rosh_level="low")
    preview = upload(client, csv_bytes(rows(3)))
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "Check the caseload" in html
    assert "A000001" in html and "A000003" in html
    assert re.search(r"New cases</dt>\s*<dd[^>]*>2<", html)
    assert re.search(r"to be updated</dt>\s*<dd[^>]*>1<", html)
    assert Case.objects.count() == 1  # nothing written by the preview

    done = confirm(client, token_of(preview))
    job_url = done.redirect_chain[0][0]
    assert [url for url, _ in done.redirect_chain] == [job_url, reverse("cases:provider_list")]
    assert Case.objects.count() == 3
    assert Case.objects.get(crn="A000002").rosh_level == "medium"
    assert "2 new cases, 1 updated" in done.content.decode()
    # the job's page, seen again (from the home page), says what it did
    assert "2 new cases, 1 updated" in client.get(job_url).content.decode()

    # the staged file is gone: confirming again finds nothing
    again = client.post(reverse("cases:caseload_confirm"), {"upload": token_of(preview)})
    assert again.status_code == 404
    assert Case.objects.count() == 3


def test_upload_xlsx_with_chosen_provider(client, manager, pdu_a):
    client.force_login(manager)
    header = [name for name in HEADER if name != "provider"]
    preview = upload(
        client,
        xlsx_bytes(rows(2), header=header),
        "caseload.xlsx",
        provider="PDU-A",
        url=reverse("cases:provider_caseload_upload", args=["PDU-A"]),
    )
    assert preview.status_code == 200
    done = confirm(client, token_of(preview))
    assert done.redirect_chain[-1][0] == reverse("cases:provider_detail", args=["PDU-A"])
    assert set(Case.objects.values_list("provider__code", flat=True)) == {"PDU-A"}


def test_bad_file_preview_lists_every_problem_and_offers_no_confirm(client, manager, pdu_a):
    client.force_login(manager)
    data = csv_bytes(
        [row("A000001", rosh_level="extreme"), row("A000002"), row("A000001", start_date="soon")]
    )
    page = upload(client, data)
    html = page.content.decode()
    assert page.status_code == 200
    assert "There is a problem with the caseload" in html
    assert "Nothing has been saved" in html
    assert "3 problems in 2 of 3 rows" in html
    assert "Unknown RoSH level &#x27;extreme&#x27;" in html
    assert "The CRN A000001 is also on row 2" in html
    assert re.search(r"<td[^>]*>4</td>\s*<td[^>]*><code>start_date</code></td>", html)
    assert 'name="upload"' not in html
    assert Case.objects.count() == 0


def test_missing_column_preview(client, manager, pdu_a):
    client.force_login(manager)
    header = [name for name in HEADER if name != "gender"]
    page = upload(client, csv_bytes(rows(2), header=header))
    html = page.content.decode()
    assert "Whole file" in html and "The file has no column for gender" in html


def test_upload_form_errors(client, manager):
    client.force_login(manager)
    missing = client.post(reverse("cases:caseload_upload"), {})
    assert "Choose a caseload file" in missing.content.decode()
    assert "govuk-error-summary" in missing.content.decode()
    wrong = upload(client, b"%PDF-1.4", "caseload.pdf")
    assert "must be a CSV or XLSX file" in wrong.content.decode()


def test_upload_scoped_to_the_managers_providers(client, manager, pdu_a, elsewhere):
    client.force_login(manager)
    assert client.get(reverse("cases:provider_caseload_upload", args=["PDU-Z"])).status_code == 404
    # a provider outside scope cannot be chosen ...
    page = upload(client, csv_bytes(rows(1)), provider="PDU-Z")
    assert "Select a valid choice" in page.content.decode()
    # ... nor named in the file
    page = upload(client, csv_bytes([row("A000001", "PDU-Z")]))
    assert (
        "Unknown provider code &#x27;PDU-Z&#x27;, or not a provider you manage."
        in page.content.decode()
    )
    assert Case.objects.count() == 0


def test_upload_needs_add_case(client, lead):
    client.force_login(lead)
    assert client.get(reverse("cases:caseload_upload")).status_code == 403


def test_confirm_someone_elses_upload_is_404(client, manager, make_user, pdu_a):
    client.force_login(manager)
    preview = upload(client, csv_bytes(rows(2)))
    token = token_of(preview)
    other = make_user(Role.MANAGER, providers=[pdu_a])
    client.force_login(other)
    assert client.post(reverse("cases:caseload_confirm"), {"upload": token}).status_code == 404
    assert (
        client.post(reverse("cases:caseload_confirm"), {"upload": "../../etc"}).status_code == 404
    )
    assert Case.objects.count() == 0


def test_confirm_revalidates_the_staged_file(client, manager, pdu_a, upload_dir):
    client.force_login(manager)
    preview = upload(client, csv_bytes(rows(2)))
    token = token_of(preview)
    (upload_dir / f"{token}.upload").write_bytes(csv_bytes(rows(2, rosh_level="nonsense")))
    response = client.post(reverse("cases:caseload_confirm"), {"upload": token})
    assert response.status_code == 404  # a file changed on disk is refused
    assert Case.objects.count() == 0


def test_confirm_reports_problems_that_appeared_since_the_preview(client, manager, pdu_a, pdu_b):
    client.force_login(manager)
    preview = upload(client, csv_bytes(rows(2)))
    CaseFactory(crn="A000002", provider=pdu_b)  # now held by a provider the manager cannot see
    response = confirm(client, token_of(preview))
    assert response.status_code == 200
    assert "There is a problem with the caseload" in response.content.decode()
    assert "belongs to a provider you do not manage" in response.content.decode()
    assert Case.objects.count() == 1


def test_staged_uploads_are_private_files(client, manager, pdu_a, upload_dir):
    client.force_login(manager)
    token = token_of(upload(client, csv_bytes(rows(1))))
    path = upload_dir / f"{token}.upload"
    assert path.exists()
    assert path.stat().st_mode & 0o077 == 0
    assert set(client.session[uploads.SESSION_KEY]) == {token}


def test_staged_uploads_default_to_a_private_folder_of_the_project(
    client, manager, pdu_a, settings, tmp_path
):
    from audit.config.settings import base

    default = Path(base.CASELOAD_UPLOAD_DIR)
    assert default == base.BASE_DIR / "var" / "uploads"
    # Not the shared temporary folder (the project itself may sit under it, as in a CI clone).
    assert default.is_relative_to(base.BASE_DIR)
    assert not default.is_relative_to(tempfile.gettempdir()) or base.BASE_DIR.is_relative_to(
        tempfile.gettempdir()
    )
    # A folder that exists with wider access is narrowed before a file goes in.
    folder = tmp_path / "project-var" / "uploads"
    folder.mkdir(parents=True, mode=0o755)
    settings.CASELOAD_UPLOAD_DIR = str(folder)
    client.force_login(manager)
    token = token_of(upload(client, csv_bytes(rows(1))))
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / f"{token}.upload").stat().st_mode) == 0o600


def test_confirming_removes_the_file(client, manager, pdu_a, upload_dir):
    client.force_login(manager)
    token = token_of(upload(client, csv_bytes(rows(2))))
    assert client.post(reverse("cases:caseload_confirm"), {"upload": token}).status_code == 302
    assert list(upload_dir.iterdir()) == []
    assert client.session[uploads.SESSION_KEY] == {}


def test_cancelling_deletes_the_file_and_imports_nothing(client, manager, pdu_a, upload_dir):
    client.force_login(manager)
    preview = upload(client, csv_bytes(rows(2)))
    html = preview.content.decode()
    assert f'formaction="{reverse("cases:caseload_cancel")}"' in html
    token = token_of(preview)
    response = client.post(reverse("cases:caseload_cancel"), {"upload": token})
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:caseload_upload")
    assert "file you uploaded is deleted" in client.get(response["Location"]).content.decode()
    assert list(upload_dir.iterdir()) == []
    assert client.session[uploads.SESSION_KEY] == {}
    assert client.post(reverse("cases:caseload_confirm"), {"upload": token}).status_code == 404
    assert Case.objects.count() == 0


def test_cancelling_needs_the_upload_permission_and_an_upload_of_ones_own(
    client, lead, manager, make_user, pdu_a, upload_dir
):
    client.force_login(lead)
    assert client.post(reverse("cases:caseload_cancel"), {"upload": "ab"}).status_code == 403
    client.force_login(manager)
    token = token_of(upload(client, csv_bytes(rows(1))))
    client.force_login(make_user(Role.MANAGER, providers=[pdu_a]))
    assert client.post(reverse("cases:caseload_cancel"), {"upload": token}).status_code == 404
    assert (upload_dir / f"{token}.upload").exists()  # someone else's upload is left alone


def test_unconfirmed_uploads_expire_and_are_swept_by_the_next_upload(
    client, manager, pdu_a, upload_dir, settings
):
    settings.CASELOAD_UPLOAD_MAX_AGE = 60 * 60
    client.force_login(manager)
    old, recent = (
        token_of(upload(client, csv_bytes(rows(1)))),
        token_of(upload(client, csv_bytes(rows(2)))),
    )
    hours_ago = time.time() - 2 * 60 * 60
    os.utime(upload_dir / f"{old}.upload", (hours_ago, hours_ago))
    stray = upload_dir / "0123abcd.claimed"  # left by an import that died
    stray.write_bytes(b"crn\n")
    os.utime(stray, (hours_ago, hours_ago))
    newest = token_of(upload(client, csv_bytes(rows(3))))
    assert sorted(p.name for p in upload_dir.iterdir()) == sorted(
        [f"{recent}.upload", f"{newest}.upload"]
    )
    assert client.post(reverse("cases:caseload_confirm"), {"upload": old}).status_code == 404


# Sampling pages ----------------------------------------------------------------------------


@pytest.fixture
def caseload(pdu_a, pdu_b):
    for i in range(120):
        CaseFactory(
            crn=f"K{i:05d}",
            provider=pdu_a if i % 3 else pdu_b,
            rosh_level=["low", "medium", "high"][i % 3],
            sentence_type=["community_order", "licence"][i % 2],
            gender="female" if i % 10 == 0 else "male",
            start_date=datetime.date(2026, 2, 1) + datetime.timedelta(days=i % 60),
        )


def sample_post(providers=("REG-X",), size="", seed="", **extra):
    return {
        "providers": list(providers),
        "window_start_0": "1",
        "window_start_1": "1",
        "window_start_2": "2026",
        "window_end_0": "30",
        "window_end_1": "6",
        "window_end_2": "2026",
        "confidence": "95",
        "margin": "5",
        "size": size,
        "seed": seed,
        **extra,
    }


def test_check_shows_caseload_and_suggested_size(client, lead, caseload):
    client.force_login(lead)
    page = client.post(reverse("cases:sample_new"), sample_post())
    html = page.content.decode()
    assert page.status_code == 200
    assert "Eligible caseload: 120 cases" in html
    expected = sampling.sample_size(120, 95, 0.05)
    assert f'<strong id="suggested-size">{expected}</strong>' in html
    assert f'value="{expected}"' in html  # the size field is filled in with the suggestion
    assert "The eligible caseload" in html and "Low, community sentence" in html
    assert Sample.objects.count() == 0


def test_draw_creates_sample_and_detail_shows_strata_and_margins(
    client, lead, caseload, django_assert_max_num_queries
):
    client.force_login(lead)
    response = client.post(reverse("cases:sample_draw"), sample_post(size="30", seed="4242"))
    sample = Sample.objects.get()
    assert response["Location"] == reverse("cases:sample_detail", args=[sample.pk])
    assert (sample.seed, sample.requested_size, sample.caseload_size) == (4242, 30, 120)
    assert sample.drawn_by == lead.username
    with django_assert_max_num_queries(15):
        page = client.get(response["Location"])
    html = page.content.decode()
    assert "Seed 4242" in html
    assert "Proportional share" in html and "% of sample" in html
    for level in (80, 95):
        margin = 100 * sampling.margin_of_error(30, 120, level)
        assert f"±{margin:.1f}%" in html
    assert "By gender" in html and "Female" in html
    for crn in sample.cases.values_list("crn", flat=True):
        assert crn in html


def test_each_button_posts_to_its_own_url_keeping_the_provider(client, lead, caseload):
    client.force_login(lead)
    query = "?provider=REG-X"
    refused = client.post(reverse("cases:sample_draw") + query, sample_post(size="500"))
    html = refused.content.decode()
    assert f'action="{reverse("cases:sample_new")}{query}"' in html
    assert f'formaction="{reverse("cases:sample_draw")}{query}"' in html
    assert "Eligible caseload: 120 cases" in html  # the check is shown with the refusal
    assert client.get(reverse("cases:sample_draw")).status_code == 405


def test_draw_without_seed_records_a_random_one(client, lead, caseload):
    client.force_login(lead)
    client.post(reverse("cases:sample_draw"), sample_post(size="10"))
    sample = Sample.objects.get()
    assert 0 <= sample.seed < 10**9
    assert sample.cases.count() == 10


def test_draw_validation(client, lead, caseload):
    client.force_login(lead)
    too_big = client.post(reverse("cases:sample_draw"), sample_post(size="500"))
    assert too_big.status_code == 400
    assert "no more than the caseload (120)" in too_big.content.decode()
    no_size = client.post(reverse("cases:sample_draw"), sample_post())
    assert "Enter the sample size" in no_size.content.decode()
    backwards = client.post(
        reverse("cases:sample_draw"), sample_post(window_end_2="2025", size="5")
    )
    assert "Window end must be on or after the window start" in backwards.content.decode()
    no_date = client.post(
        reverse("cases:sample_new"), sample_post(window_start_0="31", window_start_1="2")
    )
    assert "Enter a real window start date" in no_date.content.decode()
    assert Sample.objects.count() == 0


def test_sample_pages_scoped(client, lead, make_user, caseload, elsewhere, pdu_a):
    client.force_login(lead)
    foreign = client.post(reverse("cases:sample_new"), sample_post(providers=["PDU-Z"]))
    assert "Select a valid choice" in foreign.content.decode()
    assert client.get(reverse("cases:sample_new") + "?provider=PDU-Z").status_code == 404
    sample = sampling.draw_sample(
        providers=[pdu_a],
        size=5,
        seed=1,
        window_start=datetime.date(2026, 1, 1),
        window_end=datetime.date(2026, 6, 30),
    )
    outsider = make_user(Role.LEAD, providers=[elsewhere])
    client.force_login(outsider)
    assert client.get(reverse("cases:sample_detail", args=[sample.pk])).status_code == 404
    assert client.get(reverse("cases:sample_csv", args=[sample.pk])).status_code == 404
    listing = client.get(reverse("cases:sample_list")).content.decode()
    assert "No sample has been drawn yet" in listing
    assert reverse("cases:sample_detail", args=[sample.pk]) not in listing


def test_sample_new_needs_add_sample(client, manager):
    client.force_login(manager)
    assert client.get(reverse("cases:sample_new")).status_code == 403


def test_sample_csv_lists_the_sampled_crns(client, lead, caseload, pdu_a):
    sample = sampling.draw_sample(
        providers=[pdu_a],
        size=12,
        seed=8,
        window_start=datetime.date(2026, 1, 1),
        window_end=datetime.date(2026, 6, 30),
    )
    client.force_login(lead)
    response = client.get(reverse("cases:sample_csv", args=[sample.pk]))
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().strip().splitlines()
    assert lines[0] == "crn,provider,sentence_type,start_date,rosh_level,gender,stratum,seed"
    crns = [line.split(",")[0] for line in lines[1:]]
    assert crns == sorted(sample.cases.values_list("crn", flat=True))
    assert all(line.endswith(",8") for line in lines[1:])


def test_sample_list(client, lead, caseload, pdu_a):
    sampling.draw_sample(
        providers=[pdu_a],
        size=7,
        seed=77,
        window_start=datetime.date(2026, 1, 1),
        window_end=datetime.date(2026, 6, 30),
    )
    client.force_login(lead)
    html = client.get(reverse("cases:sample_list")).content.decode()
    assert "7 cases" in html and "<code>77</code>" in html and "PDU-A" in html


def test_provider_admin_shows_the_tree_and_searches(
    client, admin_user, region, pdu_a, django_assert_max_num_queries
):
    ProviderFactory(code="TEAM-A1", name="Alpha team one", parent=pdu_a, type="team")
    client.force_login(admin_user)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("admin:cases_provider_changelist"))
    assert "REG-X › PDU-A › TEAM-A1" in page.content.decode()
    found = client.get(reverse("admin:cases_provider_changelist") + "?q=Alpha+team")
    assert "TEAM-A1" in found.content.decode()
    assert re.search(r"1 result \(<a [^>]*>3 total</a>\)", found.content.decode())
    detail = client.get(reverse("admin:cases_provider_change", args=[pdu_a.pk]))
    assert "units beneath this provider" in detail.content.decode().lower()
    assert "TEAM-A1" in detail.content.decode()


def test_upload_with_case_dates_previews_and_imports_them(client, manager, pdu_a):
    """The preview kept by the check job holds the dates, and the confirmed write stores them."""
    client.force_login(manager)
    header = [*HEADER, "allocation_date", "first_appointment_date"]
    dated = [
        row("A000001", allocation_date="2026-03-02", first_appointment_date="06/03/2026"),
        row("A000002", allocation_date=""),
    ]
    preview = upload(client, csv_bytes(dated, header))
    assert preview.status_code == 200 and "A000002" in preview.content.decode()
    confirm(client, token_of(preview))
    case = Case.objects.get(crn="A000001")
    assert (case.allocation_date, case.first_appointment_date) == (
        datetime.date(2026, 3, 2),
        datetime.date(2026, 3, 6),
    )
    assert Case.objects.get(crn="A000002").allocation_date is None

    refused = upload(client, csv_bytes([row("A000003", allocation_date="2026-02-01")], header))
    html = refused.content.decode()
    assert "allocation_date" in html and "is before the sentence or release date" in html
    assert not Case.objects.filter(crn="A000003").exists()
