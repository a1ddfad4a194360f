"""The numbers each part of the engine uses, worked out once per run from the scenario.

An event handler runs hundreds of thousands of times; reading ``p.quality_mean`` from a small
frozen object costs one attribute lookup, where ``scenario.product.quality_mean`` costs three.
Each collaborator of the model gets the object of its own concern: :class:`ShopParameters`
(a purchase, its experience and the ladder), :class:`TalkParameters` (word of mouth) and
:class:`MarketParameters` (reach and newcomers). Every field is a scenario field, or worked
out from scenario fields here, so its meaning and source are those of ``docs/scenario.md``.
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from scipy import special

from sim.engine.streams import QUANTILE_POINTS, quantile_table
from sim.rules.buying import price_factor
from sim.rules.ladder import PromotionRules
from sim.rules.relationship import closed_form, decay_rate
from sim.scenario import Scenario


@lru_cache(maxsize=64)
def basket_quantiles(cv: float) -> array:
    """The unit-mean gamma of a basket around a customer's mean (gamma-gamma spend model,
    coefficient of variation ``cv``) as a quantile table; worked out once per ``cv``, since
    inverting the gamma at every point takes milliseconds and scenarios share a few values."""
    if cv <= 0:
        return array("d", [1.0] * QUANTILE_POINTS)
    return quantile_table(lambda q: special.gammaincinv(cv**-2, q) * cv**2)


def first_purchase_probability(scenario: Scenario) -> float:
    """Probability that a person marketing reaches buys, at the scenario's price (DOMAIN L3)."""
    prod = scenario.product
    factor = price_factor(prod.price_level, prod.price_elasticity)
    return min(1.0, scenario.market.first_purchase_probability * factor)


def life_event_rates(scenario: Scenario) -> tuple[float, float, float]:
    """Daily rates of the life events that end a relationship (DOMAIN L4): needs changed,
    moved away, the customer's own business failed."""
    le = scenario.life_events
    return (
        le.needs_changed_per_year / 365.0,
        le.moved_away_per_year / 365.0,
        le.went_bankrupt_per_year / 365.0,
    )


@dataclass(frozen=True, slots=True)
class ShopParameters:
    """What a purchase opportunity, a purchase, its experience and the ladder rules use.

    Names follow the scenario's fields (``docs/scenario.md``); the rest are worked out from
    them: ``touched`` and ``untouched`` are the relationship's closed form (steady state,
    -speed) for buyers, who receive touches, and for everyone else
    (``sim.rules.relationship.closed_form``); ``basket_quantiles`` the unit-mean gamma of the
    basket around a customer's mean (gamma-gamma spend model), read through the customer's own
    stream.
    """

    horizon: int
    spend_mult: tuple[float, ...]
    freq_mult: tuple[float, ...]
    drop_mult: tuple[float, ...]
    accept_mult: tuple[float, ...]
    rules: PromotionRules
    competition: Any
    price_factor: float
    price_level: float
    cogs_share: float
    failure_rate: float
    recovery_probability: float
    recovery_cost: float
    quality_mean: float
    quality_sd: float
    failure_severity: float
    recovery_bonus: float
    slope: float
    performance_weight: float
    learning_rate: float
    expectation_up: float
    expectation_down: float
    love_to_hate: float
    ref_satisfaction: float
    ref_relationship: float
    freq_satisfaction_sens: float
    freq_relationship_sens: float
    drop_satisfaction_sens: float
    drop_relationship_sens: float
    low_interaction_threshold: float
    periodic: bool
    jitter: float
    drift_waits_for_repeat: bool
    gain_per_touch: float
    gain_per_purchase: float
    touch_rate: float
    decay: float
    touched: tuple[float, float]
    untouched: tuple[float, float]
    neg_log_discount_per_day: float
    life_rates: tuple[float, float, float]
    basket_quantiles: array
    attachment_rate: float
    relationship_forgiveness: float
    attachment_forgiveness: float
    survey_window: int
    initial_relationship: float
    initial_satisfaction: float
    win_back_rate: float
    win_back_cost: float

    @classmethod
    def of(cls, sc: Scenario) -> ShopParameters:
        """The parameters of scenario ``sc``."""
        lad, prod, xp, beh = sc.ladder, sc.product, sc.experience, sc.behaviour
        rel, wm = sc.relationship, sc.word_of_mouth
        cv = sc.customers.basket_cv_within
        touches = sc.business.touches_per_day
        decay = decay_rate(rel.half_life_days)
        return cls(
            horizon=sc.horizon_days,
            spend_mult=lad.per_stage("spend_multiplier"),
            freq_mult=lad.per_stage("frequency_multiplier"),
            drop_mult=lad.per_stage("dropout_multiplier"),
            accept_mult=lad.per_stage("competitor_acceptance_multiplier"),
            rules=PromotionRules(**lad.promotion.model_dump()),
            competition=sc.competition,
            price_factor=price_factor(prod.price_level, prod.price_elasticity),
            price_level=prod.price_level,
            cogs_share=prod.cost_of_goods_share,
            failure_rate=prod.service_failure_rate,
            recovery_probability=prod.recovery_probability,
            recovery_cost=prod.recovery_cost,
            quality_mean=prod.quality_mean,
            quality_sd=prod.quality_sd,
            failure_severity=prod.failure_severity,
            recovery_bonus=prod.recovery_bonus,
            slope=xp.disconfirmation_slope,
            performance_weight=xp.performance_weight,
            learning_rate=xp.learning_rate,
            expectation_up=xp.expectation_up_rate,
            expectation_down=xp.expectation_down_rate,
            love_to_hate=xp.love_to_hate_satisfaction,
            ref_satisfaction=beh.reference_satisfaction,
            ref_relationship=beh.reference_relationship,
            freq_satisfaction_sens=beh.frequency_satisfaction_sensitivity,
            freq_relationship_sens=beh.frequency_relationship_sensitivity,
            drop_satisfaction_sens=beh.dropout_satisfaction_sensitivity,
            drop_relationship_sens=beh.dropout_relationship_sensitivity,
            low_interaction_threshold=beh.low_interaction_threshold,
            periodic=sc.customers.purchase_timing == "periodic",
            jitter=sc.customers.periodic_jitter,
            drift_waits_for_repeat=sc.customers.dropout_model == "bgnbd",
            gain_per_touch=rel.gain_per_touch,
            gain_per_purchase=rel.gain_per_purchase,
            touch_rate=touches,
            decay=decay,
            touched=closed_form(touches, rel.gain_per_touch, decay),
            untouched=closed_form(0.0, rel.gain_per_touch, decay),
            neg_log_discount_per_day=-(math.log1p(sc.business.discount_rate_per_year) / 365.0),
            life_rates=life_event_rates(sc),
            basket_quantiles=basket_quantiles(cv),
            attachment_rate=wm.attachment_rate,
            relationship_forgiveness=wm.relationship_forgiveness,
            attachment_forgiveness=wm.attachment_forgiveness,
            survey_window=wm.survey_window_days,
            initial_relationship=rel.initial,
            initial_satisfaction=xp.initial_satisfaction,
            win_back_rate=sc.win_back.rate_per_year / 365.0,
            win_back_cost=sc.win_back.cost_per_win_back,
        )


