"""A provider's trend as SVG line charts: the overall score and each key question's sufficiency,
inspection by inspection. Geometry only, drawn by templates/reports/includes/trend_chart.html with
classes (no script, no inline styles); the same figures are in the tables beside the charts.
"""

from __future__ import annotations

from dataclasses import dataclass

LEFT = 48
RIGHT = 72
TOP = 12
PLOT_HEIGHT = 320
AXIS_HEIGHT = 40
STEP = 260  # horizontal distance between inspections


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    title: str


@dataclass(frozen=True)
class Series:
    label: str
    points: tuple[Point, ...]
    path: str  # the polyline's "points" attribute, broken where a figure is missing
    label_y: float


@dataclass(frozen=True)
class BandArea:
    rating: str
    y: float
    height: float
    label: str


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class XLabel:
    x: float
    label: str


@dataclass(frozen=True)
class TrendChart:
    slug: str
    title: str
    description: str
    width: int
    height: int
    plot_left: int
    plot_right: float
    plot_top: int
    axis_y: float
    bands: tuple[BandArea, ...]
    ticks: tuple[Tick, ...]
    x_labels: tuple[XLabel, ...]
    series: tuple[Series, ...]

    @property
    def plot_width(self) -> float:
        return self.plot_right - self.plot_left


def _spread(series: list[Series], gap: float = 14) -> list[Series]:
    """Move the end labels apart so that none overlaps the next."""
    placed, last = [], None
    for item in sorted(series, key=lambda s: s.label_y):
        y = item.label_y if last is None else max(item.label_y, last + gap)
        placed.append(Series(item.label, item.points, item.path, y))
        last = y
    return placed


def _y(value: float, maximum: float) -> float:
    return round(TOP + PLOT_HEIGHT * (1 - value / maximum), 2)


def trend_chart(
    *,
    slug: str,
    title: str,
    description: str,
    x_labels: list[str],
    series: list[tuple[str, list[float | None]]],
    maximum: float,
    bands: list[tuple[str, str, float, float]],
    unit: str = "",
    ticks: list[float] = (),
) -> TrendChart:
    """`series`: (label, one value or None per inspection); `bands`: (rating value, label,
    lower, upper) shaded behind the lines."""
    count = max(len(x_labels), 1)
    width = LEFT + STEP * (count - 1) + RIGHT + 40
    xs = [LEFT + 20 + STEP * i for i in range(count)]
    drawn = []
    for label, values in series:
        points = tuple(
            Point(xs[i], _y(v, maximum), f"{label}, {x_labels[i]}: {v:g}{unit}")
            for i, v in enumerate(values)
            if v is not None
        )
        if not points:
            continue
        path = " ".join(f"{p.x},{p.y}" for p in points)
        drawn.append(Series(label, points, path, points[-1].y))
    return TrendChart(
        slug=slug,
        title=title,
        description=description,
        width=width,
        height=TOP + PLOT_HEIGHT + AXIS_HEIGHT,
        plot_left=LEFT,
        plot_right=xs[-1] + 20,
        plot_top=TOP,
        axis_y=TOP + PLOT_HEIGHT,
        bands=tuple(
            BandArea(
                rating,
                _y(min(upper, maximum), maximum),
                round(PLOT_HEIGHT * (min(upper, maximum) - lower) / maximum, 2),
                f"{label}: {lower:g}{unit} to {upper:g}{unit}",
            )
            for rating, label, lower, upper in bands
        ),
        ticks=tuple(Tick(_y(t, maximum), f"{t:g}{unit}") for t in ticks),
        x_labels=tuple(XLabel(x, text) for x, text in zip(xs, x_labels)),
        series=tuple(_spread(drawn)),
    )
