"""Charts and the HTML report of a calibration (``sim.report.calibration_charts``,
``sim.report.calibration_html``), on a small synthetic transaction log."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import re
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

pytest.importorskip("pymc_marketing")

from sim.calibration import Calibration, calibrate
from sim.calibration.scenario_file import NOT_IDENTIFIED
from sim.report.calibration_charts import CALIBRATION_CHARTS, calibration_charts
from sim.report.calibration_html import _verdict, calibration_report
from sim.report.html import CAPTIONS
from sim.report.style import ChartNotApplicableError

FILE_NAME = 'shop <img src=x onerror="alert(1)"> & co.csv'
"""A log whose file name is HTML markup: the report must show it, never run it."""
HOLDOUT_CHARTS = ("tracking", "weekly", "frequency", "conditional")
START = dt.date(2023, 1, 2)


def synthetic_log(customers: int = 250, seed: int = 3) -> pd.DataFrame:
    """A year of purchases: first purchases spread over 12 weeks, exponential gaps at a
    gamma-distributed rate per customer, and a beta chance of stopping after each purchase
    (the BG/NBD story)."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(customers):
        day = rng.uniform(0, 84)
        rate = rng.gamma(1.5, 1 / 30)
        stop = rng.beta(1.0, 5.0)
        while day < 365:
            amount = round(float(rng.gamma(4.0, 5.0)), 2)
            rows.append((f"C{c:04d}", START + dt.timedelta(days=int(day)), amount))
            if rng.random() < stop:
                break
            day += rng.exponential(1 / rate)
    return pd.DataFrame(rows, columns=["customer_id", "date", "amount"])


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory: pytest.TempPathFactory) -> Calibration:
    folder = tmp_path_factory.mktemp("log")
    log = synthetic_log()
    path = folder / FILE_NAME
    log.to_csv(path, index=False)
    return calibrate(
        path,
        until="2023-08-31",  # mid-week: a week of the tables straddles the two windows
        holdout_until=str(log["date"].max()),
        replays=2,
        workers=1,
        executor="serial",
    )


@pytest.fixture(scope="module")
def without_holdout(calibrated: Calibration) -> Calibration:
    """The same calibration as ``calibrate`` returns it without ``holdout_until``."""
    summary = {k: v for k, v in calibrated.summary.items() if k != "holdout"}
    summary["holdout_window"] = None
    return dataclasses.replace(
        calibrated, holdout=None, frequency=None, conditional=None, summary=summary
    )


@pytest.fixture(scope="module")
def written(
    calibrated: Calibration, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, list[Path]], str]:
    folder = tmp_path_factory.mktemp("report")
    charts = calibration_charts(calibrated, folder)
    report = calibration_report(calibrated, folder, charts)
    assert report == folder / "report.html"
    return charts, report.read_text(encoding="utf-8")


def test_every_chart_is_written_as_png_and_svg(written):
    charts, _ = written
    assert list(charts) == list(CALIBRATION_CHARTS)
    for name, files in charts.items():
        assert sorted(f.suffix for f in files) == [".png", ".svg"], name
        assert all(f.stem == name and f.stat().st_size > 1000 for f in files)


UNIT = re.compile(r"\(.+\)")


@pytest.mark.parametrize("name", list(CALIBRATION_CHARTS))
def test_every_chart_names_the_log_and_labels_its_units(calibrated, name):
    fig = CALIBRATION_CHARTS[name](calibrated)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert any("shop <img" in ax.get_title() for ax in axes)
    labels = [ax.get_ylabel() for ax in axes if ax.get_ylabel()]
    labels += [ax.get_xlabel() for ax in axes if ax.get_xlabel()]
    assert labels and all(UNIT.search(label) for label in labels), labels
    plt.close(fig)


def test_every_chart_has_a_caption():
    assert set(CALIBRATION_CHARTS) <= set(CAPTIONS)


def test_the_report_holds_the_key_figures(calibrated, written):
    charts, text = written
    s = calibrated.summary
    hold = s["holdout"]
    for figure in (
        s["sha256"],
        f"{s['customers']:,}",
        f"{s['transactions']:,}",
        *s["calibration_window"],
        *s["holdout_window"],
        f"{hold['actual_repeat_purchases']:,.0f}",
        f"{hold['simulated_repeat_purchases']:,.0f}",
        f"{hold['model_repeat_purchases']:,.0f}",
        f"{hold['simulated_error']:+.1%}",
        f"{hold['model_error']:+.1%}",
        f"{s['matching']['rate_scale']:.3f}",
        f"{s['matching']['dropout_scale']:.3f}",
    ):
        assert figure in text, figure
    for field in calibrated.parameters["field"]:
        assert field.removeprefix("customers.") in text
    # The report's judgement is the one its own rule gives for these errors.
    verdict = _verdict(hold["simulated_error"], hold["model_error"])
    assert html.escape(verdict) in text or verdict in text
    assert "count as one transaction" in text
    for section, why in NOT_IDENTIFIED:
        assert html.escape(section) in text and html.escape(why) in text
    for name in charts:
        assert f'id="chart-{name}"' in text and "data:image/png;base64," in text
        assert html.escape(CAPTIONS[name]) in text


def test_a_file_name_with_markup_is_escaped(written):
    _, text = written
    assert "<img src=x" not in text
    assert html.escape(FILE_NAME) in text
    title = re.search(r"<title>(.*?)</title>", text).group(1)
    assert html.unescape(title) == f"Calibration from {FILE_NAME}"


def test_without_a_holdout_its_charts_are_skipped_and_the_report_says_how_to_get_one(
    without_holdout, tmp_path
):
    for name in HOLDOUT_CHARTS:
        with pytest.raises(ChartNotApplicableError, match="holdout"):
            CALIBRATION_CHARTS[name](without_holdout)
    charts = calibration_charts(without_holdout, tmp_path)
    assert list(charts) == ["parameters"]
    text = calibration_report(without_holdout, tmp_path, charts).read_text(encoding="utf-8")
    assert "No holdout check" in text and "--holdout-until" in text
    assert 'id="chart-tracking"' not in text and 'id="chart-parameters"' in text
    assert "<img src=x" not in text


def test_the_verdict_weighs_the_simulator_against_ten_percent_and_the_formula():
    assert _verdict(-0.05, 0.08) == (
        "The simulator's forecast is within 10% of the actual (it is 5.0% below), and no worse "
        "than the fitted formula's (8.0% above)."
    )
    worse = _verdict(0.12, -0.03)
    assert "not within 10%" in worse and "worse than the fitted formula's" in worse
    assert "no worse" not in worse
