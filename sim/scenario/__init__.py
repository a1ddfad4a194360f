"""Scenario files: the typed, validated description of a business, its market and its customers.

A scenario is a frozen pydantic model loaded from YAML. Every field carries a description, a
unit and the source of its default (a DOMAIN fact id, a paper, or an explicitly marked
illustrative assumption); ``loyalsim schema`` prints them as JSON Schema and ``docs/scenario.md``
lists them. This module knows nothing of SimPy.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, Field, ValidationError, model_validator

from sim.rules.ladder import PRESETS, STAGES, rung_names
from sim.scenario.fields import ASSUMPTION, Section, describe_error, param
from sim.scenario.program_terms import ProgramDesign, ProgramResponse
from sim.scenario.yaml_source import YamlSource, yaml_source

MAX_NETWORK_SIZE = 2_000_000
"""Largest market that can be simulated on an explicit social network (memory and build time)."""
CALIBRATED_L4 = (
    "calibrated so the bundled coffee-shop scenario reproduces the DOMAIN L4 loss shares"
)


class Market(Section):
    """The target market: who could buy, and how marketing reaches them (DOMAIN L1, L3)."""

    size: int = param(
        20_000,
        unit="people",
        source=ASSUMPTION,
        description="People in the target market. All start as anonymous suspects.",
        ge=1,
        le=100_000_000,
    )
    reach_rate_per_year: float = param(
        0.5,
        unit="1/year",
        source="DOMAIN L3 (suspect to prospect comes from marketing reach); " + ASSUMPTION,
        description=(
            "Rate at which marketing, sales and branding reach each anonymous suspect; a reached "
            "suspect becomes a prospect agent. 0.5 reaches 1-exp(-0.5) = 39% of the pool a year."
        ),
        ge=0,
        le=365,
    )
    cost_per_reach: float = param(
        1.0,
        unit="currency/person",
        source="DOMAIN E1 (acquisition costs 5-10x retention); " + ASSUMPTION,
        description="Marketing cost of reaching one suspect.",
        ge=0,
    )
    first_purchase_probability: float = param(
        0.2,
        unit="probability",
        source=ASSUMPTION,
        description="Probability that a reached prospect makes a first purchase at all.",
        ge=0,
        le=1,
    )
    first_purchase_delay_days: float = param(
        14.0,
        unit="days",
        source=ASSUMPTION,
        description="Mean (exponential) delay from being reached to the first purchase.",
        ge=0,
        le=3650,
    )
    initial_customers: int = param(
        0,
        unit="people",
        source=ASSUMPTION,
        description=(
            "Existing customers at day 0 (taken out of the market). They start on the "
            "'customer' stage as if they had just bought (the buy-till-you-die convention)."
        ),
        ge=0,
    )

    @model_validator(mode="after")
    def _initial_within_market(self) -> Market:
        if self.initial_customers > self.size:
            raise ValueError(
                f"initial_customers ({self.initial_customers}) cannot exceed size ({self.size})"
            )
        return self


class Customers(Section):
    """Heterogeneous buying behaviour (BG/NBD and gamma-gamma, Fader, Hardie & Lee 2005)."""

    purchase_rate_shape: float = param(
        0.243,
        unit="dimensionless",
        source="Fader, Hardie & Lee (2005) BG/NBD fit to CDNOW: r = 0.243",
        description=(
            "Shape r of the gamma distribution of individual purchase rates "
            "(lambda ~ Gamma(r, alpha)); smaller means more heterogeneous customers."
        ),
        gt=0,
        le=1e6,
    )
    purchase_rate_alpha_days: float = param(
        30.9,
        unit="days",
        source="Fader, Hardie & Lee (2005) CDNOW: alpha = 4.414 weeks = 30.9 days",
        description=(
            "Rate parameter alpha of the gamma distribution of purchase rates; the mean rate "
            "is r/alpha purchases per day."
        ),
        gt=0,
        le=1e9,
    )
    dropout_a: float = param(
        0.793,
        unit="dimensionless",
        source="Fader, Hardie & Lee (2005) CDNOW: a = 0.793",
        description=(
            "Beta a of the individual dropout propensity p ~ Beta(a, b): the probability of "
            "leaving at each purchase opportunity before any modulation."
        ),
        gt=0,
        le=1e9,
    )
    dropout_b: float = param(
        2.426,
        unit="dimensionless",
        source="Fader, Hardie & Lee (2005) CDNOW: b = 2.426",
        description="Beta b of the individual dropout propensity; mean p = a/(a+b).",
        gt=0,
        le=1e9,
    )
    dropout_model: Literal["mbgnbd", "bgnbd"] = param(
        "mbgnbd",
        unit="choice",
        source=(
            "MBG/NBD: Batislam, Denizel & Filiztekin (2007); BG/NBD: Fader, Hardie & Lee (2005)"
        ),
        description=(
            "When drifting away is possible. 'mbgnbd': at every purchase opportunity, including "
            "the first after acquisition, so one-off shoppers exist (DOMAIN L1). 'bgnbd': only "
            "after a repeat purchase, as in BG/NBD."
        ),
    )
    purchase_timing: Literal["poisson", "periodic"] = param(
        "poisson",
        unit="choice",
        source="Poisson as in BG/NBD; 'periodic' for consumption cycles (one bottle lasts 30 days)",
        description=(
            "How purchase opportunities are spaced: exponential gaps (poisson) or a fixed cycle "
            "of 1/rate days with optional jitter (periodic)."
        ),
    )
    periodic_jitter: float = param(
        0.0,
        unit="coefficient of variation",
        source=ASSUMPTION,
        description="Relative spread of periodic gaps (normal, truncated at 10% of the cycle).",
        ge=0,
        le=1,
    )
    basket_mean: float = param(
        35.0,
        unit="currency",
        source="Fader, Hardie & Lee (2005) gamma-gamma on CDNOW: mean spend about $35",
        description="Mean basket value per purchase at list price, across customers.",
        gt=0,
    )
    basket_cv_between: float = param(
        0.5,
        unit="coefficient of variation",
        source="gamma-gamma spend model (Fader, Hardie & Lee 2005); " + ASSUMPTION,
        description="Spread of customers' own mean basket values (gamma).",
        ge=0,
        le=5,
    )
    basket_cv_within: float = param(
        0.4,
        unit="coefficient of variation",
        source="gamma-gamma on CDNOW: p = 6.25 gives 1/sqrt(p) = 0.4",
        description="Spread of one customer's basket from purchase to purchase (gamma).",
        ge=0,
        le=5,
    )
    share_of_wallet_a: float = param(
        2.0,
        unit="dimensionless",
        source="DOMAIN E4; " + ASSUMPTION,
        description="Beta a of each customer's share of wallet (our share of category spend).",
        gt=0,
    )
    share_of_wallet_b: float = param(
        2.0,
        unit="dimensionless",
        source="DOMAIN E4; " + ASSUMPTION,
        description="Beta b of the share of wallet; mean a/(a+b).",
        gt=0,
    )


class Product(Section):
    """Price, cost and the experience the product and service deliver (DOMAIN L3, L5, L7)."""

    price_level: float = param(
        1.0,
        unit="index (1 = list price)",
        source="list price",
        description="Price multiplier applied to every basket.",
        gt=0,
        le=10,
    )
    price_elasticity: float = param(
        -1.76,
        unit="dimensionless",
        source="Tellis (1988) meta-analysis of price elasticities: mean -1.76",
        description=(
            "Elasticity of purchase frequency and first-purchase probability to price_level "
            "(no effect at price_level = 1)."
        ),
        ge=-10,
        le=0,
    )
    cost_of_goods_share: float = param(
        0.3,
        unit="share of list basket value",
        source=ASSUMPTION + " (coffee shops run about 25-35% cost of goods)",
        description="Unit cost of what is sold, as a share of the basket's list value.",
        ge=0,
        le=5,
    )
    quality_mean: float = param(
        0.7,
        unit="0..1 scale",
        source=ASSUMPTION,
        description="Mean experienced quality of one purchase.",
        ge=0,
        le=1,
    )
    quality_sd: float = param(
        0.15,
        unit="0..1 scale",
        source=ASSUMPTION,
        description="Standard deviation of experienced quality from purchase to purchase.",
        ge=0,
        le=1,
    )
    service_failure_rate: float = param(
        0.02,
        unit="probability per purchase",
        source=ASSUMPTION,
        description="Probability that a purchase suffers a service failure.",
        ge=0,
        le=1,
    )
    failure_severity: float = param(
        0.4,
        unit="0..1 scale",
        source=ASSUMPTION,
        description="Quality lost by an unrecovered service failure.",
        ge=0,
        le=1,
    )
    recovery_probability: float = param(
        0.5,
        unit="probability",
        source="DOMAIN L7 (apology, concession, status calls); " + ASSUMPTION,
        description="Share of failures that the recovery policy handles well.",
        ge=0,
        le=1,
    )
    recovery_cost: float = param(
        3.0,
        unit="currency per recovered failure",
        source=ASSUMPTION,
        description="Cost of one well-handled recovery (concession, follow-up).",
        ge=0,
    )
    recovery_bonus: float = param(
        0.1,
        unit="0..1 scale",
        source=(
            "DOMAIN L7; service recovery paradox (McCollough & Bharadwaj 1992; "
            "de Matos, Henrique & Rossi 2007 meta-analysis)"
        ),
        description=(
            "How far a well-recovered failure's experience exceeds the customer's expectation."
        ),
        ge=0,
        le=1,
    )


class Experience(Section):
    """How experiences move satisfaction and expectations (DOMAIN L3, L5, L8)."""

    initial_satisfaction: float = param(
        0.6,
        unit="0..1 scale",
        source=ASSUMPTION,
        description="Satisfaction of a prospect before the first purchase.",
        ge=0,
        le=1,
    )
    initial_expectation: float = param(
        0.65,
        unit="0..1 scale",
        source=ASSUMPTION,
        description="Quality a prospect expects before the first purchase.",
        ge=0,
        le=1,
    )
    learning_rate: float = param(
        0.25,
        unit="weight",
        source="exponentially weighted satisfaction (adaptive expectations); " + ASSUMPTION,
        description="Weight of the latest experience in satisfaction.",
        gt=0,
        le=1,
    )
    disconfirmation_slope: float = param(
        8.0,
        unit="1/(0..1 scale)",
        source="expectation-disconfirmation (Oliver 1980); " + ASSUMPTION,
        description=(
            "Slope of the logistic that turns quality minus expectation into an experience "
            "score on 0..1."
        ),
        gt=0,
        le=100,
    )
    performance_weight: float = param(
        1.0,
        unit="weight",
        source="Churchill & Surprenant (1982): performance drives satisfaction beside "
        "disconfirmation; " + ASSUMPTION,
        description="Weight of quality itself (against 0.5) beside quality minus expectation.",
        ge=0,
        le=10,
    )
    love_to_hate_satisfaction: float = param(
        0.1,
        unit="0..1 scale",
        source="DOMAIN L7: a neglected loyal customer flips from love to hate in one step",
        description=(
            "Satisfaction an advocate or raving fan drops to after an unrecovered service "
            "failure (if lower than the usual update)."
        ),
        ge=0,
        le=1,
    )
    expectation_up_rate: float = param(
        0.3,
        unit="share of the gap",
        source="DOMAIN L5: expectations ratchet up quickly",
        description="Share of a positive surprise that is added to the expectation.",
        ge=0,
        le=1,
    )
    expectation_down_rate: float = param(
        0.05,
        unit="share of the gap",
        source="DOMAIN L5 (adaptation is asymmetric); " + ASSUMPTION,
        description="Share of a disappointment that lowers the expectation.",
        ge=0,
        le=1,
    )


class Relationship(Section):
    """Two-way contact between business and customer (DOMAIN L3, L4)."""

    initial: float = param(
        0.1,
        unit="0..1 scale",
        source=ASSUMPTION,
        description="Relationship of a new agent.",
        ge=0,
        le=1,
    )
    gain_per_touch: float = param(
        0.05,
        unit="share of the remaining gap",
        source="DOMAIN L3 (two-way communication builds relationship); " + ASSUMPTION,
        description="How much one communication touch closes the gap to a full relationship.",
        ge=0,
        le=1,
    )
    gain_per_purchase: float = param(
        0.02,
        unit="share of the remaining gap",
        source="DOMAIN L3; " + CALIBRATED_L4,
        description="How much one purchase (an interaction) closes the gap.",
        ge=0,
        le=1,
    )
    half_life_days: float = param(
        60.0,
        unit="days",
        source="DOMAIN L4 (low interaction loses customers); " + ASSUMPTION,
        description="Half-life of the relationship without any interaction.",
        gt=0,
        le=36500,
    )


class Behaviour(Section):
    """How satisfaction and relationship shape buying and leaving (DOMAIN L3, L4, L9)."""

    reference_satisfaction: float = param(
        0.6,
        unit="0..1 scale",
        source=ASSUMPTION,
        description="Satisfaction at which purchase rate and dropout are unmodulated.",
        ge=0,
        le=1,
    )
    reference_relationship: float = param(
        0.3,
        unit="0..1 scale",
        source=ASSUMPTION,
        description="Relationship at which purchase rate and dropout are unmodulated.",
        ge=0,
        le=1,
    )
    frequency_satisfaction_sensitivity: float = param(
        0.5,
        unit="log-rate per unit satisfaction",
        source="DOMAIN L9 (loyal customers buy more); " + ASSUMPTION,
        description="Purchase rate is multiplied by exp(s * (satisfaction - reference)).",
        ge=0,
        le=20,
    )
    frequency_relationship_sensitivity: float = param(
        0.5,
        unit="log-rate per unit relationship",
        source="DOMAIN L3; " + ASSUMPTION,
        description="Purchase rate is multiplied by exp(s * (relationship - reference)).",
        ge=0,
        le=20,
    )
    dropout_satisfaction_sensitivity: float = param(
        3.0,
        unit="log-odds-like factor",
        source="DOMAIN L8 (very dissatisfied customers look to leave); " + ASSUMPTION,
        description="Dropout is multiplied by exp(s * (reference - satisfaction)).",
        ge=0,
        le=20,
    )
    dropout_relationship_sensitivity: float = param(
        3.0,
        unit="log-odds-like factor",
        source="DOMAIN L4 (68% of losses come from low interaction); " + ASSUMPTION,
        description="Dropout is multiplied by exp(s * (reference - relationship)).",
        ge=0,
        le=20,
    )
    low_interaction_threshold: float = param(
        0.44,
        unit="0..1 scale",
        source="DOMAIN L4; " + CALIBRATED_L4,
        description=(
            "A drift loss is recorded as 'low_interaction' when the relationship is below this "
            "level, otherwise as 'unknown'."
        ),
        ge=0,
        le=1,
    )


class LifeEvents(Section):
    """Reasons to leave that the business cannot influence (DOMAIN L4)."""

    needs_changed_per_year: float = param(
        0.034,
        unit="1/year",
        source="DOMAIN L4: 5% of losses; " + CALIBRATED_L4,
        description="Hazard that the customer's needs or business change.",
        ge=0,
        le=100,
    )
    moved_away_per_year: float = param(
        0.021,
        unit="1/year",
        source="DOMAIN L4: 3% of losses; " + CALIBRATED_L4,
        description="Hazard that the customer moves to another region.",
        ge=0,
        le=100,
    )
    went_bankrupt_per_year: float = param(
        0.008,
        unit="1/year",
        source="DOMAIN L4: 1% of losses; " + CALIBRATED_L4,
        description="Hazard that the customer goes bankrupt.",
        ge=0,
        le=100,
    )


class Competition(Section):
    """Competitor offers, as market-level events that reach some of our customers (DOMAIN E4)."""

    offers_per_year: float = param(
        2.0,
        unit="1/year",
        source="DOMAIN L4 (9% of losses to better competitor offers); " + ASSUMPTION,
        description="Rate of random competitor campaigns (Poisson).",
        ge=0,
        le=365,
    )
    scheduled_offer_days: tuple[Annotated[int, Field(ge=0)], ...] = param(
        (),
        unit="days",
        source="planner input",
        description="Days on which a competitor campaign certainly starts (0 or later).",
    )
    reach_share: float = param(
        0.3,
        unit="share of our customers",
        source=ASSUMPTION,
        description="Share of our customers that one campaign reaches.",
        ge=0,
        le=1,
    )
    acceptance_probability: float = param(
        0.45,
        unit="probability",
        source="DOMAIN L4: 9% of losses to competitor offers; " + CALIBRATED_L4,
        description=(
            "Probability that a reached, average customer (satisfaction 0.5, share of wallet "
            "below 50%, acceptance multiplier 1) takes the offer and leaves."
        ),
        ge=0,
        le=1,
    )
    committed_share_of_wallet: float = param(
        0.7,
        unit="share",
        source="DOMAIN E4: committed while our share of wallet is 70-80%",
        description="Share of wallet at and above which a customer is committed.",
        ge=0,
        le=1,
    )
    fickle_share_of_wallet: float = param(
        0.5,
        unit="share",
        source="DOMAIN E4: below 50% customers easily accept a competitor's offer",
        description="Share of wallet below which a customer is fully exposed to offers.",
        ge=0,
        le=1,
    )
    committed_acceptance_factor: float = param(
        0.2,
        unit="multiplier",
        source="DOMAIN E4, L9 (loyal customers do not react to competitor promotions)",
        description="Acceptance multiplier for a committed share of wallet.",
        ge=0,
        le=1,
    )

    @model_validator(mode="after")
    def _wallet_order(self) -> Competition:
        if self.fickle_share_of_wallet > self.committed_share_of_wallet:
            raise ValueError(
                "fickle_share_of_wallet must not exceed committed_share_of_wallet "
                f"({self.fickle_share_of_wallet} > {self.committed_share_of_wallet})"
            )
        return self


class WinBack(Section):
    """Lost customers can be won back (DOMAIN L1: people move down and back up)."""

    rate_per_year: float = param(
        0.2,
        unit="1/year",
        source=ASSUMPTION,
        description=(
            "Hazard of winning back a customer lost to low interaction, a competitor offer or "
            "an unknown cause (moved, bankrupt or changed-needs customers do not return)."
        ),
        ge=0,
        le=365,
    )
    cost_per_win_back: float = param(
        0.0,
        unit="currency per customer",
        source=ASSUMPTION,
        description="Marketing cost of each customer won back.",
        ge=0,
    )


class WordOfMouth(Section):
    """Word of mouth and the Net Promoter Score (DOMAIN W1-W9, L1, L6, L9).

    Every customer who has bought answers the NPS question on 0..10 from their satisfaction,
    relationship and emotional attachment (``sim.rules.wom.likelihood_to_recommend``). Promoters
    send positive recommendations, detractors negative ones; prospects and lost customers who hear
    enough net positives choose the business (W2, W5); a negative message lowers a customer's
    satisfaction. See docs/model.md, "Word of mouth and NPS".
    """

    enabled: bool = param(
        True,
        unit="switch",
        source="DOMAIN W1-W9",
        description="Whether customers talk about the business at all.",
    )
    survey_window_days: int = param(
        90,
        unit="days",
        source="DOMAIN M2 (NPS over time); a quarterly relationship survey, " + ASSUMPTION,
        description=(
            "Recency window of the NPS survey: customers who bought within it are surveyed, "
            "and only they send messages (word of mouth follows recent experience)."
        ),
        ge=1,
        le=36_500,
    )
    relationship_forgiveness: float = param(
        0.4,
        unit="share 0..1",
        source="DOMAIN L3, L9; " + ASSUMPTION,
        description=(
            "Share of the shortfall from a perfect score (1 - satisfaction) that a full "
            "relationship forgives in the likelihood to recommend."
        ),
        ge=0,
        le=1,
    )
    attachment_forgiveness: float = param(
        0.6,
        unit="share 0..1",
        source="DOMAIN L6, L9; " + ASSUMPTION,
        description=(
            "Share of the shortfall from a perfect score that full emotional attachment "
            "forgives in the likelihood to recommend."
        ),
        ge=0,
        le=1,
    )
    attachment_rate: float = param(
        0.05,
        unit="share per purchase",
        source="DOMAIN L6 (emotional loyalty builds slowly, outlasts a slip); " + ASSUMPTION,
        description=(
            "Share of the way emotional attachment moves, at each purchase, towards "
            "satisfaction x relationship."
        ),
        ge=0,
        le=1,
    )
    promoter_messages_per_year: float = param(
        3.5,
        unit="messages/year per promoter",
        source="DOMAIN W3 (3-4 positive recommendations); W7 alternative: 5",
        description="Positive recommendations a promoter sends per year.",
        ge=0,
        le=365,
    )
    detractor_messages_per_year: float = param(
        5.0,
        unit="messages/year per detractor",
        source="DOMAIN W4 (4-6 negative recommendations); W7 alternative: 10",
        description="Negative recommendations a detractor sends per year.",
        ge=0,
        le=365,
    )
    fan_message_multiplier: float = param(
        2.0,
        unit="multiplier",
        source="DOMAIN L1 (a raving fan recommends unprompted, everywhere); " + ASSUMPTION,
        description="How many times more often a raving fan recommends than a promoter.",
        ge=0,
        le=100,
    )
    negative_weight: float = param(
        5.0,
        unit="positives per negative",
        source="DOMAIN W5: one negative recommendation outweighs five positive ones",
        description="Positive recommendations one negative one cancels in a prospect's mind.",
        ge=0,
        le=100,
    )
    positives_to_choose: float = param(
        6.0,
        unit="net positive messages",
        source="DOMAIN W2: a prospect needs about 5-6 positive recommendations",
        description="Net positive recommendations that make a prospect choose the business.",
        ge=1,
        le=1000,
    )
    negative_satisfaction_drop: float = param(
        0.05,
        unit="0..1 scale",
        source="DOMAIN W4, L7; " + ASSUMPTION,
        description="How much a negative recommendation lowers a current customer's satisfaction.",
        ge=0,
        le=1,
    )
    fan_defence_probability: float = param(
        0.5,
        unit="probability",
        source="DOMAIN L1, L9 (a raving fan defends the brand when it is attacked); " + ASSUMPTION,
        description=(
            "Probability that a raving fan who knows the recipient of a negative message "
            "counters it, so that it is not heard."
        ),
        ge=0,
        le=1,
    )
    contacts_per_person: int = param(
        10,
        unit="people",
        source="a close circle of about ten (Dunbar's sympathy group of 12-15); " + ASSUMPTION,
        description=(
            "Acquaintances per person: the mean degree of a social network, and in a "
            "well-mixed market the circle in which a raving fan may know a message's recipient."
        ),
        ge=2,
        le=1000,
    )
    network: Literal["well_mixed", "small_world", "scale_free"] = param(
        "well_mixed",
        unit="choice",
        source="well-mixed as in Bass (1969); Watts & Strogatz (1998); Barabasi & Albert (1999)",
        description=(
            "Who talks to whom: anyone in the target market at random, or neighbours on a "
            "seeded small-world or scale-free network of the whole market."
        ),
    )
    rewiring_probability: float = param(
        0.1,
        unit="probability",
        source="Watts & Strogatz (1998): small-world between 0.01 and 0.1",
        description="Small-world network: probability that a lattice edge is rewired.",
        ge=0,
        le=1,
    )
    outside_promoters: int = param(
        0,
        unit="people",
        source="planner input (reviewers, influencers; the W6 experiment adds them)",
        description=(
            "People outside the customer base who recommend the business at the promoter "
            "rate for the whole run."
        ),
        ge=0,
        le=10_000_000,
    )
    outside_detractors: int = param(
        0,
        unit="people",
        source="planner input (critics; the W6 experiment adds them)",
        description=(
            "People outside the customer base who speak against the business at the "
            "detractor rate for the whole run."
        ),
        ge=0,
        le=10_000_000,
    )


class Business(Section):
    """Money and contact policy of the business (DOMAIN E7, L3, L4)."""

    starting_cash: float = param(
        20_000.0,
        unit="currency",
        source=ASSUMPTION,
        description="Cash at day 0.",
    )
    credit_line: float = param(
        10_000.0,
        unit="currency",
        source=ASSUMPTION,
        description=(
            "How far below zero cash may fall. Below -credit_line the business is bankrupt "
            "and stops trading (DOMAIN E7)."
        ),
        ge=0,
    )
    fixed_costs_per_month: float = param(
        6_000.0,
        unit="currency/month",
        source=ASSUMPTION,
        description="Rent, wages and other operating costs, booked daily.",
        ge=0,
    )
    touches_per_month: float = param(
        2.0,
        unit="touches per customer per month",
        source="DOMAIN L3, L4 (communication keeps relationship alive)",
        description="Communication touches sent to every active customer.",
        ge=0,
        le=300,
    )
    cost_per_touch: float = param(
        0.05,
        unit="currency",
        source=ASSUMPTION,
        description="Cost of one communication touch.",
        ge=0,
    )
    discount_rate_per_year: float = param(
        0.10,
        unit="1/year",
        source="common CLV practice (Gupta & Lehmann 2003 use 12%); " + ASSUMPTION,
        description="Annual discount rate for the discounted value of customers.",
        ge=0,
        le=10,
    )


class PromotionThresholds(Section):
    """Thresholds of the word-of-mouth rungs (see ``sim.rules.ladder.upper_rung``; DOMAIN L1, W1,
    L6)."""

    advocate_min_promoter_days: float = param(
        90.0,
        unit="days",
        source="DOMAIN L1 (an advocate recommends when asked), W1; " + ASSUMPTION,
        description="Days as a promoter, without a break, before a customer becomes an advocate.",
        ge=0,
    )
    fan_min_promoter_days: float = param(
        180.0,
        unit="days",
        source="DOMAIN L1; " + ASSUMPTION,
        description="Days as a promoter, without a break, before an advocate becomes a raving fan.",
        ge=0,
    )
    fan_min_score: int = param(
        10,
        unit="score 0..10",
        source="DOMAIN L1 (a raving fan recommends unprompted, everywhere), W1",
        description="Likelihood-to-recommend score an advocate needs to become a raving fan.",
        ge=9,
        le=10,
    )
    fan_min_attachment: float = param(
        0.5,
        unit="0..1 scale",
        source="DOMAIN L6 (emotional loyalty); " + ASSUMPTION,
        description="Emotional attachment a raving fan needs to become and stay one.",
        ge=0,
        le=1,
    )


class Experiment(Section):
    """How experiments replicate a scenario and the thresholds of their verdicts (DOMAIN E6-E8).

    ``sim.replicate`` and ``sim.compare`` read these; a single ``sim.simulate`` ignores them.
    """

    runs: int = param(
        30,
        unit="replications",
        source="30 replications: a t-based interval is then close to normal (common practice)",
        description="Replications per arm when an experiment is not told otherwise.",
        ge=2,
        le=100_000,
    )
    confidence: float = param(
        0.95,
        unit="probability",
        source="conventional 95% level",
        description="Confidence level of every interval an experiment reports.",
        gt=0.5,
        lt=1,
    )
    ruin_threshold: float = param(
        0.05,
        unit="probability",
        source="DOMAIN E7 (feasibility is probabilistic); 5% is a conventional risk of ruin",
        description=(
            "Verdict would_bankrupt when the share of replications that go bankrupt within the "
            "horizon exceeds this."
        ),
        ge=0,
        le=1,
    )
    participant_ratio_floor: float = param(
        1.0,
        unit="ratio",
        source="DOMAIN E6 (participants must bring more than comparable non-participants)",
        description=(
            "Warn when the lower confidence bound of participants' spend per customer-year over "
            "same-segment non-participants' is at or below this."
        ),
        ge=0,
    )
    liability_growth_threshold: float = param(
        0.10,
        unit="share",
        source="DOMAIN E7 (unredeemed promises are a liability); " + ASSUMPTION,
        description=(
            "Warn that the liability grows without bound when it grows by more than this share "
            "over the last third of the horizon."
        ),
        ge=0,
    )
    dissatisfied_threshold: float = param(
        0.25,
        unit="share",
        source="DOMAIN E8 (a program does not fix churn caused elsewhere), L8; " + ASSUMPTION,
        description=(
            "Warn that the program treats churn whose cause lies elsewhere when, without the "
            "program, at least this share of active customers is dissatisfied or very "
            "dissatisfied over the last quarter of the horizon while the program buys retention."
        ),
        ge=0,
        le=1,
    )
    band_quantiles: tuple[float, ...] = param(
        (0.05, 0.25, 0.5, 0.75, 0.95),
        unit="probabilities",
        source="a 90% and a 50% band around the median",
        description="Quantiles of every daily series across replications.",
    )

    @model_validator(mode="after")
    def _check_quantiles(self) -> Experiment:
        q = self.band_quantiles
        if not q or any(not 0 < x < 1 for x in q) or list(q) != sorted(set(q)):
            raise ValueError(
                f"experiment.band_quantiles = {list(q)}: give increasing probabilities "
                "strictly between 0 and 1"
            )
        return self


def _stage_defaults(values: tuple[float, ...]) -> dict[str, float]:
    return dict(zip(STAGES[2:], values, strict=True))


class Migration(Section):
    """Explicit per-period migration matrix (for analysts with one from their CRM).

    States are the ladder's rung names plus ``lost`` (absorbing). Customers move at period
    boundaries; each earns its rung's contribution at the start of every period.
    """

    period_days: float = param(
        30.0, unit="days", source="planner input", description="Length of one period.", gt=0
    )
    matrix: dict[str, dict[str, float]] = param(
        ...,
        unit="probability per period",
        source="planner input (e.g. estimated from CRM data)",
        description="Row = from-state, column = to-state; each row sums to 1; lost is absorbing.",
    )
    contribution: dict[str, float] = param(
        ...,
        unit="currency per customer per period",
        source="planner input",
        description="Contribution margin earned by one customer in each state per period.",
    )
    initial: dict[str, int] = param(
        ...,
        unit="customers",
        source="planner input",
        description="Customers in each state at day 0.",
    )
    entrants_per_period: dict[str, int] = param(
        {},
        unit="customers per period",
        source="planner input",
        description="New customers entering each state at each period boundary.",
    )


class Ladder(Section):
    """The ladder's names, per-rung effects, promotion rules and mode (DOMAIN L1, L2, E2)."""

    preset: Literal["loyalty_ladder", "kartajaya", "five_step", "three_phases", "three_levels"] = (
        param(
            "loyalty_ladder",
            unit="choice",
            source="DOMAIN L1 (default) and L2 (alternatives)",
            description="Which ladder vocabulary names the stages.",
        )
    )
    names: dict[str, str] = param(
        {},
        unit="stage -> name",
        source="planner input",
        description=f"Rename canonical stages ({', '.join(STAGES)}) for reports.",
    )
    spend_multiplier: dict[str, float] = param(
        _stage_defaults((1.0, 1.5, 1.5, 1.6, 1.7)),
        unit="multiplier on basket value",
        source="DOMAIN E2: regular customers spend 50%+ more per visit than new ones",
        description="Basket multiplier per rung (keys: rung names or canonical stages).",
    )
    frequency_multiplier: dict[str, float] = param(
        _stage_defaults((1.0, 1.0, 1.0, 1.2, 1.3)),
        unit="multiplier on purchase rate",
        source="DOMAIN L9 (loyal customers buy more than others); " + ASSUMPTION,
        description=(
            "Purchase-rate multiplier per rung."
            " The member rung defaults to the customer's: a program's effect comes from its"
            " mechanics (sim.money.programs), not from the badge."
        ),
    )
    dropout_multiplier: dict[str, float] = param(
        _stage_defaults((1.5, 1.0, 1.0, 0.6, 0.4)),
        unit="multiplier on dropout",
        source="DOMAIN L1 (shoppers may buy once out of curiosity), L9; " + ASSUMPTION,
        description=(
            "Dropout multiplier per rung."
            " The member rung defaults to the customer's: a program's effect comes from its"
            " mechanics (sim.money.programs), not from the badge."
        ),
    )
    competitor_acceptance_multiplier: dict[str, float] = param(
        _stage_defaults((1.0, 0.8, 0.8, 0.4, 0.1)),
        unit="multiplier on acceptance",
        source="DOMAIN L9: loyal customers do not react to competitor promotions",
        description=(
            "Competitor-offer acceptance multiplier per rung."
            " The member rung defaults to the customer's: a program's effect comes from its"
            " mechanics (sim.money.programs), not from the badge."
        ),
    )
    promotion: PromotionThresholds = param(
        PromotionThresholds(),
        unit="section",
        source="see fields",
        description="Thresholds of the upper-rung rules.",
    )
    mode: Literal["agent", "matrix"] = param(
        "agent",
        unit="choice",
        source="agent-based by default; matrix mode after Pfeifer & Carraway (2000)",
        description="Agent-based dynamics, or an explicit migration matrix.",
    )
    migration: Migration | None = param(
        None, unit="section", source="planner input", description="Required when mode = matrix."
    )

    def stage_names(self) -> tuple[str, ...]:
        """Display name of each canonical stage, after the preset and renames."""
        names = list(PRESETS[self.preset])
        for stage, name in self.names.items():
            names[STAGES.index(stage)] = name
        return tuple(names)

    def rungs(self) -> list[str]:
        """Distinct rung names in ladder order."""
        return rung_names(self.stage_names())

    def per_stage(self, field: str) -> tuple[float, ...]:
        """A per-rung multiplier resolved to one value per canonical stage (1.0 if unset)."""
        table: dict[str, float] = getattr(self, field)
        names = self.stage_names()
        out = []
        for i, stage in enumerate(STAGES):
            if stage in table:
                out.append(table[stage])
            elif names[i] in table:
                out.append(table[names[i]])
            else:
                out.append(1.0)
        return tuple(out)

    @model_validator(mode="after")
    def _check(self) -> Ladder:
        for stage in self.names:
            if stage not in STAGES:
                raise ValueError(f"names: unknown stage '{stage}'; allowed: {', '.join(STAGES)}")
        names = self.stage_names()
        allowed = set(STAGES) | set(names)
        for field in (
            "spend_multiplier",
            "frequency_multiplier",
            "dropout_multiplier",
            "competitor_acceptance_multiplier",
        ):
            for key, value in getattr(self, field).items():
                if key not in allowed:
                    raise ValueError(
                        f"{field}: unknown rung '{key}'; allowed: {', '.join(sorted(allowed))}"
                    )
                if not (0 <= value <= 100):
                    raise ValueError(f"{field}.{key} = {value}; allowed range 0..100")
        if self.mode == "matrix":
            if self.migration is None:
                raise ValueError("mode 'matrix' needs a 'migration' section")
            _check_migration(self.migration, rung_names(names))
        return self


