"""Readable scenario errors: which field, what was given, what is allowed."""

from __future__ import annotations

import re
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from sim.scenario.scenario import Scenario


class ScenarioError(ValueError):
    """A scenario that cannot be used; ``problems`` holds one readable line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("invalid scenario:\n" + "\n".join(f"  - {p}" for p in problems))


def _path_in_message(message: str) -> tuple[str, ...]:
    """The field a whole-scenario check names at the start of its message, as a path."""
    found = re.match(r"(?:Value error, )?([a-z_]+(?:\.[a-z_]+)*)", message)
    return tuple(found.group(1).split(".")) if found else ()


def allowed_fields(loc: tuple[str | int, ...]) -> list[str] | None:
    """The field names allowed in the section at ``loc`` (``None``: not a section).

    Follows the scenario's model classes through optional values, tuples (a list's index)
    and mappings (a key), so an unknown field can be answered with the ones that exist.
    """
    kind = _unwrap(_kind_at(loc))
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return list(kind.model_fields)
    return None


def _bounds(loc: tuple[str | int, ...]) -> dict[str, float]:
    """The bounds (``ge``, ``gt``, ``le``, ``lt``) of the number field at ``loc``."""
    if not loc:
        return {}
    section = _unwrap(_kind_at(loc[:-1]))
    if not (isinstance(section, type) and issubclass(section, BaseModel)):
        return {}
    field = section.model_fields.get(str(loc[-1]))
    if field is None:
        return {}
    return {
        key: getattr(bound, key)
        for bound in field.metadata
        for key in ("ge", "gt", "le", "lt")
        if getattr(bound, key, None) is not None
    }


def allowed_range(loc: tuple[str | int, ...]) -> str | None:
    """The bounds of the number field at ``loc`` in words (``">= 0 and <= 1"``), if any."""
    labels = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<"}
    words = [f"{labels[key]} {value}" for key, value in _bounds(loc).items()]
    return " and ".join(words) or None


def field_info(path: str) -> Any:
    """The pydantic ``FieldInfo`` of the scenario field at dotted ``path`` (its description,
    and its unit and source in ``json_schema_extra``); ``KeyError`` if there is none."""
    parts = tuple(path.split("."))
    section = _unwrap(_kind_at(parts[:-1]))
    if not (isinstance(section, type) and issubclass(section, BaseModel)):
        raise KeyError(path)
    return section.model_fields[parts[-1]]


def field_limits(path: str) -> tuple[float, float]:
    """The lowest and highest value the number field at dotted ``path`` allows (infinite
    where it is not bounded), for clipping an estimate into what a scenario accepts."""
    bounds = _bounds(tuple(path.split(".")))
    low = bounds.get("ge", bounds.get("gt", -float("inf")))
    high = bounds.get("le", bounds.get("lt", float("inf")))
    return float(low), float(high)


def _kind_at(loc: tuple[str | int, ...]) -> Any:
    """The annotated type at ``loc`` in the scenario's models (``None``: no such place)."""
    kind: Any = Scenario
    for part in loc:
        kind = _unwrap(kind)
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            field = kind.model_fields.get(str(part))
            if field is None:
                return None
            kind = field.annotation
        elif get_origin(kind) in (tuple, list, dict):
            kind = get_args(kind)[-1 if get_origin(kind) is dict else 0]
        else:
            return None
    return kind


def _unwrap(kind: Any) -> Any:
    """``X | None`` and ``Annotated[X, ...]`` as ``X``."""
    while True:
        origin = get_origin(kind)
        if origin is Annotated:
            kind = get_args(kind)[0]
            continue
        args = [a for a in get_args(kind) if a is not type(None)]
        if origin in (Union, UnionType) and len(args) == 1:
            kind = args[0]
            continue
        return kind
