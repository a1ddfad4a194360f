"""The compiled purchase opportunity: the engine's most frequent event, in machine code.

Most of a run's events are purchase opportunities of active customers (ARCHITECTURE principle
2): the customer either leaves or buys, lives the purchase's experience, answers the NPS
question, perhaps moves on the ladder, and waits for the next opportunity. With no loyalty
program in place (poisson or periodic timing alike), that is a fixed sequence of arithmetic on
the customer's own numbers and the customer's own random stream, which CPython spends about ten
microseconds on. :func:`opportunity_step` is the same sequence compiled by numba: the
customer's numbers live in a :class:`CustomerTable` (one array row per field, one column per
agent), the step reads and writes them in place, and it hands back what only the Python side can
do (book the sale, move the customer on the ladder, change the survey) as flags and a few
numbers.

The Python event handlers of ``sim.engine.shop.Shop`` (``opportunity``, ``purchase`` and
``gap``) stay the reference. The step makes the same operations in the same order, calling the
pure rules of ``sim.rules.churn``, ``sim.rules.experience``, ``sim.rules.relationship``,
``sim.rules.wom`` and ``sim.rules.buying`` (``RULES``) compiled from their one source, so a run
gives the same tables bit for bit either way; ``tests/test_kernel.py`` runs both and compares them.
The step is made of pieces (``refresh_relationship``, ``loss_reason``, ``draw_basket``,
``live_purchase``, ``next_gap``) that the step with a program (``sim.engine.program_kernel``)
shares. A run with a program the step does not carry uses the Python handlers for its
members' purchases.
"""

from __future__ import annotations

import math
import os

import numpy as np

from sim.engine.streams import GOLDEN_GAMMA, MIX_1, MIX_2, QUANTILE_POINTS, QUANTILE_SHIFT, TO_UNIT
from sim.money.ledger import ACCOUNTS, COST_OF_GOODS, REVENUE
from sim.rules import buying, churn, experience, wom
from sim.rules.churn import COMPETITOR_OFFER
from sim.rules.ladder import ADVOCATE, CUSTOMER, LOST, MEMBER, PROSPECT, RAVING_FAN, SHOPPER
from sim.rules.relationship import after_interaction
from sim.rules.wom import PROMOTER_MIN_SCORE

try:  # numba is a dependency; without it (or with LOYALSIM_COMPILED=0) runs use Python only.
    import numba
    from numba.extending import register_jitable
except ImportError:  # pragma: no cover - exercised only where numba cannot be installed
    numba = None

FLOAT_FIELDS: tuple[str, ...] = (
    "base_rate",
    "propensity",
    "mean_spend",
    "share_of_wallet",
    "satisfaction",
    "expectation",
    "relationship",
    "checked",
    "attachment",
    "acquired",
    "last_purchase",
    "life_end",
    "value",
    "spend",
    "promoter_since",
    "offer_due",
)
"""Customer fields kept as 64-bit floats in a :class:`CustomerTable` (see
``sim.engine.customer``)."""
INT_FIELDS: tuple[str, ...] = (
    "stage",
    "purchases",
    "level",
    "score",
    "voice",
    "survey_day",
    "offers_seen",
    "fresh",
    "pending_loss",
    "fate",
    "is_member",
    "member_row",
)
"""Customer fields kept as 64-bit integers (``fresh`` and ``is_member`` as 0 or 1; ``fate``, the
state of the customer's own stream, as the bits of an unsigned integer; ``member_row``, the row
of the customer's membership in the run's ``sim.engine.member_table.MemberTable``, -1 none)."""
(
    BASE_RATE,
    PROPENSITY,
    MEAN_SPEND,
    SHARE_OF_WALLET,
    SATISFACTION,
    EXPECTATION,
    RELATIONSHIP,
    CHECKED,
    ATTACHMENT,
    ACQUIRED,
    LAST_PURCHASE,
    LIFE_END,
    VALUE,
    SPEND,
    PROMOTER_SINCE,
    OFFER_DUE,
) = range(len(FLOAT_FIELDS))
(
    STAGE,
    PURCHASES,
    LEVEL,
    SCORE,
    VOICE,
    SURVEY_DAY,
    OFFERS_SEEN,
    FRESH,
    PENDING_LOSS,
    FATE,
    IS_MEMBER,
    MEMBER_ROW,
) = range(len(INT_FIELDS))

