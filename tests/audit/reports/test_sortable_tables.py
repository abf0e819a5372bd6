"""Report tables with sortable columns are MoJ sortable tables: each cell carries the value it
sorts by (a rating's points, the figure itself; a missing figure below every real one), and the
header links still sort on the server where scripts do not run."""

import datetime

from audit.reports.base import Column, Kind, Table
from audit.reports.breakdowns import BreakdownCell
from audit.reports.formatters import MISSING, HTMLFormatter, sort_value
from standards.rating import Rating


def test_sort_values_order_as_the_figures_do():
    rating = Column("r", "Rating", Kind.RATING)
    ranked = [sort_value(rating, r.value) for r in Rating]
    assert [int(v) for v in ranked] == sorted((int(v) for v in ranked), reverse=True)
    assert sort_value(rating, None) == MISSING == sort_value(rating, "Not applicable")
    percent = Column("p", "Sufficient", Kind.PERCENT)
    assert float(sort_value(percent, 9.5)) < float(sort_value(percent, 10.25))
    assert sort_value(percent, None) == MISSING
    assert sort_value(Column("c", "Change", Kind.CHANGE), -3) == "-3"
    assert sort_value(Column("d", "Date", Kind.DATE), datetime.date(2026, 3, 1)) == "2026-03-01"
    assert sort_value(Column("n", "Name"), "North NPS") == "North NPS"


def test_small_breakdown_cells_sort_as_missing():
    cell = Column("x", "Male", Kind.CELL)
    assert sort_value(cell, BreakdownCell(sufficient=1, applicable=2)) == MISSING


def _table():
    return Table(
        slug="league",
        caption="League",
        columns=[
            Column("provider", "Provider", sortable=True),
            Column("rating", "Overall rating", Kind.RATING, sortable=True),
            Column("score", "Score", Kind.INT),
        ],
        rows=[
            {"provider": "B", "rating": "good", "score": 7, "provider:href": "/p/b/"},
            {"provider": "A", "rating": None, "score": None},
        ],
        row_header="provider",
    )


def test_a_table_with_sort_links_is_sortable_in_the_browser_too():
    html = HTMLFormatter(sort_url=lambda key, descending: f"?sort={key}").format(_table())
    assert html.sortable
    assert [h.aria_sort for h in html.headers] == ["none", "none", ""]
    assert [[c.sort_value for c in row] for row in html.rows] == [
        ["B", str(Rating.GOOD.points), "7"],
        ["A", MISSING, MISSING],
    ]


def test_a_table_without_sort_links_is_left_as_it_is():
    html = HTMLFormatter().format(_table())
    assert not html.sortable
    assert all(c.sort_value == "" for row in html.rows for c in row)
