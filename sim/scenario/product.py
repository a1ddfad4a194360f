"""Scenario sections of what customers live through: the product and service, the experience,
the relationship and how behaviour responds to them (DOMAIN L3, L5, L7)."""

from __future__ import annotations

from sim.scenario.fields import ASSUMPTION, CALIBRATED_L4, PRICE_LIMIT, Section, param


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
        le=PRICE_LIMIT,
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