PARAMETERS: tuple[str, ...] = (
    "ref_satisfaction",
    "ref_relationship",
    "freq_satisfaction_sens",
    "freq_relationship_sens",
    "drop_satisfaction_sens",
    "drop_relationship_sens",
    "low_interaction_threshold",
    "price_factor",
    "price_level",
    "cogs_share",
    "failure_rate",
    "recovery_probability",
    "quality_mean",
    "quality_sd",
    "failure_severity",
    "recovery_bonus",
    "slope",
    "performance_weight",
    "learning_rate",
    "expectation_up",
    "expectation_down",
    "love_to_hate",
    "gain_per_purchase",
    "attachment_rate",
    "relationship_forgiveness",
    "attachment_forgiveness",
    "neg_log_discount_per_day",
    "horizon",
    "survey_window",
    "drift_waits_for_repeat",
    "needs_changed_rate",
    "moved_away_rate",
    "went_bankrupt_rate",
    "acceptance_probability",
    "reach_share",
    "fickle_share_of_wallet",
    "committed_share_of_wallet",
    "committed_acceptance_factor",
    "advocate_min_promoter_days",
    "fan_min_promoter_days",
    "fan_min_score",
    "fan_min_attachment",
    "touched_steady",
    "touched_rate",
    "untouched_steady",
    "untouched_rate",
    "periodic",
    "jitter",
)
"""The run's constants the step reads, in the order of its parameter vector."""
(
    P_REF_SATISFACTION,
    P_REF_RELATIONSHIP,
    P_FREQ_SATISFACTION_SENS,
    P_FREQ_RELATIONSHIP_SENS,
    P_DROP_SATISFACTION_SENS,
    P_DROP_RELATIONSHIP_SENS,
    P_LOW_INTERACTION_THRESHOLD,
    P_PRICE_FACTOR,
    P_PRICE_LEVEL,
    P_COGS_SHARE,
    P_FAILURE_RATE,
    P_RECOVERY_PROBABILITY,
    P_QUALITY_MEAN,
    P_QUALITY_SD,
    P_FAILURE_SEVERITY,
    P_RECOVERY_BONUS,
    P_SLOPE,
    P_PERFORMANCE_WEIGHT,
    P_LEARNING_RATE,
    P_EXPECTATION_UP,
    P_EXPECTATION_DOWN,
    P_LOVE_TO_HATE,
    P_GAIN_PER_PURCHASE,
    P_ATTACHMENT_RATE,
    P_RELATIONSHIP_FORGIVENESS,
    P_ATTACHMENT_FORGIVENESS,
    P_NEG_LOG_DISCOUNT_PER_DAY,
    P_HORIZON,
    P_SURVEY_WINDOW,
    P_DRIFT_WAITS_FOR_REPEAT,
    P_NEEDS_CHANGED_RATE,
    P_MOVED_AWAY_RATE,
    P_WENT_BANKRUPT_RATE,
    P_ACCEPTANCE_PROBABILITY,
    P_REACH_SHARE,
    P_FICKLE_SHARE,
    P_COMMITTED_SHARE,
    P_COMMITTED_FACTOR,
    P_ADVOCATE_MIN_PROMOTER_DAYS,
    P_FAN_MIN_PROMOTER_DAYS,
    P_FAN_MIN_SCORE,
    P_FAN_MIN_ATTACHMENT,
    P_TOUCHED_STEADY,
    P_TOUCHED_RATE,
    P_UNTOUCHED_STEADY,
    P_UNTOUCHED_RATE,
    P_PERIODIC,
    P_JITTER,
) = range(len(PARAMETERS))

STAGE_MULTIPLIERS: tuple[str, ...] = ("freq_mult", "spend_mult", "drop_mult", "accept_mult")
"""Per-stage multipliers, one row each of the step's stage table (columns: stages 0..LOST)."""
S_FREQ, S_SPEND, S_DROP, S_ACCEPT = range(len(STAGE_MULTIPLIERS))

# The step's constants travel as one vector (every argument costs the call about 0.1 us):
# the PARAMETERS, the stage table, the basket and standard-normal quantile tables, and the
# number the step hands back.
STAGE_COLUMNS = LOST + 1
STAGE_OFFSET = len(PARAMETERS)
TABLE_OFFSET = STAGE_OFFSET + len(STAGE_MULTIPLIERS) * STAGE_COLUMNS
OUT_OFFSET = TABLE_OFFSET + 2 * QUANTILE_POINTS
CONSTANTS = OUT_OFFSET + 1
OUT_GAP = OUT_OFFSET
"""Where the step leaves the days to the next opportunity."""

