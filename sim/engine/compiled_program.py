"""A program whose running numbers live in arrays the compiled member step shares.

:class:`CompiledProgram` is ``sim.money.programs.runtime.Program`` with its memberships in a
``sim.engine.member_table.MemberTable``, its liability, the counters the step changes, whether
it is active and how long it honours points in the state vector of
``sim.engine.program_kernel``, the points due to expire in an integer array, and its random
draws in a :class:`ProgramStream`. Every method of ``Program`` works on these unchanged, so a
purchase may go through the Python reference or the compiled step with the same result.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.engine import program_kernel as pk
from sim.engine.member_table import MemberTable, TabledMember
from sim.engine.streams import BLOCK, Stream
from sim.money.liability import PointsLiability
from sim.money.programs.runtime import Program, ProgramStats


class ProgramStream:
    """The program's random stream with its uniform draws in an array the compiled step reads.

    The same draws as ``sim.engine.streams.Stream`` in the same order: blocks of ``BLOCK``
    uniforms from the same generator. ``draws[0]`` is the cursor into the current block
    (``draws[1 : 1 + BLOCK]``). When a compiled step may reach past the current block
    (:meth:`prepare`), the next block is worked out ahead on a copy of the generator and put
    after it; the generator itself advances only once a draw is taken from that block
    (:meth:`settle`), exactly when the reference would draw the block, so draws of other kinds
    (``gen.poisson``, ``gen.choice``) see the same generator state as in the reference.
    """

    __slots__ = ("_cursor", "_peek_from", "_stream", "draws", "gen")

    def __init__(self, stream: Stream, max_draws: int = pk.MAX_DRAWS):
        if max_draws > BLOCK:
            raise ValueError(f"a step may take at most {BLOCK} program draws, not {max_draws}")
        self._stream = stream
        # A cursor past this: a step may read into the next block, which must be worked out
        # first (a step takes at most ``max_draws``: ``program_kernel.max_draws``).
        self._peek_from = BLOCK - max_draws
        self.gen = stream.gen
        self.draws = np.zeros(1 + 2 * BLOCK)
        self.draws[0] = BLOCK  # the current block is used up: the next draw opens the next
        self._cursor = self.draws.data  # draws[0] read as a Python float, quickly

    def _peek(self) -> None:
        ahead = np.random.Generator(type(self.gen.bit_generator)())
        ahead.bit_generator.state = self.gen.bit_generator.state
        self.draws[1 + BLOCK :] = ahead.random(BLOCK)

    def prepare(self) -> None:
        """Before a compiled step: the draws it may take are in the buffer."""
        if self._cursor[0] > self._peek_from:
            self._peek()

    def settle(self) -> None:
        """After a compiled step: move on to the next block once a draw was taken from it (the
        step says so: ``program_kernel.SETTLE_DRAWS``)."""
        draws = self.draws
        if draws[0] > BLOCK:
            self.gen.random(BLOCK)  # the block already in the buffer: the generator catches up
            draws[1 : 1 + BLOCK] = draws[1 + BLOCK :]
            draws[0] -= BLOCK

    def uniform(self) -> float:
        """One U(0, 1) draw."""
        draws = self.draws
        i = int(draws[0])
        draws[0] = i + 1
        if i < BLOCK:
            return float(draws[1 + i])
        self._peek()
        value = float(draws[1 + i])
        self.settle()
        return value

    def exponential(self) -> float:
        """One standard-exponential (mean 1) draw (``Stream.exponential``: a buffer of its own)."""
        return self._stream.exponential()


def _state_field(index: int, kind: type) -> property:
    def get(owner: Any) -> Any:
        return kind(owner.state[index])

    def put(owner: Any, value: Any) -> None:
        owner.state[index] = value

    return property(get, put)


class TabledLiability(PointsLiability):
    """A ``PointsLiability`` kept in a program's state vector (``sim.engine.program_kernel``)."""

    def __init__(self, state: np.ndarray, expected_redemption_rate: float):
        self.state = state
        super().__init__(expected_redemption_rate)


