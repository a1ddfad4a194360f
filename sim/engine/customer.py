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
from typing import Any

import numpy as np
from scipy import special
from simpy.events import NORMAL

from sim.engine.kernel import FLOAT_FIELDS, INT_FIELDS, CustomerTable
from sim.engine.streams import own_seed


class Customer:
    """State of one agent. Times are in days since the start of the run.

    Traits (drawn once): ``base_rate`` purchases/day (gamma, BG/NBD), ``propensity`` to drop
    out at a purchase opportunity (beta, BG/NBD), ``mean_spend`` list basket value (gamma across
    customers; the gamma-gamma model's is inverse gamma, docs/calibration.md),
    ``share_of_wallet`` (beta, DOMAIN E4); ``fate`` is the state of the customer's own random
    stream (``sim.engine.streams.own_uniform``). ``life_end`` is when a life event will end the
    relationship (drawn at acquisition, DOMAIN L4). States on 0..1: ``satisfaction``,
    ``expectation``, ``relationship`` (evaluated lazily at ``checked``) and ``attachment``
    (DOMAIN L6). ``fresh`` is true from an acquisition (or win-back) until the next purchase
    opportunity: the BG/NBD dropout model skips drift then.

    As a SimPy event, ``callbacks`` holds the handlers of the pending wake-up (SimPy sets it to
    ``None`` while running them) and ``_ok`` tells SimPy the event succeeded.
    """

    _ok = True

    __slots__ = (
        "acquired",
        "attachment",
        "base_rate",
        "callbacks",
        "channel",
        "checked",
        "created",
        "expectation",
        "fate",
        "fresh",
        "heard_best",
        "heard_negative",
        "heard_positive",
        "id",
        "is_member",
        "last_purchase",
        "level",
        "life_end",
        "lost_reason",
        "lost_time",
        "mean_spend",
        "member",
        "node",
        "offer_due",
        "offers_seen",
        "pending_loss",
        "promoter_since",
        "propensity",
        "purchases",
        "reach_slot",
        "referrer",
        "relationship",
        "satisfaction",
        "score",
        "share_of_wallet",
        "spend",
        "stage",
        "survey_day",
        "talk_slot",
        "value",
        "voice",
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
        fate: int,
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
        self.fate = fate
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
        # Word of mouth (sim.rules.wom): emotional attachment on 0..1, the last answer to the NPS
        # question (-1 before the first purchase), the voice it gives (a VOICES index, -1 none),
        # the day of that answer (-1 never surveyed), when an unbroken run as a promoter began,
        # messages heard since the last acquisition or loss, who sent the deciding one (-1 an
        # outside voice or nobody), the person's node on a social network (-1 well-mixed), and
        # the agent's place in its voice's list of talkers (-1 not listed), and its place in the
        # list of prospects that marketing has not reached yet (-1 not listed).
        self.attachment = 0.0
        self.score = -1
        self.voice = -1
        self.survey_day = -1
        self.promoter_since = math.nan
        self.heard_positive = 0
        self.heard_negative = 0
        self.heard_best = 0.0  # the highest net heard so far (sim.rules.wom.is_convinced)
        self.referrer = -1
        self.node = -1
        self.talk_slot = -1
        self.reach_slot = -1
        # Loyalty program (sim.money.programs): the membership while enrolled (None otherwise), when
        # the program may next be offered to the customer, and a loss reason (a LOSS_REASONS
        # index) to act on at the next purchase opportunity, set when a program ends or is cut
        # and the customer decides to go (-1 none).
        self.member = None
        self.offer_due = 0.0
        self.pending_loss = -1
        self.callbacks: list[Callable[[Customer], None]] | None = None


def table_column(name: str, table: str = "customer") -> property:
    """The attribute ``name`` of an object with a ``table`` and a row ``id`` in it, kept in the
    table's column ``name`` (a :class:`TabledCustomer`, or a membership of
    ``sim.engine.member_table``)."""

    def get(c: Any) -> Any:
        return getattr(c.table, name)[c.id]

    def put(c: Any, value: Any) -> None:
        getattr(c.table, name)[c.id] = value

    return property(get, put, doc=f"``{name}``, kept in the {table} table.")


class TabledCustomer(Customer):
    """A customer whose numbers live in a :class:`sim.engine.kernel.CustomerTable`.

    The same attributes as :class:`Customer`, so every rule and handler works on either; the
    fields of ``sim.engine.kernel.FLOAT_FIELDS`` and ``INT_FIELDS`` and ``fate`` are read from and
    written to the table's column ``id``, where the compiled purchase opportunity
    (``sim.engine.kernel.opportunity_step``) works on them directly.
    """

    __slots__ = ("table",)

    def __init__(self, table: CustomerTable, agent_id: int, *args: Any):
        self.table = table
        self.id = agent_id
        table.reserve(agent_id)
        super().__init__(agent_id, *args)


def _flag(name: str) -> property:
    """A yes/no attribute kept in the table as 0 or 1."""

    def get(c: TabledCustomer) -> bool:
        return getattr(c.table, name)[c.id] != 0

    def put(c: TabledCustomer, value: bool) -> None:
        getattr(c.table, name)[c.id] = 1 if value else 0

    return property(get, put, doc=f"``{name}``, kept in the customer table as 0 or 1.")


_membership = Customer.member  # the slot holding the membership object


def _get_member(c: TabledCustomer) -> Any:
    return _membership.__get__(c)


def _put_member(c: TabledCustomer, m: Any) -> None:
    _membership.__set__(c, m)
    c.table.member_row[c.id] = -1 if m is None else m.id  # a TabledMember's row


for _name in (*FLOAT_FIELDS, *INT_FIELDS):  # fate: the table's unsigned view of its column
    setattr(TabledCustomer, _name, table_column(_name))
for _name in ("fresh", "is_member"):
    setattr(TabledCustomer, _name, _flag(_name))
TabledCustomer.member = property(
    _get_member,
    _put_member,
    doc="The membership (None: none); its table row is kept in the column ``member_row``.",
)
del _name


class WinBackOffer:
    """A win-back offer due to a lost customer, as a SimPy event of its own (DOMAIN L1, L4).

    It is kept apart from the customer's own event so that word of mouth can still bring the
    customer back sooner: the customer's event is then the return. When the offer comes due
    it is void if the customer is no longer lost from the same loss.
    """

    _ok = True

    __slots__ = ("callbacks", "customer", "lost_time")

    def __init__(self, customer: Customer):
        self.customer = customer
        self.lost_time = customer.lost_time
        self.callbacks: list[Callable[[WinBackOffer], None]] | None = None


class Wakeups:
    """How agents are put on SimPy's queue, and the handlers each kind of wake-up runs.

    The shop (``sim.engine.shop``) registers its handlers; the market and word of mouth wake a
    prospect for a first purchase or a lost customer for a return. The handler lists are
    shared and never mutated: SimPy only iterates an event's callbacks.
    """

    def __init__(self, env: Any) -> None:
        self._schedule = env.schedule
        self.at_first_purchase: list[Callable] = []
        self.at_opportunity: list[Callable] = []
        self.at_win_back: list[Callable] = []
        self.at_word_of_mouth_return: list[Callable] = []

    def wake(self, c: Customer, handlers: list[Callable], delay: float) -> None:
        """Put the agent on SimPy's queue: ``handlers`` run when ``delay`` days have passed."""
        c.callbacks = handlers
        self._schedule(c, NORMAL, delay)


TRAIT_COLUMNS = 5
"""Uniform draws a person's traits take: purchase rate, dropout propensity, mean spend, share
of wallet, and the seed of the person's own stream (``sim.engine.streams.own_uniform``)."""


def traits_from_uniforms(u: np.ndarray, customers: Any) -> list[tuple]:
    """Traits of ``len(u)`` people from a matrix of U(0, 1) draws, one row per person.

    Inverse distribution functions turn row ``i`` into person ``i``'s traits, so a person's
    traits depend on their row only: the same people are drawn whether a day brings 20
    newcomers or 21 (common random numbers across paired runs).

    Parameters
    ----------
    u
        Array of shape ``(n, TRAIT_COLUMNS)`` (extra columns are ignored).
    customers
        The scenario's ``customers`` section: gamma purchase rates and beta dropout propensity
        as in the Pareto/NBD and BG/NBD models (Fader, Hardie & Lee 2005), gamma mean spend
        (after the gamma-gamma spend model, Fader, Hardie & Lee 2005b, whose customers' mean
        spend is inverse gamma) and beta share of wallet
        (DOMAIN E4).

    Returns
    -------
    list of tuple
        ``(base_rate, propensity, mean_spend, share_of_wallet, fate)`` per person.
    """
    cu = customers
    rates = special.gammaincinv(cu.purchase_rate_shape, u[:, 0]) / cu.purchase_rate_alpha_days
    propensity = special.betaincinv(cu.dropout_a, cu.dropout_b, u[:, 1])
    cv = cu.basket_cv_between
    if cv > 0:
        shape = 1.0 / cv**2
        spend = special.gammaincinv(shape, u[:, 2]) * (cu.basket_mean / shape)
    else:
        spend = np.full(len(u), cu.basket_mean)
    wallet = special.betaincinv(cu.share_of_wallet_a, cu.share_of_wallet_b, u[:, 3])
    fate = [own_seed(x) for x in u[:, 4].tolist()]
    return list(
        zip(rates.tolist(), propensity.tolist(), spend.tolist(), wallet.tolist(), fate, strict=True)
    )
