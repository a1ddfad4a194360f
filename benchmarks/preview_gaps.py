"""How far the mean-field preview (``sim.preview``) is from the mean of agent runs, and how
long it takes, for every bundled scenario's natural baseline (no program).

Usage::

    python benchmarks/preview_gaps.py [SCENARIO ...] [--runs 8] [--csv OUT]

For each scenario: the preview's figures, the mean of ``--runs`` agent runs (seeds 0, 1, ...)
of the same scenario with ``active_program: none``, and the gap between them: active buyers at
the end, revenue and profit over the horizon, the cash at the end, and the NPS over the last 90
days. Gaps are relative to the agent mean, those of profit and cash relative to the agent's
revenue (a profit of 2% of revenue that the preview puts at 3% is one point off, not 50%), the
NPS gap in points. Latency is the best of five previews after a first one (which may load
compiled code).
Rows go to ``benchmarks/results/preview-gaps.csv``; ``benchmarks/README.md`` holds the table.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

import sim
from sim.meanfield import buying_rungs, preview

ROOT = Path(__file__).resolve().parent.parent


def figures(sc: sim.Scenario, daily: pd.DataFrame) -> dict[str, float]:
    """The compared figures of one daily table (an agent run's, or the preview's)."""
    horizon = sc.horizon_days
    last = daily.iloc[-1]
    tail = daily[daily["day"] >= horizon - 90]
    answered = tail["promoters"] + tail["passives"] + tail["detractors"]
    return {
        "customers": float(last["active"] if "active" in daily else last[buying_rungs(sc)].sum()),
        "revenue": float(daily["revenue"].sum()),
        "profit": float(daily["profit"].sum()),
        "cash": float(last["cash"]),
        "nps": float(100 * (tail["promoters"] - tail["detractors"]).sum() / answered.sum()),
        "first_purchases": float(daily["first_purchases"].sum()),
    }


def measure(path: Path, runs: int) -> dict[str, object]:
    """One scenario's row."""
    sc = sim.load_scenario(path).with_overrides({"active_program": "none"})
    preview(sc)
    latency = min(preview(sc).seconds for _ in range(5))
    mean_field = figures(sc, preview(sc).daily)
    agent_rows, bankrupt = [], 0
    start = time.perf_counter()
    for seed in range(runs):
        result = sim.simulate(sc, seed=seed)
        bankrupt += bool(result.summary["bankrupt"])
        agent_rows.append(figures(sc, result.daily))
    wall = (time.perf_counter() - start) / runs
    agent = pd.DataFrame(agent_rows)
    row: dict[str, object] = {
        "scenario": path.stem,
        "runs": runs,
        "bankrupt_runs": bankrupt,
        "preview_ms": round(1000 * latency, 1),
        "agent_run_s": round(wall, 2),
    }
    for name, value in mean_field.items():
        mean = float(agent[name].mean())
        row[f"{name}_agent"] = mean
        row[f"{name}_preview"] = value
        row[f"{name}_agent_se"] = float(agent[name].std(ddof=1) / np.sqrt(runs))
        if name == "nps":
            row[f"{name}_gap"] = value - mean  # points
        elif name in ("profit", "cash"):  # thin margins: a share of the revenue, not of itself
            row[f"{name}_gap"] = (value - mean) / float(agent["revenue"].mean())
        else:
            row[f"{name}_gap"] = value / mean - 1 if mean else np.nan
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenarios", nargs="*")
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--csv", type=Path, default=ROOT / "benchmarks/results/preview-gaps.csv")
    args = parser.parse_args()
    paths = [Path(p) for p in args.scenarios] or sorted((ROOT / "scenarios").glob("*.yaml"))
    rows = []
    for path in paths:
        row = measure(path, args.runs)
        rows.append(row)
        print(
            f"{row['scenario']:28s} {row['preview_ms']:6.1f} ms  "
            + "  ".join(
                f"{n} {row[f'{n}_gap']:+.1%}" if n != "nps" else f"nps {row['nps_gap']:+.1f} pts"
                for n in ("customers", "revenue", "profit", "cash", "nps")
            ),
            flush=True,
        )
    args.csv.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(args.csv, index=False)


if __name__ == "__main__":
    main()
