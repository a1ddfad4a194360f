"""The loyalty ladder: its stages, their display names, and the rules that move people on it.

The engine always works on seven canonical *stages* (DOMAIN L1); a scenario chooses how they are
*named* and grouped into rungs (DOMAIN L2), so the same model can speak the vocabulary of the
"ladder of loyalty", Kartajaya's customer cycle or the five-step buyer path.

Every rule here is a pure function of plain numbers: no SimPy, no randomness. The agent calls
them at its own events, so a student can test a rule on paper.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.rules.wom import PROMOTER_MIN_SCORE

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


def stage_id(name: object) -> object:
    """A canonical stage written either way: ``"raving fan"`` or ``"Raving fan"`` ->
    ``"raving_fan"``.

    Stages have identifiers (``raving_fan``, used in scenario keys and table columns) and
    display names (``raving fan`` on the default ladder, used in output). Wherever a scenario
    names a canonical stage it may write either; anything that is not text, or not a stage, is
    returned unchanged for the validator to refuse.
    """
    if isinstance(name, str) and slug(name) in STAGES:
        return slug(name)
    return name


@dataclass(frozen=True, slots=True)
class PromotionRules:
    """Thresholds of the upper-rung rules (see :func:`next_stage`).

    Days are days of being a promoter without a break; the score is the likelihood to recommend
    on 0..10 (DOMAIN W1); attachment is emotional attachment on 0..1 (DOMAIN L6).
    """

    advocate_min_promoter_days: float
    fan_min_promoter_days: float
    fan_min_score: int
    fan_min_attachment: float


def next_stage(
    stage: int,
    purchases: int,
    score: int,
    promoter_days: float,
    attachment: float,
    is_member: bool,
    rules: PromotionRules,
) -> tuple[int, str | None]:
    """Where a buyer stands on the ladder after a purchase, and why they moved.

    Rules (DOMAIN L1, L3, W1):

    * first purchase -> shopper (``first_purchase``); a repeat purchase -> customer, or member
      if the shopper already joined a loyalty program (``repeat_purchase``);
    * a customer enrolled in a loyalty program -> member (``joined_program``), the hook that
      program mechanics set through ``is_member``; a member who leaves -> customer
      (``left_program``);
    * above that the ladder follows word of mouth, see :func:`upper_rung`.

    Parameters
    ----------
    stage
        Current canonical stage (``SHOPPER`` .. ``RAVING_FAN``; ``PROSPECT`` before the first
        purchase).
    purchases
        Purchases made so far, including the one just made.
    score
        Likelihood to recommend, 0..10, after this purchase.
    promoter_days
        Days the customer has been a promoter without a break (0 if they just became one;
        ignored when ``score`` is below 9).
    attachment
        Emotional attachment on 0..1.
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
        if purchases < 2:
            return SHOPPER, None
        return (MEMBER if is_member else CUSTOMER), "repeat_purchase"
    if stage == MEMBER and not is_member:
        return CUSTOMER, "left_program"
    if stage == CUSTOMER and is_member:
        return MEMBER, "joined_program"
    return upper_rung(stage, score, promoter_days, attachment, is_member, rules)


def upper_rung(
    stage: int,
    score: int,
    promoter_days: float,
    attachment: float,
    is_member: bool,
    rules: PromotionRules,
) -> tuple[int, str | None]:
    """The word-of-mouth rungs: advocate and raving fan (DOMAIN L1, W1, L6).

    * A customer or member who has been a promoter (score 9-10) for
      ``advocate_min_promoter_days`` without a break -> advocate (``sustained_promoter``): they
      recommend when asked.
    * An advocate who gives the top score ``fan_min_score``, is emotionally attached at least
      ``fan_min_attachment`` and has been a promoter for ``fan_min_promoter_days`` -> raving fan
      (``enthusiastic_and_attached``): they recommend unprompted and defend the brand.
    * An advocate or raving fan who is no longer a promoter falls back to customer, or member if
      enrolled (``no_longer_promoter``); a raving fan whose attachment falls below
      ``fan_min_attachment`` steps down to advocate (``attachment_faded``). A fan who scores 9
      instead of 10 stays a fan: the top score is needed to enter, not to stay, so one
      ordinary visit does not flip the rung back and forth.

    Parameters
    ----------
    stage
        ``CUSTOMER`` .. ``RAVING_FAN``.
    score, promoter_days, attachment, is_member, rules
        As in :func:`next_stage`.

    Returns
    -------
    tuple
        The new stage and the reason, or ``(stage, None)``.
    """
    promoter = score >= PROMOTER_MIN_SCORE
    if stage >= ADVOCATE:
        if not promoter:
            return _floor(is_member), "no_longer_promoter"
        if stage == RAVING_FAN:
            if attachment < rules.fan_min_attachment:
                return ADVOCATE, "attachment_faded"
            return stage, None
        if (
            score >= rules.fan_min_score
            and attachment >= rules.fan_min_attachment
            and promoter_days >= rules.fan_min_promoter_days
        ):
            return RAVING_FAN, "enthusiastic_and_attached"
        return stage, None
    if promoter and promoter_days >= rules.advocate_min_promoter_days:
        return ADVOCATE, "sustained_promoter"
    return stage, None


def _floor(is_member: bool) -> int:
    """The rung an advocate falls back to: member if enrolled in a program, else customer."""
    return MEMBER if is_member else CUSTOMER
