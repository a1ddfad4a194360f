"""What each bundled design does to its members, against the same customers without it.

For every design of every bundled scenario, runs the design and the no-program baseline on the
same seeds and matches each member to their twin in the baseline run: the same person, arrived
on the same day with the same traits (common random numbers, docs/experiments.md section 3).
Over the matched members it reports the change in their purchases (visits), their spend and the
share of them lost by the horizon, for all members and for light buyers (purchase-rate trait
below the market's mean) and heavy ones (above it). These are the figures
docs/program-evidence.md sets against the published effects of programs of each kind.

Members who arrived only because of the program (won by its word of mouth or advertising) have
no twin and are left out, so the figures are the program's effect on the customers it changed,
not on those it brought.

Usage::

    python benchmarks/program_effects.py [--seeds 0-2] [--csv FILE.csv]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sim  # noqa: E402
from sim.scenario.program_terms.design import MECHANICS  # noqa: E402

TWIN = ["created_day", "base_rate_per_day", "dropout_propensity"]
"""What identifies the same person in two runs of the same seed."""


def seeds_from(text: str) -> list[int]:
    """``"0-2"`` -> [0, 1, 2]; ``"4"`` -> [4]."""
    low, _, high = text.partition("-")
    return list(range(int(low), int(high or low) + 1))


def twins(baseline: pd.DataFrame, program: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The members of ``program`` and the same people in ``baseline``, row by row."""
    base = baseline.drop_duplicates(TWIN, keep=False).set_index(TWIN)
    prog = program.drop_duplicates(TWIN, keep=False).set_index(TWIN)
    members = prog[prog["joined_day"].notna()]
    members = members.loc[members.index.intersection(base.index)]
    return members, base.loc[members.index]


def change(after: pd.Series, before: pd.Series) -> float:
    total = float(before.sum())
    return float(after.sum()) / total - 1.0 if total else float("nan")


def design_effects(scenario: sim.Scenario, design: str, seeds: list[int]) -> dict:
    """Pooled twin-matched effects of one design over the seeds."""
    with_program, without = [], []
    for seed in seeds:
        base = sim.simulate(scenario.with_overrides({"active_program": "none"}), seed=seed)
        prog = sim.simulate(scenario.with_overrides({"active_program": design}), seed=seed)
        members, same = twins(base.customers, prog.customers)
        with_program.append(members.assign(seed=seed))
        without.append(same.assign(seed=seed))
    members, same = pd.concat(with_program), pd.concat(without)
    mean_rate = scenario.customers.purchase_rate_shape / scenario.customers.purchase_rate_alpha_days
    heavy = members.index.get_level_values("base_rate_per_day").to_numpy() > mean_rate
    lost_with = members["lost_day"].notna().mean()
    lost_without = same["lost_day"].notna().mean()
    chosen = next(d for d in scenario.programs if d.name == design)
    return {
        "scenario": scenario.name,
        "design": design,
        "mechanics": "+".join(m for m in MECHANICS if getattr(chosen, m)),
        "seeds": len(seeds),
        "members_matched": len(members) // len(seeds),
        "visits": change(members["purchases"], same["purchases"]),
        "visits_light": change(members["purchases"][~heavy], same["purchases"][~heavy]),
        "visits_heavy": change(members["purchases"][heavy], same["purchases"][heavy]),
        "spend": change(members["spend"], same["spend"]),
        "churn_cut": 1.0 - lost_with / lost_without if lost_without else np.nan,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", help="scenario files (default: every bundled one)")
    parser.add_argument("--seeds", default="0-2")
    parser.add_argument("--csv", default=None)
    args = parser.parse_args()
    files = args.scenarios or sorted(str(p) for p in (ROOT / "scenarios").glob("*.yaml"))
    rows = []
    for file in files:
        scenario = sim.load_scenario(file)
        for design in scenario.programs:
            if not any(getattr(design, m) for m in MECHANICS):
                continue  # a design without mechanics is the natural baseline (DOMAIN P1)
            row = design_effects(scenario, design.name, seeds_from(args.seeds))
            rows.append(row)
            print(
                f"{row['scenario'][:32]:32s} {row['design'][:22]:22s} "
                f"visits {row['visits']:+.1%} (light {row['visits_light']:+.1%}, heavy "
                f"{row['visits_heavy']:+.1%}) spend {row['spend']:+.1%} churn cut "
                f"{row['churn_cut']:+.1%}",
                flush=True,
            )
    if args.csv:
        pd.DataFrame(rows).to_csv(args.csv, index=False)


if __name__ == "__main__":
    main()
