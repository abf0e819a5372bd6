"""Funnel plots: each provider's figure against its number of applicable cases, with the overall
figure and the 95% and 99.8% control limits around it (docs/statistics.md, "Funnel plots").

Geometry only, drawn by templates/reports/includes/funnel.html with classes (no script, no
inline styles). The limits and positions are `standards.statistics`'s; the providers outside
the limits are a report table of their own, shown beside the chart and exported with it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from audit.reports.base import Column, Kind, Table
from audit.reports.rollup_results import ProviderRollup, whole_percent
from standards.statistics import FunnelPosition, funnel_limits, funnel_point, pool

LEFT = 56
RIGHT = 24
TOP = 12
PLOT_WIDTH = 640
PLOT_HEIGHT = 320
AXIS_HEIGHT = 52
CURVE_STEPS = 80


@dataclass(frozen=True)
class FunnelEntry:
    """One provider's figure on one measure."""

    name: str
    code: str
    href: str
    sufficient: int
    applicable: int


@dataclass(frozen=True)
class PlottedPoint:
    x: float
    y: float
    position: str  # a FunnelPosition value, for the point's class
    title: str


@dataclass(frozen=True)
class Tick:
    at: float  # x or y on the drawing
    label: str


@dataclass(frozen=True)
class FunnelChart:
    slug: str
    title: str
    description: str
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    axis_y: int
    overall_y: float
    overall_text: str
    limits: tuple[tuple[str, str], ...]  # (class suffix, polyline points)
    points: tuple[PlottedPoint, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    x_label_y: int


def measure_choices(results: list[ProviderRollup]) -> list[tuple[str, str]]:
    """(code, label) of every key question, then every focus measure, the results hold."""
    choices: dict[str, str] = {}
    for result in results:
        for kq in result.key_questions:
            choices.setdefault(kq.code, f"{kq.code}: {kq.wording}")
    for result in results:
        for m in result.focus_measures:
            choices.setdefault(m.code, m.label)
    return list(choices.items())


def figure_of(result: ProviderRollup, code: str) -> tuple[int, int] | None:
    """(sufficient, applicable) of a key question or focus measure; None if it has neither."""
    kq = result.key_question(code)
    if kq is not None:
        return kq.sufficient, kq.applicable
    measure = next((m for m in result.focus_measures if m.code == code), None)
    return (measure.numerator, measure.denominator) if measure is not None else None


def _nice_ceiling(value: int) -> int:
    """The axis end: 1, 2 or 5 times a power of ten, at or above `value` (at least 10, so that
    its fifths, the ticks, are whole numbers)."""
    value = max(value, 10)
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # pragma: no cover


def _x(n: float, x_max: int) -> float:
    return round(LEFT + PLOT_WIDTH * n / x_max, 2)


def _y(percentage: float) -> float:
    return round(TOP + PLOT_HEIGHT * (1 - percentage / 100), 2)


def _curves(overall: float, x_max: int) -> tuple[tuple[str, str], ...]:
    steps = sorted({max(1, round(x_max ** (i / CURVE_STEPS))) for i in range(CURVE_STEPS + 1)})
    lines = {"upper-998": [], "upper-95": [], "lower-95": [], "lower-998": []}
    for n in steps:
        limits = funnel_limits(overall, n)
        for name, value in (
            ("upper-998", limits.upper_998),
            ("upper-95", limits.upper_95),
            ("lower-95", limits.lower_95),
            ("lower-998", limits.lower_998),
        ):
            lines[name].append(f"{_x(n, x_max)},{_y(value)}")
    return tuple((name, " ".join(points)) for name, points in lines.items())


def _figure_text(s: int, n: int) -> str:
    return f"{s} of {n} ({whole_percent(100 * s / n)}%)"


def funnel_chart(*, slug: str, measure: str, entries: list[FunnelEntry]) -> FunnelChart | None:
    """The chart of one measure; None when no provider has an applicable case."""
    entries = [e for e in entries if e.applicable]
    if not entries:
        return None
    total = pool((e.sufficient, e.applicable) for e in entries)
    overall = total.percentage
    x_max = _nice_ceiling(max(e.applicable for e in entries))
    points = []
    for e in entries:
        point = funnel_point(e.sufficient, e.applicable, overall)
        points.append(
            PlottedPoint(
                x=_x(e.applicable, x_max),
                y=_y(point.percentage),
                position=point.position.value,
                title=f"{e.name}: {_figure_text(e.sufficient, e.applicable)}, "
                f"{point.position.label.lower()}",
            )
        )
    overall_text = f"{_figure_text(total.sufficient, total.applicable)} of all providers shown"
    return FunnelChart(
        slug=slug,
        title=f"Funnel plot: {measure}",
        description=(
            f"Each of {len(entries)} providers as a point: its number of applicable cases "
            f"across, its percentage up. The line across is the overall figure, "
            f"{overall_text}; the inner curves are the 95% limits, the outer the 99.8% limits."
        ),
        width=LEFT + PLOT_WIDTH + RIGHT,
        height=TOP + PLOT_HEIGHT + AXIS_HEIGHT,
        plot_left=LEFT,
        plot_right=LEFT + PLOT_WIDTH,
        plot_top=TOP,
        axis_y=TOP + PLOT_HEIGHT,
        overall_y=_y(overall),
        overall_text=overall_text,
        limits=_curves(overall, x_max),
        points=tuple(points),
        x_ticks=tuple(Tick(_x(x_max * i // 5, x_max), f"{x_max * i // 5:,}") for i in range(6)),
        y_ticks=tuple(Tick(_y(p), f"{p}%") for p in (0, 25, 50, 75, 100)),
        x_label_y=TOP + PLOT_HEIGHT + 40,
    )


def outside_table(measure: str, entries: list[FunnelEntry]) -> Table:
    """The providers outside either pair of limits: the chart's findings, readable without it."""
    counted = [e for e in entries if e.applicable]
    total = pool((e.sufficient, e.applicable) for e in counted)
    rows = []
    for e in counted:
        point = funnel_point(e.sufficient, e.applicable, total.percentage)
        if point.position is FunnelPosition.INSIDE:
            continue
        limits = point.limits
        rows.append(
            {
                "provider": e.name,
                "provider:href": e.href,
                "code": e.code,
                "figure": _figure_text(e.sufficient, e.applicable),
                "sufficient": e.sufficient,
                "applicable": e.applicable,
                "percentage": point.percentage,
                "position": point.position.label,
                "limits_95": f"{limits.lower_95:.1f}% to {limits.upper_95:.1f}%",
                "limits_998": f"{limits.lower_998:.1f}% to {limits.upper_998:.1f}%",
            }
        )
    rows.sort(key=lambda row: (row["percentage"], row["provider"].lower()))
    overall = (
        f" The overall figure is {_figure_text(total.sufficient, total.applicable)}."
        if total.applicable
        else ""
    )
    return Table(
        slug="funnel-outside",
        caption=f"Providers outside the limits: {measure}",
        columns=[
            Column("provider", "Provider"),
            Column("code", "Provider code", html=False),
            Column("figure", "Figure", export=False),
            Column("sufficient", "Sufficient", Kind.INT, html=False),
            Column("applicable", "Applicable", Kind.INT, html=False),
            Column("percentage", "Percentage", Kind.PERCENT, html=False),
            Column("position", "Where it lies"),
            Column("limits_95", "95% limits for its cases"),
            Column("limits_998", "99.8% limits for its cases"),
        ],
        rows=rows,
        row_header="provider",
        empty="Every provider lies within the limits: none differs from the rest by more than "
        "chance would explain.",
        description=f"{len(counted)} providers with applicable cases.{overall}",
    )


@dataclass(frozen=True)
class FunnelSection:
    """The funnel plot of a report page: the measures offered, the one shown, its chart and the
    table of providers outside the limits."""

    choices: tuple[tuple[str, str], ...]
    measure: str
    label: str
    chart: FunnelChart | None
    table: Table


def funnel_section(providers: list[tuple[ProviderRollup, str]], measure: str = ""):
    """`providers`: (result, link to its page) of each provider plotted; `measure`: the code
    asked for (the first key question when blank or unknown). None when there is nothing."""
    choices = measure_choices([result for result, _ in providers])
    if not choices:
        return None
    labels = dict(choices)
    code = measure if measure in labels else choices[0][0]
    entries = []
    for result, href in providers:
        figure = figure_of(result, code)
        if figure is not None:
            entries.append(FunnelEntry(result.name, result.code or "", href, *figure))
    return FunnelSection(
        choices=tuple(choices),
        measure=code,
        label=labels[code],
        chart=funnel_chart(slug="funnel", measure=labels[code], entries=entries),
        table=outside_table(labels[code], entries),
    )
