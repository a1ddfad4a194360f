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
