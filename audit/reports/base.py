"""Tables and the generator base class shared by every report."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property


class Kind:
    """How a column's values are shown (HTML) and written (CSV/XLSX)."""

    TEXT = "text"
    INT = "int"
    PERCENT = "percent"  # float or None; whole percent on screen, 1 decimal place in exports
    RATING = "rating"  # Rating or None; a GOV.UK tag on screen
    CELL = "cell"  # a breakdown cell: percentage, or a small-cell flag
    CHANGE = "change"  # signed points, "+2 points"
    DATE = "date"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = Kind.TEXT
    html: bool = True  # shown on the page
    export: bool = True  # written to CSV and XLSX
    sortable: bool = False
    none_text: str = ""  # shown for a missing value; ratings default to "Not rated"
    html_label: str = ""  # a shorter heading on screen, where the export needs the full one


@dataclass
class Table:
    """A report table: rows are dicts of raw values keyed by column.

    A row may also carry "<key>:href" (the cell links there on screen) and "<key>:hint" (small
    text under the value on screen).
    """

    slug: str
    caption: str
    columns: list[Column]
    rows: list[dict]
    description: str = ""
    empty: str = "Nothing to show."
    row_header: str | None = None  # key of the column whose cells head their rows

    def html_columns(self):
        return [c for c in self.columns if c.html]

    def export_columns(self):
        return [c for c in self.columns if c.export]


def key_question_count_columns(text_key: str = "text") -> list[Column]:
    """The first columns of every key-question table: the question, "s of n" on screen (in the
    row's `text_key`), the counts in exports."""
    return [
        Column("code", "Key question"),
        Column("wording", "Question"),
        Column(text_key, "Sufficient", export=False),
        Column("sufficient", "Sufficient", Kind.INT, html=False),
        Column("applicable", "Applicable", Kind.INT, html=False),
    ]


def key_question_columns(
    *, not_applicable: bool = False, percentage_on_screen: bool = True
) -> list[Column]:
    """The columns of a pooled key-question table: on screen "s of n" and the band, in exports
    the counts and the percentage (`not_applicable` adds its count; `percentage_on_screen`
    shows it)."""
    columns = key_question_count_columns()
    if not_applicable:
        columns.append(Column("not_applicable", "Not applicable", Kind.INT, html=False))
    return [
        *columns,
        Column("percentage", "Percentage", Kind.PERCENT, html=percentage_on_screen),
        Column("rating", "Band", Kind.RATING, none_text="No applicable cases"),
    ]


def standard_rating_cells(standards) -> dict:
    """A row's "std:<code>" cells: each standard's rating as it counts, marked where a lead's
    override replaced the data-driven one."""
    cells = {}
    for s in standards:
        cells[f"std:{s.code}"] = s.rating
        if s.is_overridden:
            cells[f"std:{s.code}:hint"] = "override"
    return cells


class ReportGenerator:
    """Base class: subclasses set `code`, `title`, `template_name` and build `tables()`."""

    code = ""
    title = ""
    template_name = ""

    def build_tables(self) -> list[Table]:
        raise NotImplementedError

    @cached_property
    def tables(self) -> list[Table]:
        return self.build_tables()

    def table(self, slug: str) -> Table | None:
        return next((t for t in self.tables if t.slug == slug), None)

    @property
    def source(self) -> str:
        """The key, in the reports cache, of the roll-ups the report is built from (its
        formatted tables are kept under it: formatters.formatted_tables); "" when not kept."""
        return getattr(getattr(self, "result", None), "source", "")

    def filename(self, slug: str) -> str:
        return f"{self.code}-{slug}"

    def context(self) -> dict:
        """Extra context for the report's page beyond its tables."""
        return {}
