"""The mean-field day loop: expected numbers of people on each rung, and their purchases and
money, day by day, from the agent model's own rules.

Each class of customers (``sim.meanfield.classes``) on each buying rung carries its expected
number of people and their mean satisfaction, expectation, relationship and attachment. A day
moves expected numbers, not people: marketing reaches the expected share of the pool, the
expected share of those who will buy make their first purchase, and every class makes its
expected number of purchase opportunities at the rate ``sim.rules.buying.purchase_rate`` gives
its means. At each opportunity the expected shares leave (``sim.rules.churn``: life events,
competitor offers, drift) and the rest buy; a purchase moves the class's means by the expected
change of one experience (``sim.rules.experience`` over the quality distribution, with its
service failures and recoveries) times the share of the class that bought. The answers to the
NPS question come from the same rule (``sim.rules.wom.likelihood_to_recommend``) over the spread
of satisfaction between customers of a class, and they decide the moves to and from the upper
rungs as in ``sim.rules.ladder.next_stage``. The rules are compiled by numba from their one
source, as the agent engine's compiled step uses them.

What a mean cannot carry is said where it is assumed; ``sim.meanfield.preview`` lists the
scenario features the preview leaves out or only approximates.
"""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np

from sim.engine import kernel
from sim.engine.kernel import _jit
from sim.meanfield import member_loop
from sim.meanfield.member_loop import B_DEFERRED, B_EXPIRED, B_ISSUED, B_RATE, B_REDEEMED
from sim.meanfield.program import (
    P_ATTACHMENT_ON_JOIN,
    P_AUTOMATIC,
    P_BROKEN_PROMISE_DROP,
    P_BUCKET_POINTS,
    P_BUCKETS,
    P_CAP_DAYS,
    P_CAP_POINTS,
    P_CAPACITY,
    P_CARD_LENDING,
    P_DECISION_NOISE,
    P_DISCOUNT_CUMULATIVE,
    P_END,
    P_END_DEPARTURE,
    P_EXPECTED_REDEMPTION,
    P_EXPIRY_AFTER_DAYS,
    P_EXPIRY_DAYS,
    P_EXPIRY_END_OF_YEAR,
    P_FAN_ATTACHMENT,
    P_FEE,
    P_FEE_DECISION,
    P_HABITUATION_DAYS,
    P_HAS_POINTS,
    P_HAS_TIERS,
    P_HONOUR_DAYS,
    P_LAUNCH,
    P_MEMBERSHIP_DISCOUNT,
    P_MIN_RUNG,
    P_MIN_SPEND,
    P_OPT_IN,
    P_ORDER_PERK_ATTACHMENT,
    P_ORDER_PERK_COST,
    P_ORDER_PERK_SATISFACTION,
    P_PARTNER_COST_PER_REACH,
    P_PARTNER_POINTS_PER_DAY,
    P_PARTNER_REACH,
    P_PAYMENT_PER_POINT,
    P_PAYOUT_EVERY_DAYS,
    P_PER_MEMBER_PER_DAY,
    P_PERIOD_DAYS,
    P_PRIZE_COST,
    P_PRIZE_VALUE,
    P_RE_ESTIMATE_DAYS,
    P_REDEMPTION_PROPENSITY,
    P_REFERRAL_COST,
    P_REFERRAL_MESSAGES,
    P_RENEWAL_INERTIA,
    P_REOFFER_DAYS,
    P_REPAIR_ATTACHMENT,
    P_REPAIR_COST,
    P_REPAIR_PROBABILITY,
    P_RUNNING_PER_DAY,
    P_SETUP_COST,
    P_SHARE_OF_SPEND,
    P_SHIPPING_COST,
    P_SHIPPING_VALUE,
    P_TIER_METRIC,
    P_TIER_WINDOW,
    P_VALUE_PER_POINT,
    P_VISIT_ELASTICITY,
    P_WIN_BOOST,
    P_WIN_PROBABILITY,
    P_YEARLY_PERK_ATTACHMENT,
    P_YEARLY_PERK_COST,
    P_YEARLY_PERK_SATISFACTION,
)
from sim.money.programs import membership as membership_rules
from sim.rules import buying, churn, experience, response, wom

if kernel.numba is not None:  # the rules the engine's step does not already compile
    kernel.register_jitable(wom.chance_a_fan_is_a_contact)

RUNGS = ("shopper", "customer", "advocate", "raving_fan")
"""The buying rungs a class can be on; a member on the customer rung is on the member rung."""
SHOPPER, CUSTOMER, ADVOCATE, FAN = range(4)
CELLS = 2 * len(RUNGS)
"""Cells of a class: the rungs of its non-members, then of its members."""

COLUMNS = (
    "pool",
    "n_prospect",
    "n_shopper",
    "n_customer",
    "n_advocate",
    "n_raving_fan",
    "n_lost",
    "first_purchases",
    "purchases",
    "won_back",
    "lost_low_interaction",
    "lost_unknown",
    "lost_competitor_offer",
    "lost_life_events",
    "revenue",
    "cost_of_goods",
    "marketing",
    "communication",
    "service_recovery",
    "fixed_costs",
    "win_back_offers",
    "profit",
    "cash",
    "surveyed",
    "promoters",
    "passives",
    "detractors",
    "messages_positive",
    "messages_negative",
    "messages_countered",
    "acquired_word_of_mouth",
    "won_back_by_word_of_mouth",
    "lost_program_ended",
    "membership_fees",
    "breakage",
    "discounts",
    "reward_cost",
    "prizes_and_perks",
    "referral_rewards",
    "revenue_share",
    "program_costs",
    "points_liability",
    "fee_deferral",
    "revenue_share_payable",
    "members",
    "points_outstanding",
    "n_member",
)
"""The columns of the loop's daily table, named as the agent model's ``daily`` columns."""
(
    POOL,
    N_PROSPECT,
    N_SHOPPER,
    N_CUSTOMER,
    N_ADVOCATE,
    N_FAN,
    N_LOST,
    FIRST,
    PURCHASES,
    WON_BACK,
    LOST_LOW,
    LOST_UNKNOWN,
    LOST_COMPETITOR,
    LOST_LIFE,
    REVENUE,
    COGS,
    MARKETING,
    COMMUNICATION,
    RECOVERY,
    FIXED,
    WIN_BACK_COST,
    PROFIT,
    CASH,
    SURVEYED,
    PROMOTERS,
    PASSIVES,
    DETRACTORS,
    MESSAGES_POSITIVE,
    MESSAGES_NEGATIVE,
    MESSAGES_COUNTERED,
    ACQUIRED_WOM,
    WON_BACK_WOM,
    LOST_PROGRAM_ENDED,
    MEMBERSHIP_FEES,
    BREAKAGE,
    DISCOUNTS,
    REWARD_COST,
    PRIZES_AND_PERKS,
    REFERRAL_REWARDS,
    REVENUE_SHARE,
    PROGRAM_COSTS,
    POINTS_LIABILITY,
    FEE_DEFERRAL,
    REVENUE_SHARE_PAYABLE,
    MEMBERS,
    POINTS_OUTSTANDING,
    N_MEMBER,
) = range(len(COLUMNS))

Market = namedtuple(
    "Market", "size initial reach_p cost_per_reach buy_p delay init_s init_e init_r"
)
"""Reach and newcomers: market size, existing customers, daily reach probability and its cost,
the chance a reached person buys and the mean wait, and a newcomer's starting satisfaction,
expectation and relationship."""
Rungs = namedtuple("Rungs", "spend freq drop accept")
"""Per cell (the buying rungs shopper, customer, advocate, raving fan of non-members, then of
members, whose customer rung is the member rung): the multipliers of spend, purchase
frequency, dropout and competitor acceptance."""
Shop = namedtuple(
    "Shop",
    "price_factor ref_s ref_r freq_sens_s freq_sens_r drop_sens_s drop_sens_r low_threshold "
    "learning touched_level touched_speed untouched_speed gain_purchase attachment_rate "
    "forgive_r forgive_a window life_rate accept_base reach_share wallet fickle committed "
    "committed_factor win_back_rate bgnbd",
)
"""A purchase opportunity's rules: their references and sensitivities, the relationship's
closed form, attachment and forgiveness, the survey window, life events, competitor offers (with
the share of wallet whose factor is the population's mean factor), win-backs and the dropout
model (``bgnbd``: no drift before the first repeat purchase)."""
Experience = namedtuple(
    "Experience",
    "mean_q sd_q fail recover severity bonus slope weight up down repair repair_lift",
)
"""One experience: the quality's distribution, service failures and recoveries, the score's
slope and performance weight, and the expectation's speeds up and down; for a member, the chance
a failure is recovered by a free repair (``Program.repairs``, before the service's own
recovery) and what the repair adds to the score (its satisfaction boost over the learning
rate: the boost is added to satisfaction after the experience)."""
Money = namedtuple(
    "Money",
    "mean_basket price_level cogs_share recovery_cost touches_cost fixed_per_day "
    "win_back_cost starting_cash",
)
"""What the books need besides the experience's failure and recovery rates."""
Promotion = namedtuple("Promotion", "advocate_days fan_days fan_score fan_attachment")
"""The upper rungs' thresholds (``sim.rules.ladder.PromotionRules``)."""
Talk = namedtuple(
    "Talk",
    "talking promoter_rate detractor_rate fan_multiplier negative_weight choose negative_drop "
    "defence contacts outside_promoters outside_detractors",
)
"""Word of mouth: on or off, daily message rates, the fans' multiple, the weight of a negative
message, positive messages to choose, a negative message's satisfaction drop, the fans'
defence, contacts per person, and the outside voices."""


