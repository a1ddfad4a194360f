"""Running replications: their seeds, their tasks on an executor, and the progress bar.

Replications run on an executor (``sim.experiments.executors``) and stream to a folder
(``sim.experiments.store``) one by one: memory stays flat, and an interrupted experiment resumes
where it stopped."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.engine import simulate
from sim.experiments.executors import EXECUTORS, run_tasks
from sim.experiments.store import (
    FolderWriteError,
    Store,
    flatten,
    save_replication,
    saved_runs,
)
from sim.scenario import Scenario

BASELINE = "none"
"""Name of the no-program arm of a comparison (DOMAIN P1, the natural baseline)."""

INDEPENDENT_ARM_STRIDE = 1_000_003
"""Without common random numbers, arm ``a`` takes replication seeds from ``a`` times this on:
beyond any experiment's runs (``experiment.runs`` <= 100,000), so no two arms share a seed."""


ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class Execution:
    """How an experiment's replications run and where they go: the keywords every experiment
    function takes (``replicate``, ``compare``, ``sweep``, ``sensitivity``), gathered where
    they are handed down, so that the layers below take one argument instead of four.

    Attributes
    ----------
    executor
        ``"processes"`` (every core), ``"serial"``, or a Dask scheduler address or
        ``distributed.Client`` (``sim.experiments.executors``). Results are identical on every
        executor.
    workers
        Local processes (default: every core).
    out
        Folder the replications stream to (``sim.experiments.store``); the same folder again
        resumes. None: a temporary folder, removed afterwards.
    progress
        True for a progress bar with the time left, or a callback ``progress(done, total)``.
    """

    executor: Any = "processes"
    workers: int | None = None
    out: str | Path | None = None
    progress: bool | ProgressCallback = False


LABELS = ("arm", "point", "replication", "seed", "day")
"""Columns of the collected tables that say which replication and day a row is."""


def replication_seed(seed: int, replication: int) -> int:
    """The seed of replication ``replication`` of an experiment seeded with ``seed``.

    Derived through ``numpy.random.SeedSequence((seed, replication))``, so replications are
    independent and an experiment of 30 runs holds the first 30 runs of one of 1,000.
    """
    state = np.random.SeedSequence((int(seed), int(replication))).generate_state(2, np.uint32)
    return (int(state[0]) & 0x7FFFFFFF) << 32 | int(state[1])  # 63 bits: fits int64 columns


def simulate_replication(
    scenario: Scenario, seed: int, keep_daily: bool, runs: Path | None = None, key: str = ""
) -> tuple[dict[str, Any], pd.DataFrame | None] | None:
    """One replication, as an executor runs it.

    With ``runs`` (a local folder) the worker files the replication itself and returns None;
    otherwise (a remote Dask worker) it returns the flattened summary and the daily table.
    """
    result = simulate(scenario, seed=seed)
    row, daily = flatten(result.summary), (result.daily if keep_daily else None)
    if runs is None:
        return row, daily
    save_replication(runs, key, row, daily)
    return None


@dataclass(frozen=True)
class ReplicationTask:
    """One replication to run: its key in the folder, the label columns that identify it in
    the collected tables, and the scenario and seed it simulates."""

    key: str
    label: dict[str, Any]
    scenario: Scenario
    seed: int


@contextmanager
def experiment_folder(
    kind: str, scenario: Scenario, seed: int, runs: int | str, out: str | Path | None, **manifest
) -> Iterator[Store]:
    """The experiment's :class:`~sim.experiments.store.Store`, its folder described by ``kind``,
    ``seed``, ``runs``, the scenario and ``manifest``'s extra items (``experiment.json``); a
    folder holding another experiment is refused. Without ``out`` the replications go to a
    temporary folder, removed when the block ends (or fails: there is nothing to resume from
    it)."""
    with (
        tempfile.TemporaryDirectory(prefix="loyalsim-") if out is None else nullcontext(out)
    ) as folder:
        yield Store(
            folder,
            {
                "kind": kind,
                "seed": seed,
                "runs": runs,
                "scenario": scenario.model_dump(mode="json"),
                **manifest,
            },
        )


class ExperimentWriteError(FolderWriteError):
    """The experiment's folder could not be written while its runs streamed into it (a full
    disk, a folder that cannot be written).

    Besides the ``errno``, ``strerror`` (the system's reason) and ``filename`` of the write
    that failed, it holds the experiment's ``folder`` and the replications ``saved`` there
    before, which are intact; ``resume`` says how to go on (the command line sets the command
    the user ran).
    """

    def __init__(self, folder: Path, saved: int, errno: int | None, reason: str, filename: str):
        super().__init__(errno, reason, filename)
        self.folder, self.saved = folder, saved
        self.resume = "the same experiment with the same folder"

    def __reduce__(self) -> tuple:
        return (
            type(self),
            (self.folder, self.saved, self.errno, self.strerror, self.filename),
            {"resume": self.resume},
        )

    def __str__(self) -> str:
        saved = f"{self.saved} replication{'s' if self.saved != 1 else ''}"
        return (
            f"{self.folder}: {self.strerror} (writing {self.filename}). The {saved} saved in "
            "this experiment folder before are intact; once the folder can be written again, "
            f"{self.resume} resumes from them"
        )


