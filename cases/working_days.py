"""Working days in England and Wales, for timeliness measures ("allocated within 1 working day").

A working day is Monday to Friday and not a bank holiday of England (Wales has the same bank
holidays), as the maintained `holidays` library knows them, including one-off days such as a
state funeral. The count between two dates is the number of working days AFTER the first date,
up to and INCLUDING the second: sentenced on Thursday 24 December 2026 and allocated on Tuesday
29 December 2026 is 1 working day (25 and 28 December are bank holidays).

The counting is numpy's business-day arithmetic (whole weeks at once, holidays by binary
search), so a 100,000-case caseload is counted in one call to `working_days_many`.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from functools import lru_cache

import holidays
import numpy as np

WORKING_WEEK = "1111100"  # Monday to Friday

# Bank holidays are loaded for at least these years, so nearly every call shares one calendar.
CALENDAR_YEARS = (2000, 2050)

ONE_DAY = np.timedelta64(1, "D")
EPOCH = datetime.date(1970, 1, 1).toordinal()


class DatesOutOfOrder(ValueError):
    """The second date is before the first: a count of working days would be meaningless."""

    def __init__(self, start: datetime.date, end: datetime.date, position: int | None = None):
        self.start, self.end, self.position = start, end, position
        message = f"the second date, {_long(end)}, is before the first, {_long(start)}."
        if position is None:
            super().__init__(message[0].upper() + message[1:])
        else:
            super().__init__(f"Pair {position + 1}: {message}")


def _long(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def bank_holidays(first_year: int, last_year: int) -> dict[datetime.date, str]:
    """The bank holidays of England and Wales in the years given (inclusive), with names."""
    return dict(
        holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1))
    )


@lru_cache(maxsize=8)
def _calendar(first_year: int, last_year: int) -> np.busdaycalendar:
    return np.busdaycalendar(
        weekmask=WORKING_WEEK, holidays=sorted(bank_holidays(first_year, last_year))
    )


def _days(dates: Sequence[datetime.date]) -> np.ndarray:
    """Dates as numpy days, through ordinals: many times faster than numpy parsing dates."""
    ordinals = np.fromiter(map(datetime.date.toordinal, dates), dtype=np.int64, count=len(dates))
    return (ordinals - EPOCH).astype("datetime64[D]")


def _count(firsts: Sequence[datetime.date], seconds: Sequence[datetime.date]) -> list[int]:
    """Working days after each first date up to and including its second (never before it)."""
    calendar = _calendar(
        min(CALENDAR_YEARS[0], min(firsts).year), max(CALENDAR_YEARS[1], max(seconds).year)
    )
    # numpy counts from its first day inclusive to its second exclusive: shift both by a day.
    counted = np.busday_count(_days(firsts) + ONE_DAY, _days(seconds) + ONE_DAY, busdaycal=calendar)
    return counted.tolist()


def working_days(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end`; 0 on the same day.

    Raises DatesOutOfOrder when `end` is before `start`, rather than a negative count that a
    timeliness limit would read as "in time".
    """
    if end < start:
        raise DatesOutOfOrder(start, end)
    return _count([start], [end])[0]


def working_days_many(
    starts: Sequence[datetime.date | None], ends: Sequence[datetime.date | None]
) -> list[int | None]:
    """`working_days` for many pairs at once; None where either date is not known.

    Vectorised: the whole list is counted in one numpy call (0.1 to 0.3 s for 100,000 pairs on
    a shared two-core host, most of it reading the Python dates). Raises DatesOutOfOrder for
    the first pair out of order, with its position.
    """
    if len(starts) != len(ends):
        raise ValueError(f"{len(starts)} first dates but {len(ends)} second dates.")
    known = [i for i, (s, e) in enumerate(zip(starts, ends)) if s is not None and e is not None]
    for i in known:
        if ends[i] < starts[i]:
            raise DatesOutOfOrder(starts[i], ends[i], i)
    counts: list[int | None] = [None] * len(starts)
    if known:
        counted = _count([starts[i] for i in known], [ends[i] for i in known])
        for i, count in zip(known, counted):
            counts[i] = count
    return counts
