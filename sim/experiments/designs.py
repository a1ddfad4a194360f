"""Sweeps and global sensitivity analysis over dotted-path scenario parameters.

``sweep`` runs a design of points (a full grid, a Latin hypercube or plain random points) and
returns a tidy table of inputs and outputs. ``sensitivity`` estimates how much of an output's
variance each parameter explains (Sobol' indices, Saltelli 2002; Jansen 1999) or screens
parameters by their elementary effects (Morris 1991; Campolongo, Cariboni & Saltelli 2007),
with SALib, the maintained Python implementation of both, and adds the one-at-a-time swings of
a tornado chart.

Every point runs the same replication seeds (common random numbers across points), so that
differences between points come from the parameters, not from luck.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.experiments.bands import retention_rates
from sim.experiments.estimates import mean_interval
from sim.experiments.runner import (
    Execution,
    ProgressCallback,
    ReplicationTask,
    replication_seed,
    run_experiment,
)
from sim.results import summary_figures
from sim.scenario import Scenario
from sim.scenario.fields import did_you_mean, integer_at_least

DESIGNS = ("grid", "lhs", "random")
"""Sweep designs: full factorial grid, Latin hypercube (McKay, Beckman & Conover 1979), random."""
METHODS = ("sobol", "morris")
"""Global sensitivity methods."""


def _typed(value: Any, current: Any) -> Any:
    """A sampled value in the parameter's own type (integers are rounded)."""
    if isinstance(current, bool) or not isinstance(current, int):
        return value.item() if isinstance(value, np.generic) else value
    return round(float(value))


def _sampled_points(scenario: Scenario, names: list[str], values: np.ndarray) -> pd.DataFrame:
    """Sampled parameter values, one row per point, each column in its field's own type."""
    frame = pd.DataFrame(values, columns=names)
    for path in names:
        current = scenario.value_at(path)
        frame[path] = [_typed(v, current) for v in frame[path]]
    return frame


