"""A run's charts drawn in worker processes, started before the run so that they are ready
(matplotlib and the charts imported) when it ends.

Drawing and saving the charts of a run (PNG and SVG each) is the largest part of
``loyalsim run`` outside the simulation: about 1.8 s one after the other. The simulation uses
one core; the workers load matplotlib on another while it runs, then draw the charts in
parallel while this process writes the tables. The files are the same as drawn in one process
(``tests/test_report.py``), and this process never loads matplotlib.
"""

from __future__ import annotations

from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from sim.processes import end_with_parent, start_context

WORKERS = 2
"""Chart workers: two draw a run's charts in about half the time (the longest chart, the
monthly losses, takes a quarter of the total)."""


def _ready() -> None:
    """A worker's start: end with the parent; load matplotlib and the charts now."""
    end_with_parent()
    import sim.report.charts  # noqa: F401


def _chart_names() -> tuple[str, ...]:
    from sim.report.charts import RUN_CHARTS

    return tuple(RUN_CHARTS)


def _draw(name: str, result: Any, folder: Path) -> list[Path] | None:
    """One chart of :data:`sim.report.charts.RUN_CHARTS`, drawn and saved; None where it does
    not apply to the run."""
    from sim.report.charts import RUN_CHARTS
    from sim.report.style import save_charts

    return save_charts({name: RUN_CHARTS[name]}, result, folder).get(name)


class PendingCharts:
    """Charts being drawn; :meth:`result` waits for them."""

    def __init__(self, futures: dict[str, Future] | None = None, done: dict | None = None):
        self._futures = futures or {}
        self._done = done

    def result(self) -> dict[str, list[Path]]:
        """The written files of each chart that applies, by chart name in the order of
        ``RUN_CHARTS``; a chart's error propagates."""
        if self._done is None:
            written = {name: future.result() for name, future in self._futures.items()}
            self._done = {name: paths for name, paths in written.items() if paths is not None}
        return self._done


class ChartWorkers:
    """Worker processes that draw a run's charts; a context manager. Start it before the
    simulation, so the workers are ready when it ends.

    Parameters
    ----------
    workers
        Processes to start (default :data:`WORKERS`, at most the cores available). With fewer
        than two, charts are drawn in this process when asked for.
    """

    def __init__(self, workers: int | None = None) -> None:
        from sim.experiments.executors import cores

        workers = min(WORKERS if workers is None else workers, cores())
        self.pool: ProcessPoolExecutor | None = None
        self._names: Future | None = None
        if workers >= 2:
            self.pool = ProcessPoolExecutor(
                max_workers=workers, mp_context=start_context(), initializer=_ready
            )
            self._names = self.pool.submit(_chart_names)  # starts every worker now

    def __enter__(self) -> ChartWorkers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the workers; charts being drawn are finished first."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def run_charts(self, result: Any, folder: str | Path) -> PendingCharts:
        """Start drawing every chart of ``RUN_CHARTS`` that applies to the run into
        ``folder`` (as :func:`sim.report.charts.run_charts`); returns at once."""
        if self.pool is None:
            from sim.report.charts import run_charts

            return PendingCharts(done=run_charts(result, folder))
        folder = Path(folder)
        return PendingCharts(
            {name: self.pool.submit(_draw, name, result, folder) for name in self._names.result()}
        )
