"""The scenario's ladder section: rungs, their multipliers, promotion thresholds and the
migration-matrix mode (DOMAIN L1, L2)."""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from sim.rules.ladder import PRESETS, STAGES, rung_names, slug, stage_id
from sim.scenario.fields import (
    ASSUMPTION,
    MULTIPLIER_LIMIT,
    PEOPLE_LIMIT,
    PRICE_LIMIT,
    Section,
    param,
)


class PromotionThresholds(Section):
    """Thresholds of the word-of-mouth rungs (see ``sim.rules.ladder.upper_rung``; DOMAIN L1, W1,
    L6)."""

    advocate_min_promoter_days: float = param(
        90.0,
        unit="days",
        source="DOMAIN L1 (an advocate recommends when asked), W1; " + ASSUMPTION,
        description="Days as a promoter, without a break, before a customer becomes an advocate.",
        ge=0,
    )
    fan_min_promoter_days: float = param(
        180.0,
        unit="days",
        source="DOMAIN L1; " + ASSUMPTION,
        description="Days as a promoter, without a break, before an advocate becomes a raving fan.",
        ge=0,
    )
    fan_min_score: int = param(
        10,
        unit="score 0..10",
        source="DOMAIN L1 (a raving fan recommends unprompted, everywhere), W1",
        description="Likelihood-to-recommend score an advocate needs to become a raving fan.",
        ge=9,
        le=10,
    )
    fan_min_attachment: float = param(
        0.5,
        unit="0..1 scale",
        source="DOMAIN L6 (emotional loyalty); " + ASSUMPTION,
        description="Emotional attachment a raving fan needs to become and stay one.",
        ge=0,
        le=1,
    )


def _stage_defaults(values: tuple[float, ...]) -> dict[str, float]:
    return dict(zip(STAGES[2:], values, strict=True))


class Migration(Section):
    """Explicit per-period migration matrix (for analysts with one from their CRM).

    States are the ladder's rung names plus ``lost`` (absorbing). Customers move at period
    boundaries; each earns its rung's contribution at the start of every period.
    """

    period_days: float = param(
        30.0,
        unit="days",
        source="planner input",
        description="Length of one period.",
        ge=1,
    )
    matrix: dict[str, dict[str, float]] = param(
        ...,
        unit="probability per period",
        source="planner input (e.g. estimated from CRM data)",
        description="Row = from-state, column = to-state; each row sums to 1; lost is absorbing.",
    )
    contribution: dict[str, Annotated[float, Field(ge=-PRICE_LIMIT, le=PRICE_LIMIT)]] = param(
        ...,
        unit="currency per customer per period",
        source="planner input",
        description="Contribution margin earned by one customer in each state per period.",
    )
    initial: dict[str, Annotated[int, Field(le=PEOPLE_LIMIT)]] = param(
        ...,
        unit="customers",
        source="planner input",
        description="Customers in each state at day 0.",
    )
    entrants_per_period: dict[str, Annotated[int, Field(le=PEOPLE_LIMIT)]] = param(
        {},
        unit="customers per period",
        source="planner input",
        description="New customers entering each state at each period boundary.",
    )


