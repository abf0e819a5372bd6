"""The import benchmark rewrites only its own section of docs/benchmarks.md."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "import_caseload.py"


def load_bench():
    spec = importlib.util.spec_from_file_location("bench_import_caseload", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_section_replaced_in_place_and_others_kept(tmp_path, monkeypatch):
    bench = load_bench()
    doc = tmp_path / "benchmarks.md"
    doc.write_text(
        "# Benchmarks\n\n## Roll-up\n\nfast\n\n## Caseload import\n\nold figures\n\n"
        "## Load test\n\n50 users\n"
    )
    monkeypatch.setattr(bench, "DOC", doc)
    bench.write_section("## Caseload import\n\nnew figures\n")
    assert doc.read_text() == (
        "# Benchmarks\n\n## Roll-up\n\nfast\n\n## Caseload import\n\n"
        "new figures\n\n## Load test\n\n50 users\n"
    )


def test_section_appended_when_missing(tmp_path, monkeypatch):
    bench = load_bench()
    doc = tmp_path / "benchmarks.md"
    monkeypatch.setattr(bench, "DOC", doc)
    bench.write_section("## Caseload import\n\nfigures\n")
    assert doc.read_text().endswith("## Caseload import\n\nfigures\n")
    doc.write_text("# Benchmarks\n\n## Roll-up\n\nfast\n")
    bench.write_section("## Caseload import\n\nfigures\n")
    assert (
        doc.read_text() == "# Benchmarks\n\n## Roll-up\n\nfast\n\n## Caseload import\n\nfigures\n"
    )


def test_generated_rows_import_cleanly(db):
    from cases.importers import import_caseload

    from ..factories import ProviderFactory

    bench = load_bench()
    for code in bench.PROVIDERS:
        ProviderFactory(code=code)
    result = import_caseload(data=bench.as_csv(bench.generate(300)), filename="bench.csv")
    assert result.ok and result.created == 300
