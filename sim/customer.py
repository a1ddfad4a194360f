"""The customer agent: its state, and how SimPy wakes it.

A person becomes an agent when marketing first reaches them (DOMAIN L1: prospects have a
record, suspects do not). An agent is never busy: between its own events it only waits. So
instead of a generator process, the agent is its own SimPy event: the model schedules it with
``env.schedule(customer, delay=gap)`` and SimPy calls the handlers in ``customer.callbacks``
when the simulated clock reaches it. Every decision is made by the model's pure rules in those
handlers, so the work per event is constant however many agents exist.

An agent has at most one wake-up pending at a time; the handler that runs decides the next one.
"""

from __future__ import annotations

import math
from collections.abc import Callable

CHANNELS: tuple[str, ...] = ("existing", "marketing", "word_of_mouth", "referral")
"""How an agent was acquired; ``existing`` are customers the business had at day 0."""
EXISTING, MARKETING, WORD_OF_MOUTH, REFERRAL = range(len(CHANNELS))


class Customer:
    """State of one agent. Times are in days since the start of the run.

    Traits (drawn once): ``base_rate`` purchases/day (gamma, BG/NBD), ``propensity`` to drop
    out at a purchase opportunity (beta, BG/NBD), ``mean_spend`` list basket value (gamma-gamma),
    ``share_of_wallet`` (beta, DOMAIN E4). ``life_end`` is when a life event will end the
    relationship (drawn at acquisition, DOMAIN L4). States on 0..1: ``satisfaction``,
    ``expectation``,
    ``relationship`` (evaluated lazily at ``checked``). ``fresh`` is true from an acquisition
    (or win-back) until the next purchase opportunity: the BG/NBD dropout model skips drift then.

    As a SimPy event, ``callbacks`` holds the handlers of the pending wake-up (SimPy sets it to
    ``None`` while running them) and ``_ok`` tells SimPy the event succeeded.
    """

    _ok = True

    __slots__ = (
        "acquired",
        "base_rate",
        "callbacks",
        "channel",
        "checked",
        "created",
        "expectation",
        "fresh",
        "id",
        "is_member",
        "last_purchase",
        "level",
        "life_end",
        "lost_reason",
        "lost_time",
        "mean_spend",
        "offers_seen",
        "propensity",
        "purchases",
        "relationship",
        "satisfaction",
        "share_of_wallet",
        "spend",
        "stage",
        "value",
        "win_backs",
    )

    def __init__(
        self,
        agent_id: int,
        stage: int,
        created: float,
        channel: int,
        base_rate: float,
        propensity: float,
        mean_spend: float,
        share_of_wallet: float,
        satisfaction: float,
        expectation: float,
        relationship: float,
    ):
        self.id = agent_id
        self.stage = stage
        self.created = created
        self.channel = channel
        self.base_rate = base_rate
        self.propensity = propensity
        self.mean_spend = mean_spend
        self.share_of_wallet = share_of_wallet
        self.satisfaction = satisfaction
        self.expectation = expectation
        self.relationship = relationship
        self.checked = created
        self.acquired = float("nan")
        self.last_purchase = float("nan")
        self.lost_time = float("nan")
        self.lost_reason = -1
        self.purchases = 0
        self.spend = 0.0
        self.value = 0.0
        self.level = -1
        self.offers_seen = 0
        self.is_member = False
        self.win_backs = 0
        self.fresh = True
        self.life_end = math.inf
        self.callbacks: list[Callable[[Customer], None]] | None = None
