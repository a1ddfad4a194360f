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
from sim.rules import buying, churn, experience, wom

if kernel.numba is not None:  # the rules the engine's step does not already compile
    kernel.register_jitable(wom.chance_a_fan_is_a_contact)

RUNGS = ("shopper", "customer", "advocate", "raving_fan")
"""The buying rungs a class can be on (no loyalty program: nobody is a member)."""
SHOPPER, CUSTOMER, ADVOCATE, FAN = range(4)

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
) = range(len(COLUMNS))

Market = namedtuple(
    "Market", "size initial reach_p cost_per_reach buy_p delay init_s init_e init_r"
)
"""Reach and newcomers: market size, existing customers, daily reach probability and its cost,
the chance a reached person buys and the mean wait, and a newcomer's starting satisfaction,
expectation and relationship."""
Rungs = namedtuple("Rungs", "spend freq drop accept")
"""Per buying rung (shopper, customer, advocate, raving fan): the multipliers of spend,
purchase frequency, dropout and competitor acceptance."""
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
    "Experience", "mean_q sd_q fail recover severity bonus slope weight up down"
)
"""One experience: the quality's distribution, service failures and recoveries, the score's
slope and performance weight, and the expectation's speeds up and down."""
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
    mean_q, sd_q, fail, recover, severity, bonus, slope, weight, up, down = p
    score = 0.0
    square = 0.0
    cube = 0.0
    change = 0.0
    for j in range(len(quality_z)):
        q = mean_q + sd_q * quality_z[j]
        for branch in range(3):
            if branch == 0:
                share, failed, recovered = 1.0 - fail, False, False
            elif branch == 1:
                share, failed, recovered = fail * recover, True, True
            else:
                share, failed, recovered = fail * (1.0 - recover), True, False
            if share == 0.0:
                continue
            felt = experience.experienced_quality(q, e, failed, recovered, severity, bonus)
            x = experience.experience_score(felt, e, slope, weight)
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
    money,
    promotion,
    talk,
    campaigns,
):
    """The daily table (``horizon x len(COLUMNS)``) of the mean-field model.

    ``rates``, ``propensities`` and ``weights`` are the classes' base purchase rates, dropout
    propensities and shares of the population; ``campaigns`` the expected competitor campaigns
    starting each day; the other arguments are the named groups of the scenario's numbers
    (:class:`Market`, :class:`Rungs`, :class:`Shop`, :class:`Experience`, :class:`Money`,
    :class:`Promotion`, :class:`Talk`), which ``sim.meanfield.preview`` builds by name.
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
    felt = experience_table(quality_z, quality_w, xp)
    smooth_z = np.array([-math.sqrt(3.0), 0.0, math.sqrt(3.0)])  # Gauss-Hermite, 3 nodes
    smooth_w = np.array([1.0 / 6.0, 2.0 / 3.0, 1.0 / 6.0])
    flow = np.zeros((4, 4))  # people moving from one rung (row) to another
    k = len(rates)
    n = np.zeros((k, 4))
    s = np.full((k, 4), init_s)
    e = np.full((k, 4), init_e)
    r = np.full((k, 4), init_r)
    a = np.zeros((k, 4))
    var = np.zeros((k, 4))  # the between-customer variance of satisfaction in each class
    skew = np.zeros((k, 4))  # its third central moment: scores have a long lower tail
    # BG/NBD: people acquired (or won back) who have not yet had an opportunity cannot drift
    fresh = np.zeros((k, 4))
    # people too new on the customer rung for an advocate's run of promoter days, and too new
    # an advocate for a fan's, kept as dated entries (_enter)
    waits = np.array(
        [
            max(1, math.floor(advocate_days + 0.5)),
            max(1, math.floor(fan_days - advocate_days + 0.5)),
        ]
    )
    span = waits.max()
    entries = np.zeros((k, 2, span))  # entries divided by the survival index when they came
    entered = np.zeros((k, 2))  # their sum
    index = np.ones((k, 2))  # survival of the rung's people since the index was last reset
    lost = np.zeros(k)
    lost_s = np.full(k, init_s)
    lost_e = np.full(k, init_e)
    lost_r = np.zeros(k)
    lost_a = np.zeros(k)
    for c in range(k):
        n[c, CUSTOMER] = initial * weights[c]
        if bgnbd:
            fresh[c, CUSTOMER] = n[c, CUSTOMER]
    pool = size - initial
    waiting = 0.0  # decided to buy, waiting for the first purchase
    never = 0.0  # reached by marketing, decided not to buy
    heard = 0.0  # made prospects by a message, not yet decided
    debt = 0.0  # positive messages the undecided prospects must hear to make up for negatives
    lost_debt = 0.0  # the same for lost customers who could come back
    talkers = np.zeros(3)  # yesterday's surveyed promoters (not fans), fans, detractors
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
        reached = pool * reach_p
        pool -= reached
        waiting += reached * buy_p
        never += reached * (1.0 - buy_p)
        # marketing reaches the prospects who heard of the business and have not decided at the
        # same rate; those who heard more bad than good (W5) do not buy, and keep listening
        # with what they owe (only those who buy leave the listeners, owing nothing)
        reached_heard = heard * reach_p
        owing = _owing(debt, heard + never, negative_weight)
        heard -= reached_heard
        buying_heard = reached_heard * (1.0 - owing) * buy_p
        waiting += buying_heard
        never += reached_heard - buying_heard
        row[MARKETING] = -(reached + reached_heard) * cost_per_reach
        wom_back[:] = 0.0
        if talking:
            # the day's messages from yesterday's surveyed voices and the outside voices, each
            # to a random person of the market (well mixed, sim.engine.talk)
            positive = promoter_rate * (talkers[0] + fan_multiplier * talkers[1])
            positive += promoter_rate * outside_promoters
            negative = detractor_rate * (talkers[2] + outside_detractors)
            fans = n[:, FAN].sum()
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
                for g in range(4):
                    if n[c, g] > 1e-12:
                        hits = negative * n[c, g] / size
                        s[c, g] = max(0.0, s[c, g] - negative_drop * min(1.0, hits / n[c, g]))
        first = waiting * first_share
        waiting -= first
        row[FIRST] = first
        row[PURCHASES] += first
        active = 0.0
        fan_voices = 0.0
        listening = lost.sum()  # lost customers who could come back, before today's moves
        offered_back = 0.0  # of them, won back by the business's offers today
        for c in range(k):
            lost_r[c] *= keep_lost
            flow[:] = 0.0
            for j in range(2):  # entries of one wait ago are now old enough
                slot = day % waits[j]
                entered[c, j] -= entries[c, j, slot]
                entries[c, j, slot] = 0.0
            for g in range(4):
                people = n[c, g]
                if people <= 1e-6:  # a millionth of a person: nothing to follow
                    continue
                active += people
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
                gone_life = people * life
                acceptance = churn.competitor_acceptance(
                    accept_base, accept[g], wallet, s[c, g], fickle, committed, committed_factor
                )
                gone_offer = (people - gone_life) * campaigns[day] * reach_share * acceptance
                # within the day the class thins as its members drift away at their
                # opportunities: opportunities = integral of people(t) * rate over the day
                staying = people - gone_life - gone_offer
                new_share = 0.0
                if bgnbd:  # no drift at the first opportunity after an acquisition
                    new_share = 1.0 if g == SHOPPER else min(1.0, fresh[c, g] / people)
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
                lost[c] += eligible
                if g in (CUSTOMER, ADVOCATE) and people > 0.0:
                    index[c, g - CUSTOMER] *= max(0.0, people - gone) / people
                people -= gone
                n[c, g] = people
                row[PURCHASES] += bought
                row[REVENUE] += bought * mean_basket * spend[g] * price_level
                # the class's means after the day's experiences, touches and decay
                share = min(1.0, bought / people) if people > 0.0 else 0.0
                x, v, de, k3 = _lookup(felt, e[c, g])
                s[c, g] += share * learning * (x - s[c, g])
                # answers come from those who bought: early in the run the customer rung still
                # holds existing customers who have not (at their day-0 satisfaction, and
                # unsurveyed), whom the answering customers' mean leaves out
                answered = s[c, g]
                if g == CUSTOMER:
                    unbought = initial * weights[c] * math.exp(-rate * (day + 1.0)) / people
                    if 1e-9 < unbought < 0.9:  # beyond, the few answers would amplify noise
                        answered = (s[c, g] - unbought * init_s) / (1.0 - unbought)
                e[c, g] += share * de
                r[c, g] = touched_level + (r[c, g] - touched_level) * keep_touched
                r[c, g] += share * gain_purchase * (1.0 - r[c, g])
                a[c, g] += share * attachment_rate * (s[c, g] * r[c, g] - a[c, g])
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
                surveyed = people * -math.expm1(-rate * min(window, day + 1.0))
                row[SURVEYED] += surveyed
                row[PROMOTERS] += surveyed * promoter
                row[DETRACTORS] += surveyed * detractor
                row[PASSIVES] += surveyed * (1.0 - promoter - detractor)
                if g == FAN:
                    fan_voices += surveyed * promoter
                # moves on the ladder at the day's purchases (sim.rules.ladder.next_stage): the
                # upper rungs need an unbroken run of promoter answers, which lasted the last
                # D days with probability exp(-answers in D days * (1 - promoter share))
                if g == SHOPPER:
                    flow[SHOPPER, CUSTOMER] = bought  # a repeat purchase makes a customer
                elif g == CUSTOMER:
                    run_kept = math.exp(-rate * advocate_days * (1.0 - promoter))
                    old_enough = _old_enough(people, index[c, 0] * entered[c, 0])
                    flow[CUSTOMER, ADVOCATE] = bought * old_enough * promoter * run_kept
                elif g == ADVOCATE:
                    flow[ADVOCATE, CUSTOMER] = bought * (1.0 - promoter)
                    if a[c, g] >= fan_attachment:
                        run_kept = math.exp(-rate * fan_days * (1.0 - promoter))
                        old_enough = _old_enough(people, index[c, 1] * entered[c, 1])
                        flow[ADVOCATE, FAN] = bought * old_enough * min(top, promoter) * run_kept
                else:
                    flow[FAN, CUSTOMER] = bought * (1.0 - promoter)
                    if a[c, g] < fan_attachment:
                        flow[FAN, ADVOCATE] = bought * promoter
            for g in range(4):
                leaving = flow[g].sum()
                if leaving <= 0.0:
                    continue
                scale = min(1.0, n[c, g] / leaving)
                if g == ADVOCATE and n[c, g] > 0.0:  # falling back takes the new ones too
                    down = flow[ADVOCATE, CUSTOMER] * scale
                    index[c, 1] *= max(0.0, 1.0 - down / n[c, g])
                for to in range(4):
                    moved = flow[g, to] * scale
                    if moved <= 0.0:
                        continue
                    if to == CUSTOMER or (to == ADVOCATE and g == CUSTOMER):
                        _enter(entries, entered, index, c, to - CUSTOMER, day, waits, moved)
                    s[c, to] = _mix(n[c, to], s[c, to], moved, s[c, g])
                    e[c, to] = _mix(n[c, to], e[c, to], moved, e[c, g])
                    r[c, to] = _mix(n[c, to], r[c, to], moved, r[c, g])
                    a[c, to] = _mix(n[c, to], a[c, to], moved, a[c, g])
                    var[c, to] = _mix(n[c, to], var[c, to], moved, var[c, g])
                    skew[c, to] = _mix(n[c, to], skew[c, to], moved, skew[c, g])
                    n[c, to] += moved
                    n[c, g] -= moved
                fresh[c, g] = min(fresh[c, g], n[c, g])
            # first purchases (new shoppers of this class, after one experience at the
            # starting satisfaction and expectation) and returns join after the day's
            # opportunities: their own next opportunity comes after a gap
            new = first * weights[c]
            if new > 0.0:
                x, v, de, k3 = _lookup(felt, init_e)
                s_new = experience.updated_satisfaction(init_s, x, learning)
                r_new = wait_r + gain_purchase * (1.0 - wait_r)
                a_new = attachment_rate * (s_new * r_new)
                old = n[c, SHOPPER]
                s[c, SHOPPER] = _mix(old, s[c, SHOPPER], new, s_new)
                e[c, SHOPPER] = _mix(old, e[c, SHOPPER], new, init_e + de)
                r[c, SHOPPER] = _mix(old, r[c, SHOPPER], new, r_new)
                a[c, SHOPPER] = _mix(old, a[c, SHOPPER], new, a_new)
                var[c, SHOPPER] = _mix(old, var[c, SHOPPER], new, learning * learning * v)
                skew[c, SHOPPER] = _mix(old, skew[c, SHOPPER], new, learning**3 * k3)
                n[c, SHOPPER] = old + new
                row[REVENUE] += new * mean_basket * spend[SHOPPER] * price_level
            # win-backs: back on the customer rung with a purchase at once
            offered = lost[c] * back
            won = min(lost[c], offered + wom_back[c])
            offered_back += min(offered, won)
            if won > 0.0:
                lost[c] -= won
                s_back = max(lost_s[c], init_s)
                r_back = max(lost_r[c], init_r)
                x, v, de, k3 = _lookup(felt, lost_e[c])
                s_back = experience.updated_satisfaction(s_back, x, learning)
                r_back = r_back + gain_purchase * (1.0 - r_back)
                old = n[c, CUSTOMER]
                s[c, CUSTOMER] = _mix(old, s[c, CUSTOMER], won, s_back)
                e[c, CUSTOMER] = _mix(old, e[c, CUSTOMER], won, lost_e[c] + de)
                r[c, CUSTOMER] = _mix(old, r[c, CUSTOMER], won, r_back)
                a[c, CUSTOMER] = _mix(old, a[c, CUSTOMER], won, lost_a[c])
                n[c, CUSTOMER] = old + won
                _enter(entries, entered, index, c, 0, day, waits, won)
                if bgnbd:
                    fresh[c, CUSTOMER] += won
                row[WON_BACK] += won
                row[PURCHASES] += won
                row[REVENUE] += won * mean_basket * spend[CUSTOMER] * price_level
                row[WIN_BACK_COST] -= min(offered, won) * win_back_cost
                row[WON_BACK_WOM] += won - min(offered, won)
        # an offer takes back owing and not owing alike; a message only those who owe nothing
        if listening > 0.0:
            lost_debt *= max(0.0, 1.0 - offered_back / listening)
        row[COMMUNICATION] = -active * touches_cost
        row[COGS] = -row[REVENUE] / price_level * cogs_share
        row[RECOVERY] = -row[PURCHASES] * fail * recover * recovery_cost
        row[FIXED] = -fixed_per_day
        row[PROFIT] = (
            row[REVENUE]
            + row[COGS]
            + row[MARKETING]
            + row[COMMUNICATION]
            + row[RECOVERY]
            + row[FIXED]
            + row[WIN_BACK_COST]
        )
        cash += row[PROFIT]
        row[CASH] = cash
        row[POOL] = pool
        row[N_PROSPECT] = waiting + never + heard
        talkers[0] = row[PROMOTERS] - fan_voices
        talkers[1] = fan_voices
        talkers[2] = row[DETRACTORS]
        row[N_SHOPPER] = n[:, SHOPPER].sum()
        row[N_CUSTOMER] = n[:, CUSTOMER].sum()
        row[N_ADVOCATE] = n[:, ADVOCATE].sum()
        row[N_FAN] = n[:, FAN].sum()
        gone_for_good += row[LOST_LIFE]
        row[N_LOST] = lost.sum() + gone_for_good
    return out
