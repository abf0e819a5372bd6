"""Benchmark: the roll-up of a national inspection against the same aggregate in raw SQL.

    .venv/bin/python bench/rollup.py [--reviews 100000] [--runs 5] [--no-docs]

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/audit_bench_rollup; the database is
created if missing and migrated. The data set (bench/national.py) is one inspection of 120 PDUs
with 100,000 submitted reviews, 12 judgements each and moderation resolutions; it is reused when
it is already there. Times `audit.rollup.rollup()` (every query it runs and the rating rules)
against the key-question aggregate written as one raw SQL query, prints the ratio, and rewrites
the "Roll-up" section of docs/benchmarks.md (other sections are left alone).
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/audit_bench_rollup"
DOC = ROOT / "docs" / "benchmarks.md"
SECTION = "## Roll-up"
TARGET_SECONDS = 1.0
TARGET_RATIO = 2.0
NOTES = (
    "Where the time goes: the key-question aggregate reads every judgement of the inspection "
    "with its review, sampled case and any resolution (hash joins, in parallel); at national "
    "scale it is most of `rollup()`. The rest is one pass over the inspection's reviews for the "
    "focus measures, the lead-entered ratings and small lookups of the framework and providers: "
    "a near-fixed cost, which is why the ratio is higher for a small inspection whose aggregate "
    "is quick. Tried and not kept: a covering index on judgements (the planner rightly prefers "
    "sequential scans when one inspection holds most of the table; forced merge joins were "
    "slower), and counting resolutions apart from the judgements (no faster: the correction "
    "query read the judgements again). On a shared two-core machine the national figures move "
    "with the load from other work, by up to a factor of two between runs (compare the best "
    "runs with the medians). The breakdowns are one grouped query per case characteristic; "
    "the report page runs one of them at a time and the XLSX download all six."
)

RAW_SQL = """
SELECT s.inspection_id, s.provider_id, j.key_question_id,
       COUNT(*) FILTER (WHERE COALESCE(r.value, j.value) = 'sufficient') AS sufficient,
       COUNT(*) FILTER (WHERE COALESCE(r.value, j.value) IN ('sufficient', 'not_sufficient'))
           AS applicable,
       COUNT(*) FILTER (WHERE COALESCE(r.value, j.value) = 'na') AS not_applicable
