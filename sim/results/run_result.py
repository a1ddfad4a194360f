"""RunResult: the tidy tables of one replication, and the columns every run's daily table has.

Tables (units in ``docs/model.md``):

* ``daily``: one row per simulated day (counts at the end of the day, flows during it, money);
* ``customers``: one row per agent;
* ``ledger``: one row per day and account;
* ``movements``: one row per move on the ladder, with its cause;
* ``summary``: a flat dict of headline figures; ``bankrupt_day``: day or None.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.rules.ladder import LOST, rung_names, slug
from sim.scenario import Scenario


@dataclass
class RunResult:
    """Everything one replication produced. Same scenario and seed give identical tables."""

    scenario: Scenario
    seed: int
    daily: pd.DataFrame
    customers: pd.DataFrame
    ledger: pd.DataFrame
    movements: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)
    bankrupt_day: int | None = None

    @property
    def rungs(self) -> list[str]:
        """Rung names of the scenario's ladder, lowest first."""
        return rung_names(self.scenario.ladder.stage_names())

    def tables(self) -> dict[str, pd.DataFrame]:
        """The result tables by name."""
        return {
            "daily": self.daily,
            "customers": self.customers,
            "ledger": self.ledger,
            "movements": self.movements,
            "summary": pd.DataFrame([flatten(self.summary)]),
        }

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write every table as CSV and Parquet into ``out_dir``; returns the paths written."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for name, table in self.tables().items():
            csv_path = out / f"{name}.csv"
            parquet_path = out / f"{name}.parquet"
            table.to_csv(csv_path, index=False)
            table.to_parquet(parquet_path, index=False)
            written += [csv_path, parquet_path]
        return written


def flatten(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flatten nested dicts with dotted keys: ``{"a": {"b": 1}} -> {"a.b": 1}``."""
    out: dict[str, Any] = {}
    for key, value in d.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, name + "."))
        else:
            out[name] = value
    return out


def stage_columns(scenario: Scenario, counts: np.ndarray) -> dict[str, np.ndarray]:
    """Per-rung count columns ``n_<rung>`` (merged stages summed) plus ``n_lost``.

    ``counts`` has one column per state of ``ALL_STATES`` (suspect first, lost last).
    """
    names = scenario.ladder.stage_names()
    columns: dict[str, np.ndarray] = {}
    for i, name in enumerate(names):
        key = f"n_{slug(name)}"
        columns[key] = columns.get(key, 0) + counts[:, i]
    columns["n_lost"] = counts[:, LOST]
    return columns