LADDER_REASONS: tuple[str, ...] = (
    "first_purchase",
    "repeat_purchase",
    "left_program",
    "sustained_promoter",
    "enthusiastic_and_attached",
    "no_longer_promoter",
    "attachment_faded",
    "joined_program",
)
"""Why the step may move a customer (``sim.rules.ladder.next_stage``'s reasons)."""
(
    FIRST_PURCHASE,
    REPEAT_PURCHASE,
    LEFT_PROGRAM,
    SUSTAINED_PROMOTER,
    ENTHUSIASTIC_AND_ATTACHED,
    NO_LONGER_PROMOTER,
    ATTACHMENT_FADED,
    JOINED_PROGRAM,
) = range(len(LADDER_REASONS))
NO_MOVE = -1

# What the step hands back: one integer of flags and small numbers (``unpack``), and the next
# gap at the end of the constants vector.
LOST_FLAG = 1
"""The customer leaves for the loss reason ``REASON``; nothing was bought."""
BOUGHT = 2
"""A purchase before the horizon (its revenue and cost of goods are booked)."""
RECOVERY_COST = 4
"""A service failure was recovered, at the scenario's recovery cost."""
LEVEL_CHANGED = 8
"""The satisfaction level changed from ``OLD_LEVEL - 1`` (-1: none yet) to ``NEW_LEVEL``: the
step has set the customer's level; the Python side moves the level counts."""
MOVED = 16
"""A move on the ladder to ``STAGE_TO`` for ``WHY`` (a LADDER_REASONS index)."""
VOICE_RENEWED = 32
"""The survey answer keeps its voice ``VOICE_OUT``; it now expires on ``day + window`` instead
of ``LAST``. Otherwise the answer's voice is ``VOICE_OUT`` and was ``OLD_VOICE - 1`` (-1: none),
the old answer expiring on ``LAST``. Either way the step has recorded the new answer."""
REASON, STAGE_TO, WHY, VOICE_OUT, OLD_LEVEL, NEW_LEVEL, OLD_VOICE, LAST = (
    8,
    16,
    20,
    24,
    28,
    32,
    36,
    40,
)
"""Bit positions of the small numbers in the step's result, 4 bits each (``REASON`` 8, ``LAST``
17): ``(result >> WHY) & 15``, ``(result >> LAST) & LAST_MASK``."""
LAST_MASK = (1 << 17) - 1
"""``LAST`` takes 17 bits (a day up to 131,071: the horizon and the survey window are at most
36,500 days each); the bits above it are the program step's flags."""

_GAMMA = np.uint64(GOLDEN_GAMMA)
_MIX_1 = np.uint64(MIX_1)
_MIX_2 = np.uint64(MIX_2)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_QSHIFT = np.uint64(QUANTILE_SHIFT)


def enabled() -> bool:
    """Whether runs may use the compiled step: numba is installed and not switched off.

    Set the environment variable ``LOYALSIM_COMPILED=0`` to run every event in Python (slower,
    same results).
    """
    return numba is not None and os.environ.get("LOYALSIM_COMPILED", "1") != "0"


def warm_up() -> float:
    """Load (or on the first run after installing, compile) the step; returns the seconds taken.

    Numba compiles a function at its first call in a process, or loads the machine code cached
    on disk by an earlier process. Timings of the engine call this first, so that they measure
    the events rather than the loading.
    """
    import time

    start = time.perf_counter()
    if enabled():
        table = CustomerTable(1)
        table.ints[0, STAGE] = CUSTOMER
        table.ints[0, PENDING_LOSS] = -1
        constants = np.zeros(CONSTANTS)
        books = np.zeros((len(ACCOUNTS), 1))
        opportunity_step(0, 0.0, 0, table.floats, table.ints, constants, books)
        from sim.engine import program_kernel  # it builds on this module

        program_kernel.warm_up(table, constants, books)
    return time.perf_counter() - start


