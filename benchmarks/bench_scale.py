"""Scale harness: the engine at the sizes of real businesses, one load per fresh process.

Usage::

    python benchmarks/bench_scale.py [--load NAME ...] [--json OUT] [--seed N]

Loads (``--load``, repeatable; default both), built from ``benchmarks/benchmark.yaml`` (the
coffee shop's customers, every agent alive from day 0, no program):

* ``100k-3y``: 100,000 agents over three years (the scenario as it is);
* ``1m-1y``: 1,000,000 agents over one year (fixed costs, cash and credit line scaled by ten).

Each load runs in a process of its own, so that its peak resident memory is its own:

1. the compiled step is loaded (``kernel.warm_up``) and the resident set size is read;
2. ``sim.simulate`` runs once, the model's run (``AgentModel.run``) and the result tables timed
   apart, with the events SimPy scheduled;
3. the peak resident set size, less the size before the model was built, divided by the agents,
   gives the memory per agent (resident memory, not ``tracemalloc``'s traced peak: a traced run
   of a million agents would take an hour);
4. a bare SimPy wake-up loop (``bench_engine.bare_wakeups``: the model's scheduling mechanism
   with nothing else) with the same agents and events, in the same process after the model,
   gives the share of an event that is SimPy's own.

Targets: 100,000 agents × 3 years in ≤ 30 s of ``sim.simulate``; 1,000,000 agents × 1 year in
≤ 300 s within ≤ 2,048 bytes per agent.
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_engine import TARGET_BYTES_PER_AGENT  # noqa: E402 - after the path above

LOADS = {
    "100k-3y": {"agents": 100_000, "horizon_days": 1095, "target_s": 30.0},
    "1m-1y": {"agents": 1_000_000, "horizon_days": 365, "target_s": 300.0},
}


def measure(load: str, seed: int) -> dict[str, Any]:
    """One load, in this process: see the module docstring."""
    from bench_engine import (
        DEFAULT_SCENARIO,
        bare_wakeups,
        max_rss_bytes,
        quick_variant,
        scheduled_events,
    )

    import sim
    from sim.engine import kernel
    from sim.engine.model import AgentModel
    from sim.results import build_agent_result

    spec = LOADS[load]
    scenario = quick_variant(sim.load_scenario(DEFAULT_SCENARIO), spec["agents"])
    scenario = scenario.with_overrides({"horizon_days": spec["horizon_days"]})
    step_load = kernel.warm_up()
    gc.collect()
    rss_before = max_rss_bytes()
    start = time.perf_counter()
    model = AgentModel(scenario, seed)
    setup = time.perf_counter() - start
    start = time.perf_counter()
    model.run()
    run = time.perf_counter() - start
    start = time.perf_counter()
    result = build_agent_result(model.recorder)
    tables = time.perf_counter() - start
    rss_peak = max_rss_bytes()
    events = scheduled_events(model.env)
    agents = len(model.customers)
    bankrupt = bool(result.summary["bankrupt"])
    del model, result
    gc.collect()
    bare = bare_wakeups(agents, events, scenario.horizon_days, seed)
    simulate = setup + run + tables
    return {
        "load": load,
        "agents": agents,
        "horizon_days": scenario.horizon_days,
        "bankrupt": bankrupt,
        "events": events,
        "step_load_s": step_load,
        "setup_s": setup,
        "run_s": run,
        "tables_s": tables,
        "simulate_s": simulate,
        "target_s": spec["target_s"],
        "us_per_event": run / events * 1e6,
        "bare_wakeup_us_per_event": bare["wall_s"] / bare["events"] * 1e6,
        "ratio_to_bare_wakeups": (bare["wall_s"] / bare["events"]) / (run / events),
        "rss_before_bytes": rss_before,
        "rss_peak_bytes": rss_peak,
        "bytes_per_agent": (rss_peak - rss_before) / agents,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--load", action="append", choices=sorted(LOADS), help="default: all")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write figures as JSON")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--one", choices=sorted(LOADS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:  # the child: one load, figures as JSON on stdout
        print(json.dumps(measure(args.one, args.seed)))
        return 0

    from bench_engine import load_average, log, machine_info, source_revision

    started = datetime.now(UTC)
    figures: dict[str, Any] = {
        "date": started.strftime("%Y-%m-%d %H:%M UTC"),
        "seed": args.seed,
        "load_average_before": load_average(),
        "machine": machine_info(),
        "source": source_revision(),
        "loads": [],
    }
    failed = False
    for load in args.load or list(LOADS):
        log(f"{load}: in a fresh process")
        child = subprocess.run(
            [sys.executable, __file__, "--one", load, "--seed", str(args.seed)],
            capture_output=True,
            text=True,
        )
        if child.returncode:
            log(f"{load} failed:\n{child.stderr}")
            failed = True
            continue
        fig = json.loads(child.stdout.strip().splitlines()[-1])
        figures["loads"].append(fig)
        met = fig["simulate_s"] <= fig["target_s"]
        memory_met = fig["bytes_per_agent"] <= TARGET_BYTES_PER_AGENT
        log(
            f"  {fig['agents']:,} agents × {fig['horizon_days']} days: {fig['events']:,} events; "
            f"simulate {fig['simulate_s']:.1f} s (run {fig['run_s']:.1f}, tables "
            f"{fig['tables_s']:.1f}) against {fig['target_s']:.0f} s: "
            f"{'met' if met else 'missed'}; {fig['us_per_event']:.2f} µs/event, bare wake-up "
            f"loop {fig['bare_wakeup_us_per_event']:.2f}; {fig['bytes_per_agent']:,.0f} "
            f"bytes/agent (resident): {'met' if memory_met else 'missed'}"
            + ("; the business went bankrupt: figures invalid" if fig["bankrupt"] else "")
        )
    figures["load_average_after"] = load_average()
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
