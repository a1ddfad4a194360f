"""Fitting the customers' response to a pilot (``sim.calibration.pilot``): a pilot the engine
wrote with a known response is recovered, self-selection is seen through, and bad tables are
refused with the column and lines named."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
import yaml
from conftest import small_scenario

import sim
from sim.calibration.pilot import (
    NO_RESPONSE,
    PilotError,
    check_pilot,
    fit_pilot,
    fitted_scenario,
)
from sim.calibration.synthetic import pilot_table

CARD = {
    "name": "card",
    "joining": {"mode": "opt_in", "opt_in_probability": 0.8},
    "points": {"rewards": [{"points_cost": 60, "face_value": 6.0, "cost_to_business": 1.8}]},
}
TRUE_VISITS, TRUE_BASKET = 0.2, 0.1
"""The response the pilot is written with: members buy 20% more often, 10% more a visit."""


def calibrate_response(pilot_file, out, *options: str) -> subprocess.CompletedProcess:
    """``loyalsim calibrate-response`` on the coffee shop, as a user runs it."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "sim.cli",
            "calibrate-response",
            str(pilot_file),
            "--scenario",
            "scenarios/coffee_shop.yaml",
            "--out",
            str(out),
            *options,
        ],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def pilot() -> pd.DataFrame:
    """A 180-day pilot of an opt-in card, offered on day 200 to one draw of an 8,000-person
    market and not to another (about 2,700 customers in each group)."""
    sc = small_scenario(horizon_days=400).with_overrides(
        {
            "programs": [CARD],
            "active_program": "none",
            "market.size": 8000,
            "market.initial_customers": 2000,
            **NO_RESPONSE,
            "program_response.visit_lift": TRUE_VISITS,
            "program_response.basket_lift": TRUE_BASKET,
        }
    )
    return pilot_table(sc, "card", launch_day=200, window_days=180, seed=1)


@pytest.mark.slow
def test_a_pilot_with_a_known_response_is_recovered(pilot):
    """The true lifts lie inside the 95% bootstrap intervals, which exclude no response; the
    naive gap between members and the control group (who joins plus what the program does)
    is several times the causal visit lift, as self-selection makes it (Leenheer et al.
    2007)."""
    fit = fit_pilot(check_pilot(pilot), window_days=180, resamples=400, seed=0)
    rows = fit.table.set_index("figure")
    for figure, truth in (("visit_lift", TRUE_VISITS), ("basket_lift", TRUE_BASKET)):
        low, high = rows.loc[figure, "low"], rows.loc[figure, "high"]
        assert low < truth < high, (figure, low, high)
        assert low > 0, figure
    assert rows.loc["naive_visit_gap", "estimate"] > 3 * rows.loc["visit_lift", "estimate"]
    assert 0.3 < rows.loc["joined_share", "estimate"] < 0.8
    fitted = fitted_scenario(sim.load_scenario("scenarios/coffee_shop.yaml"), fit)
    assert fitted.program_response.visit_lift == pytest.approx(fit.value("visit_lift"))
    assert fitted.program_response.visit_elasticity == 0.0
    spread = fitted.uncertainty["program_response.visit_lift"]
    assert spread.low == pytest.approx(rows.loc["visit_lift", "low"])
    assert set(fitted.uncertainty) == {
        "program_response.visit_lift",
        "program_response.basket_lift",
    }


@pytest.mark.slow
def test_the_command_writes_a_scenario_that_loads(pilot, tmp_path):
    path = tmp_path / "pilot.csv"
    pilot.to_csv(path, index=False)
    out = tmp_path / "fitted.yaml"
    done = calibrate_response(path, out, "--window-days", "180", "--resamples", "200")
    assert done.returncode == 0, done.stderr
    assert "visit_lift" in done.stdout and "naive_visit_gap" in done.stdout
    fitted = sim.load_scenario(out)
    assert fitted.program_response.visit_lift > 0
    assert "program_response.visit_lift" in yaml.safe_load(out.read_text())["uncertainty"]


def test_bad_pilot_tables_are_refused_with_the_column_and_lines(tmp_path):
    good = pd.DataFrame(
        {
            "customer": ["a", "b", "c", "d"],
            "group": ["treated", "treated", "control", "control"],
            "joined": [1, 0, 0, 0],
            "visits_before": [3, 2, 2, 1],
            "visits_during": [4, 2, 2, 1],
            "spend_before": [30.0, 20.0, 20.0, 10.0],
            "spend_during": [40.0, 20.0, 20.0, 10.0],
            "active_at_end": [1, 1, 0, 1],
        }
    )
    check_pilot(good)
    cases = [
        (good.drop(columns="spend_during"), "missing column 'spend_during'"),
        (good.assign(group=["treated", "test", "control", "control"]), "'group'.*lines 3"),
        (good.assign(visits_during=[4, -1, 2, 1]), "'visits_during'.*at least 0.*lines 3"),
        (good.assign(joined=[1, 0, 1, 0]), "control customers.*lines 4"),
        (good.assign(active_at_end=[1, 2, 0, 1]), "'active_at_end' must be 0 or 1"),
        (good.assign(joined=[0, 0, 0, 0]), "no treated customer joined"),
        (good.assign(group="treated"), "no control customers"),
    ]
    for table, message in cases:
        with pytest.raises(PilotError, match=message):
            check_pilot(table)
    path = tmp_path / "bad.csv"
    cases[2][0].to_csv(path, index=False)
    out = tmp_path / "never.yaml"
    done = calibrate_response(path, out)
    assert done.returncode == 2 and "visits_during" in done.stdout and not out.exists()