class CustomerTable:
    """The numbers of every agent: one array row per agent, one column per field.

    The compiled step works on the arrays (``floats``, ``ints``); Python code reads
    and writes the same memory through ``sim.engine.customer.TabledCustomer``'s attributes, which
    index plain memoryviews of the columns so that they give Python floats and ints. An agent's
    numbers sit side by side, in a few cache lines. The rows grow by doubling.
    """

    def __init__(self, capacity: int = 1024):
        self.capacity = max(1, capacity)
        self.floats = np.zeros((self.capacity, len(FLOAT_FIELDS)))
        self.ints = np.zeros((self.capacity, len(INT_FIELDS)), dtype=np.int64)
        self._views()

    def _views(self) -> None:
        for column, name in enumerate(FLOAT_FIELDS):
            setattr(self, name, self.floats[:, column].data)
        for column, name in enumerate(INT_FIELDS):
            values = self.ints[:, column]
            setattr(self, name, (values.view(np.uint64) if column == FATE else values).data)

    def reserve(self, agent_id: int) -> None:
        """Make room for the agent numbered ``agent_id``."""
        if agent_id < self.capacity:
            return
        capacity = max(2 * self.capacity, agent_id + 1)
        floats = np.zeros((capacity, len(FLOAT_FIELDS)))
        floats[: self.capacity] = self.floats
        ints = np.zeros((capacity, len(INT_FIELDS)), dtype=np.int64)
        ints[: self.capacity] = self.ints
        self.floats, self.ints, self.capacity = floats, ints, capacity
        self._views()


def _jit(function):
    """``function`` compiled by numba (cached on disk), or unchanged without numba."""
    if numba is None:
        return function
    return numba.njit(cache=True)(function)


# The pure rules the step applies, callable from compiled code as they are: numba compiles
# each from its one Python source into the step (and inlines it), while Python callers keep
# calling the plain function.
RULES = (
    churn.life_event_reason,
    churn.competitor_acceptance,
    churn.drift_probability,
    churn.drift_reason,
    experience.experienced_quality,
    experience.experience_score,
    experience.updated_satisfaction,
    experience.updated_expectation,
    experience.satisfaction_level,
    after_interaction,
    wom.attachment_after_experience,
    wom.likelihood_to_recommend,
    wom.nps_category,
    wom.voice,
    buying.purchase_rate,
    buying.next_gap,
)
if numba is not None:
    for _rule in RULES:
        register_jitable(_rule)


@_jit
def _next_output(n, i):
    """Advance customer ``i``'s SplitMix64 stream (``sim.engine.streams.own_uniform``): its output.

    The state is kept in the integer table as the bits of an unsigned 64-bit integer.
    """
    s = np.uint64(n[i, FATE]) + _GAMMA
    n[i, FATE] = np.int64(s)
    z = (s ^ (s >> _S30)) * _MIX_1
    z = (z ^ (z >> _S27)) * _MIX_2
    return z ^ (z >> _S31)


@_jit
def _uniform(n, i):
    """The next U(0, 1) draw of customer ``i``'s own stream."""
    return (_next_output(n, i) >> _S11) * TO_UNIT


@_jit
def _rung_after_purchase(stage, purchases, score, promoter_days, attachment, is_member, p):
    """``sim.rules.ladder.next_stage`` with reason codes instead of words.

    Returns ``(stage, reason)``; ``reason`` is a ``LADDER_REASONS`` index or ``NO_MOVE``.
    """
    if stage <= PROSPECT:
        return SHOPPER, FIRST_PURCHASE
    floor = MEMBER if is_member else CUSTOMER
    if stage == SHOPPER:
        if purchases < 2:
            return SHOPPER, NO_MOVE
        return floor, REPEAT_PURCHASE
    if stage == MEMBER and not is_member:
        return CUSTOMER, LEFT_PROGRAM
    if stage == CUSTOMER and is_member:
        return MEMBER, JOINED_PROGRAM
    # sim.rules.ladder.upper_rung
    promoter = score >= PROMOTER_MIN_SCORE
    if stage >= ADVOCATE:
        if not promoter:
            return floor, NO_LONGER_PROMOTER
        if stage == RAVING_FAN:
            if attachment < p[P_FAN_MIN_ATTACHMENT]:
                return ADVOCATE, ATTACHMENT_FADED
            return stage, NO_MOVE
        if (
            score >= p[P_FAN_MIN_SCORE]
            and attachment >= p[P_FAN_MIN_ATTACHMENT]
            and promoter_days >= p[P_FAN_MIN_PROMOTER_DAYS]
        ):
            return RAVING_FAN, ENTHUSIASTIC_AND_ATTACHED
        return stage, NO_MOVE
    if promoter and promoter_days >= p[P_ADVOCATE_MIN_PROMOTER_DAYS]:
        return ADVOCATE, SUSTAINED_PROMOTER
    return stage, NO_MOVE


