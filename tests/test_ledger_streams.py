"""The ledger derives cash from postings; streams are reproducible and independent."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special

from sim.engine.streams import (
    PURPOSES,
    QUANTILE_POINTS,
    STANDARD_NORMAL,
    day_generator,
    own_exponential,
    own_normal,
    own_seed,
    own_uniform,
    quantile_table,
    spawn_streams,
)
from sim.money import ledger


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
    xs = [a["word_of_mouth"].uniform() for _ in range(5000)]
    ys = [b["word_of_mouth"].uniform() for _ in range(5000)]
    assert xs == ys
    zs = [a["program"].uniform() for _ in range(5000)]
    assert xs != zs
    assert np.mean(xs) == pytest.approx(0.5, abs=0.02)  # 5000 uniforms: sd of mean 0.004


def test_buffered_draws_follow_their_distributions():
    s = spawn_streams(1)["voices"]
    e = np.array([s.exponential() for _ in range(20_000)])
    # About 5 standard errors of the mean with 20,000 draws.
    assert e.mean() == pytest.approx(1.0, abs=0.035)


class _Person:
    def __init__(self, fate: int):
        self.fate = fate


def test_a_customers_own_stream_is_reproducible_and_uniform():
    """Same seed, same draws; different people, unrelated draws; uniform on [0, 1)."""
    a, b = _Person(own_seed(0.25)), _Person(own_seed(0.25))
    xs = [own_uniform(a) for _ in range(20_000)]
    assert xs == [own_uniform(b) for _ in range(20_000)]
    c = _Person(own_seed(0.2500001))
    ys = [own_uniform(c) for _ in range(20_000)]
    # 20,000 draws: sd of the mean 0.002, of the variance 0.0005, of a correlation 0.007;
    # the tolerances are about 5 of them.
    assert np.mean(xs) == pytest.approx(0.5, abs=0.01)
    assert np.var(xs) == pytest.approx(1 / 12, abs=0.0025)
    assert abs(np.corrcoef(xs, ys)[0, 1]) < 0.035
    assert abs(np.corrcoef(xs[:-1], xs[1:])[0, 1]) < 0.035
    assert min(xs) >= 0.0 and max(xs) < 1.0


def test_own_draws_follow_their_distributions():
    p = _Person(own_seed(0.5))
    e = np.array([own_exponential(p) for _ in range(20_000)])
    n = np.array([own_normal(p) for _ in range(20_000)])
    # About 5 standard errors of each moment with 20,000 draws.
    assert e.mean() == pytest.approx(1.0, abs=0.035)
    assert n.mean() == pytest.approx(0.0, abs=0.035)
    assert n.std() == pytest.approx(1.0, abs=0.025)


def test_quantile_tables_are_exact_quantiles():
    """Mid-point quantiles: the table's mean and spread are the distribution's, to the
    discretisation (1/16,384 in probability)."""
    assert len(STANDARD_NORMAL) == QUANTILE_POINTS
    assert list(STANDARD_NORMAL) == sorted(STANDARD_NORMAL)
    # Measured: the normal table's sd is 1 - 4.0e-5 (its tails stop 3.9 sd out), the gamma
    # table's mean 1 - 6e-6 and sd 0.5 - 4.7e-5; the tolerances are about twice those.
    assert np.mean(STANDARD_NORMAL) == pytest.approx(0.0, abs=1e-12)  # symmetric
    assert np.std(STANDARD_NORMAL) == pytest.approx(1.0, abs=1e-4)
    gamma = quantile_table(lambda q: special.gammaincinv(4.0, q) / 4.0)
    assert np.mean(gamma) == pytest.approx(1.0, abs=1e-5)
    assert np.std(gamma) == pytest.approx(0.5, abs=1e-4)


def test_a_days_generator_does_not_depend_on_other_days():
    s = spawn_streams(3)["market"]
    first = day_generator(s, 10, 1).random(5)
    s.gen.random(1000)  # the purpose's own generator moving on changes nothing
    day_generator(s, 9, 1).random(50)
    assert np.array_equal(first, day_generator(s, 10, 1).random(5))
    assert not np.array_equal(first, day_generator(s, 10, 0).random(5))
    assert not np.array_equal(first, day_generator(spawn_streams(4)["market"], 10, 1).random(5))


def test_bad_seed():
    with pytest.raises(ValueError, match="non-negative"):
        spawn_streams(-1)