def run_pending(
    store: Store,
    tasks: list[ReplicationTask],
    *,
    keep_daily: bool,
    execution: Execution,
    report: Callable[[int], None],
) -> None:
    """Run the tasks not yet finished in the store's folder; ``report(1)`` after each.

    Raises
    ------
    ExperimentWriteError
        If a replication's files cannot be written; those written before are kept.
    """
    finished = store.finished(keep_daily)
    todo = [t for t in tasks if t.key not in finished]
    executor = execution.executor
    local = store.runs if executor in EXECUTORS else None  # local workers write their own files
    args = [(t.key, (t.scenario, t.seed, keep_daily, local, t.key)) for t in todo]
    try:
        for key, result in run_tasks(simulate_replication, args, executor, execution.workers):
            if result is None:
                store.record(str(key))
            else:
                store.save(str(key), *result)
            report(1)
    except FolderWriteError as exc:
        saved = saved_runs(store.folder)
        raise ExperimentWriteError(
            store.folder, saved, exc.errno, exc.strerror, exc.filename
        ) from exc


@contextmanager
def run_experiment(
    kind: str,
    scenario: Scenario,
    seed: int,
    runs: int,
    tasks: list[ReplicationTask],
    *,
    keep_daily: bool,
    execution: Execution,
    **manifest: Any,
) -> Iterator[Store]:
    """Run the tasks not yet finished in the experiment's folder (``experiment_folder``),
    collect every result in task order, and yield the folder's store to read them from."""
    with experiment_folder(kind, scenario, seed, runs, execution.out, **manifest) as store:
        done = len(store.finished(keep_daily) & {t.key for t in tasks})
        report = ProgressReport(execution.progress, f"{kind} {scenario.name}", len(tasks), done)
        try:
            run_pending(store, tasks, keep_daily=keep_daily, execution=execution, report=report)
        finally:
            report.close()
        store.collect([t.key for t in tasks], [t.label for t in tasks], keep_daily)
        yield store


def run_until_settled(
    store: Store,
    tasks: Callable[[int], list[ReplicationTask]],
    first: int,
    most: int,
    batch: int,
    unsettled: Callable[[int], list[str]] | None,
    *,
    keep_daily: bool,
    execution: Execution,
    description: str,
) -> int:
    """Run ``tasks(first)``, then ``tasks(n)`` for ``n`` growing by ``batch`` while
    ``unsettled(n)`` names what the ``n`` runs so far leave open, up to ``most`` runs (without
    ``unsettled``, ``first`` runs only). Returns the runs made. ``tasks(n)`` is every task of the
    first ``n`` replications (the finished ones are skipped), so the same call on the same folder
    resumes and reaches the same decisions."""
    count = first
    done = len(store.finished(keep_daily) & {t.key for t in tasks(count)})
    report = ProgressReport(execution.progress, description, len(tasks(count)), done)
    try:
        while True:
            run_pending(
                store, tasks(count), keep_daily=keep_daily, execution=execution, report=report
            )
            if unsettled is None or count >= most:
                return count
            still = unsettled(count)
            if not still:
                return count
            count = min(most, count + batch)
            report.extend(len(tasks(count)), f"{description} (unsettled: {', '.join(still)})")
    finally:
        report.close()


class ProgressReport:
    """Progress of an experiment's replications: a callback ``progress(done, total)``, a
    progress bar in the terminal (``progress=True``), or nothing.

    ``report(n)`` advances by ``n`` replications; ``extend(total, description)`` sets a new
    total and description (an experiment that decides its runs as it goes);
    ``close()`` ends the display.
    """

    def __init__(self, progress: bool | ProgressCallback, description: str, total: int, done: int):
        self.callback = progress if callable(progress) else None
        self.done, self.total = done, total
        self.bar = None
        if progress and self.callback is None:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self.bar = Progress(
                TextColumn("{task.description}", markup=False),  # names are the user's text
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("left"),
                TimeRemainingColumn(),
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task(description, total=total, completed=done)

    def __call__(self, n: int) -> None:
        self.done += n
        if self.callback is not None:
            self.callback(self.done, self.total)
        elif self.bar is not None:
            self.bar.advance(self.task, n)

    def extend(self, total: int, description: str | None = None) -> None:
        """A new total (and description) of the replications to run."""
        self.total = total
        if self.bar is not None:
            self.bar.update(self.task, total=total, description=description)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
