"""Across replications: quantile bands of every daily series, and intervals of every summary
figure."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

from sim.experiments.estimates import mean_interval
from sim.experiments.runner import LABELS
from sim.experiments.store import Store

_STOCK_PREFIXES = ("n_", "share_")
_STOCKS = {
    "pool",
    "agents",
    "cash",
    "nps",
    "retention_rate_30d",
    "members",
    "points_outstanding",
    "surveyed",
    "promoters",
    "passives",
    "detractors",
}


def is_stock(column: str) -> bool:
    """Whether a daily column is a level (kept after a bankruptcy) rather than a daily flow.

    A business that went bankrupt stops trading: its flows are zero from then on and its
    levels (cash, customers per rung, liabilities) stay where they were, so that bands across
    replications cover the whole horizon.
    """
    return (
        column in _STOCKS or column.startswith(_STOCK_PREFIXES) or column.endswith("_outstanding")
    )


def band_name(q: float) -> str:
    """Column name of a quantile band: ``q05`` for 0.05, ``q50`` for 0.5, ``q02.5`` for 0.025."""
    return "q" + f"{100 * q:05.2f}".rstrip("0").rstrip(".")


def daily_bands(
    store: Store, horizon: int, quantiles: Sequence[float], by: str | None
) -> pd.DataFrame:
    """Quantile bands and mean of every daily series across replications.

    Read one column at a time from the collected daily table, so memory holds one series of
    every replication at once, never the whole table.

    Returns
    -------
    DataFrame
        Tidy: ``[by,] series, day, mean, q05, q25, ...`` (quantile columns named by percent).
    """
    keys = ["replication"] if by is None else [by, "replication"]
    index = store.daily_columns([*keys, "day"])
    columns = [c for c in store.daily_schema() if c not in LABELS]
    names = [band_name(q) for q in quantiles]
    frames = []
    groups = [(None, np.arange(len(index)))]
    if by is not None:
        groups = list(index.groupby(by, sort=False).indices.items())
    layouts = [
        (
            group,
            rows,
            _RunsByDays(
                index["replication"].to_numpy()[rows], index["day"].to_numpy()[rows], horizon
            ),
        )
        for group, rows in groups
    ]
    del index
    for column in columns:
        values = store.daily_column(column)
        for group, rows, layout in layouts:
            matrix = layout.matrix(values[rows], is_stock(column))
            mean, qs = column_quantiles(matrix, quantiles)
            frame = pd.DataFrame({"series": column, "day": np.arange(horizon), "mean": mean})
            for name, row in zip(names, qs, strict=True):
                frame[name] = row
            if by is not None:
                frame.insert(0, by, group)
            frames.append(frame)
    pa.default_memory_pool().release_unused()
    return pd.concat(frames, ignore_index=True)


def column_quantiles(
    matrix: np.ndarray, quantiles: Sequence[float]
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and quantiles of each column of ``matrix``, ignoring NaNs (linear interpolation,
    numpy's default method); NaN where a column has no value. One sort of the matrix."""
    ordered = np.sort(matrix, axis=0)  # NaNs last
    count = (~np.isnan(matrix)).sum(axis=0)
    columns = np.arange(matrix.shape[1])
    out = np.full((len(quantiles), matrix.shape[1]), np.nan)
    present = count > 0
    for i, q in enumerate(quantiles):
        position = q * np.maximum(count - 1, 0)
        below = np.floor(position).astype(int)
        above = np.minimum(below + 1, np.maximum(count - 1, 0))
        weight = position - below
        value = ordered[below, columns] * (1 - weight) + ordered[above, columns] * weight
        out[i, present] = value[present]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(present, np.nansum(matrix, axis=0) / np.maximum(count, 1), np.nan)
    return mean, out


class _RunsByDays:
    """Where each row of a daily column goes in a replications-by-days matrix."""

    def __init__(self, replication: np.ndarray, day: np.ndarray, horizon: int):
        runs, self.position = np.unique(replication, return_inverse=True)
        self.day = day.astype(int)
        self.horizon = horizon
        self.last = np.full(len(runs), -1)
        np.maximum.at(self.last, self.position, self.day)
        self.stopped = np.arange(horizon) > self.last[:, None]  # days after a run stopped

    def matrix(self, values: np.ndarray, stock: bool) -> np.ndarray:
        """The matrix; days after a run stopped (bankruptcy) hold the last level of a stock or
        zero for a flow. Gaps inside a run (an NPS on a day nobody answered) stay empty."""
        matrix = np.full((len(self.last), self.horizon), np.nan)
        matrix[self.position, self.day] = values
        if stock:
            fill = matrix[np.arange(len(self.last)), np.maximum(self.last, 0)][:, None]
        else:
            fill = 0.0
        return np.where(self.stopped, fill, matrix)


def _runs_by_days(
    replication: np.ndarray, day: np.ndarray, values: np.ndarray, horizon: int, stock: bool
) -> np.ndarray:
    """A replications-by-days matrix of one daily column (see ``_RunsByDays.matrix``)."""
    return _RunsByDays(replication, day, horizon).matrix(values, stock)


def summary_estimates(summary: pd.DataFrame, confidence: float) -> pd.DataFrame:
    """Mean and confidence interval of every numeric summary figure (one row per figure).

    ``retention_rate`` counts a bankrupt run as 0, as every experiment does
    (:func:`retention_rates`).
    """
    rows = []
    for column in summary.columns:
        if column in LABELS:
            continue
        if column == "retention_rate" and "bankrupt" in summary:
            values = retention_rates(summary)
        else:
            values = pd.to_numeric(summary[column], errors="coerce").to_numpy(dtype=float)
        e = mean_interval(values, confidence)
        rows.append(
            {"figure": column, "mean": e.mean, "low": e.low, "high": e.high, "sd": e.sd, "n": e.n}
        )
    return pd.DataFrame(rows)


def summary_column(frame: pd.DataFrame, column: str, missing: float = 0.0) -> np.ndarray:
    """A summary column as floats; ``missing`` everywhere when the arm has no such figure
    (a cost account of a program that is not in place is zero). Empty values stay NaN, so
    that intervals leave them out rather than count them as zero."""
    if column not in frame:
        return np.full(len(frame), missing)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)


def retention_rates(frame: pd.DataFrame) -> np.ndarray:
    """Each run's ``retention_rate``, with 0 for a run that went bankrupt (it stopped trading, so
    it kept nobody to the end of the window, however high its rate over the days it traded);
    other empty rates stay NaN.

    The one rule by which every experiment reports retention: ``replicate`` and ``compare``
    estimate from these rates, ``compare`` pairs them, ``sweep`` and ``sensitivity`` report
    them.

    Parameters
    ----------
    frame
        Summary rows with ``retention_rate`` and ``bankrupt``.

    Returns
    -------
    ndarray
        One rate per row, as floats.
    """
    rate = summary_column(frame, "retention_rate").copy()
    bankrupt = summary_column(frame, "bankrupt") > 0
    rate[bankrupt] = 0.0
    return rate
