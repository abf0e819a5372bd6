"""Caseload import: read a CSV or XLSX export, validate every row, write it in one transaction.

The file's rows are streamed from one reader (cases.spreadsheets, which refuses a file past the
documented limits) and every row is checked (cases.import_rows) before anything is written, so a
report can name every bad row, column and reason at once, and a file with any error writes
nothing. A good file is written as one upsert keyed on the CRN: importing the same file again
updates the cases it holds and creates no duplicates. Database work never grows per row: on
PostgreSQL a fixed handful of queries (one CRN lookup, COPY into a scratch table, one INSERT ...
ON CONFLICT); elsewhere bulk_create(update_conflicts=True) in batches.

The columns are documented in docs/formats.md ("Caseload import").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import transaction

from jobs.progress import NullProgress, Progress

from .case_writes import existing_cases, write_cases
from .import_rows import (
    COLUMN_NAMES,
    COLUMNS,
    MAX_CELL_LENGTH,
    REQUIRED_COLUMNS,
    RowError,
    _header_map,
    _Validator,
)
from .models import Provider
from .spreadsheets import FileRejected, read_rows

__all__ = ["COLUMNS", "MAX_CELL_LENGTH", "ImportResult", "RowError", "import_caseload"]

PREVIEW_ROWS = 10


@dataclass
class ImportResult:
    """What an import found and did; the web preview and the command both read it."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)
    by_provider: dict[str, int] = field(default_factory=dict)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def file_errors(self) -> list[RowError]:
        return [error for error in self.errors if error.row is None]

    @property
    def row_errors(self) -> list[RowError]:
        return [error for error in self.errors if error.row is not None]

    @property
    def bad_rows(self) -> int:
        return len({error.row for error in self.errors if error.row is not None})


def _error_order(error: RowError):
    position = COLUMN_NAMES.index(error.column) if error.column in COLUMN_NAMES else -1
    return (error.row or 0, position)


def _blank(cells) -> bool:
    return not any(str(cell).strip() for cell in cells)


# The service -------------------------------------------------------------------------------


def import_caseload(
    *,
    data: bytes,
    filename: str = "",
    default_provider: Provider | None = None,
    allowed_provider_ids: set[int] | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Validate a caseload file and, if every row is good and this is not a dry run, write it.

    `progress` is told the rows checked of the file's total, then when the writing starts.

    `default_provider` is used for rows with no provider column or an empty provider cell.
    `allowed_provider_ids` (None = any) limits the providers the file may name and the existing
    cases it may update, so a manager cannot write outside their own providers.
    """
    result = ImportResult()
    progress = progress or NullProgress()
    try:
        records, validator = _check_rows(
            result, data, filename, default_provider, allowed_provider_ids, progress
        )
    except FileRejected as exc:
        result.errors.append(RowError(None, "", str(exc)))
        result.errors.sort(key=_error_order)
        return result
    if validator is None:
        return result
    if result.rows == 0:
        result.errors.append(RowError(None, "", "The file has a header row but no cases."))
        return result
    existing = existing_cases([record["crn"] for record in records])
    _check_scope(result, records, existing, validator, allowed_provider_ids)
    if result.errors:
        result.errors.sort(key=_error_order)
        return result
    result.updated = sum(1 for record in records if record["crn"] in existing)
    result.created = len(records) - result.updated
    result.by_provider = dict(
        sorted(Counter(record["provider"].code for record in records).items())
    )
    if not dry_run:
        progress.phase(f"Writing {len(records):,} cases")
        with transaction.atomic():
            write_cases(records, existing)
        result.written = True
    return result


def _header(rows: Iterator, result: ImportResult, default_provider) -> dict[str, int]:
    """The columns' positions, from the first row that is not blank; errors recorded."""
    header = None
    for _, cells in rows:
        if _blank(cells):
            continue  # blank rows above the header
        header = cells
        break
    if header is None:
        raise FileRejected("The file is empty: the first row must name the columns.")
    positions, result.ignored_columns = _header_map(header, result.errors)
    missing = [name for name in REQUIRED_COLUMNS if name not in positions]
    if "provider" not in positions and default_provider is None:
        missing.append("provider")
    if missing:
        names = ", ".join(missing)
        result.errors.append(
            RowError(
                None,
                names,
                f"The file has no column for {names}. The first row must name the columns "
                "(see the caseload format)."
                + (
                    " Or choose the provider the whole file belongs to."
                    if "provider" in missing
                    else ""
                ),
            )
        )
    return positions


def _check_rows(result, data, filename, default_provider, allowed_provider_ids, progress):
    """Every row's record, and the validator that read them (None when the header is bad)."""
    reading = read_rows(data, filename)
    progress.phase("Checking rows", total=reading.total)
    rows = enumerate(reading, start=1)
    positions = _header(rows, result, default_provider)
    if result.errors:
        return [], None
    providers_by_code = {}
    if "provider" in positions:
        providers = Provider.objects.all()
        if allowed_provider_ids is not None:
            providers = providers.filter(id__in=allowed_provider_ids)
        providers_by_code = {p.code.upper(): p for p in providers}
    validator = _Validator(positions, providers_by_code, default_provider, result.errors)
    records = []
    for number, cells in rows:
        progress.update(number)
        if _blank(cells):
            continue  # blank rows between or after the cases
        result.rows += 1
        record = validator.row(number, cells)
        if record is not None:
            records.append(record)
            if len(result.preview) < PREVIEW_ROWS:
                result.preview.append({"row": number, **record})
    return records, validator


def _check_scope(result, records, existing, validator, allowed_provider_ids) -> None:
    """Refuse a row that would update a case held by a provider the importer does not manage."""
    if allowed_provider_ids is None:
        return
    for record in records:
        held = existing.get(record["crn"])
        if held is not None and held[1] not in allowed_provider_ids:
            result.errors.append(
                RowError(
                    validator.seen[record["crn"]],
                    "crn",
                    f"The CRN {record['crn']} belongs to a provider you do not manage.",
                )
            )
