"""Retention of case data: purge the case records of inspections published long enough ago.

An inspection published before the cut-off loses everything recorded about its cases: the
sampled cases and their reviews (prompt answers, judgements, moderation reads and resolutions,
review events), the history kept of each change to them, the samples drawn for it, the case
records no other inspection or sample still uses, and the audit-trail entries about the
inspection and its reviews. What remains is what was published: the inspection itself, its
providers, the lead's standard ratings, and the counts its roll-up and breakdowns are computed
from, kept first in PublishedFigures so that its reports show the same figures after as before.

Run by `manage.py purge_case_data --before DATE`; CASE_DATA_RETENTION_DAYS sets how recent DATE
may be. The purge is one transaction and, when it removes anything, records itself in the audit
trail (counts only: no CRN, no case detail).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.utils import timezone

from audit.models import (
    AuditEvent,
    CaseReview,
    Inspection,
    InspectionStatus,
    Judgement,
    ModerationJudgement,
    ModerationRead,
    PromptAnswer,
    PublishedFigures,
    Resolution,
    ReviewContribution,
    ReviewEvent,
    RollupCount,
    SampledCase,
)
from audit.reports.breakdowns import breakdown_counts_by_provider
from audit.reports.rollup import live_counts
from audit.reports.timeliness_breakdowns import TIMELINESS, timeliness_counts_by_provider
from audit.trail import trail
from cases.models import Case, Sample
from jobs.progress import NullProgress, Progress

# Trail entries whose object is the inspection itself (its id in object_id).
INSPECTION_EVENT_TYPES = ("inspection", "inspection_report", "standard_rating")
REVIEW_EVENT_TYPE = CaseReview._meta.model_name
SAMPLE_EVENT_TYPE = "sample"


class PurgeRefused(Exception):
    """The date asked for is more recent than the retention period allows."""


@dataclass
class PurgeReport:
    before: datetime.date
    dry_run: bool
    inspections: list[str] = field(default_factory=list)
    removed: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.removed.values())


def latest_allowed(today: datetime.date | None = None) -> datetime.date:
    """The most recent --before date the retention period allows."""
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=settings.CASE_DATA_RETENTION_DAYS)


def purgeable(before: datetime.date):
    """Published inspections, published before the date, whose case data is still held."""
    start_of_day = timezone.make_aware(datetime.datetime.combine(before, datetime.time.min))
    return Inspection.objects.filter(
        status=InspectionStatus.PUBLISHED,
        published_at__lt=start_of_day,
        case_data_purged_at__isnull=True,
    ).order_by("published_at", "pk")


def freeze_figures(inspection: Inspection) -> PublishedFigures:
    """Keep the counts the inspection's roll-up and breakdowns are computed from."""
    counts = live_counts([inspection.id])
    kept = {}
    for inspection_id, provider_id in sorted(counts.links):
        key = (inspection_id, provider_id)
        facts = dict(counts.facts.get(key, {}))
        kept[str(provider_id)] = {
            "reviews": facts.pop("reviews", 0),
            "key_questions": {
                str(kq_id): found for kq_id, found in counts.key_questions.get(key, {}).items()
            },
            "facts": facts,
            "prompts": {code: list(pair) for code, pair in counts.prompts.get(key, {}).items()},
        }
    breakdowns = breakdown_counts_by_provider(inspection)
    breakdowns[TIMELINESS] = timeliness_counts_by_provider(inspection)
    figures, _ = PublishedFigures.objects.update_or_create(
        inspection=inspection, defaults={"counts": kept, "breakdowns": breakdowns}
    )
    return figures


CASE_CHUNK = 500  # within every database's limit on query parameters


