"""A program design as numbers for the preview's day loop (``sim.meanfield.member_loop``).

The agent model runs a design through ``sim.money.programs.runtime.Program``, member by member.
The preview needs the same terms as plain numbers: :func:`program_plan` reads them off the
design in place (``Scenario.program()``) into one vector (indices ``P_*``), the catalogue of
rewards, a table of the points one purchase earns by the size of the basket, and the list of
terms the preview does not follow yet, which ``sim.meanfield.caveats`` puts on screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from sim.rules.relationship import DAYS_PER_MONTH
from sim.scenario import Scenario
from sim.scenario.program_terms import ProgramDesign

(
    P_LAUNCH,
    P_END,
    P_MIN_RUNG,
    P_AUTOMATIC,
    P_FEE_DECISION,
    P_OPT_IN,
    P_REOFFER_DAYS,
    P_MIN_SPEND,
    P_CAPACITY,
    P_ATTACHMENT_ON_JOIN,
    P_SETUP_COST,
    P_RUNNING_PER_DAY,
    P_PER_MEMBER_PER_DAY,
    P_DISCOUNT_CUMULATIVE,
    P_FEE,
    P_PERIOD_DAYS,
    P_DECISION_NOISE,
    P_RENEWAL_INERTIA,
    P_MEMBERSHIP_DISCOUNT,
    P_SHIPPING_VALUE,
    P_SHIPPING_COST,
    P_WIN_PROBABILITY,
    P_PRIZE_VALUE,
    P_PRIZE_COST,
    P_WIN_BOOST,
    P_ORDER_PERK_COST,
    P_ORDER_PERK_SATISFACTION,
    P_ORDER_PERK_ATTACHMENT,
    P_YEARLY_PERK_COST,
    P_YEARLY_PERK_SATISFACTION,
    P_YEARLY_PERK_ATTACHMENT,
    P_REPAIR_PROBABILITY,
    P_REPAIR_COST,
    P_REPAIR_SATISFACTION,
    P_REPAIR_ATTACHMENT,
    P_SHARE_OF_SPEND,
    P_PAYOUT_EVERY_DAYS,
    P_HAS_POINTS,
    P_VALUE_PER_POINT,
    P_REDEMPTION_PROPENSITY,
    P_EXPIRY_AFTER_DAYS,
    P_EXPIRY_END_OF_YEAR,
    P_EXPIRY_DAYS,
    P_EXPECTED_REDEMPTION,
    P_RE_ESTIMATE_DAYS,
    P_HONOUR_DAYS,
    P_EARN_PER_CURRENCY,
    P_BUCKET_POINTS,
    P_BUCKETS,
    P_REFERRAL_MESSAGES,
    P_REFERRAL_COST,
    P_REFERRAL_ON_SIGN_UP,
    P_CARD_LENDING,
    P_HAS_TIERS,
    P_TIER_METRIC,
    P_TIER_WINDOW,
    P_PARTNER_POINTS_PER_DAY,
    P_PAYMENT_PER_POINT,
    P_PARTNER_REACH,
    P_PARTNER_COST_PER_REACH,
    P_CAP_POINTS,
    P_CAP_DAYS,
    P_DELAYED_WEIGHT,
    P_VISIT_ELASTICITY,
    P_VISIT_LIFT,
    P_BASKET_LIFT,
    P_CHURN_CUT,
    P_PAID_LIFT,
    P_BASKET_SENSITIVITY,
    P_GOAL_GRADIENT,
    P_HABITUATION_FLOOR,
    P_HABITUATION_DAYS,
    P_SWITCHING_COST,
    P_STAKE_HALF_BASKETS,
    P_END_DEPARTURE,
    P_BROKEN_PROMISE_DROP,
    P_FAN_ATTACHMENT,
    P_FIELDS,
) = range(78)
"""Indices of the plan vector."""

BUCKETS = 64
"""Most points balances a class's members are spread over (``sim.meanfield.member_loop``)."""
EARN_GRID = 65
"""Basket sizes (0 .. ``EARN_GRID_TOP`` mean baskets) at which the points earned are tabulated."""
EARN_GRID_TOP = 4.0
BASKET_POINTS = 24
"""Quantiles of each of the basket's two gamma factors (between and within customers)."""


