"""Program terms: how a scenario file describes a loyalty-program design (DOMAIN P1-P12).

A design combines any of the mechanics below; a design with none of them is the natural
baseline (P1). Field names follow the vocabulary of real loyalty engines (earn rule, redemption
catalogue, expiry, qualifying metric, tier review, renewal), so that a planner who has configured
one recognises them. Customers' response to any design (how much they value a reward, how fast
they get used to it) belongs to the market, not to the design, and lives in the scenario's
``program_response`` section (:class:`ProgramResponse`).

This module only describes and validates; the arithmetic is in the mechanic modules
(``points``, ``tiers``, ``discounts``, ``membership``, ``lottery``, ``perks``, ``coalition``,
``referral``, ``revenue_share``) and the simulation in ``sim.money.programs.runtime``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ValidationError, model_validator

from sim.scenario.fields import ASSUMPTION, Section, describe_error, param


class Reward(Section):
    """One entry of a points program's redemption catalogue (DOMAIN P2)."""

    name: str = param("free item", unit="text", source="planner input", description="Reward.")
    points_cost: int = param(
        50,
        unit="points",
        source="DOMAIN P2: Boloco, one free item per $50 spent at 1 point per dollar",
        description="Points the reward costs the customer.",
        ge=1,
    )
    face_value: float = param(
        8.0,
        unit="currency",
        source="DOMAIN P2 (Boloco's free item, a burrito of about $8); " + ASSUMPTION,
        description="What the reward is worth to the customer, at list price.",
        gt=0,
    )
    cost_to_business: float = param(
        2.4,
        unit="currency",
        source="the free item's cost of goods at 30% of list; " + ASSUMPTION,
        description="What giving the reward costs the business (booked as reward cost).",
        ge=0,
    )


class Points(Section):
    """Cumulative points (DOMAIN P2): earn rule, redemption catalogue, expiry, liability."""

    points_per_currency: float = param(
        1.0,
        unit="points per currency unit",
        source="DOMAIN P2: Boloco, 1 point per dollar",
        description="Points earned per currency unit paid (before tier multipliers).",
        ge=0,
    )
    minimum_order: float = param(
        0.0,
        unit="currency",
        source=ASSUMPTION,
        description="Smallest payment that earns points.",
        ge=0,
    )
    bonus_points: int = param(
        0,
        unit="points per order",
        source=ASSUMPTION,
        description="Extra points for an order that includes a bonus product.",
        ge=0,
    )
    bonus_order_share: float = param(
        0.0,
        unit="share of orders",
        source=ASSUMPTION,
        description="Share of orders that include a bonus product.",
        ge=0,
        le=1,
    )
    cap_points_per_period: int | None = param(
        None,
        unit="points per period",
        source=ASSUMPTION,
        description="Most points one member can earn in a cap period (none: no cap).",
        ge=1,
    )
    cap_period_days: int = param(
        30, unit="days", source=ASSUMPTION, description="Length of a cap period.", ge=1
    )
    rewards: tuple[Reward, ...] = param(
        (Reward(),),
        unit="catalogue",
        source="DOMAIN P2 (keep it simple: one reward is the classic stamp card)",
        description=(
            "Redemption catalogue. A member redeems the most valuable reward their balance affords."
        ),
        min_length=1,
    )
    redemption_propensity: float = param(
        1.0,
        unit="probability per purchase",
        source="DOMAIN P2 (high-frequency stamp cards are redeemed as soon as full); " + ASSUMPTION,
        description="Chance that a member who can afford a reward redeems it at a purchase.",
        gt=0,
        le=1,
    )
    expiry: Literal["after_days", "end_of_year", "never"] = param(
        "after_days",
        unit="choice",
        source="common loyalty-engine expiry modes (DOMAIN P2)",
        description="When points expire: a number of days after earning, at year end, or never.",
    )
    expiry_days: int = param(
        365,
        unit="days",
        source=ASSUMPTION,
        description="Days after earning at which points expire (expiry = after_days).",
        ge=1,
    )
    expected_redemption_rate: float = param(
        0.8,
        unit="share of points issued",
        source="IFRS 15 B39-B43 (the estimate behind the deferral); " + ASSUMPTION,
        description=(
            "Initial estimate of the share of points that will ever be redeemed; points' "
            "stand-alone selling price and breakage follow from it."
        ),
        ge=0,
        le=1,
    )
    re_estimate_every_days: int = param(
        90,
        unit="days",
        source="IFRS 15 (estimates updated each reporting period); quarterly, " + ASSUMPTION,
        description=(
            "How often the expected redemption rate is re-estimated from the points settled so "
            "far (redeemed / (redeemed + expired))."
        ),
        ge=1,
    )
    after_end: Literal["honoured", "forfeited"] = param(
        "honoured",
        unit="choice",
        source="DOMAIN E7 (firms that refused to honour their obligations lost heavily)",
        description=(
            "When the program ends: balances stay redeemable for honour_days, or are forfeited "
            "at once (a broken promise that costs satisfaction)."
        ),
    )
    honour_days: int = param(
        180,
        unit="days",
        source=ASSUMPTION,
        description="Days after the end during which points can still be redeemed.",
        ge=0,
    )

    def value_per_point(self) -> float:
        """Face value of one point in the first reward of the catalogue (currency)."""
        reward = self.rewards[0]
        return reward.face_value / reward.points_cost


