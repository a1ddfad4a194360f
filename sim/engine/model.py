"""One replication of the agent-based loyalty model: wires SimPy, agents, market and ledger.

SimPy only keeps time. What it schedules:

* one **market day** process: marketing reach (suspects become prospect agents), the day's
  word-of-mouth messages (``sim.rules.wom``), competitor campaigns, daily costs, the daily snapshot
  of counters and the bankruptcy check;
* no process per agent: each agent who will buy is its own SimPy event (``sim.engine.customer``),
woken
  at its first purchase, at each purchase opportunity and at a return won by word of mouth. The
  handler that runs schedules the agent's next wake-up. A win-back offer to a lost customer is
  a small event of its own (``WinBackOffer``), so that word of mouth can still bring the
  customer back first;
* nothing else: relationship decay, life events and competitor offers are evaluated lazily at the
  agent's own events with closed forms, so the work per event is O(1) and there is no per-day
  loop over agents (ARCHITECTURE principle 2).
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable
from functools import partial

import numpy as np
import simpy
from scipy import special
from simpy.events import NORMAL

from sim.engine import kernel
from sim.engine.customer import (
    CHANNELS,
    EXISTING,
    MARKETING,
    REFERRAL,
    TRAIT_COLUMNS,
    WORD_OF_MOUTH,
    Customer,
    TabledCustomer,
    WinBackOffer,
    traits_from_uniforms,
)
from sim.engine.network import build_network
from sim.engine.streams import (
    GOLDEN_GAMMA,
    MASK_64,
    MIX_1,
    MIX_2,
    QUANTILE_POINTS,
    QUANTILE_SHIFT,
    STANDARD_NORMAL,
    TO_UNIT,
    Stream,
    day_generator,
    own_exponential,
    own_normal,
    own_uniform,
    quantile_table,
    spawn_streams,
)
from sim.money import ledger
from sim.money.programs.mechanic import Sale
from sim.money.programs.runtime import Program
from sim.rules import churn, wom
from sim.rules.buying import next_gap, price_factor, purchase_rate
from sim.rules.churn import (
    LOSS_REASONS,
    WIN_BACK_ELIGIBLE,
    competitor_acceptance,
    drift_reason,
    life_event_reason,
    life_event_time,
)
from sim.rules.experience import (
    SATISFACTION_LEVELS,
    experienced_quality,
    satisfaction_level,
)
from sim.rules.ladder import (
    ADVOCATE,
    CUSTOMER,
    LOST,
    MEMBER,
    PROSPECT,
    RAVING_FAN,
    SHOPPER,
    SUSPECT,
    PromotionRules,
    next_stage,
    upper_rung,
)
from sim.rules.relationship import DAYS_PER_MONTH, closed_form, decay_rate
from sim.rules.wom import (
    PASSIVE_MIN_SCORE,
    PROMOTER_MIN_SCORE,
    TALKS,
    VOICE_DETRACTOR,
    VOICE_FAN,
    VOICE_PASSIVE,
    VOICE_PROMOTER,
    VOICES,
)
from sim.scenario import Scenario

TRAIT_BLOCK = 1024
"""Traits of people word of mouth brings are drawn this many at a time."""
REACH_COUNTS, REACHED_PEOPLE, INITIAL_CUSTOMERS = range(3)
"""Parts of a day's market stream (``sim.engine.streams.day_generator``): how many people marketing
reaches, who they are, and (day 0 only) the customers the business starts with."""

MOVE_REASONS: tuple[str, ...] = (
    "existing_customer",
    "reached",
    "heard_word_of_mouth",
    "first_purchase",
    "repeat_purchase",
    "joined_program",
    "left_program",
    "sustained_promoter",
    "enthusiastic_and_attached",
    "no_longer_promoter",
    "attachment_faded",
    "heard_criticism",
    "won_back",
    "won_back_by_word_of_mouth",
    "borrowed_a_card",
    *(f"lost:{reason}" for reason in LOSS_REASONS),
)
"""Every recorded cause of a movement on the ladder (ARCHITECTURE principle 4)."""
_MOVE_CODE = {reason: i for i, reason in enumerate(MOVE_REASONS)}
_LOST_CODE = _MOVE_CODE["lost:low_interaction"]


class Movements:
    """Compact append-only log of ladder movements: who, when, from, to, why."""

    def __init__(self) -> None:
        self.agent = array("l")
        self.time = array("d")
        self.origin = array("b")
        self.target = array("b")
        self.reason = array("b")

    def record(self, agent: int, time: float, origin: int, target: int, reason: int) -> None:
        self.agent.append(agent)
        self.time.append(time)
        self.origin.append(origin)
        self.target.append(target)
        self.reason.append(reason)


class _ProgramHost:
    """What a loyalty program may ask of, or do to, the model (``sim.money.programs.runtime``)."""

    def now(self) -> float:
        return self.env.now

    def schedule(self, event, delay: float) -> None:
        self._schedule(event, NORMAL, delay)

    def customer_by_id(self, agent_id: int) -> Customer:
        return self.customers[agent_id]

    def list_basket(self, c: Customer) -> float:
        """The customer's average basket at list price, at their rung."""
        stage = c.stage if SHOPPER <= c.stage < LOST else SHOPPER
        return c.mean_spend * self.spend_mult[stage] * self.price_level

    def reference_basket(self) -> float:
        """A new shopper's average basket at list price."""
        return self.scenario.customers.basket_mean * self.spend_mult[SHOPPER] * self.price_level

    def expected_orders(self, c: Customer, days: float) -> float:
        """Purchases the customer would make in ``days`` at their current rate."""
        return self._rate(c) * days

    def set_attraction(self, factor: float) -> None:
        """A program changes how attractive a first purchase is (see ``Program._advertise``)."""
        self.reach_buy_probability = min(1.0, self.base_reach_buy_probability * factor)

    def surveyed(self, c: Customer, day: int) -> bool:
        return c.survey_day >= 0 and c.survey_day + self.survey_window > day

    def leave_program(self, c: Customer) -> None:
        """The customer is no longer enrolled: a member steps down to customer (DOMAIN L1)."""
        c.is_member = False
        if c.stage == MEMBER:
            self.move(c, CUSTOMER, _MOVE_CODE["left_program"])

    def lift(self, c: Customer, satisfaction: float, attachment: float) -> None:
        """Change a customer's satisfaction and emotional attachment (kept within 0..1)."""
        if satisfaction:
            c.satisfaction = min(1.0, max(0.0, c.satisfaction + satisfaction))
            if c.level >= 0:
                self._set_level(c)
        if attachment:
            c.attachment = min(1.0, max(0.0, c.attachment + attachment))

    def recommend(self, sender: Customer, day: int) -> None:
        """A member recommends the business for a referral reward (DOMAIN P12)."""
        self._deliver(sender, True, day, self.rng_program)

    def lend_card(self, lender: Customer, day: int) -> bool:
        """A member lends the card to someone new, who buys with it today (DOMAIN W9)."""
        rs = self.rng_program
        node = -1
        if self.network is not None:
            node = self.network.contact(lender.node, rs.uniform())
            if node < 0 or self.node_agent[node] >= 0:
                return False
        elif self.pool <= 0:
            return False
        borrower = self._new_agent(PROSPECT, float(day), REFERRAL, node)
        borrower.referrer = lender.id
        self.movements.record(
            borrower.id, float(day), SUSPECT, PROSPECT, _MOVE_CODE["borrowed_a_card"]
        )
        self._wake(borrower, self._at_first_purchase, rs.uniform())
        return True


