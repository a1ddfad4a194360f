"""Loyalty points as deferred revenue: the IFRS 15 liability of unredeemed points (DOMAIN E7, M5).

When a customer earns points with a purchase, the business has sold two things: the goods, and
a promise of future goods or discounts. IFRS 15 (paragraphs B39-B43, illustrative example 52,
IE267-IE270) therefore splits the price paid between them in proportion to their stand-alone
selling prices, books the goods' share as revenue at once and the points' share as a **contract
liability** (deferred revenue), and releases that liability as revenue when points are
redeemed, in proportion to the points redeemed out of the points *expected* to be redeemed.
Points that will never be redeemed (**breakage**) are thereby recognised along with the
redemptions. The expected redemption rate is re-estimated over time, with a cumulative
catch-up. DOMAIN E7: unredeemed promises are a real obligation; companies that refused to
honour them lost heavily.

Everything here is plain arithmetic, testable without a simulation.
"""

from __future__ import annotations

from dataclasses import dataclass


def allocate_by_standalone_price(price: float, standalone_prices: list[float]) -> list[float]:
    """Split ``price`` between performance obligations by relative stand-alone selling price.

    IFRS 15 paragraphs 73-80: each obligation receives ``price * ssp_i / sum(ssp)``.

    Parameters
    ----------
    price
        Consideration received (e.g. what the customer paid for goods that also earned points).
    standalone_prices
        Stand-alone selling price of each obligation (goods, points, ...), non-negative, not all
        zero.

    Returns
    -------
    list of float
        The allocated amounts, which add up to ``price``.
    """
    total = sum(standalone_prices)
    if total <= 0 or min(standalone_prices) < 0:
        raise ValueError(
            f"standalone_prices must be non-negative and not all zero (got {standalone_prices})"
        )
    return [price * ssp / total for ssp in standalone_prices]


def points_standalone_price(
    points: float, value_per_point: float, expected_redemption_rate: float
) -> float:
    """Stand-alone selling price of points: their face value times the share expected to be used.

    IFRS 15 B42 and IE268: 10,000 points worth 1 each, 95% expected to be redeemed, have a
    stand-alone selling price of 9,500.
    """
    return points * value_per_point * expected_redemption_rate


@dataclass
class PointsLiability:
    """The contract liability of a points program, kept for the pool of points it has issued.

    Attributes
    ----------
    expected_redemption_rate
        Share of all points issued that are expected to be redeemed eventually (0..1); change
        it with :meth:`re_estimate`.
    deferred
        Consideration allocated to points so far (currency).
    issued, redeemed, expired
        Points so far.
    recognised
        Revenue recognised from the liability so far (currency).

    Notes
    -----
    Cumulative revenue recognised is ``deferred * redeemed / expected_total``, where the
    expected total of redemptions is ``expected_redemption_rate * issued``, but never below the
    points already redeemed nor above those that can still be: ``redeemed + outstanding``. So
    when every outstanding point has expired or been redeemed, the whole liability has been
    recognised, and the liability always lies between 0 and ``deferred``.
    """

    expected_redemption_rate: float
    deferred: float = 0.0
    issued: float = 0.0
    redeemed: float = 0.0
    expired: float = 0.0
    recognised: float = 0.0

    def __post_init__(self) -> None:
        _check_rate(self.expected_redemption_rate)

    @property
    def outstanding(self) -> float:
        """Points issued and neither redeemed nor expired."""
        left = self.issued - self.redeemed - self.expired
        # A residue of binary rounding (a billionth of the points issued) is nothing left.
        return left if left > 1e-9 * self.issued else 0.0

    @property
    def liability(self) -> float:
        """Deferred revenue not yet recognised (currency)."""
        return self.deferred - self.recognised

    @property
    def expected_total(self) -> float:
        """Points expected to be redeemed in all, within what is still possible."""
        return expected_redemptions(
            self.expected_redemption_rate, self.issued, self.redeemed, self.outstanding
        )

    def issue(self, points: float, allocated_value: float) -> float:
        """Points earned, with the consideration allocated to them. Returns revenue recognised."""
        if points < 0 or allocated_value < 0:
            raise ValueError("issue: points and allocated_value must be non-negative")
        self.issued += points
        self.deferred += allocated_value
        return self._catch_up()

    def redeem(self, points: float) -> float:
        """Points redeemed. Returns the revenue recognised now."""
        if not 0 <= points <= self.outstanding + 1e-9:
            raise ValueError(f"redeem: {points} points, but only {self.outstanding} outstanding")
        self.redeemed += points
        return self._catch_up()

    def expire(self, points: float) -> float:
        """Points expired unused (breakage). Returns the revenue recognised now."""
        if not 0 <= points <= self.outstanding + 1e-9:
            raise ValueError(f"expire: {points} points, but only {self.outstanding} outstanding")
        self.expired += points
        return self._catch_up()

    def re_estimate(self, expected_redemption_rate: float) -> float:
        """A new expected redemption rate; returns the cumulative catch-up (may be negative)."""
        _check_rate(expected_redemption_rate)
        self.expected_redemption_rate = expected_redemption_rate
        return self._catch_up()

    def _catch_up(self) -> float:
        target = recognised_to_date(self.deferred, self.redeemed, self.expected_total)
        change = target - self.recognised
        self.recognised = target
        return change


def expected_redemptions(
    expected_redemption_rate: float, issued: float, redeemed: float, outstanding: float
) -> float:
    """Points expected to be redeemed in all: ``rate * issued``, but never below the points
    already redeemed nor above those that still can be (``redeemed + outstanding``)."""
    expected = expected_redemption_rate * issued
    if expected < redeemed:
        return redeemed
    possible = redeemed + outstanding
    return expected if expected < possible else possible


def recognised_to_date(deferred: float, redeemed: float, expected_total: float) -> float:
    """Cumulative revenue recognised from the points' allocation: ``deferred * redeemed /
    expected_total`` (IFRS 15 B46: in proportion to the pattern of redemptions); with nothing
    expected to be redeemed, the whole allocation is breakage."""
    return deferred * redeemed / expected_total if expected_total > 0 else deferred


def _check_rate(rate: float) -> None:
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"expected_redemption_rate = {rate}; allowed range 0..1")
