"""The market: the anonymous pool of suspects, and the people who leave it to become agents.

Nobody in the target market is an individual until something touches them (ARCHITECTURE
principle 1, DOMAIN L1): marketing reach, a word-of-mouth message or a lent loyalty card. Then
an agent is created with traits of their own (``sim.engine.customer.traits_from_uniforms``).
On a social network (``sim.engine.network``) every person is a node, and the pool is the set of
nodes no agent holds yet.
"""

from __future__ import annotations

from array import array
from functools import partial

import numpy as np

from sim.engine import kernel
from sim.engine.customer import (
    TRAIT_COLUMNS,
    Customer,
    TabledCustomer,
    Wakeups,
    traits_from_uniforms,
)
from sim.engine.moves import Moves
from sim.engine.network import build_network
from sim.engine.parameters import MarketParameters
from sim.engine.streams import Stream, day_generator, own_exponential
from sim.engine.survey import swap_remove
from sim.results.recorder import EXISTING, MARKETING, MOVE_CODE, REFERRAL, Recorder
from sim.rules import wom
from sim.rules.churn import life_event_time
from sim.rules.ladder import CUSTOMER, PROSPECT, SUSPECT
from sim.scenario import WordOfMouth

TRAIT_BLOCK = 1024
"""Traits of people word of mouth brings are drawn this many at a time."""
REACH_COUNTS, REACHED_PEOPLE, INITIAL_CUSTOMERS, ARRIVALS = range(4)
"""Parts of a day's market stream (``sim.engine.streams.day_generator``): how many people
marketing reaches, who they are, (day 0 only) the customers the business starts with, and the
traits of a given cohort's customers who first buy that day (``arrive``)."""