def _check_migration(m: Migration, rungs: list[str]) -> None:
    states = [*rungs, "lost"]
    for origin, row in m.matrix.items():
        if origin not in states:
            raise ValueError(f"migration.matrix: unknown state '{origin}'; allowed: {states}")
        for target, p in row.items():
            if target not in states:
                raise ValueError(
                    f"migration.matrix.{origin}: unknown state '{target}'; allowed: {states}"
                )
            if not (0 <= p <= 1):
                raise ValueError(f"migration.matrix.{origin}.{target} = {p}; allowed 0..1")
        total = sum(row.values())
        if not math.isclose(total, 1.0, abs_tol=1e-9):
            raise ValueError(f"migration.matrix.{origin}: row sums to {total}, must sum to 1")
    lost_row = m.matrix.get("lost", {"lost": 1.0})
    if not math.isclose(lost_row.get("lost", 0.0), 1.0):
        raise ValueError("migration.matrix.lost: lost must be absorbing (lost -> lost = 1)")
    for table_name in ("contribution", "initial", "entrants_per_period"):
        for state in getattr(m, table_name):
            if state not in states:
                raise ValueError(f"migration.{table_name}: unknown state '{state}'")
    for state, count in {**m.initial, **m.entrants_per_period}.items():
        if count < 0:
            raise ValueError(f"migration: negative customer count for '{state}'")
        if count > 0 and state not in m.matrix and state != "lost":
            raise ValueError(f"migration.matrix has no row for '{state}', which has customers")


