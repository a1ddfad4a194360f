"""Word of mouth: the day's recommendations, who they reach, and how each recipient reacts.

Each surveyed promoter sends positive messages at the promoter rate (a raving fan at a multiple
of it), each surveyed detractor negative ones at the detractor rate (DOMAIN W3, W4); the outside
voices of the scenario add theirs from a stream of their own. A message reaches anyone in the
target market (well-mixed) or one of the sender's contacts (on a network). A prospect or a lost
customer who has heard enough net positives chooses the business (W2, W5); a customer who hears
a negative message thinks less of it (L7); a raving fan who knows the recipient may answer a
negative message so that it is not heard (L9).
"""

from __future__ import annotations

import numpy as np
import simpy

from sim.engine.customer import Customer, Wakeups
from sim.engine.market import Market
from sim.engine.moves import Moves
from sim.engine.parameters import TalkParameters
from sim.engine.streams import Stream
from sim.engine.survey import Survey
from sim.results.recorder import MOVE_CODE, REFERRAL, WORD_OF_MOUTH, Recorder
from sim.rules import wom
from sim.rules.churn import WIN_BACK_ELIGIBLE
from sim.rules.ladder import (
    ADVOCATE,
    LOST,
    PROSPECT,
    RAVING_FAN,
    SHOPPER,
    SUSPECT,
    PromotionRules,
    upper_rung,
)
from sim.rules.wom import VOICE_DETRACTOR, VOICE_FAN, VOICE_PROMOTER


