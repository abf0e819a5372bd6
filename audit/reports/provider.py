"""A provider's trend: its ratings and key-question percentages inspection by inspection."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse

from audit.models import InspectionStatus, SampledCase
from audit.reports.base import Column, Kind, ReportGenerator, Table, standard_rating_cells
from audit.reports.league import published_unless, score_change
from audit.reports.provider_area import area_comparison
from audit.reports.rollup import rollup_inspections
from audit.reports.trend_chart import trend_chart
from cases.models import Provider


def _provisional(inspection) -> str:
    return "" if inspection.status == InspectionStatus.PUBLISHED else "Provisional"


def _inspection_label(inspection) -> str:
    provisional = ", provisional" if _provisional(inspection) else ""
    return f"{inspection.title} ({inspection.period_end:%b %Y}{provisional})"


def trend_charts(history, schemes) -> list:
    """The overall score (complete scores only) and key-question sufficiency over inspections,
    shaded with the bands of the latest inspection's framework version."""
    if not history:
        return []
    labels = [f"{i.period_end:%b %Y}" + (" (P)" if _provisional(i) else "") for i, _ in history]
    scheme = schemes[history[-1][0].id]
    score_bands = [
        (
            b.rating.value,
            b.rating.label,
            b.min_score,
            b.max_score + 1 if b is not scheme.score_bands[-1] else b.max_score,
        )
        for b in scheme.score_bands
    ]
    overall = trend_chart(
        slug="trend-overall",
        title="Overall score by inspection",
        description="Overall score at each inspection (complete scores only; a partial score "
        "is left out), shaded with the overall rating bands of the latest framework version."
        + (" (P): provisional." if any(_provisional(i) for i, _ in history) else ""),
        x_labels=labels,
        series=[("Score", [None if r.overall.is_partial else r.overall.score for _, r in history])],
        maximum=scheme.max_score,
        bands=score_bands,
        ticks=sorted({b.min_score for b in scheme.score_bands} | {scheme.max_score}),
    )
    codes: list[str] = []
    for _, result in history:
        codes += [kq.code for kq in result.key_questions if kq.code not in codes]
    uppers = [100] + [float(b.lower_bound) for b in scheme.percentage_bands[:-1]]
    key_questions = trend_chart(
        slug="trend-key-questions",
        title="Key-question sufficiency by inspection",
        description="Percentage of applicable cases judged sufficient, per key question, at "
        "each inspection, shaded with the rating bands.",
        x_labels=labels,
        series=[
            (
                code,
                [
                    kq.percentage if (kq := r.key_question(code)) is not None else None
                    for _, r in history
                ],
            )
            for code in codes
        ],
        maximum=100,
        bands=[
            (b.rating.value, b.rating.label, float(b.lower_bound), upper)
            for b, upper in zip(scheme.percentage_bands, uppers)
        ],
        unit="%",
        ticks=sorted({float(b.lower_bound) for b in scheme.percentage_bands} | {100.0}),
    )
    return [overall, key_questions]