@dataclass
class ProgramPlan:
    """The design in place as numbers.

    Attributes
    ----------
    values
        The plan vector (``P_*``); all zero when no design is in place (``P_LAUNCH`` past
        the horizon).
    rewards
        The points catalogue: rows of (points cost, face value, cost to the business).
    earn
        Points earned by one paid purchase at ``EARN_GRID`` basket sizes from 0 to
        ``EARN_GRID_TOP`` times the mean basket at price level (the expectation over the spread
        of baskets, counting the rounding down to whole points and the minimum order).
    stated_rates
        The expected redemption rate stated for each day (NaN: not stated that day).
    activity
        Each class's share of the full response (``sim.rules.response.activity_weight``).
    contests
        The prize draws: rows of (day, winners, prize cost, satisfaction boost); one row that
        never comes without them.
    tiers
        The tiers: rows of (threshold, earn multiplier, discount, and the expected cost,
        satisfaction and attachment boosts of the tier's perks per order); one row of zeros
        without tiers.
    left_out
        What of the design the preview does not follow, in plain words.
    """

    values: np.ndarray
    rewards: np.ndarray
    tiers: np.ndarray
    contests: np.ndarray
    earn: np.ndarray
    stated_rates: np.ndarray
    activity: np.ndarray
    left_out: list[str] = field(default_factory=list)


def _basket_shape(sc: Scenario) -> np.ndarray:
    """Points of a basket's distribution relative to its mean: a customer's own mean (gamma with
    ``basket_cv_between``) times one purchase's spread around it (gamma with
    ``basket_cv_within``), each by ``BASKET_POINTS`` quantiles, as the agent model draws them."""
    q = (np.arange(BASKET_POINTS) + 0.5) / BASKET_POINTS
    factors = []
    for cv in (sc.customers.basket_cv_between, sc.customers.basket_cv_within):
        if cv <= 0:
            factors.append(np.ones(1))
        else:
            shape = 1.0 / cv**2
            factors.append(stats.gamma.ppf(q, shape, scale=1.0 / shape))
    return np.outer(factors[0], factors[1]).ravel()


def earned_on(
    amounts: np.ndarray, points_per_unit: float, minimum_order: float, bonus: float
) -> np.ndarray:
    """``sim.money.programs.points.points_earned`` (without a cap) over an array of amounts,
    averaged over its last axis."""
    earned = np.floor(amounts * points_per_unit + bonus + 1e-9)
    earned = np.where(amounts < minimum_order, 0.0, np.maximum(earned, 0.0))
    return earned.mean(axis=-1)


def _earn_table(sc: Scenario, design: ProgramDesign, basket: float) -> np.ndarray:
    """Expected points earned by one paid purchase, by basket size (``ProgramPlan.earn``)."""
    table = np.zeros(EARN_GRID)
    pts = design.points
    if pts is None:
        return table
    shape = _basket_shape(sc)
    amounts = np.linspace(0.0, EARN_GRID_TOP, EARN_GRID)[:, None] * basket * shape[None, :]
    share = pts.bonus_order_share
    for bonus, weight in ((0.0, 1.0 - share), (float(pts.bonus_points), share)):
        if weight > 0.0:
            table += weight * earned_on(amounts, pts.points_per_currency, pts.minimum_order, bonus)
    return table


