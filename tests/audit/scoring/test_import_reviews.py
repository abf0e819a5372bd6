"""Scoring import: a good file writes everything; every bad row is reported, nothing written."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from audit.accounts.roles import Role
from audit.models import (
    CaseReview,
    InspectionStatus,
    Judgement,
    PromptAnswer,
    ReviewEvent,
    ReviewStatus,
)
from audit.scoring.importers import ImportFailed, import_file
from audit.scoring.selectors import case_standards
from cases.models import CRN_RULE
from tests.audit.scoring_support import COMPLETE_FACTS, review_of, scoring_setup

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "reviews.csv"
HEADER = ["crn", "question_code", "answer", "rationale", "assessor"]


def csv_bytes(rows, header=HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def complete_rows(framework, crn, assessor="", *, not_sufficient=None):
    rows = [[crn, name, value, "", assessor] for name, value in COMPLETE_FACTS.items()]
    for standard in case_standards(framework):
        for kq in standard.key_questions.all():
            rows += [[crn, p.code, "yes", "", assessor] for p in kq.prompts.all()]
            if not_sufficient and kq.code in not_sufficient:
                rows.append([crn, kq.code, "Not sufficient", not_sufficient[kq.code], assessor])
            else:
                rows.append([crn, kq.code, "sufficient", "", assessor])
    return rows


@pytest.fixture
def setup(hmip_2018, make_user):
    return scoring_setup(hmip_2018, make_user, cases=3)


def nothing_written(inspection):
    assert not PromptAnswer.objects.exists()
    assert not Judgement.objects.exists()
    assert not ReviewEvent.objects.exists()
    assert set(
        CaseReview.objects.filter(sampled_case__inspection=inspection).values_list(
            "status", "version"
        )
    ) == {(ReviewStatus.NOT_STARTED, 0)}


def test_good_file_submits_complete_reviews_and_leaves_others_in_progress(
    setup, hmip_2018, make_user
):
    inspection, lead = setup["inspection"], setup["lead"]
    other = make_user(Role.ASSESSOR, providers=[setup["provider"]], username="ben")
    rows = complete_rows(
        hmip_2018,
        "X000001",
        "ben",
        not_sufficient={"2.1.3": "Risk to the partner was not analysed."},
    )
    rows += [
        ["X000002", "home_visit_needed", "No", "", ""],
        ["X000002", "2.1.1.a", "N/A", "", ""],
        ["X000002", "2.1.1", "insufficient", "Motivation not explored.", ""],
    ]
    result = import_file(
        inspection=inspection, content=csv_bytes(rows), filename="scores.csv", user=lead
    )
    assert (result.reviews, result.submitted, result.in_progress) == (2, 1, 1)
    first, second = review_of(inspection, "X000001"), review_of(inspection, "X000002")
    assert first.status == ReviewStatus.SUBMITTED and first.submitted_by == lead
    assert first.sampled_case.assessor == other and other in inspection.team.all()
    assert first.home_visit_needed == "no" and first.rosh_level_found == "medium"
    assert Judgement.objects.get(review=first, key_question__code="2.1.3").rationale == (
        "Risk to the partner was not analysed."
    )
    # Case facts rule out 2.3.3.b (no home visit needed): recorded not applicable on submission.
    assert PromptAnswer.objects.get(review=first, prompt__code="2.3.3.b").value == "na"
    assert second.status == ReviewStatus.IN_PROGRESS
    assert PromptAnswer.objects.get(review=second, prompt__code="2.1.1.a").value == "na"
    judged = Judgement.objects.get(review=second, key_question__code="2.1.1")
    assert judged.value == "not_sufficient"
    assert second.sampled_case.assessor == setup["assessor"]  # no assessor given: unchanged
    assert review_of(inspection, "X000003").status == ReviewStatus.NOT_STARTED
    event = ReviewEvent.objects.get(review=first)
    assert event.kind == "imported"
    assert "scores.csv" in event.comment and "submitted" in event.comment
    # History records the import against the importer.
    assert Judgement.history.filter(review_id=first.pk).first().history_user == lead


def test_xlsx_files_import_too(setup, hmip_2018):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in complete_rows(hmip_2018, "X000003"):
        sheet.append(row)
    content = io.BytesIO()
    book.save(content)
    result = import_file(
        inspection=setup["inspection"],
        content=content.getvalue(),
        filename="scores.xlsx",
        user=setup["lead"],
    )
    assert result.submitted == 1
    assert review_of(setup["inspection"], "X000003").status == ReviewStatus.SUBMITTED


BAD_ROWS = [
    (
        ["Z999999", "2.1.1.a", "yes", "", ""],
        "crn",
        "Z999999 is not a sampled case in this inspection.",
    ),
    (["X000001", "2.9.9", "yes", "", ""], "question_code", "Unknown question code “2.9.9”"),
    (
        ["X000001", "2.1.1.a", "maybe", "", ""],
        "answer",
        "“maybe” is not an answer to prompt 2.1.1.a; use yes, no, na.",
    ),
    (
        ["X000001", "2.1.3.a", "na", "", ""],
        "answer",
        "“na” is not an answer to prompt 2.1.3.a; use yes, no.",
    ),
    (
        ["X000001", "2.1.1", "na", "", ""],
        "answer",
        "“na” is not a judgement for key question 2.1.1; use sufficient, not_sufficient.",
    ),
    (
        ["X000001", "home_visit_needed", "perhaps", "", ""],
        "answer",
        "“perhaps” is not an answer to home_visit_needed; use one of: no, yes.",
    ),
    (
        ["X000001", "2.1.2", "not sufficient", "", ""],
        "rationale",
        "Give the rationale for judging 2.1.2 not sufficient.",
    ),
    (["X000001", "2.1.1.b", "yes", "", "nobody"], "assessor", "Unknown assessor “nobody”"),
    (["X000001", "2.1.1.c", "", "", ""], "answer", "Enter an answer for 2.1.1.c."),
]


@pytest.mark.parametrize(
    "bad, column, message", BAD_ROWS, ids=[b[1] + ":" + b[2][:20] for b in BAD_ROWS]
)
def test_each_kind_of_bad_row_is_reported_and_nothing_written(setup, bad, column, message):
    rows = [["X000002", "2.1.1.a", "yes", "", ""], bad, ["X000002", "2.1.1", "sufficient", "", ""]]
    with pytest.raises(ImportFailed) as failed:
        import_file(inspection=setup["inspection"], content=csv_bytes(rows), user=setup["lead"])
    errors = failed.value.errors
    assert len(errors) == 1
    assert (errors[0].row, errors[0].column) == (3, column)
    assert message in errors[0].message
    nothing_written(setup["inspection"])


def test_duplicates_and_conflicting_assessors_are_reported(setup, make_user):
    make_user(Role.ASSESSOR, username="ben")
    make_user(Role.ASSESSOR, username="cat")
    rows = [
        ["X000001", "2.1.1.a", "yes", "", "ben"],
        ["x000001", "2.1.1.a", "no", "", "ben"],
        ["X000001", "2.1.1.b", "yes", "", "cat"],
    ]
    with pytest.raises(ImportFailed) as failed:
        import_file(inspection=setup["inspection"], content=csv_bytes(rows), user=setup["lead"])
    assert [str(e) for e in failed.value.errors] == [
        "Row 3, question_code: Duplicate row: row 2 already answers 2.1.1.a for x000001.",
        "Row 4, assessor: X000001 is given to ben on row 2 and to cat here; a case has one "
        "assessor.",
    ]
    nothing_written(setup["inspection"])


def test_every_bad_row_is_listed_at_once(setup):
    rows = [[crn, "2.1.1.a", "yes", "", ""] for crn in ["Q1", "Q2", "Q3"]]
    rows.append(["", "", "", "", ""])  # blank rows are skipped
    rows.append(["", "2.1.1", "sufficient", "", ""])
    with pytest.raises(ImportFailed) as failed:
        import_file(inspection=setup["inspection"], content=csv_bytes(rows))
    assert [(e.row, e.column) for e in failed.value.errors] == [
        (2, "crn"),
        (3, "crn"),
        (4, "crn"),
        (6, "crn"),
    ]


def test_a_crn_is_matched_as_typed_in_ascii_never_folded(hmip_2018, make_user):
    """x1ﬀ upper-cases to X1FF; it names no case and is refused, not matched to X1FF."""
    setup = scoring_setup(hmip_2018, make_user, crns=["X1FF", "X2"])
    with pytest.raises(ImportFailed) as failed:
        import_file(
            inspection=setup["inspection"],
            content=csv_bytes([["x2", "2.1.1.a", "yes"], ["x1\ufb00", "2.1.1.a", "yes"]]),
        )
    assert [str(e) for e in failed.value.errors] == [
        f"Row 3, crn: “x1\ufb00” is not a CRN: {CRN_RULE}."
    ]
    assert not PromptAnswer.objects.exists()


def test_file_level_problems(setup):
    with pytest.raises(ImportFailed, match="1 problems") as failed:
        import_file(
            inspection=setup["inspection"],
            content=csv_bytes([["X000001", "yes"]], header=["crn", "answer"]),
        )
    assert str(failed.value.errors[0]) == "Row 1: Missing column: question_code."
    with pytest.raises(ImportFailed) as failed:
        import_file(inspection=setup["inspection"], content=csv_bytes([]))
    assert "no rows" in failed.value.errors[0].message


def test_submitted_reviews_and_published_inspections_refuse_imports(setup, hmip_2018):
    inspection = setup["inspection"]
    import_file(inspection=inspection, content=csv_bytes(complete_rows(hmip_2018, "X000001")))
    with pytest.raises(ImportFailed) as failed:
        import_file(inspection=inspection, content=csv_bytes(complete_rows(hmip_2018, "X000001")))
    assert len(failed.value.errors) == 1
    assert "X000001 is already submitted" in failed.value.errors[0].message
    type(inspection).objects.filter(pk=inspection.pk).update(status=InspectionStatus.PUBLISHED)
    inspection.refresh_from_db()
    with pytest.raises(ImportFailed, match="1 problems") as failed:
        import_file(inspection=inspection, content=csv_bytes([["X000002", "2.1.1.a", "yes"]]))
    assert "published" in failed.value.errors[0].message
    assert not PromptAnswer.objects.filter(review__sampled_case__case__crn="X000002").exists()


def test_the_example_file_imports(hmip_2021, make_user):
    """docs/examples/reviews.csv fits the demo inspection's not-started cases."""
    setup = scoring_setup(hmip_2021, make_user, crns=["X100114", "X200114"], rosh_level="high")
    make_user(Role.ASSESSOR, username="assessor")
    make_user(Role.ASSESSOR, username="assessor2")
    result = import_file(
        inspection=setup["inspection"], content=EXAMPLE.read_bytes(), filename=EXAMPLE.name
    )
    assert (result.submitted, result.in_progress) == (1, 1)
    assert review_of(setup["inspection"], "X100114").status == ReviewStatus.SUBMITTED


