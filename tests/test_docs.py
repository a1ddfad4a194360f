"""The reference pages in docs/ match the code.

docs/scenario.md is generated from the scenario schema and must be current and complete; every
scenario field must carry a description, a unit and a source; docs/model.md may only cite real
parameters with their real defaults; every YAML example in the docs must be a valid scenario.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import all_fields, section_model

from sim.scenario import scenario_from_dict

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "docs" / "gen_scenario_reference.py"
REFERENCE = ROOT / "docs" / "scenario.md"
MODEL_REFERENCE = ROOT / "docs" / "model.md"


FIELDS = dict(all_fields())
SECTIONS = [path for path, info in FIELDS.items() if section_model(info.annotation)]


def test_generator_check_passes():
    done = subprocess.run(
        [sys.executable, str(GENERATOR), "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, (
        "docs/scenario.md is out of date; run `python docs/gen_scenario_reference.py`\n"
        + done.stdout
        + done.stderr
    )


def test_walk_reaches_nested_sections():
    assert "market.size" in FIELDS
    assert "ladder.promotion.fan_min_promoter_days" in FIELDS
    assert "ladder.migration.matrix" in FIELDS


def test_every_field_is_in_the_reference():
    text = REFERENCE.read_text(encoding="utf-8")
    absent = [path for path in FIELDS if f"`{path}`" not in text]
    assert not absent, f"fields missing from docs/scenario.md: {absent}"


def test_every_field_has_description_unit_and_source():
    problems = []
    for path, info in FIELDS.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        for what, value in (
            ("description", info.description),
            ("unit", extra.get("unit")),
            ("source", extra.get("source")),
        ):
            if not (isinstance(value, str) and value.strip()):
                problems.append(f"{path}: empty {what}")
    assert not problems, "scenario fields lacking documentation:\n" + "\n".join(problems)


def _written(value: object) -> str:
    """A default as docs/model.md writes it: ``20000``, ``0.243``, ``[]``, ``{}``,
    ``shopper 1, ...``."""
    if isinstance(value, dict):
        if not value:
            return "{}"
        return ", ".join(f"{k} {_written(v)}" for k, v in value.items())
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_written(v) for v in value) + "]"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def test_model_reference_cites_only_real_parameters():
    text = MODEL_REFERENCE.read_text(encoding="utf-8")
    pattern = r"`((?:" + "|".join(SECTIONS) + r")\.[a-z_.]+)`"
    cited = set(re.findall(pattern, text))
    files = {p for p in cited if re.search(r"\.(py|png|md|yaml)$", p)}
    unknown = sorted(cited - files - set(FIELDS))
    assert not unknown, f"docs/model.md names parameters the scenario does not have: {unknown}"


def test_model_reference_defaults_match_the_schema():
    text = MODEL_REFERENCE.read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z_.]+)` \| ([^|]+) \|", text, flags=re.MULTILINE)
    checked, wrong = 0, []
    for path, cell in rows:
        if path not in FIELDS or path in SECTIONS:
            continue
        shown = cell.strip().strip("`")
        default = FIELDS[path].get_default(call_default_factory=True)
        checked += 1
        if shown != _written(default):
            wrong.append(f"{path}: docs say {shown!r}, schema default is {_written(default)!r}")
    assert checked > 50, "the parameter tables of docs/model.md were not found"
    assert not wrong, "docs/model.md has stale defaults:\n" + "\n".join(wrong)


@pytest.mark.parametrize("page", ["model.md", "scenario.md"])
def test_yaml_examples_in_docs_are_valid_scenarios(page):
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    blocks = re.findall(r"^```yaml\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)
    assert blocks, f"no YAML example in docs/{page}"
    for block in blocks:
        scenario_from_dict(yaml.safe_load(block))


def test_reading_the_report_explains_every_chart_and_every_chart_has_a_caption():
    from sim.report.calibration_charts import CALIBRATION_CHARTS
    from sim.report.charts import RUN_CHARTS
    from sim.report.experiment_charts import COMPARISON_CHARTS
    from sim.report.html import CAPTIONS

    page = (ROOT / "docs" / "reading-the-report.md").read_text(encoding="utf-8")
    for name in [*RUN_CHARTS, *COMPARISON_CHARTS, *CALIBRATION_CHARTS]:
        assert f"| `{name}` |" in page, name
        assert name in CAPTIONS, name
    for name in ("heatmap_<output>", "tornado"):
        assert f"`{name}`" in page
