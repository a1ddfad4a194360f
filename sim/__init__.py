"""loyalsim: a what-if engine for customer-loyalty programs.

Public API::

    import sim
    sc = sim.load_scenario("scenarios/coffee_shop.yaml")
    sc2 = sc.with_overrides({"market.size": 50_000})
    r = sim.simulate(sc, seed=7)
    r.daily, r.customers, r.ledger, r.movements, r.summary, r.bankrupt_day
    e = sim.replicate(sc, runs=30, seed=1)        # quantile bands, intervals
    c = sim.compare(sc, runs=30, seed=1)          # each program vs no program, paired
    c.table                                       # verdict, intervals, P(bankrupt) per program
    p = sim.preview(sc)                           # expected course in ~30 ms (mean field)
    s = sim.sweep(sc, {"market.reach_rate_per_year": [0.3, 0.6, 0.9]})
    t = sim.sensitivity(sc, {"product.quality_mean": [0.6, 0.8]}, "profit")
    w6 = sim.word_of_mouth_ledger(sim.load_scenario("scenarios/steady_market.yaml"),
                                  added_promoters=300)
    cal = sim.calibrate("sales.csv", until="2025-06-30", holdout_until="2025-12-31")
    cal.scenario, cal.parameters, cal.holdout, cal.summary   # needs loyalsim[calibrate]

Also exported, for accountants and analysts: the IFRS 15 points liability
(``PointsLiability``, ``points_standalone_price``, ``allocate_by_standalone_price``) and the
migration-matrix customer values ``analytic_values`` (V = (I - P/(1+d))^-1 R).
"""

from sim.calibration import Calibration, calibrate
from sim.engine import simulate
from sim.engine.migration import analytic_values
from sim.experiments.compare import Comparison, compare
from sim.experiments.designs import Sensitivity, Sweep, sensitivity, sweep
from sim.experiments.estimates import Estimate
from sim.experiments.replicate import Ensemble, replicate
from sim.experiments.word_of_mouth_ledger import LedgerEstimate, word_of_mouth_ledger
from sim.meanfield import Preview, preview
from sim.money.liability import (
    PointsLiability,
    allocate_by_standalone_price,
    points_standalone_price,
)
from sim.results import RunResult
from sim.scenario import Scenario, ScenarioError, load_scenario, scenario_from_dict

__all__ = [
    "Calibration",
    "Comparison",
    "Ensemble",
    "Estimate",
    "LedgerEstimate",
    "PointsLiability",
    "Preview",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "Sensitivity",
    "Sweep",
    "allocate_by_standalone_price",
    "analytic_values",
    "calibrate",
    "compare",
    "load_scenario",
    "points_standalone_price",
    "preview",
    "replicate",
    "scenario_from_dict",
    "sensitivity",
    "simulate",
    "sweep",
    "word_of_mouth_ledger",
]
__version__ = "0.1.0"
