"""Does the default verdict depend on the seed? ``compare(runs="auto")`` of bundled scenarios
for several experiment seeds, one table row per scenario, design and seed.

Usage::

    python benchmarks/verdict_stability.py [SCENARIO ...] [--seeds 0-9] [--workers N]
                                           [--csv OUT]

Each scenario is compared at its own size, horizon and experiment settings (the default a
planner gets from ``loyalsim compare``); nothing is shrunk. Rows are appended to the CSV as
each comparison ends, so a long measurement that is stopped keeps what it measured, and a
scenario and seed already in the CSV are not run again. At the end it prints, per scenario and
design, the verdicts seen over the seeds and the runs each seed needed.

The measurement is long (every design whose ruin is clear of the 5% threshold needs at least
93 pairs, ``docs/experiments.md``), so it is not a unit test; ``tests/test_verdict_stability.py``
holds the part that fits in the suite. Its figures are in ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

import sim
from sim.experiments import verdict as rules
from sim.experiments.estimates import Estimate

ROOT = Path(__file__).resolve().parent.parent
FIGURES = (
    "incremental_profit",
    "incremental_profit_low",
    "incremental_profit_high",
    "bankruptcy_probability",
    "bankruptcy_probability_low",
    "bankruptcy_probability_high",
    "baseline_bankruptcy_probability",
    "caused_bankruptcy_probability",
    "caused_bankruptcy_probability_low",
    "caused_bankruptcy_probability_high",
)
"""Columns of the comparison table kept per design and seed."""
FIELDS = ("scenario", "seed", "program", "verdict", "settled", "runs", *FIGURES, "wall_s")


def seeds_of(text: str) -> list[int]:
    """``"0-9"`` or ``"0,3,5"`` as a list of seeds."""
    if "-" in text:
        first, last = text.split("-")
        return list(range(int(first), int(last) + 1))
    return [int(s) for s in text.split(",")]


def measured(path: Path) -> set[tuple[str, int]]:
    """Scenario and seed pairs already in the CSV."""
    if not path.exists():
        return set()
    with path.open() as f:
        return {(row["scenario"], int(row["seed"])) for row in csv.DictReader(f)}


def compare_once(name: str, scenario: sim.Scenario, seed: int, workers: int) -> list[dict]:
    """One ``compare(runs="auto")`` of a bundled scenario, as table rows."""
    start = time.perf_counter()
    comparison = sim.compare(
        scenario,
        runs="auto",
        seed=seed,
        executor="processes" if workers > 1 else "serial",
        workers=workers,
    )
    wall = time.perf_counter() - start
    rows = []
    for _, row in comparison.table.iterrows():
        rows.append(
            {
                "scenario": name,
                "seed": seed,
                "program": row["program"],
                "verdict": row["verdict"],
                "settled": bool(row["settled"]),
                "runs": comparison.runs,
                **{key: float(row[key]) for key in FIGURES},
                "wall_s": round(wall, 1),
            }
        )
    return rows


def verdict_now(row: dict) -> str:
    """The verdict the current rule gives on a row's stored intervals (the caused ruin's and
    the incremental profit's), at the ruin threshold of the row's bundled scenario. The runs an
    experiment makes do not depend on the labels, so a row measured before a change of labels
    is judged again exactly."""
    scenario = sim.load_scenario(ROOT / "scenarios" / f"{row['scenario']}.yaml")
    caused = Estimate(
        float(row["caused_bankruptcy_probability"]),
        float(row["caused_bankruptcy_probability_low"]),
        float(row["caused_bankruptcy_probability_high"]),
        int(row["runs"]),
    )
    profit = Estimate(
        float(row["incremental_profit"]),
        float(row["incremental_profit_low"]),
        float(row["incremental_profit_high"]),
        int(row["runs"]),
    )
    return rules.verdict(caused, profit, scenario.experiment.ruin_threshold)


def summarize(path: Path) -> None:
    """Per scenario and design: the verdicts over the seeds (judged by the current rule on the
    stored intervals) and the runs each needed."""
    with path.open() as f:
        rows = list(csv.DictReader(f))
    groups: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        row["verdict"] = verdict_now(row)
        groups.setdefault((row["scenario"], row["program"]), []).append(row)
    print(f"{'scenario':30s} {'design':24s} {'seeds':>5s}  verdicts (runs)")
    for (scenario, program), group in sorted(groups.items()):
        group.sort(key=lambda r: int(r["seed"]))
        verdicts = sorted({r["verdict"] for r in group})
        runs = ",".join(r["runs"] for r in group)
        same = "same" if len(verdicts) == 1 else "DIFFER"
        seen = "/".join(verdicts)
        print(f"{scenario:30s} {program:24s} {len(group):5d}  {same}: {seen} ({runs})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenarios", nargs="*", help="bundled scenario files (default: all)")
    parser.add_argument("--seeds", default="0-9")
    parser.add_argument("--workers", type=int, default=1)
    default_csv = ROOT / "benchmarks/results/verdict-stability.csv"
    parser.add_argument("--csv", type=Path, default=default_csv)
    args = parser.parse_args()
    paths = [Path(p) for p in args.scenarios] or sorted((ROOT / "scenarios").glob("*.yaml"))
    scenarios = {p.stem: sim.load_scenario(p) for p in paths}
    done = measured(args.csv)
    args.csv.parent.mkdir(parents=True, exist_ok=True)
    for name, scenario in scenarios.items():
        if not scenario.programs:
            continue
        for seed in seeds_of(args.seeds):
            if (name, seed) in done:
                continue
            rows = compare_once(name, scenario, seed, args.workers)
            new = not args.csv.exists()
            with args.csv.open("a", newline="") as f:
                writer = csv.DictWriter(f, fieldnames=FIELDS)
                if new:
                    writer.writeheader()
                writer.writerows(rows)
            for row in rows:
                print(
                    f"{name} seed {seed} {row['program']}: {row['verdict']} "
                    f"after {row['runs']} runs ({row['wall_s']} s)",
                    flush=True,
                )
    summarize(args.csv)


if __name__ == "__main__":
    main()