class Scenario(Section):
    """A complete what-if scenario: the business, its market and its customers."""

    name: str = param(
        "unnamed scenario", unit="text", source="planner input", description="Scenario name."
    )
    description: str = param("", unit="text", source="planner input", description="Free text.")
    horizon_days: int = param(
        1095,
        unit="days",
        source="three years, a common planning horizon",
        description="Simulated days.",
        ge=1,
        le=36_500,
    )
    market: Market = param(Market(), unit="section", source="see fields", description="Market.")
    customers: Customers = param(
        Customers(), unit="section", source="see fields", description="Customers."
    )
    product: Product = param(
        Product(), unit="section", source="see fields", description="Product and service."
    )
    experience: Experience = param(
        Experience(), unit="section", source="see fields", description="Experience."
    )
    relationship: Relationship = param(
        Relationship(), unit="section", source="see fields", description="Relationship."
    )
    behaviour: Behaviour = param(
        Behaviour(), unit="section", source="see fields", description="Behaviour."
    )
    life_events: LifeEvents = param(
        LifeEvents(), unit="section", source="see fields", description="Life events."
    )
    competition: Competition = param(
        Competition(), unit="section", source="see fields", description="Competition."
    )
    win_back: WinBack = param(
        WinBack(), unit="section", source="see fields", description="Winning lost customers back."
    )
    word_of_mouth: WordOfMouth = param(
        WordOfMouth(), unit="section", source="see fields", description="Word of mouth and NPS."
    )
    business: Business = param(
        Business(), unit="section", source="see fields", description="Business."
    )
    ladder: Ladder = param(Ladder(), unit="section", source="see fields", description="Ladder.")
    programs: tuple[ProgramDesign, ...] = param(
        (),
        unit="list",
        source="DOMAIN P1-P12",
        description=(
            "Loyalty-program designs to try. They are alternatives: one run puts one of them in "
            "place (active_program); experiments compare each with the natural baseline."
        ),
    )
    active_program: str | None = param(
        None,
        unit="design name",
        source="planner input",
        description=(
            "The design a run puts in place: a name from programs, or 'none' for the natural "
            "baseline (DOMAIN P1). Default: the first design, or none if there is none."
        ),
    )
    program_response: ProgramResponse = param(
        ProgramResponse(),
        unit="section",
        source="see fields",
        description="How customers respond to program rewards (DOMAIN L5, L6).",
    )
    experiment: Experiment = param(
        Experiment(),
        unit="section",
        source="see fields",
        description="Replications and verdict thresholds of experiments (DOMAIN E6-E8).",
    )

    @model_validator(mode="after")
    def _check_programs(self) -> Scenario:
        names = [design.name for design in self.programs]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"programs: the name '{name}' is used twice; names must differ")
        if "none" in names:
            raise ValueError("programs: 'none' is reserved for the natural baseline")
        if self.active_program is not None and self.active_program not in (*names, "none"):
            allowed = ", ".join([*names, "none"])
            raise ValueError(
                f"active_program = '{self.active_program}' names no design; allowed: {allowed}"
            )
        if self.programs and self.ladder.mode == "matrix":
            raise ValueError("programs need the agent-based ladder (ladder.mode = agent)")
        for design in self.programs:
            for day in (design.launch_day, design.end_day):
                if day is not None and day >= self.horizon_days:
                    raise ValueError(
                        f"programs.{design.name}: day {day} is past the horizon "
                        f"({self.horizon_days} days)"
                    )
        return self

    def program(self) -> ProgramDesign | None:
        """The design a run puts in place (None: the natural baseline, DOMAIN P1)."""
        name = self.active_program
        if name == "none" or not self.programs:
            return None
        if name is None:
            return self.programs[0]
        return next(design for design in self.programs if design.name == name)

    @model_validator(mode="after")
    def _check_network(self) -> Scenario:
        wom, size = self.word_of_mouth, self.market.size
        if wom.network != "well_mixed":
            if size > MAX_NETWORK_SIZE:
                raise ValueError(
                    f"word_of_mouth.network = {wom.network} needs market.size <= "
                    f"{MAX_NETWORK_SIZE:,} (got {size:,}); use well_mixed for larger markets"
                )
            if wom.contacts_per_person >= size:
                raise ValueError(
                    f"word_of_mouth.contacts_per_person = {wom.contacts_per_person} must be "
                    f"below market.size ({size}) on a network"
                )
        return self

    def value_at(self, path: str) -> Any:
        """The value of the field at a dotted path, as plain data (program designs by name or
        position, as in :meth:`with_overrides`).

        Raises
        ------
        ScenarioError
            If the path names no field.
        """
        node: Any = self.model_dump()
        for part in path.split("."):
            if isinstance(node, list | tuple):
                index = _design_index(list(node), part)
                if index is None:
                    raise ScenarioError([f"{path}: no program design '{part}'"])
                node = node[index]
            elif isinstance(node, dict) and part in node:
                node = node[part]
            else:
                raise ScenarioError([f"{path}: no such field ('{part}' is unknown)"])
        return node

    def with_overrides(self, overrides: dict[str, Any]) -> Scenario:
        """A copy of the scenario with dotted-path fields replaced, validated again.

        Parameters
        ----------
        overrides
            ``{"market.size": 50_000, "business.touches_per_month": 0}``. A program design is
            named by its name or its position in ``programs``:
            ``{"programs.stamp card.points.points_per_currency": 0.5}``.

        Raises
        ------
        ScenarioError
            If a path names no field, or a value is not allowed.
        """
        data = self.model_dump()
        data["programs"] = list(data["programs"])
        for path, value in overrides.items():
            node = data
            parts = path.split(".")
            for i, part in enumerate(parts):
                if isinstance(node, list):
                    index = _design_index(node, part)
                    if index is None:
                        names = ", ".join(str(d.get("name")) for d in node)
                        raise ScenarioError(
                            [f"{path}: no program design '{part}' (designs: {names})"]
                        )
                    if i == len(parts) - 1:
                        raise ScenarioError(
                            [f"{path}: name a field of the design, or replace the whole list"]
                        )
                    node = node[index]
                    continue
                if not isinstance(node, dict) or (
                    part not in node and not _is_dict_field(self, parts[:i])
                ):
                    raise ScenarioError([f"{path}: no such field ('{part}' is unknown)"])
                if i == len(parts) - 1:
                    node[part] = value
                else:
                    if node.get(part) is None:
                        node[part] = {}
                    node = node[part]
        return scenario_from_dict(data)