@_jit
def refresh_relationship(i, now, f, n, p):
    """``Shop.refresh_relationship``: only active buyers receive touches. Returns the value."""
    stage = n[i, STAGE]
    if SHOPPER <= stage < LOST:
        steady, rate = p[P_TOUCHED_STEADY], p[P_TOUCHED_RATE]
    else:
        steady, rate = p[P_UNTOUCHED_STEADY], p[P_UNTOUCHED_RATE]
    relationship = steady + (f[i, RELATIONSHIP] - steady) * math.exp(rate * (now - f[i, CHECKED]))
    f[i, RELATIONSHIP] = relationship
    f[i, CHECKED] = now
    return relationship


@_jit
def loss_reason(i, now, campaigns, f, n, p, relationship, loyalty, member):
    """``Shop.opportunity`` up to the purchase: a pending loss, a life event, competitor offers,
    drift. Returns the loss reason, or -1 if the customer stays and buys.

    ``loyalty`` is a member's multiplier on dropout and competitor acceptance; ``member`` says
    whether to apply it (without a membership the Python handler multiplies by nothing).
    """
    stage_table = p[STAGE_OFFSET:TABLE_OFFSET].reshape((len(STAGE_MULTIPLIERS), STAGE_COLUMNS))
    stage = n[i, STAGE]
    reason = -1
    if n[i, PENDING_LOSS] >= 0:
        reason = n[i, PENDING_LOSS]
        n[i, PENDING_LOSS] = -1
    elif now >= f[i, LIFE_END]:
        rates = (p[P_NEEDS_CHANGED_RATE], p[P_MOVED_AWAY_RATE], p[P_WENT_BANKRUPT_RATE])
        reason = churn.life_event_reason(rates, _uniform(n, i))
    if reason < 0 and n[i, OFFERS_SEEN] < campaigns:
        accept = churn.competitor_acceptance(
            p[P_ACCEPTANCE_PROBABILITY],
            stage_table[S_ACCEPT, stage],
            f[i, SHARE_OF_WALLET],
            f[i, SATISFACTION],
            p[P_FICKLE_SHARE],
            p[P_COMMITTED_SHARE],
            p[P_COMMITTED_FACTOR],
        )
        if member:
            accept = accept * loyalty
        for _ in range(campaigns - n[i, OFFERS_SEEN]):
            if _uniform(n, i) < p[P_REACH_SHARE] and _uniform(n, i) < accept:
                reason = COMPETITOR_OFFER
                break
    n[i, OFFERS_SEEN] = campaigns
    fresh = n[i, FRESH]
    n[i, FRESH] = 0
    if reason < 0 and not (fresh and p[P_DRIFT_WAITS_FOR_REPEAT] > 0.0):
        q = churn.drift_probability(
            f[i, PROPENSITY],
            stage_table[S_DROP, stage],
            f[i, SATISFACTION],
            relationship,
            p[P_REF_SATISFACTION],
            p[P_REF_RELATIONSHIP],
            p[P_DROP_SATISFACTION_SENS],
            p[P_DROP_RELATIONSHIP_SENS],
        )
        if member:
            q = q * loyalty
        if _uniform(n, i) < q:
            reason = churn.drift_reason(relationship, p[P_LOW_INTERACTION_THRESHOLD])
    return reason


@_jit
def draw_basket(i, f, n, p):
    """The purchase's basket at list quantities (before any program effect), at the rung held
    before buying (a first purchase is a shopper's)."""
    stage_table = p[STAGE_OFFSET:TABLE_OFFSET].reshape((len(STAGE_MULTIPLIERS), STAGE_COLUMNS))
    stage = n[i, STAGE]
    spend_stage = stage if stage > PROSPECT else SHOPPER
    return (
        f[i, MEAN_SPEND]
        * stage_table[S_SPEND, spend_stage]
        * p[TABLE_OFFSET + (_next_output(n, i) >> _QSHIFT)]
    )


