"""Wall time of ``sim.calibrate`` on the public CDNOW logs, split into its phases.

Usage::

    python benchmarks/bench_calibration.py [--size sample|master ...] [--repeats 2]
                                           [--workers 2] [--verify] [--json OUT]

Logs: the CDNOW transaction log that the ``lifetimes`` package ships (its data files are read
as text; ``lifetimes`` itself is not imported), the 2,357-customer sample and the full
23,570-customer log, calibrated up to 1997-09-30 and checked on a holdout up to 1998-06-30.

Each size runs in a fresh process, ``--repeats`` times one after the other (default twice).
The first calibration in a process also pays what a process does once (PyMC's lazily imported
modules, PyTensor's in-process caches); every fit builds new models and compiles their
PyTensor functions again, so the later runs pay that compiling too. PyTensor's compiled C
modules are cached on disk, so only the first process after installing (or after the cache is
cleared) compiles those. Importing PyMC-Marketing is timed apart, before the first run.

A run does what ``sim.calibrate(log, until, holdout_until, workers=...)`` does with its defaults
(BG/NBD, MAP with Laplace intervals, matching with folded time losses, local processes), calling
the same module functions itself so that each phase has its own clock:

1. **read**: the CDNOW text into a table, ``read_transactions``, the windows and the
   per-customer summary;
2. **fit**: ``fit_traits`` (BG/NBD and gamma-gamma); the Laplace intervals
   (``fit._posterior_draws``), and in them the compiling of the log posterior's Hessian
   (``pymc.Model.compile_d2logp``), are timed inside it;
3. **matching**: ``matching.match``, each of its batches of replays (``cohort.replay``) timed;
4. **check replays**: the holdout check's ``cohort.replay``;
5. **tables**: each function of ``sim.calibration.checks`` the check calls, and the
   parameter table and summary.

To time the parts, the run wraps these (in this process and its forked workers only; nothing
in ``sim/`` is changed):

* ``fit._posterior_draws`` and ``pymc.Model.compile_d2logp``: their seconds;
* ``cohort.replay``: wall time, replays and simulated customer-days of each batch;
* ``cohort.replay_once``: each replay's seconds in its worker, and whether it was the worker's
  first task (which also loads the compiled purchase step; each batch starts a new pool);
* ``cohort.AgentModel``: a subclass that counts the SimPy events of each replay.

A bare SimPy wake-up loop (``bench_engine.bare_wakeups``) with the cohort's customers and the
mean events of one holdout replay runs in the same process after the calibrations, for the
share of a replay that is SimPy's own. ``--verify`` then runs ``sim.calibrate`` itself once and
checks that it finds the same scales and holdout figures as the timed phases.

While each size runs, the parent samples every 2 s the other processes that used the CPU
(from ``/proc``), since the wall times depend on them.

Target: the default fit plus holdout check in at most 60 s on 2 cores for 25,000 customers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_engine import (  # noqa: E402 - after the path above
    bare_wakeups,
    load_average,
    log,
    machine_info,
    scheduled_events,
    source_revision,
)

import sim  # noqa: E402
from sim.calibration import checks, cohort, fit, matching  # noqa: E402
from sim.calibration.transactions import read_transactions  # noqa: E402

calibrate_module = importlib.import_module("sim.calibration.calibrate")
"""The module (``sim.calibration.calibrate`` is also the name of its function)."""

UNTIL = "1997-09-30"
HOLDOUT_UNTIL = "1998-06-30"
SEED = 0
TARGET_S = 60.0
"""Default fit plus holdout check, 2 cores, 25,000 customers."""
TARGET_CUSTOMERS = 25_000
SIZES = ("sample", "master")
"""``CDNOW_sample.txt`` (2,357 customers) and ``CDNOW_master.txt`` (23,570 customers)."""


# --------------------------------------------------------------------------- the logs
def cdnow_file(size: str) -> Path:
    """Where ``lifetimes`` keeps a CDNOW file (found without importing ``lifetimes``).

    Parameters
    ----------
    size
        ``"sample"`` or ``"master"``.

    Returns
    -------
    Path
        ``CDNOW_sample.txt`` or ``CDNOW_master.txt`` in the package's ``datasets`` folder.
    """
    spec = importlib.util.find_spec("lifetimes")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("the lifetimes package (which ships CDNOW) is not installed")
    folder = Path(spec.submodule_search_locations[0]) / "datasets"
    return folder / ("CDNOW_sample.txt" if size == "sample" else "CDNOW_master.txt")


def read_cdnow(size: str) -> pd.DataFrame:
    """The CDNOW text file as a table.

    Parameters
    ----------
    size
        ``"sample"`` or ``"master"``.

    Returns
    -------
    pandas.DataFrame
        One row per purchase, with ``customer_id``, ``date`` (``YYYYMMDD``) and ``amount``,
        all as text (and CDNOW's other columns).
    """
    path = cdnow_file(size)
    if size == "sample":
        names = ["x", "customer_id", "date", "n", "amount"]
        return pd.read_csv(path, sep=r"\s+", header=None, dtype=str, names=names)
    table = pd.read_csv(path, sep=r"\s+", dtype=str)
    return table.rename(columns={"dollar_value": "amount"})


# --------------------------------------------------------------------------- instrumentation
_FIRST_TASK_DONE = False
"""In a worker: whether it has run a replay already (its first one loads the compiled step)."""
_LAST_EVENTS = 0
"""In a worker: SimPy events of the last replay it ran."""


class _CountingModel(cohort.AgentModel):
    """The engine's model, counting the SimPy events of its run (``scheduled_events``)."""

    def run(self, *args: Any, **kwargs: Any) -> Any:
        """Run the model, then keep its SimPy event count in :data:`_LAST_EVENTS`."""
        global _LAST_EVENTS
        out = super().run(*args, **kwargs)
        _LAST_EVENTS = scheduled_events(self.env)
        return out


def _timed_replay_once(
    scenario: sim.Scenario, first_times: np.ndarray, calibration_end: int, seed: int
) -> cohort.Replay:
    """``cohort.replay_once`` with its seconds, events and process id attached to the result.

    It runs in the pool's forked worker (it is pickled by name, and the fork has this script
    as its ``__main__``).
    """
    global _FIRST_TASK_DONE
    first = not _FIRST_TASK_DONE
    _FIRST_TASK_DONE = True
    start, cpu = time.perf_counter(), time.process_time()
    result = _ORIGINAL["replay_once"](scenario, first_times, calibration_end, seed)
    result.bench = {  # type: ignore[attr-defined]
        "seconds": time.perf_counter() - start,
        "cpu_seconds": time.process_time() - cpu,
        "first_in_worker": first,
        "events": _LAST_EVENTS,
        "pid": os.getpid(),
    }
    return result


_ORIGINAL: dict[str, Callable[..., Any]] = {}
_BATCHES: list[dict[str, Any]] = []
"""Every ``cohort.replay`` call of the current phase, in order."""
_INTERVALS: list[float] = []
"""Seconds of each ``fit._posterior_draws`` call of the current fit."""
_HESSIANS: list[float] = []
"""Seconds of each ``pymc.Model.compile_d2logp`` call (the Laplace intervals' Hessian)."""


def _timed_replay(
    scenario: sim.Scenario,
    first_times: np.ndarray,
    calibration_end: int,
    runs: int,
    seed: int,
    executor: str = "processes",
    workers: int | None = None,
) -> list[cohort.Replay]:
    """``cohort.replay`` with its wall time and work recorded in :data:`_BATCHES`."""
    start = time.perf_counter()
    out = _ORIGINAL["replay"](scenario, first_times, calibration_end, runs, seed, executor, workers)
    wall = time.perf_counter() - start
    horizon = float(scenario.horizon_days)
    per_replay = float(np.maximum(horizon - np.asarray(first_times, dtype=float), 0.0).sum())
    marks = [getattr(r, "bench", None) or {} for r in out]
    busy = [m.get("seconds", float("nan")) for m in marks]
    first = [m.get("seconds", 0.0) for m in marks if m.get("first_in_worker")]
    _BATCHES.append(
        {
            "wall_s": wall,
            "replays": runs,
            "customers": len(first_times),
            "horizon_days": int(horizon),
            "customer_days": per_replay * runs,
            "events": int(sum(m.get("events", 0) for m in marks)),
            "worker_busy_s": float(np.sum(busy)),
            "worker_cpu_s": float(sum(m.get("cpu_seconds", float("nan")) for m in marks)),
            "first_in_worker_replays": len(first),
            "first_in_worker_s": float(np.sum(first)),
            "other_replay_s_mean": float(
                np.mean([m["seconds"] for m in marks if not m.get("first_in_worker")] or [np.nan])
            ),
            "workers_used": len({m.get("pid") for m in marks}),
        }
    )
    return out


def _timed_posterior_draws(*args: Any, **kwargs: Any) -> dict[str, np.ndarray]:
    """``fit._posterior_draws`` (the Laplace intervals) with its seconds in :data:`_INTERVALS`."""
    start = time.perf_counter()
    out = _ORIGINAL["posterior_draws"](*args, **kwargs)
    _INTERVALS.append(time.perf_counter() - start)
    return out


def _timed_compile_d2logp(self: Any, *args: Any, **kwargs: Any) -> Any:
    """``pymc.Model.compile_d2logp`` with its seconds in :data:`_HESSIANS`."""
    start = time.perf_counter()
    out = _ORIGINAL["compile_d2logp"](self, *args, **kwargs)
    _HESSIANS.append(time.perf_counter() - start)
    return out


@contextmanager
def instrumented() -> Iterator[None]:
    """The timing wrappers in place (attributes of this process; forks inherit them)."""
    from pymc import Model

    _ORIGINAL.update(
        replay=cohort.replay,
        replay_once=cohort.replay_once,
        model=cohort.AgentModel,
        posterior_draws=fit._posterior_draws,
        compile_d2logp=Model.compile_d2logp,
    )
    cohort.replay = _timed_replay
    cohort.replay_once = _timed_replay_once
    cohort.AgentModel = _CountingModel
    fit._posterior_draws = _timed_posterior_draws
    Model.compile_d2logp = _timed_compile_d2logp
    try:
        yield
    finally:
        cohort.replay = _ORIGINAL["replay"]
        cohort.replay_once = _ORIGINAL["replay_once"]
        cohort.AgentModel = _ORIGINAL["model"]
        fit._posterior_draws = _ORIGINAL["posterior_draws"]
        Model.compile_d2logp = _ORIGINAL["compile_d2logp"]


class Clock:
    """Wall and CPU seconds (of this process, not of its workers) of named parts."""

    def __init__(self) -> None:
        self.parts: dict[str, dict[str, float]] = {}

    @contextmanager
    def part(self, name: str) -> Iterator[None]:
        """Time the ``with`` block as the part ``name``."""
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.parts[name] = {
                "wall_s": time.perf_counter() - wall,
                "cpu_s": time.process_time() - cpu,
            }

    def wall(self, *names: str) -> float:
        """Wall seconds of the named parts together."""
        return float(sum(self.parts[n]["wall_s"] for n in names))


def _batches_total(batches: list[dict[str, Any]], workers: int) -> dict[str, Any]:
    """Totals over a phase's batches of replays."""
    wall = sum(b["wall_s"] for b in batches)
    busy = sum(b["worker_busy_s"] for b in batches)
    events = sum(b["events"] for b in batches)
    return {
        "batches": len(batches),
        "replays": sum(b["replays"] for b in batches),
        "customer_days": sum(b["customer_days"] for b in batches),
        "events": events,
        "replays_wall_s": wall,
        "worker_busy_s": busy,
        "worker_cpu_s": sum(b["worker_cpu_s"] for b in batches),
        "first_in_worker_s": sum(b["first_in_worker_s"] for b in batches),
        "first_in_worker_replays": sum(b["first_in_worker_replays"] for b in batches),
        "worker_use": busy / (wall * workers) if wall else float("nan"),
        "us_per_event_in_worker": busy / events * 1e6 if events else float("nan"),
    }


# --------------------------------------------------------------------------- one calibration
def calibrate_in_phases(size: str, workers: int) -> dict[str, Any]:
    """One calibration as ``sim.calibrate`` does it with its defaults, phase by phase.

    Call it inside :func:`instrumented`, which records the replays and the intervals.

    Parameters
    ----------
    size
        ``"sample"`` or ``"master"``.
    workers
        Local worker processes of the replays.

    Returns
    -------
    dict
        ``wall_s`` (the whole calibration), ``phases`` (``read``, ``fit``, ``matching``,
        ``check_replays``, ``tables``, each with its wall and CPU seconds of this process and
        its parts; the replay phases with their batches, replays, customer-days and events),
        the cohort's size, the matching's result, the holdout totals and the fitted values.
    """
    executor, model, seed = "processes", "bgnbd", SEED
    clock = Clock()
    start = time.perf_counter()

    with clock.part("read_text"):
        table = read_cdnow(size)
    with clock.part("read_transactions"):
        log_ = read_transactions(table, None)
        until, holdout = calibrate_module._windows(log_, UNTIL, HOLDOUT_UNTIL)
        base = sim.Scenario(name=f"calibrated from {Path(log_.source).name}")
    with clock.part("summary"):
        summary = log_.summary(until)
    repeaters = int((summary["frequency"] > 0).sum())

    _INTERVALS.clear()
    _HESSIANS.clear()
    with clock.part("fit"):
        fitted = fit.fit_traits(summary, model=model, posterior=False, seed=seed)
    intervals, hessians = list(_INTERVALS), list(_HESSIANS)

    _BATCHES.clear()
    with clock.part("matching"):
        calibration_end = log_.day_of(until)
        first_times = (
            np.sort(summary["first_day"].to_numpy(dtype=float)) + cohort.ARRIVAL_TIME_OF_DAY
        )
        scenario = base.with_overrides({**fitted.point(), "customers.dropout_model": model})
        scenario = scenario.with_overrides(matching.FOLDED)
        found = matching.match(
            scenario, summary, first_times, calibration_end, seed, executor, workers
        )
        scenario = scenario.with_overrides(found.overrides)
    match_batches = list(_BATCHES)

    with clock.part("parameter_table"):
        parameters = calibrate_module._parameter_table(fitted, scenario)
        result = calibrate_module.Calibration(
            scenario=scenario,
            parameters=parameters,
            holdout=None,
            frequency=None,
            conditional=None,
            summary=calibrate_module._summary(log_, summary, fitted, until, holdout, found, "fold"),
            fitted=fitted,
            log=log_,
        )

    holdout_end = log_.day_of(holdout)
    replays = calibrate_module.check_replays(len(summary))
    _BATCHES.clear()
    with clock.part("check_replays"):
        replay_scenario = cohort.replay_scenario(result.scenario, holdout_end + 1)
        runs = cohort.replay(
            replay_scenario,
            first_times,
            calibration_end,
            replays,
            seed + matching.SEED_OFFSET,
            executor,
            workers,
        )
    check_batches = list(_BATCHES)

    with clock.part("order"):
        order = np.argsort(summary["first_day"].to_numpy(), kind="stable")
        ordered = summary.iloc[order].reset_index(drop=True)
    with clock.part("weekly_table"):
        weekly = checks.weekly_table(log_, ordered, fitted, runs, calibration_end, holdout_end)
    with clock.part("repeat_counts"):
        actual = log_.repeat_counts(
            ordered["customer_id"],
            log_.start + dt.timedelta(days=calibration_end),
            log_.start + dt.timedelta(days=holdout_end),
        ).to_numpy()
    with clock.part("conditional_expectations"):
        conditional = checks.conditional_expectations(
            fitted, ordered, holdout_end - calibration_end
        )
    with clock.part("frequency_table"):
        result.frequency = checks.frequency_table(ordered, runs)
    with clock.part("conditional_table"):
        result.conditional = checks.conditional_table(ordered, actual, conditional, runs)
    with clock.part("holdout_totals"):
        totals = checks.holdout_totals(
            log_, ordered, fitted, runs, calibration_end, holdout_end, conditional
        )
    result.holdout = weekly
    result.summary["holdout"] = totals
    total = time.perf_counter() - start

    table_parts = (
        "order",
        "weekly_table",
        "repeat_counts",
        "conditional_expectations",
        "frequency_table",
        "conditional_table",
        "holdout_totals",
        "parameter_table",
    )
    phases = {
        "read": {
            "wall_s": clock.wall("read_text", "read_transactions", "summary"),
            "parts": {k: clock.parts[k] for k in ("read_text", "read_transactions", "summary")},
            "rows": log_.rows,
            "transactions": len(log_.transactions),
        },
        "fit": {
            **clock.parts["fit"],
            "intervals_s": float(sum(intervals)),
            "hessian_compile_s": float(sum(hessians)),
            "map_and_models_s": clock.parts["fit"]["wall_s"] - float(sum(intervals)),
        },
        "matching": {
            **clock.parts["matching"],
            "steps": found.steps,
            "replays_per_batch": matching.replays_for(len(summary)),
            **_batches_total(match_batches, workers),
            "outside_replays_s": clock.parts["matching"]["wall_s"]
            - sum(b["wall_s"] for b in match_batches),
            "each_batch": match_batches,
        },
        "check_replays": {
            **clock.parts["check_replays"],
            **_batches_total(check_batches, workers),
            "each_batch": check_batches,
        },
        "tables": {
            "wall_s": clock.wall(*table_parts),
            "cpu_s": float(sum(clock.parts[k]["cpu_s"] for k in table_parts)),
            "parts": {k: clock.parts[k] for k in table_parts},
        },
    }
    return {
        "wall_s": total,
        "phases": phases,
        "phases_wall_s": float(sum(p["wall_s"] for p in phases.values())),
        "customers": len(summary),
        "repeat_customers": repeaters,
        "calibration_end_day": calibration_end,
        "holdout_end_day": holdout_end,
        "matching": found.as_dict(),
        "holdout": totals,
        "fitted": {k: v.as_dict() for k, v in fitted.fields.items()},
        "raw": {k: v.as_dict() for k, v in fitted.raw.items()},
    }


def verify(size: str, workers: int, timed: dict[str, Any]) -> dict[str, Any]:
    """``sim.calibrate`` itself, once: its wall time and whether it agrees with the phases.

    Parameters
    ----------
    size
        ``"sample"`` or ``"master"``.
    workers
        Local worker processes of the replays.
    timed
        A run of :func:`calibrate_in_phases` on the same log.

    Returns
    -------
    dict
        ``calibrate_wall_s`` and ``same_figures`` (the same rate and dropout scales, Newton
        steps, and actual, simulated and model holdout purchases).
    """
    table = read_cdnow(size)
    start = time.perf_counter()
    cal = sim.calibrate(table, until=UNTIL, holdout_until=HOLDOUT_UNTIL, seed=SEED, workers=workers)
    wall = time.perf_counter() - start
    matched = cal.summary["matching"]
    same = all(
        matched[k] == timed["matching"][k] for k in ("rate_scale", "dropout_scale", "steps")
    ) and all(
        cal.summary["holdout"][k] == timed["holdout"][k]
        for k in ("actual_repeat_purchases", "simulated_repeat_purchases", "model_repeat_purchases")
    )
    return {"calibrate_wall_s": wall, "same_figures": bool(same)}


def measure(size: str, repeats: int, workers: int, check: bool) -> dict[str, Any]:
    """One size in this (fresh) process: see the module docstring.

    Parameters
    ----------
    size
        ``"sample"`` or ``"master"``.
    repeats
        Calibrations one after the other.
    workers
        Local worker processes of the replays.
    check
        Also run ``sim.calibrate`` itself (:func:`verify`).

    Returns
    -------
    dict
        The import time of PyMC-Marketing, every run of :func:`calibrate_in_phases`, the bare
        SimPy wake-up loop beside the last run's holdout replays and, with ``check``, the
        verification.
    """
    start = time.perf_counter()
    fit._clv()  # imports PyMC-Marketing, as the first fit in a process would
    imported = time.perf_counter() - start
    runs = []
    with instrumented():
        for i in range(repeats):
            log(f"{size}: run {i + 1} of {repeats}")
            run = calibrate_in_phases(size, workers)
            run["run"] = i + 1
            run["first_in_process"] = i == 0
            run["load_average_after"] = load_average()
            runs.append(run)
            ph = run["phases"]
            log(
                f"  {run['wall_s']:.1f} s: read {ph['read']['wall_s']:.1f}, fit "
                f"{ph['fit']['wall_s']:.1f}, matching {ph['matching']['wall_s']:.1f} "
                f"({ph['matching']['replays']} replays), check replays "
                f"{ph['check_replays']['wall_s']:.1f} ({ph['check_replays']['replays']}), "
                f"tables {ph['tables']['wall_s']:.1f}"
            )
    last = runs[-1]
    check_phase = last["phases"]["check_replays"]
    events = check_phase["events"] / check_phase["replays"]
    bare = bare_wakeups(last["customers"], int(events), last["holdout_end_day"] + 1, SEED)
    replay_us = check_phase["worker_busy_s"] / check_phase["events"] * 1e6
    out: dict[str, Any] = {
        "size": size,
        "file": cdnow_file(size).name,
        "import_pymc_marketing_s": imported,
        "runs": runs,
        "bare_wakeups": {
            **bare,
            "replay_us_per_event": replay_us,
            "ratio_bare_to_replay": bare["us_per_event"] / replay_us,
        },
    }
    if check:
        log(f"{size}: sim.calibrate itself, to check the phases")
        out["verify"] = verify(size, workers, last)
    return out


# --------------------------------------------------------------------------- the report
def _cpu_ticks() -> dict[int, tuple[int, int, str, int]]:
    """CPU ticks (user + system), niceness, command and parent of every process (``/proc``)."""
    out = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        ticks = int(fields[11]) + int(fields[12])
        out[int(entry.name)] = (ticks, int(fields[16]), command, int(fields[1]))
    return out


def _descends_from(pid: int, ancestor: int, table: dict[int, tuple[int, int, str, int]]) -> bool:
    """Whether ``pid`` is ``ancestor`` or one of its descendants (exiting ones included)."""
    seen = set()
    while pid > 1 and pid not in seen:
        if pid == ancestor:
            return True
        seen.add(pid)
        pid = table[pid][3] if pid in table else 0
    return False


class BackgroundLoad:
    """Samples, every ``every`` seconds, the other processes that used the CPU meanwhile.

    A process counts if it used at least 10% of a core over the interval (a process that started
    in it, with all its CPU time); this benchmark's own processes (this one and its descendants)
    are left out. A process that starts and ends between two samples is missed. The load
    average is sampled too.
    """

    def __init__(self, every: float = 2.0) -> None:
        self.every = every
        self.samples: list[dict[str, Any]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="background-load", daemon=True)

    def __enter__(self) -> BackgroundLoad:
        if Path("/proc/self/stat").exists():
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        """The sampling thread: one sample every :attr:`every` seconds until stopped."""
        tick = os.sysconf("SC_CLK_TCK")
        before, then = _cpu_ticks(), time.monotonic()
        while not self._stop.wait(self.every):
            now, at = _cpu_ticks(), time.monotonic()
            busy = []
            for pid, (ticks, nice, command, _) in now.items():
                used = (ticks - before.get(pid, (0,))[0]) / tick / (at - then)
                if used >= 0.1 and not _descends_from(pid, os.getpid(), now):
                    busy.append(
                        {
                            "pid": pid,
                            "nice": nice,
                            "cores": round(used, 2),
                            "command": command[:100],
                        }
                    )
            self.samples.append(
                {
                    "time": datetime.now(UTC).strftime("%H:%M:%S"),
                    "load_average": load_average(),
                    "others": sorted(busy, key=lambda b: -b["cores"]),
                }
            )
            before, then = now, at

    def summary(self) -> dict[str, Any]:
        """Mean cores the other processes used, at niceness 0 and above it, over the samples."""
        n = max(len(self.samples), 1)
        nice0 = sum(b["cores"] for s in self.samples for b in s["others"] if b["nice"] <= 0)
        niced = sum(b["cores"] for s in self.samples for b in s["others"] if b["nice"] > 0)
        return {
            "samples": len(self.samples),
            "mean_cores_other_processes_nice_0": nice0 / n,
            "mean_cores_other_processes_niced": niced / n,
        }


def calibration_sources() -> str:
    """SHA-256 of ``sim/calibration/*.py``, so the measured code can be told apart."""
    digest = hashlib.sha256()
    for path in sorted((HERE.parent / "sim" / "calibration").glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def replays_on_cpu(run: dict[str, Any]) -> float:
    """Share of the replays' time in their workers that the workers spent on the CPU (less than
    1 when other processes took turns on the cores)."""
    phases = [run["phases"][p] for p in ("matching", "check_replays")]
    return sum(p["worker_cpu_s"] for p in phases) / sum(p["worker_busy_s"] for p in phases)


def summary_line(fig: dict[str, Any]) -> str:
    """One size's runs in a line each."""
    lines = []
    for run in fig["runs"]:
        ph, h = run["phases"], run["holdout"]
        lines.append(
            f"{fig['size']} ({run['customers']:,} customers), run {run['run']}"
            f"{' (first in process)' if run['first_in_process'] else ''}: "
            f"{run['wall_s']:.1f} s against {TARGET_S:.0f} s; read {ph['read']['wall_s']:.1f}, "
            f"fit {ph['fit']['wall_s']:.1f}, matching {ph['matching']['wall_s']:.1f} "
            f"({ph['matching']['steps']} steps, {ph['matching']['replays']} replays), check "
            f"{ph['check_replays']['wall_s']:.1f} ({ph['check_replays']['replays']} replays), "
            f"tables {ph['tables']['wall_s']:.1f}; holdout error simulated "
            f"{h['simulated_error']:+.1%}, model {h['model_error']:+.1%}; replays on the CPU "
            f"{replays_on_cpu(run):.0%} of their time"
        )
    if "background" in fig:
        bg = fig["background"]
        lines.append(
            f"  other processes meanwhile: {bg['mean_cores_other_processes_nice_0']:.2f} cores at "
            f"niceness 0, {bg['mean_cores_other_processes_niced']:.2f} niced (mean of "
            f"{bg['samples']} samples)"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run every size in a fresh process, print a line per run and write the JSON.

    Parameters
    ----------
    argv
        Command-line arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status: 1 if a size failed, else 0.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--size", action="append", choices=SIZES, help="default: both")
    parser.add_argument("--repeats", type=int, default=2, help="runs per size (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="local processes (default 2)")
    parser.add_argument("--verify", action="store_true", help="also run sim.calibrate once")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write figures as JSON")
    parser.add_argument("--one", choices=SIZES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:  # the child: one size, figures as JSON on stdout
        print(json.dumps(measure(args.one, args.repeats, args.workers, args.verify)))
        return 0

    started = datetime.now(UTC)
    figures: dict[str, Any] = {
        "date": started.strftime("%Y-%m-%d %H:%M UTC"),
        "settings": {
            "until": UNTIL,
            "holdout_until": HOLDOUT_UNTIL,
            "seed": SEED,
            "workers": args.workers,
            "executor": "processes",
            "model": "bgnbd",
            "method": "map",
            "time_losses": "fold",
            "repeats": args.repeats,
        },
        "target": {"wall_s": TARGET_S, "customers": TARGET_CUSTOMERS, "cores": 2},
        "load_average_before": load_average(),
        "machine": {
            **machine_info(),
            "pandas": pd.__version__,
            **{
                name: _version(name)
                for name in ("pymc", "pymc_marketing", "pymc_extras", "pytensor", "numba")
            },
        },
        "source": {**source_revision(), "calibration_sha256": calibration_sources()},
        "sizes": [],
    }
    failed = False
    for size in args.size or list(SIZES):
        background = BackgroundLoad()
        log(f"{size}: in a fresh process")
        command = [sys.executable, __file__, "--one", size, "--repeats", str(args.repeats)]
        command += ["--workers", str(args.workers)] + (["--verify"] if args.verify else [])
        with background:
            child = subprocess.run(command, stdout=subprocess.PIPE, text=True)
        if child.returncode:
            log(f"{size} failed (exit status {child.returncode})")
            failed = True
            continue
        fig = json.loads(child.stdout.strip().splitlines()[-1])
        fig["background"] = {**background.summary(), "each_sample": background.samples}
        figures["sizes"].append(fig)
        print(summary_line(fig), flush=True)
    figures["load_average_after"] = load_average()
    figures["finished"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=1, default=str) + "\n")
    return 1 if failed else 0


def _version(module: str) -> str | None:
    """A package's version, without importing it."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(module.replace("_", "-"))
    except PackageNotFoundError:
        return None


if __name__ == "__main__":
    sys.exit(main())
