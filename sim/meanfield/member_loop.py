"""The preview's loyalty program: members' multipliers, points balances and the program's books.

The day loop (``sim.meanfield.day_loop``) keeps the members of each class apart from its other
customers, on the same rungs. This module holds what it does for them, compiled with it:

* a class's members feel one **deal** (``sim.rules.response.deal`` of the design's discounts,
  free shipping, points, prizes and revenue share, as ``Program._deal`` adds them up), fading
  with their mean time since joining (``novelty``), and respond by the three multipliers of
  ``sim.rules.response.member_effects`` at their mean progress to a reward and mean stake;
* their **points balances** are a distribution over whole-point buckets: at a purchase the
  members whose balance affords a reward redeem the best one with the redemption propensity,
  then everyone earns what the basket earns (``sim.money.programs.points``, redeem then earn as
  ``PointsMechanic.after_payment``);
* the **points liability** follows ``sim.money.liability`` (IFRS 15: the payment split by
  stand-alone price, revenue recognised as points are redeemed, breakage as they expire).

The vector of the program's running numbers is indexed by the ``B_*`` constants.
"""

from __future__ import annotations

import math

import numpy as np

from sim.engine import (
    kernel,
    program_kernel,  # noqa: F401  (compiles sim.rules.response for numba)
)
from sim.engine.kernel import _jit
from sim.meanfield.program import (
    EARN_GRID,
    EARN_GRID_TOP,
    P_BASKET_LIFT,
    P_BASKET_SENSITIVITY,
    P_CHURN_CUT,
    P_DELAYED_WEIGHT,
    P_EARN_PER_CURRENCY,
    P_EXPECTED_REDEMPTION,
    P_FEE,
    P_GOAL_GRADIENT,
    P_HABITUATION_FLOOR,
    P_MEMBERSHIP_DISCOUNT,
    P_PAID_LIFT,
    P_PRIZE_VALUE,
    P_SHARE_OF_SPEND,
    P_SHIPPING_VALUE,
    P_STAKE_HALF_BASKETS,
    P_SWITCHING_COST,
    P_VALUE_PER_POINT,
    P_VISIT_ELASTICITY,
    P_VISIT_LIFT,
    P_WIN_PROBABILITY,
)
from sim.money import liability as liability_rules
from sim.money.programs import membership as membership_rules
from sim.rules import response

if kernel.numba is not None:
    for _rule in (
        liability_rules.expected_redemptions,
        liability_rules.recognised_to_date,
        membership_rules.join_probability,
        response.departure_probability,
    ):
        kernel.register_jitable(_rule)

(B_RATE, B_DEFERRED, B_ISSUED, B_REDEEMED, B_EXPIRED, B_RECOGNISED, B_FIELDS) = range(7)
"""The points liability's numbers (``sim.money.liability.PointsLiability``)."""


@_jit
def recognise(book):
    """Revenue recognised now by the liability ``book`` (``PointsLiability._catch_up``)."""
    outstanding = book[B_ISSUED] - book[B_REDEEMED] - book[B_EXPIRED]
    if outstanding <= 1e-9 * book[B_ISSUED]:
        outstanding = 0.0
    expected = liability_rules.expected_redemptions(
        book[B_RATE], book[B_ISSUED], book[B_REDEEMED], outstanding
    )
    target = liability_rules.recognised_to_date(book[B_DEFERRED], book[B_REDEEMED], expected)
    change = target - book[B_RECOGNISED]
    book[B_RECOGNISED] = target
    return change


@_jit
def earned_points(earn, paid, reference):
    """Points one purchase earns on average at a paid basket ``paid`` (linear in the table of
    ``sim.meanfield.program.ProgramPlan.earn``, tabulated up to ``EARN_GRID_TOP`` times the
    ``reference`` basket and straight on beyond it)."""
    if reference <= 0.0:
        return 0.0
    x = paid / reference / EARN_GRID_TOP * (EARN_GRID - 1)
    i = min(int(x), EARN_GRID - 2)
    return earn[i] + (x - i) * (earn[i + 1] - earn[i])


@_jit
def best_rewards(rewards, width, buckets):
    """For each of ``buckets`` balance buckets, the index of the most valuable reward it affords
    (-1: none; ``sim.money.programs.points.best_reward``)."""
    best = np.full(buckets, -1)
    for b in range(buckets):
        balance = b * width
        for i in range(rewards.shape[0]):
            if rewards[i, 0] <= balance + 1e-9 and (
                best[b] < 0 or rewards[i, 1] > rewards[best[b], 1]
            ):
                best[b] = i
    return best


