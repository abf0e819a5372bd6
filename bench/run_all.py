"""Run every benchmark in turn (`make bench`), each writing its own section of docs/benchmarks.md.

    .venv/bin/python bench/run_all.py [--keep-data] [--with-import] [--no-docs]

1. bench/generate.py: the national data set built from scratch (drops and recreates the
   benchmark database), timed; skipped with --keep-data when the data set is already there;
2. bench/rollup.py: the roll-up against raw SQL computing the same numbers;
3. bench/pages.py: server time and queries of the scoring and report pages;
4. bench/loadtest.py: 50 assessors against gunicorn, and the check that nothing was lost;
5. with --with-import, bench/import_caseload.py (caseload import, its own database).

Needs PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/audit_bench_national).
Each figure is recorded with the load average, since the machine may be shared: run it when the
machine is as quiet as it gets. Exits non-zero when any script fails or misses its target.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--keep-data",
        action="store_true",
        help="reuse the national data set instead of timing a fresh build",
    )
    parser.add_argument(
        "--with-import", action="store_true", help="also run the caseload import benchmark"
    )
    parser.add_argument("--no-docs", action="store_true", help="print only; leave docs alone")
    args = parser.parse_args()

    scripts = [] if args.keep_data else ["generate.py"]
    scripts += ["rollup.py", "pages.py", "loadtest.py"]
    if args.with_import:
        scripts.append("import_caseload.py")
    outcomes = []
    for script in scripts:
        command = [
            str(PYTHON if PYTHON.exists() else sys.executable),
            str(ROOT / "bench" / script),
        ] + (["--no-docs"] if args.no_docs else [])
        print(f"\n== {script} (load average {_load()})", flush=True)
        started = time.perf_counter()
        code = subprocess.run(command, cwd=ROOT).returncode
        outcomes.append((script, code, time.perf_counter() - started))
    print("\nBenchmarks:")
    for script, code, seconds in outcomes:
        verdict = "targets met" if code == 0 else "TARGET MISSED OR FAILED"
        print(f"  {script:22} {verdict} ({seconds:.0f} s)")
    return 0 if all(code == 0 for _, code, _ in outcomes) else 1


def _load() -> str:
    return ", ".join(f"{n:.1f}" for n in os.getloadavg())


if __name__ == "__main__":
    sys.exit(main())
