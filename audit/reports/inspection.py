"""The inspection report: standards, key questions, focus measures and breakdowns."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse

from audit.models import CountKind, Inspection, InspectionStatus, RollupCount
from audit.reports import rollup_cache
from audit.reports.base import (
    Column,
    Kind,
    ReportGenerator,
    Table,
    key_question_count_columns,
    standard_rating_cells,
)
from audit.reports.breakdowns import DIMENSIONS, Dimension, breakdowns
from audit.reports.charts import key_question_chart
from audit.reports.explain import band_limits, explanations
from audit.reports.rollup import rollup
from audit.reports.rollup_results import InspectionRollup, ProviderRollup, whole_percent
from audit.reports.timeliness_breakdowns import timeliness_breakdowns
from standards.models import TimelinessMeasure
from standards.rating import Rating
from standards.statistics import band_confidence, format_probability


def _phrase(label: str) -> str:
    """ "Sentence type" -> "sentence type"; acronyms such as RoSH keep their capitals."""
    first = label.split()[0]
    return label if first[1:] != first[1:].lower() else label[0].lower() + label[1:]


def _confidence_cells(kq, scheme) -> dict:
    """The band confidence of one key question: its sentence, the flag and each band's chance."""
    confidence = band_confidence(kq.sufficient, kq.applicable, scheme)
    if confidence is None:
        return {"confidence": "No applicable cases", "flag": "", "chance": "–"}
    flagged = confidence.less_likely_than_not
    cells = {
        "confidence": confidence.sentence,
        "flag": "Rated band less likely than not" if flagged else "",
        "chance": format_probability(confidence.rated_probability),
        "chance:hint": "Flagged: less likely than not" if flagged else "",
    }
    for band in confidence.bands:
        cells[f"p:{band.rating.value}"] = 100 * band.probability
    return cells


def band_table(scheme) -> list[dict]:
    return [
        {"rating": band.rating, "limits": band_limits(band.rating, scheme)}
        for band in scheme.percentage_bands
    ]


