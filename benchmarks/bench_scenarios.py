"""Program runs against the same scenario without its program, and whole runs to compare engines.

``bench_engine.py`` measures the engine against a bare SimPy loop on a load with no program.
This script times bundled scenarios at a common size: for each, the model run with its
loyalty program and with ``active_program: none`` (events, microseconds per event, and the
ratio of the two per event), and the wall time of ``sim.simulate``, so that two versions of the
engine can be compared run for run (alternate them in separate processes and compare the best
of each)::

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

from bench_engine import scheduled_events

import sim
from sim.engine import kernel
from sim.engine.model import AgentModel

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ("coffee_points_card", "supermarket_club_card", "coffee_shop")
"""Two program scenarios (points and a discount card: the compiled program step) and the
default one, whose active program is none."""


def best_time(scenario: sim.Scenario, repeats: int, seed: int) -> float:
    """The shortest of ``repeats`` wall times of ``sim.simulate(scenario, seed)``, in seconds."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        sim.simulate(scenario, seed=seed)
        best = min(best, time.perf_counter() - start)
    return best


def per_event(scenario: sim.Scenario, repeats: int, seed: int) -> tuple[int, float]:
    """Events the model schedules and the best microseconds per event of ``model.run()``
    (``bench_engine.scheduled_events``)."""
    best, events = float("inf"), 0
    for _ in range(repeats):
        model = AgentModel(scenario, seed)
        start = time.perf_counter()
        model.run()
        wall = time.perf_counter() - start
        events = scheduled_events(model.env)
        best = min(best, wall / events * 1e6)
    return events, best


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
        row: dict[str, float] = {"simulate_s": round(best_time(sc, args.repeats, args.seed), 3)}
        if sc.program() is not None:
            events, us = per_event(sc, args.repeats, args.seed)
            plain = sc.with_overrides({"active_program": "none"})
            base_events, base_us = per_event(plain, args.repeats, args.seed)
            row.update(
                events=events,
                us_per_event=round(us, 2),
                no_program_events=base_events,
                no_program_us_per_event=round(base_us, 2),
                ratio_per_event=round(us / base_us, 2),
            )
            extra = (
                f"  {us:6.2f} us/event ({events:,} events); without the program {base_us:5.2f}"
                f" us/event ({base_events:,}): {us / base_us:4.2f}x"
            )
        else:
            extra = "  (no program)"
        figures[name] = row
        print(f"{name:24s} simulate {row['simulate_s']:7.3f} s{extra}")
    if args.json:
        args.json.write_text(json.dumps({"agents": args.agents, "days": args.days, **figures}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
