"""No production module over 600 lines and no function over 60 (run by `make lint`).

Production code is audit/, cases/, standards/ and ui/ without their migrations. A function's
length runs from its `def` to its last line, nested functions included. An exception needs a
line in ALLOWED saying why; a line that is no longer needed is reported too, so the list only
shrinks. Exit status 1 when anything is reported.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("audit", "cases", "jobs", "standards", "ui")
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 60

# "path" for a module, "path:qualified.name" for a function -> why it may be longer. Empty: every
# module and function is within the limits.
ALLOWED: dict[str, str] = {}


def _functions(tree: ast.AST, prefix: str = ""):
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            name = f"{prefix}{node.name}"
            yield name, node.lineno, node.end_lineno - node.lineno + 1
            yield from _functions(node, f"{name}.")
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node, f"{prefix}{node.name}.")
        else:
            yield from _functions(node, prefix)


def measure(root: Path = ROOT) -> dict[str, tuple[int, int]]:
    """Every module over the limit and every function over it: key -> (line, length)."""
    found = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            where = path.relative_to(root).as_posix()
            lines = len(text.splitlines())
            if lines > MAX_MODULE_LINES:
                found[where] = (1, lines)
            for name, line, length in _functions(ast.parse(text, filename=where)):
                if length > MAX_FUNCTION_LINES:
                    found[f"{where}:{name}"] = (line, length)
    return found


def problems(found: dict[str, tuple[int, int]], allowed: dict[str, str] = ALLOWED) -> list[str]:
    report = []
    for key, (line, length) in found.items():
        if key not in allowed:
            limit = MAX_FUNCTION_LINES if ":" in key else MAX_MODULE_LINES
            path = key.split(":")[0]
            report.append(f"{path}:{line}: {key} has {length} lines (at most {limit}).")
    for key in allowed:
        if key not in found:
            report.append(f"{key} is within the limit now: remove it from ALLOWED.")
    return report


def main() -> int:
    report = problems(measure())
    for line in report:
        print(line)
    return 1 if report else 0


if __name__ == "__main__":
    sys.exit(main())
