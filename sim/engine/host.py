"""What a loyalty program may ask of, or do to, the run (``sim.money.programs.runtime``).

The program never sees the model: it gets this host, whose methods answer from the model's
collaborators (market, shop, survey, moves, talk).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simpy.events import NORMAL

from sim.engine.customer import Customer
from sim.results.recorder import MOVE_CODE
from sim.rules.ladder import CUSTOMER, LOST, MEMBER, SHOPPER

if TYPE_CHECKING:
    from sim.engine.model import AgentModel


class ProgramHost:
    """The run as a program sees it."""

    def __init__(self, model: AgentModel) -> None:
        self.env = model.env
        self.market = model.market
        self.p = model.shop.p
        self.rate = model.shop.rate
        self.survey = model.survey
        self.moves = model.moves
        self.talk = model.talk
        self.rng = model.rng_program
        self.base_reach_buy_probability = model.market.reach_buy_probability
        self._reference_basket = (
            model.scenario.customers.basket_mean * self.p.spend_mult[SHOPPER] * self.p.price_level
        )

    def now(self) -> float:
        return self.env.now

    def schedule(self, event, delay: float) -> None:
        self.env.schedule(event, NORMAL, delay)

    def customer_by_id(self, agent_id: int) -> Customer:
        return self.market.customers[agent_id]

    def list_basket(self, c: Customer) -> float:
        """The customer's average basket at list price, at their rung."""
        p = self.p
        stage = c.stage if SHOPPER <= c.stage < LOST else SHOPPER
        return c.mean_spend * p.spend_mult[stage] * p.price_level

    def reference_basket(self) -> float:
        """A new shopper's average basket at list price."""
        return self._reference_basket

    def expected_orders(self, c: Customer, days: float) -> float:
        """Purchases the customer would make in ``days`` at their current rate."""
        return self.rate(c) * days

    def set_attraction(self, factor: float) -> None:
        """A program changes how attractive a first purchase is (see ``Program._advertise``)."""
        self.market.reach_buy_probability = min(1.0, self.base_reach_buy_probability * factor)

    def surveyed(self, c: Customer, day: int) -> bool:
        return self.survey.surveyed(c, day)

    def leave_program(self, c: Customer) -> None:
        """The customer is no longer enrolled: a member steps down to customer (DOMAIN L1)."""
        c.is_member = False
        if c.stage == MEMBER:
            self.moves.move(c, CUSTOMER, MOVE_CODE["left_program"])

    def lift(self, c: Customer, satisfaction: float, attachment: float) -> None:
        """Change a customer's satisfaction and emotional attachment (kept within 0..1)."""
        if satisfaction:
            c.satisfaction = min(1.0, max(0.0, c.satisfaction + satisfaction))
            if c.level >= 0:
                self.survey.set_level(c)
        if attachment:
            c.attachment = min(1.0, max(0.0, c.attachment + attachment))

    def recommend(self, sender: Customer, day: int) -> None:
        """A member recommends the business for a referral reward (DOMAIN P12)."""
        self.talk.deliver(sender, True, day, self.rng)

    def lend_card(self, lender: Customer, day: int) -> bool:
        """A member lends the card to someone new, who buys with it today (DOMAIN W9)."""
        return self.market.lend_card(lender, day, self.rng)
