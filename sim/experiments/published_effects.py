"""What published studies found programs of each kind do to their members: the yardstick a
break-even response is read against (docs/program-evidence.md, section 4).

Each range is the page's reading of the evidence, on members' buying once self-selection is
controlled: free programs change visits by about 0-5% (Leenheer et al. 2007; Meyer-Waarden &
Benavent 2009; Nastasoiu et al. 2021: 1.74% of sales incentive-driven; Liu 2007), coalitions
by 0-2% (Sharp & Sharp 1997), paid memberships by 10-30% (Iyengar, Park & Yu 2022); a relative
cut in churn of 0-10% (Verhoef 2003: "rather small"). Perks, revenue shares and referral
rewards have no causal figure for members' own buying, so they give no range.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PublishedEffect:
    """Published effect of one kind of program on its members, as relative changes.

    Attributes
    ----------
    visits, basket, churn_cut
        Low and high ends of the change in members' visits, in their basket, and the relative
        cut in their churn.
    source
        Who found it (the studies are described in docs/program-evidence.md).
    """

    visits: tuple[float, float]
    basket: tuple[float, float]
    churn_cut: tuple[float, float]
    source: str


FREE = "Leenheer et al. 2007; Meyer-Waarden & Benavent 2009; Liu 2007; Verhoef 2003"

PUBLISHED_EFFECTS: dict[str, PublishedEffect] = {
    "points": PublishedEffect(
        (0.0, 0.05), (0.0, 0.05), (0.0, 0.10), f"{FREE}; Nastasoiu et al. 2021; Kivetz et al. 2006"
    ),
    "discount": PublishedEffect(
        (0.0, 0.05), (0.0, 0.05), (0.0, 0.10), f"{FREE}; Leenheer et al. 2002"
    ),
    "tiers": PublishedEffect((0.0, 0.05), (0.0, 0.05), (0.0, 0.10), f"{FREE}; Kopalle et al. 2012"),
    "lottery": PublishedEffect(
        (0.0, 0.05), (0.0, 0.05), (0.0, 0.10), f"{FREE}; the lottery field experiment of 2025"
    ),
    "coalition": PublishedEffect(
        (0.0, 0.02), (0.0, 0.02), (0.0, 0.10), "Sharp & Sharp 1997; Nastasoiu et al. 2021"
    ),
    "membership": PublishedEffect(
        (0.10, 0.30), (-0.10, 0.0), (0.0, 0.10), "Iyengar, Park & Yu 2022; Verhoef 2003"
    ),
}
"""Published effect per mechanic (``sim.scenario.program_terms.design.MECHANICS``); mechanics
without a causal figure (perks, revenue share, referral) are absent."""


def published_effect(mechanics: list[str]) -> PublishedEffect | None:
    """The published effect of a design with these mechanics: that of the mechanic with the
    largest published visit effect (a paid membership outweighs its points), or None when no
    mechanic of the design has one."""
    known = [PUBLISHED_EFFECTS[m] for m in mechanics if m in PUBLISHED_EFFECTS]
    if not known:
        return None
    return max(known, key=lambda e: e.visits[1])
