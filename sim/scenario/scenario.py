"""The whole scenario: every section, the program designs, and the checks across sections."""

from __future__ import annotations

import math
from typing import Any

from pydantic import model_validator

from sim.scenario.business import Business
from sim.scenario.competition import Competition, LifeEvents, WinBack
from sim.scenario.experiment import Experiment
from sim.scenario.fields import PEOPLE_LIMIT, Section, param
from sim.scenario.ladder import Ladder
from sim.scenario.market import Customers, Market
from sim.scenario.product import Behaviour, Experience, Product, Relationship
from sim.scenario.program_terms import ProgramDesign, ProgramResponse
from sim.scenario.uncertainty import DEFAULT_UNCERTAINTY, Uncertain
from sim.scenario.word_of_mouth import WordOfMouth

MAX_NETWORK_SIZE = 2_000_000
"""Largest market that can be simulated on an explicit social network (memory and build time)."""


class Scenario(Section):
    """A complete what-if scenario: the business, its market and its customers."""

    name: str = param(
        "unnamed scenario", unit="text", source="planner input", description="Scenario name."
    )
    description: str = param("", unit="text", source="planner input", description="Free text.")
    horizon_days: int = param(
        1095,
        unit="days",
        source="three years, a common planning horizon",
        description="Simulated days.",
        ge=1,
    )
    market: Market = param(Market(), unit="section", source="see fields", description="Market.")
    customers: Customers = param(
        Customers(), unit="section", source="see fields", description="Customers."
    )
    product: Product = param(
        Product(), unit="section", source="see fields", description="Product and service."
    )
    experience: Experience = param(
        Experience(), unit="section", source="see fields", description="Experience."
    )
    relationship: Relationship = param(
        Relationship(), unit="section", source="see fields", description="Relationship."
    )
    behaviour: Behaviour = param(
        Behaviour(), unit="section", source="see fields", description="Behaviour."
    )
    life_events: LifeEvents = param(
        LifeEvents(), unit="section", source="see fields", description="Life events."
    )
    competition: Competition = param(
        Competition(), unit="section", source="see fields", description="Competition."
    )
    win_back: WinBack = param(
        WinBack(), unit="section", source="see fields", description="Winning lost customers back."
    )
    word_of_mouth: WordOfMouth = param(
        WordOfMouth(), unit="section", source="see fields", description="Word of mouth and NPS."
    )
    business: Business = param(
        Business(), unit="section", source="see fields", description="Business."
    )
    ladder: Ladder = param(Ladder(), unit="section", source="see fields", description="Ladder.")
    programs: tuple[ProgramDesign, ...] = param(
        (),
        unit="list",
        source="DOMAIN P1-P12",
        description=(
            "Loyalty-program designs to try. They are alternatives: one run puts one of them in "
            "place (active_program); experiments compare each with the natural baseline."
        ),
    )
    active_program: str | None = param(
        None,
        unit="design name",
        source="planner input",
        description=(
            "The design a run puts in place: a name from programs, or 'none' for the natural "
            "baseline (DOMAIN P1). Default: the first design, or none if there is none."
        ),
    )
    program_response: ProgramResponse = param(
        ProgramResponse(),
        unit="section",
        source="see fields",
        description="How customers respond to program rewards (DOMAIN L5, L6).",
    )
    experiment: Experiment = param(
        Experiment(),
        unit="section",
        source="see fields",
        description="Replications and verdict thresholds of experiments (DOMAIN E6-E8).",
    )
    uncertainty: dict[str, Uncertain] = param(
        DEFAULT_UNCERTAINTY,
        unit="dotted path -> distribution",
        source="the customer-response parameters, over the ranges field studies leave open "
        "(docs/program-evidence.md, section 4)",
        description=(
            "Doubt about inputs: a uniform or triangular distribution for any numeric field. "
            "compare --uncertainty draws one value of each per paired run."
        ),
    )

    @model_validator(mode="after")
    def _check_uncertainty(self) -> Scenario:
        from sim.scenario.overrides import value_at

        for path in self.uncertainty:
            if path.split(".")[0] in ("uncertainty", "experiment", "active_program"):
                raise ValueError(f"uncertainty: {path} cannot be uncertain")
            try:
                current = value_at(self, path)
            except Exception:
                raise ValueError(f"uncertainty: {path} names no field") from None
            if isinstance(current, bool) or not isinstance(current, (int, float)):
                raise ValueError(f"uncertainty: {path} is not a number ({current!r})")
        return self

    @model_validator(mode="after")
    def _check_programs(self) -> Scenario:
        names = [design.name for design in self.programs]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"programs: the name '{name}' is used twice; names must differ")
        if "none" in names:
            raise ValueError("programs: 'none' is reserved for the natural baseline")
        if self.active_program is not None and self.active_program not in (*names, "none"):
            allowed = ", ".join([*names, "none"])
            raise ValueError(
                f"active_program = '{self.active_program}' names no design; allowed: {allowed}"
            )
        if self.programs and self.ladder.mode == "matrix":
            raise ValueError("programs need the agent-based ladder (ladder.mode = agent)")
        for design in self.programs:
            for day in (design.launch_day, design.end_day):
                if day is not None and day >= self.horizon_days:
                    raise ValueError(
                        f"programs.{design.name}: day {day} is past the horizon "
                        f"({self.horizon_days} days)"
                    )
        return self

    def program(self) -> ProgramDesign | None:
        """The design a run puts in place (None: the natural baseline, DOMAIN P1)."""
        name = self.active_program
        if name == "none" or not self.programs:
            return None
        if name is None:
            return self.programs[0]
        return next(design for design in self.programs if design.name == name)

    @model_validator(mode="after")
    def _check_network(self) -> Scenario:
        wom, size = self.word_of_mouth, self.market.size
        if wom.network != "well_mixed":
            if size > MAX_NETWORK_SIZE:
                raise ValueError(
                    f"word_of_mouth.network = {wom.network} needs market.size <= "
                    f"{MAX_NETWORK_SIZE:,} (got {size:,}); use well_mixed for larger markets"
                )
            if wom.contacts_per_person >= size:
                raise ValueError(
                    f"word_of_mouth.contacts_per_person = {wom.contacts_per_person} must be "
                    f"below market.size ({size}) on a network"
                )
        return self

    @model_validator(mode="after")
    def _check_migration_size(self) -> Scenario:
        """Refuse a migration matrix whose customers over the run, on day 0 and entering at
        each later period boundary, exceed :data:`~sim.scenario.fields.PEOPLE_LIMIT` (a run
        keeps one row per customer)."""
        m = self.ladder.migration
        if self.ladder.mode != "matrix" or m is None:
            return self
        later_periods = math.ceil(self.horizon_days / m.period_days) - 1
        initial, entrants = sum(m.initial.values()), sum(m.entrants_per_period.values())
        total = initial + entrants * later_periods
        if total > PEOPLE_LIMIT:
            raise ValueError(
                f"ladder.migration: {total:,} customers over the run ({initial:,} on day 0 and "
                f"{entrants:,} entering at each of {later_periods:,} later periods); at most "
                f"{PEOPLE_LIMIT:,} can be simulated"
            )
        return self

    def value_at(self, path: str) -> Any:
        """The value of the field at a dotted path, as plain data (program designs by name or
        position, as in :meth:`with_overrides`).

        Raises
        ------
        ScenarioError
            If the path names no field.
        """
        from sim.scenario.overrides import value_at

        return value_at(self, path)

    def with_overrides(self, overrides: dict[str, Any]) -> Scenario:
        """A copy of the scenario with dotted-path fields replaced, validated again.

        Parameters
        ----------
        overrides
            ``{"market.size": 50_000, "business.touches_per_month": 0}``. A program design is
            named by its name or its position in ``programs``:
            ``{"programs.stamp card.points.points_per_currency": 0.5}``.

        Raises
        ------
        ScenarioError
            If a path names no field, or a value is not allowed.
        """
        from sim.scenario.overrides import with_overrides

        return with_overrides(self, overrides)
