"""Working days of England and Wales: the worked examples, the edges, and properties."""

import datetime

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cases.working_days import (
    DatesOutOfOrder,
    _calendar,
    bank_holidays,
    working_days,
    working_days_many,
)

D = datetime.date


def counted_by_hand(start, end):
    """The definition, day by day: a slow but obvious oracle."""
    known = holidays.country_holidays("GB", subdiv="ENG", years=range(start.year, end.year + 1))
    days = (start + datetime.timedelta(days=k) for k in range(1, (end - start).days + 1))
    return sum(1 for day in days if day.weekday() < 5 and day not in known)


@pytest.mark.parametrize(
    "start, end, expected",
    [
        # Christmas Day, and Monday 28 December for Boxing Day on a Saturday.
        (D(2026, 12, 24), D(2026, 12, 29), 1),
        (D(2026, 12, 24), D(2026, 12, 31), 3),
        # Good Friday and Easter Monday.
        (D(2026, 4, 2), D(2026, 4, 7), 1),
        # Monday 31 August is the late summer bank holiday.
        (D(2026, 8, 21), D(2026, 9, 1), 6),
    ],
)
def test_worked_examples(start, end, expected):
    assert working_days(start, end) == expected
    assert counted_by_hand(start, end) == expected


@pytest.mark.parametrize(
    "start, end, expected",
    [
        (D(2026, 8, 21), D(2026, 8, 21), 0),  # the same day
        (D(2026, 8, 22), D(2026, 8, 22), 0),  # the same day, a Saturday
        (D(2026, 8, 20), D(2026, 8, 21), 1),  # Thursday to Friday
        (D(2026, 8, 21), D(2026, 8, 24), 1),  # Friday to Monday: only the Monday
        (D(2026, 8, 22), D(2026, 8, 23), 0),  # Saturday to Sunday
        (D(2026, 8, 28), D(2026, 8, 31), 0),  # Friday to the bank holiday Monday
        (D(2026, 12, 31), D(2027, 1, 4), 1),  # over New Year's Day, into a new year
    ],
)
def test_the_first_date_never_counts_the_second_does(start, end, expected):
    assert working_days(start, end) == expected


def test_one_off_bank_holidays_count_as_holidays():
    """The state funeral of 19 September 2022 and the coronation of 8 May 2023."""
    assert working_days(D(2022, 9, 16), D(2022, 9, 20)) == 1
    assert working_days(D(2023, 5, 5), D(2023, 5, 9)) == 1


def test_dates_far_from_today_are_counted_with_their_own_bank_holidays():
    assert (
        working_days(D(1985, 12, 24), D(1985, 12, 27))
        == counted_by_hand(D(1985, 12, 24), D(1985, 12, 27))
        == 1
    )
    assert working_days(D(2075, 12, 24), D(2075, 12, 31)) == counted_by_hand(
        D(2075, 12, 24), D(2075, 12, 31)
    )
    assert working_days(D(1990, 1, 1), D(2080, 12, 31)) == counted_by_hand(
        D(1990, 1, 1), D(2080, 12, 31)
    )


def test_a_datetime_counts_as_its_day():
    start = datetime.datetime(2026, 12, 24, 23, 30)
    assert working_days(start, datetime.datetime(2026, 12, 29, 0, 5)) == 1


def test_second_date_before_the_first_is_refused_in_plain_words():
    with pytest.raises(DatesOutOfOrder) as refused:
        working_days(D(2026, 5, 3), D(2026, 5, 1))
    assert str(refused.value) == "The second date, 1 May 2026, is before the first, 3 May 2026."
    assert (refused.value.start, refused.value.end) == (D(2026, 5, 3), D(2026, 5, 1))
    assert refused.value.position is None
    assert isinstance(refused.value, ValueError)


def test_many_pairs_at_once_with_dates_not_known():
    starts = [D(2026, 12, 24), None, D(2026, 4, 2), D(2026, 8, 21), D(2026, 1, 1)]
    ends = [D(2026, 12, 29), D(2026, 5, 1), D(2026, 4, 7), D(2026, 9, 1), None]
    assert working_days_many(starts, ends) == [1, None, 1, 6, None]