@_jit
def _experience(e, quality_z, quality_w, p):
    """The expected score of one experience, its variance, the expected change of the
    expectation and the score's third central moment, for a customer of expectation ``e``
    (``sim.rules.experience`` averaged over the quality's normal distribution and the three
    service outcomes)."""
    mean_q, sd_q, fail, recover, severity, bonus, slope, weight, up, down, repair, lift = p
    score = 0.0
    square = 0.0
    cube = 0.0
    change = 0.0
    for j in range(len(quality_z)):
        q = mean_q + sd_q * quality_z[j]
        for branch in range(4):
            extra = 0.0
            if branch == 0:
                share, failed, recovered = 1.0 - fail, False, False
            elif branch == 1:
                share, failed, recovered = fail * repair, True, True
                extra = lift
            elif branch == 2:
                share, failed, recovered = fail * (1.0 - repair) * recover, True, True
            else:
                share, failed, recovered = fail * (1.0 - repair) * (1.0 - recover), True, False
            if share == 0.0:
                continue
            felt = experience.experienced_quality(q, e, failed, recovered, severity, bonus)
            x = experience.experience_score(felt, e, slope, weight) + extra
            w = quality_w[j] * share
            score += w * x
            square += w * x * x
            cube += w * x * x * x
            if not failed:  # a failed purchase leaves the expectation as it was
                change += w * (experience.updated_expectation(e, felt, up, down) - e)
    third = cube - 3.0 * score * square + 2.0 * score * score * score
    return score, square - score * score, change, third


EXPECTATION_GRID = 401
"""Points of the table of one experience's expected effects over the expectation 0..1."""


@_jit
def experience_table(quality_z, quality_w, p):
    """:func:`_experience` at :data:`EXPECTATION_GRID` expectations from 0 to 1: rows of
    (expected score, its variance, expected change of the expectation). A day's classes read it
    by linear interpolation instead of averaging the rules over the quality again."""
    table = np.zeros((EXPECTATION_GRID, 4))
    for i in range(EXPECTATION_GRID):
        e = i / (EXPECTATION_GRID - 1)
        table[i, 0], table[i, 1], table[i, 2], table[i, 3] = _experience(e, quality_z, quality_w, p)
    return table


@_jit
def _lookup(table, e):
    """The tabulated experience at expectation ``e`` (linear interpolation)."""
    x = min(max(e, 0.0), 1.0) * (EXPECTATION_GRID - 1)
    i = min(int(x), EXPECTATION_GRID - 2)
    f = x - i
    return (
        table[i, 0] + f * (table[i + 1, 0] - table[i, 0]),
        table[i, 1] + f * (table[i + 1, 1] - table[i, 1]),
        table[i, 2] + f * (table[i + 1, 2] - table[i, 2]),
        table[i, 3] + f * (table[i + 1, 3] - table[i, 3]),
    )


@_jit
def _skewed(z, spread, third):
    """A point of a distribution with standard deviation ``spread`` and third central moment
    ``third`` at standard normal point ``z`` (the Cornish-Fisher expansion to the skewness,
    kept within the range where it stays increasing over the nodes used)."""
    if spread <= 0.0:
        return 0.0
    skew = min(1.3, max(-1.3, third / (spread * spread * spread)))
    return spread * (z + skew / 6.0 * (z * z - 1.0))


@_jit
def _answers(s, spread, third, r, a, z, zw, forgive_r, forgive_a, fan_score):
    """Shares of a class answering 9-10 (promoter), at least ``fan_score``, and 0-6
    (detractor), its satisfaction spread normally around ``s`` (``wom.likelihood_to_recommend``
    at each node)."""
    promoter = 0.0
    top = 0.0
    detractor = 0.0
    for j in range(len(z)):
        sj = min(1.0, max(0.0, s + _skewed(z[j], spread, third)))
        score = wom.likelihood_to_recommend(sj, r, a, forgive_r, forgive_a)
        if score >= 9:
            promoter += zw[j]
        if score >= fan_score:
            top += zw[j]
        if score <= 6:
            detractor += zw[j]
    return promoter, top, detractor


@_jit
def _owing(debt, people, negative_weight):
    """The share of ``people`` who heard more bad than good, if each negative message they
    heard is a debt of ``negative_weight`` positive ones held by one person."""
    if people <= 0.0 or negative_weight <= 0.0:
        return 0.0
    return min(1.0, debt / (negative_weight * people))


@_jit
def _old_enough(people, young):
    """The share of a rung's ``people`` who are not among the ``young`` still waiting."""
    if people <= 0.0:
        return 0.0
    return max(0.0, 1.0 - young / people)


@_jit
def _enter(entries, entered, index, c, j, day, waits, people):
    """``people`` of class ``c`` enter rung queue ``j`` today: they wait ``waits[j]`` days
    before their run of promoter answers can be long enough. Stored divided by the rung's
    survival index, so that every later loss of the rung shrinks them in proportion without
    touching each entry; the index is reset before it underflows."""
    if index[c, j] < 1e-150:
        entries[c, j] *= index[c, j]
        entered[c, j] *= index[c, j]
        index[c, j] = 1.0
    if index[c, j] <= 0.0:
        index[c, j] = 1.0
        entries[c, j] = 0.0
        entered[c, j] = 0.0
    stored = people / index[c, j]
    entries[c, j, day % waits[j]] += stored
    entered[c, j] += stored


@_jit
def _mix(n_to, x_to, n_add, x_add):
    """The mean of ``x`` after ``n_add`` people of mean ``x_add`` join ``n_to`` of mean ``x_to``."""
    total = n_to + n_add
    return x_to if total <= 0.0 else (n_to * x_to + n_add * x_add) / total


def _inlined(function):
    """``function`` compiled by numba into each caller (a call that passes a class's nine
    arrays costs more than the few sums it makes), or unchanged without numba."""
    if kernel.numba is None:
        return function
    return kernel.numba.njit(inline="always", cache=True)(function)


@_inlined
def _mix_cell(n, s, e, r, a, var, skew, sp, c, to, frm, moved):
    """``moved`` people of class ``c`` go from cell ``frm`` to cell ``to`` with their means."""
    if moved <= 0.0:
        return
    s[c, to] = _mix(n[c, to], s[c, to], moved, s[c, frm])
    e[c, to] = _mix(n[c, to], e[c, to], moved, e[c, frm])
    r[c, to] = _mix(n[c, to], r[c, to], moved, r[c, frm])
    a[c, to] = _mix(n[c, to], a[c, to], moved, a[c, frm])
    var[c, to] = _mix(n[c, to], var[c, to], moved, var[c, frm])
    skew[c, to] = _mix(n[c, to], skew[c, to], moved, skew[c, frm])
    sp[c, to] = _mix(n[c, to], sp[c, to], moved, sp[c, frm])
    n[c, to] += moved
    n[c, frm] -= moved


@_jit
def _card_rate(levels, spend):
    """The discount card's share off at a spend (``sim.money.programs.discounts``)."""
    rate = 0.0
    for i in range(levels.shape[0]):
        if spend >= levels[i, 0]:
            rate = levels[i, 1]
    return rate


@_jit
def _rescale(expiring, scale, c):
    """Class ``c``'s schedule at scale 1 again before its scale underflows."""
    if scale[c] < 1e-150:
        expiring[c, :] *= scale[c]
        scale[c] = 1.0


@_jit
def _schedule(expiring, scale, c, day, points):
    """``points`` of class ``c`` due to expire on ``day`` (stored over the class's scale, which
    forfeits shrink without touching each entry)."""
    _rescale(expiring, scale, c)
    if day < expiring.shape[1]:
        expiring[c, day] += points / scale[c]


