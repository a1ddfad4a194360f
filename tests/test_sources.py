"""docs/sources.md explains every fact id a user can see.

The code, the docs, the README, the scenario files and the notebooks cite the domain's facts by
id (``DOMAIN L4``, ``(E6)``, ``P1-P12``, ``DOMAIN W2, W5, L7``). Each cited id must have its own
line in docs/sources.md, starting with the id in bold (``**L4**``), and that page must not
explain an id twice or explain something that is not an id.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from sim.report.sources import FAMILIES, ID, cited_ids

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "docs" / "sources.md"

BOLD_ID = re.compile(r"\*\*([A-Z]\d+)\*\*")


def _notebook_text(path: Path) -> str:
    """The sources and text outputs of a notebook's cells, as a user reads them."""
    parts = []
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        parts.append("".join(cell.get("source", [])))
        for output in cell.get("outputs", []):
            parts.append("".join(output.get("text", [])))
            parts.append("".join(output.get("data", {}).get("text/plain", [])))
    return "\n".join(parts)


def cited_files() -> list[Path]:
    """Every file whose text a user can see, but the page that explains the ids."""
    files = [
        *sorted(ROOT.glob("sim/**/*.py")),
        *(p for p in sorted(ROOT.glob("docs/*.md")) if p != SOURCES),
        ROOT / "README.md",
        *sorted(ROOT.glob("scenarios/*.yaml")),
        *sorted(ROOT.glob("notebooks/*.ipynb")),
        *sorted(ROOT.glob("notebooks/*.md")),
    ]
    return [p for p in files if p.is_file()]


def _read(path: Path) -> str:
    if path.suffix == ".ipynb":
        return _notebook_text(path)
    return path.read_text(encoding="utf-8")


def all_cited_ids() -> dict[str, list[str]]:
    """Each cited id with the files that cite it."""
    where: dict[str, list[str]] = {}
    for path in cited_files():
        # Strict: a range across families or one that runs backwards fails the test.
        for fact in cited_ids(_read(path), strict=True):
            where.setdefault(fact, []).append(path.relative_to(ROOT).as_posix())
    return where


def explained_ids() -> list[str]:
    """The ids docs/sources.md explains: each line that starts with an id in bold."""
    lines = SOURCES.read_text(encoding="utf-8").splitlines()
    return [m.group(1) for line in lines if (m := BOLD_ID.match(line))]


def test_collector_reads_every_citation_style():
    text = (
        "DOMAIN L4; DOMAIN W2, W5, L7 and P3; (DOMAIN P1-P12) DOMAIN E6–E8; a card (E9)\n"
        "(P4, P5) (see W9) ruin (M5): # DOMAIN L1,\n# L2 from W2-W5; M3 alone; DOMAIN P (x)"
    )
    expected = {"L4", "W2", "W5", "L7", "P3", "L1", "L2", "E6", "E7", "E8", "E9", "P4", "P5"}
    expected |= {f"P{n}" for n in range(1, 13)} | {"W3", "W4", "M5", "W9"}
    assert set(cited_ids(text, strict=True)) == expected


def test_every_cited_id_is_explained():
    cited = all_cited_ids()
    assert cited, "no DOMAIN ids found: the collector is broken"
    explained = set(explained_ids())
    missing = {fact: files[:3] for fact, files in sorted(cited.items()) if fact not in explained}
    assert not missing, (
        f"cited but not explained in docs/sources.md (add a line starting with **ID**): {missing}"
    )


def test_explained_ids_are_real_and_listed_once():
    explained = explained_ids()
    assert explained, "docs/sources.md explains no ids"
    not_ids = [fact for fact in explained if not re.fullmatch(ID, fact)]
    assert not not_ids, f"not a fact id (a letter of {FAMILIES} and a number): {not_ids}"
    twice = [fact for fact, n in Counter(explained).items() if n > 1]
    assert not twice, f"explained more than once: {twice}"
    # Anywhere else on the page, a bold id would look like a second explanation.
    bold_anywhere = BOLD_ID.findall(SOURCES.read_text(encoding="utf-8"))
    assert sorted(bold_anywhere) == sorted(explained), "a bold id not at the start of its line"
