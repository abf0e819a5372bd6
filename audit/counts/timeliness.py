"""The timeliness part of a review's contribution: the working days each step took.

A counted review adds one to "time:<kind>:<working days>" for each timeliness kind
(standards/timeliness.py) whose two case dates are known, and to "time:<kind>:unknown" where
either is not, so a report counts "not known" apart and never as late. The days, not a pass or
fail, are counted: a report applies the limits of its own framework version, with no recount. A
second date before the first (a RoSH screening done at court, before allocation) counts as 0.
"""

from __future__ import annotations

from cases.working_days import working_days_many
from standards.timeliness import DATE_FIELDS, KINDS, Kind, count_key

CASE = "sampled_case__case__"
# The case dates a review row carries for the counting.
TIMELINESS_FIELDS = tuple(CASE + name for name in DATE_FIELDS)


def timeliness_facts(rows: list[dict]) -> list[tuple[str, ...]]:
    """Each row's timeliness count keys, in KINDS order: one vectorised count per kind."""
    per_kind = [
        kind_keys(
            kind,
            [row[CASE + kind.from_field] for row in rows],
            [row[CASE + kind.to_field] for row in rows],
        )
        for kind in KINDS
    ]
    return [tuple(keys) for keys in zip(*per_kind)] if per_kind else [() for _ in rows]


def kind_keys(kind: Kind, starts: list, ends: list) -> list[str]:
    """The count key of one kind for each pair of its two dates (None where not known)."""
    # Out of order counts as 0: swap such pairs to the same day rather than refuse them.
    ends = [
        start if start is not None and end is not None and end < start else end
        for start, end in zip(starts, ends)
    ]
    return [count_key(kind.code, d) for d in working_days_many(starts, ends)]
