"""Scenario sections of the market and its customers: who can be reached, how they buy."""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from sim.scenario.fields import ASSUMPTION, PRICE_LIMIT, SHAPE_LIMIT, Section, param


class Market(Section):
    """The target market: who could buy, and how marketing reaches them (DOMAIN L1, L3)."""

    size: int = param(
        20_000,
        unit="people",
        source=ASSUMPTION,
        description="People in the target market. All start as anonymous suspects.",
        ge=1,
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
        le=PRICE_LIMIT,
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
        le=SHAPE_LIMIT,
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
        le=SHAPE_LIMIT,
    )
    dropout_b: float = param(
        2.426,
        unit="dimensionless",
        source="Fader, Hardie & Lee (2005) CDNOW: b = 2.426",
        description="Beta b of the individual dropout propensity; mean p = a/(a+b).",
        gt=0,
        le=SHAPE_LIMIT,
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
        le=PRICE_LIMIT,
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
        le=SHAPE_LIMIT,
    )
    share_of_wallet_b: float = param(
        2.0,
        unit="dimensionless",
        source="DOMAIN E4; " + ASSUMPTION,
        description="Beta b of the share of wallet; mean a/(a+b).",
        gt=0,
        le=SHAPE_LIMIT,
    )
