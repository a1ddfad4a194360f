"""Figures of the experiment layer: common random numbers, parallel speed-up, flat memory.

Usage::

    python benchmarks/bench_experiments.py crn      [--runs 30] [--json OUT]
    python benchmarks/bench_experiments.py speedup  [--runs 16] [--json OUT]
    python benchmarks/bench_experiments.py memory   [--json OUT]

``crn``
    ``sim.compare`` of the bundled coffee shop's stamp card against no program, once with
    common random numbers (replication ``i`` of both arms shares a seed) and once with
    independent seeds per arm; the ratio of the two confidence-interval widths of incremental
    profit says how much the pairing is worth (target >= 2).
``speedup``
    The same ``sim.replicate`` of the coffee shop on one local process and on every core,
    each twice (order 1, n, n, 1); the ratio of the faster wall times (target >= 1.8 on 2
    cores).
``memory``
    Peak resident memory of a 10-replication and a 1,000-replication experiment of a small
    scenario, each in a fresh interpreter (target: the larger within 1.2 times the smaller).
    Replications stream to disk, so memory should not grow with their number.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sim
from sim.experiments.executors import cores

ROOT = Path(__file__).resolve().parent.parent
COFFEE_SHOP = ROOT / "scenarios" / "coffee_shop.yaml"


def crn(runs: int) -> dict:
    sc = sim.load_scenario(COFFEE_SHOP)
    out = {"scenario": str(COFFEE_SHOP.relative_to(ROOT)), "program": "stamp card", "runs": runs}
    for paired in (True, False):
        start = time.perf_counter()
        c = sim.compare(
            sc,
            runs=runs,
            seed=0,
            programs=["stamp card"],
            common_random_numbers=paired,
            progress=True,
        )
        row = c.table.iloc[0]
        key = "common" if paired else "independent"
        out[key] = {
            "incremental_profit": float(row["incremental_profit"]),
            "low": float(row["incremental_profit_low"]),
            "high": float(row["incremental_profit_high"]),
            "width": float(row["incremental_profit_high"] - row["incremental_profit_low"]),
            "verdict": str(row["verdict"]),
            "wall_s": time.perf_counter() - start,
        }
        print(key, out[key], flush=True)
    out["ratio"] = out["independent"]["width"] / out["common"]["width"]
    print(f"interval width, independent / common random numbers: {out['ratio']:.2f} (target >= 2)")
    return out


def speedup(runs: int) -> dict:
    """Wall times on 1 and on every core, measured twice in the order 1, n, n, 1 so that a
    machine warming up or slowing down favours neither; each count keeps its faster time."""
    sc = sim.load_scenario(COFFEE_SHOP)
    n = cores()
    walls: dict[int, float] = {}
    for workers in (1, n, n, 1):
        start = time.perf_counter()
        sim.replicate(sc, runs=runs, seed=0, workers=workers)
        wall = time.perf_counter() - start
        walls[workers] = min(wall, walls.get(workers, wall))
        print(f"{workers} worker(s): {wall:.1f} s", flush=True)
    ratio = walls[1] / walls[n]
    print(f"speed-up on {n} cores: {ratio:.2f} (target >= 1.8 on 2 cores)")
    return {"runs": runs, "cores": n, "wall_s": walls, "speedup": ratio}


SMALL = {
    "horizon_days": 180,
    "market.size": 1000,
    "market.initial_customers": 100,
    "business.fixed_costs_per_month": 3000,
}


def _measure_memory(runs: int) -> None:
    """Child mode: run one experiment and print peak RSS of this process and its workers."""
    sc = sim.load_scenario(COFFEE_SHOP).with_overrides(SMALL)
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        e = sim.replicate(sc, runs=runs, seed=0, out=folder)
        wall = time.perf_counter() - start
    parent = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    print(
        json.dumps(
            {
                "runs": runs,
                "parent": parent,
                "workers": children,
                "wall_s": wall,
                "rows": len(e.summary),
            }
        )
    )


def memory() -> dict:
    out = {}
    for runs in (10, 1000):
        text = subprocess.run(
            [sys.executable, __file__, "_memory", "--runs", str(runs)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        out[runs] = json.loads(text.strip().splitlines()[-1])
        m = out[runs]
        print(
            f"{runs:>5} replications: parent {m['parent'] / 2**20:.0f} MiB, workers "
            f"{m['workers'] / 2**20:.0f} MiB, {m['wall_s']:.0f} s",
            flush=True,
        )
    ratio = out[1000]["parent"] / out[10]["parent"]
    workers = out[1000]["workers"] / out[10]["workers"]
    print(
        f"peak memory, 1,000 / 10 replications: {ratio:.2f} (parent), {workers:.2f} (workers)"
        " (target <= 1.2)"
    )
    return {"scenario_overrides": SMALL, "by_runs": out, "ratio": ratio, "workers_ratio": workers}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("figure", choices=["crn", "speedup", "memory", "_memory"])
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    if args.figure == "_memory":
        _measure_memory(args.runs)
        return
    if args.figure == "crn":
        result = crn(args.runs or 30)
    elif args.figure == "speedup":
        result = speedup(args.runs or 16)
    else:
        result = memory()
    result["date"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, default=str))


if __name__ == "__main__":
    main()
