"""Scenarios for calibration tests: the customer layer alone, or with everything on."""

from __future__ import annotations

from conftest import NEUTRAL

import sim


def neutral_scenario(customers: dict, horizon: int) -> sim.Scenario:
    """A scenario whose customers follow ``customers`` and nothing else (word of mouth off
    too: a replay's customers must not win each other back)."""
    return sim.scenario_from_dict(
        {
            **NEUTRAL,
            "word_of_mouth": {"enabled": False},
            "horizon_days": horizon,
            "customers": customers,
        }
    )


def full_scenario(customers: dict, horizon: int) -> sim.Scenario:
    """The default scenario (every cause of loss and modulation on) with ``customers``."""
    return sim.scenario_from_dict({"horizon_days": horizon, "customers": customers})