class Market:
    """The anonymous pool, every agent created from it, and marketing reach.

    Parameters
    ----------
    p
        The numbers reach and newcomers use (:class:`sim.engine.parameters.MarketParameters`).
    word_of_mouth
        The scenario's word-of-mouth section (its network, if any).
    rng_market, rng_traits, rng_network
        The run's market stream (one generator per day), the stream of traits of people word
        of mouth brings, and the stream that builds the network.
    moves, recorder, wakeups
        The ladder's counts, where agents and moves are published, and the wake-up queue.
    campaigns
        Days of every competitor campaign so far: a newcomer has seen none of them.
    table
        The customer table of the compiled step, or None.
    first_purchase_probability
        Probability that a reached person buys (``sim.engine.parameters``).
    """

    def __init__(
        self,
        p: MarketParameters,
        word_of_mouth: WordOfMouth,
        rng_market: Stream,
        rng_traits: Stream,
        rng_network: Stream,
        moves: Moves,
        recorder: Recorder,
        wakeups: Wakeups,
        campaigns: list[float],
        table: kernel.CustomerTable | None,
        first_purchase_probability: float,
    ) -> None:
        self.p = p
        self.rng_market = rng_market
        self.rng_traits = rng_traits
        self.moves = moves
        self.recorder = recorder
        self.wakeups = wakeups
        self.campaigns = campaigns
        self.table = table
        self.reach_buy_probability = first_purchase_probability
        self.pool = p.size
        self.customers: list[Customer] = []
        self._trait_queue: list[tuple] = []
        # Prospects who became agents by hearing a message and whom marketing has not reached
        # yet: marketing reaches them at the same rate as the anonymous pool.
        self.unreached: list[Customer] = []
        self.network = None
        if word_of_mouth.network != "well_mixed":
            gen = rng_network.gen
            size = p.size
            self.network = build_network(
                word_of_mouth.network,
                size,
                word_of_mouth.contacts_per_person,
                word_of_mouth.rewiring_probability,
                int(gen.integers(2**31)),
            )
            order = gen.permutation(size)
            position = np.empty(size, dtype=np.int64)
            position[order] = np.arange(size)
            # The anonymous pool is pool_nodes[:pool], in random order; people are drawn from
            # its end, or removed from the middle when a message finds them.
            self.pool_nodes = array("q", order.tolist())
            self.pool_position = array("q", position.tolist())
            self.node_agent = array("q", [-1]) * size

    def people(self) -> int:
        """Everyone in the target market: the anonymous pool and the agents."""
        return self.pool + len(self.customers)

    # ------------------------------------------------------------------ agents
    def traits(self) -> tuple:
        """Traits of the next person word of mouth or a lent card brings, ``TRAIT_BLOCK`` at a
        time from the traits stream (people marketing reaches draw from their day's stream)."""
        queue = self._trait_queue
        if not queue:
            u = self.rng_traits.gen.random((TRAIT_BLOCK, TRAIT_COLUMNS))
            queue.extend(traits_from_uniforms(u, self.p.customers))
            queue.reverse()
        return queue.pop()

    def claim_person(self, node: int = -1) -> int:
        """Take one person out of the anonymous pool; returns their network node (-1 if none).

        On a network, ``node`` names the person a message found; by default a random one is
        drawn (the pool is kept in random order).
        """
        self.pool -= 1
        if self.network is None:
            return -1
        nodes, position = self.pool_nodes, self.pool_position
        last = self.pool
        if node < 0:
            return nodes[last]
        i, moved = position[node], nodes[last]
        nodes[i], position[moved] = moved, i
        nodes[last], position[node] = node, last
        return node

    def new_agent(
        self,
        stage: int,
        time: float,
        channel: int,
        node: int = -1,
        traits: tuple = (),
        from_pool: bool = True,
    ) -> Customer:
        """A person leaves the anonymous pool and becomes an agent (DOMAIN L1); a cohort's
        customer (``from_pool`` false) was never in it."""
        p = self.p
        node = self.claim_person(node) if from_pool else -1
        c = (Customer if self.table is None else partial(TabledCustomer, self.table))(
            len(self.customers),
            stage,
            time,
            channel,
            *(traits or self.traits()),
            p.initial_satisfaction,
            p.initial_expectation,
            p.initial_relationship,
        )
        c.offers_seen = len(self.campaigns)
        if node >= 0:
            c.node = node
            self.node_agent[node] = c.id
        self.customers.append(c)
        self.moves.stage_counts[stage] += 1
        self.recorder.agents_created[int(time)] += 1
        return c

    def add_initial_customers(self, set_level, next_opportunity) -> None:
        """The customers the business has on day 0, each with their first opportunity ahead."""
        n = self.p.initial_customers
        u = day_generator(self.rng_market, 0, INITIAL_CUSTOMERS).random((n, TRAIT_COLUMNS))
        record = self.recorder.movements.record
        for traits in traits_from_uniforms(u, self.p.customers):
            c = self.new_agent(CUSTOMER, 0.0, EXISTING, traits=traits)
            c.acquired = 0.0
            c.last_purchase = 0.0
            c.life_end = life_event_time(0.0, self.p.life_rates, own_exponential(c))
            set_level(c)
            record(c.id, 0.0, SUSPECT, CUSTOMER, MOVE_CODE["existing_customer"])
            next_opportunity(c)

    def arrive(self, day: int, times: list[float]) -> None:
        """Customers of a given cohort make their first purchase at ``times`` (all on ``day``).

        Used to replay a business's own customers, each from the day of their first purchase
        (``sim.calibration``): they come from outside the anonymous pool, through no channel
        the model decides, and buy for sure. Person ``i`` of the day has row ``i`` of the
        day's own draws as traits.
        """
        u = day_generator(self.rng_market, day, ARRIVALS).random((len(times), TRAIT_COLUMNS))
        record = self.recorder.movements.record
        wake, at_first_purchase = self.wakeups.wake, self.wakeups.at_first_purchase
        reached_code = MOVE_CODE["reached"]
        for traits, time in zip(traits_from_uniforms(u, self.p.customers), times, strict=True):
            c = self.new_agent(PROSPECT, float(day), MARKETING, traits=traits, from_pool=False)
            record(c.id, float(day), SUSPECT, PROSPECT, reached_code)
            wake(c, at_first_purchase, time - day)

    # ------------------------------------------------------------------ reach
    def reach_day(self, day: int, reach_p: float) -> int:
        """Marketing's reach on ``day``, with daily probability ``reach_p`` per person not yet
        reached; returns how many people it reached."""
        gen = day_generator(self.rng_market, day, REACH_COUNTS)
        unreached = len(self.unreached)
        reachable = self.pool + unreached
        reached = int(gen.binomial(reachable, reach_p)) if reachable and reach_p else 0
        if reached:
            from_pool = reached
            if unreached:
                from_pool = int(gen.hypergeometric(self.pool, unreached, reached))
                self.reach_prospects(reached - from_pool, gen)
            self.reach(from_pool, day)
        return reached

    def reach(self, n: int, day: int) -> None:
        """Marketing reaches ``n`` people of the anonymous pool on ``day``.

        Person ``i`` of the day is row ``i`` of the day's own uniform draws: traits, whether
        they will buy and after what delay. A program that changes the pool by a few people
        therefore still reaches the same people (common random numbers).
        """
        u = day_generator(self.rng_market, day, REACHED_PEOPLE).random((n, TRAIT_COLUMNS + 2))
        people = traits_from_uniforms(u, self.p.customers)
        buys = (u[:, TRAIT_COLUMNS] < self.reach_buy_probability).tolist()
        delays = (-np.log1p(-u[:, TRAIT_COLUMNS + 1]) * self.p.decision_delay_days).tolist()
        reached_code = MOVE_CODE["reached"]
        record = self.recorder.movements.record
        wake, at_first_purchase = self.wakeups.wake, self.wakeups.at_first_purchase
        for traits, will_buy, delay in zip(people, buys, delays, strict=True):
            c = self.new_agent(PROSPECT, float(day), MARKETING, traits=traits)
            record(c.id, float(day), SUSPECT, PROSPECT, reached_code)
            if will_buy:
                wake(c, at_first_purchase, delay)

    def reach_prospects(self, n: int, gen: np.random.Generator) -> None:
        """Marketing reaches ``n`` prospects who so far had only heard of the business.

        They decide as a newly reached person does, except that someone who heard more bad than
        good (a negative net, DOMAIN W5) does not buy.
        """
        for _ in range(n):
            c = self.unreached[int(gen.integers(len(self.unreached)))]
            self.unlist_unreached(c)
            heard = wom.net_heard(c.heard_positive, c.heard_negative, self.p.negative_weight)
            if heard >= 0 and gen.random() < self.reach_buy_probability:
                c.channel = MARKETING
                delay = gen.standard_exponential() * self.p.decision_delay_days
                self.wakeups.wake(c, self.wakeups.at_first_purchase, delay)

    def list_unreached(self, c: Customer) -> None:
        """Count ``c`` among the prospects marketing has not reached."""
        c.reach_slot = len(self.unreached)
        self.unreached.append(c)

    def unlist_unreached(self, c: Customer) -> None:
        """Remove ``c`` from the prospects marketing has not reached."""
        moved = swap_remove(self.unreached, c.reach_slot)
        if moved is not None:
            moved.reach_slot = c.reach_slot
        c.reach_slot = -1

    def lend_card(self, lender: Customer, day: int, rs: Stream) -> bool:
        """A member lends the card to someone new, who buys with it today (DOMAIN W9)."""
        node = -1
        if self.network is not None:
            node = self.network.contact(lender.node, rs.uniform())
            if node < 0 or self.node_agent[node] >= 0:
                return False
        elif self.pool <= 0:
            return False
        borrower = self.new_agent(PROSPECT, float(day), REFERRAL, node)
        borrower.referrer = lender.id
        self.recorder.movements.record(
            borrower.id, float(day), SUSPECT, PROSPECT, MOVE_CODE["borrowed_a_card"]
        )
        self.wakeups.wake(borrower, self.wakeups.at_first_purchase, rs.uniform())
        return True
