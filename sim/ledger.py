"""The ledger: every amount of money, posted to a named account by day; cash is derived.

Amounts are signed cash flows: income positive, costs negative. Cash at the end of a day is the
starting cash plus every amount posted up to and including that day; it is never kept apart
from the postings. When cash falls below ``-credit_line`` the business is bankrupt (DOMAIN E7).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

ACCOUNTS: tuple[str, ...] = (
    "revenue",
    "contribution",
    "cost_of_goods",
    "marketing",
    "win_back_offers",
    "communication",
    "service_recovery",
    "fixed_costs",
)
"""Ledger accounts, income first. ``contribution`` holds the per-period contribution margins
of migration-matrix mode, which has no separate revenue and cost of goods."""

(
    REVENUE,
    CONTRIBUTION,
    COST_OF_GOODS,
    MARKETING,
    WIN_BACK_OFFERS,
    COMMUNICATION,
    SERVICE_RECOVERY,
    FIXED_COSTS,
) = range(len(ACCOUNTS))


class Ledger:
    """Append-only daily amounts per account.

    Parameters
    ----------
    days
        Number of days that can be posted to (day indices ``0 .. days-1``).
    starting_cash
        Cash before day 0.
    credit_line
        How far below zero cash may fall before the business is bankrupt.
    """

    def __init__(self, days: int, starting_cash: float, credit_line: float):
        self.days = days
        self.starting_cash = float(starting_cash)
        self.credit_line = float(credit_line)
        self.amounts: list[list[float]] = [[0.0] * days for _ in ACCOUNTS]
        self._closed_cash = self.starting_cash
        self._closed_days = 0

    def post(self, day: int, account: int, amount: float) -> None:
        """Add a signed amount to an account on a day (days past the end are ignored)."""
        if day < self.days:
            self.amounts[account][day] += amount

    def close_day(self, day: int) -> float:
        """Cash at the end of ``day``, derived from the postings; days must close in order."""
        if day != self._closed_days:
            raise ValueError(f"days close in order: expected {self._closed_days}, got {day}")
        self._closed_cash += sum(column[day] for column in self.amounts)
        self._closed_days += 1
        return self._closed_cash

    def is_bankrupt(self, cash: float) -> bool:
        """Whether a cash level is below the credit line."""
        return cash < -self.credit_line

    def matrix(self, days: int | None = None) -> np.ndarray:
        """Amounts as a ``days x accounts`` array."""
        n = self.days if days is None else days
        return np.array([column[:n] for column in self.amounts], dtype=float).T

    def cash(self, days: int | None = None) -> np.ndarray:
        """Cash at the end of each day, derived from the postings."""
        return self.starting_cash + np.cumsum(self.matrix(days).sum(axis=1))

    def table(self, days: int | None = None) -> pd.DataFrame:
        """Tidy table: one row per day and account with its amount (currency)."""
        m = self.matrix(days)
        n = m.shape[0]
        return pd.DataFrame(
            {
                "day": np.repeat(np.arange(n), len(ACCOUNTS)),
                "account": pd.Categorical(np.tile(ACCOUNTS, n), categories=list(ACCOUNTS)),
                "amount": m.reshape(-1),
            }
        )