@dataclass(frozen=True, slots=True)
class TalkParameters:
    """What word of mouth uses (DOMAIN W2-W5, L7, L9): message rates per day of a promoter
    and a detractor, the raving fans' multiple, how prospects weigh what they hear, how much a
    negative message hurts a customer, and how often a fan defends the brand."""

    promoter_rate: float
    detractor_rate: float
    fan_multiplier: float
    negative_weight: float
    positives_to_choose: float
    negative_drop: float
    defence_probability: float
    contacts: int
    outside_promoters: int
    outside_detractors: int
    decision_delay_days: float

    @classmethod
    def of(cls, sc: Scenario) -> TalkParameters:
        """The parameters of scenario ``sc``."""
        wm = sc.word_of_mouth
        return cls(
            promoter_rate=wm.promoter_messages_per_year / 365.0,
            detractor_rate=wm.detractor_messages_per_year / 365.0,
            fan_multiplier=wm.fan_message_multiplier,
            negative_weight=wm.negative_weight,
            positives_to_choose=wm.positives_to_choose,
            negative_drop=wm.negative_satisfaction_drop,
            defence_probability=wm.fan_defence_probability,
            contacts=wm.contacts_per_person,
            outside_promoters=wm.outside_promoters,
            outside_detractors=wm.outside_detractors,
            decision_delay_days=sc.market.first_purchase_delay_days,
        )


@dataclass(frozen=True, slots=True)
class MarketParameters:
    """What reach and newcomers use (DOMAIN L1, L3): the market, how reached people decide,
    the state a newcomer starts in, and the customers' trait distributions (``customers``)."""

    size: int
    initial_customers: int
    reach_rate_per_year: float
    cost_per_reach: float
    decision_delay_days: float
    negative_weight: float
    initial_satisfaction: float
    initial_expectation: float
    initial_relationship: float
    life_rates: tuple[float, float, float]
    customers: Any

    @classmethod
    def of(cls, sc: Scenario) -> MarketParameters:
        """The parameters of scenario ``sc``."""
        market = sc.market
        return cls(
            size=market.size,
            initial_customers=market.initial_customers,
            reach_rate_per_year=market.reach_rate_per_year,
            cost_per_reach=market.cost_per_reach,
            decision_delay_days=market.first_purchase_delay_days,
            negative_weight=sc.word_of_mouth.negative_weight,
            initial_satisfaction=sc.experience.initial_satisfaction,
            initial_expectation=sc.experience.initial_expectation,
            initial_relationship=sc.relationship.initial,
            life_rates=life_event_rates(sc),
            customers=sc.customers,
        )
