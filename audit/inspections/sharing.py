"""Sharing cases evenly among assessors: a rule, with no database, so it can be tested on any
input.

Each case goes to the assessor with the fewest cases so far among those allowed to take it
(with `avoid_own`, not one whose own providers include the case's provider); the cases with the
fewest allowed assessors are placed first, then any assessor holding two more than another who
may take one of their cases gives it up. With nobody kept off any case the loads differ by at
most one.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence


class NobodyMayTake(ValueError):
    """Cases that every chosen assessor is kept off (their own provider's)."""

    def __init__(self, cases):
        super().__init__(f"{len(cases)} cases have no assessor allowed to take them")
        self.cases = list(cases)


def even_split(
    cases: Sequence[tuple[Hashable, Hashable]],
    assessors: Sequence[tuple[Hashable, frozenset]],
    *,
    avoid_own: bool,
) -> dict:
    """{case: assessor} for cases given as (case, provider) and assessors as (assessor, their
    own providers)."""
    if not assessors:
        raise ValueError("Choose at least one assessor.")
    order = {a: i for i, (a, _) in enumerate(assessors)}
    allowed = {
        case: [a for a, own in assessors if not (avoid_own and provider in own)]
        for case, provider in cases
    }
    stuck = [case for case, names in allowed.items() if not names]
    if stuck:
        raise NobodyMayTake(stuck)
    loads = dict.fromkeys(order, 0)
    plan = {}
    for case, _ in sorted(cases, key=lambda c: len(allowed[c[0]])):
        chosen = min(allowed[case], key=lambda a: (loads[a], order[a]))
        plan[case] = chosen
        loads[chosen] += 1
    _even_out(plan, allowed, loads)
    return plan


def _even_out(plan, allowed, loads):
    """Move a case from a heavy assessor to one with at least two fewer who may take it, while
    any such move exists."""
    moved = True
    while moved:
        moved = False
        for case, holder in plan.items():
            lighter = [a for a in allowed[case] if loads[a] <= loads[holder] - 2]
            if lighter:
                taker = min(lighter, key=lambda a: loads[a])
                plan[case] = taker
                loads[holder] -= 1
                loads[taker] += 1
                moved = True
