"""The compiled purchase opportunity with a loyalty program in place.

:func:`program_opportunity_step` is ``sim.engine.kernel.opportunity_step`` for a run with a
program: the same opportunity, plus what ``sim.money.programs.runtime.Program`` does at a
purchase, for every mechanic (``COMPILED_MECHANICS``): the offer to a non-member, and a
member's checkout (tier reviews and upgrades; the tier's, the discount card's and the paid
membership's discount and free shipping; the points earned, redeemed and expired with their
IFRS 15 deferral; the instant-win draw; perks by order or once a year; the revenue share
accrued; the member's deal, stake and the multipliers they imply), then a free repair when the
service fails. The member's numbers live in a ``sim.engine.member_table.MemberTable``, the
program's running numbers (liability, counters) in a state vector (``S_*``), the sale's
postings straight in the ledger's array (``sim.money.ledger.Ledger.array``), the program's
random draws in a buffer shared with the Python side
(``sim.engine.compiled_program.ProgramStream``).

What only Python does (a customer joins, a paid membership is decided, a coalition's partner
points are counted with NumPy's Poisson draw, the dated work) stays in ``Program``: the step
hands back ``HANDOFF`` with the basket drawn, Python does its part, and
:func:`program_purchase_step` goes on from there. The Python handlers stay the reference; each
operation here is theirs, in the same order, so runs give the same tables bit for bit
(``tests/test_program_kernel.py``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sim.engine.kernel import (
    BASE_RATE,
    IS_MEMBER,
    LOST_FLAG,
    MEAN_SPEND,
    MEMBER_ROW,
    OFFER_DUE,
    OUT_GAP,
    P_HORIZON,
    P_PRICE_LEVEL,
    REASON,
    RECOVERY_COST,
    S_SPEND,
    SPEND,
    STAGE,
    STAGE_COLUMNS,
    STAGE_OFFSET,
    _jit,
    customer_rate,
    draw_basket,
    live_purchase,
    loss_reason,
    next_gap,
    numba,
    recovered_by_service,
    refresh_relationship,
    service_failed,
)
from sim.engine.member_table import (
    LOT_EXPIRY,
    LOT_NEXT,
    LOT_POINTS,
    M_BALANCE,
    M_BASKET,
    M_BASKET_FACTOR,
    M_CAP_EARNED,
    M_CAP_START,
    M_DEAL,
    M_DISCOUNT_LEVEL,
    M_DISCOUNTS_RECEIVED,
    M_EARN_MULTIPLIER,
    M_JOINED,
    M_LOT_HEAD,
    M_LOT_TAIL,
    M_LOYALTY_FACTOR,
    M_PAID_UNTIL,
    M_PARTNER_CHECKED,
    M_PERIOD_SAVINGS,
    M_POINTS_EARNED,
    M_POINTS_REDEEMED,
    M_PROGRESS,
    M_RATE_FACTOR,
    M_REFRESHED,
    M_REWARDS,
    M_REWARDS_VALUE,
    M_SHARE_ACCRUED,
    M_SLOT,
    M_SPEND,
    M_STAKE_STATUS,
    M_TIER,
    M_WINDOW_METRIC,
    M_WINDOW_START,
    M_YEARLY,
)
from sim.engine.streams import BLOCK
from sim.money import ledger
from sim.money.programs import coalition as coalition_rules
from sim.money.programs import lottery as lottery_rules
from sim.money.programs import membership as membership_rules
from sim.money.programs import perks as perk_rules
from sim.money.programs import points as points_rules
from sim.money.programs import revenue_share as revenue_share_rules
from sim.money.programs import tiers as tier_rules
from sim.rules import response
from sim.rules.ladder import LOST, PROSPECT, SHOPPER
from sim.scenario.program_terms.design import MECHANICS

if numba is not None:
    from numba.extending import register_jitable

    for _rule in (
        points_rules.points_earned,
        points_rules.best_reward,
        revenue_share_rules.share_of,
        lottery_rules.expected_prize_rate,
        membership_rules.unused_fee,
        tier_rules.qualifying_tier,
        tier_rules.reviewed_tier,
        tier_rules.reviews_due,
        perk_rules.yearly_perk_due,
        coalition_rules.partner_points_mean,
        response.deal,
        response.novelty,
        response.activity_weight,
        response._clip_deal,
        response.frequency_factor,
        response.basket_factor,
        response.rational_attachment,
        response.retention_factor,
    ):
        register_jitable(_rule)


COMPILED_MECHANICS = tuple(name for name in MECHANICS if name != "referral")
"""The mechanics the step carries at a purchase: every one that acts there (referral rewards
are paid at a sign-up or a first purchase, in Python; a coalition's partner points are counted
in Python, at a ``HANDOFF_PARTNERS``)."""

REACTION_PARAMETERS: tuple[str, ...] = (
    "delayed_reward_weight",
    "habituation_floor",
    "habituation_days",
    "goal_gradient",
    "basket_sensitivity",
    "stake_half_baskets",
    "switching_cost_effect",
    "visit_elasticity",
    "activity_half_ratio",
    "visit_lift",
    "basket_lift",
    "churn_cut",
    "paid_membership_lift",
)
"""The fields of the scenario's program response (``ProgramReaction``) the step needs."""

