"""A provider beside its area: its figure, the rest of the area's (without it), the difference in
percentage points, and whether it lies outside the 95% limits around the rest's figure for its
number of cases (docs/statistics.md, "Funnel plots")."""

from __future__ import annotations

from dataclasses import dataclass

from audit.reports.base import Column, Kind
from audit.reports.funnel import figure_of
from audit.reports.rollup_results import ProviderRollup, whole_percent
from standards.statistics import FunnelPosition, funnel_point, pool


@dataclass(frozen=True)
class Beside:
    own: tuple[int, int]  # (sufficient, applicable)
    other: tuple[int, int]
    difference: float | None  # percentage points, own minus other
    position: FunnelPosition | None

    @property
    def outside_95(self) -> bool | None:
        return None if self.position is None else self.position.outside

    @property
    def verdict(self) -> str:
        if self.position is None:
            return "cannot tell"
        if not self.position.outside:
            return "No: within what chance would explain"
        above = self.position in (FunnelPosition.ABOVE_95, FunnelPosition.ABOVE_998)
        return f"Yes: {'above' if above else 'below'}"


def figure_text(sufficient: int, applicable: int) -> str:
    if not applicable:
        return "no cases"
    return f"{sufficient} of {applicable} ({whole_percent(100 * sufficient / applicable)}%)"


def beside(own: tuple[int, int], other: tuple[int, int]) -> Beside:
    """Own figure against another (the rest of an area, the nation); no verdict when either
    has no applicable case."""
    if not own[1] or not other[1]:
        return Beside(own, other, None, None)
    other_percentage = pool([other]).percentage
    point = funnel_point(*own, other_percentage)
    return Beside(own, other, point.percentage - other_percentage, point.position)


def beside_the_rest(results: list[ProviderRollup], code: str, label: str) -> dict[str, dict]:
    """Row cells per provider code: each provider beside the others of `results` pooled."""
    figures = {r.code: figure_of(r, code) or (0, 0) for r in results}
    total = pool(figures.values())
    cells = {}
    for provider_code, (s, n) in figures.items():
        rest = (total.sufficient - s, total.applicable - n)
        found = beside((s, n), rest)
        cells[provider_code] = {
            "own_figure": figure_text(s, n),
            "rest_figure": figure_text(*rest),
            "difference": None if found.difference is None else round(found.difference, 1),
            "outside_95": found.verdict,
        }
    return cells


def beside_columns(code: str) -> list[Column]:
    return [
        Column("own_figure", f"{code}: provider"),
        Column("rest_figure", f"{code}: rest of the region"),
        Column(
            "difference",
            f"{code}: difference from the rest of the region (points)",
            Kind.INT,
            sortable=True,
            none_text="–",
            html_label="Difference (points)",
        ),
        Column("outside_95", "Outside the 95% limits?"),
    ]
