"""Building blocks of scenario sections: a documented field, and the frozen section base.

Every field of a scenario carries a description, a unit and the source of its default (a
DOMAIN fact id, a paper, or an explicitly marked illustrative assumption), so that
``loyalsim schema`` and ``docs/scenario.md`` can show them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

ASSUMPTION = "illustrative assumption; calibrate to your own data"


def param(
    default: Any,
    *,
    unit: str,
    source: str,
    description: str,
    **constraints: Any,
) -> Any:
    """A scenario field with its description, unit and the source of its default."""
    return Field(
        default,
        description=description,
        json_schema_extra={"unit": unit, "source": source},
        **constraints,
    )


class Section(BaseModel):
    """Base of every scenario section: immutable, and unknown fields are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)


def describe_error(error: dict[str, Any]) -> str:
    """One readable line for a pydantic error: field path, message, value and allowed range."""
    path = ".".join(str(p) for p in error["loc"]) or "(scenario)"
    message = error["msg"].removeprefix("Value error, ")
    ctx = error.get("ctx") or {}
    bounds = [
        f"{label} {ctx[key]}"
        for key, label in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<"))
        if key in ctx
    ]
    if error["type"] == "extra_forbidden":
        return f"{path}: unknown field (check the spelling; see `loyalsim schema`)"
    value = error.get("input")
    shown = "" if isinstance(value, dict) else f" (got {value!r})"
    allowed = f"; allowed: {' and '.join(bounds)}" if bounds else ""
    return f"{path}: {message}{shown}{allowed}"
