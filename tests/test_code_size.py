"""The size limits `make lint` enforces: modules up to 600 lines, functions up to 60."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("code_size", ROOT / ".ci" / "code_size.py")
code_size = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(code_size)


def _function(name, body_lines):
    return f"def {name}():\n" + "".join(f"    x = {i}\n" for i in range(body_lines - 1))


def test_long_functions_and_modules_are_found_by_qualified_name(tmp_path):
    package = tmp_path / "audit"
    (package / "migrations").mkdir(parents=True)
    (package / "short.py").write_text(_function("fine", 60))
    nested = "class Form:\n    " + _function("__init__", 61).replace("\n", "\n    ")
    (package / "forms.py").write_text(nested + "\n" + _function("outer", 61))
    (package / "big.py").write_text("\n" * 601)
    (package / "migrations" / "0001_initial.py").write_text(_function("generated", 200))
    found = code_size.measure(tmp_path)
    assert found == {
        "audit/forms.py:Form.__init__": (2, 61),
        "audit/forms.py:outer": (64, 61),
        "audit/big.py": (1, 601),
    }


def test_exceptions_need_a_reason_and_lapse_when_no_longer_needed():
    found = {"audit/a.py:long": (3, 70), "audit/b.py": (1, 700)}
    allowed = {"audit/b.py": "generated tables", "audit/c.py:gone": "was long"}
    assert code_size.problems(found, allowed) == [
        "audit/a.py:3: audit/a.py:long has 70 lines (at most 60).",
        "audit/c.py:gone is within the limit now: remove it from ALLOWED.",
    ]
    assert all(reason.strip() for reason in code_size.ALLOWED.values())


def test_the_code_base_keeps_the_limits():
    assert code_size.problems(code_size.measure()) == []