PROGRAM_PARAMETERS: tuple[str, ...] = (
    "offer_mode",
    "opt_in_probability",
    "min_stage",
    "min_spend",
    "reoffer_after_days",
    "has_points",
    "points_per_currency",
    "minimum_order",
    "bonus_order_share",
    "bonus_points",
    "has_cap",
    "cap_points_per_period",
    "cap_period_days",
    "redemption_propensity",
    "expiry_mode",
    "expiry_days",
    "cheapest",
    "value_per_point",
    "rewards",
    "has_discount",
    "discount_cumulative",
    "discount_levels",
    *REACTION_PARAMETERS,
    "mean_base_rate",
    "has_revenue_share",
    "share_of_spend",
    "has_lottery",
    "win_probability",
    "prize_value",
    "prize_cost",
    "win_satisfaction_boost",
    "has_membership",
    "membership_discount",
    "fee",
    "period_days",
    "shipping_value_per_order",
    "shipping_cost_per_order",
    "has_tiers",
    "tier_metric",
    "window_days",
    "one_level",
    "tier_levels",
    "tiers_at",
    "perks",
    "perks_at",
    "has_repairs",
    "has_coalition",
    "partner_points_per_member_per_month",
)
"""The program's constants, in the order of the step's program vector; after them come the
rewards' points costs, face values and costs to the business, then the discount levels'
minimum spends and rates, then (from ``tiers_at``) the tiers' thresholds, earn multipliers and
discounts, then (from ``perks_at``) one row of ``PERK_COLUMNS`` per perk: the design's perks,
then each tier's."""
(
    C_OFFER_MODE,
    C_OPT_IN_PROBABILITY,
    C_MIN_STAGE,
    C_MIN_SPEND,
    C_REOFFER_AFTER_DAYS,
    C_HAS_POINTS,
    C_POINTS_PER_CURRENCY,
    C_MINIMUM_ORDER,
    C_BONUS_ORDER_SHARE,
    C_BONUS_POINTS,
    C_HAS_CAP,
    C_CAP_POINTS,
    C_CAP_PERIOD_DAYS,
    C_REDEMPTION_PROPENSITY,
    C_EXPIRY_MODE,
    C_EXPIRY_DAYS,
    C_CHEAPEST,
    C_VALUE_PER_POINT,
    C_REWARDS,
    C_HAS_DISCOUNT,
    C_DISCOUNT_CUMULATIVE,
    C_DISCOUNT_LEVELS,
    C_DELAYED_WEIGHT,
    C_HABITUATION_FLOOR,
    C_HABITUATION_DAYS,
    C_GOAL_GRADIENT,
    C_BASKET_SENSITIVITY,
    C_STAKE_HALF_BASKETS,
    C_SWITCHING_COST_EFFECT,
    C_VISIT_ELASTICITY,
    C_ACTIVITY_HALF_RATIO,
    C_VISIT_LIFT,
    C_BASKET_LIFT,
    C_CHURN_CUT,
    C_PAID_MEMBERSHIP_LIFT,
    C_MEAN_BASE_RATE,
    C_HAS_REVENUE_SHARE,
    C_SHARE_OF_SPEND,
    C_HAS_LOTTERY,
    C_WIN_PROBABILITY,
    C_PRIZE_VALUE,
    C_PRIZE_COST,
    C_WIN_SATISFACTION_BOOST,
    C_HAS_MEMBERSHIP,
    C_MEMBERSHIP_DISCOUNT,
    C_FEE,
    C_PERIOD_DAYS,
    C_SHIPPING_VALUE,
    C_SHIPPING_COST,
    C_HAS_TIERS,
    C_TIER_METRIC,
    C_WINDOW_DAYS,
    C_ONE_LEVEL,
    C_TIER_LEVELS,
    C_TIERS_AT,
    C_PERKS,
    C_PERKS_AT,
    C_HAS_REPAIRS,
    C_HAS_COALITION,
    C_PARTNER_POINTS,
) = range(len(PROGRAM_PARAMETERS))
TERMS_OFFSET = len(PROGRAM_PARAMETERS)

PERK_COLUMNS: tuple[str, ...] = (
    "tier",
    "trigger",
    "probability",
    "cost_per_use",
    "satisfaction_boost",
    "attachment_boost",
    "yearly_column",
)
"""A perk's row in the program vector: the tier it belongs to (-1: the design's own), its
trigger (a ``sim.money.programs.perks.TRIGGERS`` index), its terms, and the member table's column
of its due day when yearly (``sim.engine.member_table.M_YEARLY`` on)."""
(
    PERK_TIER,
    PERK_TRIGGER,
    PERK_PROBABILITY,
    PERK_COST,
    PERK_SATISFACTION,
    PERK_ATTACHMENT,
    PERK_YEARLY_COLUMN,
) = range(len(PERK_COLUMNS))
ON_ORDER, YEARLY, ON_SERVICE_FAILURE = range(len(perk_rules.TRIGGERS))
SPEND_METRIC, POINTS_METRIC, TRANSACTIONS_METRIC = range(len(tier_rules.METRICS))

OFFER_AUTOMATIC, OFFER_OPT_IN, OFFER_IN_PYTHON = range(3)
"""How the step makes the offer: everyone joins (Python enrols them), a draw decides (Python
enrols those who accept), or Python makes the whole offer (a paid membership's decision, a
capacity)."""
EXPIRY_AFTER_DAYS, EXPIRY_END_OF_YEAR, EXPIRY_NEVER = range(3)
"""``sim.money.programs.points.EXPIRY_MODES`` as codes."""

STATE_FIELDS: tuple[str, ...] = (
    "active",
    "honour_until",
    "expected_redemption_rate",
    "deferred",
    "issued",
    "redeemed",
    "expired",
    "recognised",
    "offers_declined",
    "rewards",
    "rewards_value",
    "points_issued",
    "points_redeemed",
    "accrued_share",
    "prizes",
    "upgrades",
    "downgrades",
    "perks",
)
"""The program's running numbers the step reads and writes: whether it is active and how long
ended programs honour points, its ``PointsLiability``, the ``ProgramStats`` counters the step
changes, and the revenue share its members have accrued (``Program.accrued_share``)."""
(
    S_ACTIVE,
    S_HONOUR_UNTIL,
    S_RATE,
    S_DEFERRED,
    S_ISSUED,
    S_REDEEMED,
    S_EXPIRED,
    S_RECOGNISED,
    S_OFFERS_DECLINED,
    S_REWARDS,
    S_REWARDS_VALUE,
    S_POINTS_ISSUED,
    S_POINTS_REDEEMED,
    S_ACCRUED_SHARE,
    S_PRIZES,
    S_UPGRADES,
    S_DOWNGRADES,
    S_PERKS,
) = range(len(STATE_FIELDS))
MAX_DRAWS = 3
"""Program draws one step may take besides its perks' (an offer, or a redemption, a bonus and
an instant win); each perk adds at most one (``max_draws``)."""
STATE = len(STATE_FIELDS) + 1
OUT_BASKET = STATE - 1
"""Where a ``HANDOFF`` leaves the basket drawn."""

