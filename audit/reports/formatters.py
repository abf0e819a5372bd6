"""Formatters: write a report's tables as HTML cells, CSV or XLSX.

Exports escape text cells that a spreadsheet would run as a formula (those beginning with
= + - @, tab or a line break) by prefixing an apostrophe, with the service's one rule
(`ui.exports.safe_cell`): a case record or rationale is data, never code.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass
from functools import cached_property

from django.http import HttpResponse
from django.utils.formats import date_format
from django.utils.html import conditional_escape as escape
from django.utils.safestring import mark_safe
from openpyxl import Workbook
from openpyxl.styles import Font

from audit.reports import rollup_cache
from audit.reports.base import Column, Kind, Table
from audit.reports.breakdowns import BreakdownCell
from audit.reports.rollup_results import whole_percent
from standards.rating import Rating
from ui.exports import safe_cell

NOT_RATED = "Not rated"

# Text that a spreadsheet would evaluate is made inert; numbers and dates pass through.
escape_formula = safe_cell


def export_value(column: Column, value):
    """The raw value written to CSV/XLSX for a cell."""
    if value is None:
        return column.none_text or (NOT_RATED if column.kind == Kind.RATING else "")
    if column.kind == Kind.RATING:
        return Rating(value).label if value in Rating.values else escape_formula(str(value))
    if column.kind == Kind.PERCENT:
        return round(value, 1)
    if column.kind == Kind.CELL:
        return round(value.percentage, 1) if value.percentage is not None else value.text
    if column.kind == Kind.DATE:
        return value.isoformat()
    if column.kind in (Kind.INT, Kind.CHANGE):
        return value
    return escape_formula(str(value))


# ---------------------------------------------------------------------------------------------
# HTML


# Tables with more columns than this are shown compact (smaller type, wrapping tags).
WIDE_COLUMNS = 8


@dataclass(frozen=True)
class HtmlCell:
    text: str
    href: str = ""
    tag_class: str = ""  # a GOV.UK tag modifier: the cell shows a tag
    numeric: bool = False
    header: bool = False
    hint: str = ""
    muted: bool = False
    sort_value: str = ""  # what a sortable table sorts by, where the text would mislead


@dataclass(frozen=True)
class HtmlHeader:
    label: str
    numeric: bool
    sort_href: str = ""
    aria_sort: str = ""


@dataclass(frozen=True)
class HtmlTable:
    slug: str
    caption: str
    description: str
    empty: str
    headers: list[HtmlHeader]
    rows: list[list[HtmlCell]]
    downloads: dict  # format -> url

    @property
    def wide(self) -> bool:
        """Many columns: shown compact so that every column fits at 1,280 px."""
        return len(self.headers) > WIDE_COLUMNS

    @property
    def sortable(self) -> bool:
        """Sortable in the browser (MoJ sortable table) as well as by its header links."""
        return any(header.aria_sort for header in self.headers)

    @cached_property
    def body_html(self) -> str:
        """The rows, rendered here rather than by template loops: a national table has
        thousands of cells, which a template renders tens of times slower. Once per table: a
        kept table (formatted_tables) is rendered again from it."""
        return mark_safe(
            "".join(
                '<tr class="govuk-table__row">' + "".join(map(cell_html, row)) + "</tr>\n"
                for row in self.rows
            )
        )


def cell_html(cell: HtmlCell) -> str:
    """One cell as includes/table.html showed it: a row header or a cell, holding a tag, a
    link, muted text or plain text, and a hint beneath."""
    sort = f' data-sort-value="{escape(cell.sort_value)}"' if cell.sort_value else ""
    if cell.header:
        opening, closing = f'<th scope="row" class="govuk-table__header"{sort}>', "</th>"
    else:
        numeric = " govuk-table__cell--numeric" if cell.numeric else ""
        opening, closing = f'<td class="govuk-table__cell{numeric}"{sort}>', "</td>"
    text = escape(cell.text)
    if cell.tag_class:
        inner = f'<strong class="govuk-tag {escape(cell.tag_class)}">{text}</strong>'
    elif cell.href:
        inner = f'<a class="govuk-link" href="{escape(cell.href)}">{text}</a>'
    elif cell.muted:
        inner = f'<span class="app-muted">{text}</span>'
    else:
        inner = text
    hint = f'<span class="app-cell-hint">{escape(cell.hint)}</span>' if cell.hint else ""
    return opening + inner + hint + closing


# A missing figure sorts below every real one.
MISSING = "-1"


def sort_value(column: Column, value) -> str:
    """The value a sortable table orders a cell by: the rating's points, the figure itself."""
    if column.kind == Kind.RATING:
        return str(Rating(value).points) if value in Rating.values else MISSING
    if column.kind == Kind.CELL:
        value = None if value is None else value.percentage
    if column.kind in (Kind.INT, Kind.PERCENT, Kind.CELL, Kind.CHANGE):
        return MISSING if value is None else f"{value:.6g}"
    if column.kind == Kind.DATE:
        return value.isoformat() if isinstance(value, datetime.date) else ""
    return "" if value is None else str(value)  # text: its words, not the link around them


