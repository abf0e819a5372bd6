"""Built roll-ups kept between requests, under a key made of everything they are built from.

Reading an inspection's maintained counts is one query; building every provider's results from
them (ratings, intervals, focus measures, standards) costs many times more, on every report
request, while the counts change a few times a minute. So a built roll-up is kept in the
"reports" cache, under a key of:
- the inspection's change number (`audit.counts.read.change_numbers`): every write of its counts
  adds one to it in the same transaction, so it only grows, and it is read before the counts:
  a figure kept under a number is never older than that number;
- the inspection's own fields a report shows, its framework version (frozen once in use), the
  providers listed (id, code, name), the lead's entered ratings, the user's provider scope and
  what was asked for.
A change to any of them is a new key, so nothing is invalidated by hand and no report is ever
stale; entries nobody asks for again age out (least recently used first).

What is kept is handed to every reader as it is, not a copy (audit/config/caches.py): it is
made of frozen dataclasses, tuples and bytes, and no reader changes it.

Inside a transaction the cache is neither read nor filled: its own uncommitted writes could
give a number another transaction's committed writes also reach, with other figures.
"""

from __future__ import annotations

import hashlib

from django.core.cache import caches
from django.db import connections, router

from audit.models import RollupCount

CACHE = "reports"
# Raised whenever the kept classes (rollup_results, breakdowns) change shape.
SHAPE = 1


def usable() -> bool:
    """True outside any transaction on the database the counts are read from (a test's own
    transaction aside: it is the test's whole world)."""
    connection = connections[router.db_for_read(RollupCount)]
    return all(getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def key(*parts) -> str:
    """A short key for `parts` (plain values, tuples and None, whose repr is stable)."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=20).hexdigest()
    return f"rollup:{SHAPE}:{digest}"


def scope_part(provider_ids) -> tuple | None:
    return None if provider_ids is None else tuple(sorted(provider_ids))


def get_many(keys: dict) -> dict:
    """{name: value} of the `keys` ({name: key}) found in the cache."""
    if not keys:
        return {}
    found = caches[CACHE].get_many(list(keys.values()))
    return {name: found[k] for name, k in keys.items() if k in found}


def set_many(keys: dict, values: dict) -> None:
    """Keep each of `values` ({name: value}) under its key in `keys` ({name: key})."""
    caches[CACHE].set_many({keys[name]: value for name, value in values.items() if name in keys})


def kept_or_built(names, keys: dict, build) -> dict:
    """{name: value} for each of `names`: kept under its key in `keys` ({name: key}, empty when
    nothing may be kept), else `build(name)`, then kept."""
    kept = get_many(keys)
    built = {name: build(name) for name in names if name not in kept}
    set_many(keys, built)
    return {name: kept[name] if name in kept else built[name] for name in names}


def beside(source: str, build, *parts):
    """What `build()` makes from the roll-up kept under `source`, kept beside it under `parts`;
    built every time when the roll-up was not kept (`source` empty)."""
    keys = {"value": key(*parts, source)} if source else {}
    return kept_or_built(["value"], keys, lambda _: build())["value"]


def beside_each(source: str, dimensions, build, *parts) -> list:
    """`build(dimension)` for each dimension, each kept beside the roll-up under `source`."""
    by_key = {d.key: d for d in dimensions}
    keys = {k: key(*parts, k, source) for k in by_key} if source else {}
    return list(kept_or_built(list(by_key), keys, lambda k: build(by_key[k])).values())
