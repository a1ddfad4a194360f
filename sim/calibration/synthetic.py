"""Transaction logs the engine writes itself, for students, tests and benchmarks.

A cohort is replayed through the engine's pure-Python shop (``compiled=False``, the path the
compiled step is checked against), and every purchase is written down as it is booked: the
customer, the date and the amount paid. With a scenario whose modulations are all off, each
customer follows exactly the BG/NBD (or MBG/NBD) traits the scenario states, so a fit to the log
can be checked against the values that made it.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from sim.calibration.cohort import ARRIVAL_TIME_OF_DAY, replay_model, replay_scenario
from sim.engine.model import AgentModel
from sim.scenario import Scenario

START = dt.date(2024, 1, 1)
"""Day 0 of a written log."""


def transaction_log(
    scenario: Scenario,
    customers: int,
    arrival_days: int,
    seed: int = 0,
    start: dt.date = START,
) -> pd.DataFrame:
    """A transaction log of ``customers`` people who first buy over the first ``arrival_days``
    days, and then as the scenario's customers do up to its horizon.

    Parameters
    ----------
    scenario
        Whose customers to follow; its horizon is the log's length. Marketing, programs and
        bankruptcy are left out, as in a replay (``sim.calibration.cohort.replay_scenario``).
    customers
        People in the cohort.
    arrival_days
        Their first purchases fall on days drawn uniformly from ``0 .. arrival_days - 1``.
    seed
        Seed of the first days and of the run.
    start
        The date of day 0.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``date`` (ISO text), ``amount``: one row per purchase.
    """
    horizon = scenario.horizon_days
    rng = np.random.default_rng(seed)
    first = np.sort(rng.integers(0, arrival_days, customers)).astype(float)
    model = replay_model(
        replay_scenario(scenario, horizon),
        first + ARRIVAL_TIME_OF_DAY,
        seed,
        compiled=False,  # the Python shop, whose purchases can be written down one by one
    )
    rows: list[tuple[int, float, float]] = []
    book = model.shop.purchase

    def write_down(c, now):
        paid = book(c, now)
        if int(now) < horizon:
            rows.append((c.id, now, paid))
        return paid

    model.shop.purchase = write_down
    model.run()
    ids, times, amounts = (np.asarray(x) for x in zip(*rows, strict=True))
    return pd.DataFrame(
        {
            "customer_id": [f"c{i:06d}" for i in ids],
            "date": [(start + dt.timedelta(days=int(t))).isoformat() for t in times],
            "amount": np.round(amounts, 2),
        }
    )


def pilot_table(
    scenario: Scenario, program: str, launch_day: int, window_days: int, seed: int = 0
) -> pd.DataFrame:
    """A pilot of ``program`` written by the engine: the table ``sim.calibration.pilot`` reads.

    The treated group is the scenario's customers in a run with the design launched on
    ``launch_day``; the control group those of a run without it on the next seed, another draw
    of the same market (a random assignment). Each group holds the customers who bought before
    the launch, with their visits and spend in the ``window_days`` before it and after it,
    whether (and on which day of the window) a treated customer joined, and whether they
    bought in the window's last third (``active_at_end``). Runs use the Python shop, whose
    purchases can be written down one by one; the run ends with the window.
    """
    horizon = launch_day + window_days
    base = scenario.with_overrides(
        {"horizon_days": horizon, f"programs.{program}.launch_day": launch_day}
    )
    parts = []
    for group, active, run_seed in (("treated", program, seed), ("control", "none", seed + 1)):
        model = AgentModel(
            base.with_overrides({"active_program": active}), run_seed, compiled=False
        )
        rows: list[tuple[int, float, float]] = []
        book = model.shop.purchase

        def write_down(c, now, rows=rows, book=book):
            paid = book(c, now)
            rows.append((c.id, now, paid))
            return paid

        model.shop.purchase = write_down
        model.run()
        log = pd.DataFrame(rows, columns=["id", "day", "paid"])
        before = log[(log["day"] >= launch_day - window_days) & (log["day"] < launch_day)]
        during = log[log["day"] >= launch_day]
        last = during[during["day"] >= horizon - window_days / 3]
        known = sorted(set(log.loc[log["day"] < launch_day, "id"]))
        table = pd.DataFrame({"customer": [f"{group[0]}{i:06d}" for i in known]}, index=known)
        table["group"] = group
        members = {c.id: c.member.joined for c in model.customers if c.member is not None}
        members.update({i: m.joined for i, m in getattr(model.program, "memberships", {}).items()})
        table["joined"] = [int(i in members) for i in known]
        table["joined_day"] = [
            max(0.0, members[i] - launch_day) if i in members else np.nan for i in known
        ]
        table["visits_before"] = before.groupby("id").size().reindex(known, fill_value=0)
        table["visits_during"] = during.groupby("id").size().reindex(known, fill_value=0)
        table["spend_before"] = before.groupby("id")["paid"].sum().reindex(known, fill_value=0)
        table["spend_during"] = during.groupby("id")["paid"].sum().reindex(known, fill_value=0)
        table["active_at_end"] = [int(i in set(last["id"])) for i in known]
        parts.append(table.reset_index(drop=True))
    return pd.concat(parts, ignore_index=True)
