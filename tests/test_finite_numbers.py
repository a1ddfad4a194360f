"""No number field of a scenario accepts NaN, infinity or a yes/no value, and money is bounded.

A NaN or an infinite value used to pass validation, simulate, and then crash the report while
formatting money; every number field now refuses them with a message naming the field. The
walk covers every float field of every section, program designs included.
"""

from __future__ import annotations

import math
import typing

import pytest
from conftest import all_fields, section_model

from sim.scenario import ScenarioError, scenario_from_dict
from sim.scenario.fields import MONEY_LIMIT


def number_fields(kinds: tuple[type, ...]) -> list[str]:
    """Dotted paths of every field of ``kinds`` (optional ones too), nested sections included;
    ``name[0]`` is the first entry of a list of sections."""
    return sorted(
        path
        for path, info in all_fields(list_marker="[0]")
        if section_model(info.annotation) is None
        and any(k in (info.annotation, *typing.get_args(info.annotation)) for k in kinds)
    )


def scenario_with(path: str, value: float) -> dict:
    """A minimal scenario with the field at ``path`` set (inside a design for ``programs``;
    ``name[0]`` is the first entry of a list of sections)."""
    parts = path.split(".")
    data: dict = {"name": "finite numbers"}
    if parts[0] == "programs[0]":
        design: dict = {"name": "design"}
        data["programs"] = [design]
        node, parts = design, parts[1:]
    else:
        node = data
    for part in parts[:-1]:
        if part.endswith("[0]"):
            node = node.setdefault(part[:-3], [{}])[0]
        else:
            node = node.setdefault(part, {})
    node[parts[-1]] = value
    return data


FLOAT_FIELDS = number_fields((float,))


def test_the_walk_finds_fields_of_every_kind_of_section():
    assert len(FLOAT_FIELDS) > 100
    for path in ("business.starting_cash", "programs[0].points.points_per_currency"):
        assert path in FLOAT_FIELDS


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_no_float_field_accepts_nan_or_infinity(value):
    accepted = []
    for path in FLOAT_FIELDS:
        try:
            scenario_from_dict(scenario_with(path, value))
        except ScenarioError as err:
            name = path.rsplit(".", 1)[-1]  # the message names it by position: programs.0...
            assert any(name in problem for problem in err.problems), (path, err.problems)
        else:
            accepted.append(path)
    assert accepted == []


def test_money_is_bounded_either_side_unless_a_field_says_otherwise():
    for value in (MONEY_LIMIT * 2, -MONEY_LIMIT * 2):
        with pytest.raises(ScenarioError, match=r"business\.starting_cash"):
            scenario_from_dict(scenario_with("business.starting_cash", value))
    scenario_from_dict(scenario_with("business.starting_cash", -MONEY_LIMIT))


NUMBER_FIELDS = number_fields((float, int))


def test_no_number_field_takes_a_yes_or_no_value():
    """YAML's ``true`` would otherwise pass as 1 (``customers.dropout_a: true``)."""
    assert len(NUMBER_FIELDS) > len(FLOAT_FIELDS)
    accepted = []
    for path in NUMBER_FIELDS:
        try:
            scenario_from_dict(scenario_with(path, True))
        except ScenarioError as err:
            name = path.rsplit(".", 1)[-1]
            assert any(name in problem for problem in err.problems), (path, err.problems)
        else:
            accepted.append(path)
    assert accepted == []
    with pytest.raises(ScenarioError, match="yes/no"):
        scenario_from_dict(scenario_with("competition.scheduled_offer_days", [3, True]))
    with pytest.raises(ScenarioError, match="yes/no"):
        scenario_from_dict(scenario_with("ladder.spend_multiplier", {"customer": True}))
