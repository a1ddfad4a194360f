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
    scenario: Scenario,
    program: str,
    launch_day: int,
    window_days: int,
    seed: int = 0,
    treated_share: float = 0.5,
) -> pd.DataFrame:
    """A pilot of ``program`` written by the engine: the table ``sim.calibration.pilot`` reads.

    One run of the scenario's market with the design launched on ``launch_day``, in which the
    customers who bought before the launch are split at random: the treated group is offered
    the program, the control group never is (newcomers during the pilot are offered it and are
    not in the table), as a pilot randomised by customer within one market is run. Each row
    holds a customer's visits and spend in the ``window_days`` before the launch and after it,
    whether (and on which day of the window) a treated customer joined, and whether they bought
    in the last third of each window (``active_before``, ``active_at_end``). The run uses the
    Python shop, whose purchases can be written down one by one, and ends with the window.

    Parameters
    ----------
    scenario, program
        The market, and the design piloted in it.
    launch_day, window_days
        Day of the offer and the length of each window.
    seed
        Seed of the run and of the split.
    treated_share
        Share of the known customers offered the program.
    """
    horizon = launch_day + window_days
    base = scenario.with_overrides(
        {
            "horizon_days": horizon,
            f"programs.{program}.launch_day": launch_day,
            "active_program": program,
        }
    )
    model = AgentModel(base, seed, compiled=False)
    draws: dict[int, bool] = {}

    def is_treated(i: int) -> bool:  # each customer's own draw, whatever the order of events
        if i not in draws:
            draws[i] = bool(np.random.default_rng([seed, 1, i]).uniform() < treated_share)
        return draws[i]

    offer = model.program.offer

    def offer_to_treated(c, stage, now):
        return offer(c, stage, now) if is_treated(c.id) else None

    model.program.offer = offer_to_treated
    rows: list[tuple[int, float, float]] = []
    book = model.shop.purchase

    def write_down(c, now):
        paid = book(c, now)
        rows.append((c.id, now, paid))
        return paid

    model.shop.purchase = write_down
    model.run()
    log = pd.DataFrame(rows, columns=["id", "day", "paid"])
    before = log[(log["day"] >= launch_day - window_days) & (log["day"] < launch_day)]
    during = log[log["day"] >= launch_day]
    last_before = before[before["day"] >= launch_day - window_days / 3]
    last = during[during["day"] >= horizon - window_days / 3]
    known = np.array(sorted(set(log.loc[log["day"] < launch_day, "id"])))
    treated = np.array([is_treated(int(i)) for i in known], dtype=bool)
    members = {i: m.joined for i, m in model.program.memberships.items()}
    table = pd.DataFrame(
        {
            "customer": [f"c{i:06d}" for i in known],
            "group": np.where(treated, "treated", "control"),
            "joined": [int(i in members) for i in known],
            "joined_day": [
                max(0.0, members[i] - launch_day) if i in members else np.nan for i in known
            ],
        },
        index=known,
    )
    table["visits_before"] = before.groupby("id").size().reindex(known, fill_value=0)
    table["visits_during"] = during.groupby("id").size().reindex(known, fill_value=0)
    table["spend_before"] = before.groupby("id")["paid"].sum().reindex(known, fill_value=0)
    table["spend_during"] = during.groupby("id")["paid"].sum().reindex(known, fill_value=0)
    table["active_before"] = np.isin(known, last_before["id"].unique()).astype(int)
    table["active_at_end"] = np.isin(known, last["id"].unique()).astype(int)
    return table.reset_index(drop=True)