class Ladder(Section):
    """The ladder's names, per-rung effects, promotion rules and mode (DOMAIN L1, L2, E2)."""

    preset: Literal["loyalty_ladder", "kartajaya", "five_step", "three_phases", "three_levels"] = (
        param(
            "loyalty_ladder",
            unit="choice",
            source="DOMAIN L1 (default) and L2 (alternatives)",
            description="Which ladder vocabulary names the stages.",
        )
    )
    names: dict[str, str] = param(
        {},
        unit="stage -> name",
        source="planner input",
        description=(
            f"Rename canonical stages ({', '.join(STAGES)}; 'raving fan' also accepted) "
            "for reports."
        ),
    )
    spend_multiplier: dict[str, float] = param(
        _stage_defaults((1.0, 1.5, 1.5, 1.6, 1.7)),
        unit="multiplier on basket value",
        source="DOMAIN E2: regular customers spend 50%+ more per visit than new ones",
        description="Basket multiplier per rung (keys: rung names or canonical stages).",
    )
    frequency_multiplier: dict[str, float] = param(
        _stage_defaults((1.0, 1.0, 1.0, 1.2, 1.3)),
        unit="multiplier on purchase rate",
        source="DOMAIN L9 (loyal customers buy more than others); " + ASSUMPTION,
        description=(
            "Purchase-rate multiplier per rung."
            " The member rung defaults to the customer's: a program's effect comes from its"
            " mechanics (sim.money.programs), not from the badge."
        ),
    )
    dropout_multiplier: dict[str, float] = param(
        _stage_defaults((1.5, 1.0, 1.0, 0.6, 0.4)),
        unit="multiplier on dropout",
        source="DOMAIN L1 (shoppers may buy once out of curiosity), L9; " + ASSUMPTION,
        description=(
            "Dropout multiplier per rung."
            " The member rung defaults to the customer's: a program's effect comes from its"
            " mechanics (sim.money.programs), not from the badge."
        ),
    )
    competitor_acceptance_multiplier: dict[str, float] = param(
        _stage_defaults((1.0, 0.8, 0.8, 0.4, 0.1)),
        unit="multiplier on acceptance",
        source="DOMAIN L9: loyal customers do not react to competitor promotions",
        description=(
            "Competitor-offer acceptance multiplier per rung."
            " The member rung defaults to the customer's: a program's effect comes from its"
            " mechanics (sim.money.programs), not from the badge."
        ),
    )
    promotion: PromotionThresholds = param(
        PromotionThresholds(),
        unit="section",
        source="see fields",
        description="Thresholds of the upper-rung rules.",
    )
    mode: Literal["agent", "matrix"] = param(
        "agent",
        unit="choice",
        source="agent-based by default; matrix mode after Pfeifer & Carraway (2000)",
        description="Agent-based dynamics, or an explicit migration matrix.",
    )
    migration: Migration | None = param(
        None, unit="section", source="planner input", description="Required when mode = matrix."
    )

    def stage_names(self) -> tuple[str, ...]:
        """Display name of each canonical stage, after the preset and renames."""
        names = list(PRESETS[self.preset])
        for stage, name in self.names.items():
            names[STAGES.index(stage)] = name
        return tuple(names)

    def rungs(self) -> list[str]:
        """Distinct rung names in ladder order."""
        return rung_names(self.stage_names())

    def per_stage(self, field: str) -> tuple[float, ...]:
        """A per-rung multiplier resolved to one value per canonical stage (1.0 if unset)."""
        table: dict[str, float] = getattr(self, field)
        names = self.stage_names()
        out = []
        for i, stage in enumerate(STAGES):
            if stage in table:
                out.append(table[stage])
            elif names[i] in table:
                out.append(table[names[i]])
            else:
                out.append(1.0)
        return tuple(out)

    @field_validator(
        "names",
        "spend_multiplier",
        "frequency_multiplier",
        "dropout_multiplier",
        "competitor_acceptance_multiplier",
        mode="before",
    )
    @classmethod
    def _stage_ids(cls, table: object) -> object:
        """Keys that name a canonical stage in either spelling become its identifier."""
        if isinstance(table, dict):
            return {stage_id(key): value for key, value in table.items()}
        return table

    @model_validator(mode="after")
    def _check(self) -> Ladder:
        for stage in self.names:
            if stage not in STAGES:
                raise ValueError(f"names: unknown stage '{stage}'; allowed: {', '.join(STAGES)}")
        names = self.stage_names()
        columns: dict[str, str] = {}
        for rung in rung_names(names):
            column = slug(rung)
            if not column or column == "lost":
                raise ValueError(
                    f"names: rung name {rung!r} cannot name a table column (n_{column}); give it "
                    "letters or digits, and not the name 'lost', which the lost customers have"
                )
            if column in columns:
                raise ValueError(
                    f"names: rungs {columns[column]!r} and {rung!r} would share the table "
                    f"column n_{column}; give them names that differ in letters or digits"
                )
            columns[column] = rung
        allowed = set(STAGES) | set(names)
        for field in (
            "spend_multiplier",
            "frequency_multiplier",
            "dropout_multiplier",
            "competitor_acceptance_multiplier",
        ):
            for key, value in getattr(self, field).items():
                if key not in allowed:
                    raise ValueError(
                        f"{field}: unknown rung '{key}'; allowed: {', '.join(sorted(allowed))}"
                    )
                if not (0 <= value <= MULTIPLIER_LIMIT):
                    raise ValueError(
                        f"{field}.{key} = {value}; allowed range 0..{MULTIPLIER_LIMIT:g}"
                    )
        if self.mode == "matrix":
            if self.migration is None:
                raise ValueError("mode 'matrix' needs a 'migration' section")
            _check_migration(self.migration, rung_names(names))
        return self


def _check_migration(m: Migration, rungs: list[str]) -> None:
    states = [*rungs, "lost"]
    for origin, row in m.matrix.items():
        if origin not in states:
            raise ValueError(f"migration.matrix: unknown state '{origin}'; allowed: {states}")
        for target, p in row.items():
            if target not in states:
                raise ValueError(
                    f"migration.matrix.{origin}: unknown state '{target}'; allowed: {states}"
                )
            if not (0 <= p <= 1):
                raise ValueError(f"migration.matrix.{origin}.{target} = {p}; allowed 0..1")
        total = sum(row.values())
        if not math.isclose(total, 1.0, abs_tol=1e-9):
            raise ValueError(f"migration.matrix.{origin}: row sums to {total}, must sum to 1")
    lost_row = m.matrix.get("lost", {"lost": 1.0})
    if not math.isclose(lost_row.get("lost", 0.0), 1.0):
        raise ValueError("migration.matrix.lost: lost must be absorbing (lost -> lost = 1)")
    for table_name in ("contribution", "initial", "entrants_per_period"):
        for state in getattr(m, table_name):
            if state not in states:
                raise ValueError(f"migration.{table_name}: unknown state '{state}'")
    for state, count in {**m.initial, **m.entrants_per_period}.items():
        if count < 0:
            raise ValueError(f"migration: negative customer count for '{state}'")
        if count > 0 and state not in m.matrix and state != "lost":
            raise ValueError(f"migration.matrix has no row for '{state}', which has customers")
