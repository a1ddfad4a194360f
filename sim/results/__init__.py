"""Results: what a run published, and the tidy tables built from it.

``recorder`` defines what an agent-based run publishes as it goes; ``agent_tables`` builds the
tables of a finished run from it (never from the engine's state), with ``money_tables`` for
the ledger's columns and figures and ``program_tables`` for a loyalty program's; ``run_result``
holds the tables (:class:`RunResult`); ``figures`` lists the summary figures a scenario's runs
report, without running it.
"""

from sim.results.agent_tables import build_agent_result
from sim.results.figures import summary_figures
from sim.results.money_tables import money_columns, money_figures, money_summary
from sim.results.run_result import RunResult, flatten, stage_columns

__all__ = [
    "RunResult",
    "build_agent_result",
    "flatten",
    "money_columns",
    "money_figures",
    "money_summary",
    "stage_columns",
    "summary_figures",
]
