"""Moves on the ladder: who stands on which rung, every move with its cause, and losses.

Every change of rung goes through :meth:`Moves.move`, which keeps the count on each rung and
records the move and its cause (ARCHITECTURE principle 4); a loss (:meth:`Moves.lose`) is the
move to ``lost`` with one of the domain's reasons (DOMAIN L4).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import simpy

from sim.engine.customer import Customer
from sim.engine.streams import own_exponential
from sim.engine.survey import Survey
from sim.results.recorder import LOST_CODE, Recorder
from sim.rules.churn import WIN_BACK_ELIGIBLE
from sim.rules.ladder import CUSTOMER, LOST, SHOPPER

if TYPE_CHECKING:
    from sim.money.programs.runtime import Program


class Moves:
    """The count of agents on each rung, and the moves between rungs.

    Parameters
    ----------
    env
        The run's clock.
    horizon
        Days of the run: nothing is lost after it.
    survey
        The NPS survey, which a lost customer leaves.
    recorder
        Where moves and losses are published.
    win_back_rate
        Rate per day at which a lost customer is won back (``win_back.rate_per_year`` / 365).
    """

    def __init__(
        self,
        env: simpy.Environment,
        horizon: int,
        survey: Survey,
        recorder: Recorder,
        win_back_rate: float,
    ) -> None:
        self.env = env
        self.horizon = horizon
        self.survey = survey
        self.recorder = recorder
        self.record = recorder.movements.record
        self.win_back_rate = win_back_rate
        self.stage_counts = [0] * (LOST + 1)
        self.program: Program | None = None

    def active(self) -> int:
        """Agents who buy: shoppers to raving fans."""
        counts = self.stage_counts
        return counts[SHOPPER] + counts[CUSTOMER] + counts[4] + counts[5] + counts[6]

    def move(self, c: Customer, stage: int, reason: int) -> None:
        """Move an agent to another stage, keeping counts and the movement log."""
        self.stage_counts[c.stage] -= 1
        self.stage_counts[stage] += 1
        self.record(c.id, self.env.now, c.stage, stage, reason)
        c.stage = stage

    def lose(self, c: Customer, reason: int) -> None:
        """The customer leaves for ``reason`` (DOMAIN L4)."""
        now = self.env.now
        day = int(now)
        if day >= self.horizon:
            return
        self.move(c, LOST, LOST_CODE + reason)
        if c.member is not None:
            self.program.on_lost(c, day)
        self.survey.level_counts[c.level] -= 1
        c.level = -1
        self.survey.set_voice(c, -1, -1, day)
        c.promoter_since = math.nan
        c.heard_positive = c.heard_negative = 0
        c.heard_best = 0.0
        c.lost_time = now
        c.lost_reason = reason
        self.recorder.losses[reason][day] += 1

    def win_back_delay(self, c: Customer) -> float | None:
        """Days until a lost customer is won back, or None if they will not be."""
        rate = self.win_back_rate
        if rate <= 0.0 or c.lost_reason not in WIN_BACK_ELIGIBLE:
            return None
        return own_exponential(c) / rate
