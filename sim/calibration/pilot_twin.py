"""Fit a pilot's response by simulated twins: the visit lift and the churn cut that, stated in
the scenario, make the engine's own pilot look like the real one.

The direct fit (``sim.calibration.pilot``) measures what the program did to its members'
visits and to their activity at the end of the pilot. Each figure carries both effects: a
member who stays longer also makes more visits in the window, and one who visits more is more
often seen active at the end. So the visit lift it measures is not the ``visit_lift`` to state
in the scenario, and the change in activity is not a ``churn_cut``.

The fit by simulation separates them (indirect inference, Gourieroux, Monfort & Renault 1993).
The scenario's market runs the same pilot (same design, same windows, customers split at random
into offered and not offered, ``sim.calibration.synthetic.pilot_table``) with a stated response
``(visit_lift, churn_cut)``; the same estimator reads the twin pilot; the response is moved
until the twin's two figures (visit lift, change in inactive share) equal the real pilot's. The
twins' mapping from response to figures is measured on common random numbers (the same seeds at
every response), from one base point and one step along each parameter, and inverted by a
Newton step; the slope is corrected along each step taken (Broyden's update), and a further
step is taken when the twin's figures still miss the pilot's by more than their bootstrap
spread allows (at most two); the last miss is closed by a linear step. Any bias of the simple
estimator (exposure, dropout during the window) is in the twin too, so it cancels.

Intervals carry both the pilot's sampling doubt and the twins': each bootstrap resample of the
pilot, less a resample of the twins at the fitted response, is mapped back through the inverted
slope. The slope's own noise is not carried (it is measured on common random numbers, with
several twins). The twins stand for the pilot's customers only as far as the scenario does: fit
the customers' traits first (``loyalsim calibrate``), then the response.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.calibration.pilot import PilotFit, check_pilot, fit_pilot
from sim.calibration.synthetic import pilot_table
from sim.experiments.break_even import NO_RESPONSE
from sim.scenario import Scenario, field_limits

MOMENTS = ("visit_lift", "inactive_change")
"""The pilot's figures the twins are matched on."""

PARAMETERS = ("visit_lift", "churn_cut")
"""The stated response fitted, ``program_response.<name>``."""

BASKET = "program_response.basket_lift"
"""Kept as the pilot measured it: spend per visit carries neither visits nor dropout."""

STEPS = np.array([0.2, 0.6])
"""The step along each parameter at which the twins' slope is measured: 20 points of visit
lift, 60% of churn cut; large enough to stand out of the twins' noise on common numbers."""

MEANINGS = {
    "visit_lift": "members' purchase rate, against the same members without the program: "
    "the scenario's program_response.visit_lift",
    "churn_cut": "relative cut in members' dropout (negative: they leave sooner): the "
    "scenario's program_response.churn_cut",
}


@dataclass
class TwinFit:
    """A response fitted by simulated twins.

    Attributes
    ----------
    table
        One row per parameter (:data:`PARAMETERS`): ``estimate``, ``low``, ``high`` (percentile
        interval over the bootstrap), ``meaning``.
    matched
        One row per figure (:data:`MOMENTS`): the pilot's, the twins' at the fitted response,
        and the bootstrap standard error of their difference.
    joined_share
        The twins' take-up at the fitted response, to set beside the pilot's.
    runs
        Twin pilots run.
    """

    table: pd.DataFrame
    matched: pd.DataFrame
    joined_share: float
    runs: int

    def value(self, parameter: str) -> float:
        return float(self.table.set_index("figure").loc[parameter, "estimate"])


def twin_scenario(scenario: Scenario, response: np.ndarray, basket_lift: float) -> Scenario:
    """The scenario stating ``response`` (:data:`PARAMETERS`) and the basket lift, with the
    modelled response to the deal off."""
    overrides: dict[str, object] = dict(NO_RESPONSE)
    overrides.update(
        {f"program_response.{n}": float(v) for n, v in zip(PARAMETERS, response, strict=True)}
    )
    overrides[BASKET] = basket_lift
    return scenario.with_overrides(overrides)


def _twins(
    scenario: Scenario,
    program: str,
    response: np.ndarray,
    basket_lift: float,
    launch_day: int,
    window_days: int,
    twins: int,
    seed: int,
    resamples: int,
) -> list[PilotFit]:
    sc = twin_scenario(scenario, response, basket_lift)
    return [
        fit_pilot(
            check_pilot(pilot_table(sc, program, launch_day, window_days, seed=seed + k)),
            window_days=window_days,
            resamples=resamples,
            seed=seed + k,
        )
        for k in range(twins)
    ]


def _moments(fits: list[PilotFit]) -> np.ndarray:
    return np.array([np.mean([f.value(m) for f in fits]) for m in MOMENTS])


