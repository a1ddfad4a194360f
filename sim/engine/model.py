"""One replication of the agent-based loyalty model: the coordinator of its collaborators.

SimPy only keeps time. What it schedules:

* one **market day** process (here): marketing reach (``sim.engine.market``), the day's
  word-of-mouth messages (``sim.engine.talk``), competitor campaigns, daily costs, the daily
  snapshot of counters and the bankruptcy check;
* no process per agent: each agent who will buy is its own SimPy event
  (``sim.engine.customer``), woken at its first purchase, at each purchase opportunity and at a
  return won by word of mouth; the handler that runs (``sim.engine.shop``) schedules the
  agent's next wake-up. A win-back offer to a lost customer is a small event of its own, so
  that word of mouth can still bring the customer back first;
* nothing else: relationship decay, life events and competitor offers are evaluated lazily at the
  agent's own events with closed forms, so the work per event is O(1) and there is no per-day
  loop over agents (ARCHITECTURE principle 2).

The collaborators, each with the parameters of its own concern (``sim.engine.parameters``):
the market (pool and newcomers), the shop (purchases), the survey (NPS voices and satisfaction
levels), the moves (rungs and losses) and talk (word of mouth). Everything the run produces is
published to its recorder (``sim.results.recorder``), from which the result tables are built.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import simpy

from sim.engine import kernel, program_kernel
from sim.engine.compiled_program import CompiledProgram, ProgramStream
from sim.engine.compiled_shop import CompiledShop
from sim.engine.customer import Customer, Wakeups
from sim.engine.host import ProgramHost
from sim.engine.market import Market
from sim.engine.moves import Moves
from sim.engine.parameters import (
    MarketParameters,
    ShopParameters,
    TalkParameters,
    first_purchase_probability,
)
from sim.engine.shop import Shop
from sim.engine.streams import spawn_streams
from sim.engine.survey import Survey
from sim.engine.talk import Talk
from sim.money import ledger
from sim.money.programs.runtime import Program
from sim.results.recorder import Recorder, RunEnd
from sim.rules.ladder import LOST, SHOPPER
from sim.rules.relationship import DAYS_PER_MONTH
from sim.scenario import Scenario


class AgentModel:
    """One agent-based replication: builds the collaborators, runs the market days.

    Parameters
    ----------
    scenario
        Validated scenario (``ladder.mode == "agent"``).
    seed
        Seed of the run's ``SeedSequence``.
    progress
        Optional callback ``progress(day_done, horizon)`` called once per simulated day.
    compiled
        Whether purchase opportunities may run as the compiled step of ``sim.engine.kernel``
        (same results, several times faster; with a program, ``sim.engine.program_kernel``). By
        default they do where ``sim.engine.kernel.enabled()`` says so.
    arrivals
        Times (days, ascending) at which the customers of a given cohort make their first
        purchase, on top of whom the market brings (``sim.engine.market.Market.arrive``); used
        to replay a business's own customers (``sim.calibration``).
    checkpoint_day
        A day at whose end each agent's purchases so far are kept in
        ``purchases_at_checkpoint`` (one number per agent, in order of creation).

    Attributes
    ----------
    market, shop, survey, moves, talk
        The collaborators.
    recorder
        What the run published.
    program
        The loyalty program in place, or None (the natural baseline, DOMAIN P1).
    """

    def __init__(
        self,
        scenario: Scenario,
        seed: int,
        progress: Callable[[int, int], None] | None = None,
        compiled: bool | None = None,
        arrivals: Sequence[float] | None = None,
        checkpoint_day: int | None = None,
    ):
        self.scenario = sc = scenario
        self.seed = seed
        self.progress = progress
        self.env = env = simpy.Environment()
        self.horizon = h = sc.horizon_days
        streams = spawn_streams(seed)
        self.rng_competition = streams["competition"]
        self.rng_program = streams["program"]
        self.ledger = books = ledger.Ledger(h, sc.business.starting_cash, sc.business.credit_line)
        self.recorder = recorder = Recorder(h)
        self.campaigns: list[float] = []
        p = ShopParameters.of(sc)
        self.design = sc.program()
        natural = self.design is None or self.design.is_natural()
        if compiled is None:
            compiled = kernel.enabled()
        # The compiled step makes the purchase opportunities (with a program in place:
        # sim.engine.program_kernel).
        table = None
        if compiled:
            table = kernel.CustomerTable(sc.market.initial_customers + 1024)
            if not natural:
                draws = program_kernel.max_draws(self.design)
                self.rng_program = ProgramStream(self.rng_program, draws)
        self.wakeups = wakeups = Wakeups(env)
        self.survey = survey = Survey(
            h, p.survey_window, p.relationship_forgiveness, p.attachment_forgiveness
        )
        self.moves = moves = Moves(env, h, survey, recorder, p.win_back_rate)
        shop_kind = Shop if table is None else CompiledShop
        self.shop = shop = shop_kind(
            env, p, survey, moves, recorder, books, wakeups, self.campaigns, None, table
        )
        self.market = market = Market(
            MarketParameters.of(sc),
            sc.word_of_mouth,
            streams["market"],
            streams["traits"],
            streams["network"],
            moves,
            recorder,
            wakeups,
            self.campaigns,
            table,
            first_purchase_probability(sc),
        )
        self.talk = Talk(
            env,
            TalkParameters.of(sc),
            p.rules,
            market,
            survey,
            moves,
            recorder,
            wakeups,
            shop.refresh_relationship,
            streams["word_of_mouth"],
            streams["voices"],
        )
        self.program: Program | None = None
        if not natural:
            program_kind = Program if table is None else CompiledProgram
            self.program = program_kind(
                self.design,
                sc.program_response,
                books,
                self.rng_program,
                h,
                sc.customers.purchase_rate_shape / sc.customers.purchase_rate_alpha_days,
                sc.ladder.promotion.fan_min_attachment,
                host=ProgramHost(self),
            )
            shop.program = moves.program = self.program
            if table is not None:
                shop.use_program(self.program)
        self.table = table
        self.arrivals = _arrivals_by_day(arrivals, h)
        self.checkpoint_day = checkpoint_day
        self.purchases_at_checkpoint: list[int] = []
        self.bankrupt_day: int | None = None
        self.stop = env.event()

    @property
    def customers(self) -> list[Customer]:
        """Every agent, in order of creation."""
        return self.market.customers

    def run(self) -> AgentModel:
        """Simulate to the horizon or to bankruptcy, whichever comes first."""
        self.market.add_initial_customers(self.survey.set_level, self.shop.next_opportunity)
        self.env.process(self._market_days())
        self.env.run(until=self.stop)
        if self.program is not None:
            self.program.finish(int(self.env.now))
        self.recorder.finish(
            RunEnd(
                scenario=self.scenario,
                seed=self.seed,
                customers=self.market.customers,
                ledger=self.ledger,
                program=self.program,
                design=self.design,
                bankrupt_day=self.bankrupt_day,
            )
        )
        return self

    def _market_days(self):
        sc = self.scenario
        env, market, survey, recorder = self.env, self.market, self.survey, self.recorder
        ms = sc.market
        reach_p = -math.expm1(-ms.reach_rate_per_year / 365.0)
        campaign_rate = sc.competition.offers_per_year / 365.0
        scheduled = {int(d) for d in sc.competition.scheduled_offer_days}
        fixed_per_day = sc.business.fixed_costs_per_month / DAYS_PER_MONTH
        touch_cost = sc.business.touches_per_day * sc.business.cost_per_touch
        post = self.ledger.post
        program = self.program
        talking = sc.word_of_mouth.enabled
        for day in range(self.horizon):
            survey.start_day(day)
            day_reach_p, cost_per_reach = reach_p, ms.cost_per_reach
            if program is not None:
                program.on_day(day)
                extra, extra_cost = program.extra_reach()
                if extra:
                    total = ms.reach_rate_per_year + extra
                    day_reach_p = -math.expm1(-total / 365.0)
                    cost_per_reach = (
                        ms.cost_per_reach * ms.reach_rate_per_year + extra_cost * extra
                    ) / total
            if day in self.arrivals:
                market.arrive(day, self.arrivals[day])
            reached = market.reach_day(day, day_reach_p)
            if reached:
                post(day, ledger.MARKETING, -reached * cost_per_reach)
            if talking:
                self.talk.day(day)
            n_campaigns = int(self.rng_competition.gen.poisson(campaign_rate))
            n_campaigns += day in scheduled
            self.campaigns.extend([float(day)] * n_campaigns)
            post(day, ledger.FIXED_COSTS, -fixed_per_day)
            post(day, ledger.COMMUNICATION, -self.moves.active() * touch_cost)
            if day == recorder.retention_cohort_day:
                recorder.retention_cohort = [
                    c.id for c in market.customers if SHOPPER <= c.stage < LOST
                ]
            yield env.timeout(1.0)
            if day == self.checkpoint_day:
                self.purchases_at_checkpoint = [c.purchases for c in market.customers]
            self._snapshot()
            cash = self.ledger.close_day(day)
            if self.progress is not None:
                self.progress(day + 1, self.horizon)
            if self.ledger.is_bankrupt(cash):
                self.bankrupt_day = day
                break
        self.stop.succeed()

    def _snapshot(self) -> None:
        if self.program is not None:
            self.program.record_day()
        self.recorder.snapshots.append(
            (
                self.market.pool,
                *self.moves.stage_counts[1:],
                *self.survey.level_counts,
                *self.survey.voice_counts,
                len(self.market.customers),
            )
        )


def _arrivals_by_day(times: Sequence[float] | None, horizon: int) -> dict[int, list[float]]:
    """Arrival times grouped by day, those before the horizon."""
    by_day: dict[int, list[float]] = {}
    if times is None:
        return by_day
    for t in sorted(float(x) for x in times):
        if 0.0 <= t < horizon:
            by_day.setdefault(int(t), []).append(t)
    return by_day