def design_points(
    scenario: Scenario,
    parameters: dict[str, Sequence[Any]],
    design: str = "grid",
    points: int | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """The points of a sweep design, one row per point, one column per parameter.

    Parameters
    ----------
    parameters
        For ``grid``: the values of each parameter (any type, e.g. program names). For
        ``lhs`` and ``random``: the ``[low, high]`` range of each parameter; integer fields
        get rounded values.
    design
        ``grid`` (every combination), ``lhs`` (Latin hypercube, ``points`` rows, each
        parameter's range cut into ``points`` strata hit once) or ``random`` (uniform).
    points
        Rows of an ``lhs`` or ``random`` design (required for them).
    seed
        Seed of the ``lhs`` and ``random`` draws.

    Raises
    ------
    ValueError
        With the parameter named, for an unknown design, a missing ``points``, or a range that
        is not two increasing numbers.
    """
    if design not in DESIGNS:
        raise ValueError(f"design = {design!r}; allowed: {', '.join(DESIGNS)}")
    if not parameters:
        raise ValueError("give at least one parameter to vary")
    for path in parameters:
        scenario.value_at(path)  # a path that names no field is refused before any run
    if design == "grid":
        values = [list(v) for v in parameters.values()]
        for path, v in zip(parameters, values, strict=True):
            if not v:
                raise ValueError(f"{path}: give at least one value")
        rows = list(itertools.product(*values))
        return pd.DataFrame(rows, columns=list(parameters))
    if not isinstance(points, int) or points < 1:
        raise ValueError(
            f"points = {points!r}: a {design} design needs a positive number of points"
        )
    bounds = np.array([_bounds(path, v) for path, v in parameters.items()], dtype=float)
    if design == "lhs":
        from scipy.stats import qmc  # imported when needed: scipy.stats is slow to load

        unit = qmc.LatinHypercube(d=len(parameters), seed=np.random.default_rng(seed)).random(
            points
        )
    else:
        unit = np.random.default_rng(seed).random((points, len(parameters)))
    scaled = bounds[:, 0] + unit * (bounds[:, 1] - bounds[:, 0])
    return _sampled_points(scenario, list(parameters), scaled)


def _bounds(path: str, spec: Sequence[Any]) -> tuple[float, float]:
    try:
        low, high = (float(x) for x in spec)
    except (TypeError, ValueError):
        raise ValueError(
            f"{path}: give a range as two numbers [low, high] (got {spec!r})"
        ) from None
    if not low < high:
        raise ValueError(f"{path}: the range [{low}, {high}] must have low < high")
    return low, high


def _point_scenarios(scenario: Scenario, frame: pd.DataFrame) -> list[Scenario]:
    """The scenario at each point of a design (a value a field refuses is named here)."""
    return [scenario.with_overrides(values) for values in frame.to_dict("records")]


def _check_outputs(names: Sequence[str], scenarios: Sequence[Scenario]) -> None:
    """Refuse, before any run, an output that no point's runs would report.

    Raises
    ------
    ValueError
        Naming the first unknown output, the closest summary figure and every allowed one.
    """
    allowed = list(dict.fromkeys(f for sc in scenarios for f in summary_figures(sc)))
    for name in names:
        if not isinstance(name, str) or name not in allowed:
            raise ValueError(
                f"output = {name!r} is not a summary figure; "
                f"{did_you_mean(str(name), allowed)}allowed: {', '.join(allowed)}"
            )


def _run_points(
    scenario: Scenario,
    frame: pd.DataFrame,
    scenarios: Sequence[Scenario],
    runs: int,
    seed: int,
    kind: str,
    extra: dict[str, Any],
    execution: Execution,
) -> pd.DataFrame:
    """Run every point ``runs`` times (same seeds at every point); inputs and outputs, tidy.

    ``scenarios`` holds the scenario at each row of ``frame``. A run that went bankrupt
    reports a ``retention_rate`` of 0, as in ``compare``
    (``sim.experiments.bands.retention_rates``).
    """
    tasks = []
    for p, (values, point) in enumerate(zip(frame.to_dict("records"), scenarios, strict=True)):
        for i in range(runs):
            s = replication_seed(seed, i)
            label = {"point": p, **values, "replication": i, "seed": s}
            tasks.append(ReplicationTask(f"p{p:06d}-r{i:06d}", label, point, s))
    with run_experiment(
        kind,
        scenario,
        seed,
        runs,
        tasks,
        keep_daily=False,
        execution=execution,
        points=frame.to_dict("records"),
        **extra,
    ) as store:
        table = store.summary()
    if "retention_rate" in table:
        table["retention_rate"] = retention_rates(table)
    return table


@dataclass
class Sweep:
    """A sweep's results.

    Attributes
    ----------
    parameters
        The dotted paths varied.
    points
        The design: one row per point.
    table
        One row per point and replication: ``point``, the parameter values, ``replication``,
        ``seed`` and every summary figure (dotted names, as in ``Ensemble.summary``).
    means
        One row per point: the parameter values and, for every output asked, its mean and
        confidence interval over the replications (``profit``, ``profit_low``, ``profit_high``).
    scenario
        The scenario swept (its values at every parameter not varied).
    """

    parameters: list[str]
    points: pd.DataFrame
    table: pd.DataFrame
    means: pd.DataFrame
    scenario: Scenario | None = None


DEFAULT_OUTPUTS = ("profit", "lowest_cash", "bankrupt", "revenue", "retention_rate")
"""Outputs a sweep summarises per point unless told otherwise."""


def sweep(
    scenario: Scenario,
    parameters: dict[str, Sequence[Any]],
    *,
    design: str = "grid",
    points: int | None = None,
    runs: int = 1,
    seed: int = 0,
    outputs: Sequence[str] = DEFAULT_OUTPUTS,
    executor: Any = "processes",
    workers: int | None = None,
    out: str | Path | None = None,
    progress: bool | ProgressCallback = False,
) -> Sweep:
    """Run a scenario over a design of parameter values.

    Parameters
    ----------
    scenario
        The scenario; its active program stays in place unless a parameter changes it
        (``active_program`` can be swept like any other field).
    parameters
        Dotted paths and their values (``grid``) or ``[low, high]`` ranges (``lhs``,
        ``random``); see :func:`design_points`.
    design, points
        See :func:`design_points`.
    runs
        Replications per point (same seeds at every point).
    seed
        Seed of the design and of the replications.
    outputs
        Summary figures to average per point in ``means`` (``table`` keeps them all).
    executor, workers, out, progress
        How the replications run and where they go, the same in every experiment function:
        see :class:`~sim.experiments.runner.Execution` (default: every core, a temporary
        folder, no progress bar; the same ``out`` again resumes).
    """
    frame = design_points(scenario, parameters, design, points, seed)
    runs = integer_at_least("runs", runs, 1)
    if isinstance(outputs, str):
        raise ValueError(f"outputs = {outputs!r}: give a list of summary figures, e.g. ['profit']")
    scenarios = _point_scenarios(scenario, frame)
    _check_outputs(outputs, scenarios)
    table = _run_points(
        scenario,
        frame,
        scenarios,
        runs,
        seed,
        "sweep",
        {"design": design},
        Execution(executor, workers, out, progress),
    )
    level = scenario.experiment.confidence
    rows = []
    for p, part in table.groupby("point", sort=True):
        row = {"point": p, **{k: part[k].iloc[0] for k in parameters}}
        for name in outputs:
            e = mean_interval(part[name].astype(float), level)
            row.update(e.as_dict(name))
        rows.append(row)
    return Sweep(list(parameters), frame, table, pd.DataFrame(rows), scenario)


@dataclass
class Sensitivity:
    """A global sensitivity analysis of one output.

    Attributes
    ----------
    method
        ``sobol`` or ``morris``.
    output
        The summary figure analysed.
    indices
        One row per parameter. Sobol': ``S1`` (first-order index: the share of the output's
        variance the parameter explains alone), ``ST`` (total index: alone and through
        interactions) and their ``_conf`` half-widths. Morris: ``mu_star`` (mean absolute
        elementary effect: overall influence), ``sigma`` (spread: non-linearity or
        interactions), ``mu_star_conf``.
    tornado
        One row per parameter, largest swing first: the output at the parameter's low and high
        end with every other parameter at the scenario's value, ``swing`` (their distance) and
        ``base`` (the output at the scenario's values), for a tornado chart.
    samples
        The model runs: parameter values and the output, one row per run.
    scenario
        The scenario analysed (its values at every parameter not varied, and the base).
    """

    method: str
    output: str
    indices: pd.DataFrame
    tornado: pd.DataFrame
    samples: pd.DataFrame
    scenario: Scenario | None = None


def sensitivity(
    scenario: Scenario,
    parameters: dict[str, Sequence[float]],
    output: str = "profit",
    *,
    method: str = "sobol",
    samples: int = 64,
    runs: int = 1,
    seed: int = 0,
    executor: Any = "processes",
    workers: int | None = None,
    out: str | Path | None = None,
    progress: bool | ProgressCallback = False,
) -> Sensitivity:
    """Global sensitivity of one summary figure to parameters varied over ranges.

    Parameters
    ----------
    parameters
        Dotted paths and their ``[low, high]`` ranges.
    output
        A summary figure (``profit``, ``lowest_cash``, ``program.points.liability``, ...).
    method
        ``sobol``: Saltelli's sampling, ``samples * (d + 2)`` points for ``d`` parameters
        (a power of two for ``samples`` keeps the Sobol' sequence balanced). ``morris``:
        ``samples`` trajectories of ``d + 1`` points on a 4-level grid; far cheaper, ranks
        parameters without apportioning variance.
    samples
        Base sample size (Sobol') or trajectories (Morris).
    runs
        Replications per point, averaged (the model is stochastic; more runs cut the noise the
        indices would otherwise attribute to the parameters).
    seed
        As for :func:`sweep`.
    executor, workers, out, progress
        How the replications run and where they go, the same in every experiment function:
        see :class:`~sim.experiments.runner.Execution` (default: every core, a temporary
        folder, no progress bar; the same ``out`` again resumes).
    """
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    if method not in METHODS:
        raise ValueError(f"method = {method!r}; allowed: {', '.join(METHODS)}")
    samples = integer_at_least("samples", samples, 2)
    runs = integer_at_least("runs", runs, 1)
    if not parameters:
        raise ValueError("give at least one parameter to vary")
    names = list(parameters)
    bounds = [list(_bounds(path, spec)) for path, spec in parameters.items()]
    problem = {"num_vars": len(names), "names": names, "bounds": bounds}
    if method == "sobol":
        unit = sobol_sample.sample(problem, samples, calc_second_order=False, seed=seed)
    else:
        unit = morris_sample.sample(problem, samples, num_levels=4, seed=seed)
    current = {path: scenario.value_at(path) for path in names}
    sampled = _sampled_points(scenario, names, unit)
    # One-at-a-time ends for the tornado chart, and the scenario itself as the base.
    ends = [
        {**current, path: _typed(value, current[path])}
        for path, (low, high) in zip(names, bounds, strict=True)
        for value in (low, high)
    ]
    frame = pd.concat([sampled, pd.DataFrame([*ends, current])], ignore_index=True)
    scenarios = _point_scenarios(scenario, frame)
    _check_outputs([output], scenarios)
    table = _run_points(
        scenario,
        frame,
        scenarios,
        runs,
        seed,
        "sensitivity",
        {"method": method},  # not the output: a corrected output name reuses the runs
        Execution(executor, workers, out, progress),
    )
    y = table.groupby("point", sort=True)[output].mean().to_numpy(dtype=float)
    n = len(sampled)
    level = scenario.experiment.confidence  # of the indices' bootstrap intervals
    if method == "sobol":
        # SALib's Sobol' analysis draws its bootstrap unseeded when given seed 0 (it tests
        # ``if seed``), so its intervals would change from call to call: never give it 0.
        found = sobol_analyze.analyze(
            problem, y[:n], calc_second_order=False, conf_level=level, seed=seed + 1
        )
        indices = pd.DataFrame(
            {k: np.asarray(found[k]) for k in ("S1", "S1_conf", "ST", "ST_conf")}, index=names
        )
    else:
        found = morris_analyze.analyze(
            problem, unit, y[:n], num_levels=4, conf_level=level, seed=seed
        )
        indices = pd.DataFrame(
            {k: np.asarray(found[k]) for k in ("mu_star", "mu_star_conf", "sigma")}, index=names
        )
    indices = indices.rename_axis("parameter").reset_index()
    base = float(y[-1])
    tornado = pd.DataFrame(
        {
            "parameter": names,
            "low": [b[0] for b in bounds],
            "high": [b[1] for b in bounds],
            "output_at_low": y[n : n + 2 * len(names) : 2],
            "output_at_high": y[n + 1 : n + 2 * len(names) : 2],
        }
    )
    tornado["swing"] = (tornado["output_at_high"] - tornado["output_at_low"]).abs()
    tornado["base"] = base
    tornado = tornado.sort_values("swing", ascending=False, ignore_index=True)
    samples_table = sampled.assign(**{output: y[:n]})
    return Sensitivity(method, output, indices, tornado, samples_table, scenario)