class Perk(Section):
    """An intangible or service reward (DOMAIN P8): a cost per use and an effect on feelings."""

    name: str = param("perk", unit="text", source="planner input", description="Perk.")
    trigger: Literal["order", "yearly", "service_failure"] = param(
        "order",
        unit="choice",
        source="DOMAIN P8 (VIP service per order, birthday gifts yearly, free repairs)",
        description=(
            "When the perk is given: with an order; once a membership year (at the first visit "
            "after the anniversary); or when a service failure happens (a free repair, which "
            "always recovers the failure)."
        ),
    )
    probability: float = param(
        1.0,
        unit="probability per trigger",
        source=ASSUMPTION,
        description="Chance that the perk is given when its trigger occurs.",
        ge=0,
        le=1,
    )
    cost_per_use: float = param(
        0.0, unit="currency", source=ASSUMPTION, description="Cost of one use.", ge=0
    )
    satisfaction_boost: float = param(
        0.0,
        unit="0..1 scale",
        source="DOMAIN P8, L7; " + ASSUMPTION,
        description="Rise in satisfaction each time the perk is given.",
        ge=0,
        le=1,
    )
    attachment_boost: float = param(
        0.0,
        unit="0..1 scale",
        source="DOMAIN P8, L6 (intangible rewards build emotional attachment); " + ASSUMPTION,
        description="Rise in emotional attachment each time the perk is given.",
        ge=0,
        le=1,
    )


class Tier(Section):
    """One status level of a tiered program (DOMAIN P3)."""

    name: str = param(..., unit="text", source="planner input", description="Tier name.")
    threshold: float = param(
        ...,
        unit="qualifying metric",
        source="planner input (DOMAIN P3: Virgin Flying Club Red/Silver/Gold)",
        description="Qualifying metric within the window needed to hold the tier.",
        ge=0,
    )
    earn_multiplier: float = param(
        1.0,
        unit="multiplier",
        source="DOMAIN P3: Silver +50% points (1.5), Gold 2x (2.0)",
        description="Multiplier on points earned.",
        ge=0,
    )
    discount: float = param(
        0.0,
        unit="share of list price",
        source="planner input",
        description="Discount at checkout for the tier.",
        ge=0,
        lt=1,
    )
    perks: tuple[Perk, ...] = param(
        (),
        unit="list",
        source="DOMAIN P3 (priority, lounge access)",
        description="Perks of the tier, each with a cost per use.",
    )


class Tiers(Section):
    """Tiered status (DOMAIN P3): a qualifying metric over a window, thresholds, benefits."""

    metric: Literal["spend", "points", "transactions"] = param(
        "spend",
        unit="choice",
        source="common loyalty-engine qualifying metrics (DOMAIN P3)",
        description=(
            "What qualifies: currency paid, points earned (tier-qualifying, never lowered by "
            "redemptions), or the number of purchases."
        ),
    )
    window_days: int = param(
        365,
        unit="days",
        source="a membership year, the usual qualification period; " + ASSUMPTION,
        description="Qualification window, counted from the day the member joined.",
        ge=1,
    )
    downgrade: Literal["one_level", "recompute"] = param(
        "one_level",
        unit="choice",
        source="common loyalty-engine downgrade policies",
        description=(
            "At each review: fall at most one level (one_level), or take the level the window "
            "qualifies for (recompute)."
        ),
    )
    levels: tuple[Tier, ...] = param(
        ...,
        unit="list",
        source="planner input",
        description="Tiers from the base (threshold 0) upwards, thresholds increasing.",
        min_length=1,
    )

    @model_validator(mode="after")
    def _ordered(self) -> Tiers:
        if self.levels[0].threshold != 0:
            raise ValueError(
                f"levels[0].threshold = {self.levels[0].threshold}; the base tier must have "
                "threshold 0"
            )
        for i in range(1, len(self.levels)):
            if self.levels[i].threshold <= self.levels[i - 1].threshold:
                raise ValueError(
                    f"levels[{i}].threshold = {self.levels[i].threshold} must be above "
                    f"levels[{i - 1}].threshold = {self.levels[i - 1].threshold}"
                )
        return self


