"""The national picture: every provider's latest published inspection on one framework version.

Built on the roll-up's results (the database does the counting, per provider); figures across
providers are pooled by adding cases, never by averaging percentages (docs/statistics.md).
- the distribution of overall ratings, by kind of provider;
- a providers x standards matrix of ratings;
- the gap in percentage points between kinds of provider, per key question and focus measure,
  with its 95% confidence interval;
- the national key-question figures and focus measures.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import combinations

from django.urls import reverse

from audit.models import InspectionStatus
from audit.reports import rollup_cache
from audit.reports.base import (
    Column,
    Kind,
    ReportGenerator,
    Table,
    key_question_columns,
    standard_rating_cells,
)
from audit.reports.funnel import funnel_section
from audit.reports.rollup import rollup_inspections
from audit.reports.rollup_results import FocusMeasureResult, ProviderRollup, whole_percent
from cases.models import Provider, ProviderType
from standards.models import Framework
from standards.rating import Rating
from standards.statistics import gap, pool

BELOW_GOOD = (Rating.REQUIRES_IMPROVEMENT, Rating.INADEQUATE)
KIND_ORDER = [value for value, _ in ProviderType.choices]
KIND_LABELS = dict(ProviderType.choices)


def _overall_ratings(entries) -> Counter:
    """How many providers have each overall rating; None counts those with none (partial)."""
    return Counter(e.result.overall.rating for e in entries)


@dataclass(frozen=True)
class NationalEntry:
    result: ProviderRollup
    inspection: object
    kind: str

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


def _figure_text(sufficient: int, applicable: int) -> str:
    if applicable == 0:
        return "no cases"
    return f"{sufficient} of {applicable} ({whole_percent(100 * sufficient / applicable)}%)"


def _matrix_sort(key: str):
    if key == "provider":
        return lambda row: row["provider"].lower()
    if key == "kind":
        return lambda row: (row["kind"], row["provider"].lower())
    return lambda row: (row[key].points if row.get(key) else -1, row["provider"].lower())


class NationalPictureReport(ReportGenerator):
    code = "national"
    template_name = "reports/national.html"
    title = "National picture"

    def __init__(
        self,
        *,
        framework: Framework,
        inspections,
        provider_ids: set[int] | None,
        sort: str = "provider",
        descending: bool = False,
        measure: str = "",
    ):
        """`inspections`: those the user may see; published ones of `framework` are used.
        `measure`: the key question or focus measure of the funnel plot."""
        self.framework = framework
        history = list(
            inspections.filter(framework=framework, status=InspectionStatus.PUBLISHED).order_by(
                "period_end", "id"
            )
        )
        results = rollup_inspections(history, provider_ids=provider_ids)
        latest: dict[int, tuple] = {}
        for inspection in history:
            for result in results[inspection.id].providers:
                if result.reviews or any(s.rating for s in result.standards):
                    latest[result.provider_id] = (inspection, result)
        kinds = dict(Provider.objects.filter(id__in=latest).values_list("id", "type"))
        self.entries = sorted(
            (
                NationalEntry(result=result, inspection=inspection, kind=kinds[pid])
                for pid, (inspection, result) in latest.items()
            ),
            key=lambda e: (KIND_ORDER.index(e.kind), e.result.name.lower()),
        )
        self.kinds = [k for k in KIND_ORDER if any(e.kind == k for e in self.entries)]
        self.sort = sort
        self.descending = descending
        self.scheme = results[history[-1].id].scheme if history else None
        sources = tuple(results[i.id].source for i in history)
        self.kept_as = (
            rollup_cache.key("national", framework.id, sources, sorted(kinds.items()))
            if sources and all(sources)
            else ""
        )
        self.funnel = funnel_section(
            [(e.result, reverse("reports:provider", args=[e.result.code])) for e in self.entries],
            measure,
        )

    @property
    def source(self) -> str:
        """Built from the kept roll-ups of every inspection it reads, with the kinds of
        provider it groups by: kept under all of their keys."""
        return self.kept_as

    def filename(self, slug: str) -> str:
        return f"national-{self.framework.code}-{self.framework.version}-{slug}"

    def build_tables(self) -> list[Table]:
        return [
            self.distribution_table(),
            self.matrix_table(),
            self.key_questions_table(),
            self.focus_measures_table(),
            self.gaps_table(),
            *([self.funnel.table] if self.funnel else []),
        ]

    # Distribution of overall ratings -----------------------------------------------------------

    def distribution_table(self) -> Table:
        columns = [Column("kind", "Kind of provider")]
        columns += [Column(r.value, r.label, Kind.INT) for r in Rating]
        columns += [
            Column("not_rated", "No overall rating", Kind.INT),
            Column("providers", "Providers", Kind.INT),
        ]
        groups = [(KIND_LABELS[k], [e for e in self.entries if e.kind == k]) for k in self.kinds]
        if len(groups) != 1:
            groups.append(("All providers", self.entries))
        rows = []
        for label, entries in groups:
            counts = _overall_ratings(entries)
            row = {"kind": label, "providers": len(entries)}
            for rating in Rating:
                row[rating.value] = counts[rating]
            row["not_rated"] = counts[None]
            rows.append(row)
        return Table(
            slug="distribution",
            caption="Overall ratings of providers",
            columns=columns,
            rows=rows,
            row_header="kind",
            empty="No published inspection of this framework version in your scope.",
            description=self.distribution_sentence(),
        )

    def distribution_sentence(self) -> str:
        if not self.entries:
            return ""
        by_rating = _overall_ratings(self.entries)
        counts = [f"{by_rating[r]} {r.label}" for r in Rating]
        unrated = by_rating[None]
        tail = f", and {unrated} with no overall rating (partial)" if unrated else ""
        return f"Of {len(self.entries)} providers: {', '.join(counts)}{tail}."

    # Providers x standards ---------------------------------------------------------------------

    def standard_codes(self) -> list[str]:
        codes: list[str] = []
        for entry in self.entries:
            codes += [s.code for s in entry.result.standards if s.code not in codes]
        return codes

    def matrix_table(self) -> Table:
        codes = self.standard_codes()
        columns = [
            Column("provider", "Provider", sortable=True),
            Column("kind", "Kind of provider", sortable=True),
            *[Column(f"std:{c}", c, Kind.RATING, sortable=True) for c in codes],
            Column("rating", "Overall rating", Kind.RATING, sortable=True),
        ]
        rows = []
        for entry in self.entries:
            row = {
                "provider": entry.result.name,
                "provider:href": reverse("reports:provider", args=[entry.result.code]),
                "kind": entry.kind_label,
                "rating": entry.result.overall.rating,
            }
            row.update(standard_rating_cells(entry.result.standards))
            rows.append(row)
        keys = {c.key for c in columns}
        rows.sort(
            key=_matrix_sort(self.sort if self.sort in keys else "provider"),
            reverse=self.descending,
        )
        return Table(
            slug="matrix",
            caption="Ratings by provider and standard",
            columns=columns,
            rows=rows,
            row_header="provider",
            empty="No published inspection of this framework version in your scope.",
            description=self.below_good_sentence(),
        )

    def below_good_sentence(self) -> str:
        pairs = [s for e in self.entries for s in e.result.standards if s.rating is not None]
        below = sum(1 for s in pairs if s.rating in BELOW_GOOD)
        if not pairs:
            return ""
        return (
            f"{below} of {len(pairs)} provider-standard pairs are rated below Good "
            f"({whole_percent(100 * below / len(pairs))}%)."
        )

    # Pooled figures ----------------------------------------------------------------------------

    def measures(self) -> list[tuple[str, str, dict]]:
        """(code, label, {kind or "all": (sufficient, applicable)}) per key question and
        focus measure, pooled across providers by adding their cases."""
        found: dict[str, tuple[str, dict]] = {}
        for entry in self.entries:
            items = [
                (kq.code, kq.wording, kq.sufficient, kq.applicable)
                for kq in entry.result.key_questions
            ]
            items += [
                (m.code, m.label, m.numerator, m.denominator) for m in entry.result.focus_measures
            ]
            for code, label, s, n in items:
                _, by_kind = found.setdefault(code, (label, {}))
                by_kind.setdefault(entry.kind, []).append((s, n))
                by_kind.setdefault("all", []).append((s, n))
        measures = []
        for code, (label, by_kind) in found.items():
            pooled = {}
            for kind, counts in by_kind.items():
                figure = pool(counts)
                pooled[kind] = (figure.sufficient, figure.applicable)
            measures.append((code, label, pooled))
        return measures

    def key_questions_table(self) -> Table:
        focus = {m.code for e in self.entries for m in e.result.focus_measures}
        rows = []
        for code, label, pooled in self.measures():
            if code in focus:
                continue
            s, n = pooled["all"]
            figure = pool([(s, n)])
            rows.append(
                {
                    "code": code,
                    "wording": label,
                    "text": _figure_text(s, n),
                    "sufficient": s,
                    "applicable": n,
                    "percentage": figure.percentage,
                    "rating": figure.rating(self.scheme) if self.scheme else None,
                }
            )
        return Table(
            slug="key-questions",
            caption="Key questions across all providers",
            columns=key_question_columns(percentage_on_screen=False),
            rows=rows,
            row_header="code",
            empty="No published inspection of this framework version in your scope.",
            description="Cases of all providers added together, then divided.",
        )

    def focus_measures_table(self) -> Table:
        focus = {m.code for e in self.entries for m in e.result.focus_measures}
        not_known: dict[str, int] = {}
        for e in self.entries:
            for m in e.result.focus_measures:
                if m.is_timeliness:
                    not_known[m.code] = not_known.get(m.code, 0) + m.not_known
        rows = []
        for code, label, pooled in self.measures():
            if code not in focus:
                continue
            s, n = pooled["all"]
            figure = FocusMeasureResult(code, label, s, n, not_known.get(code, 0))
            rows.append(
                {
                    "label": label,
                    "text": _figure_text(s, n),
                    "numerator": s,
                    "denominator": n,
                    "percentage": pool([(s, n)]).percentage,
                    "interval": figure.interval_text,
                    "ci_low": figure.ci_low,
                    "ci_high": figure.ci_high,
                    "not_known": not_known.get(code),
                }
            )
        return Table(
            slug="focus-measures",
            caption="National focus measures",
            columns=[
                Column("label", "Measure"),
                Column("text", "Result", export=False),
                Column("numerator", "Cases meeting the measure", Kind.INT, html=False),
                Column("denominator", "Cases it applies to", Kind.INT, html=False),
                Column("percentage", "Percentage", Kind.PERCENT, html=False),
                Column("interval", "95% confidence interval", export=False),
                Column("ci_low", "CI low", Kind.PERCENT, html=False),
                Column("ci_high", "CI high", Kind.PERCENT, html=False),
                Column("not_known", "Dates not known", Kind.INT),
            ],
            rows=rows,
            row_header="label",
            empty="No published inspection of this framework version in your scope.",
            description="Timeliness measures count working days of England and Wales; cases "
            "whose dates are not known are counted apart, never as late.",
        )

    def gaps_table(self) -> Table:
        rows = []
        for first, second in combinations(self.kinds, 2):
            for code, label, pooled in self.measures():
                a, b = pooled.get(first, (0, 0)), pooled.get(second, (0, 0))
                result = gap(a, b)
                rows.append(
                    {
                        "measure": code if code[0].isdigit() else label,
                        "kinds": f"{KIND_LABELS[first]} minus {KIND_LABELS[second]}",
                        "first": _figure_text(*a),
                        "second": _figure_text(*b),
                        "gap": round(result.points, 1) if result else None,
                        "low": round(result.low, 1) if result else None,
                        "high": round(result.high, 1) if result else None,
                        "interval": (
                            f"{result.low:.1f} to {result.high:.1f}" if result else "cannot tell"
                        ),
                        "verdict": (
                            "cannot tell"
                            if result is None
                            else "larger than chance would explain"
                            if result.larger_than_chance
                            else "within what chance would explain"
                        ),
                    }
                )
        return Table(
            slug="gaps",
            caption="Gaps between kinds of provider, in percentage points",
            columns=[
                Column("measure", "Measure"),
                Column("kinds", "Comparison"),
                Column("first", "First"),
                Column("second", "Second"),
                Column("gap", "Gap (points)", Kind.INT),
                Column("interval", "95% confidence interval", export=False),
                Column("low", "CI low (points)", Kind.INT, html=False),
                Column("high", "CI high (points)", Kind.INT, html=False),
                Column("verdict", "Chance?"),
            ],
            rows=rows,
            row_header="measure",
            empty="Only one kind of provider has a published inspection, so there is no gap to "
            "show.",
            description="The first kind's figure minus the second's. The interval is "
            "Newcombe's, from the two Wilson intervals; where it leaves out zero, the gap is "
            "larger than chance would explain.",
        )

    def context(self) -> dict:
        return {"framework": self.framework, "entries": self.entries, "funnel": self.funnel}
