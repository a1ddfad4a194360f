"""Where an experiment's replications run: in this process, in local processes, or on Dask.

Every executor runs the same task function on the same arguments, and each replication's
result depends only on its arguments (its scenario and seed), so results are identical on every
executor; only the order in which they arrive differs, and the experiment files them by key.

- ``"serial"``: one after the other in this process (debugging, notebooks, tiny runs).
- ``"processes"`` (the default): a pool of local processes, one per core.
- a Dask scheduler address (``"tcp://host:8786"``) or a ``distributed.Client``: a Dask cluster,
  for experiments that outgrow one machine (Dask is installed with ``pip install
  loyalsim[distributed]``).

A worker that dies (killed, out of memory) is replaced and its replications run again; a task
that kills its worker more than ``retries`` times stops the experiment with a clear error rather
than being dropped, and what finished before is kept on disk. Local workers leave Ctrl-C to the
calling process, which ends them at once when interrupted (or when it stops reading results),
and they end by themselves if it dies.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from sim.processes import start_context, start_worker
from sim.scenario.fields import integer_at_least

EXECUTORS = ("serial", "processes")
RECYCLE_AFTER = 50
"""Tasks per local worker before the pool is replaced by a fresh one: a long-lived Python
process keeps the high-water mark of its heap, so workers are renewed to keep memory flat
however many replications an experiment runs."""
"""Named executors; a Dask scheduler address or client is the third kind."""

Task = tuple[Hashable, tuple]
"""A task: its key and the arguments of the task function."""


class ExecutorError(RuntimeError):
    """A task failed on every attempt, or a Dask executor is not installed."""


def cores() -> int:
    """Cores this process may use (the affinity mask where the platform has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


def run_tasks(
    fn: Callable[..., Any],
    tasks: Sequence[Task],
    executor: Any = "processes",
    workers: int | None = None,
    retries: int = 2,
) -> Iterator[tuple[Hashable, Any]]:
    """Run ``fn(*args)`` for every task; yield ``(key, result)`` as each finishes.

    Parameters
    ----------
    fn
        A module-level function (it is pickled to the workers).
    tasks
        ``(key, args)`` pairs.
    executor
        ``"serial"``, ``"processes"``, a Dask scheduler address (``"tcp://..."``) or a
        ``distributed.Client``.
    workers
        Local processes (default: every core); ignored by the other executors.
    retries
        Times a task is run again after its worker died, before the experiment stops.

    Raises
    ------
    ValueError
        If the executor is unknown, or ``workers`` is not an integer of at least 1.
    ExecutorError
        If a task failed on every attempt.
    """
    if workers is not None:
        workers = integer_at_least("workers", workers, 1)
    if not tasks:
        return iter(())
    if executor == "serial":
        return ((key, fn(*args)) for key, args in tasks)
    if executor == "processes":
        return _run_in_processes(fn, tasks, workers or cores(), retries)
    if (isinstance(executor, str) and "://" in executor) or _is_dask_client(executor):
        return _run_on_dask(fn, tasks, executor, retries)
    raise ValueError(
        f"executor = {executor!r} is not known; allowed: 'serial', 'processes', a Dask "
        "scheduler address such as 'tcp://127.0.0.1:8786', or a distributed.Client"
    )


def _run_in_processes(
    fn: Callable[..., Any], tasks: Sequence[Task], workers: int, retries: int
) -> Iterator[tuple[Hashable, Any]]:
    """A local process pool, with at most two tasks per worker in flight (flat memory).

    After ``RECYCLE_AFTER`` tasks per worker the pool is drained and replaced. When a worker
    dies, every task then in flight is a suspect: suspects rerun one at a time,
    so the task that kills its worker is known and charged an attempt; the others just finish.

    Workers start as ``sim.processes.start_context`` says (forked where the platform can),
    ignore Ctrl-C and end when this process dies (``sim.processes.start_worker``). When this
    process is interrupted (``KeyboardInterrupt``) or stops reading the results, the workers
    are ended at once rather than left to finish their tasks: a replication they were writing
    is under a temporary name, so nothing finished is lost.
    """
    context = start_context()
    pending = list(reversed(tasks))
    window = 2 * workers
    attempts: dict[Hashable, int] = {}
    suspects: list[Task] = []  # in flight when a worker died: rerun one at a time
    while pending or suspects:
        pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=start_worker
        )
        running: dict[Future, Task] = {}
        interrupted: list[Task] = []
        abandoned = False  # Ctrl-C, or the caller stopped reading: end the workers now
        isolating = False  # a suspect is running alone
        budget = RECYCLE_AFTER * workers  # then a fresh pool: worker memory stays flat
        try:
            while ((pending and budget > 0) or suspects or running) and not interrupted:
                if suspects and not running:
                    task = suspects.pop()
                    running[pool.submit(fn, *task[1])] = task
                    isolating = True
                while (
                    pending
                    and budget > 0
                    and not suspects
                    and not isolating
                    and len(running) < window
                ):
                    task = pending.pop()
                    running[pool.submit(fn, *task[1])] = task
                    budget -= 1
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    task = running.pop(future)
                    isolating = False
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        interrupted.append(task)
                        continue
                    yield task[0], result
        except (KeyboardInterrupt, GeneratorExit):
            abandoned = True
            _end_workers(pool)
            raise
        finally:
            pool.shutdown(wait=not (interrupted or abandoned), cancel_futures=True)
        if interrupted:
            interrupted.extend(running.values())
            if len(interrupted) == 1:
                # Alone in flight: this task killed its worker.
                key = interrupted[0][0]
                attempts[key] = attempts.get(key, 0) + 1
                if attempts[key] > retries:
                    raise ExecutorError(
                        f"the worker process died running {key!r} on {retries + 1} "
                        "attempts; finished replications are kept"
                    )
            suspects.extend(reversed(interrupted))


def _end_workers(pool: ProcessPoolExecutor) -> None:
    """End a pool's worker processes now, whatever they are running (``SIGTERM``)."""
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14 and later
    if terminate is not None:  # pragma: no cover - depends on the Python version
        terminate()
        return
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()


def _is_dask_client(executor: Any) -> bool:
    return type(executor).__name__ == "Client" and type(executor).__module__.startswith(
        "distributed"
    )


def _run_on_dask(
    fn: Callable[..., Any], tasks: Sequence[Task], executor: Any, retries: int
) -> Iterator[tuple[Hashable, Any]]:
    """A Dask cluster. The scheduler itself reruns the tasks of a worker that died (up to its
    ``distributed.scheduler.allowed-failures``); ``retries`` reruns a task that raised."""
    try:
        from distributed import Client, as_completed
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ExecutorError(
            "a Dask executor needs the distributed package: pip install 'loyalsim[distributed]'"
        ) from exc
    try:
        client = executor if _is_dask_client(executor) else Client(executor, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise ExecutorError(f"cannot reach the Dask scheduler at {executor}: {exc}") from None
    try:
        keys = {}
        futures = []
        for key, args in tasks:
            future = client.submit(fn, *args, pure=False, retries=retries)
            keys[future.key] = key
            futures.append(future)
        for future, result in as_completed(futures, with_results=True):
            yield keys[future.key], result
            future.release()
    finally:
        if client is not executor:
            client.close()