@_jit
def put_mass(target, position, mass):
    """``mass`` at a balance of ``position`` buckets, shared between the two buckets around it
    so that the mean balance is kept (the top bucket holds every balance beyond it)."""
    top = len(target) - 1
    if position >= top:
        target[top] += mass
        return
    if position <= 0.0:
        target[0] += mass
        return
    i = int(position)
    f = position - i
    target[i] += mass * (1.0 - f)
    target[i + 1] += mass * f


@_jit
def balances_after_purchases(
    held, keep, buying, earned, rewards, best, width, propensity, out, count, top
):
    """The balances after a day: a share ``keep`` of the holders stays (the others forfeit
    their points), a share ``buying`` of them buys once; those who can afford a reward redeem
    the best one with ``propensity``, then all earn ``earned`` points. ``held`` is updated in
    place through ``out``; ``count`` receives the rewards redeemed, by reward. ``top`` is the
    highest bucket holding anyone (none above it). Returns the points redeemed and the new top.
    """
    n = len(held)
    step = earned / width
    reach = min(n - 1, top + int(step) + 2)
    for b in range(reach + 1):
        out[b] = 0.0
    redeemed = 0.0
    for b in range(min(top, n - 1) + 1):
        mass = held[b] * keep
        if mass <= 0.0:
            continue
        buyers = mass * buying
        out[b] += mass - buyers
        i = best[b]
        if i >= 0 and propensity > 0.0:
            redeeming = buyers * propensity
            count[i] += redeeming
            redeemed += redeeming * rewards[i, 0]
            put_mass(out, b - rewards[i, 0] / width + step, redeeming)
            buyers -= redeeming
        put_mass(out, b + step, buyers)
    new_top = 0
    for b in range(reach + 1):
        held[b] = out[b]
        if out[b] > 0.0:
            new_top = b
    return redeemed, new_top


@_jit
def held_points(held, width):
    """Points held by a class's card holders."""
    total = 0.0
    for b in range(len(held)):
        total += held[b] * b * width
    return total


@_jit
def progress_and_points(held, width, cheapest, top):
    """The holders' mean progress to the cheapest reward (0..1), the points they hold, and how
    many they are (no one above bucket ``top``)."""
    people = 0.0
    progress = 0.0
    points = 0.0
    for b in range(min(top, len(held) - 1) + 1):
        balance = b * width
        people += held[b]
        progress += held[b] * min(1.0, balance / cheapest)
        points += held[b] * balance
    if people <= 0.0:
        return 0.0, 0.0, 0.0
    return progress / people, points, people


@_jit
def forfeit_share(held, share):
    """A share of every holder's points lapses: moved to the empty bucket (keeps the mean
    balance's share of the points exact); returns nothing."""
    moved = 0.0
    for b in range(1, len(held)):
        m = held[b] * share
        held[b] -= m
        moved += m
    held[0] += moved


@_jit
def unredeemed_share(purchases_per_day, earned, cheapest, propensity, days):
    """Share of the points a member earns that are still unredeemed ``days`` later, when they
    expire.

    A member buys at ``purchases_per_day`` (Poisson) and earns ``earned`` points a purchase; a
    card of ``cheapest`` points is redeemed at a purchase once full, with ``propensity``. A
    point earned as the ``j``-th of a card's ``m = ceil(cheapest / earned)`` purchases waits for
    the ``m - j`` purchases that fill the card and then for the redemption (a purchase with
    probability ``propensity``, a geometric number more): with purchases in ``days`` Poisson
    with mean ``purchases_per_day * days``, it lapses when they are fewer. Averaged over ``j``.
    """
    if earned <= 0.0 or cheapest <= 0.0 or propensity <= 0.0:
        return 1.0
    mean = max(0.0, purchases_per_day * days)
    if cheapest / earned > 4.0 * mean + 100.0:  # the card cannot be filled in time
        return 1.0
    m = max(1, math.ceil(cheapest / earned - 1e-9))
    if mean > m + 12.0 * math.sqrt(mean) + 40.0 / propensity:  # every card fills in time
        return 0.0
    top = int(mean + 12.0 * math.sqrt(mean) + m + 30)
    pmf = np.empty(top + 1)  # P(N = x)
    pmf[0] = math.exp(-mean)
    for x in range(1, top + 1):
        pmf[x] = pmf[x - 1] * mean / x
    # a point that needs i more purchases lapses with P(N < i) + sum_{x >= i} P(N = x) q^(x-i+1),
    # q = 1 - propensity (the geometric wait for a redeeming purchase); the sum's terms for all
    # i come from one backward pass: T_i = q (P(N = i) + T_(i+1))
    q = 1.0 - propensity
    tail = np.zeros(top + 2)
    for x in range(top, -1, -1):
        tail[x] = q * (pmf[x] + tail[x + 1])
    below = 0.0  # P(N < i)
    total = 0.0
    for i in range(1, m + 1):
        below += pmf[i - 1] if i - 1 <= top else 0.0
        total += below + (tail[i] if i <= top else 0.0)
    return min(1.0, total / m)


