"""What one agent-based run publishes: counts per day, the movement log, daily snapshots.

The engine writes here as events happen, and nothing else: the result tables
(``sim.results.agent_tables``) are built from a finished :class:`Recorder`, never from the
engine's own state. Its vocabularies (how a customer was acquired, why they moved on the
ladder) are defined here, once, for both sides.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from typing import Any

from sim.rules.churn import LOSS_REASONS

CHANNELS: tuple[str, ...] = ("existing", "marketing", "word_of_mouth", "referral")
"""How an agent was acquired; ``existing`` are customers the business had at day 0."""
EXISTING, MARKETING, WORD_OF_MOUTH, REFERRAL = range(len(CHANNELS))

MOVE_REASONS: tuple[str, ...] = (
    "existing_customer",
    "reached",
    "heard_word_of_mouth",
    "first_purchase",
    "repeat_purchase",
    "joined_program",
    "left_program",
    "sustained_promoter",
    "enthusiastic_and_attached",
    "no_longer_promoter",
    "attachment_faded",
    "heard_criticism",
    "won_back",
    "won_back_by_word_of_mouth",
    "borrowed_a_card",
    *(f"lost:{reason}" for reason in LOSS_REASONS),
)
"""Every recorded cause of a movement on the ladder (ARCHITECTURE principle 4)."""
MOVE_CODE = {reason: i for i, reason in enumerate(MOVE_REASONS)}
"""The code of each cause in the movement log."""
LOST_CODE = MOVE_CODE["lost:low_interaction"]
"""Code of the first loss reason; loss reason ``r`` is recorded as ``LOST_CODE + r``."""


class Movements:
    """Compact append-only log of ladder movements: who, when, from, to, why."""

    def __init__(self) -> None:
        self.agent = array("l")
        self.time = array("d")
        self.origin = array("b")
        self.target = array("b")
        self.reason = array("b")

    def record(self, agent: int, time: float, origin: int, target: int, reason: int) -> None:
        self.agent.append(agent)
        self.time.append(time)
        self.origin.append(origin)
        self.target.append(target)
        self.reason.append(reason)


class Recorder:
    """Counts of one run, day by day, and its movement log.

    Every flow is a list with one entry per day of the horizon, incremented as events happen
    (O(1) per event, ARCHITECTURE principle 2); every stock is sampled once a day into
    ``snapshots``. What the run leaves behind is added when it ends (:meth:`finish`).

    Attributes
    ----------
    agents_created, first_purchases, purchases, won_back, won_back_by_word_of_mouth
        People who became agents, first purchases, all purchases, lost customers won back
        (by the business's offer or by word of mouth) and those won back by word of mouth.
    first_purchase_revenue
        Revenue of first purchases (DOMAIN E5: new against existing customers' sales).
    losses
        One list per loss reason of ``sim.rules.churn.LOSS_REASONS`` (DOMAIN L4).
    messages_positive, messages_negative, messages_countered
        Recommendations sent, and negative ones a raving fan answered (DOMAIN W3, W4, L9).
    acquired_by_channel
        First purchases per acquisition channel of :data:`CHANNELS`.
    movements
        Every move on the ladder with its cause (:class:`Movements`).
    snapshots
        One tuple per simulated day: the anonymous pool, the count on each rung and lost, on
        each satisfaction level, in each NPS voice, and the number of agents.
    retention_cohort, retention_cohort_day
        The agents active on ``retention_cohort_day``, whose survival to the end is the run's
        retention rate (DOMAIN E5, M3).
    """

    def __init__(self, horizon: int) -> None:
        h = horizon
        self.agents_created = [0] * h
        self.first_purchases = [0] * h
        self.purchases = [0] * h
        self.won_back = [0] * h
        self.won_back_by_word_of_mouth = [0] * h
        self.first_purchase_revenue = [0.0] * h
        self.losses = [[0] * h for _ in LOSS_REASONS]
        self.messages_positive = [0] * h
        self.messages_negative = [0] * h
        self.messages_countered = [0] * h
        self.acquired_by_channel = [[0] * h for _ in CHANNELS]
        self.movements = Movements()
        self.snapshots: list[tuple] = []
        self.retention_cohort_day = h - min(365, max(1, h // 2))
        self.retention_cohort: list[int] = []
        self.end: RunEnd | None = None

    def finish(self, end: RunEnd) -> None:
        """Publish what the run leaves behind."""
        self.end = end


@dataclass(frozen=True)
class RunEnd:
    """What a finished run leaves behind, beside its daily counts.

    Attributes
    ----------
    scenario, seed
        What was run.
    customers
        Every agent's record, in order of creation (``sim.engine.customer.Customer``: its
        traits and its state at the end).
    ledger
        The run's books (``sim.money.ledger.Ledger``).
    program
        The program in place (``sim.money.programs.runtime.Program``), finished: its members,
        memberships, daily series, stats and liability; None for the natural baseline.
    design
        The design in place (None: no design named, the natural baseline).
    bankrupt_day
        The day cash fell below the credit line, or None.
    """

    scenario: Any
    seed: int
    customers: list
    ledger: Any
    program: Any
    design: Any
    bankrupt_day: int | None