class Talk:
    """Sends the day's recommendations and delivers them.

    Parameters
    ----------
    env
        The run's clock.
    p
        The numbers word of mouth uses (:class:`sim.engine.parameters.TalkParameters`).
    rules
        The ladder's promotion thresholds (criticism can cost an advocate their rung).
    market, survey, moves, recorder, wakeups
        Who can be reached, who is surveyed and can talk, the ladder, where messages are
        published, and the wake-up queue (a convinced prospect buys after a delay).
    refresh_relationship
        Brings a customer's relationship up to a time (``sim.engine.shop.Shop``).
    rng_wom, rng_voices
        The streams of customers' messages and of the outside voices' messages.
    """

    def __init__(
        self,
        env: simpy.Environment,
        p: TalkParameters,
        rules: PromotionRules,
        market: Market,
        survey: Survey,
        moves: Moves,
        recorder: Recorder,
        wakeups: Wakeups,
        refresh_relationship,
        rng_wom: Stream,
        rng_voices: Stream,
    ) -> None:
        self.env = env
        self.p = p
        self.rules = rules
        self.market = market
        self.survey = survey
        self.moves = moves
        self.recorder = recorder
        self.wakeups = wakeups
        self.refresh_relationship = refresh_relationship
        self.rng_wom = rng_wom
        self.rng_voices = rng_voices

    def day(self, day: int) -> None:
        """Send the day's recommendations (DOMAIN W3, W4) and let their recipients react.

        The number sent in a day is Poisson; the messages go out in random order.
        """
        p = self.p
        counts = self.survey.voice_counts
        fans = p.fan_multiplier * counts[VOICE_FAN]
        positive_weight = counts[VOICE_PROMOTER] + fans
        rs = self.rng_wom
        gen = rs.gen
        n_pos = int(gen.poisson(p.promoter_rate * positive_weight)) if positive_weight else 0
        detractors = counts[VOICE_DETRACTOR]
        n_neg = int(gen.poisson(p.detractor_rate * detractors)) if detractors else 0
        if n_pos or n_neg:
            fan_share = fans / positive_weight if positive_weight else 0.0
            for positive in in_random_order(n_pos, n_neg, gen):
                if positive:
                    voice = VOICE_FAN if rs.uniform() < fan_share else VOICE_PROMOTER
                else:
                    voice = VOICE_DETRACTOR
                self.deliver(self.survey.pick_talker(voice, day, rs), positive, day, rs)
        if p.outside_promoters or p.outside_detractors:
            rv = self.rng_voices
            n_pos = int(rv.gen.poisson(p.promoter_rate * p.outside_promoters))
            n_neg = int(rv.gen.poisson(p.detractor_rate * p.outside_detractors))
            for positive in in_random_order(n_pos, n_neg, rv.gen):
                self.deliver(None, positive, day, rv)

    def deliver(self, sender: Customer | None, positive: bool, day: int, rs: Stream) -> None:
        """One message from ``sender`` (None: an outside voice) reaches someone.

        Well-mixed: anyone in the target market at random, whether still anonymous or already an
        agent. On a network: one of the sender's neighbours (a random person for an outside
        voice). A message to an anonymous person makes them an agent (a prospect).
        """
        market = self.market
        network = market.network
        if network is None:
            node = -1
            u = int(rs.uniform() * (market.pool + len(market.customers)))
            if u < market.pool:
                target = None
            else:
                target = market.customers[u - market.pool]
                if target is sender:
                    return
        else:
            if sender is None:
                node = int(rs.uniform() * network.size)
            else:
                node = network.contact(sender.node, rs.uniform())
                if node < 0:
                    return
            agent = market.node_agent[node]
            target = None if agent < 0 else market.customers[agent]
        rec = self.recorder
        if positive:
            rec.messages_positive[day] += 1
        else:
            rec.messages_negative[day] += 1
            if self.countered(node, rs):
                rec.messages_countered[day] += 1
                return
        if target is None:
            target = market.new_agent(PROSPECT, float(day), WORD_OF_MOUTH, node)
            market.list_unreached(target)
            rec.movements.record(
                target.id, float(day), SUSPECT, PROSPECT, MOVE_CODE["heard_word_of_mouth"]
            )
        self.hear(target, positive, sender, day, rs)

    def countered(self, node: int, rs: Stream) -> bool:
        """Whether a raving fan who knows the recipient defends the brand (DOMAIN L1, L9)."""
        fans = self.moves.stage_counts[RAVING_FAN]
        defence = self.p.defence_probability
        if not fans or not defence:
            return False
        market = self.market
        network = market.network
        if network is None:
            knows = wom.chance_a_fan_is_a_contact(fans, market.people(), self.p.contacts)
            return rs.uniform() < knows * defence
        node_agent, customers = market.node_agent, market.customers
        for i in range(network.start[node], network.start[node + 1]):
            agent = node_agent[network.neighbours[i]]
            if agent >= 0 and customers[agent].stage == RAVING_FAN:
                return rs.uniform() < defence
        return False

    def hear(
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
                self.criticised(c, day)
            return
        if stage == LOST and c.lost_reason not in WIN_BACK_ELIGIBLE:
            return
        if positive:
            c.heard_positive += 1
        else:
            c.heard_negative += 1
        if not positive or c.callbacks is not None:
            return
        p = self.p
        heard = wom.net_heard(c.heard_positive, c.heard_negative, p.negative_weight)
        if heard <= c.heard_best:  # no higher than before: a threshold already passed
            return
        c.heard_best = heard
        if not wom.is_convinced(heard, p.positives_to_choose, rs.uniform()):
            return
        c.referrer = -1 if sender is None else sender.id
        delay = rs.exponential() * p.decision_delay_days
        wakeups = self.wakeups
        if stage == PROSPECT:
            if c.reach_slot >= 0:
                self.market.unlist_unreached(c)
            referral = sender is not None and ADVOCATE <= sender.stage < LOST
            c.channel = REFERRAL if referral else WORD_OF_MOUTH
            wakeups.wake(c, wakeups.at_first_purchase, delay)
        else:
            wakeups.wake(c, wakeups.at_word_of_mouth_return, delay)

    def criticised(self, c: Customer, day: int) -> None:
        """A customer hears a negative recommendation: satisfaction drops, and may tip them down."""
        survey = self.survey
        c.satisfaction = max(0.0, c.satisfaction - self.p.negative_drop)
        survey.set_level(c)
        now = self.env.now
        self.refresh_relationship(c, now)
        score, promoter_days = survey.answer(c, now)
        stage = c.stage
        if stage >= ADVOCATE:  # only the word-of-mouth rungs can be lost to criticism
            new_stage, _ = upper_rung(
                stage, score, promoter_days, c.attachment, c.is_member, self.rules
            )
            if new_stage < stage:
                self.moves.move(c, new_stage, MOVE_CODE["heard_criticism"])
        if survey.surveyed(c, day):
            survey.set_voice(c, wom.voice(score, c.stage == RAVING_FAN), c.survey_day, day)


def in_random_order(positives: int, negatives: int, gen: np.random.Generator) -> list[bool]:
    """The day's messages, ``True`` for positive, shuffled when they are of both kinds."""
    signs = [True] * positives + [False] * negatives
    if positives and negatives:
        gen.shuffle(signs)
    return signs