@_jit
def service_failed(i, n, p):
    """Whether the service fails at a purchase: the customer's draw after the basket's."""
    return _uniform(n, i) < p[P_FAILURE_RATE]


@_jit
def recovered_by_service(i, n, p):
    """Whether the business recovers a failed service (at ``P_RECOVERY_COST``; a free repair
    of a program, drawn before this, takes its place)."""
    return _uniform(n, i) < p[P_RECOVERY_PROBABILITY]


@_jit
def live_purchase(
    i, now, basket, paid, is_member, f, n, p, books, failed, recovered, lift, attachment_lift
):
    """``Shop.purchase`` from the booking of a sale on: its value, the experience, the
    relationship, the NPS answer, the ladder and the survey voice.

    ``basket`` is the purchase's basket (with any member's basket factor), ``paid`` what the
    customer paid for it, ``failed`` and ``recovered`` the service's outcome
    (``service_failed``, ``recovered_by_service``, or a program's free repair), ``lift`` and
    ``attachment_lift`` what the purchase's rewards add to satisfaction and emotional attachment
    after the experience
    (``Sale.satisfaction_boost``, ``Sale.attachment_boost``; 0.0: none). Returns the flags
    (``BOUGHT`` and the rest; the caller adds ``RECOVERY_COST``) and the rung after the
    purchase; books the revenue and cost of goods in the ledger's array ``books``
    (``sim.money.ledger.Ledger.array``).
    """
    tables = p[TABLE_OFFSET:OUT_OFFSET].reshape((2, QUANTILE_POINTS))
    stage = n[i, STAGE]
    day = int(now)
    flags = BOUGHT
    revenue = basket * p[P_PRICE_LEVEL]
    cost = basket * p[P_COGS_SHARE]
    books[REVENUE, day] += revenue
    books[COST_OF_GOODS, day] -= cost
    f[i, VALUE] += (paid - cost) * math.exp(p[P_NEG_LOG_DISCOUNT_PER_DAY] * (now - f[i, ACQUIRED]))
    n[i, PURCHASES] += 1
    f[i, SPEND] += paid
    f[i, LAST_PURCHASE] = now

    # The experience (sim.rules.experience).
    expectation = f[i, EXPECTATION]
    quality = p[P_QUALITY_MEAN] + p[P_QUALITY_SD] * tables[1, _next_output(n, i) >> _QSHIFT]
    quality = experience.experienced_quality(
        quality, expectation, failed, recovered, p[P_FAILURE_SEVERITY], p[P_RECOVERY_BONUS]
    )
    score = experience.experience_score(quality, expectation, p[P_SLOPE], p[P_PERFORMANCE_WEIGHT])
    satisfaction = experience.updated_satisfaction(f[i, SATISFACTION], score, p[P_LEARNING_RATE])
    if failed and not recovered and stage >= ADVOCATE:
        satisfaction = min(satisfaction, p[P_LOVE_TO_HATE])
    if lift:
        satisfaction = min(1.0, satisfaction + lift)
    f[i, SATISFACTION] = satisfaction
    if not failed:
        f[i, EXPECTATION] = experience.updated_expectation(
            expectation, quality, p[P_EXPECTATION_UP], p[P_EXPECTATION_DOWN]
        )
    level = experience.satisfaction_level(satisfaction)
    old_level = n[i, LEVEL]
    if level != old_level:
        n[i, LEVEL] = level
        flags |= LEVEL_CHANGED | ((old_level + 1) << OLD_LEVEL) | (level << NEW_LEVEL)

    # Relationship and attachment, the answer to the NPS question, and the ladder.
    relationship = after_interaction(f[i, RELATIONSHIP], p[P_GAIN_PER_PURCHASE])
    f[i, RELATIONSHIP] = relationship
    attachment = wom.attachment_after_experience(
        f[i, ATTACHMENT], satisfaction, relationship, p[P_ATTACHMENT_RATE]
    )
    if attachment_lift:
        attachment = min(1.0, attachment + attachment_lift)
    f[i, ATTACHMENT] = attachment
    answer = wom.likelihood_to_recommend(
        satisfaction,
        relationship,
        attachment,
        p[P_RELATIONSHIP_FORGIVENESS],
        p[P_ATTACHMENT_FORGIVENESS],
    )
    n[i, SCORE] = answer
    if answer < PROMOTER_MIN_SCORE:
        f[i, PROMOTER_SINCE] = math.nan
        promoter_days = 0.0
    else:
        if math.isnan(f[i, PROMOTER_SINCE]):
            f[i, PROMOTER_SINCE] = now
        promoter_days = now - f[i, PROMOTER_SINCE]
    new_stage = stage
    if not (answer < PROMOTER_MIN_SCORE and stage == (MEMBER if is_member else CUSTOMER)):
        new_stage, why = _rung_after_purchase(
            stage, n[i, PURCHASES], answer, promoter_days, attachment, is_member, p
        )
        if why != NO_MOVE:
            flags |= MOVED | (new_stage << STAGE_TO) | (why << WHY)

    # The survey answer's voice.
    voice = wom.voice(answer, new_stage == RAVING_FAN)
    last = n[i, SURVEY_DAY] + int(p[P_SURVEY_WINDOW])
    old_voice = n[i, VOICE]
    if voice == old_voice and voice >= 0 and last > day:
        flags |= VOICE_RENEWED
    else:
        flags |= (old_voice + 1) << OLD_VOICE
        n[i, VOICE] = voice
    n[i, SURVEY_DAY] = day
    flags |= (voice << VOICE_OUT) | (last << LAST)
    return flags, new_stage


