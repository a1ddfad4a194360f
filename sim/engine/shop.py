"""The shop: purchase opportunities, purchases, their experience, and the ladder rules after each.

Each buying agent is its own SimPy event (``sim.engine.customer``); the handlers here run when
it wakes: a first purchase, a purchase opportunity (where the customer either buys or leaves),
a win-back offer, or a return won by word of mouth. Each schedules the agent's next wake-up.

The rules of ``sim.rules.buying``, ``sim.rules.churn``, ``sim.rules.experience``,
``sim.rules.relationship``, ``sim.rules.wom`` and ``sim.rules.ladder`` that every purchase
applies are inlined in :meth:`Shop.purchase`, :meth:`Shop.opportunity` and :meth:`Shop.gap` (same
operations in the same order as the pure functions, which stay the reference;
``tests/test_inlined_rules.py`` checks the two agree): a purchase is most of the engine's events,
and a function call costs about as much as the arithmetic it wraps. A run with no program, or a
program the compiled step carries, makes each opportunity in the compiled step of
``sim.engine.kernel`` (``sim.engine.compiled_shop``), with the same results.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import simpy
from simpy.events import NORMAL

from sim.engine import kernel
from sim.engine.customer import Customer, Wakeups, WinBackOffer
from sim.engine.moves import Moves
from sim.engine.parameters import ShopParameters
from sim.engine.streams import (
    GOLDEN_GAMMA,
    MASK_64,
    MIX_1,
    MIX_2,
    QUANTILE_SHIFT,
    STANDARD_NORMAL,
    TO_UNIT,
    own_exponential,
    own_normal,
    own_uniform,
)
from sim.engine.survey import Survey
from sim.money import ledger
from sim.money.programs.mechanic import Sale
from sim.results.recorder import MOVE_CODE, Recorder
from sim.rules import churn
from sim.rules.buying import next_gap, purchase_rate
from sim.rules.churn import competitor_acceptance, drift_reason, life_event_reason, life_event_time
from sim.rules.experience import experienced_quality
from sim.rules.ladder import (
    ADVOCATE,
    CUSTOMER,
    LOST,
    MEMBER,
    PROSPECT,
    RAVING_FAN,
    SHOPPER,
    next_stage,
)
from sim.rules.wom import (
    PASSIVE_MIN_SCORE,
    PROMOTER_MIN_SCORE,
    VOICE_DETRACTOR,
    VOICE_FAN,
    VOICE_PASSIVE,
    VOICE_PROMOTER,
)

if TYPE_CHECKING:
    from sim.money.programs.runtime import Program


class Shop:
    """Where customers buy: the handlers of their wake-ups and the purchase itself.

    Parameters
    ----------
    env
        The run's clock.
    p
        The numbers a purchase uses (:class:`sim.engine.parameters.ShopParameters`).
    survey, moves, recorder
        The NPS survey and satisfaction levels, the ladder, and where counts are published.
    books
        The run's ledger.
    wakeups
        How agents are put on SimPy's queue; the shop registers its handlers there.
    campaigns
        Days of every competitor campaign so far (the market day appends to it).
    program
        The loyalty program in place, or None.
    table
        The customer table of the compiled step (``sim.engine.compiled_shop``), or None.
    """

    def __init__(
        self,
        env: simpy.Environment,
        p: ShopParameters,
        survey: Survey,
        moves: Moves,
        recorder: Recorder,
        books: ledger.Ledger,
        wakeups: Wakeups,
        campaigns: list[float],
        program: Program | None,
        table: kernel.CustomerTable | None,
    ) -> None:
        self.env = env
        self.p = p
        self.survey = survey
        self.moves = moves
        self.recorder = recorder
        self.ledger = books
        self.wakeups = wakeups
        self.campaigns = campaigns
        self.program = program
        self.table = table
        self._schedule = env.schedule
        # Bound once: the hot path calls these at most purchases.
        self._set_level = survey.set_level
        self._set_voice = survey.set_voice
        self._move = moves.move
        self.voice_expiry = survey.voice_expiry
        self.purchases = recorder.purchases
        self.revenue_book = books.amounts[ledger.REVENUE]
        self.cogs_book = books.amounts[ledger.COST_OF_GOODS]
        wakeups.at_first_purchase = [self.on_first_purchase]
        wakeups.at_opportunity = [self.on_opportunity]
        wakeups.at_win_back = [self.on_win_back]
        wakeups.at_word_of_mouth_return = [self.on_word_of_mouth_return]

    # ------------------------------------------------------------------ wake-ups
    # SimPy calls these with the agent itself, which is the event (see ``sim.engine.customer``),
    # or, for a win-back offer, with the offer.
    def next_opportunity(self, c: Customer) -> None:
        """Schedule the agent's next purchase opportunity, unless it has stopped buying."""
        gap = self.gap(c)
        if gap != math.inf:
            self.wakeups.wake(c, self.wakeups.at_opportunity, gap)

    def on_first_purchase(self, c: Customer) -> None:
        self.first_purchase(c)
        self.next_opportunity(c)

    def on_opportunity(self, c: Customer) -> None:
        if self.opportunity(c):
            gap = self.gap(c)  # next_opportunity, inlined: most events come here
            if gap != math.inf:
                c.callbacks = self.wakeups.at_opportunity
                self._schedule(c, NORMAL, gap)
            return
        self.offer_win_back(c)

    def offer_win_back(self, c: Customer) -> None:
        """Schedule a win-back offer to a customer just lost, if they are to get one."""
        delay = self.moves.win_back_delay(c)
        if delay is not None:
            offer = WinBackOffer(c)
            offer.callbacks = self.wakeups.at_win_back
            self._schedule(offer, NORMAL, delay)

    def on_win_back(self, offer: WinBackOffer) -> None:
        c = offer.customer
        if c.stage != LOST or c.lost_time != offer.lost_time or c.callbacks is not None:
            return  # void: back already, or on the way back, by word of mouth
        self.win_back(c)
        self.next_opportunity(c)

    def on_word_of_mouth_return(self, c: Customer) -> None:
        self.win_back(c, by_word_of_mouth=True)
        self.next_opportunity(c)

    # ------------------------------------------------------------------ timing and state
    def gap(self, c: Customer) -> float:
        """Days to the customer's next purchase opportunity, from their current state.

        The rules of ``sim.rules.buying.purchase_rate`` and ``next_gap``, inlined (same
        operations in the same order; ``tests/test_inlined_rules.py`` checks them against the
        pure functions).
        """
        p = self.p
        rate = (
            c.base_rate
            * p.freq_mult[c.stage]
            * p.price_factor
            * math.exp(
                p.freq_satisfaction_sens * (c.satisfaction - p.ref_satisfaction)
                + p.freq_relationship_sens * (c.relationship - p.ref_relationship)
            )
        )
        if c.member is not None:
            rate *= c.member.rate_factor
        if p.periodic:
            return next_gap(rate, True, p.jitter, own_normal(c))
        # own_exponential(c), inlined; drawn whatever the rate, as next_gap's argument was.
        s = (c.fate + GOLDEN_GAMMA) & MASK_64
        c.fate = s
        z = ((s ^ (s >> 30)) * MIX_1) & MASK_64
        z = ((z ^ (z >> 27)) * MIX_2) & MASK_64
        draw = -math.log(1.0 - ((z ^ (z >> 31)) >> 11) * TO_UNIT)
        return math.inf if rate <= 0.0 else draw / rate

    def rate(self, c: Customer) -> float:
        """The customer's purchase rate per day, before any program effect."""
        p = self.p
        return purchase_rate(
            c.base_rate,
            p.freq_mult[c.stage],
            c.satisfaction,
            c.relationship,
            p.ref_satisfaction,
            p.ref_relationship,
            p.freq_satisfaction_sens,
            p.freq_relationship_sens,
            p.price_factor,
        )

    def refresh_relationship(self, c: Customer, now: float) -> None:
        """Bring the relationship up to ``now``; only active buyers receive touches.

        ``sim.rules.relationship.relationship_after`` with its constants worked out once per
        run (``closed_form``).
        """
        p = self.p
        steady, rate = p.touched if SHOPPER <= c.stage < LOST else p.untouched
        c.relationship = steady + (c.relationship - steady) * math.exp(rate * (now - c.checked))
        c.checked = now

    # ------------------------------------------------------------------ events
    def first_purchase(self, c: Customer) -> None:
        """A prospect buys for the first time and becomes a shopper."""
        now = self.env.now
        self.refresh_relationship(c, now)
        day = int(now)
        if day >= self.p.horizon:
            return
        c.acquired = now
        c.life_end = life_event_time(now, self.p.life_rates, own_exponential(c))
        rec = self.recorder
        rec.first_purchases[day] += 1
        rec.acquired_by_channel[c.channel][day] += 1
        self._set_level(c)
        revenue = self.purchase(c, now)
        rec.first_purchase_revenue[day] += revenue
        if self.program is not None:
            self.program.on_first_purchase(c, day)

    def opportunity(self, c: Customer) -> bool:
        """A purchase opportunity: the customer either leaves (returns False) or buys."""
        now = self.env.now
        self.refresh_relationship(c, now)
        p = self.p
        reason = None
        m = c.member
        loyalty = 1.0 if m is None else m.loyalty_factor
        if c.pending_loss >= 0:
            reason, c.pending_loss = c.pending_loss, -1
        elif now >= c.life_end:
            reason = life_event_reason(p.life_rates, own_uniform(c))
        campaigns = self.campaigns
        if reason is None and c.offers_seen < len(campaigns):
            comp = p.competition
            accept = (
                competitor_acceptance(
                    comp.acceptance_probability,
                    p.accept_mult[c.stage],
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
        if reason is None and not (fresh and p.drift_waits_for_repeat):
            # sim.rules.churn.drift_probability, inlined.
            q = (
                c.propensity
                * p.drop_mult[c.stage]
                * math.exp(
                    p.drop_satisfaction_sens * (p.ref_satisfaction - c.satisfaction)
                    + p.drop_relationship_sens * (p.ref_relationship - c.relationship)
                )
            )
            q = (1.0 if q > 1.0 else q) * loyalty
            s = (c.fate + GOLDEN_GAMMA) & MASK_64  # own_uniform(c), inlined
            c.fate = s
            z = ((s ^ (s >> 30)) * MIX_1) & MASK_64
            z = ((z ^ (z >> 27)) * MIX_2) & MASK_64
            if ((z ^ (z >> 31)) >> 11) * TO_UNIT < q:
                reason = drift_reason(c.relationship, p.low_interaction_threshold)
        if reason is not None:
            self.moves.lose(c, reason)
            return False
        self.purchase(c, now)
        return True

    def purchase(self, c: Customer, now: float) -> float:
        """Book a purchase at ``now``, live its experience, and apply the ladder rules.

        Returns the revenue (the rules it inlines: see the module's docstring).
        """
        p = self.p
        day = int(now)
        if day >= p.horizon:
            return 0.0
        # A first purchase is made as a shopper; later ones at the rung held before buying.
        stage = c.stage
        spend_stage = stage if stage > PROSPECT else SHOPPER
        # The customer's own draws are inlined too (sim.engine.streams.own_uniform's
        # arithmetic; a table lookup takes the draw's top QUANTILE_BITS bits,
        # own_quantile_index): the basket, then whether the service fails, is recovered, and
        # the quality.
        s = (c.fate + GOLDEN_GAMMA) & MASK_64
        z = ((s ^ (s >> 30)) * MIX_1) & MASK_64
        z = ((z ^ (z >> 27)) * MIX_2) & MASK_64
        c.fate = s
        basket = (
            c.mean_spend
            * p.spend_mult[spend_stage]
            * p.basket_quantiles[(z ^ (z >> 31)) >> QUANTILE_SHIFT]
        )
        program = self.program
        sale: Sale | None = None
        if program is not None:
            if c.member is None:
                program.offer(c, spend_stage, now)
            if c.member is not None:
                basket *= c.member.basket_factor
                sale = program.checkout(c, basket * p.price_level, now)
        revenue = basket * p.price_level
        paid = revenue if sale is None else sale.paid
        cost = basket * p.cogs_share
        self.revenue_book[day] += revenue
        self.cogs_book[day] -= cost
        c.value += (paid - cost) * math.exp(p.neg_log_discount_per_day * (now - c.acquired))
        c.purchases += 1
        c.spend += paid
        c.last_purchase = now
        self.purchases[day] += 1

        # The experience (sim.rules.experience).
        s = (c.fate + GOLDEN_GAMMA) & MASK_64
        z = ((s ^ (s >> 30)) * MIX_1) & MASK_64
        z = ((z ^ (z >> 27)) * MIX_2) & MASK_64
        failed = ((z ^ (z >> 31)) >> 11) * TO_UNIT < p.failure_rate
        if failed:
            c.fate = s
            if sale is not None and program.repairs(c, sale):
                recovered = True  # a free repair (DOMAIN P8), booked as a perk
            else:
                recovered = own_uniform(c) < p.recovery_probability
                if recovered:
                    self.ledger.post(day, ledger.SERVICE_RECOVERY, -p.recovery_cost)
            s = c.fate
        else:
            recovered = False
        s = (s + GOLDEN_GAMMA) & MASK_64
        z = ((s ^ (s >> 30)) * MIX_1) & MASK_64
        z = ((z ^ (z >> 27)) * MIX_2) & MASK_64
        c.fate = s
        expectation = c.expectation
        quality = p.quality_mean + p.quality_sd * STANDARD_NORMAL[(z ^ (z >> 31)) >> QUANTILE_SHIFT]
        if failed:
            quality = experienced_quality(
                quality,
                expectation,
                failed,
                recovered,
                p.failure_severity,
                p.recovery_bonus,
            )
        else:
            quality = 0.0 if quality < 0.0 else (1.0 if quality > 1.0 else quality)
        x = p.slope * ((quality - expectation) + p.performance_weight * (quality - 0.5))
        score = 0.0 if x < -60.0 else 1.0 / (1.0 + math.exp(-x))
        satisfaction = c.satisfaction
        satisfaction = satisfaction + p.learning_rate * (score - satisfaction)
        if failed and not recovered and stage >= ADVOCATE:
            satisfaction = min(satisfaction, p.love_to_hate)
        if sale is not None and sale.satisfaction_boost:
            satisfaction = min(1.0, satisfaction + sale.satisfaction_boost)
        c.satisfaction = satisfaction
        if not failed:
            gap = quality - expectation
            c.expectation = (
                expectation + (p.expectation_up if gap > 0.0 else p.expectation_down) * gap
            )
        level = int(satisfaction * 5.0)
        level = 4 if level > 4 else (0 if level < 0 else level)
        if level != c.level:
            self._set_level(c)

        # Relationship and attachment (sim.rules.relationship, sim.rules.wom).
        relationship = c.relationship
        c.relationship = relationship = relationship + p.gain_per_purchase * (1.0 - relationship)
        attachment = c.attachment
        target = satisfaction * relationship
        attachment = attachment + p.attachment_rate * (target - attachment)
        if sale is not None and sale.attachment_boost:
            attachment = min(1.0, attachment + sale.attachment_boost)
        c.attachment = attachment

        # The answer to the NPS question (Survey.answer) and the ladder (sim.rules.ladder).
        shortfall = (
            (1.0 - satisfaction)
            * (1.0 - p.relationship_forgiveness * relationship)
            * (1.0 - p.attachment_forgiveness * attachment)
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
                stage, c.purchases, score, promoter_days, attachment, c.is_member, p.rules
            )
            if why is not None:
                self._move(c, new_stage, MOVE_CODE[why])

        # The survey answer's voice (sim.rules.wom.voice), and its common update of set_voice.
        if score >= PROMOTER_MIN_SCORE:
            voice = VOICE_FAN if new_stage == RAVING_FAN else VOICE_PROMOTER
        else:
            voice = VOICE_PASSIVE if score >= PASSIVE_MIN_SCORE else VOICE_DETRACTOR
        window = p.survey_window
        last = c.survey_day + window
        if voice == c.voice >= 0 and last > day:
            leaving = self.voice_expiry[voice]
            leaving[last] -= 1
            leaving[day + window] += 1
            c.survey_day = day
        else:
            self._set_voice(c, voice, day, day)
        return revenue

    def win_back(self, c: Customer, by_word_of_mouth: bool = False) -> None:
        """A lost customer returns as a customer and buys.

        Won back by the business's offer (at its cost), or by what they heard from others.
        """
        now = self.env.now
        day = int(now)
        p = self.p
        if day >= p.horizon:
            return
        self.refresh_relationship(c, now)
        c.relationship = max(c.relationship, p.initial_relationship)
        c.satisfaction = max(c.satisfaction, p.initial_satisfaction)
        c.offers_seen = len(self.campaigns)
        c.lost_time = float("nan")
        c.lost_reason = -1
        c.win_backs += 1
        c.fresh = True
        rec = self.recorder
        rec.won_back[day] += 1
        if by_word_of_mouth:
            rec.won_back_by_word_of_mouth[day] += 1
            self._move(c, CUSTOMER, MOVE_CODE["won_back_by_word_of_mouth"])
        else:
            self.ledger.post(day, ledger.WIN_BACK_OFFERS, -p.win_back_cost)
            self._move(c, CUSTOMER, MOVE_CODE["won_back"])
        self._set_level(c)
        self.purchase(c, now)
