"""Verdicts on intervals, and runs chosen by the question (``sim.experiments.sequential``).

Pure functions, checked by simulation on synthetic experiments whose truth is known. Each
simulation is seeded, so it is deterministic; its tolerance is three binomial standard errors of
the number of simulated experiments above the nominal error rate (a true rate at the nominal
level passes with probability above 99.8%), and each has a companion showing that the check can
fail: fixed-run intervals looked at after every batch do exceed the nominal rate.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.experiments import verdict as rules
from sim.experiments.compare import settled, verdict_intervals
from sim.experiments.estimates import Estimate, mean_interval, proportion_interval
from sim.experiments.sequential import (
    mean_sequence,
    mixture_prior,
    proportion_sequence,
    runs_to_settle,
)
from sim.scenario.experiment import Experiment

ALPHA = 0.05
EXPERIMENTS = 1500
BATCH, MAX_RUNS = 10, 200
TOLERANCE = ALPHA + 3 * math.sqrt(ALPHA * (1 - ALPHA) / EXPERIMENTS)  # 0.067


FIRST = 30
"""The first look of ``compare(runs="auto")``: after ``experiment.runs`` pairs."""


def _stops_wrongly(draws: np.ndarray, interval, truth: float, first: int = FIRST) -> bool:
    """Whether any look (the first at ``first`` runs, then after every batch) shows an interval
    that misses ``truth``."""
    for n in range(first, len(draws) + 1, BATCH):
        e = interval(draws[:n])
        if not e.low <= truth <= e.high:
            return True
    return False


@pytest.mark.parametrize("skew", [0.0, 0.5])
def test_the_mean_sequence_covers_at_every_look_at_once(skew):
    """Normal and skewed paired differences (lognormal with sigma 0.5: skewness 1.75): from 30
    runs on, the sequence misses the true mean at some look in at most the nominal share of
    experiments; the fixed-run t interval looked at after every batch misses it about three
    times as often. (The sequence is valid as the central limit theorem is: looked at from 10
    runs on, such skewed differences make it miss in 6% of experiments.)"""
    rng = np.random.default_rng(1)
    sequence = fixed = 0
    for _ in range(EXPERIMENTS):
        draws = rng.lognormal(0.0, skew, MAX_RUNS) if skew else rng.standard_normal(MAX_RUNS)
        truth = math.exp(skew**2 / 2) if skew else 0.0
        sequence += _stops_wrongly(draws, lambda x: mean_sequence(x, 1 - ALPHA, 30), truth)
        fixed += _stops_wrongly(draws, lambda x: mean_interval(x, 1 - ALPHA), truth)
    assert sequence / EXPERIMENTS <= TOLERANCE
    assert fixed / EXPERIMENTS > 2 * ALPHA  # what the sequence is for


@pytest.mark.parametrize("p", [0.02, 0.05, 0.2])
def test_the_ruin_sequence_covers_at_every_look_at_once(p):
    rng = np.random.default_rng(int(p * 1000))
    prior = mixture_prior(0.05)
    misses = 0
    for _ in range(EXPERIMENTS):
        bankrupt = rng.random(MAX_RUNS) < p
        misses += _stops_wrongly(  # exact: looked at from the first batch on
            bankrupt,
            lambda x: proportion_sequence(int(x.sum()), len(x), 1 - ALPHA, prior),
            p,
            first=BATCH,
        )
    assert misses / EXPERIMENTS <= TOLERANCE


def _sequential_verdict(differences: np.ndarray, exp: Experiment, revenue: float) -> str:
    """The profit verdict of ``compare(runs="auto")`` on paired differences drawn in order,
    with the risk of ruin clear (the profit rule alone)."""
    for n in range(exp.runs, exp.max_runs + 1, exp.batch_runs):
        profit, _ = verdict_intervals(differences[:n], 0, n, exp)
        if settled(profit, Estimate(0.0, 0.0, 0.0, n), revenue, exp):
            break
    return rules.profit_verdict(profit)


@pytest.mark.parametrize(
    ("effect", "wrong"),
    [
        (0.0, {"pays_back", "destroys_value"}),  # no effect: any sign is a false verdict
        (0.3, {"destroys_value"}),  # a known gain: the wrong sign is a false verdict
    ],
)
def test_the_sequential_rule_gives_a_false_verdict_at_most_at_the_nominal_rate(effect, wrong):
    """Paired differences with standard deviation 1 (and no band of practical equivalence):
    with no effect the rule declares a sign in at most 5% of experiments although it may stop
    at any of 20 looks; with a gain of 0.3 standard deviations it almost never calls it a loss,
    and it finds the gain in most experiments."""
    exp = Experiment(equivalence_band=0.0)
    rng = np.random.default_rng(7)
    verdicts = [
        _sequential_verdict(rng.standard_normal(exp.max_runs) + effect, exp, 1.0)
        for _ in range(EXPERIMENTS)
    ]
    false = sum(v in wrong for v in verdicts) / EXPERIMENTS
    assert false <= TOLERANCE
    if effect:
        assert verdicts.count("pays_back") / EXPERIMENTS > 0.8


def test_an_effect_inside_the_band_settles_as_marginal():
    """A true difference of 0 with a band of practical equivalence stops as marginal once the
    sequence lies inside the band, long before the maximum."""
    exp = Experiment(equivalence_band=0.5)  # half a standard deviation of revenue 1
    rng = np.random.default_rng(3)
    differences = rng.standard_normal(exp.max_runs)
    for n in range(exp.runs, exp.max_runs + 1, exp.batch_runs):
        profit, _ = verdict_intervals(differences[:n], 0, n, exp)
        if settled(profit, Estimate(0.0, 0.0, 0.0, n), 1.0, exp):
            break
    assert n < exp.max_runs and rules.profit_verdict(profit) == "marginal"


@pytest.mark.parametrize(
    ("bankrupt", "runs", "expected"),
    [
        (0, 30, "unresolved"),  # Wilson's 95% interval of 0 of 30 reaches 11%
        (0, 100, "clear"),  # and of 0 of 100, 3.7%
        (1, 8, "unresolved"),  # one bankrupt run of eight: 2% to 47%
        (1, 30, "unresolved"),
        (3, 30, "unresolved"),
        (12, 30, "would_bankrupt"),  # many: the whole interval above 5%
        (30, 30, "would_bankrupt"),
    ],
)
def test_the_ruin_rule_at_none_one_and_many_bankrupt_runs(bankrupt, runs, expected):
    ruin = proportion_interval(bankrupt, runs, 0.95)
    assert rules.ruin_verdict(ruin, 0.05) == expected


def test_runs_to_settle_a_straddling_ruin():
    wilson = lambda k, n: proportion_interval(k, n, 0.95)  # noqa: E731
    assert runs_to_settle(0.0, 0.05, wilson) == 73  # z^2 (1 - t) / t = 72.99
    assert rules.ruin_verdict(wilson(0, 73), 0.05) == "clear"
    assert rules.ruin_verdict(wilson(0, 72), 0.05) == "unresolved"
    assert runs_to_settle(0.05, 0.05, wilson) == math.inf
    assert runs_to_settle(0.2, 0.05, wilson) < 30
    prior = mixture_prior(0.05)
    sequence = lambda k, n: proportion_sequence(k, n, 0.95, prior)  # noqa: E731
    assert runs_to_settle(0.0, 0.05, sequence) == 93  # the price of looking after every batch


def test_the_ruin_sequence_is_wider_than_wilson_and_inside_zero_one():
    prior = mixture_prior(0.05)
    for bankrupt, runs in ((0, 10), (1, 30), (5, 50), (50, 50)):
        s = proportion_sequence(bankrupt, runs, 0.95, prior)
        w = proportion_interval(bankrupt, runs, 0.95)
        assert 0.0 <= s.low <= w.low + 1e-12 and w.high - 1e-12 <= s.high <= 1.0
        assert s.low <= s.mean <= s.high


def test_the_mean_sequence_is_wider_than_the_t_interval_after_a_few_runs():
    x = np.random.default_rng(0).standard_normal(200)
    for n in (10, 30, 100, 200):
        s, t = mean_sequence(x[:n], 0.95, 30), mean_interval(x[:n], 0.95)
        assert s.low < t.low and t.high < s.high
    one = mean_sequence([5.0], 0.95)
    assert one.mean == 5.0 and one.low == -math.inf and one.high == math.inf