@_jit
def customer_rate(i, stage, f, p):
    """``Shop.rate``: the purchase rate per day of agent ``i`` at rung ``stage``, before any
    program effect."""
    return buying.purchase_rate(
        f[i, BASE_RATE],
        p[STAGE_OFFSET + S_FREQ * STAGE_COLUMNS + stage],
        f[i, SATISFACTION],
        f[i, RELATIONSHIP],
        p[P_REF_SATISFACTION],
        p[P_REF_RELATIONSHIP],
        p[P_FREQ_SATISFACTION_SENS],
        p[P_FREQ_RELATIONSHIP_SENS],
        p[P_PRICE_FACTOR],
    )


@_jit
def next_gap(i, stage, rate_factor, member, f, n, p):
    """``Shop.gap``: days to the next opportunity (inf: none).

    ``rate_factor`` is a member's multiplier on the purchase rate, applied when ``member``.
    Poisson timing draws a standard exponential; periodic timing a standard normal by table
    lookup (``sim.engine.streams.own_normal``).
    """
    rate = customer_rate(i, stage, f, p)
    if member:
        rate = rate * rate_factor
    if p[P_PERIODIC] > 0.0:
        normal = p[TABLE_OFFSET + QUANTILE_POINTS + int(_uniform(n, i) * QUANTILE_POINTS)]
        return buying.next_gap(rate, True, p[P_JITTER], normal)
    return buying.next_gap(rate, False, 0.0, -math.log(1.0 - _uniform(n, i)))


@_jit
def opportunity_step(i, now, campaigns, f, n, k, books):
    """One purchase opportunity of agent ``i`` at time ``now``: leave, or buy and live it.

    ``Shop.opportunity`` followed by ``purchase`` and ``gap`` for a customer with no
    program membership, on a :class:`CustomerTable`'s arrays ``f``
    (floats) and ``n`` (integers); ``k`` is the constants vector (``CONSTANTS`` long) and
    ``campaigns`` the number of competitor campaigns launched so far, ``books`` the ledger's
    array, where the sale is booked. Returns the flags above with the small numbers packed in
    (see ``REASON``) and leaves the next gap at ``k[OUT_GAP]``.
    """
    relationship = refresh_relationship(i, now, f, n, k)
    reason = loss_reason(i, now, campaigns, f, n, k, relationship, 1.0, False)
    if reason >= 0:
        return LOST_FLAG | (reason << REASON)
    flags = 0
    stage = n[i, STAGE]
    if now < k[P_HORIZON]:  # int(now) < horizon, for a non-negative time
        basket = draw_basket(i, f, n, k)
        revenue = basket * k[P_PRICE_LEVEL]
        failed = service_failed(i, n, k)
        recovered = failed and recovered_by_service(i, n, k)
        flags, stage = live_purchase(
            i, now, basket, revenue, False, f, n, k, books, failed, recovered, 0.0, 0.0
        )
        if recovered:
            flags |= RECOVERY_COST
    k[OUT_GAP] = next_gap(i, stage, 1.0, False, f, n, k)
    return flags
