"""Load test: 50 assessors scoring at once against gunicorn on PostgreSQL, then a check that no
saved answer was lost.

    .venv/bin/python bench/loadtest.py [--users 50] [--seconds 60] [--no-docs]

On the national data set (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/audit_bench_national; built first if missing):

1. fresh fieldwork (bench/fieldwork.py): every simulated assessor has reviews of their own;
2. the production run path: static files collected, then `gunicorn -c audit/config/gunicorn_conf.py
   audit.config.wsgi` with the production settings (a benchmark-only secret), bound to 127.0.0.1
   only, with as many workers as WEB_CONCURRENCY says (cores + 1 when unset: the database and the
   load generator share the machine);
3. locust, headless, for a bounded time (bench/locustfile.py), from 127.0.0.1;
4. gunicorn stopped; every answer of every accepted save compared with the database.

Prints requests per second, p50/p95 latency (as the clients saw it, and the server's own time
from gunicorn's access log), errors, stale saves refused and answers lost, and rewrites the
"Load test" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    BENCH_SECRET,
    NATIONAL_URL,
    ROOT,
    load,
    machine,
    median,
    national_dataset,
    percentile,
    setup_django,
    write_section,
)

HEADING = "Load test"
TARGET_P95_MS = 500
VENV = ROOT / ".venv" / "bin"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def production_env(url: str, port: int) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "audit.config.settings.production",
            "DJANGO_SECRET_KEY": BENCH_SECRET,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": url,
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            # locust plays the reverse proxy on loopback and sends X-Forwarded-Proto: https.
            "DJANGO_TRUSTED_PROXIES": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def wait_for_health(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("gunicorn did not become healthy")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--reviews-each", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument(
        "--spawn-rate",
        type=float,
        default=2,
        help="assessors signing in per second, before the measured period",
    )
    parser.add_argument(
        "--wait", default="5,15", help="seconds between one saved page and the next (min,max)"
    )
    parser.add_argument("--no-docs", action="store_true", help="print only; leave docs alone")
    args = parser.parse_args()

    ambient = load()  # before this script adds its own work
    url = os.environ.get("DATABASE_URL", NATIONAL_URL)
    setup_django(url)
    from django.db import connection

    from bench.fieldwork import prepare_fieldwork

    national_dataset()
    plan = prepare_fieldwork(assessors=args.users, reviews_each=args.reviews_each)
    work = Path(tempfile.mkdtemp(prefix="loadtest-"))
    (work / "plan.json").write_text(json.dumps(plan))
    port = free_port()
    env = production_env(url, port)
    subprocess.run(
        [str(VENV / "python"), "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    # Workers from the environment; otherwise cores + 1, since here PostgreSQL and locust share
    # the same cores (gunicorn_conf's own default, 2 x cores + 1, suits a separate database).
    env.setdefault("WEB_CONCURRENCY", str((os.cpu_count() or 1) + 1))
    workers = env["WEB_CONCURRENCY"]
    access_log = work / "gunicorn.log"
    print(
        f"  gunicorn on 127.0.0.1:{port}, workers: {workers}; {args.users} assessors for "
        f"{args.seconds} s"
    )
    with open(access_log, "w") as log:
        server = subprocess.Popen(
            [str(VENV / "gunicorn"), "-c", "audit/config/gunicorn_conf.py", "audit.config.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_health(port)
        worker_count = len(
            subprocess.run(
                ["pgrep", "-P", str(server.pid)], capture_output=True, text=True
            ).stdout.split()
        )
        load_before = load()
        # The locustfile stops the run after the measured period; this is only a backstop.
        backstop = round(args.users / args.spawn_rate + 180 + args.seconds)
        subprocess.run(
            [
                str(VENV / "locust"),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.spawn_rate),
                "--run-time",
                f"{backstop}s",
                "--stop-timeout",
                "20",
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                str(work / "locust"),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            check=False,
            env={
                **os.environ,
                "LOADTEST_PLAN": str(work / "plan.json"),
                "LOADTEST_RESULT": str(work / "result.json"),
                "LOADTEST_WAIT": args.wait,
                "LOADTEST_SECONDS": str(args.seconds),
                "LOADTEST_SETTLE": "5",
            },
        )
        load_during = load()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)

    stats = {row["Name"]: row for row in csv.DictReader(open(work / "locust_stats.csv"))}
    result = json.loads((work / "result.json").read_text())
    measured_from = result["measured"]["from"] or float("inf")
    measured_to = result["measured"].get("to") or float("inf")
    server_times, server_errors = [], 0
    for line in access_log.read_text().splitlines():
        if not line.startswith("{"):
            continue
        entry = json.loads(line)
        if "duration_ms" not in entry or entry["path"] == "/healthz":
            continue  # an application log line, or the start-up health check
        at = datetime.datetime.strptime(entry["time"], "[%d/%b/%Y:%H:%M:%S %z]").timestamp()
        if not measured_from <= at <= measured_to:
            continue  # signing in and settling, or stopping: outside the measured period
        server_times.append(float(entry["duration_ms"]))
        server_errors += int(entry["status"]) >= 500
    lost, checked = check_saved(plan["inspection"], result["saved"])

    total = stats["Aggregated"]
    saves = stats.get("save standard page", {})
    figures = {
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "rps": float(total["Requests/s"]),
        "p50": float(total["50%"]),
        "p95": float(total["95%"]),
        "save_p50": float(saves.get("50%", 0)),
        "save_p95": float(saves.get("95%", 0)),
        "server_p50": median(server_times) if server_times else 0,
        "server_p95": percentile(server_times, 0.95) if server_times else 0,
        "server_errors": server_errors,
        "saves": result["counts"]["saves"],
        "stale": result["counts"]["stale_refused"],
        "lost": lost,
        "checked": checked,
        "workers": worker_count,
    }
    ok = (
        figures["failures"] == 0
        and server_errors == 0
        and lost == 0
        and figures["p95"] < TARGET_P95_MS
    )
    print(
        f"  {figures['requests']:,} requests, {figures['rps']:.1f}/s; p50 {figures['p50']:.0f} "
        f"ms, p95 {figures['p95']:.0f} ms (saves: p50 {figures['save_p50']:.0f}, p95 "
        f"{figures['save_p95']:.0f} ms; server time p50 {figures['server_p50']:.0f}, p95 "
        f"{figures['server_p95']:.0f} ms); errors {figures['failures']} (5xx "
        f"{server_errors}); {figures['saves']:,} saves, {figures['stale']} refused as stale; "
        f"{checked:,} saved answers checked, {lost} lost; load {load_before} before, "
        f"{load_during} at the end"
    )
    print(
        f"  target (no errors, nothing lost, p95 under {TARGET_P95_MS} ms): "
        f"{'met' if ok else 'NOT met'}"
    )
    if not args.no_docs:
        write_section(HEADING, section(args, figures, stats, ok, ambient, connection))
    return 0 if ok else 1


def check_saved(inspection_id: int, saved: dict) -> tuple[int, int]:
    """Answers whose last accepted value is not what the database holds."""
    from audit.models import Judgement, PromptAnswer

    answers = {
        f"{crn} prompt {code}": value
        for crn, code, value in PromptAnswer.objects.filter(
            review__sampled_case__inspection_id=inspection_id
        ).values_list("review__sampled_case__case__crn", "prompt__code", "value")
    }
    answers.update(
        {
            f"{crn} judgement {code}": [value, rationale]
            for crn, code, value, rationale in Judgement.objects.filter(
                review__sampled_case__inspection_id=inspection_id
            ).values_list(
                "review__sampled_case__case__crn", "key_question__code", "value", "rationale"
            )
        }
    )
    lost = [key for key, value in saved.items() if answers.get(key) != value]
    for key in lost[:10]:
        print(f"    LOST {key}: sent {saved[key]!r}, stored {answers.get(key)!r}")
    return len(lost), len(saved)


def section(args, f, stats, ok, ambient, connection) -> str:
    rows = "".join(
        f"| {name} | {int(row['Request Count']):,} | {float(row['50%']):.0f} ms | "
        f"{float(row['95%']):.0f} ms | {int(row['Failure Count'])} |\n"
        for name, row in stats.items()
        if name != "Aggregated" and int(row["Request Count"])  # sign-in: before the period
    )
    return (
        f"`bench/loadtest.py`: {args.users} simulated assessors (locust, headless, on "
        f"127.0.0.1; signing in at {args.spawn_rate:g} a second, then measured for "
        f"{args.seconds} s from 5 s after the last had signed in) against "
        "`gunicorn -c audit/config/gunicorn_conf.py audit.config.wsgi` with the production "
        "settings on "
        f"PostgreSQL, {f['workers']} sync workers (WEB_CONCURRENCY; unset, the script uses "
        "cores + 1, because PostgreSQL and locust share the same two cores), in the database of "
        "the national data set. Each assessor signs in "
        "through the sign-in form (not measured: one password hash each, deliberately slow), "
        f"then works through {args.reviews_each} reviews of their own: opens a review's task "
        "list, opens a standard page and saves it with every question answered (a rationale "
        f"for each judgement), then waits {args.wait.replace(',', ' to ')} seconds before the "
        "next page (real assessors take minutes over a page); a save refused as stale would be "
        "reloaded and retried. Afterwards every answer of every accepted save, from the whole "
        "run, is compared with the database.\n\n"
        "| Figure | Result |\n| --- | --- |\n"
        f"| Requests | {f['requests']:,} ({f['rps']:.1f} a second) |\n"
        f"| Latency seen by the clients, all requests | p50 {f['p50']:.0f} ms, p95 "
        f"{f['p95']:.0f} ms |\n"
        f"| Latency of saves (answers, judgements, history, trail) | p50 {f['save_p50']:.0f} "
        f"ms, p95 {f['save_p95']:.0f} ms |\n"
        f"| Server time (gunicorn's access log) | p50 {f['server_p50']:.0f} ms, p95 "
        f"{f['server_p95']:.0f} ms |\n"
        f"| Errors (failed requests; 5xx in the access log) | {f['failures']}; "
        f"{f['server_errors']} |\n"
        f"| Saves accepted over the whole run (sign-in included); refused as stale and "
        f"retried | {f['saves']:,}; {f['stale']} |\n"
        f"| Saved answers checked against the database; lost | {f['checked']:,}; "
        f"**{f['lost']}** |\n\n"
        "| Request | Count | p50 | p95 | Failures |\n| --- | --- | --- | --- | --- |\n"
        + rows
        + f"\nTarget: {args.users} concurrent assessors with zero errors and zero lost "
        f"answers, p95 under {TARGET_P95_MS} ms on this two-core machine: "
        f"**{'met' if ok else 'not met'}**. Client latencies include locust itself, which "
        "runs on the same two cores as gunicorn and PostgreSQL.\n\n"
        f"{machine(connection)}; load average {ambient} before the script started. Re-run "
        "with `.venv/bin/python bench/loadtest.py` (WEB_CONCURRENCY sets the workers)."
    )


if __name__ == "__main__":
    sys.exit(main())
