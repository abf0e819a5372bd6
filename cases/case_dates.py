"""The optional timeliness dates of a case, and the one rule they share.

Each date is optional; a date that is given may be neither before the sentence or release date
(the case's start date) nor after the latest date it could be known by: today for a caseload
import, the review date on the case facts page. The caseload import and the case facts page ask
the same `date_problems`, so a row error and a field error give the same reason.
"""

from __future__ import annotations

import datetime
from typing import NamedTuple


class CaseDate(NamedTuple):
    field: str
    label: str  # in a sentence: "the allocation date"


CASE_DATES: tuple[CaseDate, ...] = (
    CaseDate("allocation_date", "allocation date"),
    CaseDate("first_appointment_date", "first appointment date"),
    CaseDate("rosh_screening_date", "RoSH screening date"),
    CaseDate("first_home_visit_date", "first home visit date"),
)
CASE_DATE_FIELDS = tuple(date.field for date in CASE_DATES)
START_LABEL = "sentence or release date"


def long_date(day: datetime.date) -> str:
    """A date as GOV.UK writes it: 5 March 2026."""
    return f"{day.day} {day:%B %Y}"


def date_problems(
    start: datetime.date | None,
    dates: dict[str, datetime.date | None],
    *,
    latest: datetime.date,
    latest_name: str = "today",
) -> list[tuple[str, str]]:
    """(field, reason) for every given date before `start` or after `latest`.

    `latest_name` says what `latest` is in the reason ("today", "the review date").
    """
    problems = []
    for field, label in CASE_DATES:
        day = dates.get(field)
        if day is None:
            continue
        if start is not None and day < start:
            problems.append(
                (
                    field,
                    f"The {label}, {long_date(day)}, is before the {START_LABEL}, "
                    f"{long_date(start)}.",
                )
            )
        elif day > latest:
            problems.append(
                (
                    field,
                    f"The {label}, {long_date(day)}, is after {latest_name} "
                    f"({long_date(latest)}): it cannot have happened yet.",
                )
            )
    return problems
