"""One replication of the agent-based loyalty model: wires SimPy, agents, market and ledger.

SimPy only keeps time. What it schedules:

* one **market day** process: marketing reach (suspects become prospect agents), competitor
  campaigns, daily costs, the daily snapshot of counters and the bankruptcy check;
* no process per agent: each agent who will buy is its own SimPy event (``sim.customer``), woken
  at its first purchase, at each purchase opportunity and at a win-back. The handler that runs
  schedules the agent's next wake-up;
* nothing else: relationship decay, life events and competitor offers are evaluated lazily at the
  agent's own events with closed forms, so the work per event is O(1) and there is no per-day
  loop over agents (ARCHITECTURE principle 2).
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable

import numpy as np
import simpy
from simpy.events import NORMAL

from sim import churn, ledger
from sim.buying import next_gap, price_factor, purchase_rate
from sim.churn import (
    LOSS_REASONS,
    WIN_BACK_ELIGIBLE,
    competitor_acceptance,
    drift_probability,
    drift_reason,
    life_event_reason,
    life_event_time,
)
from sim.customer import EXISTING, MARKETING, Customer
from sim.experience import (
    SATISFACTION_LEVELS,
    experience_score,
    experienced_quality,
    satisfaction_level,
    updated_expectation,
    updated_satisfaction,
)
from sim.ladder import (
    ADVOCATE,
    CUSTOMER,
    LOST,
    PROSPECT,
    SHOPPER,
    SUSPECT,
    PromotionRules,
    next_stage,
)
from sim.relationship import DAYS_PER_MONTH, after_interaction, decay_rate, relationship_after
from sim.scenario import Scenario
from sim.streams import spawn_streams

MOVE_REASONS: tuple[str, ...] = (
    "existing_customer",
    "reached",
    "first_purchase",
    "repeat_purchase",
    "joined_program",
    "left_program",
    "satisfied_and_engaged",
    "delighted_and_close",
    "satisfaction_fell",
    "relationship_fell",
    "won_back",
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


class AgentModel:
    """State and event handlers of one agent-based replication.

    Parameters
    ----------
    scenario
        Validated scenario (``ladder.mode == "agent"``).
    seed
        Seed of the run's ``SeedSequence``.
    progress
        Optional callback ``progress(day_done, horizon)`` called once per simulated day.
    """

    def __init__(
        self,
        scenario: Scenario,
        seed: int,
        progress: Callable[[int, int], None] | None = None,
    ):
        self.scenario = sc = scenario
        self.seed = seed
        self.progress = progress
        self.env = simpy.Environment()
        self.horizon = sc.horizon_days
        streams = spawn_streams(seed)
        self.rng_market = streams["market"]
        self.rng_traits = streams["traits"]
        self.rng_timing = streams["timing"]
        self.rng_experience = streams["experience"]
        self.rng_churn = streams["churn"]
        self.rng_competition = streams["competition"]
        self.rng_win_back = streams["win_back"]
        lad = sc.ladder
        self.spend_mult = lad.per_stage("spend_multiplier")
        self.freq_mult = lad.per_stage("frequency_multiplier")
        self.drop_mult = lad.per_stage("dropout_multiplier")
        self.accept_mult = lad.per_stage("competitor_acceptance_multiplier")
        self.rules = PromotionRules(**lad.promotion.model_dump())
        prod, rel = sc.product, sc.relationship
        self.price_factor = price_factor(prod.price_level, prod.price_elasticity)
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
        cv = sc.customers.basket_cv_within
        self.basket_draw = self.rng_experience.gamma_buffer(1.0 / cv**2 if cv > 0 else math.inf)
        self.ledger = ledger.Ledger(
            self.horizon, sc.business.starting_cash, sc.business.credit_line
        )
        self._cache_parameters(sc)

        # Stocks (current counts) and flows (per-day counts).
        self.pool = sc.market.size
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
        amounts = self.ledger.amounts
        self.revenue_book = amounts[ledger.REVENUE]
        self.cogs_book = amounts[ledger.COST_OF_GOODS]

    # ------------------------------------------------------------------ running
    def run(self) -> AgentModel:
        """Simulate to the horizon or to bankruptcy, whichever comes first."""
        self._add_initial_customers()
        self.env.process(self._market_days())
        self.env.run(until=self.stop)
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
        gen = self.rng_market.gen
        post = self.ledger.post
        for day in range(self.horizon):
            reached = int(gen.binomial(self.pool, reach_p)) if self.pool and reach_p else 0
            if reached:
                self.pool -= reached
                self._reach(reached, day)
                post(day, ledger.MARKETING, -reached * market.cost_per_reach)
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
        self.snapshots.append(
            (self.pool, *self.stage_counts[1:], *self.level_counts, len(self.customers))
        )

    # ------------------------------------------------------------------ agents
    def _draw_traits(self, n: int) -> tuple[list, list, list, list]:
        cu = self.scenario.customers
        gen = self.rng_traits.gen
        rates = gen.gamma(cu.purchase_rate_shape, 1.0 / cu.purchase_rate_alpha_days, n)
        propensity = gen.beta(cu.dropout_a, cu.dropout_b, n)
        cv = cu.basket_cv_between
        if cv > 0:
            spend = gen.gamma(1.0 / cv**2, cu.basket_mean * cv**2, n)
        else:
            spend = np.full(n, cu.basket_mean)
        wallet = gen.beta(cu.share_of_wallet_a, cu.share_of_wallet_b, n)
        return rates.tolist(), propensity.tolist(), spend.tolist(), wallet.tolist()

    def _new_agent(self, stage: int, time: float, channel: int, traits: tuple) -> Customer:
        sc = self.scenario
        c = Customer(
            len(self.customers),
            stage,
            time,
            channel,
            *traits,
            sc.experience.initial_satisfaction,
            sc.experience.initial_expectation,
            sc.relationship.initial,
        )
        c.offers_seen = len(self.campaigns)
        self.customers.append(c)
        self.stage_counts[stage] += 1
        self.agents_created[int(time)] += 1
        return c

    def _add_initial_customers(self) -> None:
        n = self.scenario.market.initial_customers
        if not n:
            return
        self.pool -= n
        for traits in zip(*self._draw_traits(n), strict=True):
            c = self._new_agent(CUSTOMER, 0.0, EXISTING, traits)
            c.acquired = 0.0
            c.last_purchase = 0.0
            c.life_end = life_event_time(0.0, self.life_rates, self.rng_churn.exponential())
            self._set_level(c)
            self.movements.record(c.id, 0.0, SUSPECT, CUSTOMER, _MOVE_CODE["existing_customer"])
            self._next_opportunity(c)

    def _reach(self, n: int, day: int) -> None:
        market = self.scenario.market
        buy_p = min(1.0, market.first_purchase_probability * self.price_factor)
        gen = self.rng_market.gen
        buys = (gen.random(n) < buy_p).tolist()
        delays = (gen.standard_exponential(n) * market.first_purchase_delay_days).tolist()
        reached_code = _MOVE_CODE["reached"]
        for traits, will_buy, delay in zip(
            zip(*self._draw_traits(n), strict=True), buys, delays, strict=True
        ):
            c = self._new_agent(PROSPECT, float(day), MARKETING, traits)
            self.movements.record(c.id, float(day), SUSPECT, PROSPECT, reached_code)
            if will_buy:
                self._wake(c, self._at_first_purchase, delay)

    # ------------------------------------------------------------------ wake-ups
    # SimPy calls these with the agent itself, which is the event (see ``sim.customer``).
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
            self._next_opportunity(c)
            return
        delay = self.win_back_delay(c)
        if delay is not None:
            self._wake(c, self._at_win_back, delay)

    def _on_win_back(self, c: Customer) -> None:
        self.win_back(c)
        self._next_opportunity(c)

    # ------------------------------------------------------------------ events
    def gap(self, c: Customer) -> float:
        """Days to the customer's next purchase opportunity, from their current state."""
        rate = purchase_rate(
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
        if self.periodic:
            return next_gap(rate, True, self.jitter, self.rng_timing.normal())
        return next_gap(rate, False, 0.0, self.rng_timing.exponential())

    def _refresh_relationship(self, c: Customer) -> float:
        """Bring the relationship up to now; only active buyers receive touches."""
        now = self.env.now
        elapsed = now - c.checked
        c.relationship = relationship_after(
            c.relationship,
            elapsed,
            self.touch_rate if SHOPPER <= c.stage < LOST else 0.0,
            self.gain_per_touch,
            self.decay,
        )
        c.checked = now
        return elapsed

    def first_purchase(self, c: Customer) -> None:
        """A prospect buys for the first time and becomes a shopper."""
        self._refresh_relationship(c)
        now = self.env.now
        day = int(now)
        if day >= self.horizon:
            return
        c.acquired = now
        c.life_end = life_event_time(now, self.life_rates, self.rng_churn.exponential())
        self.first_purchases[day] += 1
        self._set_level(c)
        revenue = self.purchase(c)
        self.first_purchase_revenue[day] += revenue

    def opportunity(self, c: Customer) -> bool:
        """A purchase opportunity: the customer either leaves (returns False) or buys."""
        self._refresh_relationship(c)
        ch = self.rng_churn
        reason = None
        if self.env.now >= c.life_end:
            reason = life_event_reason(self.life_rates, ch.uniform())
        campaigns = self.campaigns
        if reason is None and c.offers_seen < len(campaigns):
            comp = self.competition
            accept = competitor_acceptance(
                comp.acceptance_probability,
                self.accept_mult[c.stage],
                c.share_of_wallet,
                c.satisfaction,
                comp.fickle_share_of_wallet,
                comp.committed_share_of_wallet,
                comp.committed_acceptance_factor,
            )
            rc = self.rng_competition
            for _ in range(len(campaigns) - c.offers_seen):
                if rc.uniform() < comp.reach_share and rc.uniform() < accept:
                    reason = churn.COMPETITOR_OFFER
                    break
        c.offers_seen = len(campaigns)
        fresh, c.fresh = c.fresh, False
        if reason is None and not (fresh and self.drift_waits_for_repeat):
            p = drift_probability(
                c.propensity,
                self.drop_mult[c.stage],
                c.satisfaction,
                c.relationship,
                self.ref_satisfaction,
                self.ref_relationship,
                self.drop_satisfaction_sens,
                self.drop_relationship_sens,
            )
            if ch.uniform() < p:
                reason = drift_reason(c.relationship, self.low_interaction_threshold)
        if reason is not None:
            self.lose(c, reason)
            return False
        self.purchase(c)
        return True

    def purchase(self, c: Customer) -> float:
        """Book a purchase, live its experience, and apply the ladder rules. Returns revenue."""
        now = self.env.now
        day = int(now)
        if day >= self.horizon:
            return 0.0
        # A first purchase is made as a shopper; later ones at the rung held before buying.
        stage = c.stage
        spend_stage = stage if stage > PROSPECT else SHOPPER
        basket = c.mean_spend * self.spend_mult[spend_stage] * self.basket_draw.draw()
        revenue = basket * self.price_level
        cost = basket * self.cogs_share
        self.revenue_book[day] += revenue
        self.cogs_book[day] -= cost
        c.value += (revenue - cost) * math.exp(-self.log_discount_per_day * (now - c.acquired))
        c.purchases += 1
        c.spend += revenue
        c.last_purchase = now
        self.purchases[day] += 1

        ex = self.rng_experience
        failed = ex.uniform() < self.failure_rate
        recovered = failed and ex.uniform() < self.recovery_probability
        if recovered:
            self.ledger.post(day, ledger.SERVICE_RECOVERY, -self.recovery_cost)
        expectation = c.expectation
        quality = experienced_quality(
            self.quality_mean + self.quality_sd * ex.normal(),
            expectation,
            failed,
            recovered,
            self.failure_severity,
            self.recovery_bonus,
        )
        score = experience_score(quality, expectation, self.slope, self.performance_weight)
        satisfaction = updated_satisfaction(c.satisfaction, score, self.learning_rate)
        if failed and not recovered and stage >= ADVOCATE:
            satisfaction = min(satisfaction, self.love_to_hate)
        c.satisfaction = satisfaction
        if not failed:
            c.expectation = updated_expectation(
                expectation, quality, self.expectation_up, self.expectation_down
            )
        self._set_level(c)
        c.relationship = after_interaction(c.relationship, self.gain_per_purchase)

        new_stage, why = next_stage(
            stage,
            c.purchases,
            satisfaction,
            c.relationship,
            now - c.acquired,
            c.is_member,
            self.rules,
        )
        if why is not None:
            self.move(c, new_stage, _MOVE_CODE[why])
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
            if c.level >= 0:
                self.level_counts[c.level] -= 1
            self.level_counts[level] += 1
            c.level = level

    def lose(self, c: Customer, reason: int) -> None:
        """The customer leaves for ``reason`` (DOMAIN L4)."""
        now = self.env.now
        day = int(now)
        if day >= self.horizon:
            return
        self.move(c, LOST, _LOST_CODE + reason)
        self.level_counts[c.level] -= 1
        c.level = -1
        c.lost_time = now
        c.lost_reason = reason
        self.losses[reason][day] += 1

    def win_back_delay(self, c: Customer) -> float | None:
        """Days until a lost customer is won back, or None if they will not be."""
        rate = self.scenario.win_back.rate_per_year / 365.0
        if rate <= 0.0 or c.lost_reason not in WIN_BACK_ELIGIBLE:
            return None
        return self.rng_win_back.exponential() / rate

    def win_back(self, c: Customer) -> None:
        """A lost customer returns as a customer and buys."""
        now = self.env.now
        day = int(now)
        if day >= self.horizon:
            return
        sc = self.scenario
        self._refresh_relationship(c)
        c.relationship = max(c.relationship, sc.relationship.initial)
        c.satisfaction = max(c.satisfaction, sc.experience.initial_satisfaction)
        c.offers_seen = len(self.campaigns)
        c.lost_time = float("nan")
        c.lost_reason = -1
        c.win_backs += 1
        c.fresh = True
        self.won_back[day] += 1
        self.ledger.post(day, ledger.WIN_BACK_OFFERS, -sc.win_back.cost_per_win_back)
        self.move(c, CUSTOMER, _MOVE_CODE["won_back"])
        self._set_level(c)
        self.purchase(c)


def _active_stage(stage: int) -> bool:
    return SHOPPER <= stage < LOST
