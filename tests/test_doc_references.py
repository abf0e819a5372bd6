"""Every doc file the code and the docs cite (in a docstring, comment, string or link) is a file
in docs/ (or, like README.md, at the top of the repository)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE = ("audit", "cases", "standards", "ui", "bench", "tests")
# "docs/formats.md", "rating-rules.md §5", "(see access-and-audit.md)"
CITED = re.compile(r"(?<![\w/.-])(?:docs/)?([\w/.-]+\.md)\b")


def cited_docs():
    files = [path for folder in CODE for path in sorted((ROOT / folder).rglob("*.py"))]
    for path in [*files, ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for name in CITED.findall(line):
                yield f"{path.relative_to(ROOT)}:{number}", name


def test_every_cited_doc_is_in_docs():
    cited = list(cited_docs())
    assert len(cited) > 10  # the pattern finds the references that are there
    missing = [
        f"{where} cites {name}"
        for where, name in cited
        if not ((ROOT / "docs" / name).is_file() or (ROOT / name).is_file())
    ]
    assert missing == [], "Cited docs missing from docs/:\n" + "\n".join(missing)
