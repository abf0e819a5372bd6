"""An area's report: a region's (PDU's, division's) figures pooled from the inspections of the
providers beneath it (audit/reports/pooled.py), the inspections used, and its providers compared
on a funnel plot.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from audit.reports.base import Column, Kind, ReportGenerator, Table, key_question_columns
from audit.reports.funnel import funnel_section
from audit.reports.pooled import AreaRollup, pool_results
from audit.reports.rollup_export import provider_to_dict

EMPTY = "No published inspection of a provider in this area ended in the period."


def area_to_dict(area: AreaRollup) -> dict:
    """The pooled figures as JSON, with the inspections they come from."""
    return {
        "area": {"code": area.area.code, "name": area.area.name, "type": area.area.type},
        "framework": (
            {"code": area.framework.code, "version": area.framework.version}
            if area.framework
            else None
        ),
        "period_start": area.period_start.isoformat() if area.period_start else None,
        "period_end": area.period_end.isoformat() if area.period_end else None,
        "inspections_used": "every" if area.every_inspection else "latest of each provider",
        "inspections": [
            {
                "id": c.inspection.id,
                "title": c.inspection.title,
                "period_end": c.inspection.period_end.isoformat(),
                "provider": c.result.code,
                "reviews": c.result.reviews,
            }
            for c in area.contributions
        ],
        "figures": provider_to_dict(area.result) if area.result else None,
    }


class AreaReport(ReportGenerator):
    code = "area"
    template_name = "reports/area.html"

    def __init__(self, area: AreaRollup, *, measure: str = ""):
        self.area = area
        self.result = area.result
        providers = []
        for results in area.by_provider().values():
            first = results[0]
            own = pool_results(results, area.scheme, name=first.name, code=first.code)
            providers.append((own, reverse("reports:provider", args=[first.code])))
        providers.sort(key=lambda pair: pair[0].name.lower())
        self.funnel = funnel_section(providers, measure) if providers else None

    @property
    def title(self) -> str:
        return self.area.area.name

    def filename(self, slug: str) -> str:
        return f"area-{self.area.area.code}-{slug}"

    def context(self) -> dict:
        return {"area": self.area, "result": self.result, "funnel": self.funnel}

    def build_tables(self) -> list[Table]:
        tables = [
            self.key_questions_table(),
            self.standards_table(),
            self.focus_measures_table(),
            self.inspections_table(),
        ]
        if self.funnel is not None:
            tables.append(self.funnel.table)
        return tables

    def key_questions_table(self) -> Table:
        rows = [
            {
                "code": kq.code,
                "wording": kq.wording,
                "text": kq.counts_text if kq.applicable else "no cases",
                "sufficient": kq.sufficient,
                "applicable": kq.applicable,
                "not_applicable": kq.not_applicable,
                "percentage": kq.percentage,
                "rating": kq.rating,
            }
            for kq in (self.result.key_questions if self.result else ())
        ]
        return Table(
            slug="key-questions",
            caption="Key questions, pooled",
            columns=key_question_columns(not_applicable=True),
            rows=rows,
            row_header="code",
            empty=EMPTY,
            description="The cases of every inspection used added together, then divided: "
            "never an average of the inspections' percentages.",
        )

    def standards_table(self) -> Table:
        rows = [
            {
                "code": s.code,
                "title": s.title,
                "rating": s.rating,
                "how": "By a lead's judgement: not pooled"
                if s.is_judgement_rated
                else f"Weakest of {', '.join(s.key_question_codes)}",
            }
            for s in (self.result.standards if self.result else ())
        ]
        return Table(
            slug="standards",
            caption="Standards, from the pooled key questions",
            columns=[
                Column("code", "Standard"),
                Column("title", "Title"),
                Column("rating", "Rating", Kind.RATING, none_text="Not rated"),
                Column("how", "How it is rated"),
            ],
            rows=rows,
            row_header="code",
            empty=EMPTY,
            description=self.result.overall_note if self.result else "",
        )

    def focus_measures_table(self) -> Table:
        rows = [
            {
                "label": m.label,
                "text": m.text,
                "numerator": m.numerator,
                "denominator": m.denominator,
                "percentage": m.percentage,
            }
            for m in (self.result.focus_measures if self.result else ())
        ]
        return Table(
            slug="focus-measures",
            caption="Focus measures, pooled",
            columns=[
                Column("label", "Measure"),
                Column("text", "Result", export=False),
                Column("numerator", "Cases meeting the measure", Kind.INT, html=False),
                Column("denominator", "Cases it applies to", Kind.INT, html=False),
                Column("percentage", "Percentage", Kind.PERCENT, html=False),
            ],
            rows=rows,
            row_header="label",
            empty=EMPTY,
        )

    def inspections_table(self) -> Table:
        rows = []
        for c in self.area.contributions:
            href = reverse("reports:inspection", args=[c.inspection.id])
            rows.append(
                {
                    "provider": c.result.name,
                    "provider:href": reverse("reports:provider", args=[c.result.code]),
                    "code": c.result.code,
                    "inspection": c.inspection.title,
                    "inspection:href": f"{href}?{urlencode({'provider': c.result.code})}",
                    "period_end": c.inspection.period_end,
                    "reviews": c.result.reviews,
                }
            )
        which = (
            "Every published inspection"
            if self.area.every_inspection
            else "The latest published inspection"
        )
        return Table(
            slug="inspections",
            caption="Inspections used",
            columns=[
                Column("provider", "Provider"),
                Column("code", "Provider code", html=False),
                Column("inspection", "Inspection"),
                Column("period_end", "Period ended", Kind.DATE),
                Column("reviews", "Reviews counted", Kind.INT),
            ],
            rows=rows,
            row_header="provider",
            empty=EMPTY,
            description=f"{which} of each provider in the area ending in the period.",
        )