def program_plan(sc: Scenario, rates: np.ndarray, reference_basket: float) -> ProgramPlan:
    """The design in place in ``sc`` as a :class:`ProgramPlan` for classes of base purchase
    rates ``rates``; ``reference_basket`` is a new shopper's mean basket at list price, the
    scale of the table of points earned."""
    from sim.rules import response

    values = np.zeros(P_FIELDS)
    values[P_LAUNCH] = sc.horizon_days + 1  # no design: it never starts
    design = sc.program()
    mean_rate = sc.customers.purchase_rate_shape / sc.customers.purchase_rate_alpha_days
    r = sc.program_response
    activity = np.array(
        [response.activity_weight(x, mean_rate, r.activity_half_ratio) for x in rates]
    )
    empty = ProgramPlan(
        values,
        np.zeros((1, 3)),
        np.zeros((1, 6)),
        np.full((1, 4), -1.0),
        np.zeros(EARN_GRID),
        np.full(sc.horizon_days, np.nan),
        activity,
    )
    if design is None or design.is_natural():
        return empty
    left_out = []
    for name, present in (("changes of terms", bool(design.term_changes)),):
        if present:
            left_out.append(name)
    v = values
    v[P_LAUNCH] = design.launch_day
    v[P_END] = design.end_day if design.end_day is not None else sc.horizon_days + 1
    j = design.joining
    v[P_MIN_RUNG] = ("shopper", "customer", "advocate", "raving_fan").index(j.min_stage)
    v[P_AUTOMATIC] = j.mode == "automatic"
    v[P_FEE_DECISION] = j.mode == "fee_decision"
    v[P_OPT_IN] = j.opt_in_probability
    v[P_REOFFER_DAYS] = j.reoffer_after_days
    v[P_MIN_SPEND] = j.min_spend
    v[P_CAPACITY] = j.capacity if j.capacity is not None else np.inf
    v[P_ATTACHMENT_ON_JOIN] = j.attachment_on_join
    v[P_SETUP_COST] = design.costs.setup_cost
    v[P_RUNNING_PER_DAY] = design.costs.running_cost_per_month / DAYS_PER_MONTH
    v[P_PER_MEMBER_PER_DAY] = design.costs.cost_per_member_per_year / 365.0
    if design.discount is not None:
        v[P_DISCOUNT_CUMULATIVE] = design.discount.basis == "cumulative_spend"
    m = design.membership
    if m is not None:
        v[P_FEE] = m.fee
        v[P_PERIOD_DAYS] = m.period_days
        v[P_DECISION_NOISE] = m.decision_noise
        v[P_RENEWAL_INERTIA] = m.renewal_inertia
        v[P_MEMBERSHIP_DISCOUNT] = m.discount
        v[P_SHIPPING_VALUE] = m.shipping_value_per_order
        v[P_SHIPPING_COST] = m.shipping_cost_per_order
    lot = design.lottery
    if lot is not None:
        v[P_WIN_PROBABILITY] = lot.win_probability
        v[P_PRIZE_VALUE] = lot.prize_value
        v[P_PRIZE_COST] = lot.prize_cost
        v[P_WIN_BOOST] = lot.win_satisfaction_boost
    for perk in design.perks:
        p = perk.probability
        if perk.trigger == "order":
            v[P_ORDER_PERK_COST] += p * perk.cost_per_use
            v[P_ORDER_PERK_SATISFACTION] += p * perk.satisfaction_boost
            v[P_ORDER_PERK_ATTACHMENT] += p * perk.attachment_boost
        elif perk.trigger == "yearly":
            v[P_YEARLY_PERK_COST] += p * perk.cost_per_use
            v[P_YEARLY_PERK_SATISFACTION] += p * perk.satisfaction_boost
            v[P_YEARLY_PERK_ATTACHMENT] += p * perk.attachment_boost
        else:  # service_failure: the first free repair that applies recovers the failure
            unrepaired = 1.0 - v[P_REPAIR_PROBABILITY]
            v[P_REPAIR_COST] += unrepaired * p * perk.cost_per_use
            v[P_REPAIR_SATISFACTION] += unrepaired * p * perk.satisfaction_boost
            v[P_REPAIR_ATTACHMENT] += unrepaired * p * perk.attachment_boost
            v[P_REPAIR_PROBABILITY] += unrepaired * p
    if v[P_REPAIR_PROBABILITY] > 0:  # per repair, not per failure
        for i in (P_REPAIR_COST, P_REPAIR_SATISFACTION, P_REPAIR_ATTACHMENT):
            v[i] /= v[P_REPAIR_PROBABILITY]
    if design.revenue_share is not None:
        v[P_SHARE_OF_SPEND] = design.revenue_share.share_of_spend
        v[P_PAYOUT_EVERY_DAYS] = design.revenue_share.payout_every_days
    rewards = np.zeros((1, 3))
    pts = design.points
    if pts is not None:
        v[P_HAS_POINTS] = 1.0
        v[P_VALUE_PER_POINT] = pts.value_per_point()
        v[P_REDEMPTION_PROPENSITY] = pts.redemption_propensity
        v[P_EXPIRY_AFTER_DAYS] = pts.expiry == "after_days"
        v[P_EXPIRY_END_OF_YEAR] = pts.expiry == "end_of_year"
        v[P_EXPIRY_DAYS] = pts.expiry_days
        v[P_EXPECTED_REDEMPTION] = pts.expected_redemption_rate
        v[P_RE_ESTIMATE_DAYS] = pts.re_estimate_every_days
        v[P_HONOUR_DAYS] = pts.honour_days if pts.after_end == "honoured" else 0.0
        v[P_EARN_PER_CURRENCY] = pts.points_per_currency
        rewards = np.array(
            [[x.points_cost, x.face_value, x.cost_to_business] for x in pts.rewards], dtype=float
        )
        # balances up to twice the dearest reward, on whole points
        width = max(1.0, np.ceil(2.0 * rewards[:, 0].max() / (BUCKETS - 1)))
        v[P_BUCKET_POINTS] = width
        v[P_BUCKETS] = min(BUCKETS, int(np.ceil(2.0 * rewards[:, 0].max() / width)) + 1)
    stated = np.full(sc.horizon_days, np.nan)
    if pts is not None:
        for since, rate in pts.stated_redemption_rates.items():
            if design.launch_day + since < sc.horizon_days:
                stated[design.launch_day + since] = rate
    ref = design.referral
    if ref is not None:
        v[P_REFERRAL_MESSAGES] = ref.extra_messages_per_member_per_year / 365.0
        v[P_REFERRAL_COST] = ref.referrer_reward_cost + ref.referred_reward_cost
        v[P_REFERRAL_ON_SIGN_UP] = ref.paid_on == "sign_up"
        v[P_CARD_LENDING] = ref.card_lending_per_member_per_year / 365.0
    v[P_DELAYED_WEIGHT] = r.delayed_reward_weight
    v[P_VISIT_ELASTICITY] = r.visit_elasticity
    v[P_VISIT_LIFT] = r.visit_lift
    v[P_BASKET_LIFT] = r.basket_lift
    v[P_CHURN_CUT] = r.churn_cut
    v[P_PAID_LIFT] = r.paid_membership_lift
    v[P_BASKET_SENSITIVITY] = r.basket_sensitivity
    v[P_GOAL_GRADIENT] = r.goal_gradient
    v[P_HABITUATION_FLOOR] = r.habituation_floor
    v[P_HABITUATION_DAYS] = r.habituation_days
    v[P_SWITCHING_COST] = r.switching_cost_effect
    v[P_STAKE_HALF_BASKETS] = r.stake_half_baskets
    v[P_END_DEPARTURE] = r.end_departure_probability
    v[P_BROKEN_PROMISE_DROP] = r.broken_promise_satisfaction_drop
    v[P_FAN_ATTACHMENT] = sc.ladder.promotion.fan_min_attachment
    tiers = np.zeros((1, 6))
    if design.tiers is not None:
        t = design.tiers
        v[P_HAS_TIERS] = 1.0
        v[P_TIER_METRIC] = ("spend", "points", "transactions").index(t.metric)
        v[P_TIER_WINDOW] = t.window_days
        rows = []
        for level in t.levels:
            order = [p for p in level.perks if p.trigger == "order"]
            rows.append(
                [
                    level.threshold,
                    level.earn_multiplier,
                    level.discount,
                    sum(p.probability * p.cost_per_use for p in order),
                    sum(p.probability * p.satisfaction_boost for p in order),
                    sum(p.probability * p.attachment_boost for p in order),
                ]
            )
            if any(p.trigger != "order" for p in level.perks):
                left_out.append(f"the {level.name} tier's perks other than per order")
        tiers = np.array(rows, dtype=float)
    co = design.coalition
    if co is not None:
        v[P_PARTNER_POINTS_PER_DAY] = co.partner_points_per_member_per_month / DAYS_PER_MONTH
        v[P_PAYMENT_PER_POINT] = co.payment_per_point
        v[P_PARTNER_REACH] = co.partner_reach_per_year
        v[P_PARTNER_COST_PER_REACH] = co.partner_cost_per_reach
    contests = np.full((1, 4), -1.0)
    if design.lottery is not None and design.lottery.contests:
        contests = np.array(
            [
                [x.day, x.winners, x.prize_cost, x.satisfaction_boost]
                for x in design.lottery.contests
            ],
            dtype=float,
        )
    if pts is not None and pts.cap_points_per_period is not None:
        v[P_CAP_POINTS] = pts.cap_points_per_period
        v[P_CAP_DAYS] = pts.cap_period_days
    earn = _earn_table(sc, design, reference_basket)
    return ProgramPlan(v, rewards, tiers, contests, earn, stated, activity, left_out)


def discount_levels(design: ProgramDesign | None) -> np.ndarray:
    """The discount card's levels as rows of (minimum spend, share off); one row of zeros
    without a card."""
    if design is None or design.discount is None:
        return np.zeros((1, 2))
    return np.array([[level.min_spend, level.percent / 100.0] for level in design.discount.levels])
