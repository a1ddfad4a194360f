"""A customer's membership of a loyalty program: the state every mechanic reads and writes."""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable
from typing import Any


class PointLots:
    """A member's points by expiry day, oldest first, in two compact arrays.

    Entries before ``head`` are used up; they are dropped in bulk once they are the larger
    part, so taking from the front is O(1) amortised. Lots earned on the same expiry day share
    an entry. Kept as arrays rather than a list of pairs, a lot costs 16 bytes, not about 130.
    """

    __slots__ = ("expiry", "head", "points")

    def __init__(self) -> None:
        self.expiry = array("d")
        self.points = array("q")
        self.head = 0

    def __len__(self) -> int:
        return len(self.points) - self.head

    def add(self, expires: float, points: int) -> None:
        """Points expiring on ``expires`` (never earlier than the lots already held)."""
        last = len(self.points) - 1
        if last >= self.head and self.expiry[last] == expires:
            self.points[last] += points
        else:
            self.expiry.append(expires)
            self.points.append(points)

    def take(self, points: int, unschedule: Callable[[float, int], None]) -> None:
        """Use ``points`` from the oldest lots; ``unschedule(expiry, n)`` is told of each."""
        expiry, held = self.expiry, self.points
        i = self.head
        left = points
        while left:
            used = left if left < held[i] else held[i]
            held[i] -= used
            left -= used
            unschedule(expiry[i], used)
            if held[i] == 0:
                i += 1
        self.head = i
        self._compact()

    def drop_expired(self, now: float) -> int:
        """Drop the lots whose expiry day has come; returns their points."""
        expiry, held = self.expiry, self.points
        i, n, dropped = self.head, len(held), 0
        while i < n and expiry[i] <= now:
            dropped += held[i]
            i += 1
        if i != self.head:  # called at every member purchase: usually nothing expired
            self.head = i
            self._compact()
        return dropped

    def remaining(self) -> list[tuple[float, int]]:
        """The lots still held, oldest first, as (expiry day, points)."""
        return list(zip(self.expiry[self.head :], self.points[self.head :], strict=True))

    def clear(self) -> None:
        del self.expiry[:]
        del self.points[:]
        self.head = 0

    def cap_expiry(self, until: float) -> list[tuple[float, int]]:
        """Make every lot expire by ``until``; returns the (old expiry, points) of those moved."""
        moved = []
        expiry, held = self.expiry, self.points
        for i in range(self.head, len(held)):
            if expiry[i] > until:
                moved.append((expiry[i], held[i]))
                expiry[i] = until
        return moved

    def _compact(self) -> None:
        head = self.head
        if head > 32 and 2 * head > len(self.points):
            del self.expiry[:head]
            del self.points[:head]
            self.head = 0


class Member:
    """Program state of one enrolled customer. Times are days since the start of the run.

    ``deal`` is the share of spend the program gives back to this member (before habituation;
    negative when a change of tier, card level or terms means it must be worked out again)
    and ``progress`` the balance's progress to the next reward; ``refreshed`` is when the member
    last felt the deal afresh (joining, better terms, a tier upgrade). The program brings them
    up to date after each purchase, together with what they imply until the next one: the
    multipliers on purchase rate, basket and dropout (``rate_factor``, ``basket_factor``,
    ``loyalty_factor``) and the member's average basket at list price (``basket``).
    """

    __slots__ = (
        "balance",
        "basket",
        "basket_factor",
        "cap_earned",
        "cap_start",
        "customer",
        "deal",
        "discount_level",
        "discounts_received",
        "earn_multiplier",
        "fee_day",
        "joined",
        "left",
        "lots",
        "loyalty_factor",
        "paid_until",
        "partner_checked",
        "period_savings",
        "points_earned",
        "points_redeemed",
        "progress",
        "rate_factor",
        "refreshed",
        "rewards",
        "rewards_value",
        "share_accrued",
        "slot",
        "spend",
        "stake_status",
        "tier",
        "window_metric",
        "window_start",
        "yearly_due",
    )

    def __init__(self, customer: Any, now: float):
        self.customer = customer
        self.joined = now
        self.left = math.nan
        self.refreshed = now
        self.slot = -1
        self.deal = -1.0  # not yet worked out
        self.progress = 0.0
        self.basket = 0.0
        self.rate_factor = 1.0
        self.basket_factor = 1.0
        self.loyalty_factor = 1.0
        self.stake_status = 0.0
        self.spend = 0.0
        # Points (P2): spendable balance, and its lots by expiry day, oldest first.
        self.balance = 0
        self.lots = PointLots()
        self.points_earned = 0
        self.points_redeemed = 0
        self.rewards = 0
        self.rewards_value = 0.0
        self.cap_start = now
        self.cap_earned = 0
        self.earn_multiplier = 1.0
        # Tiers (P3): level index, qualifying metric in the window that started at window_start.
        self.tier = 0
        self.window_start = now
        self.window_metric = 0.0
        # Discount card (P4, P5).
        self.discount_level = 0
        self.discounts_received = 0.0
        # Paid membership (P6): paid up to this day, the day the current fee was paid, and the
        # value received from the program in the current period.
        self.paid_until = math.nan
        self.fee_day = -1
        self.period_savings = 0.0
        # Perks (P8): the day each yearly perk is next due, by perk name (due at joining when
        # absent). Coalition (P9): partner points credited up to this day. Revenue share
        # (P11): accrued and not yet paid out.
        self.yearly_due: dict[str, float] = {}
        self.partner_checked = now
        self.share_accrued = 0.0
