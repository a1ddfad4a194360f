"""How customers respond to any program's rewards: a property of the market, not of a design
(DOMAIN L5, L6)."""

from __future__ import annotations

from sim.scenario.fields import ASSUMPTION, Section, param


class ProgramResponse(Section):
    """How customers respond to program rewards, whatever the design (DOMAIN L5, L6, E6).

    A member sees a **deal**: the share of their spend the program gives back. Immediate
    discounts count fully, delayed rewards (points, prizes, a revenue share) at
    ``delayed_reward_weight``; customers get used to the deal (habituation), so its perceived
    size fades from the day they joined or were last surprised by better terms, towards
    ``habituation_floor``. The perceived deal raises purchase frequency, through a visit
    elasticity several times weaker than a real price cut's, and basket size; light buyers
    respond and heavy buyers hardly change (prior activity, Liu 2007). A member also has a
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
    visit_elasticity: float = param(
        -1.0,
        unit="elasticity",
        source="field studies find free programs change members' visits by about 0-5% "
        "(Leenheer et al. 2007; Meyer-Waarden & Benavent 2009; Nastasoiu et al. 2021: 1.74% of "
        "sales; docs/program-evidence.md); a reward is not felt as a price cut of the same "
        "size; size " + ASSUMPTION,
        description=(
            "Elasticity of a member's purchase frequency to the felt deal: the rate multiplier "
            "is (1 - felt deal)^visit_elasticity."
        ),
        ge=-10,
        le=0,
    )
    activity_half_ratio: float = param(
        0.5,
        unit="purchase-rate ratio",
        source="light and moderate buyers respond, heavy buyers do not change (Liu 2007; Lal & "
        "Bell 2003; Hartmann & Viard 2008); shape " + ASSUMPTION,
        description=(
            "A member's response is weighted by h / (h + own rate / the market's mean rate): "
            "one half for a member who buys this many times as often as the average customer."
        ),
        gt=0,
        le=100,
    )
    visit_lift: float = param(
        0.0,
        unit="share",
        source="planner input: a response stated directly, for example from a pilot; the "
        "break-even search varies it (docs/program-evidence.md)",
        description=(
            "Extra change in every member's purchase rate, on top of the response to the deal: "
            "the rate is multiplied by 1 + visit_lift."
        ),
        ge=-0.9,
        le=10,
    )
    basket_lift: float = param(
        0.0,
        unit="share",
        source="planner input, as visit_lift",
        description="Extra change in every member's basket: multiplied by 1 + basket_lift.",
        ge=-0.9,
        le=10,
    )
    churn_cut: float = param(
        0.0,
        unit="share",
        source="planner input, as visit_lift",
        description=(
            "Extra relative cut in every member's dropout and competitor acceptance: "
            "multiplied by 1 - churn_cut (negative: members leave more)."
        ),
        ge=-10,
        le=1,
    )
    paid_membership_lift: float = param(
        0.15,
        unit="share",
        source="Iyengar, Park & Yu 2022: a subscription program raised members' purchases "
        "largely and lastingly, two thirds of it from membership itself (sunk cost), not its "
        "economic benefits; size " + ASSUMPTION + " within a judged 10-30%",
        description=(
            "A member whose fee is paid up buys 1 + paid_membership_lift times as often "
            "(programs with a membership fee only)."
        ),
        ge=0,
        le=10,
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
        0.1,
        unit="rate change at a full card",
        source="goal gradient: purchases accelerate as a reward nears (Kivetz, Urminsky & "
        "Zheng 2006: the last interval of a cafe card 20% shorter than the first, among "
        "customers who filled it); half of it, since customers who rarely get near a reward "
        "show none (Hartmann & Viard 2008), which puts a stamp card's effect on members "
        "within the 0-5% of docs/program-evidence.md; " + ASSUMPTION,
        description=(
            "Purchase-rate multiplier is 1 + goal_gradient x progress towards the next reward "
            "(0..1); it resets after a redemption (Drèze & Nunes 2011)."
        ),
        ge=0,
        le=5,
    )
    habituation_floor: float = param(
        0.3,
        unit="share of the deal",
        source="DOMAIN L5, E6 (buyers must not get used to the bonus); program effects erode "
        "within 6-9 months of joining (Meyer-Waarden & Benavent 2009); " + ASSUMPTION,
        description="Share of the deal still felt once a member is used to it.",
        ge=0,
        le=1,
    )
    habituation_days: float = param(
        120.0,
        unit="days",
        source="DOMAIN L5 (customers get used to a higher level quickly); Meyer-Waarden & "
        "Benavent 2009 (effects erode in 6-9 months); " + ASSUMPTION,
        description="Time constant of getting used to the deal.",
        gt=0,
    )
    switching_cost_effect: float = param(
        0.25,
        unit="share",
        source="switching costs keep customers (Burnham, Frels & Mahajan 2003); DOMAIN L6; "
        "programs' effect on retention is 'rather small' (Verhoef 2003); " + ASSUMPTION,
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
        le=10_000,
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
