"""Realistic timeliness dates for synthetic cases (the demo data and the national data set).

Each case's dates come from its own random stream, seeded by its CRN, so adding them changes no
other synthetic value and the same case always gets the same dates. The shape follows what
inspectors report: nearly all cases allocated within a working day or two of sentence or
release, first appointments often later than five working days, RoSH screenings sometimes done
at court (before allocation) and sometimes slow; a date is missing from the record now and then,
and a first home visit is recorded for a minority of cases. No date is after `latest`.
"""

from __future__ import annotations

import datetime
import random

from cases.case_dates import CASE_DATE_FIELDS


def _after(rng: random.Random, day: datetime.date, spreads: list[tuple[int, int, int]]):
    """`day` plus a number of calendar days drawn from weighted (weight, low, high) spreads."""
    _, low, high = rng.choices(spreads, weights=[w for w, _, _ in spreads])[0]
    return day + datetime.timedelta(days=rng.randint(low, high))


def case_dates(
    crn: str, start: datetime.date, *, latest: datetime.date | None = None
) -> dict[str, datetime.date | None]:
    """The case's allocation, first appointment, RoSH screening and first home visit dates."""
    rng = random.Random(f"dates:{crn}")
    latest = latest or datetime.date.today()
    allocated = (
        _after(rng, start, [(70, 0, 1), (20, 2, 3), (10, 4, 9)]) if rng.random() < 0.92 else None
    )
    base = allocated or start
    dates = {
        "allocation_date": allocated,
        "first_appointment_date": (
            _after(rng, base, [(55, 0, 6), (35, 7, 10), (10, 11, 25)])
            if allocated and rng.random() < 0.88
            else None
        ),
        "rosh_screening_date": (
            start + datetime.timedelta(days=rng.randint(0, (base - start).days))
            if rng.random() < 0.15
            else _after(rng, base, [(60, 0, 6), (30, 7, 12), (10, 13, 30)])
        )
        if rng.random() < 0.85
        else None,
        "first_home_visit_date": (
            _after(rng, base, [(50, 5, 20), (50, 21, 60)]) if rng.random() < 0.4 else None
        ),
    }
    return {
        name: (day if day is not None and day <= latest else None) for name, day in dates.items()
    }


def add_case_dates(case) -> None:
    """Give an unsaved synthetic Case its dates (the demo's hook)."""
    for name, day in case_dates(case.crn, case.start_date).items():
        setattr(case, name, day)


def case_date_cells(writer, crn: str, start: datetime.date) -> tuple:
    """The dates as the national data set's writer stores them, in CASE_DATE_FIELDS order."""
    found = case_dates(crn, start)
    return tuple(None if found[n] is None else writer.day(found[n]) for n in CASE_DATE_FIELDS)
