"""Revenue sharing (DOMAIN P11): members accrue a share of what they pay, paid out periodically.

The share is a cost when the sale is made (booked as ``revenue_share``) and a debt to the member
until the payout (``revenue_share_payable``); on a payout day the program pays every member what
they accrued. A member who leaves before the payout forfeits their accrual.
"""

from __future__ import annotations

from sim.money import ledger
from sim.money.programs.mechanic import Mechanic, Sale
from sim.money.programs.member import Member


def share_of(paid: float, share: float) -> float:
    """The member's share of one payment."""
    return paid * share


def is_payout_day(day: int, launch_day: int, every_days: int) -> bool:
    """Whether ``day`` closes a payout period counted from the launch."""
    return day > launch_day and (day - launch_day) % every_days == 0


class RevenueShareMechanic(Mechanic):
    """Accrues the member's share at each purchase."""

    def delayed_rate(self, m: Member, basket: float) -> float:
        return self.terms.share_of_spend

    def stake(self, m: Member, now: float) -> float:
        return m.share_accrued

    def after_payment(self, m: Member, sale: Sale) -> None:
        if not self.books.active:
            return
        amount = share_of(sale.paid, self.terms.share_of_spend)
        m.share_accrued += amount
        self.books.accrued_share += amount
        self.books.transfer(sale.day, ledger.REVENUE_SHARE, ledger.REVENUE_SHARE_PAYABLE, -amount)

    def on_leave(self, m: Member, day: int) -> None:
        if m.share_accrued:
            self.books.accrued_share -= m.share_accrued
            self.books.transfer(
                day, ledger.REVENUE_SHARE, ledger.REVENUE_SHARE_PAYABLE, m.share_accrued
            )
            m.share_accrued = 0.0