for _name, _index in (
    ("expected_redemption_rate", pk.S_RATE),
    ("deferred", pk.S_DEFERRED),
    ("issued", pk.S_ISSUED),
    ("redeemed", pk.S_REDEEMED),
    ("expired", pk.S_EXPIRED),
    ("recognised", pk.S_RECOGNISED),
):
    setattr(TabledLiability, _name, _state_field(_index, float))


class TabledStats(ProgramStats):
    """``ProgramStats`` whose counters changed by the compiled step live in the state vector."""

    def __init__(self, state: np.ndarray):
        self.state = state
        super().__init__()


for _name, _index, _kind in (
    ("offers_declined", pk.S_OFFERS_DECLINED, int),
    ("rewards", pk.S_REWARDS, int),
    ("rewards_value", pk.S_REWARDS_VALUE, float),
    ("points_issued", pk.S_POINTS_ISSUED, int),
    ("points_redeemed", pk.S_POINTS_REDEEMED, int),
    ("prizes", pk.S_PRIZES, int),
    ("upgrades", pk.S_UPGRADES, int),
    ("downgrades", pk.S_DOWNGRADES, int),
    ("perks", pk.S_PERKS, int),
):
    setattr(TabledStats, _name, _state_field(_index, _kind))
del _name, _index, _kind


class CompiledProgram(Program):
    """``Program`` on arrays (see the module docstring).

    Parameters are ``Program``'s, with ``rng`` a :class:`ProgramStream`.

    Attributes
    ----------
    table
        The memberships.
    state
        The state vector of ``sim.engine.program_kernel``.
    constants
        The step's program vector for the terms in force.
    """

    def __init__(self, design, reaction, book, rng: ProgramStream, horizon: int, *args, **kwargs):
        self.state = np.zeros(pk.STATE)
        self.table = MemberTable(yearly_perks=pk.yearly_perk_names(design))
        super().__init__(design, reaction, book, rng, horizon, *args, **kwargs)
        points = design.points
        self.liability = TabledLiability(
            self.state, points.expected_redemption_rate if points else 1.0
        )
        self.stats = TabledStats(self.state)
        self.expiring = np.zeros(horizon + 1, dtype=np.int64)

    active = _state_field(pk.S_ACTIVE, bool)
    honour_until = _state_field(pk.S_HONOUR_UNTIL, float)
    accrued_share = _state_field(pk.S_ACCRUED_SHARE, float)

    def _build(self, terms) -> None:
        super()._build(terms)
        self.constants = pk.program_constants(
            terms, self.reaction, self.mean_base_rate, self.table.yearly_perks
        )
        self._arrays_version = -1  # new constants: the step's arguments are taken afresh

    def step_arrays(self) -> tuple:
        """The program's arguments of the compiled steps, after the customer's: the member
        table's arrays, the program's constants and state, its draws and the points due to
        expire; taken afresh when the member table has grown or the terms changed."""
        table = self.table
        if self._arrays_version != table.version:
            self._arrays = (
                table.floats,
                table.ints,
                table.lots,
                self.constants,
                self.state,
                self.rng.draws,
                self.expiring,
            )
            self._arrays_version = table.version
        return self._arrays

    def housekeeping(self, flags: int) -> None:
        """What a compiled step asked for (``program_kernel.HOUSEKEEPING``)."""
        if flags & pk.SETTLE_DRAWS:
            self.rng.settle()
        if flags & pk.LOTS_EMPTY:
            self.table.ensure_free_lots()

    def credit_partner_points(self, c: Any, now: float) -> None:
        """The partner points a coalition member earned since the last visit (a
        ``program_kernel.HANDOFF_PARTNERS``)."""
        self.coalition.before_sale(c.member, now)

    def _new_member(self, c: Any, now: float) -> TabledMember:
        return TabledMember(self.table, c, now)