def test_many_pairs_with_no_dates_known():
    assert working_days_many([None, None], [D(2026, 1, 1), None]) == [None, None]
    assert working_days_many([], []) == []


def test_many_pairs_refuse_the_first_out_of_order_naming_it():
    starts = [D(2026, 1, 5), None, D(2026, 5, 3), D(2026, 7, 3)]
    ends = [D(2026, 1, 6), D(2020, 1, 1), D(2026, 5, 1), D(2026, 7, 1)]
    with pytest.raises(DatesOutOfOrder) as refused:
        working_days_many(starts, ends)
    assert str(refused.value) == (
        "Pair 3: the second date, 1 May 2026, is before the first, 3 May 2026."
    )
    assert refused.value.position == 2


def test_many_pairs_need_as_many_second_dates_as_first():
    with pytest.raises(ValueError, match="2 first dates but 1 second dates"):
        working_days_many([D(2026, 1, 1), D(2026, 1, 2)], [D(2026, 1, 3)])


def test_many_pairs_spanning_decades_each_use_their_own_years():
    starts = [D(1988, 12, 23), D(2026, 12, 24), D(2069, 12, 24)]
    ends = [D(1988, 12, 28), D(2026, 12, 29), D(2069, 12, 31)]
    assert working_days_many(starts, ends) == [counted_by_hand(s, e) for s, e in zip(starts, ends)]


def test_one_calendar_serves_every_date_from_2000_to_2050():
    """Building a calendar of bank holidays takes tens of milliseconds: case by case counts of a
    caseload must not rebuild it for each new pair of years."""
    _calendar.cache_clear()
    working_days(D(2000, 1, 4), D(2000, 1, 5))
    working_days(D(2026, 12, 24), D(2026, 12, 29))
    working_days_many([D(2013, 1, 1), D(2049, 1, 1)], [D(2014, 1, 1), D(2050, 12, 31)])
    assert _calendar.cache_info().misses == 1


def test_bank_holidays_of_a_year_by_name():
    year = bank_holidays(2026, 2026)
    assert len(year) == 9
    assert year[D(2026, 12, 28)] == "Boxing Day (observed)"
    assert D(2026, 8, 31) in year
    assert set(bank_holidays(2025, 2027)) > set(year)


def test_wales_has_the_bank_holidays_of_england():
    wales = holidays.country_holidays("GB", subdiv="WLS", years=range(1990, 2041))
    assert set(bank_holidays(1990, 2040)) == set(wales)


days = st.dates(min_value=D(1975, 1, 1), max_value=D(2075, 12, 31))
spans = st.integers(min_value=0, max_value=800)

# Years outside 2000-2050 build their own calendar of bank holidays the first time (tens of
# milliseconds, more on a busy machine): no deadline on these properties.
properties = settings(deadline=None)


@properties
@given(days, spans, spans)
def test_working_days_add_up_over_consecutive_intervals(start, first, second):
    middle = start + datetime.timedelta(days=first)
    end = middle + datetime.timedelta(days=second)
    whole = working_days(start, end)
    assert whole == working_days(start, middle) + working_days(middle, end)
    assert 0 <= whole <= (end - start).days
    assert working_days_many([start, middle], [middle, end]) == [
        working_days(start, middle),
        working_days(middle, end),
    ]


@properties
@given(days, st.integers(min_value=0, max_value=60))
def test_working_days_match_the_day_by_day_count(start, span):
    end = start + datetime.timedelta(days=span)
    assert working_days(start, end) == counted_by_hand(start, end)


@properties
@given(days)
def test_weekends_never_count(day):
    saturday = day + datetime.timedelta(days=(5 - day.weekday()) % 7)
    assert saturday.weekday() == 5
    friday = saturday - datetime.timedelta(days=1)
    assert working_days(friday, saturday + datetime.timedelta(days=1)) == 0
    # A whole week holds at most five working days, whatever day it starts.
    assert working_days(day, day + datetime.timedelta(days=7)) <= 5


@properties
@given(days, st.integers(min_value=1, max_value=800))
def test_a_second_date_before_the_first_is_always_refused(start, back):
    with pytest.raises(DatesOutOfOrder):
        working_days(start, start - datetime.timedelta(days=back))