HANDOFF = 1 << 62
"""Python makes the offer now (``HANDOFF_JOIN``: enrols the customer, who accepted), then
calls :func:`program_purchase_step` with the basket at ``state[OUT_BASKET]``."""
HANDOFF_JOIN = 1 << 61
MEMBER_GONE = 1 << 60
"""The membership ended at this purchase (an ended program's points are used up or no longer
honoured): Python lets go of it."""
SETTLE_DRAWS = 1 << 59
"""The step took a draw from the next block of the draws buffer: Python settles the stream
(``ProgramStream.settle``)."""
LOTS_EMPTY = 1 << 58
"""The step took the last free points lot: Python adds lots before the next step
(``MemberTable.ensure_free_lots``)."""
HANDOFF_PARTNERS = 1 << 57
"""With ``HANDOFF``: a coalition member's partner points since the last visit are due; Python
credits them (``CoalitionMechanic.before_sale``: a Poisson count from the program's generator),
then calls :func:`program_purchase_step` with the basket at ``state[OUT_BASKET]``."""
HOUSEKEEPING = SETTLE_DRAWS | LOTS_EMPTY


@_jit
def _draw(rng):
    """The program stream's next U(0, 1) draw: ``rng[0]`` is the cursor into ``rng[1:]``."""
    i = int(rng[0])
    rng[0] = i + 1
    return rng[1 + i]


@_jit
def _post(books, day, account, amount):
    """``Ledger.post``: straight into the ledger's array (``Ledger.array``)."""
    if day < books.shape[1]:
        books[account, day] += amount


@_jit
def _transfer(books, day, income, liability, amount):
    """``Ledger.transfer``: the income up by ``amount``, the liability down."""
    if day < books.shape[1]:
        books[income, day] += amount
        books[liability, day] -= amount


@_jit
def _catch_up(s):
    """``PointsLiability._catch_up`` on the state vector: the revenue recognised now."""
    issued, redeemed = s[S_ISSUED], s[S_REDEEMED]
    expected = s[S_RATE] * issued
    if expected < redeemed:
        expected = redeemed
    else:
        left = issued - redeemed - s[S_EXPIRED]
        outstanding = left if left > 1e-9 * issued else 0.0
        possible = redeemed + outstanding
        if not expected < possible:
            expected = possible
    target = s[S_DEFERRED] * redeemed / expected if expected > 0 else s[S_DEFERRED]
    change = target - s[S_RECOGNISED]
    s[S_RECOGNISED] = target
    return change


