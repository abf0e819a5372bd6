"""Stratified random samples of an eligible caseload, and the sample-size calculator.

How a sample is allocated
-------------------------
The caseload is cross-classified into strata of RoSH level x sentence group (community sentence,
or licence / post-sentence supervision) x gender. Each stratum's proportional share of a sample of
n is n x (stratum cases / caseload). Shares are rarely whole numbers, so they are rounded with a
*controlled* largest-remainder method:

- every stratum gets the floor or the ceiling of its share, and the total is exactly n;
- every RoSH x sentence-group stratum (summed over gender) also gets the floor or ceiling of its
  share, so the sample stays proportional on the two dimensions the inspection design names;
- every gender (summed over RoSH and sentence) also gets the floor or ceiling of its share, so a
  small group such as women is never rounded away: with 12% women a sample of 30 holds 3 or 4.

Plain largest remainder over the cross-classification would meet the first rule but not the last
two: women, spread thinly over ten small cells, can lose every rounding contest to the larger
male cells and vanish. Nested allocation (RoSH x sentence first, then gender inside each) keeps
the first two rules but lets the gender total drift by several cases. Rounding a two-way table
so that cells, rows and columns all stay within one of their exact values is always possible
(the exact shares are a feasible flow, and flow problems with whole-number bounds have
whole-number solutions); among the possible roundings, the cells with the largest remainders are
rounded up first, each choice kept only if the rest can still be completed (checked with a small
max-flow).

Within each stratum the cases are taken with `random.Random(seed).sample` over the stratum's
cases in CRN order, strata in a fixed order, so the same caseload and seed always give the same
sample, and the seed, the caseload strata and the sample strata are recorded on the Sample.

Sample size
-----------
For a proportion near 50%, confidence z and margin e, caseload N (docs/sampling.md):
n0 = z^2 x 0.25 / e^2 and n = ceil(n0 / (1 + (n0 - 1) / N)), the finite-population correction.
"""

from __future__ import annotations

import math
import random
import secrets
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

from django.db import transaction
from django.db.models import Count

from .models import COMMUNITY_SENTENCES, Case, Gender, RoshLevel, Sample
from .selectors import descendant_ids

Z_SCORES = {80: 1.2816, 90: 1.6449, 95: 1.96, 99: 2.5758}
CONFIDENCE_LEVELS = (80, 95)
# Floating-point slack so an exact whole number is not rounded up by representation error.
_EPSILON = 1e-9


# Sample-size calculator ---------------------------------------------------------------------


def _percent(confidence) -> int:
    """Confidence as a whole percentage: 0.95 and 95 both mean 95%."""
    value = float(confidence)
    value = value * 100 if value <= 1 else value
    rounded = round(value)
    if rounded not in Z_SCORES or abs(rounded - value) > _EPSILON:
        levels = ", ".join(f"{level}%" for level in Z_SCORES)
        raise ValueError(f"Confidence must be one of {levels}.")
    return rounded


def z_score(confidence) -> float:
    return Z_SCORES[_percent(confidence)]


def _fraction(margin) -> float:
    """Margin of error as a fraction: 0.05 and 5 (per cent) both mean 5%."""
    value = float(margin)
    value = value / 100 if value >= 1 else value
    if not 0 < value < 1:
        raise ValueError("The margin of error must be between 0% and 100%.")
    return value


def sample_size(caseload: int, confidence=95, margin=0.05) -> int:
    """Cases needed so a proportion is estimated within `margin` at `confidence`.

    >>> sample_size(1000, 95, 0.05)
    278
    """
    if caseload < 0:
        raise ValueError("The caseload cannot be negative.")
    if caseload == 0:
        return 0
    z = z_score(confidence)
    e = _fraction(margin)
    n0 = z * z * 0.25 / (e * e)
    n = n0 / (1 + (n0 - 1) / caseload)
    return min(caseload, math.ceil(n - _EPSILON))


