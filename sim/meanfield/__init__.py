"""An instant, deterministic mean-field model of a scenario: ``sim.preview``.

Where ``sim.simulate`` follows every customer and ``sim.replicate`` averages many such runs, the
preview follows the expected numbers directly (``sim.meanfield.day_loop``), from the same rules
and parameters, in milliseconds. It is what a planner looks at while changing a field; a
verdict still comes from paired agent runs (``sim.compare``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from sim.engine.parameters import (
    MarketParameters,
    ShopParameters,
    first_purchase_probability,
)
from sim.meanfield.classes import beta_classes, gamma_classes, normal_nodes, normal_quantiles
from sim.meanfield.day_loop import COLUMNS, run_days
from sim.rules.ladder import STAGES, slug
from sim.rules.relationship import DAYS_PER_MONTH
from sim.scenario import Scenario

RATE_CLASSES = 12
"""Slices of the purchase-rate distribution (equal probability)."""
DROPOUT_CLASSES = 6
"""Slices of the dropout-propensity distribution."""
QUALITY_NODES = 9
"""Gauss-Hermite nodes of an experience's quality."""
SPREAD_NODES = 16
"""Nodes of the spread of satisfaction between customers of a class, for their NPS answers."""


@dataclass
class Preview:
    """A scenario's expected course, day by day.

    Attributes
    ----------
    scenario
        The scenario previewed.
    daily
        One row per day, columns named as the agent model's ``daily`` table where they mean the
        same (``sim.meanfield.day_loop.COLUMNS``), plus ``day`` and ``nps``.
    summary
        Headline figures over the horizon: ``revenue``, ``profit``, ``final_cash``,
        ``purchases``, ``customers`` (active buyers at the end), ``nps`` (last day),
        ``bankrupt_day`` (first day the expected cash falls below the credit line, or ``None``).
    caveats
        What the preview leaves out or only approximates for this scenario, in plain words.
    seconds
        Wall time of the computation.
    """

    scenario: Scenario
    daily: pd.DataFrame
    summary: dict
    caveats: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _wallet_factor(sc: Scenario) -> float:
    """Mean share-of-wallet factor of competitor acceptance over the beta distribution of the
    share of wallet (``sim.rules.churn.competitor_acceptance``), on 200 quantile points."""
    comp, cust = sc.competition, sc.customers
    w = stats.beta.ppf((np.arange(200) + 0.5) / 200, cust.share_of_wallet_a, cust.share_of_wallet_b)
    t = np.clip(
        (w - comp.fickle_share_of_wallet)
        / (comp.committed_share_of_wallet - comp.fickle_share_of_wallet),
        0.0,
        1.0,
    )
    return float(np.mean(1.0 + t * (comp.committed_acceptance_factor - 1.0)))


def _named_rungs(sc: Scenario, daily: pd.DataFrame) -> pd.DataFrame:
    """The rung columns as the agent model's ``daily`` table names them: one ``n_<rung>``
    column per rung of the scenario's ladder, adding up the stages it merges (a rung holding
    the suspects counts the anonymous pool), and ``active``, the buyers on every rung."""
    stages = {
        "suspect": daily["pool"],
        "prospect": daily["n_prospect"],
        "shopper": daily["n_shopper"],
        "customer": daily["n_customer"],
        "member": 0.0 * daily["pool"],
        "advocate": daily["n_advocate"],
        "raving_fan": daily["n_raving_fan"],
    }
    active = sum(stages[s] for s in ("shopper", "customer", "member", "advocate", "raving_fan"))
    rungs: dict[str, pd.Series] = {}
    for stage, name in zip(STAGES, sc.ladder.stage_names(), strict=True):
        column = f"n_{slug(name)}"
        rungs[column] = rungs[column] + stages[stage] if column in rungs else stages[stage]
    canonical = [f"n_{s}" for s in stages if f"n_{s}" in daily]
    out = daily.drop(columns=canonical)
    for i, (column, values) in enumerate(rungs.items()):
        out.insert(1 + i, column, values)
    out.insert(1 + len(rungs), "n_lost", out.pop("n_lost"))
    out["active"] = active
    return out


def caveats(sc: Scenario) -> list[str]:
    """What the preview of ``sc`` leaves out or approximates, in plain words."""
    notes = [
        "Means, not people: a class's satisfaction, relationship and attachment are averages, "
        "so thresholds on them (low interaction, a raving fan's attachment) act on the whole "
        "class at once.",
    ]
    if sc.ladder.mode != "agent":
        notes.append("The preview follows the agent ladder; this scenario uses another mode.")
    if sc.active_program not in (None, "none"):
        notes.append(
            f"The program {sc.active_program!r} is not in the preview yet: it shows the natural "
            "baseline."
        )
    if sc.word_of_mouth.enabled:
        notes.append(
            "Word of mouth: a prospect's tally of what they heard is shared out as an average "
            "debt of positive messages, and a convinced prospect or lost customer comes at once."
        )
        if sc.word_of_mouth.network != "well_mixed":
            notes.append(
                f"The {sc.word_of_mouth.network} network is previewed as a well-mixed market: "
                "clusters that hear the same voices again are not in it."
            )
    if sc.competition.offers_per_year or sc.competition.scheduled_offer_days:
        notes.append(
            "Competitor campaigns arrive at their expected rate; in one run a few large "
            "campaigns hit at random."
        )
    notes.append(
        "Bankruptcy ends an agent run; the preview's expected cash does not stop, and its "
        "bankrupt_day is when the expected cash falls below the credit line."
    )
    return notes


