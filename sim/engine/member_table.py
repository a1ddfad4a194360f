"""Program memberships kept in arrays, where the compiled member step works on them.

A run whose program the compiled step can carry (``sim.engine.program_kernel``) keeps each
membership's numbers in a :class:`MemberTable` row, and each member's points lots in the
table's lot pool, instead of in Python objects. :class:`TabledMember` and :class:`TabledLots`
give Python code the same attributes and methods as ``sim.money.programs.member.Member`` and
``PointLots``, read from and written to those arrays, so the program's Python code (joining,
leaving, the dated work, the reference checkout) runs unchanged on either, and an event may go
through the Python handlers or the compiled step with the same result.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, MutableMapping
from typing import Any

import numpy as np

from sim.engine.customer import table_column
from sim.money.programs.member import Member

MEMBER_FLOAT_FIELDS: tuple[str, ...] = (
    "joined",
    "left",
    "refreshed",
    "deal",
    "progress",
    "basket",
    "rate_factor",
    "basket_factor",
    "loyalty_factor",
    "stake_status",
    "spend",
    "rewards_value",
    "cap_start",
    "earn_multiplier",
    "window_start",
    "window_metric",
    "discounts_received",
    "paid_until",
    "period_savings",
    "partner_checked",
    "share_accrued",
)
"""Membership fields kept as 64-bit floats."""
MEMBER_INT_FIELDS: tuple[str, ...] = (
    "slot",
    "balance",
    "points_earned",
    "points_redeemed",
    "rewards",
    "cap_earned",
    "tier",
    "discount_level",
    "fee_day",
    "lot_head",
    "lot_tail",
)
"""Membership fields kept as 64-bit integers; ``lot_head`` and ``lot_tail`` are the first and
last of the member's lots in the pool (-1: none)."""
(
    M_JOINED,
    M_LEFT,
    M_REFRESHED,
    M_DEAL,
    M_PROGRESS,
    M_BASKET,
    M_RATE_FACTOR,
    M_BASKET_FACTOR,
    M_LOYALTY_FACTOR,
    M_STAKE_STATUS,
    M_SPEND,
    M_REWARDS_VALUE,
    M_CAP_START,
    M_EARN_MULTIPLIER,
    M_WINDOW_START,
    M_WINDOW_METRIC,
    M_DISCOUNTS_RECEIVED,
    M_PAID_UNTIL,
    M_PERIOD_SAVINGS,
    M_PARTNER_CHECKED,
    M_SHARE_ACCRUED,
) = range(len(MEMBER_FLOAT_FIELDS))
(
    M_SLOT,
    M_BALANCE,
    M_POINTS_EARNED,
    M_POINTS_REDEEMED,
    M_REWARDS,
    M_CAP_EARNED,
    M_TIER,
    M_DISCOUNT_LEVEL,
    M_FEE_DAY,
    M_LOT_HEAD,
    M_LOT_TAIL,
) = range(len(MEMBER_INT_FIELDS))

M_YEARLY = len(MEMBER_FLOAT_FIELDS)
"""The first of the float columns after the named ones: the day each yearly perk is next due
(``Member.yearly_due``), one column per perk name (``MemberTable.yearly_perks``), NaN while
absent (due at joining)."""

LOT_EXPIRY, LOT_POINTS, LOT_NEXT = range(3)
"""Columns of the lot pool: the day the lot expires, its points, and the member's next lot
(-1: the last; for a free lot, the next free one)."""


