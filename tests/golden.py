"""Golden result tables: fingerprints of every table the bundled scenarios produce at seed 0.

A refactor must leave every result bit-identical. Storing the full tables of every bundled
scenario would take tens of megabytes, so each column is stored as a fingerprint instead: its
dtype and a SHA-256 digest of its exact contents (the raw bytes of a numeric column, the
``repr`` of every value of any other). Any change in any value, in the column order or in a
dtype changes the fingerprint; the test names the case, table and column that changed. The
summary of each run is stored in full (as ``repr`` of each value) so that a change shows the
numbers on both sides.

Regenerate only for a change that is meant to change results, and say why in its commit::

    python tests/golden.py            # rewrites tests/data/golden_tables.json
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from conftest import SMALL_MATRIX_LADDER, small_scenario  # noqa: E402

import sim  # noqa: E402

GOLDEN_FILE = ROOT / "tests" / "data" / "golden_tables.json"
SEED = 0


def column_fingerprint(column: pd.Series) -> dict[str, str]:
    """The dtype and a digest of a column's exact contents."""
    dtype = str(column.dtype)
    if column.dtype.kind in "biuf":
        payload = np.ascontiguousarray(column.to_numpy()).tobytes()
    else:
        payload = "\x1f".join(repr(v) for v in column.astype(object).tolist()).encode()
    return {"dtype": dtype, "sha256": hashlib.sha256(payload).hexdigest()[:32]}


def table_fingerprint(table: pd.DataFrame) -> dict[str, Any]:
    """Row count, column order and each column's fingerprint."""
    return {
        "rows": len(table),
        "columns": {str(name): column_fingerprint(table[name]) for name in table.columns},
    }


def _plain(value: Any) -> str:
    return repr(value.item() if isinstance(value, np.generic) else value)


def run_fingerprint(result: sim.RunResult) -> dict[str, Any]:
    """Every table of one run, and its summary in full."""
    tables = {name: table_fingerprint(t) for name, t in result.tables().items()}
    summary = {str(k): _plain(v) for k, v in result.tables()["summary"].iloc[0].items()}
    return {"tables": tables, "summary": summary, "bankrupt_day": repr(result.bankrupt_day)}


def _scenario_runs() -> Iterator[tuple[str, Callable[[], dict[str, Any]]]]:
    """One case per bundled scenario and design (and the natural baseline), at seed 0."""
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        sc = sim.load_scenario(path)
        for design in [p.name for p in sc.programs] + ["none"]:
            variant = sc.with_overrides({"active_program": design}) if sc.programs else sc

            def run(variant: sim.Scenario = variant) -> dict[str, Any]:
                return run_fingerprint(sim.simulate(variant, seed=SEED))

            yield f"{path.stem}/{design}", run
            if not sc.programs:
                break


def _variant_runs() -> Iterator[tuple[str, Callable[[], dict[str, Any]]]]:
    """Paths of the engine the bundled scenarios do not take: networks, the matrix mode."""
    shop = sim.load_scenario(ROOT / "scenarios" / "coffee_shop.yaml")
    for network in ("small_world", "scale_free"):
        variant = shop.with_overrides(
            {"horizon_days": 365, "word_of_mouth.network": network, "active_program": "stamp card"}
        )
        yield (
            f"coffee_shop/{network}",
            lambda v=variant: run_fingerprint(sim.simulate(v, seed=SEED)),
        )
    matrix = small_scenario(horizon_days=180, ladder=SMALL_MATRIX_LADDER)
    yield "matrix/small", lambda: run_fingerprint(sim.simulate(matrix, seed=SEED))


def _experiment_fingerprints() -> dict[str, Any]:
    """The result tables of each experiment on a short coffee shop, serially."""
    shop = sim.load_scenario(ROOT / "scenarios" / "coffee_shop.yaml").with_overrides(
        {"horizon_days": 180}
    )
    kw: dict[str, Any] = {"executor": "serial"}
    e = sim.replicate(shop, runs=3, seed=SEED, **kw)
    c = sim.compare(shop, runs=3, seed=SEED, **kw)
    s = sim.sweep(shop, {"business.touches_per_month": [0, 4]}, runs=2, seed=SEED, **kw)
    t = sim.sensitivity(
        shop,
        {"product.quality_mean": [0.6, 0.85], "market.reach_rate_per_year": [0.3, 0.9]},
        "profit",
        samples=4,
        seed=SEED,
        **kw,
    )
    tables = {
        "replicate.summary": e.summary,
        "replicate.estimates": e.estimates,
        "replicate.bands": e.bands,
        "compare.table": c.table,
        "compare.pairs": c.pairs,
        "compare.summary": c.summary,
        "compare.estimates": c.estimates,
        "compare.bands": c.bands,
        "sweep.table": s.table,
        "sweep.means": s.means,
        "sensitivity.indices": t.indices,
        "sensitivity.tornado": t.tornado,
        "sensitivity.samples": t.samples,
    }
    return {name: table_fingerprint(table.reset_index(drop=True)) for name, table in tables.items()}


def cases() -> Iterator[tuple[str, Callable[[], dict[str, Any]]]]:
    """Every golden case by name, with the function that computes its fingerprint."""
    yield from _scenario_runs()
    yield from _variant_runs()
    yield "experiments/coffee_shop", lambda: {"tables": _experiment_fingerprints()}


def load() -> dict[str, Any]:
    return json.loads(GOLDEN_FILE.read_text())


def differences(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """What changed between two fingerprints of one case, one line per table, column or
    summary figure."""
    out = []
    for name in sorted(set(expected["tables"]) | set(actual["tables"])):
        old, new = expected["tables"].get(name), actual["tables"].get(name)
        if old is None or new is None:
            out.append(f"table {name}: {'added' if old is None else 'missing'}")
            continue
        if old["rows"] != new["rows"]:
            out.append(f"table {name}: {old['rows']} rows before, {new['rows']} now")
        if list(old["columns"]) != list(new["columns"]):
            out.append(f"table {name}: columns {list(old['columns'])} -> {list(new['columns'])}")
        for col, fp in new["columns"].items():
            before = old["columns"].get(col)
            if before is not None and before != fp:
                out.append(f"table {name}, column {col}: {before} -> {fp}")
    for key in sorted(set(expected.get("summary", {})) | set(actual.get("summary", {}))):
        a, b = expected.get("summary", {}).get(key), actual.get("summary", {}).get(key)
        if a != b:
            out.append(f"summary {key}: {a} -> {b}")
    if expected.get("bankrupt_day") != actual.get("bankrupt_day"):
        out.append(f"bankrupt_day: {expected.get('bankrupt_day')} -> {actual.get('bankrupt_day')}")
    return out


def write() -> None:
    golden = {name: compute() for name, compute in cases()}
    GOLDEN_FILE.parent.mkdir(parents=True, exist_ok=True)
    GOLDEN_FILE.write_text(json.dumps(golden, indent=1) + "\n")
    print(f"wrote {len(golden)} cases to {GOLDEN_FILE.relative_to(ROOT)}")


if __name__ == "__main__":
    write()