class AgentModel(_ProgramHost):
    """State and event handlers of one agent-based replication.

    Parameters
    ----------
    scenario
        Validated scenario (``ladder.mode == "agent"``).
    seed
        Seed of the run's ``SeedSequence``.
    progress
        Optional callback ``progress(day_done, horizon)`` called once per simulated day.
    compiled
        Whether purchase opportunities may run as the compiled step of ``sim.engine.kernel`` (same
        results, several times faster). By default they do where ``sim.engine.kernel.enabled()``
        says so and the run has no program and exponential timing.
    """

    def __init__(
        self,
        scenario: Scenario,
        seed: int,
        progress: Callable[[int, int], None] | None = None,
        compiled: bool | None = None,
    ):
        self.scenario = sc = scenario
        self.seed = seed
        self.progress = progress
        self.env = simpy.Environment()
        self.horizon = sc.horizon_days
        streams = spawn_streams(seed)
        self.rng_market = streams["market"]
        self.rng_traits = streams["traits"]
        self.rng_competition = streams["competition"]
        self.rng_wom = streams["word_of_mouth"]
        self.rng_voices = streams["voices"]
        self.rng_program = streams["program"]
        lad = sc.ladder
        self.spend_mult = lad.per_stage("spend_multiplier")
        self.freq_mult = lad.per_stage("frequency_multiplier")
        self.drop_mult = lad.per_stage("dropout_multiplier")
        self.accept_mult = lad.per_stage("competitor_acceptance_multiplier")
        self.rules = PromotionRules(**lad.promotion.model_dump())
        prod, rel = sc.product, sc.relationship
        self.price_factor = price_factor(prod.price_level, prod.price_elasticity)
        # A person reached by marketing buys with this probability, after an exponential delay
        # of this mean; a person convinced by word of mouth waits the same delay.
        self.reach_buy_probability = min(
            1.0, sc.market.first_purchase_probability * self.price_factor
        )
        self.decision_delay_days = sc.market.first_purchase_delay_days
        self.periodic = sc.customers.purchase_timing == "periodic"
        self.drift_waits_for_repeat = sc.customers.dropout_model == "bgnbd"
        self.touch_rate = sc.business.touches_per_month / DAYS_PER_MONTH
        self.decay = decay_rate(rel.half_life_days)
        self.log_discount_per_day = math.log1p(sc.business.discount_rate_per_year) / 365.0
        le = sc.life_events
        self.life_rates = (
            le.needs_changed_per_year / 365.0,
            le.moved_away_per_year / 365.0,
            le.went_bankrupt_per_year / 365.0,
        )
        # Basket value around the customer's mean: unit-mean gamma (gamma-gamma spend model),
        # drawn from the customer's own stream through its quantile table.
        cv = sc.customers.basket_cv_within
        self.basket_quantiles = (
            quantile_table(lambda q: special.gammaincinv(cv**-2, q) * cv**2)
            if cv > 0
            else array("d", [1.0] * QUANTILE_POINTS)
        )
        self.ledger = ledger.Ledger(
            self.horizon, sc.business.starting_cash, sc.business.credit_line
        )
        self._cache_parameters(sc)
        self.base_reach_buy_probability = self.reach_buy_probability
        self.design = sc.program()
        self.program: Program | None = None
        if self.design is not None and not self.design.is_natural():
            self.program = Program(
                self.design,
                sc.program_response,
                self.ledger,
                self.rng_program,
                self.horizon,
                prod.price_elasticity,
                lad.promotion.fan_min_attachment,
                host=self,
            )

        # Stocks (current counts) and flows (per-day counts).
        self.pool = sc.market.size
        self._trait_queue: list[tuple] = []
        self._setup_word_of_mouth(sc, streams["network"])
        self.stage_counts = [0] * (LOST + 1)
        self.level_counts = [0] * len(SATISFACTION_LEVELS)
        h = self.horizon
        self.agents_created = [0] * h
        self.first_purchases = [0] * h
        self.purchases = [0] * h
        self.won_back = [0] * h
        self.first_purchase_revenue = [0.0] * h
        self.losses = [[0] * h for _ in LOSS_REASONS]
        self.snapshots: list[tuple] = []
        self.customers: list[Customer] = []
        self.campaigns: list[float] = []
        self.movements = Movements()
        self.bankrupt_day: int | None = None
        self.retention_window = min(365, max(1, h // 2))
        self.retention_cohort: list[int] = []
        self.retention_cohort_day = self.horizon - self.retention_window
        self.stop = self.env.event()
        self._schedule = self.env.schedule
        # Shared, never mutated: SimPy only iterates an event's callbacks.
        self._at_first_purchase = [self._on_first_purchase]
        self._at_opportunity = [self._on_opportunity]
        self._at_win_back = [self._on_win_back]
        self._at_word_of_mouth_return = [self._on_word_of_mouth_return]
        if compiled is None:
            compiled = kernel.enabled()
        self.table: kernel.CustomerTable | None = None
        if compiled and self.program is None and not self.periodic:
            self._setup_step(sc)

    def _setup_step(self, sc: Scenario) -> None:
        """Run purchase opportunities as ``sim.engine.kernel.opportunity_step``, on a customer
        table."""
        self.table = kernel.CustomerTable(sc.market.initial_customers + 1024)
        self._at_opportunity = [self._on_opportunity_step]
        # Most parameters are attributes of the model, its competition section or its promotion
        # rules under the same name; the rest are unpacked here.
        unpacked = {
            "drift_waits_for_repeat": 1.0 if self.drift_waits_for_repeat else 0.0,
            "needs_changed_rate": self.life_rates[0],
            "moved_away_rate": self.life_rates[1],
            "went_bankrupt_rate": self.life_rates[2],
            "touched_steady": self.touched[0],
            "touched_rate": self.touched[1],
            "untouched_steady": self.untouched[0],
            "untouched_rate": self.untouched[1],
        }

        def parameter(name: str) -> float:
            if name in unpacked:
                return unpacked[name]
            owner = next(o for o in (self, self.competition, self.rules) if hasattr(o, name))
            return float(getattr(owner, name))

        constants = np.zeros(kernel.CONSTANTS)
        constants[: kernel.STAGE_OFFSET] = [parameter(name) for name in kernel.PARAMETERS]
        stages = constants[kernel.STAGE_OFFSET : kernel.TABLE_OFFSET].reshape(
            len(kernel.STAGE_MULTIPLIERS), kernel.STAGE_COLUMNS
        )
        stages[:] = 1.0
        for row, name in enumerate(kernel.STAGE_MULTIPLIERS):
            multipliers = getattr(self, name)
            stages[row, : len(multipliers)] = multipliers
        constants[kernel.TABLE_OFFSET : kernel.OUT_OFFSET] = [
            *self.basket_quantiles,
            *STANDARD_NORMAL,
        ]
        self.step_constants = constants
        self._step_out = constants.data
        self._ladder_codes = tuple(_MOVE_CODE[why] for why in kernel.LADDER_REASONS)

    def _cache_parameters(self, sc: Scenario) -> None:
        """Copy the scenario numbers used at every event into plain attributes.

        The event handlers run hundreds of thousands of times; one attribute lookup instead of
        a chain through the scenario sections keeps their cost down.
        """
        beh, prod, xp, comp = sc.behaviour, sc.product, sc.experience, sc.competition
        self.ref_satisfaction = beh.reference_satisfaction
        self.ref_relationship = beh.reference_relationship
        self.freq_satisfaction_sens = beh.frequency_satisfaction_sensitivity
        self.freq_relationship_sens = beh.frequency_relationship_sensitivity
        self.drop_satisfaction_sens = beh.dropout_satisfaction_sensitivity
        self.drop_relationship_sens = beh.dropout_relationship_sensitivity
        self.low_interaction_threshold = beh.low_interaction_threshold
        self.jitter = sc.customers.periodic_jitter
        self.gain_per_touch = sc.relationship.gain_per_touch
        self.gain_per_purchase = sc.relationship.gain_per_purchase
        self.price_level = prod.price_level
        self.cogs_share = prod.cost_of_goods_share
        self.failure_rate = prod.service_failure_rate
        self.recovery_probability = prod.recovery_probability
        self.recovery_cost = prod.recovery_cost
        self.quality_mean = prod.quality_mean
        self.quality_sd = prod.quality_sd
        self.failure_severity = prod.failure_severity
        self.recovery_bonus = prod.recovery_bonus
        self.slope = xp.disconfirmation_slope
        self.performance_weight = xp.performance_weight
        self.learning_rate = xp.learning_rate
        self.expectation_up = xp.expectation_up_rate
        self.expectation_down = xp.expectation_down_rate
        self.love_to_hate = xp.love_to_hate_satisfaction
        self.competition = comp
        self.neg_log_discount_per_day = -self.log_discount_per_day
        # The relationship's closed form (sim.rules.relationship.relationship_after) for buyers, who
        # receive touches, and for everyone else: (steady state, -speed).
        self.touched = closed_form(self.touch_rate, self.gain_per_touch, self.decay)
        self.untouched = closed_form(0.0, self.gain_per_touch, self.decay)
        amounts = self.ledger.amounts
        self.revenue_book = amounts[ledger.REVENUE]
        self.cogs_book = amounts[ledger.COST_OF_GOODS]

    def _setup_word_of_mouth(self, sc: Scenario, network_stream: Stream) -> None:
        """State of word of mouth: the NPS survey's counters, the talkers, the network."""
        wm = sc.word_of_mouth
        h = self.horizon
        self.talking = wm.enabled
        self.survey_window = wm.survey_window_days
        self.relationship_forgiveness = wm.relationship_forgiveness
        self.attachment_forgiveness = wm.attachment_forgiveness
        self.attachment_rate = wm.attachment_rate
        self.promoter_rate = wm.promoter_messages_per_year / 365.0
        self.detractor_rate = wm.detractor_messages_per_year / 365.0
        self.fan_multiplier = wm.fan_message_multiplier
        self.negative_weight = wm.negative_weight
        self.positives_to_choose = wm.positives_to_choose
        self.negative_drop = wm.negative_satisfaction_drop
        self.defence_probability = wm.fan_defence_probability
        self.contacts = wm.contacts_per_person
        # Surveyed customers per voice now, and how many leave the survey on each day: a
        # customer who bought on day d is surveyed on days d .. d + window - 1.
        self.voice_counts = [0] * len(VOICES)
        self.voice_expiry = [[0] * (h + self.survey_window + 1) for _ in VOICES]
        # Who can talk, per voice (lists with O(1) removal; customers whose survey answer has
        # expired are dropped lazily when drawn).
        self.talkers: list[list[Customer]] = [[] for _ in VOICES]
        # Prospects who became agents by hearing a message and whom marketing has not reached
        # yet: marketing reaches them at the same rate as the anonymous pool.
        self.unreached: list[Customer] = []
        self.messages_positive = [0] * h
        self.messages_negative = [0] * h
        self.messages_countered = [0] * h
        self.won_back_by_word_of_mouth = [0] * h
        self.acquired_by_channel = [[0] * h for _ in CHANNELS]
        self.network = None
        if wm.network != "well_mixed":
            gen = network_stream.gen
            size = sc.market.size
            self.network = build_network(
                wm.network,
                size,
                wm.contacts_per_person,
                wm.rewiring_probability,
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

    # ------------------------------------------------------------------ running
    def run(self) -> AgentModel:
        """Simulate to the horizon or to bankruptcy, whichever comes first."""
        self._add_initial_customers()
        self.env.process(self._market_days())
        self.env.run(until=self.stop)
        if self.program is not None:
            self.program.finish(int(self.env.now))
        return self

    def _market_days(self):
        sc = self.scenario
        env = self.env
        market = sc.market
        reach_p = -math.expm1(-market.reach_rate_per_year / 365.0)
        campaign_rate = sc.competition.offers_per_year / 365.0
        scheduled = {int(d) for d in sc.competition.scheduled_offer_days}
        fixed_per_day = sc.business.fixed_costs_per_month / DAYS_PER_MONTH
        touch_cost = self.touch_rate * sc.business.cost_per_touch
        post = self.ledger.post
        expiry, voice_counts = self.voice_expiry, self.voice_counts
        program = self.program
        for day in range(self.horizon):
            for voice, leaving in enumerate(expiry):
                voice_counts[voice] -= leaving[day]
            day_reach_p, cost_per_reach = reach_p, market.cost_per_reach
            if program is not None:
                program.on_day(day)
                extra, extra_cost = program.extra_reach()
                if extra:
                    total = market.reach_rate_per_year + extra
                    day_reach_p = -math.expm1(-total / 365.0)
                    cost_per_reach = (
                        market.cost_per_reach * market.reach_rate_per_year + extra_cost * extra
                    ) / total
            gen = day_generator(self.rng_market, day, REACH_COUNTS)
            unreached = len(self.unreached)
            reachable = self.pool + unreached
            reached = int(gen.binomial(reachable, day_reach_p)) if reachable and day_reach_p else 0
            if reached:
                from_pool = reached
                if unreached:
                    from_pool = int(gen.hypergeometric(self.pool, unreached, reached))
                    self._reach_prospects(reached - from_pool, day, gen)
                self._reach(from_pool, day)
                post(day, ledger.MARKETING, -reached * cost_per_reach)
            if self.talking:
                self._word_of_mouth(day)
            n_campaigns = int(self.rng_competition.gen.poisson(campaign_rate))
            n_campaigns += day in scheduled
            self.campaigns.extend([float(day)] * n_campaigns)
            post(day, ledger.FIXED_COSTS, -fixed_per_day)
            post(day, ledger.COMMUNICATION, -self._active() * touch_cost)
            if day == self.retention_cohort_day:
                self.retention_cohort = [c.id for c in self.customers if _active_stage(c.stage)]
            yield env.timeout(1.0)
            self._snapshot(day)
            cash = self.ledger.close_day(day)
            if self.progress is not None:
                self.progress(day + 1, self.horizon)
            if self.ledger.is_bankrupt(cash):
                self.bankrupt_day = day
                break
        self.stop.succeed()

    def _active(self) -> int:
        counts = self.stage_counts
        return counts[SHOPPER] + counts[CUSTOMER] + counts[4] + counts[5] + counts[6]

    def _snapshot(self, day: int) -> None:
        if self.program is not None:
            self.program.record_day()
        self.snapshots.append(
            (
                self.pool,
                *self.stage_counts[1:],
                *self.level_counts,
                *self.voice_counts,
                len(self.customers),
            )
        )

    # ------------------------------------------------------------------ agents
    def _traits(self) -> tuple:
        """Traits of the next person word of mouth or a lent card brings, ``TRAIT_BLOCK`` at a
        time from the traits stream (people marketing reaches draw from their day's stream)."""
        queue = self._trait_queue
        if not queue:
            u = self.rng_traits.gen.random((TRAIT_BLOCK, TRAIT_COLUMNS))
            queue.extend(traits_from_uniforms(u, self.scenario.customers))
            queue.reverse()
        return queue.pop()

    def _claim_person(self, node: int = -1) -> int:
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

    def _new_agent(
        self, stage: int, time: float, channel: int, node: int = -1, traits: tuple = ()
    ) -> Customer:
        """A person leaves the anonymous pool and becomes an agent (DOMAIN L1)."""
        sc = self.scenario
        node = self._claim_person(node)
        c = (Customer if self.table is None else partial(TabledCustomer, self.table))(
            len(self.customers),
            stage,
            time,
            channel,
            *(traits or self._traits()),
            sc.experience.initial_satisfaction,
            sc.experience.initial_expectation,
            sc.relationship.initial,
        )
        c.offers_seen = len(self.campaigns)
        if node >= 0:
            c.node = node
            self.node_agent[node] = c.id
        self.customers.append(c)
        self.stage_counts[stage] += 1
        self.agents_created[int(time)] += 1
        return c

    def _add_initial_customers(self) -> None:
        n = self.scenario.market.initial_customers
        u = day_generator(self.rng_market, 0, INITIAL_CUSTOMERS).random((n, TRAIT_COLUMNS))
        for traits in traits_from_uniforms(u, self.scenario.customers):
            c = self._new_agent(CUSTOMER, 0.0, EXISTING, traits=traits)
            c.acquired = 0.0
            c.last_purchase = 0.0
            c.life_end = life_event_time(0.0, self.life_rates, own_exponential(c))
            self._set_level(c)
            self.movements.record(c.id, 0.0, SUSPECT, CUSTOMER, _MOVE_CODE["existing_customer"])
            self._next_opportunity(c)

    def _reach(self, n: int, day: int) -> None:
        """Marketing reaches ``n`` people of the anonymous pool on ``day``.

        Person ``i`` of the day is row ``i`` of the day's own uniform draws: traits, whether
        they will buy and after what delay. A program that changes the pool by a few people
        therefore still reaches the same people (common random numbers).
        """
        u = day_generator(self.rng_market, day, REACHED_PEOPLE).random((n, TRAIT_COLUMNS + 2))
        people = traits_from_uniforms(u, self.scenario.customers)
        buys = (u[:, TRAIT_COLUMNS] < self.reach_buy_probability).tolist()
        delays = (-np.log1p(-u[:, TRAIT_COLUMNS + 1]) * self.decision_delay_days).tolist()
        reached_code = _MOVE_CODE["reached"]
        for traits, will_buy, delay in zip(people, buys, delays, strict=True):
            c = self._new_agent(PROSPECT, float(day), MARKETING, traits=traits)
            self.movements.record(c.id, float(day), SUSPECT, PROSPECT, reached_code)
            if will_buy:
                self._wake(c, self._at_first_purchase, delay)

    def _reach_prospects(self, n: int, day: int, gen: np.random.Generator) -> None:
        """Marketing reaches ``n`` prospects who so far had only heard of the business.

        They decide as a newly reached person does, except that someone who heard more bad than
        good (a negative net, DOMAIN W5) does not buy.
        """
        for _ in range(n):
            c = self.unreached[int(gen.integers(len(self.unreached)))]
            self._unlist_unreached(c)
            heard = wom.net_heard(c.heard_positive, c.heard_negative, self.negative_weight)
            if heard >= 0 and gen.random() < self.reach_buy_probability:
                c.channel = MARKETING
                delay = gen.standard_exponential() * self.decision_delay_days
                self._wake(c, self._at_first_purchase, delay)

    def _unlist_unreached(self, c: Customer) -> None:
        """Remove ``c`` from the prospects marketing has not reached."""
        moved = _swap_remove(self.unreached, c.reach_slot)
        if moved is not None:
            moved.reach_slot = c.reach_slot
        c.reach_slot = -1

    # ------------------------------------------------------------------ wake-ups
    # SimPy calls these with the agent itself, which is the event (see ``sim.engine.customer``), or,
    # for a win-back offer, with the offer.
    def _wake(self, c: Customer, handlers: list, delay: float) -> None:
        """Put the agent on SimPy's queue: ``handlers`` run when ``delay`` days have passed."""
        c.callbacks = handlers
        self._schedule(c, NORMAL, delay)

    def _next_opportunity(self, c: Customer) -> None:
        """Schedule the agent's next purchase opportunity, unless it has stopped buying."""
        gap = self.gap(c)
        if gap != math.inf:
            self._wake(c, self._at_opportunity, gap)

    def _on_first_purchase(self, c: Customer) -> None:
        self.first_purchase(c)
        self._next_opportunity(c)

    def _on_opportunity(self, c: Customer) -> None:
        if self.opportunity(c):
            gap = self.gap(c)  # _next_opportunity, inlined: most events come here
            if gap != math.inf:
                c.callbacks = self._at_opportunity
                self._schedule(c, NORMAL, gap)
            return
        self._offer_win_back(c)

    def _offer_win_back(self, c: Customer) -> None:
        """Schedule a win-back offer to a customer just lost, if they are to get one."""
        delay = self.win_back_delay(c)
        if delay is not None:
            offer = WinBackOffer(c)
            offer.callbacks = self._at_win_back
            self._schedule(offer, NORMAL, delay)

    def _on_opportunity_step(self, c: TabledCustomer) -> None:
        """``_on_opportunity`` through the compiled step (``sim.engine.kernel``), for runs with no
        program and exponential timing: the step does the arithmetic, this the bookkeeping."""
        now = self.env._now
        t = self.table
        flags = kernel.opportunity_step(
            c.id, now, len(self.campaigns), t.floats, t.ints, self.step_constants
        )
        if flags & kernel.LOST_FLAG:
            self.lose(c, (flags >> kernel.REASON) & 255)
            self._offer_win_back(c)
            return
        out = self._step_out
        if flags & kernel.BOUGHT:
            day = int(now)
            self.revenue_book[day] += out[kernel.OUT_REVENUE]
            self.cogs_book[day] -= out[kernel.OUT_COST]
            self.purchases[day] += 1
            if flags & kernel.RECOVERY_COST:
                self.ledger.post(day, ledger.SERVICE_RECOVERY, -self.recovery_cost)
            if flags & kernel.LEVEL_CHANGED:  # the step has set the new level
                self._count_level(
                    ((flags >> kernel.OLD_LEVEL) & 15) - 1, (flags >> kernel.NEW_LEVEL) & 15
                )
            if flags & kernel.MOVED:
                why = self._ladder_codes[(flags >> kernel.WHY) & 15]
                self.move(c, (flags >> kernel.STAGE_TO) & 15, why)
            # _set_voice(c, voice, day, day); the step has recorded the new answer.
            voice, last = (flags >> kernel.VOICE_OUT) & 15, flags >> kernel.LAST
            if flags & kernel.VOICE_RENEWED:
                leaving = self.voice_expiry[voice]
                leaving[last] -= 1
                leaving[day + self.survey_window] += 1
            else:
                self._count_voice(c, ((flags >> kernel.OLD_VOICE) & 15) - 1, last, voice, day, day)
        gap = out[kernel.OUT_GAP]
        if gap != math.inf:
            c.callbacks = self._at_opportunity
            self._schedule(c, NORMAL, gap)

    def _on_win_back(self, offer: WinBackOffer) -> None:
        c = offer.customer
        if c.stage != LOST or c.lost_time != offer.lost_time or c.callbacks is not None:
            return  # void: back already, or on the way back, by word of mouth
        self.win_back(c)
        self._next_opportunity(c)

    def _on_word_of_mouth_return(self, c: Customer) -> None:
        self.win_back(c, by_word_of_mouth=True)
        self._next_opportunity(c)

    # ------------------------------------------------------------------ word of mouth
    def _word_of_mouth(self, day: int) -> None:
        """Send the day's recommendations (DOMAIN W3, W4) and let their recipients react.

        Each surveyed promoter sends positive messages at the promoter rate (a raving fan at a
        multiple of it), each surveyed detractor negative ones at the detractor rate; the
        outside voices of the scenario add theirs from a stream of their own. The number sent
        in a day is Poisson; the messages go out in random order.
        """
        counts = self.voice_counts
        fans = self.fan_multiplier * counts[VOICE_FAN]
        positive_weight = counts[VOICE_PROMOTER] + fans
        rs = self.rng_wom
        gen = rs.gen
        n_pos = int(gen.poisson(self.promoter_rate * positive_weight)) if positive_weight else 0
        detractors = counts[VOICE_DETRACTOR]
        n_neg = int(gen.poisson(self.detractor_rate * detractors)) if detractors else 0
        if n_pos or n_neg:
            fan_share = fans / positive_weight if positive_weight else 0.0
            for positive in _in_random_order(n_pos, n_neg, gen):
                if positive:
                    voice = VOICE_FAN if rs.uniform() < fan_share else VOICE_PROMOTER
                else:
                    voice = VOICE_DETRACTOR
                self._deliver(self._pick_talker(voice, day, rs), positive, day, rs)
        wm = self.scenario.word_of_mouth
        if wm.outside_promoters or wm.outside_detractors:
            rv = self.rng_voices
            n_pos = int(rv.gen.poisson(self.promoter_rate * wm.outside_promoters))
            n_neg = int(rv.gen.poisson(self.detractor_rate * wm.outside_detractors))
            for positive in _in_random_order(n_pos, n_neg, rv.gen):
                self._deliver(None, positive, day, rv)

    def _pick_talker(self, voice: int, day: int, rs: Stream) -> Customer:
        """A random surveyed customer of ``voice``; expired entries are dropped on the way."""
        talkers = self.talkers[voice]
        window = self.survey_window
        while True:
            c = talkers[int(rs.uniform() * len(talkers))]
            if c.survey_day + window > day:
                return c
            self._unlist(c, voice)

    def _deliver(self, sender: Customer | None, positive: bool, day: int, rs: Stream) -> None:
        """One message from ``sender`` (None: an outside voice) reaches someone.

        Well-mixed: anyone in the target market at random, whether still anonymous or already an
        agent. On a network: one of the sender's neighbours (a random person for an outside
        voice). A message to an anonymous person makes them an agent (a prospect).
        """
        network = self.network
        if network is None:
            node = -1
            u = int(rs.uniform() * (self.pool + len(self.customers)))
            if u < self.pool:
                target = None
            else:
                target = self.customers[u - self.pool]
                if target is sender:
                    return
        else:
            if sender is None:
                node = int(rs.uniform() * network.size)
            else:
                node = network.contact(sender.node, rs.uniform())
                if node < 0:
                    return
            agent = self.node_agent[node]
            target = None if agent < 0 else self.customers[agent]
        if positive:
            self.messages_positive[day] += 1
        else:
            self.messages_negative[day] += 1
            if self._countered(node, rs):
                self.messages_countered[day] += 1
                return
        if target is None:
            target = self._new_agent(PROSPECT, float(day), WORD_OF_MOUTH, node)
            target.reach_slot = len(self.unreached)
            self.unreached.append(target)
            self.movements.record(
                target.id, float(day), SUSPECT, PROSPECT, _MOVE_CODE["heard_word_of_mouth"]
            )
        self._hear(target, positive, sender, day, rs)

    def _countered(self, node: int, rs: Stream) -> bool:
        """Whether a raving fan who knows the recipient defends the brand (DOMAIN L1, L9)."""
        fans = self.stage_counts[RAVING_FAN]
        if not fans or not self.defence_probability:
            return False
        network = self.network
        if network is None:
            knows = wom.chance_a_fan_is_a_contact(
                fans, self.pool + len(self.customers), self.contacts
            )
            return rs.uniform() < knows * self.defence_probability
        node_agent, customers = self.node_agent, self.customers
        for i in range(network.start[node], network.start[node + 1]):
            agent = node_agent[network.neighbours[i]]
            if agent >= 0 and customers[agent].stage == RAVING_FAN:
                return rs.uniform() < self.defence_probability
        return False

    def _hear(
        self, c: Customer, positive: bool, sender: Customer | None, day: int, rs: Stream
    ) -> None:
        """How a recipient reacts to a message (DOMAIN W2, W5, L7).

        A prospect, or a lost customer who could come back, adds it to what they heard; enough
        net positives make them choose the business (their first purchase, or a return, after
        the usual delay). A current customer who hears a negative message thinks less of the
        business. Someone already on their way to buy keeps their decision.
        """
        stage = c.stage
        if SHOPPER <= stage < LOST:
            if not positive:
                self._criticised(c, day)
            return
        if stage == LOST and c.lost_reason not in WIN_BACK_ELIGIBLE:
            return
        if positive:
            c.heard_positive += 1
        else:
            c.heard_negative += 1
        if not positive or c.callbacks is not None:
            return
        heard = wom.net_heard(c.heard_positive, c.heard_negative, self.negative_weight)
        if not wom.is_convinced(heard, self.positives_to_choose):
            return
        c.referrer = -1 if sender is None else sender.id
        delay = rs.exponential() * self.decision_delay_days
        if stage == PROSPECT:
            if c.reach_slot >= 0:
                self._unlist_unreached(c)
            referral = sender is not None and ADVOCATE <= sender.stage < LOST
            c.channel = REFERRAL if referral else WORD_OF_MOUTH
            self._wake(c, self._at_first_purchase, delay)
        else:
            self._wake(c, self._at_word_of_mouth_return, delay)

    def _criticised(self, c: Customer, day: int) -> None:
        """A customer hears a negative recommendation: satisfaction drops, and may tip them down."""
        c.satisfaction = max(0.0, c.satisfaction - self.negative_drop)
        self._set_level(c)
        now = self.env.now
        self._refresh_relationship(c, now)
        score, promoter_days = self._answer(c, now)
        stage = c.stage
        if stage >= ADVOCATE:  # only the word-of-mouth rungs can be lost to criticism
            new_stage, _ = upper_rung(
                stage, score, promoter_days, c.attachment, c.is_member, self.rules
            )
            if new_stage < stage:
                self.move(c, new_stage, _MOVE_CODE["heard_criticism"])
        if self.surveyed(c, day):
            self._set_voice(c, wom.voice(score, c.stage == RAVING_FAN), c.survey_day, day)

    def _answer(self, c: Customer, now: float) -> tuple[int, float]:
        """The customer's answer to the NPS question now, and their days as a promoter.

        Keeps the start of the customer's unbroken run of promoter answers; the days are 0 for
        an answer below promoter.
        """
        score = wom.likelihood_to_recommend(
            c.satisfaction,
            c.relationship,
            c.attachment,
            self.relationship_forgiveness,
            self.attachment_forgiveness,
        )
        c.score = score
        if score < wom.PROMOTER_MIN_SCORE:
            c.promoter_since = math.nan
            return score, 0.0
        if c.promoter_since != c.promoter_since:  # NaN: the run starts now
            c.promoter_since = now
        return score, now - c.promoter_since

    def _set_voice(self, c: Customer, voice: int, survey_day: int, day: int) -> None:
        """Record a survey answer given on ``survey_day`` (``voice`` -1: leave the survey)."""
        window = self.survey_window
        old = c.voice
        if voice == old >= 0 and survey_day == day and c.survey_day + window > day:
            # The common case: a surveyed customer buys again and keeps their voice; only the
            # day they leave the survey moves.
            leaving = self.voice_expiry[voice]
            leaving[c.survey_day + window] -= 1
            leaving[survey_day + window] += 1
            c.survey_day = survey_day
            return
        self._count_voice(c, old, c.survey_day + window, voice, survey_day, day)
        c.voice, c.survey_day = voice, survey_day

    def _count_voice(
        self, c: Customer, old: int, old_last: int, voice: int, survey_day: int, day: int
    ) -> None:
        """Move the survey's counts, expiry days and talkers from ``c``'s answer ``old``
        (surveyed until ``old_last``) to ``voice`` given on ``survey_day`` (-1: none)."""
        window = self.survey_window
        if old >= 0 and old_last > day:
            self.voice_counts[old] -= 1
            self.voice_expiry[old][old_last] -= 1
        if c.talk_slot >= 0 and old != voice:
            self._unlist(c, old)
        if voice >= 0 and survey_day + window > day:
            self.voice_counts[voice] += 1
            self.voice_expiry[voice][survey_day + window] += 1
            if TALKS[voice] and c.talk_slot < 0:
                talkers = self.talkers[voice]
                c.talk_slot = len(talkers)
                talkers.append(c)

    def _unlist(self, c: Customer, voice: int) -> None:
        """Remove ``c`` from the talkers of ``voice``."""
        moved = _swap_remove(self.talkers[voice], c.talk_slot)
        if moved is not None:
            moved.talk_slot = c.talk_slot
        c.talk_slot = -1

    # ------------------------------------------------------------------ events
    def gap(self, c: Customer) -> float:
        """Days to the customer's next purchase opportunity, from their current state.

        The rules of ``sim.rules.buying.purchase_rate`` and ``next_gap``, inlined (same operations
        in the same order; ``tests/test_inlined_rules.py`` checks them against the pure functions).
        """
        rate = (
            c.base_rate
            * self.freq_mult[c.stage]
            * self.price_factor
            * math.exp(
                self.freq_satisfaction_sens * (c.satisfaction - self.ref_satisfaction)
                + self.freq_relationship_sens * (c.relationship - self.ref_relationship)
            )
        )
        if c.member is not None:
            rate *= c.member.rate_factor
        if self.periodic:
            return next_gap(rate, True, self.jitter, own_normal(c))
        # own_exponential(c), inlined; drawn whatever the rate, as next_gap's argument was.
        s = (c.fate + GOLDEN_GAMMA) & MASK_64
        c.fate = s
        z = ((s ^ (s >> 30)) * MIX_1) & MASK_64
        z = ((z ^ (z >> 27)) * MIX_2) & MASK_64
        draw = -math.log(1.0 - ((z ^ (z >> 31)) >> 11) * TO_UNIT)
        return math.inf if rate <= 0.0 else draw / rate

    def _rate(self, c: Customer) -> float:
        """The customer's purchase rate per day, before any program effect."""
        return purchase_rate(
            c.base_rate,
            self.freq_mult[c.stage],
            c.satisfaction,
            c.relationship,
            self.ref_satisfaction,
            self.ref_relationship,
            self.freq_satisfaction_sens,
            self.freq_relationship_sens,
            self.price_factor,
        )

    def _refresh_relationship(self, c: Customer, now: float) -> None:
        """Bring the relationship up to ``now``; only active buyers receive touches.

        ``sim.rules.relationship.relationship_after`` with its constants worked out once per run
        (``closed_form``).
        """
        steady, rate = self.touched if SHOPPER <= c.stage < LOST else self.untouched
        c.relationship = steady + (c.relationship - steady) * math.exp(rate * (now - c.checked))
        c.checked = now

    def first_purchase(self, c: Customer) -> None:
        """A prospect buys for the first time and becomes a shopper."""
        now = self.env.now
        self._refresh_relationship(c, now)
        day = int(now)
        if day >= self.horizon:
            return
        c.acquired = now
        c.life_end = life_event_time(now, self.life_rates, own_exponential(c))
        self.first_purchases[day] += 1
        self.acquired_by_channel[c.channel][day] += 1
        self._set_level(c)
        revenue = self.purchase(c, now)
        self.first_purchase_revenue[day] += revenue
        if self.program is not None:
            self.program.on_first_purchase(c, day)

    def opportunity(self, c: Customer) -> bool:
        """A purchase opportunity: the customer either leaves (returns False) or buys."""
        now = self.env.now
        self._refresh_relationship(c, now)
        reason = None
        m = c.member
        loyalty = 1.0 if m is None else m.loyalty_factor
        if c.pending_loss >= 0:
            reason, c.pending_loss = c.pending_loss, -1
        elif now >= c.life_end:
            reason = life_event_reason(self.life_rates, own_uniform(c))
        campaigns = self.campaigns
        if reason is None and c.offers_seen < len(campaigns):
            comp = self.competition
            accept = (
                competitor_acceptance(
                    comp.acceptance_probability,
                    self.accept_mult[c.stage],
                    c.share_of_wallet,
                    c.satisfaction,
                    comp.fickle_share_of_wallet,
                    comp.committed_share_of_wallet,
                    comp.committed_acceptance_factor,
                )
                * loyalty
            )
            for _ in range(len(campaigns) - c.offers_seen):
                if own_uniform(c) < comp.reach_share and own_uniform(c) < accept:
                    reason = churn.COMPETITOR_OFFER
                    break
        c.offers_seen = len(campaigns)
        fresh, c.fresh = c.fresh, False
        if reason is None and not (fresh and self.drift_waits_for_repeat):
            # sim.rules.churn.drift_probability, inlined.
            p = (
                c.propensity
                * self.drop_mult[c.stage]
                * math.exp(
                    self.drop_satisfaction_sens * (self.ref_satisfaction - c.satisfaction)
                    + self.drop_relationship_sens * (self.ref_relationship - c.relationship)
                )
            )
            p = (1.0 if p > 1.0 else p) * loyalty
            s = (c.fate + GOLDEN_GAMMA) & MASK_64  # own_uniform(c), inlined
            c.fate = s
            z = ((s ^ (s >> 30)) * MIX_1) & MASK_64
            z = ((z ^ (z >> 27)) * MIX_2) & MASK_64
            if ((z ^ (z >> 31)) >> 11) * TO_UNIT < p:
                reason = drift_reason(c.relationship, self.low_interaction_threshold)
        if reason is not None:
            self.lose(c, reason)
            return False
        self.purchase(c, now)
        return True

    def purchase(self, c: Customer, now: float) -> float:
        """Book a purchase at ``now``, live its experience, and apply the ladder rules.

        Returns the revenue. The rules of ``sim.rules.experience``, ``sim.rules.relationship``,
        ``sim.rules.wom`` and ``sim.rules.ladder`` that every purchase applies are inlined here
        (same operations in the same order as the pure functions, which stay the reference;
        ``tests/test_inlined_rules.py`` checks the two agree): a purchase is most of the engine's
        events, and a function call costs about as much as the arithmetic it wraps.
        """
        day = int(now)
        if day >= self.horizon:
            return 0.0
        # A first purchase is made as a shopper; later ones at the rung held before buying.
        stage = c.stage
        spend_stage = stage if stage > PROSPECT else SHOPPER
        # The customer's own draws are inlined too (sim.engine.streams.own_uniform's arithmetic; a
        # table lookup takes the draw's top QUANTILE_BITS bits, own_quantile_index): the
        # basket, then whether the service fails, is recovered, and the quality.
        s = (c.fate + GOLDEN_GAMMA) & MASK_64
        z = ((s ^ (s >> 30)) * MIX_1) & MASK_64
        z = ((z ^ (z >> 27)) * MIX_2) & MASK_64
        c.fate = s
        basket = (
            c.mean_spend
            * self.spend_mult[spend_stage]
            * self.basket_quantiles[(z ^ (z >> 31)) >> QUANTILE_SHIFT]
        )
        program = self.program
        sale: Sale | None = None
        if program is not None:
            if c.member is None:
                program.offer(c, spend_stage, now)
            if c.member is not None:
                basket *= c.member.basket_factor
                sale = program.checkout(c, basket * self.price_level, now)
        revenue = basket * self.price_level
        paid = revenue if sale is None else sale.paid
        cost = basket * self.cogs_share
        self.revenue_book[day] += revenue
        self.cogs_book[day] -= cost
        c.value += (paid - cost) * math.exp(self.neg_log_discount_per_day * (now - c.acquired))
        c.purchases += 1
        c.spend += paid
        c.last_purchase = now
        self.purchases[day] += 1

        # The experience (sim.rules.experience).
        s = (c.fate + GOLDEN_GAMMA) & MASK_64
        z = ((s ^ (s >> 30)) * MIX_1) & MASK_64
        z = ((z ^ (z >> 27)) * MIX_2) & MASK_64
        failed = ((z ^ (z >> 31)) >> 11) * TO_UNIT < self.failure_rate
        if failed:
            c.fate = s
            if sale is not None and program.repairs(c, sale):
                recovered = True  # a free repair (DOMAIN P8), booked as a perk
            else:
                recovered = own_uniform(c) < self.recovery_probability
                if recovered:
                    self.ledger.post(day, ledger.SERVICE_RECOVERY, -self.recovery_cost)
            s = c.fate
        else:
            recovered = False
        s = (s + GOLDEN_GAMMA) & MASK_64
        z = ((s ^ (s >> 30)) * MIX_1) & MASK_64
        z = ((z ^ (z >> 27)) * MIX_2) & MASK_64
        c.fate = s
        expectation = c.expectation
        quality = (
            self.quality_mean + self.quality_sd * STANDARD_NORMAL[(z ^ (z >> 31)) >> QUANTILE_SHIFT]
        )
        if failed:
            quality = experienced_quality(
                quality,
                expectation,
                failed,
                recovered,
                self.failure_severity,
                self.recovery_bonus,
            )
        else:
            quality = 0.0 if quality < 0.0 else (1.0 if quality > 1.0 else quality)
        x = self.slope * ((quality - expectation) + self.performance_weight * (quality - 0.5))
        score = 0.0 if x < -60.0 else 1.0 / (1.0 + math.exp(-x))
        satisfaction = c.satisfaction
        satisfaction = satisfaction + self.learning_rate * (score - satisfaction)
        if failed and not recovered and stage >= ADVOCATE:
            satisfaction = min(satisfaction, self.love_to_hate)
        if sale is not None and sale.satisfaction_boost:
            satisfaction = min(1.0, satisfaction + sale.satisfaction_boost)
        c.satisfaction = satisfaction
        if not failed:
            gap = quality - expectation
            c.expectation = (
                expectation + (self.expectation_up if gap > 0.0 else self.expectation_down) * gap
            )
        level = int(satisfaction * 5.0)
        level = 4 if level > 4 else (0 if level < 0 else level)
        if level != c.level:
            self._set_level(c)

        # Relationship and attachment (sim.rules.relationship, sim.rules.wom).
        relationship = c.relationship
        c.relationship = relationship = relationship + self.gain_per_purchase * (1.0 - relationship)
        attachment = c.attachment
        target = satisfaction * relationship
        attachment = attachment + self.attachment_rate * (target - attachment)
        if sale is not None and sale.attachment_boost:
            attachment = min(1.0, attachment + sale.attachment_boost)
        c.attachment = attachment

        # The answer to the NPS question (AgentModel._answer) and the ladder (sim.rules.ladder).
        shortfall = (
            (1.0 - satisfaction)
            * (1.0 - self.relationship_forgiveness * relationship)
            * (1.0 - self.attachment_forgiveness * attachment)
        )
        score = math.floor(10.0 * (1.0 - shortfall) + 0.5)
        score = 10 if score > 10 else (0 if score < 0 else score)
        c.score = score
        if score < PROMOTER_MIN_SCORE:
            c.promoter_since = math.nan
            promoter_days = 0.0
        else:
            if c.promoter_since != c.promoter_since:  # NaN: the run starts now
                c.promoter_since = now
            promoter_days = now - c.promoter_since
        if score < PROMOTER_MIN_SCORE and stage == (MEMBER if c.is_member else CUSTOMER):
            new_stage = stage  # next_stage's answer for a non-promoter on these rungs: stay
        else:
            new_stage, why = next_stage(
                stage, c.purchases, score, promoter_days, attachment, c.is_member, self.rules
            )
            if why is not None:
                self.move(c, new_stage, _MOVE_CODE[why])

        # The survey answer's voice (sim.rules.wom.voice), and its common update of _set_voice.
        if score >= PROMOTER_MIN_SCORE:
            voice = VOICE_FAN if new_stage == RAVING_FAN else VOICE_PROMOTER
        else:
            voice = VOICE_PASSIVE if score >= PASSIVE_MIN_SCORE else VOICE_DETRACTOR
        window = self.survey_window
        last = c.survey_day + window
        if voice == c.voice >= 0 and last > day:
            leaving = self.voice_expiry[voice]
            leaving[last] -= 1
            leaving[day + window] += 1
            c.survey_day = day
        else:
            self._set_voice(c, voice, day, day)
        return revenue

    def move(self, c: Customer, stage: int, reason: int) -> None:
        """Move an agent to another stage, keeping counts and the movement log."""
        self.stage_counts[c.stage] -= 1
        self.stage_counts[stage] += 1
        self.movements.record(c.id, self.env.now, c.stage, stage, reason)
        c.stage = stage

    def _set_level(self, c: Customer) -> None:
        level = satisfaction_level(c.satisfaction)
        if level != c.level:
            self._count_level(c.level, level)
            c.level = level

    def _count_level(self, old: int, new: int) -> None:
        """Move one customer's count from satisfaction level ``old`` (-1: none) to ``new``."""
        if old >= 0:
            self.level_counts[old] -= 1
        self.level_counts[new] += 1

    def lose(self, c: Customer, reason: int) -> None:
        """The customer leaves for ``reason`` (DOMAIN L4)."""
        now = self.env.now
        day = int(now)
        if day >= self.horizon:
            return
        self.move(c, LOST, _LOST_CODE + reason)
        if c.member is not None:
            self.program.on_lost(c, day)
        self.level_counts[c.level] -= 1
        c.level = -1
        self._set_voice(c, -1, -1, day)
        c.promoter_since = math.nan
        c.heard_positive = c.heard_negative = 0
        c.lost_time = now
        c.lost_reason = reason
        self.losses[reason][day] += 1

    def win_back_delay(self, c: Customer) -> float | None:
        """Days until a lost customer is won back, or None if they will not be."""
        rate = self.scenario.win_back.rate_per_year / 365.0
        if rate <= 0.0 or c.lost_reason not in WIN_BACK_ELIGIBLE:
            return None
        return own_exponential(c) / rate

    def win_back(self, c: Customer, by_word_of_mouth: bool = False) -> None:
        """A lost customer returns as a customer and buys.

        Won back by the business's offer (at its cost), or by what they heard from others.
        """
        now = self.env.now
        day = int(now)
        if day >= self.horizon:
            return
        sc = self.scenario
        self._refresh_relationship(c, now)
        c.relationship = max(c.relationship, sc.relationship.initial)
        c.satisfaction = max(c.satisfaction, sc.experience.initial_satisfaction)
        c.offers_seen = len(self.campaigns)
        c.lost_time = float("nan")
        c.lost_reason = -1
        c.win_backs += 1
        c.fresh = True
        self.won_back[day] += 1
        if by_word_of_mouth:
            self.won_back_by_word_of_mouth[day] += 1
            self.move(c, CUSTOMER, _MOVE_CODE["won_back_by_word_of_mouth"])
        else:
            self.ledger.post(day, ledger.WIN_BACK_OFFERS, -sc.win_back.cost_per_win_back)
            self.move(c, CUSTOMER, _MOVE_CODE["won_back"])
        self._set_level(c)
        self.purchase(c, now)


def _in_random_order(positives: int, negatives: int, gen: np.random.Generator) -> list[bool]:
    """The day's messages, ``True`` for positive, shuffled when they are of both kinds."""
    signs = [True] * positives + [False] * negatives
    if positives and negatives:
        gen.shuffle(signs)
    return signs


def _swap_remove(items: list[Customer], slot: int) -> Customer | None:
    """Remove ``items[slot]`` in O(1) by moving the last item into its place.

    Returns the moved item, whose recorded slot the caller must update (None if the removed
    item was the last one).
    """
    last = items.pop()
    if slot < len(items):
        items[slot] = last
        return last
    return None


def _active_stage(stage: int) -> bool:
    return SHOPPER <= stage < LOST