class MemberTable:
    """Every membership of a run (one row each, in order of joining) and their points lots.

    The lots form one linked list per member, oldest first, in ``lots`` (float columns
    ``LOT_EXPIRY``, ``LOT_POINTS``, ``LOT_NEXT``; points and links are whole numbers, exact in a
    float). Row 0 of ``lots`` is no lot: its ``LOT_NEXT`` is the first free lot, and the free
    lots form a list of their own from there. Rows and lots grow by doubling, always from
    Python, so that at least one lot is free whenever a compiled step starts (it adds at most
    one, and says when it took the last: ``program_kernel.LOTS_EMPTY``). ``version`` counts the
    times the arrays were replaced by larger ones. ``yearly_perks`` names the yearly perks whose
    due days the float columns from ``M_YEARLY`` on keep, in that order.
    """

    def __init__(
        self, capacity: int = 1024, lot_capacity: int = 4096, yearly_perks: tuple[str, ...] = ()
    ):
        self.rows = 0
        self.version = 0
        self.capacity = max(1, capacity)
        self.yearly_perks = tuple(yearly_perks)
        self.yearly_column = {name: M_YEARLY + j for j, name in enumerate(self.yearly_perks)}
        self.floats = np.zeros((self.capacity, M_YEARLY + len(self.yearly_perks)))
        self.ints = np.zeros((self.capacity, len(MEMBER_INT_FIELDS)), dtype=np.int64)
        self.lots = np.zeros((1, 3))
        self.lots[0, LOT_NEXT] = -1
        self._grow_lots(max(1, lot_capacity))
        self._views()

    def _views(self) -> None:
        for column, name in enumerate(MEMBER_FLOAT_FIELDS):
            setattr(self, name, self.floats[:, column].data)
        for column, name in enumerate(MEMBER_INT_FIELDS):
            setattr(self, name, self.ints[:, column].data)

    def new_row(self) -> int:
        """A row for a new membership."""
        row = self.rows
        if row >= self.capacity:
            capacity = 2 * self.capacity
            floats = np.zeros((capacity, self.floats.shape[1]))
            floats[: self.capacity] = self.floats
            ints = np.zeros((capacity, len(MEMBER_INT_FIELDS)), dtype=np.int64)
            ints[: self.capacity] = self.ints
            self.floats, self.ints, self.capacity = floats, ints, capacity
            self.version += 1
            self._views()
        self.rows = row + 1
        self.ints[row, M_LOT_HEAD] = self.ints[row, M_LOT_TAIL] = -1
        self.floats[row, M_YEARLY:] = math.nan
        return row

    def ensure_free_lots(self) -> None:
        """At least one free lot in the pool (a compiled step adds at most one)."""
        if self.lots[0, LOT_NEXT] < 0:
            self._grow_lots(len(self.lots))

    def _grow_lots(self, extra: int) -> None:
        old = len(self.lots)
        lots = np.zeros((old + extra, 3))
        lots[:old] = self.lots
        lots[old:, LOT_NEXT] = np.arange(old + 1, old + extra + 1)
        lots[-1, LOT_NEXT] = self.lots[0, LOT_NEXT]  # the new lots go in front of the free list
        lots[0, LOT_NEXT] = old
        self.lots = lots
        self.version += 1


class TabledMember(Member):
    """A membership whose numbers live in a :class:`MemberTable` row (see the module docstring)."""

    __slots__ = ("id", "table")

    def __init__(self, table: MemberTable, customer: Any, now: float):
        self.table = table
        self.id = table.new_row()  # the row, as a TabledCustomer's id is its row
        super().__init__(customer, now)
        self.lots = TabledLots(table, self.id)

    @property
    def yearly_due(self) -> YearlyDue:
        """``Member.yearly_due`` in the row's yearly columns."""
        return YearlyDue(self.table, self.id)

    @yearly_due.setter
    def yearly_due(self, dues: dict[str, float]) -> None:
        view = YearlyDue(self.table, self.id)
        view.clear()
        view.update(dues)


for _name in (*MEMBER_FLOAT_FIELDS, *MEMBER_INT_FIELDS[:-2]):  # the lots have their own view
    setattr(TabledMember, _name, table_column(_name, "member"))
del _name


class YearlyDue(MutableMapping):
    """A member's yearly perk due days, by perk name, in a :class:`MemberTable` row."""

    __slots__ = ("row", "table")

    def __init__(self, table: MemberTable, row: int):
        self.table = table
        self.row = row

    def __getitem__(self, name: str) -> float:
        value = float(self.table.floats[self.row, self.table.yearly_column[name]])
        if math.isnan(value):
            raise KeyError(name)
        return value

    def __setitem__(self, name: str, day: float) -> None:
        column = self.table.yearly_column.get(name)
        if column is None:
            raise KeyError(f"'{name}' is not a yearly perk of this program")
        self.table.floats[self.row, column] = day

    def __delitem__(self, name: str) -> None:
        self[name]  # a KeyError if absent
        self.table.floats[self.row, self.table.yearly_column[name]] = math.nan

    def __iter__(self) -> Iterator[str]:
        row = self.table.floats[self.row]
        return iter([n for n, j in self.table.yearly_column.items() if not math.isnan(row[j])])

    def __len__(self) -> int:
        return sum(1 for _ in self)


