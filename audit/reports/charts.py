"""Server-rendered SVG chart geometry: no script, no inline styles (classes only, for the CSP).

The template draws what these dataclasses describe. The figures are always in a table on the
same page too, so the chart is a picture of the table, never the only source.
"""

from __future__ import annotations

from dataclasses import dataclass

from audit.reports.rollup_results import KeyQuestionResult, whole_percent
from standards.rating import RatingScheme

LABEL_WIDTH = 64
PLOT_WIDTH = 480
VALUE_WIDTH = 56
BAR_HEIGHT = 18
BAR_GAP = 10
TOP = 8
AXIS_HEIGHT = 28


def _x(percentage: float) -> float:
    return round(LABEL_WIDTH + PLOT_WIDTH * percentage / 100, 2)


@dataclass(frozen=True)
class Band:
    rating: str
    label: str
    x: float
    width: float
    lower: int
    upper: int


@dataclass(frozen=True)
class Bar:
    code: str
    title: str
    y: float
    text_y: float
    width: float
    end_x: float
    value_text: str
    has_data: bool
    ci_x1: float | None
    ci_x2: float | None
    ci_y: float
    value_x: float
    height: int = BAR_HEIGHT

    @property
    def cap_top(self) -> float:
        return self.ci_y - 4

    @property
    def cap_bottom(self) -> float:
        return self.ci_y + 4


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class BarChart:
    title: str
    description: str
    width: int
    height: int
    plot_x: int
    plot_top: int
    plot_height: float
    axis_y: float
    bands: list[Band]
    bars: list[Bar]
    ticks: list[Tick]

    @property
    def label_x(self) -> int:
        return self.plot_x - 6

    @property
    def plot_right(self) -> float:
        return _x(100)

    @property
    def tick_label_y(self) -> float:
        return self.axis_y + 16


def key_question_chart(
    key_questions: list[KeyQuestionResult], scheme: RatingScheme, *, title: str
) -> BarChart:
    """Horizontal bars of key-question sufficiency over the framework's shaded rating bands."""
    plot_height = len(key_questions) * (BAR_HEIGHT + BAR_GAP)
    bounds = sorted(scheme.percentage_bands, key=lambda b: b.lower_bound)
    bands = []
    for index, band in enumerate(bounds):
        lower = float(band.lower_bound)
        upper = float(bounds[index + 1].lower_bound) if index + 1 < len(bounds) else 100.0
        bands.append(
            Band(
                rating=band.rating.value,
                label=band.rating.label,
                x=_x(lower),
                width=round(_x(upper) - _x(lower), 2),
                lower=whole_percent(lower),
                upper=whole_percent(upper),
            )
        )
    bars = []
    for index, kq in enumerate(key_questions):
        y = TOP + index * (BAR_HEIGHT + BAR_GAP) + BAR_GAP / 2
        has_data = kq.percentage is not None
        if has_data:
            summary = (
                f"{kq.code}: {kq.percent_display}% sufficient ({kq.counts_text}), 95% confidence "
                f"interval {whole_percent(kq.ci_low)}% to {whole_percent(kq.ci_high)}%"
            )
        else:
            summary = f"{kq.code}: no applicable cases"
        bars.append(
            Bar(
                code=kq.code,
                title=summary,
                y=y,
                text_y=y + BAR_HEIGHT / 2,
                width=round(_x(kq.percentage) - LABEL_WIDTH, 2) if has_data else 0,
                end_x=_x(kq.percentage) if has_data else LABEL_WIDTH,
                value_text=f"{kq.percent_display}%" if has_data else "no applicable cases",
                has_data=has_data,
                ci_x1=_x(kq.ci_low) if has_data else None,
                ci_x2=_x(kq.ci_high) if has_data else None,
                ci_y=y + BAR_HEIGHT / 2,
                value_x=(max(_x(kq.percentage), _x(kq.ci_high)) if has_data else LABEL_WIDTH) + 4,
            )
        )
    tick_values = sorted({0, 100, *(whole_percent(float(b.lower_bound)) for b in bounds)})
    axis_y = TOP + plot_height
    return BarChart(
        title=title,
        description=(
            "Bar chart of the percentage of applicable cases judged sufficient for each key "
            "question, with 95% confidence intervals, over shaded rating bands. The same figures "
            "are in the key questions table."
        ),
        width=LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH,
        height=int(axis_y + AXIS_HEIGHT),
        plot_x=LABEL_WIDTH,
        plot_top=TOP,
        plot_height=plot_height,
        axis_y=axis_y,
        bands=bands,
        bars=bars,
        ticks=[Tick(_x(v), f"{v}%") for v in tick_values],
    )
