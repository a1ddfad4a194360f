"""Wall time of ``sim.simulate`` on bundled scenarios at a chosen size: the program paths.

``bench_engine.py`` measures the engine against a bare SimPy loop on a load with no program.
This script times whole runs of bundled scenarios, with and without their loyalty program, at
a common size, so that two versions of the engine can be compared run for run (alternate them
in separate processes and compare the best of each)::

    python benchmarks/bench_scenarios.py                       # 20,000 agents, one year
    python benchmarks/bench_scenarios.py --agents 5000 --repeats 1 --json out.json

Every scenario's ``market.size`` and ``market.initial_customers`` are set to ``--agents`` and
``horizon_days`` to ``--days``; the compiled step is loaded before the clock starts.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import sim
from sim.engine import kernel

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ("coffee_points_card", "supermarket_club_card", "coffee_shop")
"""Two program scenarios (Python handlers) and the default one (no program: compiled step)."""


def best_time(scenario: sim.Scenario, repeats: int, seed: int) -> float:
    """The shortest of ``repeats`` wall times of ``sim.simulate(scenario, seed)``, in seconds."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        sim.simulate(scenario, seed=seed)
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--agents", type=int, default=20_000, help="customers (default 20,000)")
    parser.add_argument("--days", type=int, default=365, help="horizon (default 365)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per scenario (default 3)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    kernel.warm_up()
    size = {"market.size": args.agents, "market.initial_customers": args.agents}
    figures = {}
    for name in SCENARIOS:
        sc = sim.load_scenario(ROOT / "scenarios" / f"{name}.yaml")
        sc = sc.with_overrides({**size, "horizon_days": args.days})
        figures[name] = round(best_time(sc, args.repeats, args.seed), 3)
        print(f"{name:24s} {figures[name]:8.3f} s  (program: {sc.program() is not None})")
    if args.json:
        args.json.write_text(json.dumps({"agents": args.agents, "days": args.days, **figures}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