class DiscountLevel(Section):
    """One level of a discount card (DOMAIN P4, P5)."""

    name: str = param("card", unit="text", source="planner input", description="Card level.")
    min_spend: float = param(
        0.0,
        unit="currency",
        source="planner input",
        description="Spend with the business needed for this level (see basis).",
        ge=0,
    )
    percent: float = param(
        5.0,
        unit="percent of list price",
        source="DOMAIN P4; " + ASSUMPTION,
        description="Discount at checkout.",
        ge=0,
        lt=100,
    )


class Discount(Section):
    """Discount cards: fixed levels (DOMAIN P4) or a progressive scale (P5)."""

    basis: Literal["at_join", "cumulative_spend"] = param(
        "at_join",
        unit="choice",
        source="DOMAIN P4 (a personalised card per category), P5 (grows with cumulative spend)",
        description=(
            "at_join: the level is fixed when the card is issued, from the spend so far (P4); "
            "cumulative_spend: the level rises as total spend grows (P5)."
        ),
    )
    levels: tuple[DiscountLevel, ...] = param(
        (DiscountLevel(),),
        unit="list",
        source="DOMAIN P4",
        description="Levels, lowest spend first (the first at min_spend 0).",
        min_length=1,
    )

    @model_validator(mode="after")
    def _ordered(self) -> Discount:
        if self.levels[0].min_spend != 0:
            raise ValueError("levels[0].min_spend must be 0: every card holder has a level")
        for i in range(1, len(self.levels)):
            if self.levels[i].min_spend <= self.levels[i - 1].min_spend:
                raise ValueError(f"levels[{i}].min_spend must be above levels[{i - 1}].min_spend")
        return self


class Membership(Section):
    """Paid membership (DOMAIN P6): a fee for a period, with benefits; joining is a decision."""

    fee: float = param(
        99.0,
        unit="currency per period",
        source="DOMAIN P6: Amazon Prime about $99-100 a year",
        description="Fee per membership period, paid in advance.",
        ge=0,
    )
    period_days: int = param(
        365, unit="days", source="DOMAIN P6 (yearly fee)", description="Period.", ge=1
    )
    discount: float = param(
        0.0,
        unit="share of list price",
        source="planner input",
        description="Members' discount at checkout.",
        ge=0,
        lt=1,
    )
    shipping_value_per_order: float = param(
        0.0,
        unit="currency per order",
        source="DOMAIN P6 (free express shipping); " + ASSUMPTION,
        description="What free shipping saves the member per order.",
        ge=0,
    )
    shipping_cost_per_order: float = param(
        0.0,
        unit="currency per order",
        source=ASSUMPTION,
        description="What shipping a member's order costs the business.",
        ge=0,
    )
    decision_noise: float = param(
        0.5,
        unit="share of the fee",
        source="logit choice (McFadden 1974); scale " + ASSUMPTION,
        description=(
            "Spread of the join and renewal decisions: the probability is "
            "1 / (1 + exp(-(benefit - fee) / (decision_noise * fee)))."
        ),
        gt=0,
    )
    renewal_inertia: float = param(
        0.2,
        unit="share of the fee",
        source="status-quo bias (Samuelson & Zeckhauser 1988); " + ASSUMPTION,
        description="Bonus on the benefit side at renewal: staying is the default.",
        ge=0,
    )


class Contest(Section):
    """A prize draw among members on a date (DOMAIN P7)."""

    day: int = param(..., unit="day", source="planner input", description="Day of the draw.", ge=0)
    winners: int = param(1, unit="members", source="planner input", description="Winners.", ge=1)
    prize_cost: float = param(
        100.0, unit="currency", source=ASSUMPTION, description="Cost of one prize.", ge=0
    )
    satisfaction_boost: float = param(
        0.05,
        unit="0..1 scale",
        source="DOMAIN P7, L5 (surprise); " + ASSUMPTION,
        description="Rise in a winner's satisfaction.",
        ge=0,
        le=1,
    )


