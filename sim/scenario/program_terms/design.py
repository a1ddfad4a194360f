"""A loyalty-program design: its mechanics, who joins, what it costs, and changes of terms
over time (DOMAIN P1-P12, and the program lifecycle)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ValidationError, model_validator

from sim.rules.ladder import stage_id
from sim.scenario.fields import ASSUMPTION, Section, describe_error, param
from sim.scenario.program_terms.coalition import Coalition
from sim.scenario.program_terms.discounts import Discount
from sim.scenario.program_terms.lottery import Lottery
from sim.scenario.program_terms.membership import Membership
from sim.scenario.program_terms.perks import Perk
from sim.scenario.program_terms.points import Points
from sim.scenario.program_terms.referral import Referral
from sim.scenario.program_terms.revenue_share import RevenueShare
from sim.scenario.program_terms.tiers import Tiers


class Joining(Section):
    """Who joins a program and when (DOMAIN P, L1: members are customers who joined)."""

    mode: Literal["automatic", "opt_in", "fee_decision", "invitation"] = param(
        "opt_in",
        unit="choice",
        source="DOMAIN P (program lifecycle); P6 (paid), P10 (closed access)",
        description=(
            "automatic: every eligible buyer is enrolled; opt_in: an eligible non-member joins "
            "with opt_in_probability at each purchase; fee_decision: weighs the membership fee "
            "against the expected benefit; invitation: opt-in, offered only to customers "
            "reaching min_spend, up to capacity (exclusive club, P10)."
        ),
    )
    opt_in_probability: float = param(
        0.3,
        unit="probability per purchase",
        source=ASSUMPTION,
        description="Chance that an eligible non-member joins when offered at a purchase.",
        ge=0,
        le=1,
    )
    reoffer_after_days: float = param(
        90.0,
        unit="days",
        source=ASSUMPTION,
        description="After declining, a customer is not offered the program again for this long.",
        ge=0,
    )
    min_stage: Annotated[
        Literal["shopper", "customer", "advocate", "raving_fan"], BeforeValidator(stage_id)
    ] = param(
        "shopper",
        unit="rung",
        source="DOMAIN L1",
        description="Lowest rung at which the program is offered ('raving fan' also accepted).",
    )
    min_spend: float = param(
        0.0,
        unit="currency",
        source="DOMAIN P10 (closed access); planner input",
        description="Spend with the business needed to be offered the program.",
        ge=0,
    )
    capacity: int | None = param(
        None,
        unit="members",
        source="DOMAIN P10 (exclusive club)",
        description="Most members at a time (none: no limit).",
        ge=1,
    )
    attachment_on_join: float = param(
        0.0,
        unit="0..1 scale",
        source="DOMAIN P10, L6 (exclusivity is felt, not priced); " + ASSUMPTION,
        description="Rise in emotional attachment when a customer joins.",
        ge=0,
        le=1,
    )


class ProgramCosts(Section):
    """What running the program costs, apart from its rewards (DOMAIN E7)."""

    setup_cost: float = param(
        0.0,
        unit="currency",
        source="planner input",
        description="One-off cost on the launch day (software, cards, training).",
        ge=0,
    )
    running_cost_per_month: float = param(
        0.0,
        unit="currency per month",
        source="planner input",
        description="Platform and staff cost while the program runs.",
        ge=0,
    )
    cost_per_member_per_year: float = param(
        0.0,
        unit="currency per member per year",
        source="planner input",
        description="Cards, statements and messages per member.",
        ge=0,
    )


class TermChange(Section):
    """New terms from a day on: a cut, a richer reward, a new tier (DOMAIN L5, L6)."""

    day: int = param(..., unit="day", source="planner input", description="First day.", ge=0)
    set: dict[str, Any] = param(
        ...,
        unit="dotted path -> value",
        source="planner input",
        description=(
            "Fields of the design to replace, by dotted path within the design "
            "(e.g. points.points_per_currency: 0.5)."
        ),
    )


MECHANICS: tuple[str, ...] = (
    "points",
    "tiers",
    "discount",
    "membership",
    "lottery",
    "perks",
    "coalition",
    "referral",
    "revenue_share",
)
"""The mechanic sections of a design, in the order they act at a purchase."""


FIXED_FIELDS: tuple[str, ...] = ("name", "description", "launch_day", "end_day", "term_changes")
"""Fields of a design that a term change cannot set."""


class ProgramDesign(Section):
    """One loyalty-program design: its mechanics, who joins, its costs and its dates.

    A design with no mechanics is the natural baseline (DOMAIN P1): quality and brand do the
    work.
    """

    name: str = param(
        ..., unit="text", source="planner input", description="Design name.", min_length=1
    )
    description: str = param("", unit="text", source="planner input", description="Free text.")
    launch_day: int = param(
        0, unit="day", source="planner input", description="Day the program starts.", ge=0
    )
    end_day: int | None = param(
        None,
        unit="day",
        source="planner input",
        description="Day the program ends (none: runs to the horizon).",
        ge=1,
    )
    joining: Joining = param(
        Joining(), unit="section", source="see fields", description="Who joins and when."
    )
    costs: ProgramCosts = param(
        ProgramCosts(), unit="section", source="see fields", description="Running costs."
    )
    points: Points | None = param(
        None, unit="section", source="DOMAIN P2", description="Cumulative points."
    )
    tiers: Tiers | None = param(None, unit="section", source="DOMAIN P3", description="Tiers.")
    discount: Discount | None = param(
        None, unit="section", source="DOMAIN P4, P5", description="Discount card."
    )
    membership: Membership | None = param(
        None, unit="section", source="DOMAIN P6", description="Paid membership."
    )
    lottery: Lottery | None = param(
        None, unit="section", source="DOMAIN P7", description="Instant win and contests."
    )
    perks: tuple[Perk, ...] = param(
        (), unit="list", source="DOMAIN P8", description="Intangible and service rewards."
    )
    coalition: Coalition | None = param(
        None, unit="section", source="DOMAIN P9", description="Partner points."
    )
    referral: Referral | None = param(
        None, unit="section", source="DOMAIN P12, W9", description="Referral rewards."
    )
    revenue_share: RevenueShare | None = param(
        None, unit="section", source="DOMAIN P11", description="Revenue sharing."
    )
    term_changes: tuple[TermChange, ...] = param(
        (), unit="list", source="planner input", description="Changes of terms on dates."
    )

    @model_validator(mode="after")
    def _consistent(self) -> ProgramDesign:
        if self.end_day is not None and self.end_day <= self.launch_day:
            raise ValueError(
                f"end_day = {self.end_day} must be after launch_day = {self.launch_day}"
            )
        if self.coalition is not None and self.points is None:
            raise ValueError("coalition needs a points section: partners issue points")
        if self.tiers is not None and self.tiers.metric == "points" and self.points is None:
            raise ValueError("tiers.metric = points needs a points section")
        if self.joining.mode == "fee_decision" and self.membership is None:
            raise ValueError("joining.mode = fee_decision needs a membership section (the fee)")
        if self.membership is not None and self.joining.mode not in (
            "fee_decision",
            "invitation",
        ):
            raise ValueError(
                "a paid membership is joined by deciding on the fee: set joining.mode to "
                "fee_decision (or invitation, for an exclusive club)"
            )
        for change in self.term_changes:
            for path in change.set:
                if path.split(".")[0] in FIXED_FIELDS:
                    raise ValueError(
                        f"term_changes (day {change.day}): {path} cannot change by a term "
                        f"change (fixed: {', '.join(FIXED_FIELDS)})"
                    )
                if path.startswith(
                    ("points.expected_redemption_rate", "points.stated_redemption_rates")
                ):
                    raise ValueError(
                        f"term_changes (day {change.day}): {path} is an accounting estimate, "
                        "not a term; the program re-estimates it from experience, or follows "
                        "points.stated_redemption_rates"
                    )
        days = [change.day for change in self.term_changes]
        if days != sorted(days) or len(set(days)) != len(days):
            raise ValueError("term_changes: days must be distinct and in increasing order")
        last = self.end_day if self.end_day is not None else float("inf")
        for day in days:
            if not self.launch_day < day < last:
                raise ValueError(
                    f"term_changes: day {day} must fall after launch_day ({self.launch_day})"
                    + (f" and before end_day ({self.end_day})" if self.end_day is not None else "")
                )
        current = self
        for change in self.term_changes:
            try:
                current = current.terms_on(change)
            except ValidationError as exc:
                problem = describe_error(exc.errors()[0])
                raise ValueError(f"term_changes (day {change.day}): {problem}") from None
        return self

    def has_mechanics(self) -> bool:
        """Whether the design has any mechanic."""
        return any(getattr(self, name) for name in MECHANICS)

    def is_natural(self) -> bool:
        """Whether the design is the natural baseline (DOMAIN P1): no mechanics, no costs, and
        nothing felt on joining. A design with only ``joining.attachment_on_join`` is a club
        whose reward is belonging (P10) and runs as a program."""
        costs = self.costs
        return not (
            self.has_mechanics()
            or costs.setup_cost
            or costs.running_cost_per_month
            or costs.cost_per_member_per_year
            or self.joining.attachment_on_join
        )

    def terms_on(self, change: TermChange) -> ProgramDesign:
        """The design with one term change applied (validated again)."""
        data = self.model_dump()
        for path, value in change.set.items():
            parts = path.split(".")
            node = data
            for part in parts[:-1]:
                if not isinstance(node, dict) or part not in node:
                    raise ValueError(f"term_changes (day {change.day}): no field '{path}'")
                if node[part] is None:
                    node[part] = {}
                node = node[part]
            if not isinstance(node, dict) or (parts[-1] not in node and node is data):
                raise ValueError(f"term_changes (day {change.day}): no field '{path}'")
            node[parts[-1]] = value
        data["term_changes"] = ()
        return ProgramDesign.model_validate(data)

    def schedule(self) -> list[tuple[int, ProgramDesign]]:
        """The terms in force from each change day on, starting with the launch terms."""
        terms = [(self.launch_day, self.model_copy(update={"term_changes": ()}))]
        current = terms[0][1]
        for change in self.term_changes:
            current = current.terms_on(change)
            terms.append((change.day, current))
        return terms
