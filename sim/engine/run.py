"""``simulate``: run one replication of a scenario with a seed."""

from __future__ import annotations

from collections.abc import Callable

from sim.results import RunResult
from sim.scenario import Scenario


def simulate(
    scenario: Scenario, seed: int = 0, progress: Callable[[int, int], None] | None = None
) -> RunResult:
    """Simulate one replication.

    Parameters
    ----------
    scenario
        A validated scenario (``sim.load_scenario``).
    seed
        Seed of the run's random streams; the same scenario and seed give identical tables.
    progress
        Optional ``progress(days_done, horizon)`` callback, called once per simulated day.

    Returns
    -------
    RunResult
        Tables ``daily``, ``customers``, ``ledger``, ``movements``; ``summary``; ``bankrupt_day``.
    """
    if scenario.ladder.mode == "matrix":
        from sim.engine.migration import MatrixModel, build_matrix_result

        return build_matrix_result(MatrixModel(scenario, seed, progress).run())
    from sim.engine.model import AgentModel
    from sim.results import build_agent_result

    return build_agent_result(AgentModel(scenario, seed, progress).run().recorder)
