"""Customers as a few classes instead of one agent each: the mean-field preview's heterogeneity.

The agent model draws each customer's base purchase rate from a gamma distribution and their
dropout propensity from a beta distribution (BG/NBD, Fader, Hardie & Lee 2005; docs/model.md,
sections 3-4). Who stays is not a random draw of who came: light buyers and high dropout
propensities leave first, so the mean of either trait among survivors moves over time. A
preview that tracked one average customer would miss that selection, which is most of what
the buy-till-you-die models explain. The preview therefore stands for each distribution by a
few classes, the nodes of Gaussian quadrature for it, and tracks every combination: each class
is a weight of people with one value of each trait. Against the closed forms of BG/NBD and
MBG/NBD (expected purchases of a cohort in one and three years), 12 rate classes and 6 dropout
classes come within 1% for published and bundled traits, where slices of equal probability with
their mean traits missed by up to 5.5%; the worst case measured, a dropout beta with b = 40
over three years, is 2.9% off.
"""

from __future__ import annotations

import numpy as np
from scipy import special, stats


def gamma_classes(shape: float, rate: float, k: int) -> tuple[np.ndarray, np.ndarray]:
    """``k`` classes standing for Gamma(``shape``, ``rate``): their values and weights.

    The nodes and weights of generalised Gauss-Laguerre quadrature (weight ``x^(shape - 1)
    e^-x``), scaled by ``1 / rate``: the weighted sum of a smooth function of the trait equals
    its expectation exactly for polynomials up to degree ``2k - 1``.
    """
    x, w = special.roots_genlaguerre(k, shape - 1.0)
    return x / rate, w / w.sum()


def beta_classes(a: float, b: float, k: int) -> tuple[np.ndarray, np.ndarray]:
    """``k`` classes standing for Beta(``a``, ``b``): their values and weights (Gauss-Jacobi
    quadrature, weight ``(1 - x)^(b - 1) (1 + x)^(a - 1)`` on -1..1, mapped to 0..1)."""
    x, w = special.roots_jacobi(k, b - 1.0, a - 1.0)
    return (1.0 + x) / 2.0, w / w.sum()


def normal_nodes(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Hermite nodes and weights for an expectation over a standard normal variable:
    ``E[f(Z)] ~ sum(w * f(z))``, exact for polynomials up to degree ``2n - 1``."""
    z, w = np.polynomial.hermite_e.hermegauss(n)
    return z, w / w.sum()


def normal_quantiles(n: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` equally likely points of a standard normal variable, at the middles of its ``n``
    equal-probability slices: for an expectation of a step function (an NPS category, which
    jumps where the score is rounded), even weights integrate better than Gauss-Hermite's."""
    return stats.norm.ppf((np.arange(n) + 0.5) / n), np.full(n, 1.0 / n)
