"""Any mutation of a bundled scenario is either a valid scenario or refused by name.

A hypothesis property over the whole schema: take a bundled scenario file as the planner wrote
it, put a hostile value (a wrong type, a yes/no value, NaN, infinity, a huge or negative number,
text, a list, a mapping, nothing) at any field the schema has, at any depth, program designs
included, and hand it to ``scenario_from_dict`` and to the command line. The only outcomes
allowed are a valid scenario that then runs to its tables, or a :class:`ScenarioError` whose
problems name the field that was changed; never another exception, never a traceback.

The examples are derandomized (the same 500 mutations every run), so the test is deterministic.
The command line gets 500 mutations too, at a short horizon in a small market: each one it
accepts is simulated, its tables written and its charts drawn, which is where a value that
passed validation could still break a run.
"""

from __future__ import annotations

import contextlib
import copy
import io
import math
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import all_fields
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.cli import main as cli_main
from sim.scenario import ScenarioError, scenario_from_dict

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = {p.stem: yaml.safe_load(p.read_text()) for p in sorted(ROOT.glob("scenarios/*.yaml"))}
SCHEMA_PATHS = [path for path, _ in all_fields(list_marker="[0]")]
HOSTILE = (
    None,
    True,
    False,
    "",
    "many",
    "[/bold] $\\undefined$",
    -1,
    0,
    1,
    7,
    10**15,
    -(10**15),
    0.5,
    -0.5,
    1e308,
    -1e308,
    math.nan,
    math.inf,
    -math.inf,
    [],
    [1, 2],
    {},
    {"x": 1},
)
"""Values a hostile or careless planner might write anywhere."""


def leaf_paths(node: Any, prefix: str = "") -> list[str]:
    """Every field path that a scenario file as written holds, lists by position."""
    paths = []
    if isinstance(node, dict):
        for key, value in node.items():
            path = f"{prefix}{key}"
            paths.append(path)
            paths.extend(leaf_paths(value, path + "."))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            if isinstance(value, dict):
                paths.extend(leaf_paths(value, f"{prefix[:-1]}[{i}]."))
    return paths


def put(data: dict, path: str, value: Any) -> dict:
    """A copy of ``data`` with ``value`` at ``path`` (``programs[0].points.expiry``); sections
    and list entries on the way are made when missing."""
    out = copy.deepcopy(data)
    node: Any = out
    parts = path.split(".")
    for part in parts[:-1]:
        name, _, index = part.partition("[")
        if index:
            entries = node.get(name)
            if not isinstance(entries, list) or not entries:
                entries = node[name] = [{"name": "design"}]
            node = entries[int(index[:-1])]
        else:
            if not isinstance(node.get(name), dict):
                node[name] = {}
            node = node[name]
    name, _, index = parts[-1].partition("[")
    if index and isinstance(node.get(name), list) and node[name]:
        node[name][int(index[:-1])] = value
    else:
        node[name] = value
    return out


@st.composite
def mutations(draw: st.DrawFn) -> tuple[str, str, Any, dict]:
    """A bundled scenario, a field path (one it writes or one the schema has) and a value."""
    name = draw(st.sampled_from(sorted(BUNDLED)))
    data = BUNDLED[name]
    path = draw(st.sampled_from(sorted(set(leaf_paths(data)) | set(SCHEMA_PATHS))))
    value = draw(st.sampled_from(HOSTILE))
    return name, path, value, put(data, path, value)


def named(problem: str, path: str) -> bool:
    """Whether a problem line names the changed field or the section that holds it (a
    cross-field rule names the field in words: ``end_day = 10 must be after launch_day``;
    a section given a wrong value is named itself: ``market: Input should be ...``)."""
    words = [w for w in re.split(r"[.\[\]]", path) if w and not w.isdigit()]
    return any(re.search(rf"\b{re.escape(w)}\b", problem) for w in words[-2:])


@settings(
    max_examples=500,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(mutations())
def test_any_mutation_is_a_scenario_or_refused_by_name(mutation):
    name, path, value, data = mutation
    try:
        scenario = scenario_from_dict(data)
    except ScenarioError as exc:
        assert exc.problems, f"{name}: {path} = {value!r} refused with no problem listed"
        assert any(named(p, path) for p in exc.problems), (
            f"{name}: {path} = {value!r} refused without naming it: {exc.problems}"
        )
        return
    assert isinstance(scenario, sim.Scenario)
    for number in _numbers(scenario.model_dump()):
        assert math.isfinite(number), f"{name}: {path} = {value!r} let a non-finite number in"


def _numbers(node: Any):
    if isinstance(node, dict):
        for value in node.values():
            yield from _numbers(value)
    elif isinstance(node, list | tuple):
        for value in node:
            yield from _numbers(value)
    elif isinstance(node, float):
        yield node


def shrunk(data: dict) -> dict:
    """``data`` in a small market (if it states one) at the shortest of 20, 200 or 800 days
    that still holds its program's dated events (a launch, contests), else as it was."""
    small = dict(data)
    market = data.get("market")
    if isinstance(market, dict):
        sizes = {"size": 400, "initial_customers": 40}
        small["market"] = {**market, **{k: v for k, v in sizes.items() if k in market}}
    for days in (20, 200, 800):
        if days < data.get("horizon_days", 1095):
            with contextlib.suppress(ScenarioError):
                scenario_from_dict({**small, "horizon_days": days})
                return {**small, "horizon_days": days}
    return small


SHRUNK = {name: shrunk(data) for name, data in BUNDLED.items()}


@settings(
    max_examples=500,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@pytest.mark.slow
@given(mutations())
def test_any_mutation_runs_or_is_refused_by_name_on_the_command_line(tmp_path, mutation):
    name, path, value, _ = mutation
    scenario_file = tmp_path / "mutated.yaml"
    data = put(SHRUNK[name], path, value)  # a mutated horizon or size stays mutated
    scenario_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = cli_main(["run", str(scenario_file), "--out", str(tmp_path / "out"), "--quiet"])
    text = out.getvalue()
    assert "Traceback" not in text, f"{name}: {path} = {value!r}\n{text}"
    assert code in (0, 2), f"{name}: {path} = {value!r} exit {code}\n{text}"
    if code == 2:
        assert named(text, path), f"{name}: {path} = {value!r} refused without naming it\n{text}"
    else:
        assert (tmp_path / "out" / "report.html").exists()


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_the_bundled_files_are_valid_as_written(name):
    scenario_from_dict(BUNDLED[name])