def _design_index(designs: list[dict[str, Any]], part: str) -> int | None:
    """Position of the design named ``part`` (or at position ``part``) in a programs list."""
    for i, design in enumerate(designs):
        if design.get("name") == part:
            return i
    if part.isdigit() and int(part) < len(designs):
        return int(part)
    return None


def _is_dict_field(scenario: Scenario, parts: list[str]) -> bool:
    """Whether the field at ``parts`` is a free-keyed mapping (e.g. a multiplier table)."""
    obj: Any = scenario
    for part in parts:
        if isinstance(obj, BaseModel):
            obj = getattr(obj, part, None)
        elif isinstance(obj, dict):
            obj = obj.get(part)
        else:
            return False
    return isinstance(obj, dict)


class ScenarioError(ValueError):
    """A scenario that cannot be used; ``problems`` holds one readable line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("invalid scenario:\n" + "\n".join(f"  - {p}" for p in problems))


def scenario_from_dict(data: dict[str, Any], source: YamlSource | None = None) -> Scenario:
    """Validate a plain mapping into a :class:`Scenario`, with readable errors.

    Parameters
    ----------
    data
        The scenario as plain data.
    source
        Where each path of ``data`` is written in its file: each problem then starts with its
        line number (see :func:`sim.scenario.yaml_source.yaml_source`).
    """
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(error["loc"]) or _path_in_message(error["msg"])
            problem = describe_error(error, allowed_fields(loc[:-1]), allowed_range(loc))
            line = source.line_of(loc) if source else None
            problems.append(f"line {line}: {problem}" if line else problem)
        raise ScenarioError(problems) from None


def _path_in_message(message: str) -> tuple[str, ...]:
    """The field a whole-scenario check names at the start of its message, as a path."""
    found = re.match(r"(?:Value error, )?([a-z_]+(?:\.[a-z_]+)*)", message)
    return tuple(found.group(1).split(".")) if found else ()


def allowed_fields(loc: tuple[str | int, ...]) -> list[str] | None:
    """The field names allowed in the section at ``loc`` (``None``: not a section).

    Follows the scenario's model classes through optional values, tuples (a list's index)
    and mappings (a key), so an unknown field can be answered with the ones that exist.
    """
    kind = _unwrap(_kind_at(loc))
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return list(kind.model_fields)
    return None


def allowed_range(loc: tuple[str | int, ...]) -> str | None:
    """The bounds of the number field at ``loc`` in words (``">= 0 and <= 1"``), if any."""
    if not loc:
        return None
    section = _unwrap(_kind_at(loc[:-1]))
    if not (isinstance(section, type) and issubclass(section, BaseModel)):
        return None
    field = section.model_fields.get(str(loc[-1]))
    if field is None:
        return None
    words = []
    for bound in field.metadata:
        for key, label in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            if getattr(bound, key, None) is not None:
                words.append(f"{label} {getattr(bound, key)}")
    return " and ".join(words) or None


def _kind_at(loc: tuple[str | int, ...]) -> Any:
    """The annotated type at ``loc`` in the scenario's models (``None``: no such place)."""
    kind: Any = Scenario
    for part in loc:
        kind = _unwrap(kind)
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            field = kind.model_fields.get(str(part))
            if field is None:
                return None
            kind = field.annotation
        elif get_origin(kind) in (tuple, list, dict):
            kind = get_args(kind)[-1 if get_origin(kind) is dict else 0]
        else:
            return None
    return kind


