"""Reading one caseload row: the columns, their accepted values, and the row's checks.

Every problem with a row is recorded as a RowError naming the row, the column and the reason,
so the import (cases.importers) can report every bad row at once and write nothing.
The columns are documented in docs/formats.md ("Caseload import").
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass

from .case_dates import CASE_DATE_FIELDS, CASE_DATES, date_problems
from .models import (
    CRN_RULE,
    Gender,
    MappaCategory,
    MappaLevel,
    PractitionerGrade,
    RoshLevel,
    SentenceType,
    crn_from_text,
)

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
        "Sentence or release date (the start date): YYYY-MM-DD or DD/MM/YYYY (or a date "
        "cell in XLSX).",
        "2026-03-01",
        ("sentence_start_date", "release_date", "sentence_date", "sentence_or_release_date"),
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
    *(
        Column(
            date.field,
            False,
            f"Optional: the {date.label}, YYYY-MM-DD or DD/MM/YYYY (or a date cell in XLSX); "
            "not before the start date, not after today.",
            example,
            aliases,
        )
        for date, example, aliases in (
            (CASE_DATES[0], "2026-03-02", ("allocated", "allocated_date")),
            (CASE_DATES[1], "2026-03-06", ("first_appointment",)),
            (CASE_DATES[2], "2026-03-04", ("rosh_screening", "rosh_screened")),
            (CASE_DATES[3], "2026-03-20", ("first_home_visit", "home_visit_date")),
        )
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


NOT_A_DATE = "is not a date: use YYYY-MM-DD (2026-03-01) or DD/MM/YYYY (01/03/2026)."


class _Validator:
    """Checks rows one at a time, remembering CRNs seen so duplicates are caught.

    Caseload values repeat endlessly (a few sentence types, a year of dates), so each column's
    interpretation of a raw value is worked out once and remembered.
    """

    def __init__(self, positions, providers_by_code, default_provider, errors, today=None):
        self.positions = list(positions.items())
        self.present = set(positions)
        self.providers_by_code = providers_by_code
        self.default_provider = default_provider
        self.errors = errors
        self.today = today or datetime.date.today()
        self.seen: dict[str, int] = {}
        self.dates: dict = {}
        self.choices: dict[str, dict] = {name: {} for name, *_ in CHOICE_COLUMNS}
        self.grades: dict[str, str] = {}

    def row(self, number: int, cells: list) -> dict | None:
        """The row as Case field values, or None after recording what is wrong with it."""
        problems: list[tuple[str, str]] = []
        values = self._cells(cells, problems)
        bad = {name for name, _ in problems}
        record: dict = {}
        self._crn(number, values, record, problems, bad)
        self._provider(values, record, problems, bad)
        self._choices(values, record, problems, bad)
        self._start_date(values, record, problems, bad)
        self._mappa(values, record, problems, bad)
        self._flags(values, record, problems)
        self._grade(values, record, problems)
        self._lengths(values, record, problems, bad)
        self._case_dates(values, record, problems)
        if problems:
            self.errors.extend(RowError(number, column, reason) for column, reason in problems)
            return None
        return record

    def _cells(self, cells: list, problems: list) -> dict:
        values = {}
        width = len(cells)
        for name, index in self.positions:
            text, problem = _clean_text(cells[index] if index < width else "")
            if problem:
                problems.append((name, f"The value {problem}."))
                text = ""
            values[name] = text
        return values

    @staticmethod
    def _missing(problems, bad, name, label):
        if name not in bad:
            problems.append((name, f"The {label} is missing."))

    def _crn(self, number, values, record, problems, bad):
        typed = str(values.get("crn", ""))
        crn = crn_from_text(typed)
        if not typed:
            self._missing(problems, bad, "crn", "CRN")
        elif crn is None:
            problems.append(("crn", f"'{typed}' is not a CRN: {CRN_RULE}."))
        elif crn in self.seen:
            problems.append(
                ("crn", f"The CRN {crn} is also on row {self.seen[crn]}: list each case once.")
            )
        else:
            self.seen[crn] = number
        record["crn"] = crn

    def _provider(self, values, record, problems, bad):
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
            self._missing(problems, bad, "provider", "provider code")

    def _choices(self, values, record, problems, bad):
        for name, lookup, choices, label in CHOICE_COLUMNS:
            text = values.get(name, "")
            if not text:
                self._missing(problems, bad, name, label)
                continue
            cache = self.choices[name]
            if text not in cache:
                cache[text] = lookup.get(_key(str(text)))
            record[name] = cache[text]
            if record[name] is None:
                problems.append(
                    (name, f"Unknown {label} '{text}': use one of {_describe(choices)}.")
                )

    def _date(self, text) -> datetime.date | None:
        if text not in self.dates:
            self.dates[text] = parse_date(text)
        return self.dates[text]

    def _start_date(self, values, record, problems, bad):
        text = values.get("start_date", "")
        if not text:
            self._missing(problems, bad, "start_date", "start date")
            return
        record["start_date"] = self._date(text)
        if record["start_date"] is None:
            problems.append(("start_date", f"'{text}' {NOT_A_DATE}"))

    def _mappa(self, values, record, problems, bad):
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

    def _flags(self, values, record, problems):
        for name in FLAG_COLUMNS:
            text = str(values.get(name, ""))
            flag = BOOLEANS.get(text.lower(), None) if text else False
            record[name] = bool(flag)
            if flag is None:
                problems.append(
                    (name, f"'{text}' is not yes or no: use yes/no, true/false, Y/N or 1/0.")
                )

    def _grade(self, values, record, problems):
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

    def _lengths(self, values, record, problems, bad):
        for name, limit in FIELD_LIMITS.items():
            record[name] = text = str(values.get(name, ""))
            if len(text) > limit and name not in bad:
                problems.append(
                    (
                        name,
                        f"The value is {len(text)} characters long; the most allowed is {limit}.",
                    )
                )

    def _case_dates(self, values, record, problems):
        """The optional timeliness dates: blank is not known; a date is checked against the
        start date and today (cases.case_dates)."""
        for name in CASE_DATE_FIELDS:
            text = values.get(name, "")
            record[name] = self._date(text) if text else None
            if text and record[name] is None:
                problems.append((name, f"'{text}' {NOT_A_DATE}"))
        problems.extend(
            date_problems(
                record.get("start_date"),
                {name: record[name] for name in CASE_DATE_FIELDS},
                latest=self.today,
            )
        )


MAPPA_COLUMNS = [("mappa_category", "category"), ("mappa_level", "level")]
FLAG_COLUMNS = ("domestic_abuse_history", "child_safeguarding_concerns")
CHOICE_COLUMNS = [
    ("sentence_type", SENTENCE_TYPES, SentenceType, "sentence type"),
    ("rosh_level", ROSH_LEVELS, RoshLevel, "RoSH level"),
    ("gender", GENDERS, Gender, "gender"),
]
