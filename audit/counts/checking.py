"""Checking the maintained counts against the base tables inspection by inspection, and repairing
those that differ: one service for `manage.py rollup_check` in the foreground (a progress bar on
the terminal) and as a background job (`rollup_check --background`), so both do the same."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count

from audit.counts.rebuild import Difference, differences, rebuild_counts
from audit.models import CaseReview, Inspection
from jobs.progress import NullProgress
from jobs.services import job_work, start_job


@dataclass
class CountCheck:
    inspections: int
    found: list[Difference] = field(default_factory=list)
    repaired: list[int] = field(default_factory=list)

    def summary(self) -> list[str]:
        lines = [
            f"Checked the counts of {self.inspections} inspection(s): "
            + (f"{len(self.found)} difference(s)." if self.found else "they match the base tables.")
        ]
        if self.repaired:
            lines.append(
                "Rebuilt the counts of inspection(s) " + ", ".join(map(str, self.repaired)) + "."
            )
        return lines


def _reviews_per_inspection(inspection_ids: list[int] | None) -> dict[int, int]:
    live = Inspection.objects.filter(case_data_purged_at__isnull=True)
    if inspection_ids is not None:
        live = live.filter(pk__in=inspection_ids)
    ids = list(live.order_by("pk").values_list("pk", flat=True))
    reviews = dict(
        CaseReview.objects.filter(sampled_case__inspection_id__in=ids)
        .values_list("sampled_case__inspection_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {pk: reviews.get(pk, 0) for pk in ids}


def check_counts(
    *, inspection_ids: list[int] | None = None, repair: bool = False, progress=None
) -> CountCheck:
    """Compare each inspection's counts with a recomputation; with `repair`, rebuild those that
    differ, all in one transaction (a repair cut short changes nothing)."""
    progress = progress or NullProgress()
    sizes = _reviews_per_inspection(inspection_ids)
    check = CountCheck(inspections=len(sizes))
    progress.phase("Checking the counts", total=sum(sizes.values()))
    with transaction.atomic():
        for pk, size in sizes.items():
            found = differences([pk])
            check.found += found
            if repair and found:
                rebuild_counts(inspection_ids=[pk])
                check.repaired.append(pk)
            progress.advance(size)
    return check


@job_work
def check_counts_job(job, progress) -> dict:
    check = check_counts(
        inspection_ids=job.params.get("inspection_ids"),
        repair=job.params.get("repair", False),
        progress=progress,
    )
    return {
        "summary": check.summary(),
        "differences": len(check.found),
        "repaired": check.repaired,
    }


def start_count_check(*, inspection_ids: list[int] | None = None, repair: bool = False, owner=None):
    what = "Checking and repairing" if repair else "Checking"
    scope = (
        "every inspection"
        if inspection_ids is None
        else "inspection(s) " + ", ".join(map(str, inspection_ids))
    )
    return start_job(
        owner=owner,
        work=check_counts_job,
        title=f"{what} the report counts of {scope}",
        params={"inspection_ids": inspection_ids, "repair": repair},
    )
