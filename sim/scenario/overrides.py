"""Dotted-path access to a scenario's fields: ``value_at`` and ``with_overrides``."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from sim.scenario.errors import ScenarioError
from sim.scenario.loading import scenario_from_dict
from sim.scenario.scenario import Scenario


def value_at(scenario: Scenario, path: str) -> Any:
    """The value of the field at a dotted path, as plain data (program designs by name or
    position, as in :meth:`with_overrides`).

    Raises
    ------
    ScenarioError
        If the path names no field.
    """
    node: Any = scenario.model_dump()
    for part in path.split("."):
        if isinstance(node, list | tuple):
            index = _design_index(list(node), part)
            if index is None:
                raise ScenarioError([f"{path}: no program design '{part}'"])
            node = node[index]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            raise ScenarioError([f"{path}: no such field ('{part}' is unknown)"])
    return node


def with_overrides(scenario: Scenario, overrides: dict[str, Any]) -> Scenario:
    """A copy of the scenario with dotted-path fields replaced, validated again.

    Parameters
    ----------
    overrides
        ``{"market.size": 50_000, "business.touches_per_month": 0}``. A program design is
        named by its name or its position in ``programs``:
        ``{"programs.stamp card.points.points_per_currency": 0.5}``.

    Raises
    ------
    ScenarioError
        If a path names no field, or a value is not allowed.
    """
    data = scenario.model_dump()
    data["programs"] = list(data["programs"])
    for path, value in overrides.items():
        node = data
        parts = path.split(".")
        for i, part in enumerate(parts):
            if isinstance(node, list):
                index = _design_index(node, part)
                if index is None:
                    names = ", ".join(str(d.get("name")) for d in node)
                    raise ScenarioError([f"{path}: no program design '{part}' (designs: {names})"])
                if i == len(parts) - 1:
                    raise ScenarioError(
                        [f"{path}: name a field of the design, or replace the whole list"]
                    )
                node = node[index]
                continue
            if not isinstance(node, dict) or (
                part not in node and not _is_dict_field(scenario, parts[:i])
            ):
                raise ScenarioError([f"{path}: no such field ('{part}' is unknown)"])
            if i == len(parts) - 1:
                node[part] = value
            else:
                if node.get(part) is None:
                    node[part] = {}
                node = node[part]
    return scenario_from_dict(data)


def _design_index(designs: list[dict[str, Any]], part: str) -> int | None:
    """Position of the design named ``part`` (or at position ``part``) in a programs list."""
    for i, design in enumerate(designs):
        if design.get("name") == part:
            return i
    if part.isdigit() and int(part) < len(designs):
        return int(part)
    return None


def _is_dict_field(scenario: Scenario, parts: list[str]) -> bool:
    """Whether the field at ``parts`` is a free-keyed mapping (e.g. a multiplier table)."""
    obj: Any = scenario
    for part in parts:
        if isinstance(obj, BaseModel):
            obj = getattr(obj, part, None)
        elif isinstance(obj, dict):
            obj = obj.get(part)
        else:
            return False
    return isinstance(obj, dict)
