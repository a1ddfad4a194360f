"""The summary figures a run of a scenario reports, listed without running it."""

from __future__ import annotations

from sim.results.agent_tables import WORD_OF_MOUTH_FIGURES
from sim.results.money_tables import money_figures
from sim.results.program_tables import (
    program_figures,
)
from sim.results.recorder import CHANNELS
from sim.rules.churn import LOSS_REASONS
from sim.rules.ladder import rung_names
from sim.scenario import Scenario


def summary_figures(scenario: Scenario) -> list[str]:
    """Names of the numeric figures a run of ``scenario`` puts in its summary, without running
    it: what an experiment may be asked to report.

    Nested keys are joined by dots (``costs.marketing``) and text and lists are left out, as
    ``sim.experiments.store.flatten`` files a summary; the order is the summary's. The names depend
    on the scenario's ladder mode, its rungs and whether a program is in place; the values, never.

    Parameters
    ----------
    scenario
        The scenario a run would simulate.

    Returns
    -------
    list of str
    """
    rungs = [f"rungs_at_end.{r}" for r in (*rung_names(scenario.ladder.stage_names()), "lost")]
    head = ["seed", "horizon_days", "days_simulated", *rungs]
    end = ["bankrupt", "bankrupt_day"]
    if scenario.ladder.mode == "matrix":
        return [*head, "customers", *money_figures(), *end]
    design = scenario.program()
    natural = design is None or design.is_natural()
    return [
        *head,
        "agents",
        *(f"customers_won.{c}" for c in CHANNELS[1:]),
        "customers_won_back",
        *(f"customers_lost.{r}" for r in LOSS_REASONS),
        "retention_rate",
        "retention_window_days",
        "purchases",
        *(f"word_of_mouth.{k}" for k in WORD_OF_MOUTH_FIGURES),
        *money_figures(),
        *(f"program.{k}" for k in program_figures(natural)),
        *end,
    ]