@_jit
def newcomer_deal(plan, card_rate, basket, multiplier=1.0, tier_discount=0.0):
    """The deal of a member with card discount ``card_rate``, list basket ``basket``, and a
    tier's earn ``multiplier`` and discount (``Program._deal``: the best till discount plus free
    shipping; points, prizes and the revenue share as delayed rewards)."""
    best = max(card_rate, plan[P_MEMBERSHIP_DISCOUNT], tier_discount)
    immediate = plan[P_SHIPPING_VALUE] / basket if basket > 0.0 else 0.0
    delayed = plan[P_EARN_PER_CURRENCY] * multiplier * plan[P_VALUE_PER_POINT]
    delayed += plan[P_SHARE_OF_SPEND]
    if basket > 0.0:
        delayed += plan[P_WIN_PROBABILITY] * plan[P_PRIZE_VALUE] / basket
    return response.deal(best + immediate, delayed, plan[P_DELAYED_WEIGHT])


(T_THRESHOLD, T_MULTIPLIER, T_DISCOUNT, T_PERK_COST, T_PERK_SATISFACTION, T_PERK_ATTACHMENT) = (
    range(6)
)
"""Columns of the tiers' table (``sim.meanfield.program.ProgramPlan.tiers``)."""


@_jit
def tier_shares(tiers, metric_per_day, tenure, window, shares):
    """Shares of a class's members on each tier (``shares``, filled in).

    A member's qualifying metric grows at ``metric_per_day``; tier ``j`` is reached at
    ``threshold_j / metric_per_day`` days into a window and then held (``TiersMechanic``: an
    upgrade at once; at a review the tier falls at most one level, or to what the window
    qualified for, which a steady metric qualifies for again). In the first window, at mean
    tenure ``tenure``, the share at tier ``j`` or above is the share of the time elapsed since
    reaching it; from the second window on, every member holds what a window's metric reaches.
    """
    levels = tiers.shape[0]
    above = np.zeros(levels + 1)
    for j in range(levels):
        threshold = tiers[j, T_THRESHOLD]
        if threshold <= 0.0:
            above[j] = 1.0
        elif metric_per_day <= 0.0:
            above[j] = 0.0
        elif tenure >= window:
            above[j] = 1.0 if metric_per_day * window >= threshold else 0.0
        else:
            reached = threshold / metric_per_day
            span = max(tenure, 1.0)
            above[j] = min(1.0, max(0.0, 1.0 - reached / span))
    for j in range(levels):
        shares[j] = max(0.0, above[j] - above[j + 1])


@_jit
def member_factors(plan, deal, novelty_left, progress, stake, basket, weight, active):
    """``sim.rules.response.member_effects`` for a class's members: multipliers on purchase
    rate, basket, and dropout and competitor acceptance. ``novelty_left`` is the mean of
    ``exp(-days since joining / habituation_days)``, so the mean novelty is exact (it is
    linear in it)."""
    if not active:
        return 1.0, 1.0, 1.0
    floor = plan[P_HABITUATION_FLOOR]
    felt = weight * deal * (floor + (1.0 - floor) * novelty_left)
    attachment = response.rational_attachment(stake, basket, plan[P_STAKE_HALF_BASKETS])
    rate = response.frequency_factor(
        felt, plan[P_VISIT_ELASTICITY], weight * plan[P_GOAL_GRADIENT], progress
    ) * (1.0 + plan[P_VISIT_LIFT])
    if plan[P_FEE] > 0.0:
        rate *= 1.0 + plan[P_PAID_LIFT]
    basket_factor = response.basket_factor(felt, plan[P_BASKET_SENSITIVITY]) * (
        1.0 + plan[P_BASKET_LIFT]
    )
    loyalty = response.retention_factor(attachment, weight * plan[P_SWITCHING_COST]) * (
        1.0 - plan[P_CHURN_CUT]
    )
    return rate, basket_factor, loyalty


def empty_book(plan) -> np.ndarray:
    """A liability book at the plan's expected redemption rate."""
    book = np.zeros(B_FIELDS)
    book[B_RATE] = plan[P_EXPECTED_REDEMPTION]
    return book