def test_command_imports_and_reports_errors(setup, hmip_2018, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(complete_rows(hmip_2018, "X000001")))
    call_command(
        "import_reviews", str(good), inspection=setup["inspection"].pk, user=setup["lead"].username
    )
    assert "1 complete and submitted, 0 in progress" in capsys.readouterr().out
    assert review_of(setup["inspection"], "X000001").status == ReviewStatus.SUBMITTED
    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        csv_bytes(
            [["X000002", "2.1.1.a", "perhaps", "", ""], ["X000404", "2.1.1.a", "yes", "", ""]]
        )
    )
    with pytest.raises(CommandError, match="bad.csv: 2 problem"):
        call_command("import_reviews", str(bad), inspection=setup["inspection"].pk)
    err = capsys.readouterr().err
    assert "Row 2, answer" in err and "Row 3, crn: X000404" in err
    with pytest.raises(CommandError, match="no inspection with id 999"):
        call_command("import_reviews", str(good), inspection=999)


def test_upload_page(client, setup, hmip_2018):
    url = reverse("audit:inspection_import", args=[setup["inspection"].pk])
    client.force_login(setup["assessor"])
    assert client.get(url).status_code == 404
    client.force_login(setup["lead"])
    bad = SimpleUploadedFile("bad.csv", csv_bytes([["X000404", "2.1.1.a", "yes", "", ""]]))
    response = client.post(url, {"file": bad}, follow=True)
    html = response.content.decode()
    assert "There is a problem with the file" in html
    assert "Nothing has been imported. 1 problem in the file" in html
    assert "X000404 is not a sampled case in this inspection." in html
    assert 'name="upload"' not in html
    good = SimpleUploadedFile("good.csv", csv_bytes(complete_rows(hmip_2018, "X000002")))
    preview = client.post(url, {"file": good}, follow=True)
    html = preview.content.decode()
    assert "Check the scored reviews" in html
    assert re.search(r"Complete, to be submitted</dt>\s*<dd[^>]*>1<", html)
    assert review_of(setup["inspection"], "X000002").status != ReviewStatus.SUBMITTED  # a preview
    token = re.search(r'name="upload" value="([0-9a-f]+)"', html).group(1)
    confirm = reverse("audit:review_import_confirm", args=[setup["inspection"].pk])
    done = client.post(confirm, {"upload": token}, follow=True)
    assert done.redirect_chain[-1][0] == reverse(
        "audit:inspection_detail", args=[setup["inspection"].pk]
    )
    assert "1 complete and submitted" in done.content.decode()
    assert review_of(setup["inspection"], "X000002").status == ReviewStatus.SUBMITTED
    # the file went with the import: confirming again finds nothing
    assert client.post(confirm, {"upload": token}).status_code == 404