def _clip(response: np.ndarray) -> np.ndarray:
    """The response within what a scenario allows for each parameter."""
    return np.array(
        [
            np.clip(v, *field_limits(f"program_response.{n}"))
            for n, v in zip(PARAMETERS, response, strict=True)
        ]
    )


def _secant_update(slope: np.ndarray, step: np.ndarray, change: np.ndarray) -> np.ndarray:
    """The slope corrected along ``step`` to the change it was seen to make (Broyden 1965):
    the twins' figures bend with the churn cut, so the slope between the last two responses
    tried is nearer the truth near the fit than the one measured at the start. Steps shorter
    than half of :data:`STEPS` leave it as it was: their change is mostly the twins' noise."""
    if np.linalg.norm(step / STEPS) < 0.5:
        return slope
    return slope + np.outer(change - slope @ step, step) / (step @ step)


def fit_by_twins(
    scenario: Scenario,
    program: str,
    pilot: PilotFit,
    window_days: int,
    launch_day: int | None = None,
    twins: int = 4,
    seed: int = 0,
    confidence: float = 0.95,
) -> TwinFit:
    """The stated visit lift and churn cut whose twin pilots match ``pilot``.

    Parameters
    ----------
    scenario
        The market the pilot ran in (its customers' traits fitted, ideally); its design
        ``program`` is the one piloted.
    program
        Name of the piloted design in ``scenario.programs``.
    pilot
        The real pilot's direct fit (:func:`sim.calibration.pilot.fit_pilot`), with its
        bootstrap draws; its basket lift is kept as measured.
    window_days
        Length of each pilot window.
    launch_day
        Day of the twins' offer: late enough that the customers in the table are established
        ones (default: one year, or the window if longer).
    twins
        Twin pilots (seeds) per response; their figures are averaged.
    seed, confidence
        Of the twins and their bootstrap, and of the interval.
    """
    launch_day = int(launch_day if launch_day is not None else max(365, window_days))
    window_days = int(window_days)
    observed = np.array([pilot.value(m) for m in MOMENTS])
    if not np.all(np.isfinite(observed)):
        raise ValueError("the pilot's visit lift or activity change is not a number")
    basket = float(np.clip(pilot.value("basket_lift"), *field_limits(BASKET)))

    def run(response: np.ndarray, resamples: int = 0) -> list[PilotFit]:
        return _twins(
            scenario, program, response, basket, launch_day, window_days, twins, seed, resamples
        )

    runs = 0
    base = _clip(np.array([observed[0], 0.0]))
    base_moments = _moments(run(base))
    slope = np.empty((2, 2))
    for j, step in enumerate(STEPS):
        moved = base.copy()
        moved[j] += step
        slope[:, j] = (_moments(run(moved)) - base_moments) / step
    runs += 3 * twins
    inverse = np.linalg.pinv(slope)
    response = _clip(base + inverse @ (observed - base_moments))
    pilot_draws = pilot.draws[list(MOMENTS)].to_numpy()
    last, last_moments = base, base_moments
    for attempt in range(3):
        fits = run(response, resamples=max(100, len(pilot_draws) // 2))
        runs += twins
        twin = _moments(fits)
        slope = _secant_update(slope, response - last, twin - last_moments)
        inverse = np.linalg.pinv(slope)
        last, last_moments = response, twin
        n = min(len(f.draws) for f in fits)
        twin_draws = np.mean([f.draws[list(MOMENTS)].to_numpy()[:n] for f in fits], axis=0)
        k = min(len(pilot_draws), n)
        gaps = (pilot_draws[:k] - observed) - (twin_draws[:k] - twin)
        spread = np.nanstd(gaps, axis=0)
        miss = observed - twin
        if attempt == 2 or np.all(np.abs(miss) <= spread):
            break
        response = _clip(response + inverse @ miss)
    estimate = _clip(response + inverse @ miss)  # the last, linear step
    draws = np.array([_clip(d) for d in estimate + (inverse @ gaps.T).T])
    tail = (1 - confidence) / 2
    table = pd.DataFrame(
        [
            {
                "figure": name,
                "estimate": float(estimate[j]),
                "low": float(np.nanquantile(draws[:, j], tail)),
                "high": float(np.nanquantile(draws[:, j], 1 - tail)),
                "meaning": MEANINGS[name],
            }
            for j, name in enumerate(PARAMETERS)
        ]
    )
    matched = pd.DataFrame(
        {"figure": MOMENTS, "pilot": observed, "twins": twin, "standard_error": spread}
    )
    joined = float(np.mean([f.value("joined_share") for f in fits]))
    return TwinFit(table, matched, joined, runs)
