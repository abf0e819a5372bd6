"""Benchmark: import a generated 100,000-row caseload into PostgreSQL, then import it again.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/audit_bench \
        .venv/bin/python bench/import_caseload.py [--rows N] [--repeat N] [--xlsx]

Creates the database if it is missing and migrates it. Times the same service the upload page and
`manage.py import_caseload` use: a check-only pass (read and validate), the first import (all new
cases) and a re-import of the same file (all updates). Prints the figures and rewrites the
"Caseload import" section of docs/benchmarks.md (other sections are left alone).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import os
import platform
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/audit_bench"
PREFIX = "BNCH"
PROVIDERS = [f"BENCH-PDU-{i}" for i in range(1, 5)]
DOC = ROOT / "docs" / "benchmarks.md"
SECTION = "## Caseload import"


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in the URL if it does not exist."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    if "postgresql" not in config["ENGINE"]:
        return
    params = dict(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
    )
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{config["NAME"]}"')
            print(f"Created database {config['NAME']}.")


def generate(rows: int, seed: int = 2026) -> list[list[str]]:
    """A realistic caseload: shares of sentence, RoSH and gender as in a PDU's caseload."""
    rng = random.Random(seed)
    header = [
        "crn",
        "provider",
        "sentence_type",
        "start_date",
        "rosh_level",
        "gender",
        "mappa_category",
        "mappa_level",
        "ethnicity",
        "age_band",
        "domestic_abuse_history",
        "child_safeguarding_concerns",
        "practitioner_grade",
    ]
    out = [header]
    start = datetime.date(2025, 7, 1)
    for i in range(rows):
        rosh = rng.choices(
            ["low", "medium", "high", "very_high", "not_screened"], weights=[30, 50, 17, 2, 1]
        )[0]
        mappa = rosh in ("high", "very_high") and rng.random() < 0.5
        day = start + datetime.timedelta(days=rng.randrange(365))
        out.append(
            [
                f"{PREFIX}{i:07d}",
                rng.choice(PROVIDERS),
                rng.choices(
                    [
                        "community_order",
                        "suspended_sentence_order",
                        "licence",
                        "post_sentence_supervision",
                    ],
                    weights=[40, 25, 30, 5],
                )[0],
                day.isoformat() if i % 2 else day.strftime("%d/%m/%Y"),
                rosh,
                rng.choices(["male", "female"], weights=[88, 12])[0],
                str(rng.choice([1, 2, 3])) if mappa else "",
                str(rng.choice([1, 2])) if mappa else "",
                rng.choices(
                    ["White", "Black", "Asian", "Mixed", "Other", "Not stated"],
                    weights=[72, 9, 9, 5, 2, 3],
                )[0],
                rng.choice(["18-24", "25-34", "35-49", "50+"]),
                rng.choice(["yes", "no"]),
                rng.choice(["Y", "N"]),
                rng.choice(["po", "pso"]),
            ]
        )
    return out


def as_csv(table) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(table)
    return buffer.getvalue().encode()