def _unwrap(kind: Any) -> Any:
    """``X | None`` and ``Annotated[X, ...]`` as ``X``."""
    while True:
        origin = get_origin(kind)
        if origin is Annotated:
            kind = get_args(kind)[0]
            continue
        args = [a for a in get_args(kind) if a is not type(None)]
        if origin in (Union, UnionType) and len(args) == 1:
            kind = args[0]
            continue
        return kind


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario YAML file.

    Every problem is reported, each with the line it is on, the field's path, the value given
    and what is allowed; a key written twice in one section is a problem too (YAML would keep
    the last silently).

    Raises
    ------
    ScenarioError
        If the file is missing, is not YAML, or any field is invalid (one line per problem).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise ScenarioError([f"{path}: cannot read file ({reason})"]) from None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError([f"{path}: not valid YAML{where}: {problem}"]) from None
    if not isinstance(data, dict):
        raise ScenarioError([f"{path}: a scenario must be a mapping of sections"])
    source = yaml_source(text)
    repeated = [
        f"line {again}: {'.'.join(map(str, key))}: written twice (first on line {first}); "
        "YAML would keep only the last"
        for key, first, again in source.duplicates
    ]
    try:
        scenario = scenario_from_dict(data, source)
    except ScenarioError as exc:
        raise ScenarioError(repeated + exc.problems) from None
    if repeated:
        raise ScenarioError(repeated)
    return scenario
