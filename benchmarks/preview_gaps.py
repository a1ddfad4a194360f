"""How far the mean-field preview (``sim.preview``) is from the mean of agent runs, and how
long it takes, for every bundled scenario's natural baseline (no program), or with
``--programs`` for every design of the bundled scenarios.

Usage::

    python benchmarks/preview_gaps.py [SCENARIO ...] [--runs 8] [--programs] [--csv OUT]

For each scenario: the preview's figures, the mean of ``--runs`` agent runs (seeds 0, 1, ...)
of the same scenario with ``active_program: none``, and the gap between them: active buyers at
the end, revenue and profit over the horizon, the cash at the end, and the NPS over the last 90
days. Gaps are relative to the agent mean, those of profit and cash relative to the agent's
revenue (a profit of 2% of revenue that the preview puts at 3% is one point off, not 50%), the
NPS gap in points. Latency is the best of five previews after a first one (which may load
compiled code).
With ``--programs`` each design is run in place of the baseline, and the row adds the members
at the end, the program's costs (every program account of the ledger, and the liabilities
outstanding at the end) and the design's effect on profit: the preview's profit with the design
less its profit without, against the same difference of the agent runs, paired by seed. Rows go
to ``benchmarks/results/preview-gaps.csv`` (``preview-program-gaps.csv`` with ``--programs``);
``benchmarks/README.md`` holds the tables.
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


PROGRAM_FIGURES = (
    "members",
    "discounts",
    "reward_cost",
    "prizes_and_perks",
    "revenue_share",
    "membership_fees",
    "breakage",
    "program_costs",
    "referral_rewards",
    "points_liability",
)
"""Program figures compared with ``--programs``: members at the end, the program accounts over
the horizon, and the points liability outstanding at the end."""


def figures(sc: sim.Scenario, daily: pd.DataFrame, program: bool = False) -> dict[str, float]:
    """The compared figures of one daily table (an agent run's, or the preview's)."""
    horizon = sc.horizon_days
    last = daily.iloc[-1]
    tail = daily[daily["day"] >= horizon - 90]
    answered = tail["promoters"] + tail["passives"] + tail["detractors"]
    extra = {}
    if program:
        extra = {name: float(daily[name].sum()) for name in PROGRAM_FIGURES}
        extra["members"] = float(last["members"]) if "members" in daily else 0.0
    return extra | {
        "customers": float(last["active"] if "active" in daily else last[buying_rungs(sc)].sum()),
        "revenue": float(daily["revenue"].sum()),
        "profit": float(daily["profit"].sum()),
        "cash": float(last["cash"]),
        "nps": float(100 * (tail["promoters"] - tail["detractors"]).sum() / answered.sum()),
        "first_purchases": float(daily["first_purchases"].sum()),
    }


def measure(path: Path, runs: int, design: str | None = None) -> dict[str, object]:
    """One scenario's row: its natural baseline, or the design named ``design`` in place."""
    program = design is not None
    base = sim.load_scenario(path).with_overrides({"active_program": "none"})
    sc = base.with_overrides({"active_program": design}) if program else base
    preview(sc)
    latency = min(preview(sc).seconds for _ in range(5))
    mean_field = figures(sc, preview(sc).daily, program)
    if program:
        mean_field["effect_on_profit"] = mean_field["profit"] - preview(base).summary["profit"]
    agent_rows, bankrupt = [], 0
    start = time.perf_counter()
    for seed in range(runs):
        result = sim.simulate(sc, seed=seed)
        bankrupt += bool(result.summary["bankrupt"])
        agent_rows.append(figures(sc, result.daily, program))
        if program:
            baseline = sim.simulate(base, seed=seed).daily["profit"].sum()
            agent_rows[-1]["effect_on_profit"] = agent_rows[-1]["profit"] - float(baseline)
    wall = (time.perf_counter() - start) / runs
    agent = pd.DataFrame(agent_rows)
    row: dict[str, object] = {
        "scenario": path.stem,
        "design": design or "",
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
        elif name in ("profit", "cash", "effect_on_profit", *PROGRAM_FIGURES[1:]):
            # thin margins and costs: a share of the revenue, not of itself
            row[f"{name}_gap"] = (value - mean) / float(agent["revenue"].mean())
        else:
            row[f"{name}_gap"] = value / mean - 1 if mean else np.nan
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenarios", nargs="*")
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--programs", action="store_true", help="every design in place")
    parser.add_argument("--csv", type=Path)
    args = parser.parse_args()
    name = "preview-program-gaps.csv" if args.programs else "preview-gaps.csv"
    out = args.csv or ROOT / "benchmarks/results" / name
    paths = [Path(p) for p in args.scenarios] or sorted((ROOT / "scenarios").glob("*.yaml"))
    cases = [
        (path, design.name if args.programs else None)
        for path in paths
        for design in (sim.load_scenario(path).programs if args.programs else [None])
        if design is None or not design.is_natural()  # a natural design is the baseline
    ]
    rows = []
    shown = ("customers", "revenue", "profit", "cash", "nps")
    if args.programs:
        shown = ("members", "revenue", "profit", "effect_on_profit", "nps")
    for path, design in cases:
        row = measure(path, args.runs, design)
        rows.append(row)
        print(
            f"{row['scenario']:28s} {row['design'][:20]:20s} {row['preview_ms']:6.1f} ms  "
            + "  ".join(
                f"{n} {row[f'{n}_gap']:+.1%}" if n != "nps" else f"nps {row['nps_gap']:+.1f} pts"
                for n in shown
            ),
            flush=True,
        )
        out.parent.mkdir(parents=True, exist_ok=True)
        pd.DataFrame(rows).to_csv(out, index=False)


if __name__ == "__main__":
    main()