class InspectionReport(ReportGenerator):
    code = "inspection"
    template_name = "reports/inspection.html"

    def __init__(
        self,
        inspection: Inspection,
        *,
        provider_ids: set[int] | None = None,
        provider_code: str = "",
        breakdown_filter: Q | None = None,
        filter_words: list[str] | None = None,
        result: InspectionRollup | None = None,
        dimensions: tuple[Dimension, ...] = DIMENSIONS,
    ):
        """`dimensions`: the breakdowns to build (the page shows one at a time; exports all)."""
        self.inspection = inspection
        self.provider_ids = provider_ids
        self.result = result or rollup(inspection, provider_ids=provider_ids)
        self.scope: ProviderRollup | None = (
            self.result.provider(provider_code) if provider_code else self.result.whole
        )
        self.breakdown_filter = breakdown_filter
        self.filter_words = filter_words or []
        self.dimensions = dimensions

    @property
    def title(self) -> str:
        return self.inspection.title

    @property
    def provisional(self) -> bool:
        """Results of an inspection not yet published are provisional."""
        return self.inspection.status != InspectionStatus.PUBLISHED

    @property
    def scope_name(self) -> str:
        return self.scope.name if not self.scope.is_whole_inspection else "whole inspection"

    def filename(self, slug: str) -> str:
        return f"inspection-{self.inspection.id}-{self.scope.code or 'all'}-{slug}"

    def build_tables(self) -> list[Table]:
        return [
            self.explanations_table(),
            self.providers_table(),
            self.standards_table(),
            self.key_questions_table(),
            self.focus_measures_table(),
            *self.breakdown_tables(),
        ]

    def _provider_href(self, code: str) -> str:
        url = reverse("reports:inspection", args=[self.inspection.id])
        return f"{url}?{urlencode({'provider': code})}"

    def confidence_sentences(self) -> list[dict]:
        """Each key question's band confidence in words, flagged ones first."""
        found = []
        for kq in self.scope.key_questions:
            confidence = band_confidence(kq.sufficient, kq.applicable, self.result.scheme)
            if confidence is not None:
                found.append(
                    {
                        "code": kq.code,
                        "sentence": confidence.sentence,
                        "flagged": confidence.less_likely_than_not,
                    }
                )
        return sorted(found, key=lambda item: not item["flagged"])

    def explanations_table(self) -> Table:
        rows = [
            {"subject": subject, "explanation": sentence}
            for subject, sentence in explanations(self.scope, self.result.scheme)
        ]
        if self.provisional:
            status = self.inspection.get_status_display().lower()
            rows.insert(
                0,
                {
                    "subject": "Provisional",
                    "explanation": f"Provisional: the inspection is in {status} and has not been "
                    "published, so these ratings can still change.",
                },
            )
        return Table(
            slug="explained",
            caption=f"Why these ratings: {self.scope_name}",
            columns=[Column("subject", "Rating"), Column("explanation", "Explanation")],
            rows=rows,
            row_header="subject",
        )

    def providers_table(self) -> Table:
        standards = self.result.whole.standards
        columns = [
            Column("provider", "Provider"),
            Column("code", "Provider code", html=False),
            Column("reviews", "Reviews counted", Kind.INT),
            *[Column(f"std:{s.code}", s.code, Kind.RATING) for s in standards],
            Column("score", "Score", Kind.INT),
            Column("max_score", "Out of", Kind.INT),
            Column("rating", "Overall rating", Kind.RATING),
            Column("note", "Note", html=False),
        ]
        rows = []
        for p in (*self.result.providers, self.result.whole):
            row = {
                "provider": p.name,
                "code": p.code or "",
                "reviews": p.reviews,
                "score": p.overall.score,
                "max_score": p.overall.max_score,
                "rating": p.overall.rating,
                "note": p.overall_note,
                "rating:hint": "partial"
                if p.overall.is_partial and p.overall.standards_rated
                else "",
            }
            if p.code:
                row["provider:href"] = self._provider_href(p.code)
            row.update(standard_rating_cells(p.standards))
            rows.append(row)
        return Table(
            slug="providers",
            caption="Ratings by provider",
            columns=columns,
            rows=rows,
            row_header="provider",
            description=(
                "Each standard's rating as it counts, overrides included. Scores are out of the "
                "maximum for the standards rated."
            ),
        )

    def standards_table(self) -> Table:
        columns = [
            Column("code", "Standard"),
            Column("title", "Title"),
            Column("rated_by", "Rated by"),
            Column("data_rating", "Data-driven rating", Kind.RATING),
            Column("override", "Override", Kind.RATING, none_text="None"),
            Column("rating", "Rating", Kind.RATING),
            Column("rationale", "Rationale"),
        ]
        rows = []
        for s in self.scope.standards:
            row = {
                "code": s.code,
                "title": s.title,
                "rated_by": "Case data" if not s.is_judgement_rated else "Judgement",
                "data_rating": s.data_rating,
                "override": s.override,
                "rating": s.rating,
                "rationale": s.rationale,
            }
            if s.is_judgement_rated:
                row["data_rating"] = "Not applicable"
            rows.append(row)
        return Table(
            slug="standards",
            caption=f"Standards: {self.scope_name}",
            columns=columns,
            rows=rows,
            row_header="code",
            description=self.scope.overall_note,
        )

    def key_questions_table(self) -> Table:
        columns = [
            *key_question_count_columns("cases"),
            Column("not_applicable", "Not applicable", Kind.INT),
            Column("percentage", "Percentage", Kind.PERCENT),
            Column("interval", "95% confidence interval", export=False),
            Column("ci_low", "CI low", Kind.PERCENT, html=False),
            Column("ci_high", "CI high", Kind.PERCENT, html=False),
            Column("rating", "Band", Kind.RATING, none_text="No applicable cases"),
            Column("chance", "Chance of this band", export=False),
            Column("confidence", "How sure", html=False),
            Column("flag", "Flag", html=False),
            *[
                Column(f"p:{r.value}", f"Chance {r.label}", Kind.PERCENT, html=False)
                for r in Rating
            ],
        ]
        rows = [
            {
                **_confidence_cells(kq, self.result.scheme),
                "code": kq.code,
                "wording": kq.wording,
                "cases": kq.counts_text,
                "sufficient": kq.sufficient,
                "applicable": kq.applicable,
                "not_applicable": kq.not_applicable,
                "percentage": kq.percentage,
                "interval": (
                    f"{whole_percent(kq.ci_low)}% to {whole_percent(kq.ci_high)}%"
                    if kq.percentage is not None
                    else "–"
                ),
                "ci_low": kq.ci_low,
                "ci_high": kq.ci_high,
                "rating": kq.rating,
            }
            for kq in self.scope.key_questions
        ]
        return Table(
            slug="key-questions",
            caption=f"Key questions: {self.scope_name}",
            columns=columns,
            rows=rows,
            row_header="code",
            description="Cases judged sufficient of those where the key question applied; "
            "not-applicable answers are left out of the percentage. How sure: the chance that "
            "the true figure lies in each band, given the sample (see the methods below); "
            "a rating is flagged where its band is less likely than not.",
        )

    def focus_measures_table(self) -> Table:
        columns = [
            Column("label", "Measure"),
            Column("text", "Result", export=False),
            Column("numerator", "Cases meeting the measure", Kind.INT, html=False),
            Column("denominator", "Cases it applies to", Kind.INT, html=False),
            Column("percentage", "Percentage", Kind.PERCENT, html=False),
            Column("interval", "95% confidence interval", export=False),
            Column("ci_low", "CI low", Kind.PERCENT, html=False),
            Column("ci_high", "CI high", Kind.PERCENT, html=False),
            Column("not_known", "Dates not known", Kind.INT),
        ]
        rows = [
            {
                "label": m.label,
                "text": m.text,
                "numerator": m.numerator,
                "denominator": m.denominator,
                "percentage": m.percentage,
                "interval": m.interval_text,
                "ci_low": m.ci_low,
                "ci_high": m.ci_high,
                "not_known": m.not_known if m.is_timeliness else None,
            }
            for m in self.scope.focus_measures
        ]
        return Table(
            slug="focus-measures",
            caption=f"Focus measures: {self.scope_name}",
            columns=columns,
            rows=rows,
            row_header="label",
            description="Timeliness measures count working days of England and Wales; cases "
            "whose dates are not known are counted apart, never as late.",
        )

    def breakdown_tables(self) -> list[Table]:
        """Per dimension: the key questions, then the timeliness measures, by its values."""
        provider_ids = self.provider_ids
        if not self.scope.is_whole_inspection:
            provider_ids = {self.scope.provider_id}
        found = breakdowns(
            self.inspection,
            key_questions=self.scope.key_questions,
            provider_ids=provider_ids,
            filters=self.breakdown_filter,
            dimensions=self.dimensions,
            kept_as=self.result.source,
        )
        measures = (
            list(TimelinessMeasure.objects.filter(framework_id=self.result.framework_id))
            if self.dimensions
            else []
        )
        timely = timeliness_breakdowns(
            self.inspection,
            measures=measures,
            provider_ids=provider_ids,
            filters=self.breakdown_filter,
            dimensions=self.dimensions if measures else (),
            kept_as=self.result.source,
        )
        tables = []
        for i, breakdown in enumerate(found):
            tables.append(self._breakdown_table(breakdown))
            if timely:
                tables.append(self._timeliness_table(timely[i]))
        return tables

    @property
    def _filtered(self) -> str:
        return f" ({'; '.join(self.filter_words)})" if self.filter_words else ""

    def _breakdown_table(self, breakdown) -> Table:
        dimension = breakdown.dimension
        columns = [Column("code", "Key question")] + [
            Column(f"v:{value}", label, Kind.CELL) for value, label in breakdown.columns
        ]
        rows = []
        for row in breakdown.rows:
            values = {"code": row.code}
            for (value, _), cell in zip(breakdown.columns, row.cells):
                values[f"v:{value}"] = cell
            rows.append(values)
        return Table(
            slug=f"breakdown-{dimension.key.replace('_', '-')}",
            caption=f"Key questions by {_phrase(dimension.label)}{self._filtered}",
            columns=columns,
            rows=rows if breakdown.columns else [],
            row_header="code",
            empty="No counted reviews match these filters.",
        )

    def _timeliness_table(self, breakdown) -> Table:
        """Rows: the version's timeliness measures; a cell "x%" with "a of b; n not known"
        beneath; the export has the cases not known in a column of their own per value."""
        dimension = breakdown.dimension
        columns = [Column("measure", "Timeliness measure")]
        for value, label in breakdown.columns:
            columns.append(Column(f"v:{value}", label, Kind.CELL))
            columns.append(Column(f"u:{value}", f"{label}: dates not known", Kind.INT, html=False))
        rows = []
        for row in breakdown.rows:
            values = {"measure": row.wording}
            for (value, _), cell in zip(breakdown.columns, row.cells):
                values[f"v:{value}"] = cell
                values[f"v:{value}:hint"] = cell.not_known_text
                values[f"u:{value}"] = cell.not_known
            rows.append(values)
        purged = self.inspection.case_data_purged_at is not None and not self.breakdown_filter
        return Table(
            slug=f"timeliness-{dimension.key.replace('_', '-')}",
            caption=f"Timeliness by {_phrase(dimension.label)}{self._filtered}",
            columns=columns,
            rows=rows if breakdown.columns else [],
            row_header="measure",
            description="Cases in time of those whose dates are known, in working days of "
            "England and Wales; cases whose dates are not known are counted apart, never as late.",
            empty="Not kept: the case records of this inspection were removed before timeliness "
            "was kept by case characteristic."
            if purged
            else "No counted reviews match these filters.",
        )

    def context(self) -> dict:
        return {
            "result": self.result,
            "scope": self.scope,
            "provisional": self.provisional,
            "confidence": self.confidence_sentences(),
            "bands": band_table(self.result.scheme),
            "chart": key_question_chart(
                list(self.scope.key_questions),
                self.result.scheme,
                title=f"Key-question sufficiency: {self.scope_name}",
            ),
        }


def counted_ethnicities(inspection, provider_ids, result) -> list[str]:
    """The ethnicities of the counted cases, from the breakdown counts (not every case read),
    kept beside the roll-up when it was kept: they change only with its counts."""

    def read() -> tuple[str, ...]:
        found = (
            RollupCount.objects.filter(
                inspection=inspection, kind=CountKind.BREAKDOWN, dimension="ethnicity", n__gt=0
            )
            .exclude(dimension_value="")
            .values_list("dimension_value", flat=True)
            .distinct()
            .order_by("dimension_value")
        )
        if provider_ids is not None:
            found = found.filter(provider_id__in=provider_ids)
        return tuple(found)

    scope = rollup_cache.scope_part(provider_ids)
    return list(rollup_cache.beside(result.source, read, "ethnicities", scope))
