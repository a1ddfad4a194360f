"""Building blocks of scenario sections: a documented field, and the frozen section base.

Every field of a scenario carries a description, a unit and the source of its default (a
DOMAIN fact id, a paper, or an explicitly marked illustrative assumption), so that
``loyalsim schema`` and ``docs/scenario.md`` can show them.
"""

from __future__ import annotations

import difflib
import numbers
import re
import typing
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

ASSUMPTION = "illustrative assumption; calibrate to your own data"


MONEY_LIMIT = 1e12
"""Largest amount of money a scenario field may hold, either sign: a trillion currency units,
beyond any business the model is for, and small enough that sums over a run stay exact to the
cent in 64-bit floats."""

PRICE_LIMIT = 1e9
"""Largest amount of money per unit a scenario field may hold (one basket, a cost per person
reached, per touch or per customer won back, a contribution per customer and period): a billion
currency units, the price of an airliner. Multiplied by :data:`PEOPLE_LIMIT` people and a run's
purchases, sums stay finite."""

PEOPLE_LIMIT = 100_000_000
"""Most people one run may hold (a target market; the customers of a migration matrix over the
run): a hundred million, the adult population of a large country. A run keeps arrays of that
length, so a count beyond it would only exhaust the memory."""

DAYS_LIMIT = 36_500
"""Longest span of days a scenario field may state: a hundred years, the longest horizon."""

POINTS_LIMIT = 1_000_000_000
"""Most points a scenario field may state (a reward's cost, a cap, a bonus): a billion, so that
a member's balance over a whole run stays an exact integer."""

MULTIPLIER_LIMIT = 100.0
"""Largest multiplier a scenario field may state (an earn multiplier, a rung's effect)."""

SHAPE_LIMIT = 1e9
"""Largest parameter of a population's gamma or beta distribution: far past any fitted value,
where the draws are already all at the mean."""

BOUNDS_BY_UNIT: tuple[tuple[str, float], ...] = (
    ("currency", MONEY_LIMIT),
    ("days", DAYS_LIMIT),
    ("day", DAYS_LIMIT),
    ("points", POINTS_LIMIT),
    ("multiplier", MULTIPLIER_LIMIT),
    ("members", PEOPLE_LIMIT),
    ("people", PEOPLE_LIMIT),
    ("customers", PEOPLE_LIMIT),
)
"""The upper bound a number field gets from the first word of its unit when it states none."""


def param(
    default: Any,
    *,
    unit: str,
    source: str,
    description: str,
    **constraints: Any,
) -> Any:
    """A scenario field with its description, unit and the source of its default.

    A number field that states no upper bound gets one from the first word of its unit
    (:data:`BOUNDS_BY_UNIT`): money within :data:`MONEY_LIMIT` (either side), days within
    :data:`DAYS_LIMIT`, points within :data:`POINTS_LIMIT`, multipliers within
    :data:`MULTIPLIER_LIMIT`, and members, people or customers within :data:`PEOPLE_LIMIT`. No
    number a real business states comes near them; past them a run would overflow or exhaust
    the memory.
    """
    is_number = default is None or (
        isinstance(default, int | float) and not isinstance(default, bool)
    )
    first_word = re.match(r"[a-z]*", unit).group(0)
    limit = next((bound for word, bound in BOUNDS_BY_UNIT if first_word == word), None)
    if limit is not None and is_number:
        if first_word == "currency" and "ge" not in constraints and "gt" not in constraints:
            constraints["ge"] = -MONEY_LIMIT
        if "le" not in constraints and "lt" not in constraints:
            constraints["le"] = limit
    return Field(
        default,
        description=description,
        json_schema_extra={"unit": unit, "source": source},
        **constraints,
    )