FROM audit_judgement j
JOIN audit_casereview c ON c.id = j.review_id
JOIN audit_sampledcase s ON s.id = c.sampled_case_id
LEFT JOIN audit_resolution r ON r.judgement_id = j.id
WHERE s.inspection_id = %s AND c.status IN ('submitted', 'moderated')
GROUP BY s.inspection_id, s.provider_id, j.key_question_id
"""


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in the URL if it does not exist."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    if "postgresql" not in config["ENGINE"]:
        return
    params = dict(host=config["HOST"] or None, port=config["PORT"] or None,
                  user=config["USER"] or None, password=config["PASSWORD"] or None)
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{config["NAME"]}"')
            print(f"Created database {config['NAME']}.")


def timings(functions, runs: int) -> list[list[float]]:
    """Run each function once to warm the cache and plans, then `runs` rounds of all of them."""
    for function in functions:
        function()
    out = [[] for _ in functions]
    for _ in range(runs):
        for function, times in zip(functions, out):
            started = time.perf_counter()
            function()
            times.append(time.perf_counter() - started)
    return out


def write_section(text: str) -> None:
    existing = DOC.read_text() if DOC.exists() else (
        "# Benchmarks\n\nFigures recorded by the scripts in `bench/`.\n")
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(existing):
        updated = pattern.sub(lambda _: text.rstrip() + "\n\n", existing, count=1)
    else:
        updated = existing.rstrip() + "\n\n" + text.rstrip() + "\n"
    DOC.write_text(updated.rstrip() + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=100_000)
    parser.add_argument("--regional-reviews", type=int, default=8_400)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-docs", action="store_true", help="print only; leave docs alone")
    args = parser.parse_args()

    url = os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "audit.settings.dev")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    ensure_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.national import build_national_dataset

    call_command("migrate", verbosity=0, interactive=False)
    print(f"Roll-up benchmark on {connection.vendor} ({connection.settings_dict['NAME']})")
    data = build_national_dataset(reviews=args.reviews, verbose=True)
    print(f"  national inspection: {data.reviews:,} reviews, {data.judgements:,} judgements, "
          f"{data.resolutions:,} resolutions, {data.providers} PDUs "
          f"({'built in %.0f s' % data.seconds if data.built else 'reused'})")
    regional = build_national_dataset(reviews=args.regional_reviews, region=1,
                                      title="Regional benchmark inspection", verbose=True)
    print(f"  regional inspection: {regional.reviews:,} reviews of {regional.providers} PDUs in "
          "the same database "
          f"({'built in %.0f s' % regional.seconds if regional.built else 'reused'})")
    national = measure(data, args.runs, connection)
    region = measure(regional, args.runs, connection, breakdown_runs=args.runs)
    for label, m in (("national", national), ("regional", region)):
        print(f"  {label}: raw SQL median {m['raw']:.3f} s (best {m['raw_best']:.3f}), rollup() "
              f"median {m['orm']:.3f} s (best {m['orm_best']:.3f}; {m['queries']} queries), "
              f"ratio {m['ratio']:.2f}, six breakdowns {m['breakdowns']:.3f} s")
    ok = national["orm"] < TARGET_SECONDS and national["ratio"] <= TARGET_RATIO
    regional_ok = region["orm"] < TARGET_SECONDS and region["ratio"] <= TARGET_RATIO
    print(f"  target (< {TARGET_SECONDS:.0f} s, within {TARGET_RATIO:.0f}x of raw SQL): national "
          f"{'met' if ok else 'NOT met'}, regional {'met' if regional_ok else 'NOT met'}")

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql"
                       else "SELECT 'sqlite'")
        server = cursor.fetchone()[0].split(" on ")[0]
        cursor.execute("SELECT count(*) FROM audit_casereview")
        all_reviews = cursor.fetchone()[0]

    def row(label, m):
        return (f"| {label} | {m['raw']:.3f} s ({m['raw_best']:.3f} s) | {m['orm']:.3f} s "
                f"({m['orm_best']:.3f} s) | {m['ratio']:.2f} | {m['breakdowns']:.3f} s |\n")

    section = (
        f"{SECTION}\n\n"
        f"`bench/rollup.py`, on a database of {all_reviews:,} reviews built by "
        "`bench/national.py`: a national inspection of "
        f"{data.providers} PDUs with {data.reviews:,} submitted or moderated reviews, "
        f"{data.judgements:,} key-question judgements (12 per review) and "
        f"{data.resolutions:,} moderation resolutions; and a regional inspection of "
        f"{regional.providers} PDUs with {regional.reviews:,} reviews. `rollup()` computes every "
        "figure of the inspection report except the breakdowns "
        f"({national['queries']} queries: framework, providers, the key-question aggregate, the "
        "case-fact and prompt focus measures, lead-entered ratings; then the rating rules per "
        "provider and for the whole inspection). The baseline is the key-question aggregate "
        f"alone, written as one raw SQL query. Medians of {args.runs} warm runs, the two "
        "interleaved so that both meet the same load, best run in brackets.\n\n"
        "| Inspection | Raw SQL (key-question aggregate) | `rollup()` | Ratio of medians | "
        "Six breakdowns |\n"
        "| --- | --- | --- | --- | --- |\n"
        + row(f"National: {data.reviews:,} reviews", national)
        + row(f"Regional: {regional.reviews:,} reviews", region)
        + f"\nTarget: under {TARGET_SECONDS:.0f} s and within {TARGET_RATIO:.0f}x of raw SQL. "
        f"National: **{'met' if ok else 'not met'}**; regional: "
        f"**{'met' if regional_ok else 'not met'}**.\n\n"
        f"{NOTES}\n\n"
        f"Recorded {datetime.date.today():%d %B %Y} on {server}, Python "
        f"{platform.python_version()}, Django {django.get_version()}, {os.cpu_count()} CPU cores "
        f"shared with other work (load average {os.getloadavg()[0]:.1f} at the end of the run). "
        "Re-run with `.venv/bin/python bench/rollup.py`.\n"
    )
    if not args.no_docs:
        write_section(section)
        print(f"Wrote the '{SECTION[3:]}' section of {DOC.relative_to(ROOT)}.")
    return 0 if ok and regional_ok else 1


def measure(data, runs, connection, breakdown_runs=None):
    """Time rollup() against the raw SQL aggregate for one inspection, after checking they agree."""
    from django.test.utils import CaptureQueriesContext

    from audit.rollup import DIMENSIONS, breakdowns, rollup
    from standards.models import KeyQuestion

    inspection = data.inspection

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(RAW_SQL, [inspection.id])
            return cursor.fetchall()

    def orm():
        return rollup(inspection)

    # Same numbers both ways, before timing anything.
    result = orm()
    by_key = {(r[1], r[2]): r[3:] for r in raw()}
    kq_ids = dict(KeyQuestion.objects.filter(standard__framework=inspection.framework)
                  .values_list("code", "id"))
    for provider in result.providers:
        for kq in provider.key_questions:
            expected = by_key.get((provider.provider_id, kq_ids[kq.code]), (0, 0, 0))
            assert (kq.sufficient, kq.applicable, kq.not_applicable) == tuple(expected), (
                provider.code, kq.code)
    assert result.whole.reviews == data.reviews
    with CaptureQueriesContext(connection) as queries:
        orm()
    # Interleaved, so that both meet the same load from anything else on the machine.
    raw_times, orm_times = timings([raw, orm], runs)
    raw_median, orm_median = statistics.median(raw_times), statistics.median(orm_times)
    best_ratio = min(o / r for r, o in zip(raw_times, orm_times))
    [breakdown_times] = timings(
        [lambda: breakdowns(inspection, key_questions=result.whole.key_questions,
                            dimensions=DIMENSIONS)], breakdown_runs or max(1, runs // 2))
    breakdown_median = statistics.median(breakdown_times)
    return {"raw": raw_median, "orm": orm_median, "ratio": orm_median / raw_median,
            "raw_best": min(raw_times), "orm_best": min(orm_times), "best_ratio": best_ratio,
            "breakdowns": breakdown_median, "queries": len(queries.captured_queries)}


if __name__ == "__main__":
    sys.exit(main())
