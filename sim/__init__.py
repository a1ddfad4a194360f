"""loyalsim: a what-if engine for customer-loyalty programs.

Public API::

    import sim
    sc = sim.load_scenario("scenarios/coffee_shop.yaml")
    sc2 = sc.with_overrides({"market.size": 50_000})
    r = sim.simulate(sc, seed=7)
    r.daily, r.customers, r.ledger, r.movements, r.summary, r.bankrupt_day
"""

from sim.engine import simulate
from sim.results import RunResult
from sim.scenario import Scenario, ScenarioError, load_scenario, scenario_from_dict

__all__ = [
    "RunResult",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "scenario_from_dict",
    "simulate",
]
__version__ = "0.1.0"
