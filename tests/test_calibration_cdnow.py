"""End to end on a real log: CDNOW, through ``loyalsim calibrate``.

CDNOW is the log of an online CD retailer's customers who first bought in the first quarter of
1997, followed to the end of June 1998: the data set of Fader, Hardie & Lee (2005), on which
BG/NBD was published. The `lifetimes` package ships it (``lifetimes/datasets/CDNOW_sample.txt``,
a 1/10 sample of 2,357 customers); the test reads the file and does not import the package.
The windows are the paper's: 39 weeks of calibration, 39 of holdout.

What is checked is the calibration's goal on a real log: the simulator's forecast of the
holdout's repeat transactions within 10% of the actual, and no further from it than the fitted
formula's own forecast from the same information. The replays are seeded, so the figures are
the same at every run (docs/calibration.md records them).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("pymc_marketing")

import sim
from sim.cli import main

pytestmark = pytest.mark.slow


def cdnow_sample() -> Path:
    spec = importlib.util.find_spec("lifetimes")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("the lifetimes package (which ships CDNOW) is not installed")
    return Path(spec.submodule_search_locations[0]) / "datasets" / "CDNOW_sample.txt"


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cdnow")
    raw = pd.read_csv(
        cdnow_sample(),
        sep=r"\s+",
        header=None,
        dtype=str,
        names=["original_id", "customer", "day", "cds", "dollars"],
    )
    log = folder / "cdnow.csv"
    raw.to_csv(log, index=False)
    out = folder / "cdnow.yaml"
    report = folder / "report"
    code = main(
        [
            "calibrate",
            str(log),
            "--until",
            "1997-09-30",
            "--holdout-until",
            "1998-06-30",
            "--columns",
            "id=customer,date=day,amount=dollars",
            "--out",
            str(out),
            "--report",
            str(report),
        ]
    )
    assert code == 0
    return out, report


def test_the_simulator_forecasts_the_holdout_of_a_real_log(calibrated):
    _, report = calibrated
    result = json.loads((report / "calibration.json").read_text())
    hold = result["holdout"]
    assert hold["actual_repeat_purchases"] == 1882  # one transaction per customer and day
    assert abs(hold["simulated_error"]) <= 0.10, hold
    assert abs(hold["simulated_error"]) <= abs(hold["model_error"]), hold
    assert result["customers"] == 2357
    assert result["repeat_transactions"] == 2457  # x summed, as published for this sample


def test_the_report_holds_what_the_calibration_found(calibrated):
    _, report = calibrated
    result = json.loads((report / "calibration.json").read_text())
    for field in (
        "customers.purchase_rate_shape",
        "customers.purchase_rate_alpha_days",
        "customers.dropout_a",
        "customers.dropout_b",
        "customers.basket_mean",
    ):
        p = result["parameters"][field]
        assert p["low"] <= p["fitted"] <= p["high"]
    # r and alpha of the published fit (0.243, 4.414 weeks) within the fitted intervals.
    assert result["parameters"]["customers.purchase_rate_shape"]["low"] <= 0.243
    assert result["parameters"]["customers.purchase_rate_shape"]["high"] >= 0.243
    alpha = result["parameters"]["customers.purchase_rate_alpha_days"]
    assert alpha["low"] <= 4.414 * 7 <= alpha["high"]
    for name in ("report.html", "tracking.png", "tracking.svg", "holdout_weekly.csv"):
        assert (report / name).exists(), name


def test_the_written_scenario_loads_runs_and_says_where_it_came_from(calibrated):
    out, _ = calibrated
    text = out.read_text()
    assert "# Calibrated by `loyalsim calibrate` from" in text
    assert "sha256" in text and "Not identified by a transaction log" in text
    scenario = sim.load_scenario(out)
    assert scenario.customers.dropout_model == "bgnbd"
    small = scenario.with_overrides({"horizon_days": 60, "market.size": 500})
    assert sim.simulate(small, seed=0).summary["days_simulated"] == 60