def margin_of_error(sample: int, caseload: int, confidence=95) -> float | None:
    """The margin of error (a fraction) a sample of `sample` from `caseload` gives; None if empty.

    The inverse of sample_size: a sample of sample_size(N, c, e) gives a margin of at most e.
    """
    if sample <= 0 or caseload <= 0:
        return None
    if sample >= caseload:
        return 0.0
    z = z_score(confidence)
    return z * math.sqrt(0.25 * (caseload - sample) / (sample * (caseload - 1)))


# Strata --------------------------------------------------------------------------------------

COMMUNITY = "community"
LICENCE = "licence"
SENTENCE_GROUPS = {COMMUNITY: "community sentence", LICENCE: "licence or PSS"}
ROSH_ORDER = list(RoshLevel.values)
GENDER_ORDER = list(Gender.values)
GROUP_ORDER = list(SENTENCE_GROUPS)


def sentence_group(sentence_type: str) -> str:
    return COMMUNITY if sentence_type in COMMUNITY_SENTENCES else LICENCE


@dataclass(frozen=True)
class Stratum:
    rosh_level: str
    group: str
    gender: str

    @classmethod
    def of(cls, rosh_level, sentence_type, gender) -> Stratum:
        return cls(rosh_level, sentence_group(sentence_type), gender)

    @classmethod
    def from_key(cls, key: str) -> Stratum:
        rosh_level, group, gender = key.split("|")
        return cls(rosh_level, group, gender)

    @property
    def key(self) -> str:
        """The stratum as recorded in a Sample's JSON: 'high|licence|female'."""
        return f"{self.rosh_level}|{self.group}|{self.gender}"

    @property
    def primary(self) -> tuple[str, str]:
        return (self.rosh_level, self.group)

    @property
    def order(self) -> tuple:
        return (
            _position(ROSH_ORDER, self.rosh_level),
            _position(GROUP_ORDER, self.group),
            _position(GENDER_ORDER, self.gender),
        )

    @property
    def rosh_label(self) -> str:
        return _label(RoshLevel, self.rosh_level)

    @property
    def group_label(self) -> str:
        return SENTENCE_GROUPS.get(self.group, self.group)

    @property
    def gender_label(self) -> str:
        return _label(Gender, self.gender)


def _position(order, value) -> int:
    return order.index(value) if value in order else len(order)


def _label(choices, value) -> str:
    return dict(choices.choices).get(value, value)


def eligible_cases(*, providers, window_start, window_end):
    """Cases of the providers (and the units beneath them) that started within the window."""
    provider_ids = descendant_ids([provider.pk for provider in providers])
    return Case.objects.filter(
        provider_id__in=provider_ids, start_date__gte=window_start, start_date__lte=window_end
    )


def strata_counts(cases) -> dict[Stratum, int]:
    """Cases per stratum, in one aggregate query."""
    counts: dict[Stratum, int] = defaultdict(int)
    rows = cases.order_by().values("rosh_level", "sentence_type", "gender").annotate(n=Count("id"))
    for row in rows:
        counts[Stratum.of(row["rosh_level"], row["sentence_type"], row["gender"])] += row["n"]
    return dict(sorted(counts.items(), key=lambda item: item[0].order))


# Allocation ---------------------------------------------------------------------------------


def _max_flow(capacity: list[list[int]], source: int, sink: int) -> int:
    """Edmonds-Karp on a dense capacity matrix (the networks here have a couple of dozen nodes)."""
    size = len(capacity)
    residual = [row[:] for row in capacity]
    total = 0
    while True:
        parent = [-1] * size
        parent[source] = source
        queue = [source]
        for node in queue:
            for nxt in range(size):
                if parent[nxt] == -1 and residual[node][nxt] > 0:
                    parent[nxt] = node
                    queue.append(nxt)
        if parent[sink] == -1:
            return total
        bottleneck, node = math.inf, sink
        while node != source:
            bottleneck = min(bottleneck, residual[parent[node]][node])
            node = parent[node]
        node = sink
        while node != source:
            residual[parent[node]][node] -= bottleneck
            residual[node][parent[node]] += bottleneck
            node = parent[node]
        total += bottleneck


