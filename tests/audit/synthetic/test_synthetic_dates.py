"""The synthetic cases' timeliness dates: valid for the import's rule, and shaped like what
inspectors report (allocation nearly always in time, first appointments often late)."""

import datetime

from audit.synthetic.dates import case_dates
from cases.case_dates import date_problems
from cases.working_days import working_days_many

D = datetime.date


def test_dates_are_valid_stable_and_realistic():
    latest = D(2026, 11, 30)
    cases = [(f"S{i:06d}", D(2026, 1, 1) + datetime.timedelta(days=i % 300)) for i in range(3000)]
    found = [case_dates(crn, start, latest=latest) for crn, start in cases]
    assert found[7] == case_dates(*cases[7], latest=latest)  # the same case, the same dates
    for (_, start), dates in zip(cases, found):
        assert date_problems(start, dates, latest=latest) == []

    def share_in_time(first, second, limit):
        pairs = [(a, b) for a, b in zip(first, second) if a is not None and b is not None]
        days = working_days_many([a for a, _ in pairs], [max(a, b) for a, b in pairs])
        return sum(d <= limit for d in days) / len(days), len(pairs) / len(first)

    starts = [start for _, start in cases]
    allocated = [d["allocation_date"] for d in found]
    allocation, known = share_in_time(starts, allocated, 1)
    assert 0.6 < allocation < 0.9 and 0.85 < known < 0.97
    appointment, _ = share_in_time(allocated, [d["first_appointment_date"] for d in found], 5)
    assert 0.3 < appointment < 0.75
    screening, _ = share_in_time(allocated, [d["rosh_screening_date"] for d in found], 5)
    assert 0.4 < screening < 0.85
    visits = sum(d["first_home_visit_date"] is not None for d in found) / len(found)
    assert 0.3 < visits < 0.5
