"""Benchmark: national reports read from the maintained counts, at two sizes of data.

    .venv/bin/python bench/counts.py [--runs 5] [--no-docs]

Builds (or reuses) the national data set at 10,000 and at 100,000 reviews, each in a database of
its own (postgres://postgres@127.0.0.1:5432/audit_bench_counts_10k and ..._100k; COUNTS_URL_10K
and COUNTS_URL_100K override them), and measures in each, under the production settings with the
test client (server time, medians of --runs after a warm-up):
- rollup() of the national inspection, reading the counts table alone, the six breakdowns;
- the raw SQL key-question aggregate over the base tables, and the export-and-pivot a QA team
  does today (COPY the counted judgements out as CSV, read and pivot them in pandas: the
  `bench` extra);
- the report pages: national inspection, league table, reports index, roll-up JSON, one PDU;
- the rows written by a standard page's save and by a submission (pg_stat_xact_user_tables).
The counts are folded first (manage.py fold_counts), as the nightly fold leaves them.
Prints the table with the figures before the counts (measured on the code before them, on the
same machine: issue 15) and rewrites the "Maintained counts" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import load, machine, median, setup_django, write_section  # noqa: E402

HEADING = "Maintained counts"
URLS = {
    10_000: os.environ.get(
        "COUNTS_URL_10K", "postgres://postgres@127.0.0.1:5432/audit_bench_counts_10k"
    ),
    100_000: os.environ.get(
        "COUNTS_URL_100K", "postgres://postgres@127.0.0.1:5432/audit_bench_counts_100k"
    ),
}
# (key, label, before: ms on the code before the counts, 100,000 reviews, target ms)
ROWS = [
    ("rollup", "`rollup()` of the national inspection", 385, 20),
    ("raw_sql", "raw SQL key-question aggregate over the base tables", 568, None),
    ("pandas", "export to CSV and pivot in pandas", 1869, None),
    ("counts", "reading the counts of the inspection (one query)", 2.6, None),
    ("breakdowns", "all six breakdowns of the national inspection", 4200, 100),
    ("page_report", "page: national inspection report", 1350, 100),
    ("page_league", "page: league table", 323, 50),
    ("page_index", "page: reports index", 247, 50),
    ("page_json", "roll-up JSON of the national inspection", 452, 50),
    ("page_provider", "page: one PDU across inspections", 47, None),
]
PAGES = ("page_report", "page_league", "page_index", "page_json", "page_provider")

KEY_QUESTIONS_SQL = """
SELECT s.provider_id, j.key_question_id,
       COUNT(*) FILTER (WHERE COALESCE(r.value, j.value) = 'sufficient'),
       COUNT(*) FILTER (WHERE COALESCE(r.value, j.value) IN ('sufficient', 'not_sufficient')),
       COUNT(*) FILTER (WHERE COALESCE(r.value, j.value) = 'na')
