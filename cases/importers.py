"""Caseload import: read a CSV or XLSX export, validate every row, write it in one transaction.

The file's rows are streamed from one reader (cases.spreadsheets, which refuses a file past the
documented limits) and every row is checked before anything is written, so a report can name
every bad row, column and reason at once, and a file with any error writes nothing. A good file
is written as one upsert keyed on the CRN: importing the same file again updates the cases it
holds and creates no duplicates. Database work never grows per row: on PostgreSQL a fixed handful
of queries (one CRN lookup, COPY into a scratch table, one INSERT ... ON CONFLICT); elsewhere
bulk_create(update_conflicts=True) in batches.

The columns are documented in docs/formats.md ("Caseload import").
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction

from .case_writes import existing_cases, write_cases
from .models import (
    CRN_RULE,
    Gender,
    MappaCategory,
    MappaLevel,
    PractitionerGrade,
    Provider,
    RoshLevel,
    SentenceType,
    crn_from_text,
)
from .spreadsheets import FileRejected, read_rows

MAX_CELL_LENGTH = 200
PREVIEW_ROWS = 10
# Characters that have no business in a caseload cell: C0/C1 controls, DEL, and the Unicode
# bidirectional overrides that can make a value display as something else.
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    allowed: str
    example: str
    aliases: tuple[str, ...] = ()


COLUMNS = [
    Column(
        "crn",
        True,
        "Case reference number: up to 20 letters (A to Z), digits or hyphens, "
        "starting with a letter or digit; unique in the file. Stored in capitals.",
        "X123456",
        ("case_reference", "case_reference_number"),
    ),
    Column(
        "provider",
        False,
        "Provider code of a provider you manage. Required unless a provider "
        "is chosen for the whole file; a blank cell then takes that provider.",
        "PDU-BHM-N",
        ("provider_code",),
    ),
    Column(
        "sentence_type",
        True,
        "community_order (CO), suspended_sentence_order (SSO), licence, "
        "post_sentence_supervision (PSS); or the labels, e.g. Community order.",
        "community_order",
        ("sentence",),
    ),
    Column(
        "start_date",
        True,
        "Sentence start or release date: YYYY-MM-DD or DD/MM/YYYY (or a date cell in XLSX).",
        "2026-03-01",
        ("sentence_start_date", "release_date"),
    ),
    Column(
        "rosh_level",
        True,
        "low, medium, high, very_high (Very high), not_screened.",
        "medium",
        ("rosh",),
    ),
    Column("gender", True, "female (F), male (M), other, not_known.", "male", ("sex",)),
    Column(
        "mappa_category",
        False,
        "1, 2 or 3 (or Category 1); blank, none or n/a when not a MAPPA case.",
        "2",
    ),
    Column(
        "mappa_level",
        False,
        "1, 2 or 3 (or Level 1); blank when not a MAPPA case. Needs a MAPPA category.",
        "1",
    ),
    Column("ethnicity", False, "Free text, up to 60 characters.", "White"),
    Column("age_band", False, "Free text, up to 10 characters.", "25-34", ("age_group",)),
    Column(
        "domestic_abuse_history",
        False,
        "yes/no, true/false, Y/N, 1/0; blank means no.",
        "yes",
        ("domestic_abuse", "da_history"),
    ),
    Column(
        "child_safeguarding_concerns",
        False,
        "yes/no, true/false, Y/N, 1/0; blank means no.",
        "no",
        ("child_safeguarding", "safeguarding"),
    ),
    Column(
        "practitioner_grade",
        False,
        "po (Probation officer), pso (Probation services officer), other; or blank.",
        "po",
        ("grade",),
    ),
]
COLUMN_NAMES = [column.name for column in COLUMNS]
REQUIRED_COLUMNS = [column.name for column in COLUMNS if column.required]
FIELD_LIMITS = {"ethnicity": 60, "age_band": 10}


def _key(text: str) -> str:
    """Lower case, spaces, hyphens and slashes folded to underscores: 'Very high' -> very_high."""
    return re.sub(r"[\s\-/]+", "_", text.strip().lower())


HEADER_NAMES = {}
for _column in COLUMNS:
    for _name in (_column.name, *_column.aliases):
        HEADER_NAMES[_key(_name)] = _column.name


def _choice_lookup(choices, extra=None) -> dict[str, str]:
    """Each choice's stored value or its label, in any case, plus a few common short forms."""
    lookup = {}
    for value, label in choices:
        lookup[_key(str(value))] = value
        lookup[_key(str(label))] = value
    for alias, value in (extra or {}).items():
        lookup[_key(alias)] = str(value)
    return lookup


