"""Benchmark: building the national data set from scratch on PostgreSQL.

    .venv/bin/python bench/generate.py [--reviews 100000] [--seed 2026] [--no-docs] [--keep]

Drops and recreates the benchmark database (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/audit_bench_national), migrates it and loads the shipped
frameworks, then times `manage.py generate_national_dataset --reviews N --seed S` (the same
function), step by step. The other benchmarks reuse the data it leaves. Rewrites the "National
data set" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import NATIONAL_URL, drop_database, machine, setup_django, write_section  # noqa: E402

HEADING = "National data set"
TARGET_SECONDS = 120


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-docs", action="store_true", help="print only; leave docs alone")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", NATIONAL_URL)
    drop_database(url)
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection

    from audit.synthetic.national_dataset import build_national_dataset

    call_command("load_framework", verbosity=0)
    steps = []

    def progress(message):
        print(message, flush=True)
        if ": " in message and "written in" in message:
            steps.append(message.strip().split(" (")[0])

    started = time.perf_counter()
    data = build_national_dataset(reviews=args.reviews, seed=args.seed, progress=progress)
    seconds = time.perf_counter() - started
    again = time.perf_counter()
    reused = build_national_dataset(reviews=args.reviews, seed=args.seed)
    reuse_seconds = time.perf_counter() - again
    assert not reused.built
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
    ok = seconds < TARGET_SECONDS
    print(
        f"  {data.reviews:,} reviews in {seconds:.1f} s (target under {TARGET_SECONDS} s: "
        f"{'met' if ok else 'NOT met'}); asked again: reused in {reuse_seconds:.1f} s; "
        f"database {size}"
    )
    if not args.no_docs:
        write_section(
            HEADING,
            (
                f"`bench/generate.py`: `manage.py generate_national_dataset --reviews "
                f"{args.reviews} --seed {args.seed}` into an empty, freshly migrated PostgreSQL "
                f"database: {data.reviews:,} submitted or moderated reviews by {data.assessors} "
                f"assessors across {data.providers} PDUs in 12 regions, with "
                f"{args.reviews * 2:,} caseload cases, {data.prompt_answers:,} prompt answers, "
                f"{data.judgements:,} judgements, second reads of a tenth of the reviews and "
                f"{data.resolutions:,} resolutions ({size} on disk with indexes).\n\n"
                f"| Step | Time |\n| --- | --- |\n"
                + "".join(
                    f"| {step.split(': ')[0]} ({step.split(': ')[1].split(' written')[0]}) "
                    f"| {step.split(' in ')[-1]} |\n"
                    for step in steps
                )
                + f"| **Whole build**, including id reservation, generation in Python, commit "
                f"and statistics | **{seconds:.1f} s** |\n"
                f"| Asked again with the same arguments: reused | {reuse_seconds:.1f} s |\n\n"
                f"Target: 100,000 reviews in under {TARGET_SECONDS} s: "
                f"**{'met' if ok else 'not met'}**. Rows are written with COPY, ids reserved up "
                "front so related rows need no read-back; on PostgreSQL, as a superuser, builds of "
                "20,000 reviews or more skip the row-by-row foreign-key triggers (as pg_restore "
                "--disable-triggers does), the keys being consistent by construction and checked "
                "in "
                "full by the test suite's smaller builds. The generation itself (random answers in "
                "Python) runs alongside PostgreSQL's COPY, so on two cores the two compete.\n\n"
                f"{machine(connection)}. Re-run with `.venv/bin/python bench/generate.py`."
            ),
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