@_jit
def run_days(
    horizon,
    rates,
    propensities,
    weights,
    quality_z,
    quality_w,
    spread_z,
    spread_w,
    market,
    rungs,
    shop,
    xp,
    member_xp,
    money,
    promotion,
    talk,
    campaigns,
    plan,
    rewards,
    tiers,
    contests,
    earn,
    stated,
    activity,
    levels,
):
    """The daily table (``horizon x len(COLUMNS)``) of the mean-field model.

    ``rates``, ``propensities`` and ``weights`` are the classes' base purchase rates, dropout
    propensities and shares of the population; ``campaigns`` the expected competitor campaigns
    starting each day; the other arguments are the named groups of the scenario's numbers
    (:class:`Market`, :class:`Rungs` by cell, :class:`Shop`, :class:`Experience` of customers
    and of members, :class:`Money`, :class:`Promotion`, :class:`Talk`) and the design in place
    (``sim.meanfield.program.ProgramPlan``: ``plan``, ``rewards``, ``tiers``, ``contests``,
    ``earn``,
    ``stated``, ``activity``, and the discount card's ``levels``), which
    ``sim.meanfield.preview`` builds by name. A cell is a rung (shopper, customer, advocate,
    raving fan) of non-members (cells 0-3) or of members (4-7, the customer rung being the
    member rung).
    """
    size, initial, reach_p, cost_per_reach, buy_p, delay, init_s, init_e, init_r = market
    spend, freq, drop, accept = rungs
    (
        price_factor,
        ref_s,
        ref_r,
        freq_sens_s,
        freq_sens_r,
        drop_sens_s,
        drop_sens_r,
        low_threshold,
        learning,
        touched_level,
        touched_speed,
        untouched_speed,
        gain_purchase,
        attachment_rate,
        forgive_r,
        forgive_a,
        window,
        life_rate,
        accept_base,
        reach_share,
        wallet,
        fickle,
        committed,
        committed_factor,
        win_back_rate,
        bgnbd,
    ) = shop
    fail, recover = xp.fail, xp.recover
    (
        mean_basket,
        price_level,
        cogs_share,
        recovery_cost,
        touches_cost,
        fixed_per_day,
        win_back_cost,
        starting_cash,
    ) = money
    advocate_days, fan_days, fan_score, fan_attachment = promotion
    (
        talking,
        promoter_rate,
        detractor_rate,
        fan_multiplier,
        negative_weight,
        choose,
        negative_drop,
        defence,
        contacts,
        outside_promoters,
        outside_detractors,
    ) = talk
    felt_by = (
        experience_table(quality_z, quality_w, xp),
        experience_table(quality_z, quality_w, member_xp),
    )
    first_x = _lookup(felt_by[0], init_e)[0]  # one experience's score from the day-0 state
    smooth_z = np.array([-math.sqrt(3.0), 0.0, math.sqrt(3.0)])  # Gauss-Hermite, 3 nodes
    smooth_w = np.array([1.0 / 6.0, 2.0 / 3.0, 1.0 / 6.0])
    flow = np.zeros((CELLS, CELLS))  # people moving from one cell (row) to another
    k = len(rates)
    n = np.zeros((k, CELLS))
    s = np.full((k, CELLS), init_s)
    e = np.full((k, CELLS), init_e)
    r = np.full((k, CELLS), init_r)
    a = np.zeros((k, CELLS))
    var = np.zeros((k, CELLS))  # the between-customer variance of satisfaction in each class
    skew = np.zeros((k, CELLS))  # its third central moment: scores have a long lower tail
    sp = np.zeros((k, CELLS))  # mean spend with the business so far
    # BG/NBD: people acquired (or won back) who have not yet had an opportunity cannot drift
    fresh = np.zeros((k, CELLS))
    # people too new on the customer rung for an advocate's run of promoter days, and too new
    # an advocate for a fan's, kept as dated entries (_enter), for non-members and members
    waits = np.array(
        [
            max(1, math.floor(advocate_days + 0.5)),
            max(1, math.floor(fan_days - advocate_days + 0.5)),
        ]
    )
    span = waits.max()
    entries = np.zeros((k, 4, span))  # entries divided by the survival index when they came
    entered = np.zeros((k, 4))  # their sum
    index = np.ones((k, 4))  # survival of the rung's people since the index was last reset
    queue_waits = np.array([waits[0], waits[1], waits[0], waits[1]])
    lost = np.zeros(k)
    lost_s = np.full(k, init_s)
    lost_e = np.full(k, init_e)
    lost_r = np.zeros(k)
    lost_a = np.zeros(k)
    lost_sp = np.zeros(k)
    waiting_first = np.zeros(k)  # existing customers who have not bought since day 0
    for c in range(k):
        n[c, CUSTOMER] = initial * weights[c]
        waiting_first[c] = n[c, CUSTOMER]
        if bgnbd:
            fresh[c, CUSTOMER] = n[c, CUSTOMER]
    # the program (sim.meanfield.member_loop)
    launch, end = int(plan[P_LAUNCH]), int(plan[P_END])
    used = CELLS if launch < horizon else CELLS // 2  # members' cells only with a program
    has_points = plan[P_HAS_POINTS] > 0.0
    width = max(1.0, plan[P_BUCKET_POINTS])
    buckets = max(1, int(plan[P_BUCKETS]))
    best = member_loop.best_rewards(rewards, width, buckets)
    cheapest = rewards[:, 0].min() if has_points else 1.0
    held = np.zeros((k, buckets))  # card holders of each class by points balance
    bucket_next = np.zeros(buckets)
    top_bucket = np.zeros(k, dtype=np.int64)  # each class's highest balance bucket holding anyone
    counts = np.zeros(rewards.shape[0])
    book = np.zeros(member_loop.B_FIELDS)
    book[member_loop.B_RATE] = plan[P_EXPECTED_REDEMPTION]
    expiring = np.zeros((k, horizon + 1))  # each class's points due to expire, by day
    expiring_scale = np.ones(k)
    lapse_share = np.full(k, -1.0)  # each class's share of issued points that will lapse
    novelty_left = np.zeros(k)  # members' mean exp(-days since joining / habituation days)
    card = np.zeros(k)  # members' mean discount card rate
    fade = math.exp(-1.0 / plan[P_HABITUATION_DAYS]) if plan[P_HABITUATION_DAYS] > 0 else 0.0
    reoffer = max(1, int(plan[P_REOFFER_DAYS] + 0.5))
    declined = np.zeros((k, reoffer))  # people who declined, by day mod reoffer
    declined_now = np.zeros(k)
    declined_sum = np.zeros(k)  # their sum over the ring
    period = max(1, int(plan[P_PERIOD_DAYS]))
    fee = plan[P_FEE]
    dues = np.zeros((k, period))  # members' renewals, by day mod period, over the index
    due_index = np.ones(k)
    fee_change = np.zeros(horizon + period + 2)
    fee_rate = 0.0
    payable = 0.0
    tenure = np.zeros(k)  # members' mean days since joining
    metric_rate = np.zeros(k)  # members' tier-qualifying metric per day, as of yesterday
    shares = np.zeros(tiers.shape[0])
    has_tiers = plan[P_HAS_TIERS] > 0.0
    years = np.zeros(365)  # members by day of joining in the year, over the index
    years_index = 1.0
    honour_until = horizon + 1
    reference = mean_basket * spend[SHOPPER] * price_level
    attraction = 1.0
    pool = size - initial
    waiting = 0.0  # decided to buy, waiting for the first purchase
    never = 0.0  # reached by marketing, decided not to buy
    heard = 0.0  # made prospects by a message, not yet decided
    debt = 0.0  # positive messages the undecided prospects must hear to make up for negatives
    lost_debt = 0.0  # the same for lost customers who could come back
    # yesterday's surveyed promoters (not fans), fans, detractors; members who would refer, and
    # members' promoter voices (fans counted fan_multiplier times)
    talkers = np.zeros(5)
    wom_back = np.zeros(len(rates))  # lost customers of each class won back by a message today
    cash = starting_cash
    gone_for_good = 0.0
    out = np.zeros((horizon, len(COLUMNS)))
    # the relationship's speeds come as sim.rules.relationship.closed_form gives them: negative
    wait_r = init_r / (1.0 - untouched_speed * delay)  # E[exp(-decay * wait)], exponential wait
    first_share = -math.expm1(-1.0 / delay) if delay > 0 else 1.0
    keep_touched = math.exp(touched_speed)
    keep_lost = math.exp(untouched_speed)
    back = -math.expm1(-win_back_rate)
    life = -math.expm1(-life_rate)
    for day in range(horizon):
        row = out[day]
        active = launch <= day < end
        # ------------------------------------------------ the program's dated work
        if day == launch:
            row[PROGRAM_COSTS] -= plan[P_SETUP_COST]
            if plan[P_MIN_RUNG] == 0 and plan[P_MIN_SPEND] <= 0.0:  # Program._advertise
                share = 1.0 if plan[P_AUTOMATIC] > 0 else 0.0
                if plan[P_AUTOMATIC] == 0 and plan[P_FEE_DECISION] == 0:
                    share = plan[P_OPT_IN]
                deal0 = member_loop.newcomer_deal(plan, _card_rate(levels, 0.0), reference)
                attraction = response.frequency_factor(
                    share * deal0, plan[P_VISIT_ELASTICITY], 0.0, 0.0
                )
        if day == end:
            attraction = 1.0
            if payable > 0.0:  # shares accrued are paid out
                row[REVENUE_SHARE_PAYABLE] -= payable
                payable = 0.0
            honoured = plan[P_HONOUR_DAYS] > 0.0
            honour_until = day + int(plan[P_HONOUR_DAYS]) if honoured else day
            if has_points:  # every lot expires by the honour date (at once if not honoured)
                last = min(honour_until, horizon)
                for c in range(k):
                    held_c = member_loop.held_points(held[c], width)
                    sooner = expiring[c, day:last].sum() * expiring_scale[c]
                    expiring[c, last:] = 0.0
                    expiring[c, last] = max(0.0, held_c - sooner) / expiring_scale[c]
            for c in range(k):
                members_c = n[c, CELLS // 2 :].sum()
                departed = 0.0
                for g in range(CELLS // 2, CELLS):
                    people = n[c, g]
                    if people <= 0.0:
                        continue
                    # rational loyalty goes (sim.rules.response.departure_probability)
                    leaving = people * response.departure_probability(
                        plan[P_END_DEPARTURE], a[c, g], plan[P_FAN_ATTACHMENT]
                    )
                    if has_points and not honoured:
                        s[c, g] = max(0.0, s[c, g] - plan[P_BROKEN_PROMISE_DROP])
                    row[LOST_PROGRAM_ENDED] += leaving
                    lost_s[c] = _mix(lost[c], lost_s[c], leaving, s[c, g])
                    lost_e[c] = _mix(lost[c], lost_e[c], leaving, e[c, g])
                    lost_r[c] = _mix(lost[c], lost_r[c], leaving, r[c, g])
                    lost_a[c] = _mix(lost[c], lost_a[c], leaving, a[c, g])
                    lost_sp[c] = _mix(lost[c], lost_sp[c], leaving, sp[c, g])
                    lost[c] += leaving
                    departed += leaving
                    n[c, g] = people - leaving
                    # the rest are customers again (the member rung's people are customers)
                    _mix_cell(n, s, e, r, a, var, skew, sp, c, g - CELLS // 2, g, n[c, g])
                if members_c > 0.0:
                    held[c] *= 1.0 - departed / members_c
                    expiring_scale[c] *= 1.0 - departed / members_c
                if fee > 0.0:  # unused fees are refunded
                    for j in range(period):
                        paid_day = day - ((day - j) % period)
                        left = paid_day + period - day
                        if 0 < left <= period:
                            refund = dues[c, j] * due_index[c] * fee * left / period
                            row[FEE_DEFERRAL] -= refund
                            fee_change[day] -= dues[c, j] * due_index[c] * fee / period
                            fee_change[day + left] += dues[c, j] * due_index[c] * fee / period
                        dues[c, j] = 0.0
        due = 0.0
        for c in range(k):  # points expire: breakage (IFRS 15)
            due_c = expiring[c, day] * expiring_scale[c]
            if due_c > 0.0:
                held_c = member_loop.held_points(held[c], width)
                due_c = min(due_c, held_c)
                if held_c > 0.0:
                    member_loop.forfeit_share(held[c], due_c / held_c)
                due += due_c
            expiring[c, day] = 0.0
        if due > 0.0:
            book[B_EXPIRED] += due
            recognised = member_loop.recognise(book)
            row[BREAKAGE] += recognised
            row[POINTS_LIABILITY] -= recognised
        if day == honour_until and has_points:  # whatever is left lapses now
            held[:] = 0.0
            left = book[B_ISSUED] - book[B_REDEEMED] - book[B_EXPIRED]
            if left > 0.0:
                book[B_EXPIRED] += left
                recognised = member_loop.recognise(book)
                row[BREAKAGE] += recognised
                row[POINTS_LIABILITY] -= recognised
        fee_rate += fee_change[day]
        if fee_rate > 1e-12:
            row[MEMBERSHIP_FEES] += fee_rate
            row[FEE_DEFERRAL] -= fee_rate
        if active and has_points and day > launch:  # the redemption rate, re-estimated
            since = day - launch
            rate_now = stated[day]
            if math.isnan(rate_now) and since % int(plan[P_RE_ESTIMATE_DAYS]) == 0:
                settled = book[B_REDEEMED] + book[B_EXPIRED]
                if settled > 0.0 and settled >= 0.05 * book[B_ISSUED]:
                    rate_now = book[B_REDEEMED] / settled
            if not math.isnan(rate_now):
                book[B_RATE] = rate_now
                recognised = member_loop.recognise(book)
                row[REVENUE] += recognised
                row[POINTS_LIABILITY] -= recognised
        members_now = n[:, CELLS // 2 :].sum()
        if active:
            row[PROGRAM_COSTS] -= plan[P_RUNNING_PER_DAY] + plan[P_PER_MEMBER_PER_DAY] * members_now
            if plan[P_YEARLY_PERK_COST] > 0.0:  # a membership year has come round
                row[PRIZES_AND_PERKS] -= plan[P_YEARLY_PERK_COST] * years[day % 365] * years_index
            for j in range(contests.shape[0]):  # prize draws among the day's members
                if contests[j, 0] == day and members_now > 0.0:
                    winners = min(contests[j, 1], members_now)
                    row[PRIZES_AND_PERKS] -= winners * contests[j, 2]
                    for c in range(k):
                        for g in range(CELLS // 2, CELLS):
                            lift = contests[j, 3] * winners / members_now
                            s[c, g] = min(1.0, s[c, g] + lift)
            every = int(plan[P_PAYOUT_EVERY_DAYS])
            if every > 0 and day > launch and (day - launch) % every == 0 and payable > 0.0:
                row[REVENUE_SHARE_PAYABLE] -= payable
                payable = 0.0
        # ------------------------------------------------ reach and word of mouth
        day_reach_p, day_cost = reach_p, cost_per_reach
        if active and plan[P_PARTNER_REACH] > 0.0:  # partners' customers hear of us
            own = -365.0 * math.log1p(-reach_p)
            total = own + plan[P_PARTNER_REACH]
            day_reach_p = -math.expm1(-total / 365.0)
            day_cost = cost_per_reach * own + plan[P_PARTNER_COST_PER_REACH] * (total - own)
            day_cost /= total
        reached = pool * day_reach_p
        pool -= reached
        buy_now = min(1.0, buy_p * attraction)
        waiting += reached * buy_now
        never += reached * (1.0 - buy_now)
        # marketing reaches the prospects who heard of the business and have not decided at the
        # same rate; those who heard more bad than good (W5) do not buy, and keep listening
        # with what they owe (only those who buy leave the listeners, owing nothing)
        reached_heard = heard * day_reach_p
        owing = _owing(debt, heard + never, negative_weight)
        heard -= reached_heard
        buying_heard = reached_heard * (1.0 - owing) * buy_now
        waiting += buying_heard
        never += reached_heard - buying_heard
        row[MARKETING] = -(reached + reached_heard) * day_cost
        wom_back[:] = 0.0
        if talking:
            # the day's messages from yesterday's surveyed voices and the outside voices, each
            # to a random person of the market (well mixed, sim.engine.talk); members prompted
            # by a referral reward add theirs (Program._referrals)
            positive = promoter_rate * (talkers[0] + fan_multiplier * talkers[1])
            positive += promoter_rate * outside_promoters
            referred = talkers[3] * plan[P_REFERRAL_MESSAGES] if active else 0.0
            positive += referred
            from_members = promoter_rate * talkers[4] + referred
            negative = detractor_rate * (talkers[2] + outside_detractors)
            fans = n[:, FAN].sum() + n[:, CELLS // 2 + FAN].sum()
            countered = negative * wom.chance_a_fan_is_a_contact(fans, size, contacts) * defence
            negative -= countered
            row[MESSAGES_POSITIVE] = positive
            row[MESSAGES_NEGATIVE] = negative + countered
            row[MESSAGES_COUNTERED] = countered
            # anonymous people become prospects; a positive message convinces 1 / choose of
            # those who hear it (sim.rules.wom.is_convinced: their net reaches a new high)
            hit_pool_p = positive * pool / size
            hit_pool_n = negative * pool / size
            pool -= hit_pool_p + hit_pool_n
            won = hit_pool_p / choose
            # undecided prospects: a positive message to one who owes pays one off instead
            undecided = heard + never
            owing = _owing(debt, undecided, negative_weight)
            hits_p = positive * undecided / size
            hits_n = negative * undecided / size
            debt = max(0.0, debt - hits_p * owing) + negative_weight * (hits_n + hit_pool_n)
            convinced = hits_p * (1.0 - owing) / choose
            if undecided > 0.0:
                heard -= convinced * heard / undecided
                never -= convinced * never / undecided
            heard += hit_pool_p - won + hit_pool_n
            waiting += won + convinced
            row[ACQUIRED_WOM] = won + convinced
            if active and positive > 0.0 and plan[P_REFERRAL_COST] > 0.0:
                # a newcomer convinced by a member's message rewards both (Program._pay_referral;
                # at once here, at the first purchase or the sign-up in the agent model)
                by_members = (won + convinced) * from_members / positive
                row[REFERRAL_REWARDS] -= by_members * plan[P_REFERRAL_COST]
            # lost customers who could come back listen afresh from their loss
            lost_total = lost.sum()
            owing = _owing(lost_debt, lost_total, negative_weight)
            hits_p = positive * lost_total / size
            hits_n = negative * lost_total / size
            lost_debt = max(0.0, lost_debt - hits_p * owing) + negative_weight * hits_n
            for c in range(k):
                wom_back[c] = positive * lost[c] / size * (1.0 - owing) / choose
            # current customers: a negative message lowers satisfaction
            for c in range(k):
                for g in range(used):
                    if n[c, g] > 1e-12:
                        hits = negative * n[c, g] / size
                        s[c, g] = max(0.0, s[c, g] - negative_drop * min(1.0, hits / n[c, g]))
        first = waiting * first_share
        waiting -= first
        if active and plan[P_CARD_LENDING] > 0.0 and pool > 0.0:
            # members lend their card to someone new, who buys with it today (W9)
            lent = min(pool, plan[P_CARD_LENDING] * members_now)
            pool -= lent
            first += lent
            row[REFERRAL_REWARDS] -= lent * plan[P_REFERRAL_COST]
        row[FIRST] = first
        row[PURCHASES] += first
        # the program's offer at a first purchase (a first purchase counts as a shopper's)
        open_first = active and plan[P_MIN_RUNG] == 0 and plan[P_MIN_SPEND] <= 0.0
        buyers_total = 0.0
        fan_voices = 0.0
        referrers = 0.0
        member_voices = 0.0
        joined_today = 0.0  # of every class so far (capacity counts them all)
        members_gone = 0.0  # members lost today (they forfeit what they accrued)
        listening = lost.sum()  # lost customers who could come back, before today's moves
        offered_back = 0.0  # of them, won back by the business's offers today
        plain_purchases = first
        at_list = 0.0  # the day's sales at list price (the cost of goods' base)
        member_purchases = 0.0
        for c in range(k):
            lost_r[c] *= keep_lost
            flow[:] = 0.0
            for j in range(4):  # entries of one wait ago are now old enough
                slot = day % queue_waits[j]
                entered[c, j] -= entries[c, j, slot]
                entries[c, j, slot] = 0.0
            # members of the class: their numbers before the day, and what they feel
            members_before = n[c, CELLS // 2 :].sum()
            if active and fee > 0.0 and members_before > 0.0:  # renewals (MembershipMechanic)
                slot = day % period
                due_people = min(members_before, dues[c, slot] * due_index[c])
                if due_people > 0.0 and day > launch:
                    basket_m = mean_basket * spend[CELLS // 2 + CUSTOMER] * price_level
                    per_order = basket_m * max(card[c], plan[P_MEMBERSHIP_DISCOUNT])
                    per_order += (
                        plan[P_SHIPPING_VALUE] + plan[P_WIN_PROBABILITY] * plan[P_PRIZE_VALUE]
                    )
                    orders = rates[c] * freq[CELLS // 2 + CUSTOMER] * period
                    keep = membership_rules.join_probability(
                        orders * per_order, fee, plan[P_DECISION_NOISE], plan[P_RENEWAL_INERTIA]
                    )
                    lapsing = due_people * (1.0 - keep)
                    renewing = due_people - lapsing
                    dues[c, slot] = renewing / due_index[c]
                    row[FEE_DEFERRAL] += renewing * fee
                    row[MEMBERSHIP_FEES] += renewing * fee / period
                    row[FEE_DEFERRAL] -= renewing * fee / period
                    fee_change[day + 1] += renewing * fee / period
                    fee_change[day + period] -= renewing * fee / period
                    if lapsing > 0.0:
                        share = lapsing / members_before
                        for g in range(CELLS // 2, CELLS):
                            _mix_cell(
                                n, s, e, r, a, var, skew, sp, c, g - CELLS // 2, g, n[c, g] * share
                            )
                        forfeit = share * member_loop.held_points(held[c], width)
                        held[c] *= 1.0 - share  # who lapses forfeits their points (on_leave)
                        expiring_scale[c] *= 1.0 - share
                        if forfeit > 0.0:
                            book[B_EXPIRED] += forfeit
                            recognised = member_loop.recognise(book)
                            row[BREAKAGE] += recognised
                            row[POINTS_LIABILITY] -= recognised
                        members_before -= lapsing
            basket_m = mean_basket * spend[CELLS // 2 + CUSTOMER] * price_level
            progress, points_held, holding = member_loop.progress_and_points(
                held[c], width, cheapest, top_bucket[c]
            )
            balance = points_held / holding if holding > 0.0 else 0.0
            stake = balance * plan[P_VALUE_PER_POINT]
            if members_before > 0.0:
                stake += payable / max(members_now, 1e-9)
            if fee > 0.0:
                stake += 0.5 * fee
            # tiers: the class's members spread over them (sim.meanfield.member_loop.tier_shares)
            multiplier = 1.0
            best_off = max(card[c], plan[P_MEMBERSHIP_DISCOUNT])
            tier_cost = tier_lift_s = tier_lift_a = 0.0
            if has_tiers and active:
                member_loop.tier_shares(
                    tiers, metric_rate[c], tenure[c], plan[P_TIER_WINDOW], shares
                )
                base_deal = member_loop.newcomer_deal(
                    plan, card[c], basket_m, tiers[0, 1], tiers[0, 2]
                )
                deal = multiplier = best_off = 0.0
                for j in range(tiers.shape[0]):
                    w = shares[j]
                    deal_j = member_loop.newcomer_deal(
                        plan, card[c], basket_m, tiers[j, 1], tiers[j, 2]
                    )
                    deal += w * deal_j
                    multiplier += w * tiers[j, 1]
                    best_off += w * max(card[c], plan[P_MEMBERSHIP_DISCOUNT], tiers[j, 2])
                    tier_cost += w * tiers[j, 3]
                    tier_lift_s += w * tiers[j, 4]
                    tier_lift_a += w * tiers[j, 5]
                    # a status is worth a year of its extra deal (Program._status_stake)
                    yearly = rates[c] * freq[CELLS // 2 + CUSTOMER] * 365.0 * basket_m
                    stake += w * max(0.0, deal_j - base_deal) * yearly
            else:
                deal = member_loop.newcomer_deal(plan, card[c], basket_m)
            tenure[c] += 1.0
            rate_f, basket_f, loyal_f = member_loop.member_factors(
                plan, deal, novelty_left[c], progress, stake, basket_m, activity[c], active
            )
            # a cap on points per period (PointsMechanic): shared over the period's purchases
            cap_per_purchase = math.inf
            if plan[P_CAP_POINTS] > 0.0:
                per_period = rates[c] * freq[CELLS // 2 + CUSTOMER] * rate_f * plan[P_CAP_DAYS]
                cap_per_purchase = plan[P_CAP_POINTS] / max(1.0, per_period)
            novelty_left[c] *= fade
            holders_before = members_before if active else n[c, : CELLS // 2].sum()
            holder_buys = 0.0
            joined = 0.0
            joined_buys_list = 0.0
            member_list = 0.0
            member_buys = 0.0
            for g in range(used):
                people = n[c, g]
                if people <= 1e-3:  # a thousandth of a person: nothing to follow
                    continue
                rung = g % 4
                member = g >= CELLS // 2
                buyers_total += people
                # smooth rules are averaged over the spread of satisfaction (3 Gauss-Hermite
                # nodes): a mean customer buys and leaves at other rates than the mean of them
                spread = math.sqrt(max(var[c, g], 0.0))
                rate = 0.0
                drift = 0.0
                for j in range(len(smooth_z)):
                    sj = min(1.0, max(0.0, s[c, g] + _skewed(smooth_z[j], spread, skew[c, g])))
                    rate += smooth_w[j] * buying.purchase_rate(
                        rates[c],
                        freq[g],
                        sj,
                        r[c, g],
                        ref_s,
                        ref_r,
                        freq_sens_s,
                        freq_sens_r,
                        price_factor,
                    )
                    drift += smooth_w[j] * churn.drift_probability(
                        propensities[c],
                        drop[g],
                        sj,
                        r[c, g],
                        ref_s,
                        ref_r,
                        drop_sens_s,
                        drop_sens_r,
                    )
                loyal = 1.0
                if member:
                    rate *= rate_f
                    drift *= loyal_f
                    loyal = loyal_f
                gone_life = people * life
                acceptance = loyal * churn.competitor_acceptance(
                    accept_base, accept[g], wallet, s[c, g], fickle, committed, committed_factor
                )
                gone_offer = (people - gone_life) * campaigns[day] * reach_share * acceptance
                # within the day the class thins as its members drift away at their
                # opportunities: opportunities = integral of people(t) * rate over the day
                staying = people - gone_life - gone_offer
                new_share = 0.0
                if bgnbd:  # no drift at the first opportunity after an acquisition
                    new_share = 1.0 if rung == SHOPPER else min(1.0, fresh[c, g] / people)
                staying_new = staying * new_share
                staying_old = staying - staying_new
                hazard = rate * drift
                if hazard > 1e-9:
                    chances = staying_old * -math.expm1(-hazard) / drift
                else:
                    chances = staying_old * rate
                gone_drift = chances * drift
                bought = max(0.0, chances - gone_drift) + staying_new * rate
                fresh[c, g] = staying_new * math.exp(-rate)
                gone = gone_life + gone_offer + gone_drift
                row[LOST_LIFE] += gone_life
                row[LOST_COMPETITOR] += gone_offer
                if r[c, g] < low_threshold:
                    row[LOST_LOW] += gone_drift
                else:
                    row[LOST_UNKNOWN] += gone_drift
                eligible = gone_offer + gone_drift  # life events never come back
                lost_s[c] = _mix(lost[c], lost_s[c], eligible, s[c, g])
                lost_e[c] = _mix(lost[c], lost_e[c], eligible, e[c, g])
                lost_r[c] = _mix(lost[c], lost_r[c], eligible, r[c, g])
                lost_a[c] = _mix(lost[c], lost_a[c], eligible, a[c, g])
                lost_sp[c] = _mix(lost[c], lost_sp[c], eligible, sp[c, g])
                lost[c] += eligible
                queue = -1
                if rung in (CUSTOMER, ADVOCATE):
                    queue = rung - CUSTOMER + (2 if member else 0)
                    index[c, queue] *= max(0.0, people - gone) / people
                people -= gone
                n[c, g] = people
                if member:
                    members_gone += gone
                row[PURCHASES] += bought
                basket = mean_basket * spend[g] * price_level * (basket_f if member else 1.0)
                row[REVENUE] += bought * basket
                at_list += bought * basket
                if member:
                    member_purchases += bought
                    member_buys += bought
                    member_list += bought * basket
                else:
                    plain_purchases += bought
                if member or not active:
                    holder_buys += bought
                # the class's means after the day's experiences, touches and decay
                share = min(1.0, bought / people) if people > 0.0 else 0.0
                x, v, de, k3 = _lookup(felt_by[1 if member else 0], e[c, g])
                s[c, g] += share * learning * (x - s[c, g])
                if member:  # the rewards' delight (Sale.satisfaction_boost); a yearly perk
                    lift = plan[P_WIN_PROBABILITY] * plan[P_WIN_BOOST]
                    lift += plan[P_ORDER_PERK_SATISFACTION] + tier_lift_s
                    s[c, g] = min(1.0, s[c, g] + plan[P_YEARLY_PERK_SATISFACTION] / 365.0)
                    a[c, g] = min(1.0, a[c, g] + plan[P_YEARLY_PERK_ATTACHMENT] / 365.0)
                    s[c, g] = min(1.0, s[c, g] + share * lift)
                # answers come from those who bought: early in the run the customer rung still
                # holds existing customers who have not (at their day-0 satisfaction, and
                # unsurveyed), whom the answering customers' mean leaves out
                answered = s[c, g]
                unbought = 0.0
                if g == CUSTOMER:  # (they are offered the program only when they buy)
                    waiting_first[c] *= math.exp(-rate) * people / (people + gone)
                    unbought = min(1.0, waiting_first[c] / people)
                    if 1e-9 < unbought < 0.9:
                        answered = (s[c, g] - unbought * init_s) / (1.0 - unbought)
                    elif unbought >= 0.9:  # the few answers would amplify the mean's error:
                        # most who answer have bought once, from their day-0 state
                        answered = experience.updated_satisfaction(init_s, first_x, learning)
                e[c, g] += share * de
                r[c, g] = touched_level + (r[c, g] - touched_level) * keep_touched
                r[c, g] += share * gain_purchase * (1.0 - r[c, g])
                a[c, g] += share * attachment_rate * (s[c, g] * r[c, g] - a[c, g])
                if member:
                    boost = plan[P_ORDER_PERK_ATTACHMENT] + tier_lift_a
                    boost += fail * plan[P_REPAIR_PROBABILITY] * plan[P_REPAIR_ATTACHMENT]
                    a[c, g] = min(1.0, a[c, g] + share * boost)
                sp[c, g] += share * basket * (1.0 - (best_off if member else 0.0))
                # satisfaction's spread: an average of scores, learning / (2 - learning) of
                # their variance once settled (an exponentially weighted mean), and the
                # third moment learning^3 / (1 - (1 - learning)^3) of theirs
                var[c, g] += share * (learning / (2.0 - learning) * v - var[c, g])
                settled = learning**3 / (1.0 - (1.0 - learning) ** 3) * k3
                skew[c, g] += share * (settled - skew[c, g])
                promoter, top, detractor = _answers(
                    answered,
                    spread,
                    skew[c, g],
                    r[c, g],
                    a[c, g],
                    spread_z,
                    spread_w,
                    forgive_r,
                    forgive_a,
                    fan_score,
                )
                # surveyed: bought in the last `window` days; the existing customers of day 0
                # have no answer until their first purchase of the run
                recent = -math.expm1(-rate * min(window, day + 1.0))
                surveyed = people * recent
                since_start = -math.expm1(-rate * (day + 1.0))
                if (g == CUSTOMER or member) and since_start > 0.0:
                    # of those who bought since day 0, the ones who bought recently
                    surveyed = people * (1.0 - unbought) * recent / since_start
                row[SURVEYED] += surveyed
                row[PROMOTERS] += surveyed * promoter
                row[DETRACTORS] += surveyed * detractor
                row[PASSIVES] += surveyed * (1.0 - promoter - detractor)
                if rung == FAN:
                    fan_voices += surveyed * promoter
                if member:  # promoters and passives refer when prompted (refers)
                    referrers += surveyed * (1.0 - detractor)
                    member_voices += surveyed * promoter * (fan_multiplier if rung == FAN else 1.0)
                # the program's offer to a non-member at a purchase (Program.offer)
                offer = active and not member and rung >= plan[P_MIN_RUNG] and bought > 0.0
                if offer and sp[c, g] >= plan[P_MIN_SPEND]:
                    blocked = min(people, declined_sum[c])
                    offered = bought * (1.0 - blocked / people) if people > 0.0 else 0.0
                    take = plan[P_OPT_IN]
                    if plan[P_AUTOMATIC] > 0.0:
                        take = 1.0
                    elif plan[P_FEE_DECISION] > 0.0:
                        benefit = (
                            rate
                            * period
                            * basket
                            * member_loop.newcomer_deal(plan, _card_rate(levels, sp[c, g]), basket)
                        )
                        take = membership_rules.join_probability(
                            benefit, fee, plan[P_DECISION_NOISE]
                        )
                    joining = offered * take
                    room = plan[P_CAPACITY] - members_now - joined_today - joined
                    joining = max(0.0, min(joining, room))
                    if plan[P_AUTOMATIC] == 0.0 and plan[P_REOFFER_DAYS] > 0.0:
                        declined_now[c] += offered * (1.0 - take)
                    if joining > 0.0:  # they move with the ladder's moves below
                        card_new = _card_rate(levels, sp[c, g])
                        old_members = n[c, CELLS // 2 :].sum() + joined
                        card[c] = _mix(old_members, card[c], joining, card_new)
                        novelty_left[c] = _mix(old_members, novelty_left[c], joining, 1.0)
                        tenure[c] = _mix(old_members, tenure[c], joining, 0.0)
                        flow[g, g + CELLS // 2] = joining
                        joined += joining
                        joined_buys_list += joining * basket
                # moves on the ladder at the day's purchases (sim.rules.ladder.next_stage): the
                # upper rungs need an unbroken run of promoter answers, which lasted the last
                # D days with probability exp(-answers in D days * (1 - promoter share))
                base = g - rung
                if rung == SHOPPER:
                    flow[g, base + CUSTOMER] = bought  # a repeat purchase makes a customer
                elif rung == CUSTOMER:
                    run_kept = math.exp(-rate * advocate_days * (1.0 - promoter))
                    young = index[c, queue] * entered[c, queue]
                    old_enough = _old_enough(people, young)
                    flow[g, base + ADVOCATE] = bought * old_enough * promoter * run_kept
                elif rung == ADVOCATE:
                    flow[g, base + CUSTOMER] = bought * (1.0 - promoter)
                    if a[c, g] >= fan_attachment:
                        run_kept = math.exp(-rate * fan_days * (1.0 - promoter))
                        young = index[c, queue] * entered[c, queue]
                        old_enough = _old_enough(people, young)
                        flow[g, base + FAN] = bought * old_enough * min(top, promoter) * run_kept
                else:
                    flow[g, base + CUSTOMER] = bought * (1.0 - promoter)
                    if a[c, g] < fan_attachment:
                        flow[g, base + ADVOCATE] = bought * promoter
            for g in range(used):
                leaving = flow[g].sum()
                if leaving <= 0.0:
                    continue
                rung = g % 4
                base = g - rung
                scale = min(1.0, n[c, g] / leaving)
                queue_a = (2 if g >= CELLS // 2 else 0) + 1
                if rung == ADVOCATE and n[c, g] > 0.0:  # falling back takes the new ones too
                    down = flow[g, base + CUSTOMER] * scale
                    index[c, queue_a] *= max(0.0, 1.0 - down / n[c, g])
                for to in range(used):
                    moved = flow[g, to] * scale
                    if moved <= 0.0:
                        continue
                    to_rung = to % 4
                    if to_rung == rung:  # joining the program: the rung is kept
                        if bgnbd:
                            moved_fresh = fresh[c, g] * moved / n[c, g]
                            fresh[c, g] -= moved_fresh
                            fresh[c, to] += moved_fresh
                        _mix_cell(n, s, e, r, a, var, skew, sp, c, to, g, moved)
                        # what joining adds, and the first yearly perk (due at joining)
                        lift_a = plan[P_ATTACHMENT_ON_JOIN] + plan[P_YEARLY_PERK_ATTACHMENT]
                        a[c, to] = min(1.0, a[c, to] + lift_a * moved / n[c, to])
                        lift_s = plan[P_YEARLY_PERK_SATISFACTION] * moved / n[c, to]
                        s[c, to] = min(1.0, s[c, to] + lift_s)
                        continue
                    if to_rung == CUSTOMER or (to_rung == ADVOCATE and rung == CUSTOMER):
                        queue = to_rung - CUSTOMER + (2 if to >= CELLS // 2 else 0)
                        _enter(entries, entered, index, c, queue, day, queue_waits, moved)
                    _mix_cell(n, s, e, r, a, var, skew, sp, c, to, g, moved)
                fresh[c, g] = min(fresh[c, g], n[c, g])
            # first purchases (new shoppers of this class, after one experience at the
            # starting satisfaction and expectation) and returns join after the day's
            # opportunities: their own next opportunity comes after a gap
            new = first * weights[c]
            if new > 0.0:
                x, v, de, k3 = _lookup(felt_by[0], init_e)
                s_new = experience.updated_satisfaction(init_s, x, learning)
                r_new = wait_r + gain_purchase * (1.0 - wait_r)
                a_new = attachment_rate * (s_new * r_new)
                joining = 0.0
                if open_first:
                    take = plan[P_OPT_IN] if plan[P_AUTOMATIC] == 0.0 else 1.0
                    if plan[P_FEE_DECISION] > 0.0:
                        benefit = rates[c] * freq[SHOPPER] * period * reference
                        benefit *= member_loop.newcomer_deal(
                            plan, _card_rate(levels, 0.0), reference
                        )
                        take = membership_rules.join_probability(
                            benefit, fee, plan[P_DECISION_NOISE]
                        )
                    room = plan[P_CAPACITY] - members_now - joined_today - joined
                    joining = min(new * take, max(0.0, room))
                    if plan[P_AUTOMATIC] == 0.0 and plan[P_REOFFER_DAYS] > 0.0:
                        declined_now[c] += new * (1.0 - take)
                for g, people_new in ((SHOPPER, new - joining), (CELLS // 2 + SHOPPER, joining)):
                    if people_new <= 0.0:
                        continue
                    old = n[c, g]
                    s[c, g] = _mix(old, s[c, g], people_new, s_new)
                    e[c, g] = _mix(old, e[c, g], people_new, init_e + de)
                    r[c, g] = _mix(old, r[c, g], people_new, r_new)
                    a[c, g] = _mix(old, a[c, g], people_new, a_new)
                    var[c, g] = _mix(old, var[c, g], people_new, learning * learning * v)
                    skew[c, g] = _mix(old, skew[c, g], people_new, learning**3 * k3)
                    sp[c, g] = _mix(old, sp[c, g], people_new, reference)
                    n[c, g] = old + people_new
                row[REVENUE] += new * reference
                at_list += new * reference
                if joining > 0.0:
                    old_members = n[c, CELLS // 2 :].sum() - joining
                    card[c] = _mix(old_members, card[c], joining, _card_rate(levels, 0.0))
                    novelty_left[c] = _mix(old_members, novelty_left[c], joining, 1.0)
                    tenure[c] = _mix(old_members, tenure[c], joining, 0.0)
                    joined += joining
                    joined_buys_list += joining * reference
            # win-backs: back on the customer rung with a purchase at once
            offered = lost[c] * back
            won = min(lost[c], offered + wom_back[c])
            offered_back += min(offered, won)
            if won > 0.0:
                lost[c] -= won
                s_back = max(lost_s[c], init_s)
                r_back = max(lost_r[c], init_r)
                x, v, de, k3 = _lookup(felt_by[0], lost_e[c])
                s_back = experience.updated_satisfaction(s_back, x, learning)
                r_back = r_back + gain_purchase * (1.0 - r_back)
                old = n[c, CUSTOMER]
                s[c, CUSTOMER] = _mix(old, s[c, CUSTOMER], won, s_back)
                e[c, CUSTOMER] = _mix(old, e[c, CUSTOMER], won, lost_e[c] + de)
                r[c, CUSTOMER] = _mix(old, r[c, CUSTOMER], won, r_back)
                a[c, CUSTOMER] = _mix(old, a[c, CUSTOMER], won, lost_a[c])
                sp[c, CUSTOMER] = _mix(old, sp[c, CUSTOMER], won, lost_sp[c])
                n[c, CUSTOMER] = old + won
                _enter(entries, entered, index, c, 0, day, queue_waits, won)
                if bgnbd:
                    fresh[c, CUSTOMER] += won
                row[WON_BACK] += won
                row[PURCHASES] += won
                plain_purchases += won
                row[REVENUE] += won * mean_basket * spend[CUSTOMER] * price_level
                at_list += won * mean_basket * spend[CUSTOMER] * price_level
                row[WIN_BACK_COST] -= min(offered, won) * win_back_cost
                row[WON_BACK_WOM] += won - min(offered, won)
            # ------------------------------------------ the members' sales and balances
            if joined > 0.0 or member_buys > 0.0:
                buys = member_buys + joined
                list_amount = member_list + joined_buys_list
                off = best_off * list_amount
                row[DISCOUNTS] -= off
                paid = list_amount - off
                row[PRIZES_AND_PERKS] -= buys * (
                    plan[P_SHIPPING_COST]
                    + plan[P_WIN_PROBABILITY] * plan[P_PRIZE_COST]
                    + plan[P_ORDER_PERK_COST]
                    + tier_cost
                )
                row[PRIZES_AND_PERKS] -= joined * plan[P_YEARLY_PERK_COST]
                years[day % 365] += joined / years_index
                member_purchases += joined
                plain_purchases -= joined
                if plan[P_SHARE_OF_SPEND] > 0.0:
                    accrued = paid * plan[P_SHARE_OF_SPEND]
                    row[REVENUE_SHARE] -= accrued
                    row[REVENUE_SHARE_PAYABLE] += accrued
                    payable += accrued
                if fee > 0.0 and joined > 0.0:
                    dues[c, day % period] += joined / due_index[c]
                    row[FEE_DEFERRAL] += joined * fee
                    row[MEMBERSHIP_FEES] += joined * fee / period
                    row[FEE_DEFERRAL] -= joined * fee / period
                    fee_change[day + 1] += joined * fee / period
                    fee_change[day + period] -= joined * fee / period
                if active and has_points:
                    earned = multiplier * member_loop.earned_points(earn, paid / buys, reference)
                    earned = min(earned, cap_per_purchase)
                    issued = earned * buys
                    # partner points, credited at the members' visits (CoalitionMechanic)
                    partner = plan[P_PARTNER_POINTS_PER_DAY] * holders_before
                    if partner > 0.0:
                        payment = partner * plan[P_PAYMENT_PER_POINT]
                        row[POINTS_LIABILITY] += payment  # cash in, owed as points
                        book[B_ISSUED] += partner
                        book[B_DEFERRED] += payment
                        recognised = member_loop.recognise(book)
                        row[REVENUE] += recognised
                        row[POINTS_LIABILITY] -= recognised
                    ssp = earned * plan[P_VALUE_PER_POINT] * book[B_RATE]
                    per_paid = paid / buys
                    deferred = buys * per_paid * ssp / (per_paid + ssp) if ssp > 0.0 else 0.0
                    row[REVENUE] -= deferred
                    row[POINTS_LIABILITY] += deferred
                    book[B_ISSUED] += issued
                    book[B_DEFERRED] += deferred
                    recognised = member_loop.recognise(book)
                    row[REVENUE] += recognised
                    row[POINTS_LIABILITY] -= recognised
                    # of the points issued today, those not redeemed before their expiry
                    if plan[P_EXPIRY_AFTER_DAYS] > 0.0:
                        until = int(plan[P_EXPIRY_DAYS])
                    else:
                        until = (day // 365 + 1) * 365 - day
                    if plan[P_EXPIRY_AFTER_DAYS] > 0.0 or plan[P_EXPIRY_END_OF_YEAR] > 0.0:
                        if lapse_share[c] < 0.0 or day % 7 == 0:  # it changes slowly
                            per_member = rates[c] * freq[CELLS // 2 + CUSTOMER] * rate_f
                            lapse_share[c] = member_loop.unredeemed_share(
                                per_member, earned, cheapest, plan[P_REDEMPTION_PROPENSITY], until
                            )
                        lapsing_points = (issued + partner) * lapse_share[c]
                        _schedule(expiring, expiring_scale, c, day + until, lapsing_points)
            if has_points and day < honour_until:
                # the holders' purchases: redeem, then earn (while the program runs)
                holders_after = (
                    n[c, CELLS // 2 :].sum() - joined if active else n[c, : CELLS // 2].sum()
                )
                if holders_before > 0.0:
                    survived = min(1.0, max(0.0, holders_after / holders_before))
                    if survived < 1.0:  # (the balances shrink with the transition below)
                        expiring_scale[c] *= survived
                        forfeit = points_held * (1.0 - survived)
                        if forfeit > 0.0:  # who leaves forfeits their points (on_leave, on_lost)
                            book[B_EXPIRED] += forfeit
                            recognised = member_loop.recognise(book)
                            row[BREAKAGE] += recognised
                            row[POINTS_LIABILITY] -= recognised
                    buying_share = min(1.0, holder_buys / max(holders_after, 1e-12))
                    earned = 0.0
                    if active and member_buys > 0.0:
                        paid_each = member_list * (1.0 - best_off) / member_buys
                        earned = multiplier * member_loop.earned_points(earn, paid_each, reference)
                        earned = min(earned, cap_per_purchase)
                        earned += plan[P_PARTNER_POINTS_PER_DAY] * holders_before / member_buys
                    counts[:] = 0.0
                    redeemed, top_bucket[c] = member_loop.balances_after_purchases(
                        held[c],
                        survived,
                        buying_share,
                        earned,
                        rewards,
                        best,
                        width,
                        plan[P_REDEMPTION_PROPENSITY],
                        bucket_next,
                        counts,
                        top_bucket[c],
                    )
                    if redeemed > 0.0:
                        row[REWARD_COST] -= (counts * rewards[:, 2]).sum()
                        book[B_REDEEMED] += redeemed
                        recognised = member_loop.recognise(book)
                        row[REVENUE] += recognised
                        row[POINTS_LIABILITY] -= recognised
                if active and joined > 0.0:
                    paid_new = joined_buys_list * (1.0 - best_off) / joined
                    step = multiplier * member_loop.earned_points(earn, paid_new, reference)
                    step = min(step, cap_per_purchase) / width
                    member_loop.put_mass(held[c], step, joined)
                    top_bucket[c] = max(top_bucket[c], min(buckets - 1, int(step) + 1))
            if has_tiers and active:  # the members' qualifying metric per day, for tomorrow
                people_m = n[c, CELLS // 2 :].sum()
                if people_m > 0.0 and member_buys > 0.0:
                    per_buy = 1.0
                    if plan[P_TIER_METRIC] == 0.0:
                        per_buy = member_list * (1.0 - best_off) / member_buys
                    elif plan[P_TIER_METRIC] == 1.0:
                        paid_each = member_list * (1.0 - best_off) / member_buys
                        per_buy = multiplier * member_loop.earned_points(earn, paid_each, reference)
                    metric_rate[c] = member_buys * per_buy / people_m
            if plan[P_DISCOUNT_CUMULATIVE] > 0.0 and active:  # the card grows with spend
                people_m = n[c, CELLS // 2 :].sum()
                if people_m > 0.0:
                    mean_spend = (n[c, CELLS // 2 :] * sp[c, CELLS // 2 :]).sum() / people_m
                    card[c] = max(card[c], _card_rate(levels, mean_spend))
            # the renewal queue shrinks with the class's members
            if fee > 0.0:
                members_after = n[c, CELLS // 2 :].sum() - joined
                if members_before > 0.0:
                    due_index[c] *= min(1.0, max(0.0, members_after / members_before))
                if due_index[c] < 1e-150:
                    dues[c] *= due_index[c]
                    due_index[c] = 1.0
            # declined offers are not made again for reoffer_after_days
            slot = day % reoffer
            declined_sum[c] += declined_now[c] - declined[c, slot]
            declined[c, slot] = declined_now[c]
            declined_now[c] = 0.0
            joined_today += joined
        if members_now > 0.0:  # the anniversaries' queue shrinks with the members
            years_index *= max(0.0, 1.0 - members_gone / members_now)
            if years_index < 1e-150:
                years *= years_index
                years_index = 1.0
        if payable > 0.0 and members_now > 0.0 and members_gone > 0.0:
            forfeit = payable * min(1.0, members_gone / members_now)
            payable -= forfeit
            row[REVENUE_SHARE] += forfeit
            row[REVENUE_SHARE_PAYABLE] -= forfeit
        # an offer takes back owing and not owing alike; a message only those who owe nothing
        if listening > 0.0:
            lost_debt *= max(0.0, 1.0 - offered_back / listening)
        row[COMMUNICATION] = -buyers_total * touches_cost
        row[COGS] = -at_list / price_level * cogs_share
        row[RECOVERY] = -(plain_purchases * fail * recover) * recovery_cost
        repaired = plan[P_REPAIR_PROBABILITY]
        row[RECOVERY] -= member_purchases * fail * (1.0 - repaired) * recover * recovery_cost
        row[PRIZES_AND_PERKS] -= member_purchases * fail * repaired * plan[P_REPAIR_COST]
        row[FIXED] = -fixed_per_day
        row[PROFIT] = (
            row[REVENUE]
            + row[COGS]
            + row[MARKETING]
            + row[COMMUNICATION]
            + row[RECOVERY]
            + row[FIXED]
            + row[WIN_BACK_COST]
            + row[MEMBERSHIP_FEES]
            + row[BREAKAGE]
            + row[DISCOUNTS]
            + row[REWARD_COST]
            + row[PRIZES_AND_PERKS]
            + row[REFERRAL_REWARDS]
            + row[REVENUE_SHARE]
            + row[PROGRAM_COSTS]
        )
        cash += row[PROFIT] + row[POINTS_LIABILITY] + row[FEE_DEFERRAL]
        cash += row[REVENUE_SHARE_PAYABLE]
        row[CASH] = cash
        row[POOL] = pool
        row[N_PROSPECT] = waiting + never + heard
        talkers[0] = row[PROMOTERS] - fan_voices
        talkers[1] = fan_voices
        talkers[2] = row[DETRACTORS]
        talkers[3] = referrers
        talkers[4] = member_voices
        row[N_SHOPPER] = n[:, SHOPPER].sum() + n[:, CELLS // 2 + SHOPPER].sum()
        row[N_CUSTOMER] = n[:, CUSTOMER].sum()
        row[N_MEMBER] = n[:, CELLS // 2 + CUSTOMER].sum()
        row[N_ADVOCATE] = n[:, ADVOCATE].sum() + n[:, CELLS // 2 + ADVOCATE].sum()
        row[N_FAN] = n[:, FAN].sum() + n[:, CELLS // 2 + FAN].sum()
        row[MEMBERS] = n[:, CELLS // 2 :].sum()
        row[POINTS_OUTSTANDING] = book[B_ISSUED] - book[B_REDEEMED] - book[B_EXPIRED]
        gone_for_good += row[LOST_LIFE]
        row[N_LOST] = lost.sum() + gone_for_good
    return out