SENTENCE_TYPES = _choice_lookup(
    SentenceType.choices,
    {
        "co": SentenceType.COMMUNITY_ORDER,
        "sso": SentenceType.SUSPENDED_SENTENCE_ORDER,
        "pss": SentenceType.POST_SENTENCE_SUPERVISION,
    },
)
ROSH_LEVELS = _choice_lookup(RoshLevel.choices, {"vh": RoshLevel.VERY_HIGH})
GENDERS = _choice_lookup(Gender.choices, {"f": Gender.FEMALE, "m": Gender.MALE})
GRADES = _choice_lookup(PractitionerGrade.choices)
BOOLEANS = {
    "yes": True,
    "y": True,
    "true": True,
    "1": True,
    "no": False,
    "n": False,
    "false": False,
    "0": False,
}
MAPPA_NONE = {"", "none", "n/a", "na", "not applicable", "0"}


@dataclass(frozen=True)
class RowError:
    """One problem: a spreadsheet row number (the header is row 1), a column and a reason.

    A problem with the whole file (an unreadable file, a missing column) has no row.
    """

    row: int | None
    column: str
    reason: str

    def __str__(self):
        where = f"Row {self.row}, {self.column}" if self.row else (self.column or "File")
        return f"{where}: {self.reason}"


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


# Validating ----------------------------------------------------------------------------------


def _clean_text(value) -> tuple[str | datetime.date, str | None]:
    """Trimmed cell text, or a reason it is unacceptable."""
    if value.__class__ is not str:
        return value, None  # a date cell from XLSX
    text = value.strip()
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    if len(text) > MAX_CELL_LENGTH:
        return text, f"is {len(text)} characters long; the most allowed is {MAX_CELL_LENGTH}"
    # isprintable() is false for every character the pattern names, so it is a quick first test.
    if not text.isprintable() and CONTROL_CHARACTERS.search(text):
        return text, "contains control characters"
    return text, None


ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def parse_date(value) -> datetime.date | None:
    """ISO (2026-03-01) or UK day-first (01/03/2026) dates; None if neither."""
    if isinstance(value, datetime.date):
        return value
    if match := ISO_DATE.fullmatch(value):
        year, month, day = match.groups()
    elif match := UK_DATE.fullmatch(value):
        day, month, year = match.groups()
    else:
        return None
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError:
        return None


MAPPA_VALUES = {"category": set(MappaCategory.values), "level": set(MappaLevel.values)}


def _mappa(value: str, word: str) -> tuple[int | None, str | None]:
    text = value.strip().lower()
    if text in MAPPA_NONE:
        return None, None
    match = re.fullmatch(rf"(?:{word}\s*)?([0-9]+)", text)
    if match and int(match.group(1)) in MAPPA_VALUES[word]:
        return int(match.group(1)), None
    return None, f"'{value}' is not a MAPPA {word}: use 1, 2, 3 or leave it blank"


def _describe(lookup_choices) -> str:
    return ", ".join(str(value) for value in lookup_choices.values)


def _header_map(header: list, errors: list[RowError]) -> tuple[dict[str, int], list[str]]:
    positions: dict[str, int] = {}
    ignored = []
    for index, raw in enumerate(header):
        text = raw if isinstance(raw, str) else str(raw)
        text = CONTROL_CHARACTERS.sub("", text).strip()[:MAX_CELL_LENGTH]
        if not text:
            continue
        name = HEADER_NAMES.get(_key(text))
        if name is None:
            ignored.append(text)
        elif name in positions:
            errors.append(RowError(None, name, f"The column '{name}' appears more than once."))
        else:
            positions[name] = index
    return positions, ignored