def preview(scenario: Scenario) -> Preview:
    """The scenario's expected course by the mean-field model (``sim.meanfield.day_loop``).

    Parameters
    ----------
    scenario
        Any scenario; its program, word of mouth and networks are listed in ``caveats`` as far as
        the preview leaves them out.

    Returns
    -------
    Preview
    """
    start = time.perf_counter()
    sc = scenario
    shop = ShopParameters.of(sc)
    mk = MarketParameters.of(sc)
    cust = sc.customers
    rates, rate_w = gamma_classes(
        cust.purchase_rate_shape, cust.purchase_rate_alpha_days, RATE_CLASSES
    )
    drops, drop_w = beta_classes(cust.dropout_a, cust.dropout_b, DROPOUT_CLASSES)
    class_rates = np.repeat(rates, DROPOUT_CLASSES)
    class_drops = np.tile(drops, RATE_CLASSES)
    weights = np.repeat(rate_w, DROPOUT_CLASSES) * np.tile(drop_w, RATE_CLASSES)
    quality_z, quality_w = normal_nodes(QUALITY_NODES)
    spread_z, spread_w = normal_quantiles(SPREAD_NODES)
    horizon = sc.horizon_days
    campaigns = np.full(horizon, sc.competition.offers_per_year / 365.0)
    for d in sc.competition.scheduled_offer_days:
        if 0 <= int(d) < horizon:
            campaigns[int(d)] += 1.0
    stage = {
        name: i
        for i, name in enumerate(
            ("suspect", "prospect", "shopper", "customer", "member", "advocate", "raving_fan")
        )
    }
    rungs = [stage[n] for n in ("shopper", "customer", "advocate", "raving_fan")]
    market = np.array(
        [
            mk.size,
            mk.initial_customers,
            -np.expm1(-sc.market.reach_rate_per_year / 365.0),
            sc.market.cost_per_reach,
            first_purchase_probability(sc),
            sc.market.first_purchase_delay_days,
            shop.initial_satisfaction,
            sc.experience.initial_expectation,
            shop.initial_relationship,
        ],
        dtype=float,
    )
    level, speed = shop.touched
    _, untouched_speed = shop.untouched
    comp = sc.competition
    shop_numbers = np.array(
        [
            *(shop.spend_mult[i] for i in rungs),
            *(shop.freq_mult[i] for i in rungs),
            *(shop.drop_mult[i] for i in rungs),
            *(shop.accept_mult[i] for i in rungs),
            shop.price_factor,
            shop.ref_satisfaction,
            shop.ref_relationship,
            shop.freq_satisfaction_sens,
            shop.freq_relationship_sens,
            shop.drop_satisfaction_sens,
            shop.drop_relationship_sens,
            shop.low_interaction_threshold,
            shop.learning_rate,
            level,
            speed,
            untouched_speed,
            shop.gain_per_purchase,
            shop.attachment_rate,
            shop.relationship_forgiveness,
            shop.attachment_forgiveness,
            shop.survey_window,
            sum(shop.life_rates),
            comp.acceptance_probability,
            comp.reach_share,
            shop.win_back_rate,
            1.0 if shop.drift_waits_for_repeat else 0.0,
        ],
        dtype=float,
    )
    money = np.array(
        [
            cust.basket_mean,
            shop.price_level,
            shop.cogs_share,
            shop.failure_rate,
            shop.recovery_probability,
            shop.recovery_cost,
            sc.business.touches_per_day * sc.business.cost_per_touch,
            sc.business.fixed_costs_per_month / DAYS_PER_MONTH,
            shop.win_back_cost,
            sc.business.starting_cash,
            shop.quality_mean,
            shop.quality_sd,
            shop.failure_severity,
            shop.recovery_bonus,
            shop.slope,
            shop.performance_weight,
            shop.expectation_up,
            shop.expectation_down,
        ],
        dtype=float,
    )
    rules = shop.rules
    promotion = np.array(
        [
            rules.advocate_min_promoter_days,
            rules.fan_min_promoter_days,
            rules.fan_min_score,
            rules.fan_min_attachment,
        ],
        dtype=float,
    )
    wm = sc.word_of_mouth
    talk = np.array(
        [
            1.0 if wm.enabled else 0.0,
            wm.promoter_messages_per_year / 365.0,
            wm.detractor_messages_per_year / 365.0,
            wm.fan_message_multiplier,
            wm.negative_weight,
            wm.positives_to_choose,
            wm.negative_satisfaction_drop,
            wm.fan_defence_probability,
            wm.contacts_per_person,
            wm.outside_promoters,
            wm.outside_detractors,
        ],
        dtype=float,
    )
    table = run_days(
        horizon,
        class_rates,
        class_drops,
        weights,
        _wallet_factor(sc),
        quality_z,
        quality_w,
        spread_z,
        spread_w,
        tuple(market),
        tuple(shop_numbers),
        tuple(money),
        tuple(promotion),
        tuple(talk),
        campaigns,
    )
    daily = _named_rungs(sc, pd.DataFrame(table, columns=list(COLUMNS)))
    daily.insert(0, "day", np.arange(horizon))
    answered = daily["promoters"] + daily["passives"] + daily["detractors"]
    daily["nps"] = 100.0 * (daily["promoters"] - daily["detractors"]) / answered.where(answered > 0)
    below = daily.index[daily["cash"] < -sc.business.credit_line]
    last = daily.iloc[-1]
    summary = {
        "revenue": float(daily["revenue"].sum()),
        "profit": float(daily["profit"].sum()),
        "final_cash": float(last["cash"]),
        "purchases": float(daily["purchases"].sum()),
        "customers": float(last["active"]),
        "nps": float(last["nps"]),
        "bankrupt_day": int(below[0]) if len(below) else None,
    }
    return Preview(sc, daily, summary, caveats(sc), time.perf_counter() - start)
