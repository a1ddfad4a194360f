"""Referral rewards and card lending (DOMAIN P12, W9).

A member who brings a friend is rewarded, the friend too, or both; the rewards are paid when the
friend makes a first purchase or joins the program. The reward prompts members to recommend:
members who are promoters or passives send extra positive recommendations (detractors do not
refer, whatever the reward), and members may lend their card to someone who then buys (W9).
"""

from __future__ import annotations

from sim.rules.wom import VOICE_FAN, VOICE_PASSIVE, VOICE_PROMOTER

REFERRING_VOICES = frozenset((VOICE_PROMOTER, VOICE_FAN, VOICE_PASSIVE))
"""Voices of members who refer for a reward: promoters, raving fans and passives."""


def refers(voice: int) -> bool:
    """Whether a member with this survey voice refers a friend when prompted by the reward."""
    return voice in REFERRING_VOICES


def referral_cost(referrer_reward_cost: float, referred_reward_cost: float) -> float:
    """What one successful referral costs the business: both rewards."""
    return referrer_reward_cost + referred_reward_cost
