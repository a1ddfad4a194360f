"""Loading a scenario from plain data or a YAML file, with every problem reported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sim.scenario.errors import ScenarioError, _path_in_message, allowed_fields, allowed_range
from sim.scenario.fields import describe_error
from sim.scenario.scenario import Scenario
from sim.scenario.yaml_source import YamlSource, YamlTextError, load_yaml, yaml_source


def scenario_from_dict(data: dict[str, Any], source: YamlSource | None = None) -> Scenario:
    """Validate a plain mapping into a :class:`Scenario`, with readable errors.

    Parameters
    ----------
    data
        The scenario as plain data.
    source
        Where each path of ``data`` is written in its file: each problem then starts with its
        line number (see :func:`sim.scenario.yaml_source.yaml_source`).
    """
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(error["loc"]) or _path_in_message(error["msg"])
            problem = describe_error(error, allowed_fields(loc[:-1]), allowed_range(loc))
            line = source.line_of(loc) if source else None
            problems.append(f"line {line}: {problem}" if line else problem)
        raise ScenarioError(problems) from None


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario YAML file.

    Every problem is reported, each with the line it is on, the field's path, the value given
    and what is allowed; a key written twice in one section is a problem too (YAML would keep
    the last silently).

    Raises
    ------
    ScenarioError
        If the file is missing, is not YAML or too large or deep to read safely (see
        :func:`sim.scenario.yaml_source.load_yaml`), is not a mapping of sections, or any field
        is invalid (one line per problem).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise ScenarioError([f"{path}: cannot read file ({reason})"]) from None
    try:
        data = load_yaml(text)
    except YamlTextError as exc:
        raise ScenarioError([f"{path}: {exc}"]) from None
    if data == {} or (data is None and yaml.compose(text, Loader=yaml.SafeLoader) is None):
        raise ScenarioError(
            [
                f"{path}: the file is empty; a scenario needs at least a name "
                "(`loyalsim new FILE` writes one with every field at its default)"
            ]
        )
    if not isinstance(data, dict):
        raise ScenarioError(
            [
                f"{path}: a scenario must be a mapping of sections (name: ..., market: ...), "
                f"not {_held(data)}"
            ]
        )
    source = yaml_source(text)
    repeated = [
        f"line {again}: {'.'.join(map(str, key))}: written twice (first on line {first}); "
        "YAML would keep only the last"
        for key, first, again in source.duplicates
    ]
    try:
        scenario = scenario_from_dict(data, source)
    except ScenarioError as exc:
        raise ScenarioError(repeated + exc.problems) from None
    if repeated:
        raise ScenarioError(repeated)
    return scenario


def _held(data: Any) -> str:
    """What a document that is not a mapping holds, in words: ``the number 0``, ``a list``."""
    if data is None:
        return "null (~)"
    if isinstance(data, bool):
        return f"the yes/no value {str(data).lower()}"
    if isinstance(data, int | float):
        return f"the number {data!r}"
    if isinstance(data, str):
        return f"the text {data if len(data) <= 40 else data[:40] + '...'!r}"
    if isinstance(data, list):
        return f"a list of {len(data)} item(s)" if data else "an empty list"
    return f"a {type(data).__name__}"
