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
    "membership_fees",
    "breakage",
    "cost_of_goods",
    "discounts",
    "reward_cost",
    "prizes_and_perks",
    "referral_rewards",
    "revenue_share",
    "program_costs",
    "marketing",
    "win_back_offers",
    "communication",
    "service_recovery",
    "fixed_costs",
    "points_liability",
    "fee_deferral",
    "revenue_share_payable",
)
"""Ledger accounts: income, then costs, then the balance-sheet movements of program liabilities.

* ``revenue`` is booked at list price, net of the part of a payment deferred for the points it
  earned and plus the deferred revenue recognised when points are redeemed (IFRS 15, see
  ``sim.money.liability``); ``discounts`` is the contra account of price reductions;
* ``contribution`` holds the per-period contribution margins of migration-matrix mode, which has
  no separate revenue and cost of goods;
* ``breakage`` is deferred points revenue recognised as points expire or are forfeited;
  ``membership_fees`` are paid fees recognised day by day over their period;
* ``points_liability``, ``fee_deferral`` and ``revenue_share_payable`` are not income or cost:
  they are cash received but not yet earned (points, fees; partner payments for points land in
  ``points_liability`` too) or cost owed but not yet paid (a revenue share). Their running sums
  are the liabilities outstanding. Cash counts every account; profit counts all but these.
"""

LIABILITIES: tuple[str, ...] = ("points_liability", "fee_deferral", "revenue_share_payable")
"""Balance-sheet accounts: they move cash but are not profit or loss."""
INCOME: tuple[str, ...] = ("revenue", "contribution", "membership_fees", "breakage")
"""Accounts that are income; every other profit-and-loss account is a cost."""
PROGRAM_ACCOUNTS: tuple[str, ...] = ACCOUNTS[
    ACCOUNTS.index("discounts") : ACCOUNTS.index("marketing")
]
"""Cost accounts of a loyalty program: discounts, rewards, prizes and perks, referral rewards,
revenue share, running costs."""

(
    REVENUE,
    CONTRIBUTION,
    MEMBERSHIP_FEES,
    BREAKAGE,
    COST_OF_GOODS,
    DISCOUNTS,
    REWARD_COST,
    PRIZES_AND_PERKS,
    REFERRAL_REWARDS,
    REVENUE_SHARE,
    PROGRAM_COSTS,
    MARKETING,
    WIN_BACK_OFFERS,
    COMMUNICATION,
    SERVICE_RECOVERY,
    FIXED_COSTS,
    POINTS_LIABILITY,
    FEE_DEFERRAL,
    REVENUE_SHARE_PAYABLE,
) = range(len(ACCOUNTS))

PROFIT_AND_LOSS: tuple[int, ...] = tuple(
    i for i, name in enumerate(ACCOUNTS) if name not in LIABILITIES
)
"""Indices of the accounts that make up profit."""


class Ledger:
    """Append-only daily amounts per account.

    The amounts live in one ``accounts x days`` array (``array``), which the compiled purchase
    step (``sim.engine.kernel``) posts to directly; Python code posts through ``amounts``, one
    memoryview of the array per account, indexed like a list of floats.

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
        self.array = np.zeros((len(ACCOUNTS), days))
        self.amounts: list[memoryview] = [memoryview(row) for row in self.array]
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

    def transfer(self, day: int, income: int, liability: int, amount: float) -> None:
        """Recognise ``amount`` of a liability as income (or back): no cash moves."""
        if day < self.days:
            self.amounts[income][day] += amount
            self.amounts[liability][day] -= amount

    def matrix(self, days: int | None = None) -> np.ndarray:
        """Amounts as a ``days x accounts`` array."""
        n = self.days if days is None else days
        return self.array[:, :n].copy().T  # the layout numpy's sums of its columns have seen

    def cash(self, days: int | None = None) -> np.ndarray:
        """Cash at the end of each day, derived from the postings."""
        return self.starting_cash + np.cumsum(self.matrix(days).sum(axis=1))

    def profit(self, days: int | None = None) -> np.ndarray:
        """Profit of each day: every account but the liabilities."""
        return self.matrix(days)[:, list(PROFIT_AND_LOSS)].sum(axis=1)

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