class Lottery(Section):
    """Instant-win game after an order and contests on dates (DOMAIN P7)."""

    win_probability: float = param(
        0.25,
        unit="probability per order",
        source="DOMAIN P7: GrubHub, 25% chance of a free dessert or drink",
        description="Chance that an order wins the instant prize.",
        ge=0,
        le=1,
    )
    prize_value: float = param(
        5.0,
        unit="currency",
        source="DOMAIN P7 (a dessert or drink); " + ASSUMPTION,
        description="What the instant prize is worth to the customer.",
        ge=0,
    )
    prize_cost: float = param(
        1.5,
        unit="currency",
        source="cost of goods of the prize at 30%; " + ASSUMPTION,
        description="What one instant prize costs the business.",
        ge=0,
    )
    win_satisfaction_boost: float = param(
        0.01,
        unit="0..1 scale",
        source="DOMAIN P7, L5 (an unexpected reward delights); " + ASSUMPTION,
        description="Rise in satisfaction at a win.",
        ge=0,
        le=1,
    )
    contests: tuple[Contest, ...] = param(
        (), unit="list", source="DOMAIN P7 (contests, draws)", description="Prize draws."
    )


class Coalition(Section):
    """Points earned and spent across partner firms (DOMAIN P9). Needs ``points``."""

    partner_points_per_member_per_month: float = param(
        20.0,
        unit="points per member per month",
        source=ASSUMPTION,
        description="Points a member earns at partners, credited at their next visit.",
        ge=0,
    )
    payment_per_point: float = param(
        0.12,
        unit="currency per point",
        source="partners buy points near their face value; " + ASSUMPTION,
        description=(
            "What a partner pays for each point it issues; deferred as points liability until "
            "the points are redeemed or expire (IFRS 15)."
        ),
        ge=0,
    )
    partner_reach_per_year: float = param(
        0.1,
        unit="share of the anonymous market per year",
        source="DOMAIN P9 (a coalition widens reach); " + ASSUMPTION,
        description="Extra reach into the market through partners' customers.",
        ge=0,
        le=50,
    )
    partner_cost_per_reach: float = param(
        0.1,
        unit="currency per person reached",
        source=ASSUMPTION,
        description="Cost of each person reached through partners.",
        ge=0,
    )


class Referral(Section):
    """Rewards for bringing friends, and card lending (DOMAIN P12, W9)."""

    referrer_reward_cost: float = param(
        5.0,
        unit="currency per referral",
        source=ASSUMPTION,
        description="Cost of the reward to the member who referred (0: none).",
        ge=0,
    )
    referred_reward_cost: float = param(
        5.0,
        unit="currency per referral",
        source=ASSUMPTION,
        description="Cost of the welcome reward to the person referred (0: none).",
        ge=0,
    )
    paid_on: Literal["first_purchase", "sign_up"] = param(
        "first_purchase",
        unit="choice",
        source="DOMAIN P12",
        description="Rewards are paid at the referred person's first purchase, or when they join.",
    )
    extra_messages_per_member_per_year: float = param(
        1.0,
        unit="messages per member per year",
        source="DOMAIN W3, P12 (a reward prompts members to recommend); " + ASSUMPTION,
        description=(
            "Extra positive recommendations from members who are promoters or passives "
            "(detractors do not refer, whatever the reward)."
        ),
        ge=0,
        le=365,
    )
    card_lending_per_member_per_year: float = param(
        0.0,
        unit="lendings per member per year",
        source="DOMAIN W9 (a card lent to friends brings in extra customers); " + ASSUMPTION,
        description="How often a member lends the card to someone who then buys.",
        ge=0,
        le=365,
    )


class RevenueShare(Section):
    """Members receive a share of what they spend, paid out periodically (DOMAIN P11)."""

    share_of_spend: float = param(
        0.02,
        unit="share of member spend",
        source="DOMAIN P11 (rare, contractual); " + ASSUMPTION,
        description="Share of each member's payments accrued to them.",
        ge=0,
        lt=1,
    )
    payout_every_days: int = param(
        365, unit="days", source=ASSUMPTION, description="Days between payouts.", ge=1
    )