class Section(BaseModel):
    """Base of every scenario section: immutable, unknown fields are errors, numbers are finite
    and a yes/no value is not a number."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", validate_default=True, allow_inf_nan=False
    )

    @field_validator("*", mode="before")
    @classmethod
    def _numbers_are_not_yes_or_no(cls, value: Any, info: ValidationInfo) -> Any:
        """Refuse ``true``/``false`` where a number is expected (YAML would pass 1 or 0)."""
        field = cls.model_fields.get(info.field_name) if info.field_name else None
        if field is not None and _wants_numbers(field.annotation) and _holds_yes_or_no(value):
            raise ValueError("a number is needed, not a yes/no value")
        return value


def integer_at_least(field: str, value: Any, minimum: int) -> int:
    """``value`` as an ``int`` if it is an integer (not a bool) of at least ``minimum``.

    Raises
    ------
    ValueError
        Naming ``field``, the value and the allowed range.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{field} must be an integer of at least {minimum} (got {value!r})")
    return int(value)


def did_you_mean(name: str, allowed: list[str]) -> str:
    """``"did you mean 'x'? "`` for the allowed name closest to ``name``, or ``""`` when none
    is close (``difflib``'s default similarity of 0.6)."""
    close = difflib.get_close_matches(name, allowed, n=1)
    return f"did you mean '{close[0]}'? " if close else ""


SHOWN_VALUE_LENGTH = 80
"""Most characters of a wrong value that a message repeats: enough to recognise it."""


def shortened(text: str, length: int = SHOWN_VALUE_LENGTH) -> str:
    """``text`` cut to ``length`` characters, saying how much was left out."""
    if len(text) <= length:
        return text
    return f"{text[:length]}... ({len(text) - length:,} more characters)"


def describe_error(
    error: dict[str, Any], fields: list[str] | None = None, bounds: str | None = None
) -> str:
    """One readable line for a pydantic error: field path, message, value and what is allowed.

    Parameters
    ----------
    error
        One entry of ``ValidationError.errors()``.
    fields
        The fields allowed where the error is, named for an unknown field.
    bounds
        The field's allowed range in words, named when the error itself does not give it
        (a number written as text, say).
    """
    path = ".".join(str(p) for p in error["loc"])
    message = error["msg"].removeprefix("Value error, ")
    ctx = error.get("ctx") or {}
    stated = [
        f"{label} {ctx[key]}"
        for key, label in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<"))
        if key in ctx
    ]
    if error["type"] == "extra_forbidden":
        if not fields:
            return f"{path}: unknown field (check the spelling; see `loyalsim schema`)"
        hint = did_you_mean(str(error["loc"][-1]), fields)
        return f"{path}: unknown field; {hint}allowed here: {', '.join(fields)}"
    if error["type"] == "missing":
        return f"{path}: required field is missing"
    value = error.get("input")
    shown = "" if isinstance(value, dict) else f" (got {shortened(repr(value))})"
    if stated:
        allowed = f"; allowed: {' and '.join(stated)}"
    elif bounds:
        allowed = f"; allowed: {bounds}"
    else:
        allowed = ""
    if not path:  # a whole-scenario check: its message names the fields
        return message
    return f"{path}: {message}{shown}{allowed}"


CALIBRATED_L4 = (
    "calibrated so the bundled coffee-shop scenario reproduces the DOMAIN L4 loss shares"
)
"""Source note of the defaults tuned so the default run loses customers in the L4 shares."""


def _wants_numbers(annotation: Any) -> bool:
    """Whether a field holds numbers (``float``, ``int | None``, ``tuple[int, ...]``,
    ``dict[str, float]``) and not yes/no values."""
    if annotation is bool:
        return False
    if annotation in (int, float):
        return True
    if isinstance(annotation, type):
        return False
    args = typing.get_args(annotation)
    return bool(args) and bool not in args and any(_wants_numbers(a) for a in args)


def _holds_yes_or_no(value: Any) -> bool:
    """Whether ``value`` is, or contains, a ``bool``."""
    if isinstance(value, bool):
        return True
    if isinstance(value, list | tuple):
        return any(_holds_yes_or_no(v) for v in value)
    if isinstance(value, dict):
        return any(_holds_yes_or_no(v) for v in value.values())
    return False
