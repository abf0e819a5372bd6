"""The purge of old case data as a background job (`manage.py purge_case_data --background`):
the same service as in the foreground, all or nothing in one transaction."""

from __future__ import annotations

import datetime

from audit.retention.services import PurgeRefused, purge_case_data
from cases import uploads
from jobs.services import JobFailed, job_work, start_job


@job_work
def purge(job, progress) -> dict:
    before = datetime.date.fromisoformat(job.params["before"])
    try:
        report = purge_case_data(
            before=before,
            dry_run=job.params.get("dry_run", False),
            user=job.owner,
            progress=progress,
        )
    except PurgeRefused as refused:
        raise JobFailed(str(refused)) from refused
    swept = 0 if report.dry_run else uploads.sweep()
    verb = "Would remove" if report.dry_run else "Removed"
    summary = [
        f"{verb} the case data of {len(report.inspections)} inspection(s) published "
        f"before {before:%Y-%m-%d}."
    ]
    summary += [f"{kind}: {count:,}" for kind, count in report.removed.items()]
    if swept:
        summary.append(f"Expired caseload uploads deleted: {swept}.")
    return {"summary": summary, "inspections": report.inspections, "removed": report.removed}


def start_purge(*, before: datetime.date, dry_run: bool = False, owner=None):
    return start_job(
        owner=owner,
        work=purge,
        title=f"Purging case data published before "
        f"{before:%Y-%m-%d}{' (dry run)' if dry_run else ''}",
        params={"before": before.isoformat(), "dry_run": dry_run},
    )
