"""The league table: providers ranked by overall score over a period.

The rules are in docs/rating-rules.md, "League table".

Rank: overall score, then the number of Outstanding and Good standards, then name. Each
provider appears once, with its latest inspection ending in the period, and the change in score
since its previous inspection on the same framework version.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from audit.models import InspectionStatus
from audit.reports.base import Column, Kind, ReportGenerator, Table
from audit.reports.beside import beside_columns, beside_the_rest
from audit.reports.funnel import funnel_section
from audit.reports.rollup import rollup_inspections
from audit.reports.rollup_results import ProviderRollup
from standards.models import Framework
from standards.rating import Rating

GOOD_OR_BETTER = (Rating.OUTSTANDING, Rating.GOOD)


@dataclass(frozen=True)
class LeagueEntry:
    result: ProviderRollup
    inspection: object
    previous: ProviderRollup | None

    @property
    def good_or_better(self) -> int:
        return sum(1 for s in self.result.standards if s.rating in GOOD_OR_BETTER)

    @property
    def provisional(self) -> bool:
        return self.inspection.status != InspectionStatus.PUBLISHED

    @property
    def change(self) -> int | None:
        """Points gained since the previous inspection: only between two complete scores (the
        league holds one framework version), never against a partial one."""
        return score_change(self.previous, self.result)

    def rank_key(self):
        return (
            -self.result.overall.score,
            -self.good_or_better,
            self.result.name.lower(),
            self.result.code,
        )


def score_change(previous: ProviderRollup | None, current: ProviderRollup) -> int | None:
    """The change in points, or None unless both scores are complete (callers compare only
    inspections of the same framework version)."""
    if previous is None or previous.overall.is_partial or current.overall.is_partial:
        return None
    return current.overall.score - previous.overall.score


def published_unless(inspections, include_provisional: bool):
    """Published inspections only, unless the user asked for provisional results too."""
    if include_provisional:
        return inspections
    return inspections.filter(status=InspectionStatus.PUBLISHED)


SORTS = {
    "rank": lambda row: row["rank"],
    "provider": lambda row: (row["provider"].lower(), row["rank"]),
    "score": lambda row: (row["score"], -row["rank"]),
    "rating": lambda row: (row["rating"].points if row["rating"] else -1, -row["rank"]),
    "change": lambda row: (row["change"] is not None, row["change"] or 0, -row["rank"]),
    "difference": lambda row: (
        row.get("difference") is not None,
        row.get("difference") or 0,
        -row["rank"],
    ),
}


class LeagueTableReport(ReportGenerator):
    code = "league"
    template_name = "reports/league.html"
    title = "League table"

    def __init__(
        self,
        *,
        framework: Framework,
        inspections,
        provider_ids: set[int] | None,
        period_start: datetime.date | None = None,
        period_end: datetime.date | None = None,
        sort: str = "rank",
        descending: bool = False,
        include_provisional: bool = False,
        region=None,
        measure: str = "",
    ):
        """`inspections`: the inspections the user may see; `region`: (provider, ids of the
        providers beneath it) to show only those; `measure`: the funnel plot's key question."""
        self.framework = framework
        self.period_start = period_start
        self.period_end = period_end
        self.sort = sort if sort in SORTS else "rank"
        self.descending = descending
        self.include_provisional = include_provisional
        queryset = published_unless(inspections, include_provisional).filter(framework=framework)
        if period_end:
            queryset = queryset.filter(period_end__lte=period_end)
        history = list(queryset.order_by("period_end", "id"))
        results = rollup_inspections(history, provider_ids=provider_ids, focus_measures=False)
        by_provider: dict[str, list] = {}
        for inspection in history:
            for result in results[inspection.id].providers:
                by_provider.setdefault(result.code, []).append((inspection, result))
        entries = []
        for timeline in by_provider.values():
            in_period = [
                index
                for index, (inspection, _) in enumerate(timeline)
                if period_start is None or inspection.period_end >= period_start
            ]
            if not in_period:
                continue
            index = in_period[-1]
            inspection, result = timeline[index]
            previous = timeline[index - 1][1] if index > 0 else None
            entries.append(LeagueEntry(result=result, inspection=inspection, previous=previous))
        if region is not None:
            entries = [e for e in entries if e.result.provider_id in region[1]]
        self.region = region[0] if region is not None else None
        self.entries = sorted(entries, key=LeagueEntry.rank_key)
        self.funnel = funnel_section(
            [(e.result, reverse("reports:provider", args=[e.result.code])) for e in self.entries],
            measure,
        )
        self.beside = (
            beside_the_rest(
                [e.result for e in self.entries], self.funnel.measure, self.funnel.label
            )
            if self.funnel and self.region
            else {}
        )

    def filename(self, slug: str) -> str:
        return f"league-{self.framework.code}-{self.framework.version}-{slug}"

    def _row(self, rank: int, entry: LeagueEntry) -> dict:
        result = entry.result
        report = reverse("reports:inspection", args=[entry.inspection.id])
        return {
            "rank": rank,
            "provider": result.name,
            "provider:hint": "Provisional" if entry.provisional else "",
            "status": "Provisional" if entry.provisional else "Published",
            "provider:href": reverse("reports:provider", args=[result.code]),
            "code": result.code,
            "inspection": entry.inspection.title,
            "inspection:href": f"{report}?{urlencode({'provider': result.code})}",
            "period_end": entry.inspection.period_end,
            "period_end:href": f"{report}?{urlencode({'provider': result.code})}",
            "score": result.overall.score,
            "max_score": result.overall.max_score,
            "good_or_better": entry.good_or_better,
            "rating": result.overall.rating,
            "rating:hint": "partial"
            if result.overall.is_partial and result.overall.standards_rated
            else "",
            "previous_score": entry.previous.overall.score if entry.previous else None,
            "change": entry.change,
            "partial": "yes" if result.overall.is_partial else "no",
            **self.beside.get(result.code, {}),
        }

    def build_tables(self) -> list[Table]:
        columns = [
            Column("rank", "Rank", Kind.INT, sortable=True),
            Column("provider", "Provider", sortable=True),
            Column("code", "Provider code", html=False),
            Column("inspection", "Inspection", html=False),
            Column("period_end", "Inspection period ended", Kind.DATE),
            Column("score", "Score", Kind.INT, sortable=True),
            Column("max_score", "Out of", Kind.INT),
            Column("good_or_better", "Standards Good or better", Kind.INT),
            Column("rating", "Overall rating", Kind.RATING, sortable=True),
            Column("previous_score", "Previous score", Kind.INT, html=False),
            Column("change", "Change since previous inspection", Kind.CHANGE, sortable=True),
            Column("partial", "Partial", html=False),
            Column("status", "Results", html=False),
        ]
        if self.beside:
            columns += beside_columns(self.funnel.measure)
        rows = [self._row(rank, e) for rank, e in enumerate(self.entries, start=1)]
        rows.sort(key=SORTS[self.sort], reverse=self.descending)
        funnel = [self.funnel.table] if self.funnel else []
        return [
            Table(
                slug="league",
                caption=f"Providers ranked by overall score: {self.framework}",
                columns=columns,
                rows=rows,
                row_header="provider",
                empty=(
                    "No provider in your scope was inspected on this framework version in the "
                    "period."
                ),
                description=(
                    "Ranked by overall score, then by the number of standards rated Outstanding or "
                    "Good, then by name. A partial score covers fewer standards than the "
                    "framework has; a change is shown only between two complete scores. "
                    + (
                        "Provisional results of inspections not yet published are included and "
                        "marked."
                        if self.include_provisional
                        else "Only published inspections are included."
                    )
                ),
            ),
            *funnel,
        ]

    def context(self) -> dict:
        return {"funnel": self.funnel, "region": self.region}
