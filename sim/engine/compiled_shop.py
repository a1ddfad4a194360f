"""The shop with its purchase opportunities made by the compiled step (``sim.engine.kernel``).

For runs with no program (``sim.engine.kernel``), or a program whose
mechanics the step carries (``sim.engine.program_kernel``): the step does the arithmetic of an
opportunity on the customer and member tables, in machine code compiled from the same pure
rules, and hands back flags and a few numbers; :meth:`CompiledShop.on_opportunity_step` and
:meth:`CompiledShop.on_program_step` do the bookkeeping. Same results as
:class:`sim.engine.shop.Shop` to the last bit (``tests/test_kernel.py``,
``tests/test_program_kernel.py``).
"""

from __future__ import annotations

import math

import numpy as np
from simpy.events import NORMAL

from sim.engine import kernel, program_kernel
from sim.engine.compiled_program import CompiledProgram
from sim.engine.customer import TabledCustomer
from sim.engine.parameters import ShopParameters
from sim.engine.shop import Shop
from sim.engine.streams import STANDARD_NORMAL
from sim.money import ledger
from sim.results.recorder import MOVE_CODE
from sim.rules.ladder import PROSPECT, SHOPPER


class CompiledShop(Shop):
    """:class:`sim.engine.shop.Shop` whose purchase opportunities run as the compiled step."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.wakeups.at_opportunity = [self.on_opportunity_step]
        self.step_constants = step_constants(self.p)
        self._step_out = self.step_constants.data
        self._ladder_codes = tuple(MOVE_CODE[why] for why in kernel.LADDER_REASONS)
        self.books = self.ledger.array

    def on_opportunity_step(self, c: TabledCustomer) -> None:
        """``on_opportunity`` through the compiled step (``sim.engine.kernel``), for runs with
        no program: the step does the arithmetic, this the bookkeeping."""
        now = self.env._now
        t = self.table
        flags = kernel.opportunity_step(
            c.id, now, len(self.campaigns), t.floats, t.ints, self.step_constants, self.books
        )
        self._book(c, now, flags)

    def use_program(self, program: CompiledProgram) -> None:
        """Make purchase opportunities through the program's compiled step
        (``sim.engine.program_kernel``); call before any customer is scheduled."""
        self.program = program
        self.wakeups.at_opportunity = [self.on_program_step]

    def on_program_step(self, c: TabledCustomer) -> None:
        """``on_opportunity`` with a program in place, through ``program_kernel``: the step does
        the arithmetic; what it hands back to Python (an offer, partner points) is done here
        before the step goes on."""
        program = self.program
        now = self.env._now
        t, stream = self.table, program.rng
        stream.prepare()
        flags = program_kernel.program_opportunity_step(
            c.id, now, len(self.campaigns), t.floats, t.ints, self.step_constants, self.books,
            *program.step_arrays(),
        )  # fmt: skip
        if flags & program_kernel.HOUSEKEEPING:
            program.housekeeping(flags)
        while flags & program_kernel.HANDOFF:
            if flags & program_kernel.HANDOFF_PARTNERS:
                program.credit_partner_points(c, now)
            elif flags & program_kernel.HANDOFF_JOIN:
                program.join(c, now)
            else:
                program.offer(c, c.stage if c.stage > PROSPECT else SHOPPER, now)
            stream.prepare()
            flags = program_kernel.program_purchase_step(
                c.id, now, program.state[program_kernel.OUT_BASKET], t.floats, t.ints,
                self.step_constants, self.books, *program.step_arrays(),
            )  # fmt: skip
            if flags & program_kernel.HOUSEKEEPING:
                program.housekeeping(flags)
        if flags & program_kernel.MEMBER_GONE:
            c.member = None
        self._book(c, now, flags)

    def _book(self, c: TabledCustomer, now: float, flags: int) -> None:
        """What the step handed back, booked: a loss, or the sale, the level, the move, the
        voice; then the next opportunity."""
        if flags & kernel.LOST_FLAG:
            self.moves.lose(c, (flags >> kernel.REASON) & 255)
            self.offer_win_back(c)
            return
        if flags & kernel.BOUGHT:  # the step has booked the sale's revenue and cost of goods
            day = int(now)
            self.purchases[day] += 1
            if flags & kernel.RECOVERY_COST:
                self.ledger.post(day, ledger.SERVICE_RECOVERY, -self.p.recovery_cost)
            if flags & kernel.LEVEL_CHANGED:  # the step has set the new level
                self.survey.count_level(
                    ((flags >> kernel.OLD_LEVEL) & 15) - 1, (flags >> kernel.NEW_LEVEL) & 15
                )
            if flags & kernel.MOVED:
                why = self._ladder_codes[(flags >> kernel.WHY) & 15]
                self._move(c, (flags >> kernel.STAGE_TO) & 15, why)
            # survey.set_voice(c, voice, day, day); the step has recorded the new answer.
            voice = (flags >> kernel.VOICE_OUT) & 15
            last = (flags >> kernel.LAST) & kernel.LAST_MASK
            if flags & kernel.VOICE_RENEWED:
                leaving = self.voice_expiry[voice]
                leaving[last] -= 1
                leaving[day + self.p.survey_window] += 1
            else:
                self.survey.count_voice(
                    c, ((flags >> kernel.OLD_VOICE) & 15) - 1, last, voice, day, day
                )
        gap = self._step_out[kernel.OUT_GAP]
        if gap != math.inf:
            c.callbacks = self.wakeups.at_opportunity
            self._schedule(c, NORMAL, gap)


def step_constants(p: ShopParameters) -> np.ndarray:
    """The constants vector of ``sim.engine.kernel.opportunity_step`` for a run's parameters.

    Most parameters are fields of ``p``, its competition section or its promotion rules under
    the same name; the rest are unpacked here.
    """
    unpacked = {
        "drift_waits_for_repeat": 1.0 if p.drift_waits_for_repeat else 0.0,
        "needs_changed_rate": p.life_rates[0],
        "moved_away_rate": p.life_rates[1],
        "went_bankrupt_rate": p.life_rates[2],
        "touched_steady": p.touched[0],
        "touched_rate": p.touched[1],
        "untouched_steady": p.untouched[0],
        "untouched_rate": p.untouched[1],
    }

    def parameter(name: str) -> float:
        if name in unpacked:
            return unpacked[name]
        owner = next(o for o in (p, p.competition, p.rules) if hasattr(o, name))
        return float(getattr(owner, name))

    constants = np.zeros(kernel.CONSTANTS)
    constants[: kernel.STAGE_OFFSET] = [parameter(name) for name in kernel.PARAMETERS]
    stages = constants[kernel.STAGE_OFFSET : kernel.TABLE_OFFSET].reshape(
        len(kernel.STAGE_MULTIPLIERS), kernel.STAGE_COLUMNS
    )
    stages[:] = 1.0
    for row, name in enumerate(kernel.STAGE_MULTIPLIERS):
        multipliers = getattr(p, name)
        stages[row, : len(multipliers)] = multipliers
    constants[kernel.TABLE_OFFSET : kernel.OUT_OFFSET] = [
        *p.basket_quantiles,
        *STANDARD_NORMAL,
    ]
    return constants