class Joining(Section):
    """Who joins a program and when (DOMAIN P, L1: members are customers who joined)."""

    mode: Literal["automatic", "opt_in", "fee_decision", "invitation"] = param(
        "opt_in",
        unit="choice",
        source="DOMAIN P (program lifecycle); P6 (paid), P10 (closed access)",
        description=(
            "automatic: every eligible buyer is enrolled; opt_in: an eligible non-member joins "
            "with opt_in_probability at each purchase; fee_decision: weighs the membership fee "
            "against the expected benefit; invitation: opt-in, offered only to customers "
            "reaching min_spend, up to capacity (exclusive club, P10)."
        ),
    )
    opt_in_probability: float = param(
        0.3,
        unit="probability per purchase",
        source=ASSUMPTION,
        description="Chance that an eligible non-member joins when offered at a purchase.",
        ge=0,
        le=1,
    )
    reoffer_after_days: float = param(
        90.0,
        unit="days",
        source=ASSUMPTION,
        description="After declining, a customer is not offered the program again for this long.",
        ge=0,
    )
    min_stage: Literal["shopper", "customer", "advocate", "raving_fan"] = param(
        "shopper",
        unit="rung",
        source="DOMAIN L1",
        description="Lowest rung at which the program is offered.",
    )
    min_spend: float = param(
        0.0,
        unit="currency",
        source="DOMAIN P10 (closed access); planner input",
        description="Spend with the business needed to be offered the program.",
        ge=0,
    )
    capacity: int | None = param(
        None,
        unit="members",
        source="DOMAIN P10 (exclusive club)",
        description="Most members at a time (none: no limit).",
        ge=1,
    )
    attachment_on_join: float = param(
        0.0,
        unit="0..1 scale",
        source="DOMAIN P10, L6 (exclusivity is felt, not priced); " + ASSUMPTION,
        description="Rise in emotional attachment when a customer joins.",
        ge=0,
        le=1,
    )


class ProgramCosts(Section):
    """What running the program costs, apart from its rewards (DOMAIN E7)."""

    setup_cost: float = param(
        0.0,
        unit="currency",
        source="planner input",
        description="One-off cost on the launch day (software, cards, training).",
        ge=0,
    )
    running_cost_per_month: float = param(
        0.0,
        unit="currency per month",
        source="planner input",
        description="Platform and staff cost while the program runs.",
        ge=0,
    )
    cost_per_member_per_year: float = param(
        0.0,
        unit="currency per member per year",
        source="planner input",
        description="Cards, statements and messages per member.",
        ge=0,
    )


class TermChange(Section):
    """New terms from a day on: a cut, a richer reward, a new tier (DOMAIN L5, L6)."""

    day: int = param(..., unit="day", source="planner input", description="First day.", ge=0)
    set: dict[str, Any] = param(
        ...,
        unit="dotted path -> value",
        source="planner input",
        description=(
            "Fields of the design to replace, by dotted path within the design "
            "(e.g. points.points_per_currency: 0.5)."
        ),
    )


MECHANICS: tuple[str, ...] = (
    "points",
    "tiers",
    "discount",
    "membership",
    "lottery",
    "perks",
    "coalition",
    "referral",
    "revenue_share",
)
"""The mechanic sections of a design, in the order they act at a purchase."""


FIXED_FIELDS: tuple[str, ...] = ("name", "description", "launch_day", "end_day", "term_changes")
"""Fields of a design that a term change cannot set."""