class ProviderTrendReport(ReportGenerator):
    code = "provider"
    template_name = "reports/provider.html"

    def __init__(
        self,
        provider: Provider,
        *,
        inspections,
        include_provisional: bool = False,
        provider_ids: set[int] | None = None,
    ):
        """`inspections`: the inspections the user may see; those of this provider are used,
        published ones only unless `include_provisional`; `provider_ids`: the user's scope,
        for the comparison with the region and all providers."""
        self.provider = provider
        self.beside_area = area_comparison(
            provider, inspections=inspections, provider_ids=provider_ids
        )
        self.include_provisional = include_provisional
        self.inspections = list(
            published_unless(inspections, include_provisional)
            .filter(
                Q(providers=provider)
                | Q(id__in=SampledCase.objects.filter(provider=provider).values("inspection_id"))
            )
            .distinct()
            .order_by("period_end", "id")
        )
        results = rollup_inspections(
            self.inspections, provider_ids={provider.id}, focus_measures=False
        )
        self.schemes = {i.id: results[i.id].scheme for i in self.inspections}
        self.history = [
            (inspection, results[inspection.id].provider(provider.code))
            for inspection in self.inspections
        ]

    @property
    def title(self) -> str:
        return self.provider.name

    def filename(self, slug: str) -> str:
        return f"provider-{self.provider.code}-{slug}"

    def _report_href(self, inspection) -> str:
        url = reverse("reports:inspection", args=[inspection.id])
        return f"{url}?{urlencode({'provider': self.provider.code})}"

    def context(self) -> dict:
        return {"charts": trend_charts(self.history, self.schemes)}

    def build_tables(self) -> list[Table]:
        tables = [self.overall_table(), self.standards_table(), self.key_questions_table()]
        return tables + ([self.beside_area] if self.beside_area else [])

    def overall_table(self) -> Table:
        columns = [
            Column("inspection", "Inspection"),
            Column("period_end", "Period ended", Kind.DATE),
            Column("framework", "Framework version"),
            Column("reviews", "Reviews counted", Kind.INT),
            Column("score", "Score", Kind.INT),
            Column("max_score", "Out of", Kind.INT),
            Column("rating", "Overall rating", Kind.RATING),
            Column("change", "Change since previous", Kind.CHANGE),
            Column("note", "Note", html=False),
            Column("status", "Results", html=False),
        ]
        rows = []
        previous = None
        for inspection, result in self.history:
            comparable = (
                previous is not None and previous[0].framework_id == inspection.framework_id
            )
            rows.append(
                {
                    "inspection": inspection.title,
                    "inspection:href": self._report_href(inspection),
                    "period_end": inspection.period_end,
                    "framework": str(inspection.framework),
                    "reviews": result.reviews,
                    "score": result.overall.score,
                    "max_score": result.overall.max_score,
                    "rating": result.overall.rating,
                    "rating:hint": "partial"
                    if result.overall.is_partial and result.overall.standards_rated
                    else "",
                    "change": score_change(previous[1], result) if comparable else None,
                    "inspection:hint": _provisional(inspection),
                    "status": _provisional(inspection) or "Published",
                    "note": result.overall_note,
                }
            )
            previous = (inspection, result)
        return Table(
            slug="overall",
            caption="Overall score by inspection",
            columns=columns,
            rows=rows,
            row_header="inspection",
            empty="This provider has not been inspected yet.",
            description="Change is shown against the previous inspection on the same framework "
            "version, and only when both scores are complete. "
            + (
                "Provisional results of inspections not yet published are included and marked."
                if self.include_provisional
                else "Only published inspections are shown."
            ),
        )

    def standards_table(self) -> Table:
        codes: list[str] = []
        for _, result in self.history:
            codes += [s.code for s in result.standards if s.code not in codes]
        columns = [
            Column("inspection", "Inspection", html=False),
            Column("period", "Inspection period ended"),
        ] + [Column(f"std:{code}", code, Kind.RATING, none_text="Not rated") for code in codes]
        rows = []
        for inspection, result in self.history:
            row = {
                "inspection": inspection.title,
                "period": f"{inspection.period_end:%-d %b %Y}",
                "period:href": self._report_href(inspection),
                "period:hint": _provisional(inspection),
            }
            row.update(standard_rating_cells(result.standards))
            rows.append(row)
        return Table(
            slug="standards",
            caption="Standard ratings by inspection",
            columns=columns,
            rows=rows,
            row_header="period",
            empty="This provider has not been inspected yet.",
        )

    def key_questions_table(self) -> Table:
        codes: list[str] = []
        for _, result in self.history:
            codes += [kq.code for kq in result.key_questions if kq.code not in codes]
        columns = [Column("code", "Key question")] + [
            Column(
                f"i:{inspection.id}",
                _inspection_label(inspection),
                Kind.PERCENT,
                none_text="–",
                html_label=f"{inspection.period_end:%b %Y}"
                + (" (provisional)" if _provisional(inspection) else ""),
            )
            for inspection, _ in self.history
        ]
        rows = []
        for code in codes:
            row = {"code": code}
            for inspection, result in self.history:
                kq = result.key_question(code)
                if kq is not None:
                    row[f"i:{inspection.id}"] = kq.percentage
                    if kq.applicable:
                        row[f"i:{inspection.id}:hint"] = kq.counts_text
            rows.append(row)
        return Table(
            slug="key-questions",
            caption="Key-question sufficiency by inspection",
            columns=columns,
            rows=rows,
            row_header="code",
            empty="This provider has not been inspected yet.",
        )