def _circulation_exists(nodes: int, edges: list[tuple[int, int, int, int]]) -> bool:
    """Whether a flow exists meeting every edge's (lower, upper) bounds with conservation."""
    capacity = [[0] * (nodes + 2) for _ in range(nodes + 2)]
    balance = [0] * nodes
    for u, v, low, high in edges:
        if low > high:
            return False
        capacity[u][v] += high - low
        balance[v] += low
        balance[u] -= low
    source, sink, needed = nodes, nodes + 1, 0
    for node, amount in enumerate(balance):
        if amount > 0:
            capacity[source][node] += amount
            needed += amount
        elif amount < 0:
            capacity[node][sink] -= amount
    return _max_flow(capacity, source, sink) == needed


def allocate(counts: dict[Stratum, int], size: int) -> dict[Stratum, int]:
    """Cases to draw from each stratum: controlled largest-remainder rounding (module docstring)."""
    total = sum(counts.values())
    if not 0 <= size <= total:
        raise ValueError(f"The sample size must be between 0 and the caseload ({total}).")
    strata = sorted((s for s, n in counts.items() if n > 0), key=lambda s: s.order)
    if size == 0:
        return {stratum: 0 for stratum in strata}
    share = {s: Fraction(counts[s] * size, total) for s in strata}
    floor = {s: math.floor(share[s]) for s in strata}

    rows = sorted({s.primary for s in strata}, key=lambda p: Stratum(*p, "").order)
    cols = sorted({s.gender for s in strata}, key=lambda g: _position(GENDER_ORDER, g))
    row_node = {row: 2 + i for i, row in enumerate(rows)}
    col_node = {col: 2 + len(rows) + i for i, col in enumerate(cols)}
    nodes = 2 + len(rows) + len(cols)
    fixed_edges = [(1, 0, size - sum(floor.values()), size - sum(floor.values()))]
    for key, members, node in [
        *((row, [s for s in strata if s.primary == row], row_node[row]) for row in rows),
        *((col, [s for s in strata if s.gender == col], col_node[col]) for col in cols),
    ]:
        exact = sum(share[s] for s in members)
        base = sum(floor[s] for s in members)
        low, high = math.floor(exact) - base, math.ceil(exact) - base
        fixed_edges.append((0, node, low, high) if key in row_node else (node, 1, low, high))

    candidates = sorted(
        (s for s in strata if share[s] != floor[s]),
        key=lambda s: (-(share[s] - floor[s]), s.order),
    )
    rounded_up: dict[Stratum, bool] = {}

    def feasible() -> bool:
        edges = list(fixed_edges)
        for s in candidates:
            decided = rounded_up.get(s)
            low, high = (0, 1) if decided is None else (int(decided), int(decided))
            edges.append((row_node[s.primary], col_node[s.gender], low, high))
        return _circulation_exists(nodes, edges)

    for stratum in candidates:
        rounded_up[stratum] = True
        if not feasible():
            rounded_up[stratum] = False
    return {s: floor[s] + int(rounded_up.get(s, False)) for s in strata}


# Drawing -------------------------------------------------------------------------------------


def new_seed() -> int:
    return secrets.randbelow(10**9)


def draw(
    cases: list[tuple[int, str, Stratum]], allocation: dict[Stratum, int], seed: int
) -> list[int]:
    """Case ids drawn from (id, crn, stratum) rows: a seeded simple random sample per stratum."""
    members: dict[Stratum, list[tuple[str, int]]] = defaultdict(list)
    for pk, crn, stratum in cases:
        members[stratum].append((crn, pk))
    rng = random.Random(seed)
    chosen = []
    for stratum in sorted(members, key=lambda s: s.order):
        pool = sorted(members[stratum])
        chosen.extend(pk for _, pk in rng.sample(pool, allocation.get(stratum, 0)))
    return chosen


