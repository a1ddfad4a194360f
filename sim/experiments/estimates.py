"""Estimates across replications: a mean, a proportion or a ratio with its confidence interval.

Pure functions on arrays of per-replication values; the experiments call them for every figure
they report. Replications are independent draws of the same stochastic model, so the classical
intervals apply: Student's t for a mean, Wilson's score interval for a share (it stays inside
[0, 1] and behaves at 0 of n, where the normal interval collapses), and the delta method for a
ratio of two means.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its confidence interval.

    Attributes
    ----------
    mean
        The estimate (a mean, a share or a ratio).
    low, high
        Bounds of the confidence interval; equal to ``mean`` when it cannot be estimated from
        one replication, and NaN when there is no value at all.
    n
        Replications behind the estimate.
    sd
        Standard deviation across replications (NaN for shares and ratios).
    """

    mean: float
    low: float
    high: float
    n: int
    sd: float = math.nan

    def as_dict(self, prefix: str) -> dict[str, float]:
        """``{prefix: mean, prefix_low: low, prefix_high: high}`` for a tidy table row."""
        return {prefix: self.mean, f"{prefix}_low": self.low, f"{prefix}_high": self.high}


def t_quantile(q: float, df: float) -> float:
    """Quantile ``q`` of Student's t with ``df`` degrees of freedom.

    ``scipy.special.stdtrit``, the function ``scipy.stats.t.ppf`` evaluates (same value to
    the bit), without importing ``scipy.stats`` (about half a second at start-up).
    """
    return float(special.stdtrit(df, q))


def normal_quantile(q: float) -> float:
    """Quantile ``q`` of the standard normal (``scipy.special.ndtri``, as
    ``scipy.stats.norm.ppf`` evaluates it)."""
    return float(special.ndtri(q))


def replication_spread(values: np.ndarray | list[float]) -> tuple[int, float, float]:
    """The replications' count, mean and standard deviation (NaNs dropped; the mean NaN when
    there is none, the deviation NaN when there are fewer than two)."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    mean = float(x.mean()) if n else math.nan
    sd = float(x.std(ddof=1)) if n > 1 else math.nan
    return n, mean, sd


def mean_interval(values: np.ndarray | list[float], confidence: float = 0.95) -> Estimate:
    """Mean and Student-t confidence interval of independent replications (NaNs dropped).

    Parameters
    ----------
    values
        One value per replication.
    confidence
        Two-sided level, e.g. 0.95.
    """
    n, mean, sd = replication_spread(values)
    if n < 2:
        return Estimate(mean, mean, mean, n)
    half = t_quantile(0.5 + confidence / 2, n - 1) * sd / math.sqrt(n)
    return Estimate(mean, mean - half, mean + half, n, sd)


def proportion_interval(successes: int, n: int, confidence: float = 0.95) -> Estimate:
    """Share ``successes / n`` with Wilson's score interval (Wilson 1927).

    Parameters
    ----------
    successes
        Replications in which the event happened (e.g. the business went bankrupt).
    n
        Replications.
    confidence
        Two-sided level.
    """
    if n <= 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    p = successes / n
    z = normal_quantile(0.5 + confidence / 2)
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return Estimate(p, max(0.0, centre - half), min(1.0, centre + half), n)


def ratio_interval(
    numerators: np.ndarray | list[float],
    denominators: np.ndarray | list[float],
    confidence: float = 0.95,
) -> Estimate:
    """Ratio of means ``mean(a) / mean(b)`` with a delta-method interval.

    A ratio of means (not a mean of ratios) stays finite when a single replication has a
    denominator near zero; the interval comes from the variance of ``a - R b`` (the delta
    method for a ratio estimator). Pairs with a NaN are dropped.
    """
    a = np.asarray(numerators, dtype=float)
    b = np.asarray(denominators, dtype=float)
    keep = ~(np.isnan(a) | np.isnan(b))
    a, b = a[keep], b[keep]
    n = len(a)
    if n == 0 or b.mean() == 0:
        return Estimate(math.nan, math.nan, math.nan, n)
    ratio = float(a.mean() / b.mean())
    if n == 1:
        return Estimate(ratio, ratio, ratio, 1)
    residual = a - ratio * b
    se = float(residual.std(ddof=1)) / math.sqrt(n) / abs(float(b.mean()))
    half = t_quantile(0.5 + confidence / 2, n - 1) * se
    return Estimate(ratio, ratio - half, ratio + half, n)
