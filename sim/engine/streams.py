"""Random streams: one ``numpy.random.SeedSequence`` per run, spawned once per purpose, and a
stream of its own for every customer.

Shared purposes (the market's reach, the traits of people word of mouth brings, competitors'
campaigns, the migration matrix, word of mouth, outside voices, the social network, the loyalty
program) each draw from their own generator, so adding draws to one purpose never shifts
another's numbers. The market draws each day from a generator of that day
(``day_generator``). Every decision of a customer (purchase timing, basket, experience, drift,
competitor offers, life events, win-back) draws from the customer's own stream
(``own_uniform``), seeded by the person's traits: two runs of the same seed, one with a loyalty
program and one without, then give the same person the same luck, and a paired comparison
sees the program's effect rather than reshuffled noise (common random numbers). Scalar draws of
shared purposes are served from pre-drawn blocks converted to Python floats. No stdlib
``random``.
"""

from __future__ import annotations

import math
from array import array
from typing import Any

import numpy as np
from scipy import special

PURPOSES: tuple[str, ...] = (
    "market",
    "traits",
    "competition",
    "migration",
    "word_of_mouth",
    "voices",
    "network",
    "program",
)
"""Stream purposes in spawn order; appending is safe, reordering changes every result."""

BLOCK = 4096


class Stream:
    """A generator plus buffered scalar uniform and standard-exponential draws."""

    __slots__ = ("_e", "_ei", "_u", "_ui", "gen")

    def __init__(self, seed_sequence: np.random.SeedSequence):
        self.gen = np.random.Generator(np.random.PCG64(seed_sequence))
        self._u: list[float] = []
        self._e: list[float] = []
        self._ui = self._ei = BLOCK  # empty: the first draw fills the block

    def uniform(self) -> float:
        """One U(0, 1) draw."""
        i = self._ui
        if i >= BLOCK:
            self._u = self.gen.random(BLOCK).tolist()
            i = 0
        self._ui = i + 1
        return self._u[i]

    def exponential(self) -> float:
        """One standard-exponential (mean 1) draw."""
        i = self._ei
        if i >= BLOCK:
            self._e = self.gen.standard_exponential(BLOCK).tolist()
            i = 0
        self._ei = i + 1
        return self._e[i]


def spawn_streams(seed: int) -> dict[str, Stream]:
    """The independent streams of one run, keyed by purpose.

    Parameters
    ----------
    seed
        Non-negative integer; the same seed gives the same streams on any machine.
    """
    if not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer (got {seed!r})")
    children = np.random.SeedSequence(int(seed)).spawn(len(PURPOSES))
    return {purpose: Stream(child) for purpose, child in zip(PURPOSES, children, strict=True)}


def day_generator(stream: Stream, day: int, part: int = 0) -> np.random.Generator:
    """A generator of its own for one day of ``stream``'s purpose (``part`` tells uses apart).

    Its seed is the stream's seed extended by ``(day, part)``, so what is drawn on a day does
    not depend on how many draws earlier days took. Two runs of the same seed that differ only
    in a loyalty program therefore reach the same people on the same day even when word of
    mouth has changed the market's size by a few people: common random numbers (Law 2015,
    ch. 11) for the paired comparisons of ``sim.compare``.
    """
    root = stream.gen.bit_generator.seed_seq
    child = np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, day, part))
    return np.random.Generator(np.random.PCG64(child))


# ---------------------------------------------------------------- each customer's own stream
# A customer's own decisions (when to buy next, whether to drift away, accept a competitor's
# offer, meet a service failure, or a life event) draw from the customer's own stream, so that
# the same person makes the same draws in a run with a program and in one without: only what
# the program changes differs, and paired differences cancel the rest of the noise (common
# random numbers synchronised per entity, Law 2015, ch. 11). The stream is SplitMix64 (Steele,
# Lea & Flood 2014): its 64-bit state is a slot of the customer, one addition and two
# multiply-xorshift rounds a draw, which passes BigCrush and costs about a microsecond.

GOLDEN_GAMMA = 0x9E3779B97F4A7C15
MIX_1 = 0xBF58476D1CE4E5B9
MIX_2 = 0x94D049BB133111EB
MASK_64 = (1 << 64) - 1
TO_UNIT = 2.0**-53
"""SplitMix64's constants. The engine inlines :func:`own_uniform` with them in its hot path
(``sim.engine.model``); ``tests/test_inlined_rules.py`` checks the inlined draws against it."""


def own_seed(u: float) -> int:
    """A customer's stream state from a uniform draw of the person's traits (53 bits)."""
    return int(u * 9007199254740992.0)


def own_uniform(c: Any) -> float:
    """The next U(0, 1) draw of customer ``c``'s own stream (state in ``c.fate``)."""
    s = (c.fate + GOLDEN_GAMMA) & MASK_64
    c.fate = s
    s = ((s ^ (s >> 30)) * MIX_1) & MASK_64
    s = ((s ^ (s >> 27)) * MIX_2) & MASK_64
    return ((s ^ (s >> 31)) >> 11) * TO_UNIT


def own_exponential(c: Any) -> float:
    """The next standard-exponential (mean 1) draw of ``c``'s own stream."""
    return -math.log(1.0 - own_uniform(c))


QUANTILE_BITS = 14
QUANTILE_POINTS = 1 << QUANTILE_BITS
"""Entries of a quantile table (``quantile_table``): equiprobable, so a draw is exact to
within 1/16,384 in probability; the extreme entries sit 3.9 standard deviations out."""
QUANTILE_SHIFT = 64 - QUANTILE_BITS


def quantile_table(ppf: Any) -> array:
    """Mid-point quantiles ``ppf((i + 0.5) / QUANTILE_POINTS)`` of a distribution, in order.

    ``table[int(own_uniform(c) * QUANTILE_POINTS)]`` is then an inverse-transform draw from the
    customer's own stream (table-lookup inversion, Devroye 1986, ch. 3): one uniform a draw,
    whatever the distribution, so a customer who buys once more in one arm of a comparison
    shifts no one else's draws.
    """
    points = (np.arange(QUANTILE_POINTS) + 0.5) / QUANTILE_POINTS
    return array("d", np.asarray(ppf(points), dtype=float).tolist())


STANDARD_NORMAL = quantile_table(special.ndtri)
"""Quantile table of the standard normal distribution."""


def own_quantile_index(c: Any) -> int:
    """``int(own_uniform(c) * QUANTILE_POINTS)``, the next draw's index into a quantile table.

    The draw is ``k * 2**-53`` for the top 53 bits ``k`` of the 64-bit output, and
    ``QUANTILE_POINTS`` is a power of two, so the index is exactly the output's top
    ``QUANTILE_BITS`` bits: the engine takes them with one shift.
    """
    s = (c.fate + GOLDEN_GAMMA) & MASK_64
    c.fate = s
    s = ((s ^ (s >> 30)) * MIX_1) & MASK_64
    s = ((s ^ (s >> 27)) * MIX_2) & MASK_64
    return (s ^ (s >> 31)) >> QUANTILE_SHIFT


def own_normal(c: Any) -> float:
    """The next standard-normal draw of ``c``'s own stream (by table-lookup inversion)."""
    return STANDARD_NORMAL[int(own_uniform(c) * QUANTILE_POINTS)]