class TabledLots:
    """A member's points lots in the pool of a :class:`MemberTable`: ``PointLots``' interface.

    The compiled step works on the same lists (``sim.engine.program_kernel``); the operations
    here are the same, lot for lot.
    """

    __slots__ = ("row", "table")

    def __init__(self, table: MemberTable, row: int):
        self.table = table
        self.row = row

    def _walk(self):
        lots, lot = self.table.lots, int(self.table.ints[self.row, M_LOT_HEAD])
        while lot >= 0:
            yield lot
            lot = int(lots[lot, LOT_NEXT])

    def __len__(self) -> int:
        return sum(1 for _ in self._walk())

    def add(self, expires: float, points: int) -> None:
        """Points expiring on ``expires`` (never earlier than the lots already held)."""
        t, row = self.table, self.row
        tail = int(t.ints[row, M_LOT_TAIL])
        if tail >= 0 and t.lots[tail, LOT_EXPIRY] == expires:
            t.lots[tail, LOT_POINTS] += points
            return
        lots = t.lots  # a lot is free: every taking refills the pool when it empties
        lot = int(lots[0, LOT_NEXT])
        lots[0, LOT_NEXT] = lots[lot, LOT_NEXT]
        lots[lot] = (expires, points, -1)
        if tail >= 0:
            lots[tail, LOT_NEXT] = lot
        else:
            t.ints[row, M_LOT_HEAD] = lot
        t.ints[row, M_LOT_TAIL] = lot
        t.ensure_free_lots()  # one free lot for the next compiled step

    def _pop(self) -> None:
        t, row = self.table, self.row
        lot = int(t.ints[row, M_LOT_HEAD])
        following = int(t.lots[lot, LOT_NEXT])
        t.ints[row, M_LOT_HEAD] = following
        if following < 0:
            t.ints[row, M_LOT_TAIL] = -1
        t.lots[lot, LOT_NEXT] = t.lots[0, LOT_NEXT]
        t.lots[0, LOT_NEXT] = lot

    def take(self, points: int, unschedule) -> None:
        """Use ``points`` from the oldest lots; ``unschedule(expiry, n)`` is told of each."""
        lots, left = self.table.lots, points
        while left:
            lot = int(self.table.ints[self.row, M_LOT_HEAD])
            held = int(lots[lot, LOT_POINTS])
            used = left if left < held else held
            lots[lot, LOT_POINTS] = held - used
            left -= used
            unschedule(float(lots[lot, LOT_EXPIRY]), used)
            if held == used:
                self._pop()

    def drop_expired(self, now: float) -> int:
        """Drop the lots whose expiry day has come; returns their points."""
        t, dropped = self.table, 0
        while True:
            lot = int(t.ints[self.row, M_LOT_HEAD])
            if lot < 0 or t.lots[lot, LOT_EXPIRY] > now:
                return dropped
            dropped += int(t.lots[lot, LOT_POINTS])
            self._pop()

    def remaining(self) -> list[tuple[float, int]]:
        """The lots still held, oldest first, as (expiry day, points)."""
        lots = self.table.lots
        return [(float(lots[lot, LOT_EXPIRY]), int(lots[lot, LOT_POINTS])) for lot in self._walk()]

    def clear(self) -> None:
        while self.table.ints[self.row, M_LOT_HEAD] >= 0:
            self._pop()

    def cap_expiry(self, until: float) -> list[tuple[float, int]]:
        """Make every lot expire by ``until``; returns the (old expiry, points) of those moved."""
        moved, lots = [], self.table.lots
        for lot in self._walk():
            if lots[lot, LOT_EXPIRY] > until:
                moved.append((float(lots[lot, LOT_EXPIRY]), int(lots[lot, LOT_POINTS])))
                lots[lot, LOT_EXPIRY] = until
        return moved