class ProgramDesign(Section):
    """One loyalty-program design: its mechanics, who joins, its costs and its dates.

    A design with no mechanics is the natural baseline (DOMAIN P1): quality and brand do the
    work.
    """

    name: str = param(
        ..., unit="text", source="planner input", description="Design name.", min_length=1
    )
    description: str = param("", unit="text", source="planner input", description="Free text.")
    launch_day: int = param(
        0, unit="day", source="planner input", description="Day the program starts.", ge=0
    )
    end_day: int | None = param(
        None,
        unit="day",
        source="planner input",
        description="Day the program ends (none: runs to the horizon).",
        ge=1,
    )
    joining: Joining = param(
        Joining(), unit="section", source="see fields", description="Who joins and when."
    )
    costs: ProgramCosts = param(
        ProgramCosts(), unit="section", source="see fields", description="Running costs."
    )
    points: Points | None = param(
        None, unit="section", source="DOMAIN P2", description="Cumulative points."
    )
    tiers: Tiers | None = param(None, unit="section", source="DOMAIN P3", description="Tiers.")
    discount: Discount | None = param(
        None, unit="section", source="DOMAIN P4, P5", description="Discount card."
    )
    membership: Membership | None = param(
        None, unit="section", source="DOMAIN P6", description="Paid membership."
    )
    lottery: Lottery | None = param(
        None, unit="section", source="DOMAIN P7", description="Instant win and contests."
    )
    perks: tuple[Perk, ...] = param(
        (), unit="list", source="DOMAIN P8", description="Intangible and service rewards."
    )
    coalition: Coalition | None = param(
        None, unit="section", source="DOMAIN P9", description="Partner points."
    )
    referral: Referral | None = param(
        None, unit="section", source="DOMAIN P12, W9", description="Referral rewards."
    )
    revenue_share: RevenueShare | None = param(
        None, unit="section", source="DOMAIN P11", description="Revenue sharing."
    )
    term_changes: tuple[TermChange, ...] = param(
        (), unit="list", source="planner input", description="Changes of terms on dates."
    )

    @model_validator(mode="after")
    def _consistent(self) -> ProgramDesign:
        if self.end_day is not None and self.end_day <= self.launch_day:
            raise ValueError(
                f"end_day = {self.end_day} must be after launch_day = {self.launch_day}"
            )
        if self.coalition is not None and self.points is None:
            raise ValueError("coalition needs a points section: partners issue points")
        if self.tiers is not None and self.tiers.metric == "points" and self.points is None:
            raise ValueError("tiers.metric = points needs a points section")
        if self.joining.mode == "fee_decision" and self.membership is None:
            raise ValueError("joining.mode = fee_decision needs a membership section (the fee)")
        if self.membership is not None and self.joining.mode not in (
            "fee_decision",
            "invitation",
        ):
            raise ValueError(
                "a paid membership is joined by deciding on the fee: set joining.mode to "
                "fee_decision (or invitation, for an exclusive club)"
            )
        for change in self.term_changes:
            for path in change.set:
                if path.split(".")[0] in FIXED_FIELDS:
                    raise ValueError(
                        f"term_changes (day {change.day}): {path} cannot change by a term "
                        f"change (fixed: {', '.join(FIXED_FIELDS)})"
                    )
                if path == "points.expected_redemption_rate":
                    raise ValueError(
                        f"term_changes (day {change.day}): {path} is an accounting estimate, "
                        "not a term; the program re-estimates it from experience"
                    )
        days = [change.day for change in self.term_changes]
        if days != sorted(days) or len(set(days)) != len(days):
            raise ValueError("term_changes: days must be distinct and in increasing order")
        last = self.end_day if self.end_day is not None else float("inf")
        for day in days:
            if not self.launch_day < day < last:
                raise ValueError(
                    f"term_changes: day {day} must fall after launch_day ({self.launch_day})"
                    + (f" and before end_day ({self.end_day})" if self.end_day is not None else "")
                )
        current = self
        for change in self.term_changes:
            try:
                current = current.terms_on(change)
            except ValidationError as exc:
                problem = describe_error(exc.errors()[0])
                raise ValueError(f"term_changes (day {change.day}): {problem}") from None
        return self

    def has_mechanics(self) -> bool:
        """Whether the design has any mechanic."""
        return any(getattr(self, name) for name in MECHANICS)

    def is_natural(self) -> bool:
        """Whether the design is the natural baseline (DOMAIN P1): no mechanics, no costs, and
        nothing felt on joining. A design with only ``joining.attachment_on_join`` is a club
        whose reward is belonging (P10) and runs as a program."""
        costs = self.costs
        return not (
            self.has_mechanics()
            or costs.setup_cost
            or costs.running_cost_per_month
            or costs.cost_per_member_per_year
            or self.joining.attachment_on_join
        )

    def terms_on(self, change: TermChange) -> ProgramDesign:
        """The design with one term change applied (validated again)."""
        data = self.model_dump()
        for path, value in change.set.items():
            parts = path.split(".")
            node = data
            for part in parts[:-1]:
                if not isinstance(node, dict) or part not in node:
                    raise ValueError(f"term_changes (day {change.day}): no field '{path}'")
                if node[part] is None:
                    node[part] = {}
                node = node[part]
            if not isinstance(node, dict) or (parts[-1] not in node and node is data):
                raise ValueError(f"term_changes (day {change.day}): no field '{path}'")
            node[parts[-1]] = value
        data["term_changes"] = ()
        return ProgramDesign.model_validate(data)

    def schedule(self) -> list[tuple[int, ProgramDesign]]:
        """The terms in force from each change day on, starting with the launch terms."""
        terms = [(self.launch_day, self.model_copy(update={"term_changes": ()}))]
        current = terms[0][1]
        for change in self.term_changes:
            current = current.terms_on(change)
            terms.append((change.day, current))
        return terms