FROM audit_judgement j
JOIN audit_casereview c ON c.id = j.review_id
JOIN audit_sampledcase s ON s.id = c.sampled_case_id
LEFT JOIN audit_resolution r ON r.judgement_id = j.id
WHERE s.inspection_id = {inspection} AND c.status IN ('submitted', 'moderated')
GROUP BY s.provider_id, j.key_question_id
"""

EXPORT_SQL = """
COPY (
  SELECT p.code AS provider, k.code AS key_question, COALESCE(r.value, j.value) AS value
  FROM audit_judgement j
  JOIN audit_casereview c ON c.id = j.review_id
  JOIN audit_sampledcase s ON s.id = c.sampled_case_id
  JOIN cases_provider p ON p.id = s.provider_id
  JOIN standards_keyquestion k ON k.id = j.key_question_id
  LEFT JOIN audit_resolution r ON r.judgement_id = j.id
  WHERE s.inspection_id = {inspection} AND c.status IN ('submitted', 'moderated')
) TO STDOUT WITH CSV HEADER
"""


def measure(reviews: int, runs: int) -> dict:
    """In this process: Django on the database of `reviews`; returns {key: median ms}."""
    from bench.pages import production_environment

    production_environment()
    setup_django(URLS[reviews])
    import io

    import pandas
    from django.core.cache import caches
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from audit.counts.fold import fold_counts
    from audit.counts.read import count_totals
    from audit.models import CountKind, User
    from audit.reports import rollup_cache
    from audit.reports.breakdowns import DIMENSIONS, breakdowns
    from audit.reports.rollup import rollup
    from audit.synthetic.national_dataset import build_national_dataset

    call_command("collectstatic", interactive=False, verbosity=0)
    data = build_national_dataset(reviews=reviews, verbose=True)
    inspection = data.inspection
    # The counts as the nightly fold leaves them (manage.py fold_counts; docs/rollup.md).
    fold_counts(inspection_ids=[inspection.pk])
    lead = Client()
    lead.force_login(User.objects.get(username="natl-lead"))

    def raw_sql():
        with connection.cursor() as cursor:
            cursor.execute(KEY_QUESTIONS_SQL.format(inspection=inspection.pk))
            return cursor.fetchall()

    def export_and_pivot():
        buffer = io.StringIO()
        with connection.cursor() as cursor:
            with cursor.copy(EXPORT_SQL.format(inspection=inspection.pk)) as copy:
                for block in copy:
                    buffer.write(bytes(block).decode())
        buffer.seek(0)
        frame = pandas.read_csv(buffer)
        return frame.pivot_table(
            index=["provider", "key_question"], columns="value", aggfunc="size", fill_value=0
        )

    def counts():
        return list(count_totals([inspection.pk], [CountKind.KEY_QUESTION]))

    def six_breakdowns():
        result = rollup(inspection)
        return breakdowns(
            inspection, key_questions=result.whole.key_questions, kept_as=result.source
        )

    def page(name, *args):
        def get():
            response = lead.get(reverse(name, args=args), secure=True)
            assert response.status_code == 200, (name, response.status_code)

        return get

    functions = {
        "rollup": lambda: rollup(inspection),
        "raw_sql": raw_sql,
        "pandas": export_and_pivot,
        "counts": counts,
        "breakdowns": six_breakdowns,
        "page_report": page("reports:inspection", inspection.pk),
        "page_league": page("reports:league"),
        "page_index": page("reports:index"),
        "page_json": page("reports:inspection_json", inspection.pk),
        "page_provider": page("reports:provider", "NATL-PDU-01-01"),
    }
    assert len(six_breakdowns()) == len(DIMENSIONS)
    for function in functions.values():
        function()  # warm caches and plans
    times = {key: [] for key in functions}
    cold = {key: [] for key in functions}
    kept = caches[rollup_cache.CACHE]
    for _ in range(runs):
        for key, function in functions.items():  # interleaved: each meets the same load
            # The first read after a change: nothing kept (a change makes a new key).
            kept.clear()
            started = time.perf_counter()
            function()
            cold[key].append((time.perf_counter() - started) * 1000)
            # Read again, as every reader does until the next change.
            started = time.perf_counter()
            function()
            times[key].append((time.perf_counter() - started) * 1000)
    found = {key: median(values) for key, values in times.items()}
    found["cold"] = {key: median(values) for key, values in cold.items()}
    found["rows_written"] = rows_written(inspection)
    found["machine"] = machine(connection)
    found["reviews"] = data.reviews
    return found


def rows_written(inspection) -> dict:
    """Rows inserted, updated and deleted (the transaction's own table statistics, then rolled
    back) when a review of the national inspection is submitted, and when one of its judgements
    changes while it counts, each write followed by its explicit record_contribution_change;
    beside them, the rows the per-row copy rewrote for the same writes (every judgement and
    prompt answer of the review on submission; the judgement again on a change)."""
    from django.db import connection, transaction

    from audit.counts.contribution import record_contribution_change
    from audit.models import CaseReview, Judgement, ReviewStatus

    def written():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COALESCE(SUM(n_tup_ins + n_tup_upd + n_tup_del), 0) "
                "FROM pg_stat_xact_user_tables"
            )
            return cursor.fetchone()[0]

    class Undo(Exception):
        pass

    review = CaseReview.objects.filter(
        sampled_case__inspection=inspection, status=ReviewStatus.SUBMITTED
    ).first()
    judgement = review.judgements.first()
    flipped = "not_sufficient" if judgement.value == "sufficient" else "sufficient"
    rows = review.judgements.count() + review.prompt_answers.count()
    found = {"copy_submit": 1 + rows, "copy_change": 2}
    try:
        with transaction.atomic():
            CaseReview.objects.filter(pk=review.pk).update(status=ReviewStatus.IN_PROGRESS)
            record_contribution_change(review_ids=[review.pk])
            before = written()
            CaseReview.objects.filter(pk=review.pk).update(status=ReviewStatus.SUBMITTED)
            record_contribution_change(review_ids=[review.pk])
            found["submit"] = written() - before
            before = written()
            Judgement.objects.filter(pk=judgement.pk).update(value=flipped)
            record_contribution_change(review_ids=[review.pk])
            found["change"] = written() - before
            raise Undo
    except Undo:
        pass
    return found


def run_child(reviews: int, runs: int) -> dict:
    command = [sys.executable, __file__, "--child", str(reviews), "--runs", str(runs)]
    output = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def table(small: dict, large: dict) -> str:
    lines = [
        "| what | before, 100,000 reviews | after, 10,000 | after, 100,000 | 100k / 10k | "
        "first read after a change, 10,000 / 100,000 | target |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for key, label, before, target in ROWS:
        ratio = large[key] / small[key] if small[key] else 0
        lines.append(
            f"| {label} | {before:,} ms | {small[key]:.1f} ms | **{large[key]:.1f} ms** | "
            f"{ratio:.2f}x | {small['cold'][key]:.1f} ms / {large['cold'][key]:.1f} ms | "
            f"{f'< {target} ms' if target else ''} |"
        )
    return "\n".join(lines) + "\n"


def verdicts(small: dict, large: dict) -> list[str]:
    out = []
    for key, label, _, target in ROWS:
        if target:
            out.append(f"{label}: {'met' if large[key] < target else 'NOT met'} (< {target} ms)")
    for key in PAGES:
        ratio = large[key] / small[key]
        out.append(f"{key}: 100k / 10k = {ratio:.2f} ({'flat' if ratio <= 1.5 else 'NOT flat'})")
    for key in PAGES:
        out.append(
            f"{key}: {large[key] / large['raw_sql']:.3f} of the raw SQL aggregate, "
            f"{large[key] / large['pandas']:.3f} of the pandas export-and-pivot"
        )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-docs", action="store_true", help="print only; leave docs alone")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.runs), default=float))
        return 0
    started = time.perf_counter()
    load_at_start = load()
    small = run_child(10_000, args.runs)
    large = run_child(100_000, args.runs)
    text = table(small, large)
    lines = verdicts(small, large)
    print(text)
    print("\n".join(lines))
    w = large["rows_written"]
    rows = (
        f"Rows written by a review's submission: {w['submit']} (the per-row copy: "
        f"{w['copy_submit']}); by a change of one judgement while it counts: {w['change']} (the "
        f"copy: {w['copy_change']}); by a save of a review in progress: 0 count rows (the copy: "
        "every answer and judgement created by the save, written again)."
    )
    print(rows)
    if not args.no_docs:
        write_section(
            HEADING,
            "`.venv/bin/python bench/counts.py` (one command; needs the `bench` extra for "
            "pandas): the national data set at 10,000 and at 100,000 reviews, each in its own "
            "database, counts folded first (manage.py fold_counts), production settings, test "
            "client, server time, medians of "
            f"{args.runs} interleaved runs after a warm-up. A report reads the roll-up kept in "
            "the reports cache while its inspection's counts are unchanged (docs/rollup.md); "
            "the column *first read after a change* times each with nothing kept (the cache "
            "emptied before it), as after a save. *Before*: the same measures on the "
            "code before the maintained counts (the per-row copy), as recorded in issue 15 on "
            "this machine. Design and rows written per save: docs/rollup.md.\n\n"
            + text
            + "\n"
            + "".join(f"- {line}\n" for line in lines)
            + f"- {rows}\n\n"
            + f"{large['machine']}; whole run {time.perf_counter() - started:.0f} s, "
            f"load average at the start {load_at_start}, at the end {load()}.\n",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
