"""The demo's audit trail: a few days of people viewing and exporting."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent, CaseReview, Inspection, User
from audit.synthetic.demo_fieldwork import DEMO_INSPECTION_TITLE
from audit.trail import trail


def _review_views(inspection, assessor) -> list[tuple]:
    """An assessor opening three reviews over three days."""
    reviews = list(
        CaseReview.objects.filter(sampled_case__inspection=inspection)
        .select_related("sampled_case__case", "sampled_case__assessor")
        .order_by("sampled_case__case__crn")[:3]
    )
    events = []
    for hours, review in zip((70, 46, 22), reviews):
        crn = review.sampled_case.case.crn
        events.append(
            (
                hours,
                assessor,
                trail.Action.VIEWED,
                review,
                "casereview",
                f"Review of {crn}",
                reverse("audit:review_tasks", args=[inspection.pk, crn]),
                {"page": "task list"},
            )
        )
    return events


def _report_reads(inspection, lead, manager) -> list[tuple]:
    """The lead reading and exporting the report; the manager the league table and JSON."""
    report, pk = "inspection_report", inspection.pk
    return [
        (30, lead, trail.Action.VIEWED, inspection, report, "Inspection report",
         reverse("reports:inspection", args=[pk]), {}),
        (29, lead, trail.Action.EXPORTED, inspection, report,
         f"Inspection report: inspection-{pk}-all.xlsx",
         reverse("reports:inspection_download", args=[pk, "all", "xlsx"]), {}),
        (5, manager, trail.Action.VIEWED, None, "league_table", "League table",
         reverse("reports:league"), {}),
        (4, manager, trail.Action.EXPORTED, inspection, report, f"{inspection}: roll-up JSON",
         reverse("reports:inspection_json", args=[pk]), {}),
    ]  # fmt: skip


def load_trail_demo():
    """Events on the audit trail as a week of work leaves them: reviews opened, reports viewed
    and exported. The demo's own loading is already on the trail (as "system" or as the user
    whose action it was); these add the reading, which the loaders do not do. Once only."""
    if AuditEvent.objects.filter(detail__demo=True).exists():
        return 0
    inspection = Inspection.objects.filter(title=DEMO_INSPECTION_TITLE).first()
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["assessor", "lead", "manager", "moderator"])
    }
    if inspection is None or len(users) < 4:
        return 0
    now = timezone.now()
    events = _review_views(inspection, users["assessor"])
    events += _report_reads(inspection, users["lead"], users["manager"])
    for hours, user, action, obj, object_type, label, path, detail in events:
        event = AuditEvent.objects.create(
            user=user,
            username=user.username,
            action=action,
            object_type=object_type,
            object_id=str(obj.pk) if obj is not None else "",
            object_label=label,
            path=path,
            detail={**detail, "demo": True},
        )
        AuditEvent.objects.filter(pk=event.pk).update(at=now - datetime.timedelta(hours=hours))
    return len(events)