def _doomed(ids: list[int]) -> tuple[dict[str, object], list[int]]:
    """The querysets of what the purge removes, in the order it removes them (each reads rows
    removed only after it), and the ids of the case records to remove last."""
    in_scope = {"sampled_case__inspection_id__in": ids}
    reviews = CaseReview.objects.filter(**in_scope).values("id")
    history = {
        model: model.history.model for model in (CaseReview, PromptAnswer, Judgement, Resolution)
    }
    samples = list(
        Sample.objects.filter(inspections__id__in=ids)
        .exclude(inspections__in=Inspection.objects.exclude(id__in=ids))
        .values_list("id", flat=True)
        .distinct()
    )
    sampled = SampledCase.objects.filter(inspection_id__in=ids)
    # A case stays while another inspection has sampled it or another sample holds it.
    cases = list(
        Case.objects.filter(sampled_in__inspection_id__in=ids)
        .exclude(sampled_in__in=SampledCase.objects.exclude(inspection_id__in=ids))
        .exclude(samples__in=Sample.objects.exclude(id__in=samples))
        .values_list("id", flat=True)
        .distinct()
    )
    as_text = Cast("id", output_field=CharField())
    doomed = {
        "trail entries": AuditEvent.objects.filter(
            Q(object_type__in=INSPECTION_EVENT_TYPES, object_id__in=[str(i) for i in ids])
            | Q(
                object_type=REVIEW_EVENT_TYPE,
                object_id__in=CaseReview.objects.filter(**in_scope).values(text=as_text),
            )
            | Q(object_type=SAMPLE_EVENT_TYPE, object_id__in=[str(i) for i in samples])
        ),
        "resolution history": history[Resolution].objects.filter(
            judgement_id__in=history[Judgement].objects.filter(review_id__in=reviews).values("id")
        ),
        "judgement history": history[Judgement].objects.filter(review_id__in=reviews),
        "prompt answer history": history[PromptAnswer].objects.filter(review_id__in=reviews),
        "review history": history[CaseReview].objects.filter(id__in=reviews),
        "moderation judgements": ModerationJudgement.objects.filter(
            read__review__sampled_case__inspection_id__in=ids
        ),
        "moderation reads": ModerationRead.objects.filter(review__in=reviews),
        "resolutions": Resolution.objects.filter(judgement__review__in=reviews),
        "judgements": Judgement.objects.filter(review__in=reviews),
        "prompt answers": PromptAnswer.objects.filter(review__in=reviews),
        "review events": ReviewEvent.objects.filter(review__in=reviews),
        "review contributions": ReviewContribution.objects.filter(review__in=reviews),
        # Their figures are kept in PublishedFigures; the roll-up reads those once purged.
        "maintained counts": RollupCount.objects.filter(inspection_id__in=ids),
        "reviews": CaseReview.objects.filter(**in_scope),
        "sampled cases": sampled,
        "sample provider links": Sample.providers.through.objects.filter(sample_id__in=samples),
        "sample case lists": Sample.cases.through.objects.filter(sample_id__in=samples),
        "samples": Sample.objects.filter(id__in=samples),
    }
    return doomed, cases


def _remove(inspections, doomed, cases, *, report: PurgeReport, progress: Progress) -> None:
    """Freeze each inspection's figures, then delete its case data a statement per kind."""
    ids = [inspection.id for inspection in inspections]
    progress.phase("Keeping the published figures", total=len(inspections))
    for inspection in inspections:
        freeze_figures(inspection)
        progress.advance()
    progress.phase("Removing case data", total=len(doomed) + -(-len(cases) // CASE_CHUNK))
    Inspection.objects.filter(id__in=ids).update(sample=None)
    # Raw deletes, children first: no per-row signal, so no history row is written for a
    # row being removed, and the work stays a statement per kind, whatever the numbers.
    for kind, queryset in doomed.items():
        report.removed[kind] = queryset._raw_delete(queryset.db) or 0
        progress.advance()
    report.removed["cases"] = 0
    for start in range(0, len(cases), CASE_CHUNK):
        chunk = Case.objects.filter(id__in=cases[start : start + CASE_CHUNK])
        report.removed["cases"] += chunk._raw_delete(chunk.db) or 0
        progress.advance()


def purge_case_data(
    *,
    before: datetime.date,
    dry_run: bool = False,
    user=None,
    today: datetime.date | None = None,
    progress: Progress | None = None,
) -> PurgeReport:
    """Remove the case data of inspections published before `before`; all or nothing.

    Refuses (PurgeRefused) a date more recent than CASE_DATA_RETENTION_DAYS allows. A dry run
    counts what would go and changes nothing. `progress` is told the inspections whose figures
    are frozen, then the statements of the removal.
    """
    progress = progress or NullProgress()
    allowed = latest_allowed(today)
    if before > allowed:
        raise PurgeRefused(
            f"Case data is kept for {settings.CASE_DATA_RETENTION_DAYS:,} days after "
            f"publication: the latest date allowed is {allowed:%Y-%m-%d}, not {before:%Y-%m-%d}."
        )
    report = PurgeReport(before=before, dry_run=dry_run)
    with transaction.atomic():
        inspections = list(purgeable(before).select_for_update())
        report.inspections = [inspection.title for inspection in inspections]
        if not inspections:
            return report
        ids = [inspection.id for inspection in inspections]
        doomed, cases = _doomed(ids)
        if dry_run:
            report.removed = {kind: queryset.count() for kind, queryset in doomed.items()}
            report.removed["cases"] = len(cases)
            return report
        _remove(inspections, doomed, cases, report=report, progress=progress)
        now = timezone.now()
        Inspection.objects.filter(id__in=ids).update(case_data_purged_at=now)
        trail.record(
            user=user,
            action=trail.Action.PURGED,
            object_type="case_data",
            label=(
                f"Case data of {len(inspections)} inspection"
                f"{'' if len(inspections) == 1 else 's'} published before {before:%Y-%m-%d}"
            ),
            detail={
                "before": before.isoformat(),
                "inspections": [i.id for i in inspections],
                "removed": report.removed,
            },
        )
    return report
