"""Retention: `purge_case_data` removes the case data of old published inspections and nothing
else, all at once, records itself in the trail, and leaves every report figure as it was."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from audit.accounts.roles import Role
from audit.models import (
    AuditEvent,
    CaseReview,
    InspectionStatus,
    Judgement,
    ModerationJudgement,
    ModerationRead,
    PromptAnswer,
    PublishedFigures,
    Resolution,
    ReviewEvent,
)
from audit.reports.breakdowns import DIMENSIONS
from audit.reports.inspection import InspectionReport
from audit.reports.rollup import rollup
from audit.reports.rollup_export import rollup_to_dict
from audit.retention import services as retention
from audit.trail import trail
from cases.models import Case, Sample
from tests.audit.rollup_data import (
    NA,
    N,
    S,
    add_review,
    inspection_of,
    provider,
    rate,
    small_framework,
)
from tests.factories import PromptFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 30)
LONG_AGO = timezone.make_aware(datetime.datetime(2023, 6, 1, 12, 0))
RECENTLY = timezone.make_aware(datetime.datetime(2026, 6, 1, 12, 0))


@pytest.fixture
def world(make_user, settings):
    """An inspection published long ago, with every kind of case data; one published recently;
    one in fieldwork that sampled a case of the old one."""
    settings.CASE_DATA_RETENTION_DAYS = 730
    framework, standards, kqs = small_framework()
    kqs["2.1.3"] = kqs["2.1.1"].__class__.objects.create(
        standard=standards["2.1"], code="2.1.3", order=3, wording="Risk assessed?"
    )
    prompt = PromptFactory(key_question=kqs["2.1.3"], code="2.1.3.a")
    north, south = provider(code="PDU-N", name="North"), provider(code="PDU-S", name="South")
    lead = make_user(Role.LEAD, providers=[north, south])
    old = inspection_of(framework, north, south, title="Old audit", lead=lead)
    recent = inspection_of(framework, north, title="Recent audit")
    live = inspection_of(framework, north, title="Live audit")
    reviews = []
    for i in range(12):
        where = north if i % 3 else south
        review = add_review(
            old,
            where,
            {
                kqs["2.1.1"]: (S, N, S)[i % 3],
                kqs["2.1.2"]: (S, S, NA, N)[i % 4],
                kqs["2.2.1"]: (N, S)[i % 2],
                kqs["2.1.3"]: S,
            },
            resolutions={kqs["2.1.1"]: S} if i == 1 else None,
            ethnicity=("White", "Asian", "Black")[i % 3],
            rosh_level=("low", "high")[i % 2],
            rosh_screening_completed=("yes", "no")[i % 2],
            home_visit_needed="yes",
            home_visit_made=("yes", "no", "yes")[i % 3],
        )
        PromptAnswer.objects.create(review=review, prompt=prompt, value=("yes", "no")[i % 2])
        review.rosh_level_found = "medium"
        review.save()  # a change kept in the review's history
        reviews.append(review)
    read = ModerationRead.objects.create(review=reviews[1], reason=ModerationRead.Reason.RANDOM)
    ModerationJudgement.objects.create(read=read, key_question=kqs["2.1.1"], value=S)
    ReviewEvent.objects.create(review=reviews[0], kind=ReviewEvent.Kind.SUBMITTED, actor=lead)
    rate(old, north, standards["1.1"], "good")
    rate(old, south, standards["2.2"], "requires_improvement", "Override on fieldwork evidence.")
    trail.record(user=lead, action=trail.Action.VIEWED, obj=reviews[0])
    trail.record(user=lead, action=trail.Action.STATUS_CHANGED, obj=old)
    trail.record(user=lead, action=trail.Action.EXPORTED, obj=old, object_type="inspection_report")
    sample = Sample.objects.create(
        window_start="2023-01-01",
        window_end="2023-03-31",
        requested_size=12,
        seed=1,
        caseload_size=12,
    )
    sample.cases.set(Case.objects.filter(sampled_in__inspection=old))
    sample.providers.set([north, south])
    old.sample = sample
    old.status, old.published_at = InspectionStatus.PUBLISHED, LONG_AGO
    old.save()
    shared_case = reviews[3].sampled_case.case  # also sampled by the live inspection
    live_review = add_review(live, north, {kqs["2.1.1"]: S}, case=shared_case)
    trail.record(user=lead, action=trail.Action.VIEWED, obj=live_review)
    recent_review = add_review(recent, north, {kqs["2.1.1"]: N})
    recent.status, recent.published_at = InspectionStatus.PUBLISHED, RECENTLY
    recent.save()
    return {
        "old": old,
        "recent": recent,
        "live": live,
        "north": north,
        "south": south,
        "lead": lead,
        "shared_case": shared_case,
        "reviews": reviews,
        "kept_reviews": [live_review, recent_review],
    }


def purge(before="2024-11-30", **kwargs):
    return retention.purge_case_data(
        before=datetime.date.fromisoformat(before), today=TODAY, **kwargs
    )


def figures(inspection, provider_ids=None):
    """Everything the reports show of an inspection: the roll-up and every table of the report
    (providers, standards, key questions, focus measures and each breakdown), whole and by
    provider."""
    inspection.refresh_from_db()
    result = rollup(inspection, provider_ids=provider_ids)
    shown = {"rollup": rollup_to_dict(result)}
    for scope in ["", *(p.code for p in result.providers)]:
        report = InspectionReport(
            inspection,
            provider_ids=provider_ids,
            provider_code=scope,
            result=result,
            dimensions=DIMENSIONS,
        )
        shown[scope] = [(table.slug, table.columns, table.rows) for table in report.build_tables()]
    return shown


def test_the_report_of_a_purged_inspection_shows_the_same_figures(world):
    old, north = world["old"], world["north"]
    before, before_north = figures(old), figures(old, provider_ids={north.id})
    assert before["rollup"]["whole_inspection"]["reviews"] == 12
    purge()
    assert not CaseReview.objects.filter(sampled_case__inspection=old).exists()
    assert figures(old) == before
    assert figures(old, provider_ids={north.id}) == before_north


def test_the_report_page_and_downloads_after_the_purge(client, world):
    old = world["old"]
    client.force_login(world["lead"])
    url = reverse("reports:inspection", args=[old.id])
    page = client.get(url, {"by": "ethnicity"}).content.decode()
    tables = ["standards", "key-questions", "focus-measures", "breakdown-ethnicity"]

    def downloads():
        found = [
            client.get(reverse("reports:inspection_download", args=[old.id, slug, "csv"]))
            for slug in tables
        ]
        assert [response.status_code for response in found] == [200] * len(tables)
        return [response.content for response in found]

    before = downloads()
    purge()
    after = client.get(url, {"by": "ethnicity"})
    assert after.status_code == 200
    html = after.content.decode()
    assert "The case records of this inspection were removed on" in html
    for cell in ("Asian", "White", "Black", "fewer than 5 cases"):
        assert (cell in page) == (cell in html)
    assert downloads() == before


def test_the_purge_removes_case_data_history_and_trail_of_old_inspections_only(world):
    old, live, recent = world["old"], world["live"], world["recent"]
    review_ids = [r.id for r in world["reviews"]]
    history = CaseReview.history.model.objects
    assert history.filter(id__in=review_ids).count() >= 24
    kept_events = set(
        AuditEvent.objects.exclude(
            object_type__in=["inspection", "casereview", "inspection_report"]
        ).values_list("id", flat=True)
    )
    report = purge()

    assert report.inspections == ["Old audit"]
    assert report.removed["reviews"] == 12 and report.removed["sampled cases"] == 12
    assert report.removed["judgements"] == 48 and report.removed["prompt answers"] == 12
    assert report.removed["resolutions"] == 1 and report.removed["moderation reads"] == 1
    assert report.removed["cases"] == 11  # one is still sampled by the live inspection
    assert report.removed["samples"] == 1 and report.removed["trail entries"] == 3
    assert not history.filter(id__in=review_ids).exists()
    assert not Judgement.history.model.objects.filter(review_id__in=review_ids).exists()
    assert not Resolution.history.model.objects.exists()
    assert not PromptAnswer.objects.filter(review_id__in=review_ids).exists()
    assert not ModerationJudgement.objects.exists() and not ReviewEvent.objects.exists()
    assert not Sample.objects.exists()
    assert Case.objects.filter(pk=world["shared_case"].pk).exists()
    assert not AuditEvent.objects.filter(
        object_id=str(old.id), object_type__in=["inspection", "inspection_report"]
    )
    # The others keep everything.
    for review in world["kept_reviews"]:
        assert CaseReview.objects.filter(pk=review.pk).exists()
        assert Judgement.objects.filter(review=review).exists()
        assert history.filter(id=review.pk).exists()
    assert AuditEvent.objects.filter(
        object_type="casereview", object_id=str(world["kept_reviews"][0].pk)
    ).exists()
    assert set(AuditEvent.objects.exclude(action="purged").values_list("id", flat=True)) >= (
        kept_events
    )
    old.refresh_from_db()
    assert old.case_data_purged_at is not None and old.sample is None
    assert old.status == InspectionStatus.PUBLISHED
    assert live.sampled_cases.count() == 1 and recent.sampled_cases.count() == 1
    # The lead's ratings are published figures: kept.
    assert old.standard_judgements.count() == 2


def test_the_purge_is_recorded_in_the_trail_without_case_data(world):
    report = purge()
    event = AuditEvent.objects.get(action=AuditEvent.Action.PURGED)
    assert event.username == "system"
    assert event.object_label == "Case data of 1 inspection published before 2024-11-30"
    assert event.detail == {
        "before": "2024-11-30",
        "inspections": [world["old"].id],
        "removed": report.removed,
    }
    crns = Case.objects.values_list("crn", flat=True)
    assert not any(crn in str(event.detail) + event.object_label for crn in crns)


def test_a_dry_run_counts_and_changes_nothing(world):
    counts = (
        CaseReview.objects.count(),
        Case.objects.count(),
        AuditEvent.objects.count(),
        CaseReview.history.model.objects.count(),
    )
    dry = purge(dry_run=True)
    assert (
        CaseReview.objects.count(),
        Case.objects.count(),
        AuditEvent.objects.count(),
        CaseReview.history.model.objects.count(),
    ) == counts
    assert not PublishedFigures.objects.exists()
    assert dry.removed == purge().removed


def test_a_date_more_recent_than_the_retention_period_is_refused(world):
    with pytest.raises(
        retention.PurgeRefused,
        match=(
            "Case data is kept for 730 days after publication: the latest date allowed is "
            "2024-11-30, not 2025-06-01."
        ),
    ):
        purge("2025-06-01")
    assert CaseReview.objects.filter(sampled_case__inspection=world["old"]).count() == 12


def test_the_purge_is_all_or_nothing(world, monkeypatch):
    def fail(inspection):
        raise RuntimeError("disk full")

    monkeypatch.setattr(retention, "breakdown_counts_by_provider", fail)
    with pytest.raises(RuntimeError):
        purge()
    assert CaseReview.objects.filter(sampled_case__inspection=world["old"]).count() == 12
    assert not AuditEvent.objects.filter(action="purged").exists()
    world["old"].refresh_from_db()
    assert world["old"].case_data_purged_at is None


def test_a_second_purge_finds_nothing_more(world):
    purge()
    again = purge()
    assert again.inspections == [] and again.total == 0


def test_the_command_reports_counts_and_sweeps_expired_uploads(world, private_upload_dir, settings):
    settings.CASELOAD_UPLOAD_MAX_AGE = 0
    private_upload_dir.mkdir(parents=True)
    (private_upload_dir / "abc123.upload").write_bytes(b"crn\n")
    out = io.StringIO()
    call_command("purge_case_data", "--before", "2024-11-30", "--dry-run", stdout=out)
    assert "Would remove the case data of 1 inspection published before 2024-11-30:" in (
        out.getvalue()
    )
    assert (private_upload_dir / "abc123.upload").exists()
    out = io.StringIO()
    call_command("purge_case_data", "--before", "2024-11-30", stdout=out)
    text = out.getvalue()
    assert "Removed the case data of 1 inspection published before 2024-11-30:" in text
    assert "  Old audit" in text and "reviews" in text
    assert "Expired caseload uploads deleted: 1." in text
    assert not (private_upload_dir / "abc123.upload").exists()


def test_the_command_refuses_bad_and_too_recent_dates(world):
    with pytest.raises(CommandError, match="--before must be a date as YYYY-MM-DD"):
        call_command("purge_case_data", "--before", "last year")
    with pytest.raises(CommandError, match="the latest date allowed is"):
        call_command("purge_case_data", "--before", timezone.localdate().isoformat())