def test_case_facts_that_contradict_each_other_are_refused_by_the_framework_rules(setup):
    rows = [
        ["X000001", "home_visit_needed", "yes", "", ""],
        ["X000001", "home_visit_made", "na", "", ""],
        ["X000002", "home_visit_made", "na", "", ""],
        ["X000003", "rosh_screening_completed", "no", "", ""],
        ["X000003", "rosh_screening_on_time", "yes", "", ""],
    ]
    with pytest.raises(ImportFailed) as failed:
        import_file(inspection=setup["inspection"], content=csv_bytes(rows))
    assert [str(e) for e in failed.value.errors] == [
        "Row 3, answer: X000001: A home visit was needed, so select whether a home visit was made.",
        "Row 6, answer: X000003: No RoSH screening was completed, so do not answer whether the "
        "RoSH screening was completed on time.",
    ]
    nothing_written(setup["inspection"])


def test_imported_facts_that_rule_out_a_question_give_it_its_value(setup):
    import_file(
        inspection=setup["inspection"],
        content=csv_bytes(
            [
                ["X000001", "rosh_screening_completed", "no", "", ""],
                ["X000001", "domestic_abuse_enquiries_needed", "no", "", ""],
            ]
        ),
    )
    review = review_of(setup["inspection"], "X000001")
    assert (
        review.rosh_level_found,
        review.rosh_screening_on_time,
        review.domestic_abuse_enquiries_made,
        review.domestic_abuse_reply_received,
    ) == ("not_screened", "na", "na", "na")
