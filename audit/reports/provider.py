"""A provider's trend: its ratings and key-question percentages inspection by inspection."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse

from audit.models import SampledCase
from audit.reports.base import Column, Kind, ReportGenerator, Table, standard_rating_cells
from audit.reports.rollup import rollup_inspections
from cases.models import Provider


def _inspection_label(inspection) -> str:
    return f"{inspection.title} ({inspection.period_end:%b %Y})"


class ProviderTrendReport(ReportGenerator):
    code = "provider"
    template_name = "reports/provider.html"

    def __init__(self, provider: Provider, *, inspections):
        """`inspections`: the inspections the user may see; those of this provider are used."""
        self.provider = provider
        self.inspections = list(
            inspections.filter(
                Q(providers=provider)
                | Q(id__in=SampledCase.objects.filter(provider=provider).values("inspection_id"))
            )
            .distinct()
            .order_by("period_end", "id")
        )
        results = rollup_inspections(
            self.inspections, provider_ids={provider.id}, focus_measures=False
        )
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

    def build_tables(self) -> list[Table]:
        return [self.overall_table(), self.standards_table(), self.key_questions_table()]

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
                    "change": result.overall.score - previous[1].overall.score
                    if comparable
                    else None,
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
            "version.",
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
                html_label=f"{inspection.period_end:%b %Y}",
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
