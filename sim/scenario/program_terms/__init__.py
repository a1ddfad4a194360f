"""Program terms: how a scenario file describes a loyalty-program design (DOMAIN P1-P12).

A design combines any of the mechanics below; a design with none of them is the natural
baseline (P1). Field names follow the vocabulary of real loyalty engines (earn rule, redemption
catalogue, expiry, qualifying metric, tier review, renewal), so that a planner who has configured
one recognises them. Customers' response to any design (how much they value a reward, how fast
they get used to it) belongs to the market, not to the design, and lives in the scenario's
``program_response`` section (:class:`ProgramResponse`).

This package only describes and validates, one module per mechanic (``points``, ``tiers``,
``discounts``, ``membership``, ``lottery``, ``perks``, ``coalition``, ``referral``,
``revenue_share``, named as the module of ``sim.money.programs`` that does its arithmetic), plus
the design that combines them (``design``) and the customers' response (``response``). The
simulation is in ``sim.money.programs.runtime``.
"""

from sim.scenario.program_terms.coalition import Coalition
from sim.scenario.program_terms.design import (
    FIXED_FIELDS,
    MECHANICS,
    Joining,
    ProgramCosts,
    ProgramDesign,
    TermChange,
)
from sim.scenario.program_terms.discounts import Discount, DiscountLevel
from sim.scenario.program_terms.lottery import Contest, Lottery
from sim.scenario.program_terms.membership import Membership
from sim.scenario.program_terms.perks import Perk
from sim.scenario.program_terms.points import Points, Reward
from sim.scenario.program_terms.referral import Referral
from sim.scenario.program_terms.response import ProgramResponse
from sim.scenario.program_terms.revenue_share import RevenueShare
from sim.scenario.program_terms.tiers import Tier, Tiers

__all__ = [
    "FIXED_FIELDS",
    "MECHANICS",
    "Coalition",
    "Contest",
    "Discount",
    "DiscountLevel",
    "Joining",
    "Lottery",
    "Membership",
    "Perk",
    "Points",
    "ProgramCosts",
    "ProgramDesign",
    "ProgramResponse",
    "Referral",
    "RevenueShare",
    "Reward",
    "TermChange",
    "Tier",
    "Tiers",
]
