"""The ledger derives cash from postings; streams are reproducible and independent."""

from __future__ import annotations

import numpy as np
import pytest

from sim import ledger
from sim.streams import PURPOSES, spawn_streams


def test_cash_is_derived_from_postings():
    book = ledger.Ledger(3, starting_cash=100.0, credit_line=50.0)
    book.post(0, ledger.REVENUE, 30.0)
    book.post(0, ledger.FIXED_COSTS, -10.0)
    book.post(1, ledger.MARKETING, -200.0)
    book.post(5, ledger.REVENUE, 1e9)  # past the horizon: ignored
    assert book.close_day(0) == pytest.approx(120.0)
    cash = book.close_day(1)
    assert cash == pytest.approx(-80.0)
    assert book.is_bankrupt(cash)
    assert not book.is_bankrupt(-50.0)
    assert list(book.cash()) == pytest.approx([120.0, -80.0, -80.0])
    table = book.table()
    assert len(table) == 3 * len(ledger.ACCOUNTS)
    assert table["amount"].sum() == pytest.approx(-180.0)


def test_days_close_in_order():
    book = ledger.Ledger(3, 0.0, 0.0)
    with pytest.raises(ValueError, match="in order"):
        book.close_day(1)


def test_streams_reproducible_and_distinct():
    a, b = spawn_streams(7), spawn_streams(7)
    assert list(a) == list(PURPOSES)
    xs = [a["timing"].uniform() for _ in range(5000)]
    ys = [b["timing"].uniform() for _ in range(5000)]
    assert xs == ys
    zs = [a["churn"].uniform() for _ in range(5000)]
    assert xs != zs
    assert np.mean(xs) == pytest.approx(0.5, abs=0.02)  # 5000 uniforms: sd of mean 0.004


def test_buffered_draws_follow_their_distributions():
    s = spawn_streams(1)["experience"]
    e = np.array([s.exponential() for _ in range(20_000)])
    n = np.array([s.normal() for _ in range(20_000)])
    g = s.gamma_buffer(4.0)
    gs = np.array([g.draw() for _ in range(20_000)])
    # Tolerances are about 5 standard errors of each mean with 20,000 draws.
    assert e.mean() == pytest.approx(1.0, abs=0.035)
    assert n.mean() == pytest.approx(0.0, abs=0.035)
    assert gs.mean() == pytest.approx(1.0, abs=0.02)
    assert gs.std() == pytest.approx(0.5, abs=0.02)


def test_bad_seed():
    with pytest.raises(ValueError, match="non-negative"):
        spawn_streams(-1)