class _Validator:
    """Checks rows one at a time, remembering CRNs seen so duplicates are caught.

    Caseload values repeat endlessly (a few sentence types, a year of dates), so each column's
    interpretation of a raw value is worked out once and remembered.
    """

    def __init__(self, positions, providers_by_code, default_provider, errors):
        self.positions = list(positions.items())
        self.present = set(positions)
        self.providers_by_code = providers_by_code
        self.default_provider = default_provider
        self.errors = errors
        self.seen: dict[str, int] = {}
        self.dates: dict = {}
        self.choices: dict[str, dict] = {name: {} for name, *_ in CHOICE_COLUMNS}
        self.grades: dict[str, str] = {}

    def row(self, number: int, cells: list) -> dict | None:
        """The row as Case field values, or None after recording what is wrong with it."""
        problems: list[tuple[str, str]] = []
        values = {}
        width = len(cells)
        for name, index in self.positions:
            text, problem = _clean_text(cells[index] if index < width else "")
            if problem:
                problems.append((name, f"The value {problem}."))
                text = ""
            values[name] = text
        bad = {name for name, _ in problems}

        def missing(name, label):
            if name not in bad:
                problems.append((name, f"The {label} is missing."))

        record = {}
        typed = str(values.get("crn", ""))
        crn = crn_from_text(typed)
        if not typed:
            missing("crn", "CRN")
        elif crn is None:
            problems.append(("crn", f"'{typed}' is not a CRN: {CRN_RULE}."))
        elif crn in self.seen:
            problems.append(
                ("crn", f"The CRN {crn} is also on row {self.seen[crn]}: list each case once.")
            )
        else:
            self.seen[crn] = number
        record["crn"] = crn

        code = str(values.get("provider", ""))
        if code:
            record["provider"] = self.providers_by_code.get(code.upper())
            if record["provider"] is None:
                problems.append(
                    ("provider", f"Unknown provider code '{code}', or not a provider you manage.")
                )
        elif self.default_provider is not None:
            record["provider"] = self.default_provider
        else:
            missing("provider", "provider code")

        for name, lookup, choices, label in CHOICE_COLUMNS:
            text = values.get(name, "")
            if not text:
                missing(name, label)
                continue
            cache = self.choices[name]
            if text not in cache:
                cache[text] = lookup.get(_key(str(text)))
            record[name] = cache[text]
            if record[name] is None:
                problems.append(
                    (name, f"Unknown {label} '{text}': use one of {_describe(choices)}.")
                )

        text = values.get("start_date", "")
        if not text:
            missing("start_date", "start date")
        else:
            if text not in self.dates:
                self.dates[text] = parse_date(text)
            record["start_date"] = self.dates[text]
            if record["start_date"] is None:
                problems.append(
                    (
                        "start_date",
                        f"'{text}' is not a date: use YYYY-MM-DD "
                        "(2026-03-01) or DD/MM/YYYY (01/03/2026).",
                    )
                )

        record["mappa_category"] = record["mappa_level"] = None
        for name, word in MAPPA_COLUMNS:
            text = values.get(name)
            if text and name not in bad:
                record[name], problem = _mappa(str(text), word)
                if problem:
                    problems.append((name, f"The value {problem}."))
        if (
            record["mappa_level"] is not None
            and record["mappa_category"] is None
            and "mappa_category" not in bad
        ):
            problems.append(("mappa_level", "A MAPPA level needs a MAPPA category."))

        for name in FLAG_COLUMNS:
            text = str(values.get(name, ""))
            flag = BOOLEANS.get(text.lower(), None) if text else False
            record[name] = bool(flag)
            if flag is None:
                problems.append(
                    (name, f"'{text}' is not yes or no: use yes/no, true/false, Y/N or 1/0.")
                )

        grade = str(values.get("practitioner_grade", ""))
        if grade not in self.grades:
            self.grades[grade] = GRADES.get(_key(grade), "") if grade else ""
        record["practitioner_grade"] = self.grades[grade]
        if grade and not record["practitioner_grade"]:
            problems.append(
                (
                    "practitioner_grade",
                    f"Unknown practitioner grade '{grade}': use one "
                    f"of {_describe(PractitionerGrade)} or leave it blank.",
                )
            )

        for name, limit in FIELD_LIMITS.items():
            record[name] = text = str(values.get(name, ""))
            if len(text) > limit and name not in bad:
                problems.append(
                    (
                        name,
                        f"The value is {len(text)} characters long; the most allowed is {limit}.",
                    )
                )

        if problems:
            self.errors.extend(RowError(number, column, reason) for column, reason in problems)
            return None
        return record