@transaction.atomic
def draw_sample(
    *, providers, window_start, window_end, size: int, seed: int | None = None, drawn_by: str = ""
) -> Sample:
    """Draw and record a stratified random sample of the providers' eligible caseload."""
    providers = list(providers)
    if not providers:
        raise ValueError("Choose at least one provider.")
    if window_end < window_start:
        raise ValueError("The window must end on or after the day it starts.")
    seed = new_seed() if seed is None else seed
    rows = [
        (pk, crn, Stratum.of(rosh, sentence, gender))
        for pk, crn, rosh, sentence, gender in eligible_cases(
            providers=providers, window_start=window_start, window_end=window_end
        )
        .order_by("crn")
        .values_list("id", "crn", "rosh_level", "sentence_type", "gender")
    ]
    counts: dict[Stratum, int] = defaultdict(int)
    for _, _, stratum in rows:
        counts[stratum] += 1
    allocation = allocate(counts, size)
    chosen = draw(rows, allocation, seed)
    sample = Sample.objects.create(
        window_start=window_start,
        window_end=window_end,
        requested_size=size,
        seed=seed,
        caseload_size=len(rows),
        caseload_strata={s.key: n for s, n in sorted(counts.items(), key=lambda i: i[0].order)},
        sample_strata={s.key: n for s, n in allocation.items()},
        drawn_by=drawn_by,
    )
    sample.providers.set(providers)
    Sample.cases.through.objects.bulk_create(
        [Sample.cases.through(sample_id=sample.pk, case_id=pk) for pk in chosen], batch_size=2000
    )
    return sample


# Presenting ----------------------------------------------------------------------------------


@dataclass
class StratumRow:
    label: str
    caseload: int
    caseload_percent: float
    expected: float
    sample: int
    sample_percent: float
    stratum: Stratum | None = None


def _row(label, caseload, sample, caseload_total, sample_total, stratum=None) -> StratumRow:
    return StratumRow(
        label=label,
        caseload=caseload,
        caseload_percent=100 * caseload / caseload_total if caseload_total else 0.0,
        expected=sample_total * caseload / caseload_total if caseload_total else 0.0,
        sample=sample,
        sample_percent=100 * sample / sample_total if sample_total else 0.0,
        stratum=stratum,
    )


def strata_table(caseload_strata: dict[str, int], sample_strata: dict[str, int]) -> dict:
    """Caseload beside sample: each stratum, each RoSH x sentence group, and each gender."""
    caseload = {Stratum.from_key(k): v for k, v in caseload_strata.items()}
    sample = {Stratum.from_key(k): v for k, v in sample_strata.items()}
    n_caseload, n_sample = sum(caseload.values()), sum(sample.values())
    strata = sorted(set(caseload) | set(sample), key=lambda s: s.order)
    cells = [
        _row(
            f"{s.rosh_label}, {s.group_label}, {s.gender_label.lower()}",
            caseload.get(s, 0),
            sample.get(s, 0),
            n_caseload,
            n_sample,
            s,
        )
        for s in strata
    ]

    def margin(key, label, order):
        groups: dict = {}
        for s in strata:
            entry = groups.setdefault(key(s), [order(s), label(s), 0, 0])
            entry[2] += caseload.get(s, 0)
            entry[3] += sample.get(s, 0)
        return [_row(name, c, n, n_caseload, n_sample) for _, name, c, n in sorted(groups.values())]

    by_primary = margin(
        lambda s: s.primary, lambda s: f"{s.rosh_label}, {s.group_label}", lambda s: s.order[:2]
    )
    by_gender = margin(lambda s: s.gender, lambda s: s.gender_label, lambda s: s.order[2])
    return {
        "cells": cells,
        "by_primary": by_primary,
        "by_gender": by_gender,
        "caseload_total": n_caseload,
        "sample_total": n_sample,
        "sections": [
            (by_primary, "By RoSH level and sentence", "RoSH level and sentence"),
            (by_gender, "By gender", "Gender"),
            (cells, "By RoSH level, sentence and gender (the strata)", "Stratum"),
        ],
    }