def html_cell(column: Column, row: dict) -> HtmlCell:
    value = row.get(column.key)
    href = row.get(f"{column.key}:href", "")
    hint = row.get(f"{column.key}:hint", "")
    numeric = column.kind in (Kind.INT, Kind.PERCENT, Kind.CELL, Kind.CHANGE)
    if column.kind == Kind.RATING:
        if value is None:
            return HtmlCell(column.none_text or NOT_RATED, href=href, hint=hint, muted=True)
        if value not in Rating.values:  # a note such as "Not applicable" in place of a rating
            return HtmlCell(str(value), href=href, hint=hint, muted=True)
        rating = Rating(value)
        return HtmlCell(rating.label, href=href, tag_class=rating.tag_colour, hint=hint)
    if column.kind == Kind.PERCENT:
        text = (column.none_text or "–") if value is None else f"{whole_percent(value)}%"
        return HtmlCell(text, href=href, numeric=True, hint=hint, muted=value is None)
    if column.kind == Kind.CELL:
        cell: BreakdownCell = value
        if cell.is_small:
            return HtmlCell(cell.text, numeric=True, muted=True, hint=hint)
        counted = f"{cell.sufficient} of {cell.applicable}"
        return HtmlCell(
            f"{cell.percent_display}%", numeric=True, hint=f"{counted}; {hint}" if hint else counted
        )
    if column.kind == Kind.CHANGE:
        if value is None:
            text = "–"
        elif value == 0:
            text = "no change"
        else:
            text = f"{value:+d} point{'s' if abs(value) != 1 else ''}"
        return HtmlCell(text, numeric=True, muted=value is None)
    if column.kind == Kind.DATE:
        text = date_format(value, "j M Y") if isinstance(value, datetime.date) else ""
        return HtmlCell(text, href=href, hint=hint)
    text = "" if value is None else str(value)
    return HtmlCell(text, href=href, numeric=numeric, hint=hint)


class HTMLFormatter:
    """Turns tables into cells the generic table template renders."""

    def __init__(self, *, download_url=None, sort_url=None, sort: str = "", descending=False):
        self.download_url = download_url
        self.sort_url = sort_url
        self.sort = sort
        self.descending = descending

    def header(self, column: Column) -> HtmlHeader:
        numeric = column.kind in (Kind.INT, Kind.PERCENT, Kind.CELL, Kind.CHANGE)
        label = column.html_label or column.label
        if not (column.sortable and self.sort_url):
            return HtmlHeader(label, numeric)
        active = self.sort == column.key
        descending = not self.descending if active else False
        return HtmlHeader(
            label,
            numeric,
            sort_href=self.sort_url(column.key, descending),
            aria_sort=("descending" if self.descending else "ascending") if active else "none",
        )

    def format(self, table: Table) -> HtmlTable:
        columns = table.html_columns()
        sortable = bool(self.sort_url) and any(c.sortable for c in columns)
        rows = []
        for row in table.rows:
            cells = []
            for column in columns:
                cell = html_cell(column, row)
                extra = {"header": True} if column.key == table.row_header else {}
                if sortable:
                    extra["sort_value"] = sort_value(column, row.get(column.key))
                if extra:
                    cell = HtmlCell(**{**cell.__dict__, **extra})
                cells.append(cell)
            rows.append(cells)
        downloads = {}
        if self.download_url:
            downloads = {fmt: self.download_url(table.slug, fmt) for fmt in ("csv", "xlsx")}
        return HtmlTable(
            slug=table.slug,
            caption=table.caption,
            description=table.description,
            empty=table.empty,
            headers=[self.header(c) for c in columns],
            rows=rows,
            downloads=downloads,
        )


# ---------------------------------------------------------------------------------------------
# CSV and XLSX


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", filename)
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    return response


class CSVFormatter:
    content_type = "text/csv; charset=utf-8"
    extension = "csv"

    def write(self, table: Table) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        columns = table.export_columns()
        writer.writerow([escape_formula(c.label) for c in columns])
        for row in table.rows:
            writer.writerow([export_value(c, row.get(c.key)) for c in columns])
        return buffer.getvalue()

    def response(self, tables: list[Table], filename: str) -> HttpResponse:
        if len(tables) != 1:
            raise ValueError("A CSV file holds one table.")
        response = HttpResponse(self.write(tables[0]), content_type=self.content_type)
        return _attachment(response, f"{filename}.{self.extension}")


INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


class XLSXFormatter:
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    extension = "xlsx"

    def workbook(self, tables: list[Table]) -> Workbook:
        workbook = Workbook()
        workbook.remove(workbook.active)
        used = set()
        for table in tables:
            title = INVALID_SHEET_CHARS.sub(" ", table.slug)[:31] or "Sheet"
            while title in used:
                title = f"{title[:28]}-{len(used)}"
            used.add(title)
            sheet = workbook.create_sheet(title)
            columns = table.export_columns()
            sheet.append([escape_formula(c.label) for c in columns])
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            for row in table.rows:
                sheet.append([export_value(c, row.get(c.key)) for c in columns])
            # Text cells stay text: openpyxl would otherwise store "=..." as a formula.
            for line in sheet.iter_rows(min_row=2):
                for cell in line:
                    if isinstance(cell.value, str):
                        cell.data_type = "s"
            sheet.freeze_panes = "A2"
        return workbook

    def response(self, tables: list[Table], filename: str) -> HttpResponse:
        buffer = io.BytesIO()
        self.workbook(tables).save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=self.content_type)
        return _attachment(response, f"{filename}.{self.extension}")


EXPORT_FORMATTERS = {"csv": CSVFormatter, "xlsx": XLSXFormatter}


def formatted_tables(report, formatter, query: str) -> list:
    """The report's tables as the page shows them, kept beside the roll-up they are built from
    when it was kept (the page's query string chooses the scope, filters and breakdown)."""
    return rollup_cache.beside(
        report.source,
        lambda: tuple(formatter.format(t) for t in report.tables),
        "tables",
        type(report).__name__,
        query,
    )
