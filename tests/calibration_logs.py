"""Scenarios for calibration tests: the customer layer alone, with every modulation off."""

from __future__ import annotations

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
    "word_of_mouth": {"enabled": False},
}
"""Every modulation of the customer layer off: the plain buy-till-you-die model."""


def neutral_scenario(customers: dict, horizon: int) -> sim.Scenario:
    """A scenario whose customers follow ``customers`` and nothing else."""
    return sim.scenario_from_dict(
        {**NEUTRAL, "horizon_days": horizon, "customers": customers}
    )


def full_scenario(customers: dict, horizon: int) -> sim.Scenario:
    """The default scenario (every cause of loss and modulation on) with ``customers``."""
    return sim.scenario_from_dict({"horizon_days": horizon, "customers": customers})
