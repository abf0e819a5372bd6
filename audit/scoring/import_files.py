"""Reading a file of scored reviews: its rows as {column: text}, the header checked, with the
problems of the whole file raised as ImportFailed (audit.scoring.importers checks the rows)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from cases import spreadsheets
from jobs.progress import NullProgress, Progress

COLUMNS = ["crn", "question_code", "answer", "rationale", "assessor"]
REQUIRED_COLUMNS = ["crn", "question_code", "answer"]
HEADER_ALIASES = {
    "case_reference": "crn",
    "case_reference_number": "crn",
    "code": "question_code",
    "question": "question_code",
    "rationale_text": "rationale",
    "assessor_username": "assessor",
}


class ImportFailed(Exception):
    def __init__(self, errors):
        super().__init__(f"{len(errors)} problems in the file; nothing was imported.")
        self.errors = errors


@dataclass(frozen=True)
class RowError:
    row: int  # line in the file, the header being row 1; 0 for the whole file
    column: str
    message: str

    def __str__(self):
        where = f"Row {self.row}" if self.row else "File"
        if self.column:
            return f"{where}, {self.column}: {self.message}"
        return f"{where}: {self.message}"


def read_rows(
    content: bytes, filename: str = "", progress: Progress | None = None
) -> Iterator[tuple[int, dict]]:
    """(row number, {column: text}) for each non-blank row of a CSV or XLSX file, streamed.

    Files are read by the caseload import's reader (encodings, separators, first worksheet, and
    the limits on size and rows in docs/formats.md). Problems with the whole file are raised as
    ImportFailed when the rows are first asked for, or when the reader meets them. `progress` is
    told the rows read of the file's total.
    """
    progress = progress or NullProgress()
    try:
        reading = spreadsheets.read_rows(content, filename)
        progress.phase("Checking rows", total=reading.total)
        for number, record in _to_dicts([str(cell) for cell in row] for row in reading):
            progress.update(number)
            yield number, record
    except spreadsheets.FileRejected as rejected:
        raise ImportFailed([RowError(0, "", str(rejected))]) from rejected


def _normalise_header(name: str) -> str:
    key = (name or "").strip().lower().replace(" ", "_").replace("-", "_")
    return HEADER_ALIASES.get(key, key)


def _to_dicts(rows: Iterator[list[str]]) -> Iterator[tuple[int, dict]]:
    first = next(rows, None)
    if first is None or not any(cell.strip() for cell in first):
        raise ImportFailed(
            [
                RowError(
                    0,
                    "",
                    "The file is empty; the first row must name the "
                    f"columns: {', '.join(COLUMNS)}.",
                )
            ]
        )
    header = [_normalise_header(h) for h in first]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ImportFailed(
            [
                RowError(
                    1, "", f"Missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}."
                )
            ]
        )
    found = False
    for number, row in enumerate(rows, start=2):
        if not any((cell or "").strip() for cell in row):
            continue
        record = {c: "" for c in COLUMNS}
        for name, cell in zip(header, row):
            if name in record:
                record[name] = (cell or "").strip()
        found = True
        yield number, record
    if not found:
        raise ImportFailed([RowError(0, "", "The file has a header but no rows.")])
