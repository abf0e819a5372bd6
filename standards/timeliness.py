"""Timeliness measures: how many working days a step of supervision may take.

A framework version declares its timeliness measures (TimelinessMeasure rows), each one of the
KINDS below with its limit in working days, editable in the admin. A kind names the two case
dates it counts between (fields of cases.Case; `start_date` is the sentence or release date).
The counting is in working days of England and Wales (cases.working_days): the days after the
first date up to and including the second.

Limits. Allocation within 1 working day of sentence or release and a first appointment within 5
working days of allocation are the expectations inspectors report against ("most cases were
assigned to an identified offender manager within one working day after sentence"; "first
appointment within five working days"). Inspectors name no figure for the RoSH screening, only
that screenings "took too long"; it is expected at the start of the order, so the shipped limit
is the same 5 working days of allocation as the first appointment. A limit is part of its
framework version and freezes with it: it is changed in a draft version (Admin > Timeliness
measures, after "Clone as new draft version") and takes effect for the inspections scored
against that version once it is published.
"""

from __future__ import annotations

from typing import NamedTuple

# The most working days a limit may be; longer counts are kept as "more than this".
MAX_LIMIT = 60


class Kind(NamedTuple):
    code: str
    label: str  # with {limit} and {days} ("working day" or "working days")
    from_field: str
    to_field: str
    default_limit: int


KINDS: tuple[Kind, ...] = (
    Kind(
        "allocated_in_time",
        "Allocated within {limit} {days} of sentence or release",
        "start_date",
        "allocation_date",
        1,
    ),
    Kind(
        "first_appointment_in_time",
        "First appointment within {limit} {days} of allocation",
        "allocation_date",
        "first_appointment_date",
        5,
    ),
    Kind(
        "rosh_screening_in_time",
        "RoSH screening within {limit} {days} of allocation",
        "allocation_date",
        "rosh_screening_date",
        5,
    ),
)
KINDS_BY_CODE = {kind.code: kind for kind in KINDS}
# The case dates the kinds count between, each once.
DATE_FIELDS = tuple(dict.fromkeys(f for k in KINDS for f in (k.from_field, k.to_field)))


def measure_label(code: str, limit: int) -> str:
    return KINDS_BY_CODE[code].label.format(
        limit=limit, days="working day" if limit == 1 else "working days"
    )


# How a review's count keys name its timeliness: "time:<kind>:<working days>" (capped at one
# more than MAX_LIMIT) or "time:<kind>:unknown" when either date is not known.
PREFIX = "time:"
UNKNOWN = "unknown"


def count_key(code: str, days: int | None) -> str:
    if days is None:
        return f"{PREFIX}{code}:{UNKNOWN}"
    return f"{PREFIX}{code}:{min(max(days, 0), MAX_LIMIT + 1)}"


def in_time_each(counts: dict, limits: dict[str, int]) -> dict[str, tuple[int, int, int]]:
    """(in time, known, not known) of each kind in `limits` (code -> limit), in one pass over
    the counts: a national roll-up asks for three kinds of each of 120 providers."""
    found = {code: [0, 0, 0] for code in limits}
    for key, n in counts.items():
        if not (isinstance(key, str) and key.startswith(PREFIX)):
            continue
        code, _, days = key[len(PREFIX) :].rpartition(":")
        tally = found.get(code)
        if tally is None:
            continue
        if days == UNKNOWN:
            tally[2] += n
            continue
        tally[1] += n
        if int(days) <= limits[code]:
            tally[0] += n
    return {code: tuple(tally) for code, tally in found.items()}


def in_time(counts: dict, code: str, limit: int) -> tuple[int, int, int]:
    """(in time, known, not known) of one kind, from counts keyed as `count_key` writes them."""
    met = known = unknown = 0
    head = f"{PREFIX}{code}:"
    for key, n in counts.items():
        if not (isinstance(key, str) and key.startswith(head)):
            continue
        days = key[len(head) :]
        if days == UNKNOWN:
            unknown += n
            continue
        known += n
        if int(days) <= limit:
            met += n
    return met, known, unknown