@_jit
def expiry_day(day, mode, days):
    """``sim.money.programs.points.expiry_day`` with the mode as a code."""
    if mode == EXPIRY_AFTER_DAYS:
        return float(day + days)
    if mode == EXPIRY_END_OF_YEAR:
        return float((day // points_rules.DAYS_PER_YEAR + 1) * points_rules.DAYS_PER_YEAR)
    return math.inf


@_jit
def _schedule_expiry(expiring, horizon, day, points):
    if day < horizon:
        expiring[int(day)] += points


@_jit
def _pop_lot(mn, lots, row):
    lot = mn[row, M_LOT_HEAD]
    following = int(lots[lot, LOT_NEXT])
    mn[row, M_LOT_HEAD] = following
    if following < 0:
        mn[row, M_LOT_TAIL] = -1
    lots[lot, LOT_NEXT] = lots[0, LOT_NEXT]
    lots[0, LOT_NEXT] = lot


@_jit
def _drop_expired(mn, lots, row, now):
    dropped = 0
    while True:
        lot = mn[row, M_LOT_HEAD]
        if lot < 0 or lots[lot, LOT_EXPIRY] > now:
            return dropped
        dropped += int(lots[lot, LOT_POINTS])
        _pop_lot(mn, lots, row)


@_jit
def _take(mn, lots, row, points, expiring, horizon):
    left = points
    while left:
        lot = mn[row, M_LOT_HEAD]
        held = int(lots[lot, LOT_POINTS])
        used = left if left < held else held
        lots[lot, LOT_POINTS] = held - used
        left -= used
        _schedule_expiry(expiring, horizon, lots[lot, LOT_EXPIRY], -used)
        if held == used:
            _pop_lot(mn, lots, row)


@_jit
def _add_lot(mn, lots, row, expires, points):
    """``PointLots.add``; the pool has a free lot (``MemberTable.ensure_free_lots``)."""
    tail = mn[row, M_LOT_TAIL]
    if tail >= 0 and lots[tail, LOT_EXPIRY] == expires:
        lots[tail, LOT_POINTS] += points
        return
    lot = int(lots[0, LOT_NEXT])
    if lot < 0:  # the pool must have been refilled before the step (LOTS_EMPTY)
        raise RuntimeError("no free points lot: the pool was not refilled after LOTS_EMPTY")
    lots[0, LOT_NEXT] = lots[lot, LOT_NEXT]
    lots[lot, LOT_EXPIRY] = expires
    lots[lot, LOT_POINTS] = points
    lots[lot, LOT_NEXT] = -1
    if tail >= 0:
        lots[tail, LOT_NEXT] = lot
    else:
        mn[row, M_LOT_HEAD] = lot
    mn[row, M_LOT_TAIL] = lot


@_jit
def _points_after_payment(
    row, now, paid, received, mf, mn, lots, c, s, books, rng, expiring, horizon
):
    """``PointsMechanic.after_payment``: redeem the best reward affordable, then earn.

    Returns the value the member received at the sale so far and the points the sale earned
    (``Sale.points``).
    """
    day = int(now)
    mn[row, M_BALANCE] -= _drop_expired(mn, lots, row, now)
    rewards = int(c[C_REWARDS])
    costs = c[TERMS_OFFSET : TERMS_OFFSET + rewards]
    values = c[TERMS_OFFSET + rewards : TERMS_OFFSET + 2 * rewards]
    if mn[row, M_BALANCE] >= c[C_CHEAPEST] and _draw(rng) < c[C_REDEMPTION_PROPENSITY]:
        best = points_rules.best_reward(mn[row, M_BALANCE], costs, values)
        cost = int(costs[best])
        # PointsMechanic.redeem
        _take(mn, lots, row, cost, expiring, horizon)
        mn[row, M_BALANCE] -= cost
        mn[row, M_POINTS_REDEEMED] += cost
        s[S_POINTS_REDEEMED] += cost
        s[S_REDEEMED] += cost
        _transfer(books, day, ledger.REVENUE, ledger.POINTS_LIABILITY, _catch_up(s))
        _post(books, day, ledger.REWARD_COST, -c[TERMS_OFFSET + 2 * rewards + best])
        mn[row, M_REWARDS] += 1
        mf[row, M_REWARDS_VALUE] += values[best]
        received += values[best]
        s[S_REWARDS] += 1
        s[S_REWARDS_VALUE] += values[best]
    if s[S_ACTIVE] == 0.0:  # after the end, honoured points are only redeemed
        return received, 0
    cap_left = math.inf
    if c[C_HAS_CAP] > 0.0:
        period = c[C_CAP_PERIOD_DAYS]
        if now - mf[row, M_CAP_START] >= period:
            periods = int((now - mf[row, M_CAP_START]) // period)
            mf[row, M_CAP_START] += periods * period
            mn[row, M_CAP_EARNED] = 0
        cap_left = c[C_CAP_POINTS] - mn[row, M_CAP_EARNED]
    bonus = 0
    if c[C_BONUS_ORDER_SHARE] and _draw(rng) < c[C_BONUS_ORDER_SHARE]:
        bonus = int(c[C_BONUS_POINTS])
    earned = points_rules.points_earned(
        paid,
        c[C_POINTS_PER_CURRENCY],
        c[C_MINIMUM_ORDER],
        mf[row, M_EARN_MULTIPLIER],
        bonus,
        cap_left,
    )
    if earned:
        mn[row, M_CAP_EARNED] += earned
        ssp_points = earned * c[C_VALUE_PER_POINT] * s[S_RATE]
        deferred = 0.0
        if ssp_points > 0:
            deferred = paid * ssp_points / (paid + ssp_points)
        _transfer(books, day, ledger.REVENUE, ledger.POINTS_LIABILITY, -deferred)
        # PointsMechanic.credit
        s[S_ISSUED] += earned
        s[S_DEFERRED] += deferred
        recognised = _catch_up(s)
        if recognised:
            _transfer(books, day, ledger.REVENUE, ledger.POINTS_LIABILITY, recognised)
        expires = expiry_day(day, int(c[C_EXPIRY_MODE]), int(c[C_EXPIRY_DAYS]))
        _add_lot(mn, lots, row, expires, earned)
        _schedule_expiry(expiring, horizon, expires, earned)
        mn[row, M_BALANCE] += earned
        mn[row, M_POINTS_EARNED] += earned
        s[S_POINTS_ISSUED] += earned
    return received, earned


@_jit
def _discount_rate(row, mn, c):
    levels = int(c[C_DISCOUNT_LEVELS])
    at = TERMS_OFFSET + 3 * int(c[C_REWARDS]) + levels
    return c[at + mn[row, M_DISCOUNT_LEVEL]]


@_jit
def _tier_column(c, column, tier):
    """A tier's threshold (``column`` 0), earn multiplier (1) or discount (2)."""
    return c[int(c[C_TIERS_AT]) + column * int(c[C_TIER_LEVELS]) + tier]


@_jit
def _till_discount(row, tier, mn, c):
    """The share of list price taken off at the till: the best of the tier's, the discount
    card's and the paid membership's (``Mechanic.discount``)."""
    best = 0.0
    if c[C_HAS_TIERS] > 0.0:
        rate = _tier_column(c, 2, tier)
        if rate > best:
            best = rate
    if c[C_HAS_DISCOUNT] > 0.0:
        rate = _discount_rate(row, mn, c)
        if rate > best:
            best = rate
    if c[C_HAS_MEMBERSHIP] > 0.0 and c[C_MEMBERSHIP_DISCOUNT] > best:
        best = c[C_MEMBERSHIP_DISCOUNT]
    return best


@_jit
def _deal(row, basket, tier, multiplier, mn, c):
    """``Program._deal``: the share of spend the program gives back at ``tier`` with the earn
    ``multiplier``, before habituation."""
    best = _till_discount(row, tier, mn, c)
    immediate = 0.0
    delayed = 0.0
    if c[C_HAS_POINTS] > 0.0:
        delayed = c[C_POINTS_PER_CURRENCY] * multiplier * c[C_VALUE_PER_POINT]
    if c[C_HAS_MEMBERSHIP] > 0.0:
        immediate += c[C_SHIPPING_VALUE] / basket if basket > 0 else 0.0
    if c[C_HAS_LOTTERY] > 0.0:
        delayed += lottery_rules.expected_prize_rate(c[C_WIN_PROBABILITY], c[C_PRIZE_VALUE], basket)
    if c[C_HAS_REVENUE_SHARE] > 0.0:
        delayed += c[C_SHARE_OF_SPEND]
    return response.deal(best + immediate, delayed, c[C_DELAYED_WEIGHT])


@_jit
def _update(i, row, now, f, n, k, mf, mn, c):
    """``Program._update``: the member's deal, stake and multipliers after a purchase."""
    stage = n[i, STAGE]
    if not SHOPPER <= stage < LOST:
        stage = SHOPPER
    basket = f[i, MEAN_SPEND] * k[STAGE_OFFSET + S_SPEND * STAGE_COLUMNS + stage] * k[P_PRICE_LEVEL]
    if mf[row, M_DEAL] < 0.0 or basket != mf[row, M_BASKET]:
        mf[row, M_BASKET] = basket
        tier = mn[row, M_TIER]
        deal = _deal(row, basket, tier, mf[row, M_EARN_MULTIPLIER], mn, c)
        mf[row, M_DEAL] = deal
        status = 0.0
        if c[C_HAS_TIERS] > 0.0 and tier != 0:  # Program._status_stake: a year of its extra deal
            base = _deal(row, basket, 0, _tier_column(c, 1, 0), mn, c)
            yearly_spend = customer_rate(i, n[i, STAGE], f, k) * 365.0 * basket
            status = max(0.0, deal - base) * yearly_spend
        mf[row, M_STAKE_STATUS] = status
    stake = mf[row, M_STAKE_STATUS]
    if c[C_HAS_POINTS] > 0.0:
        balance = mn[row, M_BALANCE]
        cheapest = c[C_CHEAPEST]
        mf[row, M_PROGRESS] = 1.0 if balance >= cheapest else balance / cheapest
        stake += balance * c[C_VALUE_PER_POINT]
    if c[C_HAS_MEMBERSHIP] > 0.0:
        stake += membership_rules.unused_fee(c[C_FEE], mf[row, M_PAID_UNTIL], c[C_PERIOD_DAYS], now)
    if c[C_HAS_REVENUE_SHARE] > 0.0:
        stake += mf[row, M_SHARE_ACCRUED]
    # response.member_effects
    weight = response.activity_weight(
        f[i, BASE_RATE], c[C_MEAN_BASE_RATE], c[C_ACTIVITY_HALF_RATIO]
    )
    felt = (
        weight
        * mf[row, M_DEAL]
        * response.novelty(
            now - mf[row, M_REFRESHED], c[C_HABITUATION_FLOOR], c[C_HABITUATION_DAYS]
        )
    )
    attachment = response.rational_attachment(stake, basket, c[C_STAKE_HALF_BASKETS])
    paid = 1.0
    if c[C_HAS_MEMBERSHIP] > 0.0 and mf[row, M_PAID_UNTIL] > now:
        paid += c[C_PAID_MEMBERSHIP_LIFT]
    mf[row, M_RATE_FACTOR] = (
        response.frequency_factor(
            felt, c[C_VISIT_ELASTICITY], weight * c[C_GOAL_GRADIENT], mf[row, M_PROGRESS]
        )
        * (1.0 + c[C_VISIT_LIFT])
        * paid
    )
    mf[row, M_BASKET_FACTOR] = response.basket_factor(felt, c[C_BASKET_SENSITIVITY]) * (
        1.0 + c[C_BASKET_LIFT]
    )
    mf[row, M_LOYALTY_FACTOR] = response.retention_factor(
        attachment, weight * c[C_SWITCHING_COST_EFFECT]
    ) * (1.0 - c[C_CHURN_CUT])


@_jit
def _set_tier(row, tier, now, mf, mn, c, s):
    """``TiersMechanic.set_tier``."""
    current = mn[row, M_TIER]
    if tier > current:
        mf[row, M_REFRESHED] = now  # a new status is felt afresh (DOMAIN L5)
        s[S_UPGRADES] += 1
    elif tier < current:
        s[S_DOWNGRADES] += 1
    mn[row, M_TIER] = tier
    mf[row, M_EARN_MULTIPLIER] = _tier_column(c, 1, tier)
    mf[row, M_DEAL] = -1.0


@_jit
def _tier_thresholds(c):
    at = int(c[C_TIERS_AT])
    return c[at : at + int(c[C_TIER_LEVELS])]


@_jit
def _review_tiers(row, now, mf, mn, c, s):
    """``TiersMechanic.before_sale``: the reviews fallen due since the member's last visit."""
    window = c[C_WINDOW_DAYS]
    due = tier_rules.reviews_due(mf[row, M_WINDOW_START], window, now)
    for _ in range(due):
        qualified = tier_rules.qualifying_tier(mf[row, M_WINDOW_METRIC], _tier_thresholds(c))
        reviewed = tier_rules.reviewed_tier(mn[row, M_TIER], qualified, c[C_ONE_LEVEL] > 0.0)
        _set_tier(row, reviewed, now, mf, mn, c, s)
        mf[row, M_WINDOW_METRIC] = 0.0
        mf[row, M_WINDOW_START] += window


@_jit
def _tiers_after_payment(row, now, paid, earned, mf, mn, c, s):
    """``TiersMechanic.after_payment``: the sale counts towards the tier; upgrades at once."""
    metric = c[C_TIER_METRIC]
    if metric == SPEND_METRIC:
        mf[row, M_WINDOW_METRIC] += paid
    elif metric == TRANSACTIONS_METRIC:
        mf[row, M_WINDOW_METRIC] += 1
    else:  # tier-qualifying points: earned by this sale, never lowered by redemptions (P2)
        mf[row, M_WINDOW_METRIC] += earned
    qualified = tier_rules.qualifying_tier(mf[row, M_WINDOW_METRIC], _tier_thresholds(c))
    if qualified > mn[row, M_TIER]:
        _set_tier(row, qualified, now, mf, mn, c, s)


@_jit
def _perk(c, j, column):
    return c[int(c[C_PERKS_AT]) + j * len(PERK_COLUMNS) + column]


@_jit
def _give(c, j, day, books, s):
    """``PerksMechanic.give``: one use of perk ``j`` booked."""
    cost = _perk(c, j, PERK_COST)
    if cost:
        _post(books, day, ledger.PRIZES_AND_PERKS, -cost)
    s[S_PERKS] += 1


@_jit
def _perks_after_payment(row, now, mf, mn, c, s, books, rng, lift, attachment_lift):
    """``PerksMechanic.after_payment``: the design's perks, then those of the member's tier,
    given by order or once a membership year. Returns the sale's satisfaction and attachment
    lifts with theirs added."""
    day = int(now)
    tier = mn[row, M_TIER]
    for owner in (-1, tier):
        for j in range(int(c[C_PERKS])):
            if _perk(c, j, PERK_TIER) != owner:
                continue
            trigger = _perk(c, j, PERK_TRIGGER)
            if trigger == ON_ORDER:
                given = _draw(rng) < _perk(c, j, PERK_PROBABILITY)
            elif trigger == YEARLY:
                column = int(_perk(c, j, PERK_YEARLY_COLUMN))
                due = mf[row, column]
                if math.isnan(due):  # due at joining
                    due = mf[row, M_JOINED]
                given = False
                if perk_rules.yearly_perk_due(due, now):
                    years = 1 + int((now - due) // perk_rules.DAYS_PER_YEAR)
                    mf[row, column] = due + perk_rules.DAYS_PER_YEAR * years
                    given = _draw(rng) < _perk(c, j, PERK_PROBABILITY)
            else:
                continue
            if given:
                _give(c, j, day, books, s)
                lift += _perk(c, j, PERK_SATISFACTION)
                attachment_lift += _perk(c, j, PERK_ATTACHMENT)
    return lift, attachment_lift


@_jit
def _repairs(row, now, mn, c, s, books, rng, lift, attachment_lift):
    """``PerksMechanic.repairs``: whether a free repair recovers a service failure (booked),
    and the sale's lifts with its own added."""
    tier = mn[row, M_TIER]
    for owner in (-1, tier):
        for j in range(int(c[C_PERKS])):
            if _perk(c, j, PERK_TIER) != owner or _perk(c, j, PERK_TRIGGER) != ON_SERVICE_FAILURE:
                continue
            if _draw(rng) < _perk(c, j, PERK_PROBABILITY):
                _give(c, j, int(now), books, s)
                return (
                    True,
                    lift + _perk(c, j, PERK_SATISFACTION),
                    attachment_lift + _perk(c, j, PERK_ATTACHMENT),
                )
    return False, lift, attachment_lift


@_jit
def _partner_points_due(row, now, mf, c, s):
    """``CoalitionMechanic.before_sale`` up to the count: whether partner points are due (Python
    draws and credits them); if none can be, the member is checked up to ``now``."""
    days = now - mf[row, M_PARTNER_CHECKED]
    mean = coalition_rules.partner_points_mean(c[C_PARTNER_POINTS], days)
    if mean <= 0.0 or s[S_ACTIVE] == 0.0:
        mf[row, M_PARTNER_CHECKED] = now
        return False
    return True


@_jit
def _checkout(i, row, now, list_amount, f, n, k, books, mf, mn, lots, c, s, rng, expiring):
    """``Program.checkout`` for the compiled mechanics: returns what was paid, whether the
    membership ended (an ended program's points used up or no longer honoured) and what the
    sale's rewards add to satisfaction and attachment (``Sale.satisfaction_boost``,
    ``Sale.attachment_boost``)."""
    horizon = k[P_HORIZON]
    day = int(now)
    paid = list_amount
    received = 0.0
    if mn[row, M_SLOT] < 0:  # the program has ended: only honoured points can still be redeemed
        if c[C_HAS_POINTS] > 0.0:
            _points_after_payment(
                row, now, paid, 0.0, mf, mn, lots, c, s, books, rng, expiring, horizon
            )
        return paid, mn[row, M_BALANCE] <= 0 or now >= s[S_HONOUR_UNTIL], 0.0, 0.0
    if c[C_HAS_TIERS] > 0.0:
        _review_tiers(row, now, mf, mn, c, s)
    best = _till_discount(row, mn[row, M_TIER], mn, c)
    if best:
        off = list_amount * best
        paid = list_amount - off
        received = off
        mf[row, M_DISCOUNTS_RECEIVED] += off
        _post(books, day, ledger.DISCOUNTS, -off)
    earned = 0
    if c[C_HAS_POINTS] > 0.0:
        received, earned = _points_after_payment(
            row, now, paid, received, mf, mn, lots, c, s, books, rng, expiring, horizon
        )
    if c[C_HAS_TIERS] > 0.0:
        _tiers_after_payment(row, now, paid, earned, mf, mn, c, s)
    if c[C_HAS_DISCOUNT] > 0.0 and c[C_DISCOUNT_CUMULATIVE] > 0.0:
        levels = int(c[C_DISCOUNT_LEVELS])
        at = TERMS_OFFSET + 3 * int(c[C_REWARDS])
        level = tier_rules.qualifying_tier(f[i, SPEND] + paid, c[at : at + levels])
        if level > mn[row, M_DISCOUNT_LEVEL]:
            mn[row, M_DISCOUNT_LEVEL] = level
            mf[row, M_REFRESHED] = now  # a better card is felt afresh (DOMAIN L5)
            mf[row, M_DEAL] = -1.0
    if c[C_HAS_MEMBERSHIP] > 0.0:  # MembershipMechanic.after_payment
        received += c[C_SHIPPING_VALUE]
        if c[C_SHIPPING_COST]:
            _post(books, day, ledger.PRIZES_AND_PERKS, -c[C_SHIPPING_COST])
    lift = 0.0
    attachment_lift = 0.0
    if c[C_HAS_LOTTERY] > 0.0 and _draw(rng) < c[C_WIN_PROBABILITY]:  # LotteryMechanic
        _post(books, day, ledger.PRIZES_AND_PERKS, -c[C_PRIZE_COST])
        lift += c[C_WIN_SATISFACTION_BOOST]
        received += c[C_PRIZE_VALUE]
        s[S_PRIZES] += 1
    if c[C_PERKS] > 0.0:
        lift, attachment_lift = _perks_after_payment(
            row, now, mf, mn, c, s, books, rng, lift, attachment_lift
        )
    if c[C_HAS_REVENUE_SHARE] > 0.0 and s[S_ACTIVE] != 0.0:  # RevenueShareMechanic
        amount = revenue_share_rules.share_of(paid, c[C_SHARE_OF_SPEND])
        mf[row, M_SHARE_ACCRUED] += amount
        s[S_ACCRUED_SHARE] += amount
        _transfer(books, day, ledger.REVENUE_SHARE, ledger.REVENUE_SHARE_PAYABLE, -amount)
    mf[row, M_PERIOD_SAVINGS] += received
    mf[row, M_SPEND] += paid
    _update(i, row, now, f, n, k, mf, mn, c)
    return paid, False, lift, attachment_lift


@_jit
def _offer(i, now, f, n, c, s, rng):
    """``Program.offer`` up to the decision: 0 no offer or declined, else ``HANDOFF`` (with
    ``HANDOFF_JOIN`` when the customer accepted)."""
    stage = n[i, STAGE]
    spend_stage = stage if stage > PROSPECT else SHOPPER
    if s[S_ACTIVE] == 0.0 or spend_stage < c[C_MIN_STAGE] or now < f[i, OFFER_DUE]:
        return 0
    if f[i, SPEND] < c[C_MIN_SPEND]:
        return 0
    mode = c[C_OFFER_MODE]
    if mode == OFFER_IN_PYTHON:
        return HANDOFF
    if mode == OFFER_AUTOMATIC or _draw(rng) < c[C_OPT_IN_PROBABILITY]:
        return HANDOFF | HANDOFF_JOIN
    s[S_OFFERS_DECLINED] += 1
    f[i, OFFER_DUE] = now + c[C_REOFFER_AFTER_DAYS]
    return 0


@_jit
def _buy(i, now, basket, f, n, k, books, mf, mn, lots, c, s, rng, expiring):
    """The purchase from the member's checkout on, and the next gap (at ``k[OUT_GAP]``)."""
    row = n[i, MEMBER_ROW]
    enrolled = row >= 0 and mn[row, M_SLOT] >= 0
    if enrolled and c[C_HAS_COALITION] > 0.0 and _partner_points_due(row, now, mf, c, s):
        s[OUT_BASKET] = basket
        return HANDOFF | HANDOFF_PARTNERS
    flags = 0
    paid = basket * k[P_PRICE_LEVEL]
    lift = 0.0
    attachment_lift = 0.0
    if row >= 0:
        basket *= mf[row, M_BASKET_FACTOR]
        paid, gone, lift, attachment_lift = _checkout(
            i,
            row,
            now,
            basket * k[P_PRICE_LEVEL],
            f,
            n,
            k,
            books,
            mf,
            mn,
            lots,
            c,
            s,
            rng,
            expiring,
        )
        if gone:
            n[i, MEMBER_ROW] = -1
            flags = MEMBER_GONE
    failed = service_failed(i, n, k)
    recovered = False
    if failed:
        if enrolled and c[C_HAS_REPAIRS] > 0.0:  # Program.repairs
            recovered, lift, attachment_lift = _repairs(
                row, now, mn, c, s, books, rng, lift, attachment_lift
            )
        if not recovered:
            recovered = recovered_by_service(i, n, k)
            if recovered:
                flags |= RECOVERY_COST
    bought, stage = live_purchase(
        i,
        now,
        basket,
        paid,
        n[i, IS_MEMBER] != 0,
        f,
        n,
        k,
        books,
        failed,
        recovered,
        lift,
        attachment_lift,
    )
    row = n[i, MEMBER_ROW]
    factor = mf[row, M_RATE_FACTOR] if row >= 0 else 1.0
    k[OUT_GAP] = next_gap(i, stage, factor, row >= 0, f, n, k)
    return flags | bought


@_jit
def _housekeeping(flags, lots, rng):
    """The flags with what Python must do before the next step (``HOUSEKEEPING``)."""
    if rng[0] > BLOCK:
        flags |= SETTLE_DRAWS
    if lots[0, LOT_NEXT] < 0:
        flags |= LOTS_EMPTY
    return flags


@_jit
def program_opportunity_step(i, now, campaigns, f, n, k, books, mf, mn, lots, c, s, rng, expiring):
    """One purchase opportunity of agent ``i`` with a program in place.

    As ``sim.engine.kernel.opportunity_step`` (same flags, same outputs in ``k``), with the
    member table's arrays ``mf``, ``mn`` and ``lots``, the program's constants ``c`` and state
    ``s``, its draws ``rng`` and the points due to expire by day ``expiring``. Returns
    ``HANDOFF`` (nothing bought yet) when Python must make the offer first, and sets
    ``MEMBER_GONE`` when the membership ended, and ``HOUSEKEEPING`` flags; the sale's postings
    are made in ``books``.
    """
    flags = _opportunity(i, now, campaigns, f, n, k, books, mf, mn, lots, c, s, rng, expiring)
    return _housekeeping(flags, lots, rng)


@_jit
def _opportunity(i, now, campaigns, f, n, k, books, mf, mn, lots, c, s, rng, expiring):
    relationship = refresh_relationship(i, now, f, n, k)
    row = n[i, MEMBER_ROW]
    loyalty = mf[row, M_LOYALTY_FACTOR] if row >= 0 else 1.0
    reason = loss_reason(i, now, campaigns, f, n, k, relationship, loyalty, row >= 0)
    if reason >= 0:
        return LOST_FLAG | (reason << REASON)
    if not now < k[P_HORIZON]:  # past the horizon nothing is bought (Shop.purchase)
        factor = mf[row, M_RATE_FACTOR] if row >= 0 else 1.0
        k[OUT_GAP] = next_gap(i, n[i, STAGE], factor, row >= 0, f, n, k)
        return 0
    basket = draw_basket(i, f, n, k)
    if row < 0:
        offer = _offer(i, now, f, n, c, s, rng)
        if offer:
            s[OUT_BASKET] = basket
            return offer
    return _buy(i, now, basket, f, n, k, books, mf, mn, lots, c, s, rng, expiring)


@_jit
def program_purchase_step(i, now, basket, f, n, k, books, mf, mn, lots, c, s, rng, expiring):
    """The rest of an opportunity after a ``HANDOFF``: the purchase of ``basket`` and the gap."""
    flags = _buy(i, now, basket, f, n, k, books, mf, mn, lots, c, s, rng, expiring)
    return _housekeeping(flags, lots, rng)


def warm_up(table, constants: np.ndarray, books: np.ndarray) -> None:
    """Load (or compile) both steps on a one-customer table (``sim.engine.kernel.warm_up``)."""
    from sim.engine.member_table import MemberTable

    table.ints[0, MEMBER_ROW] = -1
    members = MemberTable(capacity=1, lot_capacity=1)
    program = np.zeros(TERMS_OFFSET)
    args = (books, members.floats, members.ints, members.lots, program, np.zeros(STATE))
    draws, expiring = np.zeros(1 + MAX_DRAWS), np.zeros(1, dtype=np.int64)
    program_opportunity_step(0, 0.0, 0, table.floats, table.ints, constants, *args, draws, expiring)
    program_purchase_step(0, 0.0, 0.0, table.floats, table.ints, constants, *args, draws, expiring)


def perks_of(terms) -> list[tuple[int, Any]]:
    """The design's perks and its tiers', in the order of the program vector: (tier, perk),
    the tier -1 for the design's own."""
    perks = [(-1, perk) for perk in terms.perks]
    if terms.tiers is not None:
        perks += [(t, perk) for t, level in enumerate(terms.tiers.levels) for perk in level.perks]
    return perks


def yearly_perk_names(design) -> tuple[str, ...]:
    """The names of the yearly perks of every term of ``design`` (its due days are kept by
    name, ``Member.yearly_due``), in order of first appearance."""
    names: dict[str, None] = {}
    for _, terms in design.schedule():
        for _, perk in perks_of(terms):
            if perk.trigger == "yearly":
                names.setdefault(perk.name)
    return tuple(names)


def max_draws(design) -> int:
    """The program draws one step may take under any term of ``design``: ``MAX_DRAWS`` and
    one per perk (``ProgramStream``)."""
    return MAX_DRAWS + max(len(perks_of(terms)) for _, terms in design.schedule())


def program_constants(
    terms, reaction, mean_base_rate: float, yearly_perks: tuple[str, ...] = ()
) -> np.ndarray:
    """The step's program vector for ``terms`` (see ``PROGRAM_PARAMETERS``); ``yearly_perks``
    are the names of the member table's yearly columns (``yearly_perk_names``)."""
    joining, points, discount = terms.joining, terms.points, terms.discount
    header = dict.fromkeys(PROGRAM_PARAMETERS, 0.0)
    if joining.capacity is not None or joining.mode == "fee_decision":
        header["offer_mode"] = OFFER_IN_PYTHON
    else:
        header["offer_mode"] = OFFER_AUTOMATIC if joining.mode == "automatic" else OFFER_OPT_IN
    header.update(
        opt_in_probability=joining.opt_in_probability,
        min_stage=_stage_index(joining.min_stage),
        min_spend=joining.min_spend,
        reoffer_after_days=joining.reoffer_after_days,
    )
    tail: list[float] = []
    if points is not None:
        header.update(
            has_points=1.0,
            points_per_currency=points.points_per_currency,
            minimum_order=points.minimum_order,
            bonus_order_share=points.bonus_order_share,
            bonus_points=points.bonus_points,
            has_cap=0.0 if points.cap_points_per_period is None else 1.0,
            cap_points_per_period=points.cap_points_per_period or 0.0,
            cap_period_days=points.cap_period_days,
            redemption_propensity=points.redemption_propensity,
            expiry_mode=points_rules.EXPIRY_MODES.index(points.expiry),
            expiry_days=points.expiry_days,
            cheapest=min(r.points_cost for r in points.rewards),
            value_per_point=points.value_per_point(),
            rewards=len(points.rewards),
        )
        tail += [r.points_cost for r in points.rewards]
        tail += [r.face_value for r in points.rewards]
        tail += [r.cost_to_business for r in points.rewards]
    if discount is not None:
        header.update(
            has_discount=1.0,
            discount_cumulative=1.0 if discount.basis == "cumulative_spend" else 0.0,
            discount_levels=len(discount.levels),
        )
        tail += [level.min_spend for level in discount.levels]
        tail += [level.percent / 100.0 for level in discount.levels]
    if terms.revenue_share is not None:
        header.update(has_revenue_share=1.0, share_of_spend=terms.revenue_share.share_of_spend)
    membership = terms.membership
    if membership is not None:
        header.update(
            has_membership=1.0,
            membership_discount=membership.discount,
            **_fields(
                membership,
                "fee",
                "period_days",
                "shipping_value_per_order",
                "shipping_cost_per_order",
            ),
        )
    if terms.lottery is not None:
        header.update(
            has_lottery=1.0,
            **_fields(
                terms.lottery,
                "win_probability",
                "prize_value",
                "prize_cost",
                "win_satisfaction_boost",
            ),
        )
    tiers = terms.tiers
    if tiers is not None:
        header.update(
            has_tiers=1.0,
            tier_metric=tier_rules.METRICS.index(tiers.metric),
            window_days=tiers.window_days,
            one_level=1.0 if tiers.downgrade == "one_level" else 0.0,
            tier_levels=len(tiers.levels),
            tiers_at=TERMS_OFFSET + len(tail),
        )
        tail += [level.threshold for level in tiers.levels]
        tail += [level.earn_multiplier for level in tiers.levels]
        tail += [level.discount for level in tiers.levels]
    perks = perks_of(terms)
    header.update(
        perks=len(perks),
        perks_at=TERMS_OFFSET + len(tail),
        has_repairs=any(perk.trigger == "service_failure" for _, perk in perks),
    )
    for tier, perk in perks:
        row = dict.fromkeys(PERK_COLUMNS, 0.0)
        row.update(
            tier=tier,
            trigger=perk_rules.TRIGGERS.index(perk.trigger),
            yearly_column=M_YEARLY + yearly_perks.index(perk.name)
            if perk.trigger == "yearly"
            else 0,
            **_fields(perk, *PERK_COLUMNS[2:6]),
        )
        tail += [float(row[name]) for name in PERK_COLUMNS]
    if terms.coalition is not None and points is not None:  # as Program._build
        header.update(
            has_coalition=1.0,
            **_fields(terms.coalition, "partner_points_per_member_per_month"),
        )
    header.update(mean_base_rate=mean_base_rate, **_fields(reaction, *REACTION_PARAMETERS))
    return np.array([float(header[name]) for name in PROGRAM_PARAMETERS] + tail)


def _fields(section, *names: str) -> dict[str, float]:
    """Fields of a scenario section that enter the program vector under their own names."""
    return {name: getattr(section, name) for name in names}


def _stage_index(name: str) -> int:
    from sim.rules.ladder import STAGES

    return STAGES.index(name)
