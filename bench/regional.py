"""Benchmark: server time of the pages that pool figures across inspections and draw funnel plots.

    .venv/bin/python bench/regional.py [--requests 30] [--no-docs]

Runs on the national data set (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/audit_bench_national; built first if missing) under the
production settings, signed in as the national lead. The national inspection is marked
published for the run (the pooled figures use published inspections only) and put back after.
Each page is requested through Django's test client, in process: the server's time (every
middleware, view, query and template) without a network. Prints median and p95 per page with
the queries one request runs, and rewrites the "Regional figures and funnel plots" section of
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    NATIONAL_URL,
    load,
    machine,
    median,
    national_dataset,
    percentile,
    setup_django,
    write_section,
)
from bench.pages import production_environment  # noqa: E402

HEADING = "Regional figures and funnel plots"
TARGET_MS = 100


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30, help="requests per page")
    parser.add_argument("--no-docs", action="store_true", help="print only; leave docs alone")
    args = parser.parse_args()

    production_environment()
    setup_django(os.environ.get("DATABASE_URL", NATIONAL_URL))
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from audit.models import Inspection, InspectionStatus, User

    call_command("collectstatic", interactive=False, verbosity=0)
    national = national_dataset().inspection
    status = national.status
    Inspection.objects.filter(pk=national.pk).update(status=InspectionStatus.PUBLISHED)
    lead = Client()
    lead.force_login(User.objects.get(username="natl-lead"))
    reviews = national.sampled_cases.count()
    region, pdu = "NATL-REG-01", "NATL-PDU-01-01"
    pages = [
        ("Region's page: pooled figures and funnel plot", reverse("reports:area", args=[region])),
        ("Region's pooled figures as JSON", reverse("reports:area_json", args=[region])),
        (
            "Region's key questions, CSV",
            reverse("reports:area_download", args=[region, "key-questions", "csv"]),
        ),
        (
            "National picture with its funnel plot (2.1.1)",
            reverse("reports:national") + "?measure=2.1.1",
        ),
        (
            "League table of one region, sorted by difference from the region",
            reverse("reports:league") + f"?region={region}&sort=difference&measure=2.1.1",
        ),
        ("PDU's page beside its region and all providers", reverse("reports:provider", args=[pdu])),
    ]
    rows = []
    try:
        for label, url in pages:
            assert lead.get(url, secure=True).status_code == 200, url  # warm up
            times = []
            for _ in range(args.requests):
                started = time.perf_counter()
                response = lead.get(url, secure=True)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, url
            with CaptureQueriesContext(connection) as queries:
                lead.get(url, secure=True)
            rows.append((label, median(times), percentile(times, 0.95), len(queries)))
            print(
                f"  {label}: median {rows[-1][1]:.0f} ms, p95 {rows[-1][2]:.0f} ms, "
                f"{rows[-1][3]} queries (load average {load()})"
            )
    finally:
        Inspection.objects.filter(pk=national.pk).update(status=status)
    ok = all(row[1] < TARGET_MS for row in rows)
    if not args.no_docs:
        table = "".join(
            f"| {label} | {med:.0f} ms | {p95:.0f} ms | {queries} |\n"
            for label, med, p95, queries in rows
        )
        write_section(
            HEADING,
            f"`bench/regional.py`: the national data set ({reviews:,} reviews of 120 PDUs in 12 "
            "regions, one inspection), the inspection marked published for the run, production "
            f"settings, signed in as the national lead; {args.requests} requests per page after "
            "a warm-up, server time through Django's test client.\n\n"
            "| Page | Median | p95 | Queries |\n| --- | --- | --- | --- |\n"
            + table
            + f"\nTarget: every page under {TARGET_MS} ms (median): "
            f"**{'met' if ok else 'not met'}**. The pooled figures come from the roll-up of "
            "the inspections used (maintained counts, a fixed number of queries), added up in "
            "memory per key question and focus measure; the funnel plot's limits are worked out "
            "from the pooled counts.\n\n"
            f"{machine(connection)}. Re-run with `.venv/bin/python bench/regional.py`.",
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
