"""Shared fixtures: small scenarios that simulate in well under a second."""

from __future__ import annotations

import os
import typing
from collections.abc import Iterator

import pytest
from pydantic import BaseModel
from pydantic.fields import FieldInfo

import sim

ONES = {s: 1.0 for s in ("shopper", "customer", "member", "advocate", "raving_fan")}
NEUTRAL = {
    "product": {"price_level": 1.0, "service_failure_rate": 0.0, "quality_sd": 0.0},
    "behaviour": {
        "frequency_satisfaction_sensitivity": 0,
        "frequency_relationship_sensitivity": 0,
        "dropout_satisfaction_sensitivity": 0,
        "dropout_relationship_sensitivity": 0,
    },
    "life_events": {
        "needs_changed_per_year": 0,
        "moved_away_per_year": 0,
        "went_bankrupt_per_year": 0,
    },
    "competition": {"offers_per_year": 0},
    "win_back": {"rate_per_year": 0},
    "ladder": {
        "spend_multiplier": ONES,
        "frequency_multiplier": ONES,
        "dropout_multiplier": ONES,
    },
}
"""Every modulation of the customer layer off: the plain buy-till-you-die model, whose closed
forms the engine must reproduce (test_closed_forms.py) and whose traits a calibration must
recover (test_calibration_fit.py)."""


def small_scenario(horizon_days: int = 200, **sections) -> sim.Scenario:
    """A small coffee-shop-like scenario; keyword arguments replace whole sections' fields."""
    data = {
        "name": "small test shop",
        "horizon_days": horizon_days,
        "market": {
            "size": 2000,
            "reach_rate_per_year": 1.0,
            "first_purchase_probability": 0.4,
            "initial_customers": 150,
        },
        "customers": {
            "purchase_rate_shape": 1.5,
            "purchase_rate_alpha_days": 10.0,
            "dropout_a": 1.0,
            "dropout_b": 20.0,
            "basket_mean": 6.0,
        },
        "business": {"fixed_costs_per_month": 3000, "starting_cash": 10000},
    }
    for section, fields in sections.items():
        if isinstance(fields, dict):
            data.setdefault(section, {}).update(fields)
        else:
            data[section] = fields
    return sim.scenario_from_dict(data)


SMALL_MATRIX_LADDER = {
    "mode": "matrix",
    "migration": {
        "period_days": 30,
        "matrix": {"customer": {"customer": 0.8, "lost": 0.2}},
        "contribution": {"customer": 10},
        "initial": {"customer": 100},
    },
}
"""A one-rung migration-matrix ladder: 100 customers, 80% kept each 30 days, 10 each."""


@pytest.fixture
def small() -> sim.Scenario:
    return small_scenario()


@pytest.fixture(scope="session")
def coffee_shop() -> sim.Scenario:
    """The bundled default scenario (tests run from the repository root, as CI does)."""
    return sim.load_scenario("scenarios/coffee_shop.yaml")


def section_model(annotation: object) -> type[BaseModel] | None:
    """The section class behind a field's annotation (``Market``, ``Migration | None``,
    ``tuple[Tier, ...]``)."""
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def all_fields(
    model: type[BaseModel] = sim.Scenario, prefix: str = "", list_marker: str = ""
) -> Iterator[tuple[str, FieldInfo]]:
    """Every field of the scenario as (dotted path, field info), nested sections included.

    ``list_marker`` is appended to a field that holds a list of sections (``"[0]"``: its first
    entry), so that a path can say where a list stands.
    """
    for name, info in model.model_fields.items():
        path = prefix + name
        yield path, info
        child = section_model(info.annotation)
        if child is not None:
            many = typing.get_origin(info.annotation) in (tuple, list)
            marker = list_marker if many else ""
            yield from all_fields(child, f"{path}{marker}.", list_marker)


RESULT_TABLES = ("daily", "customers", "ledger", "movements")


def python_and_compiled(scenario: sim.Scenario, seed: int, monkeypatch) -> tuple:
    """The run of ``scenario`` through the Python handlers (``LOYALSIM_COMPILED=0``) and through
    the compiled step, as ``(python, compiled)``."""
    runs = []
    for flag in ("0", "1"):
        monkeypatch.setenv("LOYALSIM_COMPILED", flag)
        runs.append(sim.simulate(scenario, seed))
    return tuple(runs)


def assert_same_results(got, want) -> None:
    """Every result table and the summary identical, float bits included."""
    import pandas as pd

    for name in RESULT_TABLES:
        pd.testing.assert_frame_equal(
            getattr(got, name), getattr(want, name), check_exact=True, obj=name
        )
    assert repr(got.summary) == repr(want.summary)  # repr: NaN equals NaN, bits exact


def process_running(pid: int) -> bool:
    """Whether the process ``pid`` still runs (an exited zombie, waiting to be reaped, does
    not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:  # no /proc: the signal was delivered, so it runs
        return True
