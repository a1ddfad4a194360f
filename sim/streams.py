"""Random streams: one ``numpy.random.SeedSequence`` per run, spawned once per purpose.

Each purpose (market reach, customer traits, timing, experiences, churn, competition, win-back,
migration, word of mouth, outside voices, the social network, the loyalty program) draws from
its own generator, so adding draws to one purpose never shifts another's numbers. Scalar draws
on the hot path are served from pre-drawn blocks converted to Python floats, which costs a list
index instead of a numpy call per event. No stdlib ``random``.
"""

from __future__ import annotations

import numpy as np

PURPOSES: tuple[str, ...] = (
    "market",
    "traits",
    "timing",
    "experience",
    "churn",
    "competition",
    "win_back",
    "migration",
    "word_of_mouth",
    "voices",
    "network",
    "program",
)
"""Stream purposes in spawn order; appending is safe, reordering changes every result."""

BLOCK = 4096


class Stream:
    """A generator plus buffered scalar uniform, standard-normal and standard-exponential draws."""

    __slots__ = ("_e", "_ei", "_n", "_ni", "_u", "_ui", "gen")

    def __init__(self, seed_sequence: np.random.SeedSequence):
        self.gen = np.random.Generator(np.random.PCG64(seed_sequence))
        self._u: list[float] = []
        self._n: list[float] = []
        self._e: list[float] = []
        self._ui = self._ni = self._ei = BLOCK  # empty: the first draw fills the block

    def uniform(self) -> float:
        """One U(0, 1) draw."""
        i = self._ui
        if i >= BLOCK:
            self._u = self.gen.random(BLOCK).tolist()
            i = 0
        self._ui = i + 1
        return self._u[i]

    def normal(self) -> float:
        """One standard-normal draw."""
        i = self._ni
        if i >= BLOCK:
            self._n = self.gen.standard_normal(BLOCK).tolist()
            i = 0
        self._ni = i + 1
        return self._n[i]

    def exponential(self) -> float:
        """One standard-exponential (mean 1) draw."""
        i = self._ei
        if i >= BLOCK:
            self._e = self.gen.standard_exponential(BLOCK).tolist()
            i = 0
        self._ei = i + 1
        return self._e[i]

    def gamma_buffer(self, shape: float) -> GammaBuffer:
        """Buffered unit-mean gamma draws of a fixed shape, from this stream's generator."""
        return GammaBuffer(self.gen, shape)


class GammaBuffer:
    """Buffered gamma draws with mean 1 and shape ``k`` (coefficient of variation 1/sqrt(k))."""

    __slots__ = ("_i", "_values", "gen", "shape")

    def __init__(self, gen: np.random.Generator, shape: float):
        self.gen = gen
        self.shape = shape
        self._values: list[float] = []
        self._i = BLOCK

    def draw(self) -> float:
        """One draw; exactly 1.0 when the shape is infinite (no spread)."""
        i = self._i
        if i >= BLOCK:
            if self.shape == float("inf"):
                self._values = [1.0] * BLOCK
            else:
                self._values = (self.gen.standard_gamma(self.shape, BLOCK) / self.shape).tolist()
            i = 0
        self._i = i + 1
        return self._values[i]


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
