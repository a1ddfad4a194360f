"""The money of a run, from its ledger: daily columns per account, and the headline figures."""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.money.ledger import ACCOUNTS, INCOME, LIABILITIES, Ledger


def money_columns(book: Ledger, days: int) -> dict[str, np.ndarray]:
    """Daily signed amounts per account, gross margin, profit and cash (derived)."""
    m = book.matrix(days)
    columns = {account: m[:, i] for i, account in enumerate(ACCOUNTS)}
    columns["gross_margin"] = (
        columns["revenue"] + columns["contribution"] + columns["cost_of_goods"]
    )
    columns["profit"] = book.profit(days)
    columns["cash"] = book.starting_cash + np.cumsum(m.sum(axis=1))
    for account in LIABILITIES:
        columns[f"{account}_outstanding"] = np.cumsum(columns[account])
    return columns


def money_summary(book: Ledger, days: int) -> dict[str, Any]:
    """Headline money figures over the simulated days."""
    m = book.matrix(days)
    totals = dict(zip(ACCOUNTS, m.sum(axis=0).tolist(), strict=True))
    cash = book.starting_cash + np.cumsum(m.sum(axis=1))
    low = int(np.argmin(cash)) if days else 0
    return {
        "revenue": totals["revenue"],
        "contribution": totals["contribution"],
        "gross_margin": totals["revenue"] + totals["contribution"] + totals["cost_of_goods"],
        "other_income": {a: totals[a] for a in INCOME if a not in ("revenue", "contribution")},
        "costs": {
            a: 0.0 - v for a, v in totals.items() if a not in INCOME and a not in LIABILITIES
        },
        "liabilities_at_end": {a: totals[a] for a in LIABILITIES},
        "profit": float(book.profit(days).sum()),
        "final_cash": float(cash[-1]) if days else book.starting_cash,
        "lowest_cash": float(cash[low]) if days else book.starting_cash,
        "lowest_cash_day": low,
    }


def money_figures() -> list[str]:
    """Names of the figures :func:`money_summary` gives, nested keys joined by dots, in its
    order."""
    return [
        "revenue",
        "contribution",
        "gross_margin",
        *(f"other_income.{a}" for a in INCOME if a not in ("revenue", "contribution")),
        *(f"costs.{a}" for a in ACCOUNTS if a not in INCOME and a not in LIABILITIES),
        *(f"liabilities_at_end.{a}" for a in LIABILITIES),
        "profit",
        "final_cash",
        "lowest_cash",
        "lowest_cash_day",
    ]
