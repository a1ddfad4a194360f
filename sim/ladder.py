"""The loyalty ladder: its stages, their display names, and the rules that move people on it.

The engine always works on seven canonical *stages* (DOMAIN L1); a scenario chooses how they are
*named* and grouped into rungs (DOMAIN L2), so the same model can speak the vocabulary of the
"ladder of loyalty", Kartajaya's customer cycle or the five-step buyer path.

Every rule here is a pure function of plain numbers: no SimPy, no randomness. The agent calls
them at its own events, so a student can test a rule on paper.
"""

from __future__ import annotations

from dataclasses import dataclass

# Canonical stages, in ladder order (DOMAIN L1). Integers keep per-event work cheap.
SUSPECT, PROSPECT, SHOPPER, CUSTOMER, MEMBER, ADVOCATE, RAVING_FAN, LOST = range(8)

STAGES: tuple[str, ...] = (
    "suspect",
    "prospect",
    "shopper",
    "customer",
    "member",
    "advocate",
    "raving_fan",
)
"""Canonical stage identifiers, lowest first (DOMAIN L1)."""

ALL_STATES: tuple[str, ...] = (*STAGES, "lost")
"""Stages plus the absorbing-until-won-back ``lost`` state."""

BUYING_STAGES = (SHOPPER, CUSTOMER, MEMBER, ADVOCATE, RAVING_FAN)
"""Stages of people who have bought and are still active."""

PRESETS: dict[str, tuple[str, ...]] = {
    # DOMAIN L1: the default seven rungs.
    "loyalty_ladder": (
        "suspect",
        "prospect",
        "shopper",
        "customer",
        "member",
        "advocate",
        "raving fan",
    ),
    # DOMAIN L2: Kartajaya's customer cycle, one name per stage.
    "kartajaya": ("suspect", "prospect", "initial", "repeater", "loyal", "advocate", "partner"),
    # DOMAIN L2: five-step buyer path; suspect and prospect are both potential buyers,
    # member and advocate both loyal buyers.
    "five_step": (
        "potential buyer",
        "potential buyer",
        "buyer",
        "regular customer",
        "loyal buyer",
        "loyal buyer",
        "committed buyer",
    ),
    # DOMAIN L2: three phases over any ladder.
    "three_phases": (
        "pre-sale",
        "pre-sale",
        "acquisition",
        "retained",
        "retained",
        "retained",
        "retained",
    ),
    # DOMAIN L2: three loyalty levels; suspects and prospects keep their own names.
    "three_levels": (
        "suspect",
        "prospect",
        "purchase satisfaction",
        "purchase satisfaction",
        "brand loyalty",
        "brand loyalty",
        "partnership",
    ),
}
"""Ladder presets: the display name of each canonical stage (DOMAIN L1, L2)."""


def rung_names(stage_names: tuple[str, ...]) -> list[str]:
    """Distinct rung names in ladder order (merged stages appear once)."""
    seen: list[str] = []
    for name in stage_names:
        if name not in seen:
            seen.append(name)
    return seen


def slug(name: str) -> str:
    """Column-safe form of a rung name: ``"raving fan"`` -> ``"raving_fan"``."""
    return "".join(ch if ch.isalnum() else "_" for ch in name.lower()).strip("_")


@dataclass(frozen=True, slots=True)
class PromotionRules:
    """Thresholds of the upper-rung rules (see :func:`next_stage`).

    Satisfaction and relationship are on 0..1; tenure in days since the first purchase.
    """

    advocate_min_satisfaction: float
    advocate_min_relationship: float
    advocate_min_tenure_days: float
    fan_min_satisfaction: float
    fan_min_relationship: float
    fan_min_tenure_days: float
    keep_min_satisfaction: float
    keep_min_relationship: float


def next_stage(
    stage: int,
    purchases: int,
    satisfaction: float,
    relationship: float,
    tenure_days: float,
    is_member: bool,
    rules: PromotionRules,
) -> tuple[int, str | None]:
    """Where a buyer stands on the ladder after a purchase, and why they moved.

    Rules (DOMAIN L1, L3; each move is one rung at a time):

    * first purchase -> shopper (``first_purchase``); a repeat purchase -> customer
      (``repeat_purchase``);
    * a customer enrolled in a loyalty program -> member (``joined_program``), the hook that
      program mechanics set through ``is_member``;
    * satisfied, engaged buyers of long enough tenure -> advocate (``satisfied_and_engaged``);
      advocates who exceed the higher thresholds -> raving fan (``delighted_and_close``);
    * an advocate or raving fan whose satisfaction or relationship falls below the keep
      thresholds steps down one rung (``satisfaction_fell`` / ``relationship_fell``), L3;
      a member who leaves the program drops to customer (``left_program``).

    Parameters
    ----------
    stage
        Current canonical stage (``SHOPPER`` .. ``RAVING_FAN``; ``PROSPECT`` before the first
        purchase).
    purchases
        Purchases made so far, including the one just made.
    satisfaction, relationship
        Current levels on 0..1.
    tenure_days
        Days since the first purchase.
    is_member
        Whether the customer is enrolled in a loyalty program.
    rules
        Thresholds.

    Returns
    -------
    tuple
        The new stage and the reason for the move, or ``(stage, None)`` if nothing changed.
    """
    if stage <= PROSPECT:
        return SHOPPER, "first_purchase"
    if stage == SHOPPER:
        return (CUSTOMER, "repeat_purchase") if purchases >= 2 else (SHOPPER, None)
    if stage >= ADVOCATE:
        if satisfaction < rules.keep_min_satisfaction:
            return stage - 1 if stage == RAVING_FAN else _floor(is_member), "satisfaction_fell"
        if relationship < rules.keep_min_relationship:
            return stage - 1 if stage == RAVING_FAN else _floor(is_member), "relationship_fell"
        if (
            stage == ADVOCATE
            and satisfaction >= rules.fan_min_satisfaction
            and relationship >= rules.fan_min_relationship
            and tenure_days >= rules.fan_min_tenure_days
        ):
            return RAVING_FAN, "delighted_and_close"
        return stage, None
    # CUSTOMER or MEMBER
    if stage == MEMBER and not is_member:
        return CUSTOMER, "left_program"
    if stage == CUSTOMER and is_member:
        return MEMBER, "joined_program"
    if (
        satisfaction >= rules.advocate_min_satisfaction
        and relationship >= rules.advocate_min_relationship
        and tenure_days >= rules.advocate_min_tenure_days
    ):
        return ADVOCATE, "satisfied_and_engaged"
    return stage, None


def _floor(is_member: bool) -> int:
    """The rung an advocate falls back to: member if enrolled in a program, else customer."""
    return MEMBER if is_member else CUSTOMER