def as_xlsx(table) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Caseload")
    for line in table:
        sheet.append(line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def timed(label, function):
    started = time.perf_counter()
    result = function()
    elapsed = time.perf_counter() - started
    print(f"  {label:<42} {elapsed:7.2f} s")
    return result, elapsed


def write_section(text: str) -> None:
    existing = (
        DOC.read_text()
        if DOC.exists()
        else "# Benchmarks\n\nFigures recorded by the scripts in `bench/`.\n"
    )
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(existing):
        updated = pattern.sub(lambda _: text.rstrip() + "\n\n", existing, count=1)
    else:
        updated = existing.rstrip() + "\n\n" + text.rstrip() + "\n"
    DOC.write_text(updated.rstrip() + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--xlsx", action="store_true", help="also time reading the rows as XLSX")
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs of each step; the best is recorded (the machine is shared)",
    )
    parser.add_argument("--no-docs", action="store_true", help="print only; leave docs alone")
    args = parser.parse_args()

    url = os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "audit.config.settings.dev")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    ensure_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from cases.importers import import_caseload
    from cases.models import Case, Provider, ProviderType

    call_command("migrate", verbosity=0, interactive=False)
    region, _ = Provider.objects.get_or_create(
        code="BENCH-REG", defaults={"name": "Benchmark region", "type": ProviderType.REGION}
    )
    for code in PROVIDERS:
        Provider.objects.get_or_create(
            code=code,
            defaults={"name": f"Benchmark {code}", "type": ProviderType.PDU, "parent": region},
        )
    Case.objects.filter(crn__startswith=PREFIX).delete()

    print(
        f"Caseload import benchmark: {args.rows:,} rows on {connection.vendor} "
        f"({connection.settings_dict['NAME']})"
    )
    table, generate_time = timed("generate rows", lambda: generate(args.rows))
    data = as_csv(table)
    print(f"  CSV size: {len(data) / 1_048_576:.1f} MB")

    check_time = first_time = again_time = float("inf")
    for run in range(1, args.repeat + 1):
        print(f" run {run} of {args.repeat}")
        Case.objects.filter(crn__startswith=PREFIX).delete()
        check, seconds = timed(
            "check only (read + validate, dry run)",
            lambda: import_caseload(data=data, filename="bench.csv", dry_run=True),
        )
        assert check.ok and check.created == args.rows, check.errors[:5]
        check_time = min(check_time, seconds)
        first, seconds = timed(
            "first import (all new)", lambda: import_caseload(data=data, filename="bench.csv")
        )
        assert first.ok and first.created == args.rows
        first_time = min(first_time, seconds)
        again, seconds = timed(
            "re-import of the same file (all updates)",
            lambda: import_caseload(data=data, filename="bench.csv"),
        )
        assert again.ok and again.updated == args.rows and again.created == 0
        again_time = min(again_time, seconds)
        assert Case.objects.filter(crn__startswith=PREFIX).count() == args.rows
    print(
        f" best: check {check_time:.2f} s, first import {first_time:.2f} s, "
        f"re-import {again_time:.2f} s"
    )

    xlsx_line = xlsx_note = ""
    if args.xlsx:
        workbook = as_xlsx(table)
        print(f"  XLSX size: {len(workbook) / 1_048_576:.1f} MB")
        result, xlsx_time = timed(
            "XLSX check only (read + validate)",
            lambda: import_caseload(data=workbook, filename="bench.xlsx", dry_run=True),
        )
        assert result.ok and result.updated == args.rows
        xlsx_line = (
            f"| XLSX of the same rows: read and validate only "
            f"({len(workbook) / 1_048_576:.1f} MB) | {xlsx_time:.2f} s |\n"
        )
        rate = args.rows / xlsx_time
        xlsx_note = (
            "\nXLSX is read with openpyxl in read-only mode, which parses each cell in Python "
            f"(about {rate:,.0f} rows a second here, for a workbook written by openpyxl with "
            f"inline strings): a PDU's caseload of 3,000 rows reads in about {3000 / rate:.0f} s, "
            "but a national extract of 100,000 rows is better sent as CSV.\n"
        )

    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()"
        )
        server = cursor.fetchone()[0].split(" on ")[0]
    import django as dj

    section = (
        f"{SECTION}\n\n"
        f"`bench/import_caseload.py`: a generated caseload of {args.rows:,} rows "
        f"({len(data) / 1_048_576:.1f} MB CSV, four PDUs, realistic shares of sentence, RoSH level "
        "and gender, half the dates day-first) imported through the same service as the upload "
        "page and `manage.py import_caseload`: every row validated, then written in one "
        "transaction as an upsert on the CRN (on PostgreSQL: COPY into a scratch table, then one "
        "INSERT ... ON CONFLICT (crn) DO UPDATE). Best of "
        f"{args.repeat} runs; load average when recorded: {load}.\n\n"
        "| Step | Time |\n| --- | --- |\n"
        "| Check only: read and validate every row, look up existing CRNs (dry run) | "
        f"{check_time:.2f} s |\n"
        f"| First import: {args.rows:,} new cases | {first_time:.2f} s |\n"
        f"| Re-import of the same file: {args.rows:,} cases updated, none created | "
        f"{again_time:.2f} s |\n"
        f"{xlsx_line}{xlsx_note}\n"
        f"Recorded {datetime.date.today():%d %B %Y} on {server}, "
        f"Python {platform.python_version()}, "
        f"Django {dj.get_version()}, {os.cpu_count()} CPU cores (shared). Re-run with "
        "`.venv/bin/python bench/import_caseload.py --xlsx`.\n"
    )
    if not args.no_docs:
        write_section(section)
        print(f"Wrote the '{SECTION[3:]}' section of {DOC.relative_to(ROOT)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
