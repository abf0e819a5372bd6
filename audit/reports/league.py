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

from audit.reports.base import Column, Kind, ReportGenerator, Table
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
    def change(self) -> int | None:
        if self.previous is None:
            return None
        return self.result.overall.score - self.previous.overall.score

    def rank_key(self):
        return (
            -self.result.overall.score,
            -self.good_or_better,
            self.result.name.lower(),
            self.result.code,
        )


SORTS = {
    "rank": lambda row: row["rank"],
    "provider": lambda row: (row["provider"].lower(), row["rank"]),
    "score": lambda row: (row["score"], -row["rank"]),
    "rating": lambda row: (row["rating"].points if row["rating"] else -1, -row["rank"]),
    "change": lambda row: (row["change"] is not None, row["change"] or 0, -row["rank"]),
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
    ):
        """`inspections`: the inspections the user may see."""
        self.framework = framework
        self.period_start = period_start
        self.period_end = period_end
        self.sort = sort if sort in SORTS else "rank"
        self.descending = descending
        queryset = inspections.filter(framework=framework)
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
        self.entries = sorted(entries, key=LeagueEntry.rank_key)

    def filename(self, slug: str) -> str:
        return f"league-{self.framework.code}-{self.framework.version}-{slug}"

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
        ]
        rows = []
        for rank, entry in enumerate(self.entries, start=1):
            result = entry.result
            report = reverse("reports:inspection", args=[entry.inspection.id])
            rows.append(
                {
                    "rank": rank,
                    "provider": result.name,
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
                }
            )
        rows.sort(key=SORTS[self.sort], reverse=self.descending)
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
                    "framework has."
                ),
            )
        ]
