"""The NPS survey and the satisfaction levels: what customers say and feel, counted.

Every buyer answers "how likely are you to recommend us?" (0-10) after each purchase (DOMAIN W1)
and stays in the survey for ``word_of_mouth.survey_window_days``; the survey keeps how many
answer as each voice (promoter, passive, detractor, raving fan), on which day each answer
expires, and who can talk (promoters, fans and detractors send recommendations). It also counts
customers on each satisfaction level (DOMAIN L8). All counts change in O(1) per answer.
"""

from __future__ import annotations

import math

from sim.engine.customer import Customer
from sim.engine.streams import Stream
from sim.rules import wom
from sim.rules.experience import SATISFACTION_LEVELS, satisfaction_level
from sim.rules.wom import TALKS, VOICES


class Survey:
    """Counts of NPS voices and satisfaction levels, and the customers who can talk.

    Parameters
    ----------
    horizon
        Days of the run.
    window
        Days an answer stays in the survey (``word_of_mouth.survey_window_days``).
    relationship_forgiveness, attachment_forgiveness
        How much relationship and attachment soften the answer of a dissatisfied customer
        (``sim.rules.wom.likelihood_to_recommend``).
    """

    def __init__(
        self,
        horizon: int,
        window: int,
        relationship_forgiveness: float,
        attachment_forgiveness: float,
    ) -> None:
        self.window = window
        self.relationship_forgiveness = relationship_forgiveness
        self.attachment_forgiveness = attachment_forgiveness
        self.level_counts = [0] * len(SATISFACTION_LEVELS)
        # Surveyed customers per voice now, and how many leave the survey on each day: a
        # customer who bought on day d is surveyed on days d .. d + window - 1.
        self.voice_counts = [0] * len(VOICES)
        self.voice_expiry = [[0] * (horizon + window + 1) for _ in VOICES]
        # Who can talk, per voice (lists with O(1) removal; customers whose survey answer has
        # expired are dropped lazily when drawn).
        self.talkers: list[list[Customer]] = [[] for _ in VOICES]

    def start_day(self, day: int) -> None:
        """Answers given ``window`` days ago leave the survey."""
        counts = self.voice_counts
        for voice, leaving in enumerate(self.voice_expiry):
            counts[voice] -= leaving[day]

    def surveyed(self, c: Customer, day: int) -> bool:
        """Whether ``c``'s last answer is still in the survey on ``day``."""
        return c.survey_day >= 0 and c.survey_day + self.window > day

    # ------------------------------------------------------------------ satisfaction levels
    def set_level(self, c: Customer) -> None:
        """Count ``c`` on the satisfaction level of their satisfaction now (DOMAIN L8)."""
        level = satisfaction_level(c.satisfaction)
        if level != c.level:
            self.count_level(c.level, level)
            c.level = level

    def count_level(self, old: int, new: int) -> None:
        """Move one customer's count from satisfaction level ``old`` (-1: none) to ``new``."""
        if old >= 0:
            self.level_counts[old] -= 1
        self.level_counts[new] += 1

    # ------------------------------------------------------------------ answers and voices
    def answer(self, c: Customer, now: float) -> tuple[int, float]:
        """The customer's answer to the NPS question now, and their days as a promoter.

        Keeps the start of the customer's unbroken run of promoter answers; the days are 0 for
        an answer below promoter.
        """
        score = wom.likelihood_to_recommend(
            c.satisfaction,
            c.relationship,
            c.attachment,
            self.relationship_forgiveness,
            self.attachment_forgiveness,
        )
        c.score = score
        if score < wom.PROMOTER_MIN_SCORE:
            c.promoter_since = math.nan
            return score, 0.0
        if c.promoter_since != c.promoter_since:  # NaN: the run starts now
            c.promoter_since = now
        return score, now - c.promoter_since

    def set_voice(self, c: Customer, voice: int, survey_day: int, day: int) -> None:
        """Record a survey answer given on ``survey_day`` (``voice`` -1: leave the survey)."""
        window = self.window
        old = c.voice
        if voice == old >= 0 and survey_day == day and c.survey_day + window > day:
            # The common case: a surveyed customer buys again and keeps their voice; only the
            # day they leave the survey moves.
            leaving = self.voice_expiry[voice]
            leaving[c.survey_day + window] -= 1
            leaving[survey_day + window] += 1
            c.survey_day = survey_day
            return
        self.count_voice(c, old, c.survey_day + window, voice, survey_day, day)
        c.voice, c.survey_day = voice, survey_day

    def count_voice(
        self, c: Customer, old: int, old_last: int, voice: int, survey_day: int, day: int
    ) -> None:
        """Move the survey's counts, expiry days and talkers from ``c``'s answer ``old``
        (surveyed until ``old_last``) to ``voice`` given on ``survey_day`` (-1: none)."""
        window = self.window
        if old >= 0 and old_last > day:
            self.voice_counts[old] -= 1
            self.voice_expiry[old][old_last] -= 1
        if c.talk_slot >= 0 and old != voice:
            self.unlist(c, old)
        if voice >= 0 and survey_day + window > day:
            self.voice_counts[voice] += 1
            self.voice_expiry[voice][survey_day + window] += 1
            if TALKS[voice] and c.talk_slot < 0:
                talkers = self.talkers[voice]
                c.talk_slot = len(talkers)
                talkers.append(c)

    # ------------------------------------------------------------------ talkers
    def pick_talker(self, voice: int, day: int, rs: Stream) -> Customer:
        """A random surveyed customer of ``voice``; expired entries are dropped on the way."""
        talkers = self.talkers[voice]
        window = self.window
        while True:
            c = talkers[int(rs.uniform() * len(talkers))]
            if c.survey_day + window > day:
                return c
            self.unlist(c, voice)

    def unlist(self, c: Customer, voice: int) -> None:
        """Remove ``c`` from the talkers of ``voice``."""
        moved = swap_remove(self.talkers[voice], c.talk_slot)
        if moved is not None:
            moved.talk_slot = c.talk_slot
        c.talk_slot = -1


def swap_remove(items: list[Customer], slot: int) -> Customer | None:
    """Remove ``items[slot]`` in O(1) by moving the last item into its place.

    Returns the moved item, whose recorded slot the caller must update (None if the removed
    item was the last one).
    """
    last = items.pop()
    if slot < len(items):
        items[slot] = last
        return last
    return None