MAPPA_COLUMNS = [("mappa_category", "category"), ("mappa_level", "level")]
FLAG_COLUMNS = ("domestic_abuse_history", "child_safeguarding_concerns")
CHOICE_COLUMNS = [
    ("sentence_type", SENTENCE_TYPES, SentenceType, "sentence type"),
    ("rosh_level", ROSH_LEVELS, RoshLevel, "RoSH level"),
    ("gender", GENDERS, Gender, "gender"),
]


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
) -> ImportResult:
    """Validate a caseload file and, if every row is good and this is not a dry run, write it.

    `default_provider` is used for rows with no provider column or an empty provider cell.
    `allowed_provider_ids` (None = any) limits the providers the file may name and the existing
    cases it may update, so a manager cannot write outside their own providers.
    """
    result = ImportResult()
    errors = result.errors
    try:
        rows = enumerate(read_rows(data, filename), start=1)
        header = None
        for _, cells in rows:
            if _blank(cells):
                continue  # blank rows above the header
            header = cells
            break
        if header is None:
            raise FileRejected("The file is empty: the first row must name the columns.")
        positions, result.ignored_columns = _header_map(header, errors)
        missing = [name for name in REQUIRED_COLUMNS if name not in positions]
        if "provider" not in positions and default_provider is None:
            missing.append("provider")
        if missing:
            names = ", ".join(missing)
            errors.append(
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
        if errors:
            return result

        providers_by_code = {}
        if "provider" in positions:
            providers = Provider.objects.all()
            if allowed_provider_ids is not None:
                providers = providers.filter(id__in=allowed_provider_ids)
            providers_by_code = {p.code.upper(): p for p in providers}
        validator = _Validator(positions, providers_by_code, default_provider, errors)
        records = []
        for number, cells in rows:
            if _blank(cells):
                continue  # blank rows between or after the cases
            result.rows += 1
            record = validator.row(number, cells)
            if record is not None:
                records.append(record)
                if len(result.preview) < PREVIEW_ROWS:
                    result.preview.append({"row": number, **record})
    except FileRejected as exc:
        errors.append(RowError(None, "", str(exc)))
        errors.sort(key=_error_order)
        return result

    if result.rows == 0:
        errors.append(RowError(None, "", "The file has a header row but no cases."))
        return result

    existing = existing_cases([record["crn"] for record in records])
    if allowed_provider_ids is not None:
        for record in records:
            held = existing.get(record["crn"])
            if held is not None and held[1] not in allowed_provider_ids:
                errors.append(
                    RowError(
                        validator.seen[record["crn"]],
                        "crn",
                        f"The CRN {record['crn']} belongs to a provider you do not manage.",
                    )
                )
    if errors:
        errors.sort(key=_error_order)
        return result

    result.updated = sum(1 for record in records if record["crn"] in existing)
    result.created = len(records) - result.updated
    result.by_provider = dict(
        sorted(Counter(record["provider"].code for record in records).items())
    )
    if not dry_run:
        with transaction.atomic():
            write_cases(records, existing)
        result.written = True
    return result
