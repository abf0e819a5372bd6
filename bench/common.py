"""Shared by the benchmark scripts: the database, Django, timings and docs/benchmarks.md.

Every script runs on demand against a PostgreSQL database of its own (created when missing),
prints its figures and rewrites only its own section of docs/benchmarks.md.
"""

from __future__ import annotations

import datetime
import os
import platform
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
DOC = ROOT / "docs" / "benchmarks.md"
NATIONAL_URL = "postgres://postgres@127.0.0.1:5432/audit_bench_national"
# A secret for benchmark runs under the production settings: never used anywhere else.
BENCH_SECRET = "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz-0123456789"


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in the URL if it does not exist."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    if "postgresql" not in config["ENGINE"]:
        return
    with psycopg.connect(dbname="postgres", autocommit=True, **server(url)) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{config["NAME"]}"')
            print(f"Created database {config['NAME']}.")


def drop_database(url: str) -> None:
    import dj_database_url
    import psycopg

    name = dj_database_url.parse(url)["NAME"]
    with psycopg.connect(dbname="postgres", autocommit=True, **server(url)) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def server(url: str) -> dict:
    import dj_database_url

    config = dj_database_url.parse(url)
    return dict(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
    )


def setup_django(url: str, settings: str = "audit.config.settings.dev", *, migrate: bool = True):
    """Point Django at `url`, set it up and bring the schema and framework up to date."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    ensure_database(url)
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)


def national_dataset(reviews: int = 100_000, **kwargs):
    """The national data set the benchmarks share (built once, then reused)."""
    from audit.synthetic.national_dataset import build_national_dataset

    return build_national_dataset(reviews=reviews, verbose=True, **kwargs)


def timings(functions, runs: int) -> list[list[float]]:
    """Run each function once to warm caches and plans, then `runs` interleaved rounds, so
    that every function meets the same load from the rest of the machine."""
    for function in functions:
        function()
    out = [[] for _ in functions]
    for _ in range(runs):
        for function, times in zip(functions, out):
            started = time.perf_counter()
            function()
            times.append(time.perf_counter() - started)
    return out


def median(values) -> float:
    return statistics.median(values)


def percentile(values, share: float) -> float:
    """The nearest-rank percentile (share 0.95 for p95)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.1f}, {five:.1f}, {fifteen:.1f}"


def machine(connection=None) -> str:
    """Where the figures were recorded: date, database server, Python, Django, cores, load."""
    import django

    server_version = ""
    if connection is not None and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            server_version = cursor.fetchone()[0].split(" on ")[0] + ", "
    return (
        f"Recorded {datetime.date.today():%d %B %Y} on {server_version}Python "
        f"{platform.python_version()}, Django {django.get_version()}, {os.cpu_count()} CPU "
        f"cores shared with other work (load average {load()} at the end of the run)"
    )


def write_section(heading: str, text: str) -> None:
    """Replace the section of docs/benchmarks.md starting `## heading` (or append it)."""
    title = f"## {heading}"
    existing = (
        DOC.read_text()
        if DOC.exists()
        else ("# Benchmarks\n\nFigures recorded by the scripts in `bench/`.\n")
    )
    pattern = re.compile(rf"^{re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    body = f"{title}\n\n{text.strip()}\n\n"
    if pattern.search(existing):
        updated = pattern.sub(lambda _: body, existing, count=1)
    else:
        updated = existing.rstrip() + "\n\n" + body
    DOC.write_text(updated.rstrip() + "\n")
    print(f"Wrote the '{heading}' section of {DOC.relative_to(ROOT)}.")
