"""loyalsim: a what-if engine for customer-loyalty programs.

Public API::

    import sim
    sc = sim.load_scenario("scenarios/coffee_shop.yaml")
    sc2 = sc.with_overrides({"market.size": 50_000})
    r = sim.simulate(sc, seed=7)
    r.daily, r.customers, r.ledger, r.movements, r.summary, r.bankrupt_day
    w6 = sim.word_of_mouth_ledger(sim.load_scenario("scenarios/steady_market.yaml"),
                                  added_promoters=300)
"""

from sim.engine import simulate
from sim.results import RunResult
from sim.scenario import Scenario, ScenarioError, load_scenario, scenario_from_dict
from sim.wom_experiment import LedgerEstimate, word_of_mouth_ledger

__all__ = [
    "LedgerEstimate",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "scenario_from_dict",
    "simulate",
    "word_of_mouth_ledger",
]
__version__ = "0.1.0"