class ProgramResponse(Section):
    """How customers respond to program rewards, whatever the design (DOMAIN L5, L6, E6).

    A member sees a **deal**: the share of their spend the program gives back. Immediate
    discounts count fully, delayed rewards (points, prizes, a revenue share) at
    ``delayed_reward_weight``; customers get used to the deal (habituation), so its perceived
    size fades from the day they joined or were last surprised by better terms, towards
    ``habituation_floor``. The perceived deal acts like a price cut, through the scenario's
    price elasticity, on purchase frequency, and on basket size. A member also has a
    **stake**: what leaving would forfeit (points at face value, the unused part of a paid fee,
    the benefits of a status tier). Rational attachment, stake / (stake + half), lowers dropout
    and the acceptance of competitor offers. See docs/model.md, "Loyalty programs".
    """

    delayed_reward_weight: float = param(
        0.5,
        unit="weight",
        source="delayed rewards are valued below immediate ones (Yi & Jeon 2003; Keh & Lee "
        "2006); " + ASSUMPTION,
        description="Weight of a delayed reward's value against an immediate discount.",
        ge=0,
        le=1,
    )
    basket_sensitivity: float = param(
        0.5,
        unit="basket change per unit of deal",
        source="DOMAIN L9 (loyal customers buy more than last time); " + ASSUMPTION,
        description="Basket multiplier is 1 + basket_sensitivity x perceived deal.",
        ge=0,
        le=10,
    )
    goal_gradient: float = param(
        0.2,
        unit="rate change at a full card",
        source="goal gradient: purchases accelerate as a reward nears (Kivetz, Urminsky & "
        "Zheng 2006); size " + ASSUMPTION,
        description=(
            "Purchase-rate multiplier is 1 + goal_gradient x progress towards the next reward "
            "(0..1); it resets after a redemption (Drèze & Nunes 2011)."
        ),
        ge=0,
        le=5,
    )
    habituation_floor: float = param(
        0.5,
        unit="share of the deal",
        source="DOMAIN L5, E6 (buyers must not get used to the bonus); " + ASSUMPTION,
        description="Share of the deal still felt once a member is used to it.",
        ge=0,
        le=1,
    )
    habituation_days: float = param(
        180.0,
        unit="days",
        source="DOMAIN L5 (customers get used to a higher level quickly); " + ASSUMPTION,
        description="Time constant of getting used to the deal.",
        gt=0,
    )
    switching_cost_effect: float = param(
        0.5,
        unit="share",
        source="switching costs keep customers (Burnham, Frels & Mahajan 2003); DOMAIN L6; "
        + ASSUMPTION,
        description=(
            "Largest cut in dropout and competitor acceptance from rational attachment "
            "(at attachment 1)."
        ),
        ge=0,
        le=1,
    )
    stake_half_baskets: float = param(
        2.0,
        unit="baskets",
        source=ASSUMPTION,
        description="Stake, in the member's average baskets, at which rational attachment is 0.5.",
        gt=0,
    )
    end_departure_probability: float = param(
        0.3,
        unit="probability",
        source="DOMAIN L6 (rational loyalty lasts only as long as the reward); " + ASSUMPTION,
        description=(
            "Chance that a member with no emotional attachment leaves when the program ends; "
            "it falls to 0 at the raving-fan attachment."
        ),
        ge=0,
        le=1,
    )
    cut_satisfaction_drop: float = param(
        0.1,
        unit="0..1 scale at a full cut",
        source="DOMAIN L5 (a reward one is used to is expected; losing it disappoints); "
        + ASSUMPTION,
        description="Satisfaction lost by a member when the deal is cut, times the share cut.",
        ge=0,
        le=1,
    )
    broken_promise_satisfaction_drop: float = param(
        0.3,
        unit="0..1 scale",
        source="DOMAIN E7 (refusing to honour obligations); L7 (love to hate); " + ASSUMPTION,
        description="Satisfaction lost by a member whose points are forfeited.",
        ge=0,
        le=1,
    )
