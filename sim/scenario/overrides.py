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
    for depth, part in enumerate(path.split(".")):
        if isinstance(node, list | tuple):
            index = _entry_index(list(node), part)
            if index is None:
                raise ScenarioError([_no_entry(path, path.split(".")[:depth], list(node), part)])
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
        ``{"market.size": 50_000, "business.touches_per_month": 0}``. An entry of a list is
        named by its name (program designs, tier and discount levels, rewards) or its position:
        ``{"programs.stamp card.points.points_per_currency": 0.5}``,
        ``{"programs.0.tiers.levels.Gold.threshold": 2500}``,
        ``{"competition.scheduled_offer_days.0": 90}``.

    Raises
    ------
    ScenarioError
        If a path names no field, or a value is not allowed.
    """
    data = _as_lists(scenario.model_dump())
    for path, value in overrides.items():
        node = data
        parts = path.split(".")
        for i, part in enumerate(parts):
            if isinstance(node, list):
                index = _entry_index(node, part)
                if index is None:
                    raise ScenarioError([_no_entry(path, parts[:i], node, part)])
                if i == len(parts) - 1:
                    node[index] = value
                else:
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


def _entry_index(entries: list[Any], part: str) -> int | None:
    """Position of the entry named ``part`` (a section with that ``name``), or at position
    ``part``, in a list of a scenario (program designs, tier levels, discount levels, days)."""
    for i, entry in enumerate(entries):
        if isinstance(entry, dict) and entry.get("name") == part:
            return i
    if part.isdigit() and int(part) < len(entries):
        return int(part)
    return None


def _no_entry(path: str, parent: list[str], entries: list[Any], part: str) -> str:
    """The message for a list entry that does not exist, with the entries there are."""
    names = [str(e.get("name")) for e in entries if isinstance(e, dict) and "name" in e]
    if parent == ["programs"]:
        return f"{path}: no program design '{part}' (designs: {', '.join(names)})"
    where = ".".join(parent)
    choices = f"by name ({', '.join(names)}) or " if names else ""
    span = f"0 to {len(entries) - 1}" if entries else "none: the list is empty"
    return f"{path}: no entry '{part}' in {where}; name one {choices}by position ({span})"


def _as_lists(data: Any) -> Any:
    """Plain data with every tuple as a list, so that overrides can set entries of lists."""
    if isinstance(data, dict):
        return {key: _as_lists(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [_as_lists(value) for value in data]
    return data


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
