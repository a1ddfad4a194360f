"""Parameter uncertainty: a distribution for any numeric field, drawn once per paired run when
an experiment is asked to weigh the doubt about the inputs as well as the simulation's noise.

The defaults are the customer-response parameters, whose values field studies bound only
loosely (docs/program-evidence.md): each range runs from "no response" to about the largest
effect a free program was found to have.
"""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from sim.scenario.fields import Section, param


class Uncertain(Section):
    """The distribution of one field's value (uniform or triangular: bounded, as a planner's
    range is).

    ``uniform`` draws evenly between ``low`` and ``high``; ``triangular`` is most likely at
    ``mode`` and falls linearly to ``low`` and ``high`` (the three-point estimate of project
    risk analysis). By default the section holds six customer-response parameters, over the
    ranges field studies leave open; docs/experiments.md, section 3, lists them and their
    sources.
    """

    distribution: Literal["uniform", "triangular"] = param(
        "uniform", unit="choice", source="planner input", description="Shape of the doubt."
    )
    low: float = param(0.0, unit="field's unit", source="planner input", description="Lowest.")
    high: float = param(1.0, unit="field's unit", source="planner input", description="Highest.")
    mode: float | None = param(
        None,
        unit="field's unit",
        source="planner input",
        description="Most likely value (triangular only; default: the middle).",
    )

    @model_validator(mode="after")
    def _check_range(self) -> Uncertain:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        if self.mode is not None:
            if self.distribution != "triangular":
                raise ValueError("mode is for the triangular distribution only")
            if not self.low <= self.mode <= self.high:
                raise ValueError(f"mode ({self.mode}) must lie in [{self.low}, {self.high}]")
        return self

    def quantile(self, u: float) -> float:
        """The value at cumulative probability ``u`` in [0, 1) (inverse transform)."""
        a, b = self.low, self.high
        if self.distribution == "uniform":
            return a + u * (b - a)
        c = (a + b) / 2 if self.mode is None else self.mode
        split = (c - a) / (b - a)
        if u < split:
            return a + ((b - a) * (c - a) * u) ** 0.5
        return b - ((b - a) * (b - c) * (1.0 - u)) ** 0.5


def _range(low: float, high: float, mode: float | None = None) -> Uncertain:
    return Uncertain(
        distribution="uniform" if mode is None else "triangular", low=low, high=high, mode=mode
    )


DEFAULT_UNCERTAINTY: dict[str, Uncertain] = {
    # From no response (Leenheer et al. 2007: small; Meyer-Waarden & Benavent 2009: "very
    # small") to a reward felt like a price cut (Tellis 1988: -1.76), most likely the default.
    "program_response.visit_elasticity": _range(-2.0, 0.0, -1.0),
    # Light buyers respond, heavy ones do not (Liu 2007); how sharply is unknown.
    "program_response.activity_half_ratio": _range(0.25, 1.0),
    # Up to the 20% acceleration within a card of Kivetz, Urminsky & Zheng (2006), or none
    # (Hartmann & Viard 2008).
    "program_response.goal_gradient": _range(0.0, 0.4),
    # Effects erode within 6-9 months (Meyer-Waarden & Benavent 2009), light buyers keep part
    # (Liu 2007).
    "program_response.habituation_floor": _range(0.1, 0.5),
    # Retention effects are "rather small" (Verhoef 2003): a churn cut of 0-10%.
    "program_response.switching_cost_effect": _range(0.0, 0.5),
    # Basket +0-5% (Liu 2007; Voorhees et al. 2014: +1-5%).
    "program_response.basket_sensitivity": _range(0.0, 1.0),
}
"""The doubt about customers' response to rewards, from docs/program-evidence.md, section 4."""
