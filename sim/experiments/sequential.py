"""Intervals that stay valid when an experiment stops as soon as its verdict is settled.

An experiment that looks at its interval after every batch of runs and stops once the interval
clears a threshold would, with the fixed-run intervals of ``sim.experiments.estimates``, stop
early on a lucky streak far more often than its confidence level says: each look is another
chance to be fooled. A *confidence sequence* is a whole family of intervals, one per run count,
that cover the true value at every run count at once with the stated probability, so an
experiment may look after every batch and stop on any rule it likes (Robbins 1970; Howard,
Ramdas, McAuliffe & Sekhon 2021, "Time-uniform, nonparametric, nonasymptotic confidence
sequences", Annals of Statistics 49(2)). The price is width: at any one run count they are wider
than the fixed-run interval. ``compare(..., runs="auto")`` uses them.

Two sequences, both pure functions of the runs so far:

* :func:`mean_sequence`, for a mean such as the incremental profit of a design over its paired
  baseline: the asymptotic confidence sequence of Waudby-Smith, Arnold, Wu, Howard & Ramdas
  ("Time-uniform central limit theory and asymptotic confidence sequences", Annals of
  Statistics, 2024; arXiv:2103.06476), the sequential counterpart of the Student-t interval:
  valid as the run count grows, under the same conditions as the central limit theorem.
* :func:`proportion_sequence`, for a probability such as the risk of ruin: Robbins' beta-binomial
  mixture, exact at every run count (no large-sample approximation), which matters for a share
  of bankrupt runs that is often 0 of n.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy import special

from sim.experiments.estimates import Estimate, replication_spread

_BISECTIONS = 80
"""Halvings of the search interval for a bound of :func:`proportion_sequence` (far below a
float's resolution of a probability)."""


def mean_margin(n: int, confidence: float, tightest_at: int) -> float:
    """Half-width of the asymptotic confidence sequence for a mean, in standard deviations.

    ``sqrt(2 (n r + 1) / (n^2 r) * log(sqrt(n r + 1) / alpha))`` with ``alpha = 1 -
    confidence`` and ``r = (-2 log alpha + log(1 - 2 log alpha)) / tightest_at``, the tuning
    that makes the sequence narrowest near ``tightest_at`` runs (Waudby-Smith et al. 2024, the
    conjugate normal mixture of Robbins 1970 with its usual tuning).
    """
    alpha = 1.0 - confidence
    r = (-2.0 * math.log(alpha) + math.log(1.0 - 2.0 * math.log(alpha))) / tightest_at
    return math.sqrt(2.0 * (n * r + 1.0) / (n * n * r) * math.log(math.sqrt(n * r + 1.0) / alpha))


def mean_sequence(
    values: np.ndarray | list[float], confidence: float, tightest_at: int = 30
) -> Estimate:
    """The mean of independent replications with its confidence-sequence bounds at ``n`` runs.

    Parameters
    ----------
    values
        One value per replication, in the order run (NaNs dropped).
    confidence
        The level at which the whole sequence covers the mean, e.g. 0.95.
    tightest_at
        The run count where the sequence is narrowest (``experiment.runs``, 30 by default: near
        where a fixed-run experiment would have stopped).
    """
    n, mean, sd = replication_spread(values)
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    if n == 1:
        return Estimate(mean, -math.inf, math.inf, 1)
    half = sd * mean_margin(n, confidence, tightest_at)
    return Estimate(mean, mean - half, mean + half, n, sd)


def mixture_prior(threshold: float) -> tuple[float, float]:
    """The Beta(a, b) mixture of :func:`proportion_sequence` for a decision at ``threshold``:
    ``a = 1`` and its mean at the threshold (``b = (1 - t) / t``, with ``t`` kept within
    0.001..0.5), where telling a probability above the threshold from one below is hardest.

    At a 5% threshold and 95% confidence, 0 bankrupt runs of 93 clear it (Wilson's fixed-run
    interval: 73), 1 of 142; a true risk of 20% is shown above it after about 38 runs.
    """
    t = min(0.5, max(0.001, threshold))
    return 1.0, (1.0 - t) / t


def _log_mixture_ratio(p: float, successes: int, n: int, a: float, b: float) -> float:
    """Log of Robbins' mixture martingale against ``p``: the beta-binomial likelihood of the
    runs over their likelihood at ``p``."""
    value = special.betaln(a + successes, b + n - successes) - special.betaln(a, b)
    if successes:
        value -= successes * math.log(p)
    if n - successes:
        value -= (n - successes) * math.log1p(-p)
    return float(value)


def proportion_sequence(
    successes: int, n: int, confidence: float, prior: tuple[float, float] = (1.0, 1.0)
) -> Estimate:
    """Share ``successes / n`` with the bounds of Robbins' beta-binomial confidence sequence.

    The set of probabilities ``p`` against which the mixture martingale (the Beta(a, b) mixture
    of the runs' likelihood over their likelihood at ``p``) stays below ``1 / (1 - confidence)``;
    by Ville's inequality it holds the true probability at every run count at once with
    probability at least ``confidence``. It is an interval around ``successes / n``.

    Parameters
    ----------
    successes, n
        Runs in which the event happened (e.g. the business went bankrupt), and runs.
    confidence
        The level of the whole sequence.
    prior
        ``(a, b)`` of the mixture (:func:`mixture_prior` centres it on a decision threshold).
    """
    if n <= 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    a, b = prior
    limit = math.log(1.0 / (1.0 - confidence))
    share = successes / n

    def inside(p: float) -> bool:
        return _log_mixture_ratio(p, successes, n, a, b) < limit

    def edge(outside: float, within: float) -> float:
        for _ in range(_BISECTIONS):
            middle = 0.5 * (outside + within)
            if inside(middle):
                within = middle
            else:
                outside = middle
        return within

    tiny = 1e-15
    low = 0.0 if successes == 0 or inside(tiny) else edge(tiny, share)
    high = 1.0 if successes == n or inside(1.0 - tiny) else edge(1.0 - tiny, share)
    return Estimate(share, low, high, n)


def runs_to_settle(
    share: float, threshold: float, interval: Callable[[float, int], Estimate]
) -> float:
    """Runs after which the interval around ``share`` would no longer straddle ``threshold``.

    The smallest ``n`` at which ``interval(share * n, n)`` (Wilson's, or a confidence
    sequence's) lies wholly above or below the threshold, if the share stays where it is now:
    how many runs a straddling risk of ruin needs (math.inf when the share is the threshold
    itself). With no bankrupt run, Wilson's interval at 95% clears a 5% threshold after 73 runs.
    """
    if share == threshold:
        return math.inf

    def clear(n: int) -> bool:
        bounds = interval(share * n, n)
        return bounds.low > threshold or bounds.high <= threshold

    n = 1
    while not clear(n):
        n *= 2
        if n > 1 << 40:
            return math.inf
    low, high = n // 2, n  # clear at high, not at low (or low is 0)
    while high - low > 1:
        middle = (low + high) // 2
        if clear(middle):
            high = middle
        else:
            low = middle
    return float(high)
