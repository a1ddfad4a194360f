"""Charts of experiments (sim.report.experiment_charts): titles, units, what is drawn, errors."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

import sim
from sim.report import experiment_charts as xc
from sim.report.experiment_style import E6_RATIO, number_text
from sim.report.style import SATISFACTION_COLOURS, VERDICT_COLOURS, save_chart

UNIT = re.compile(r"\(.+\)")


@pytest.fixture(scope="module")
def scenario() -> sim.Scenario:
    return sim.load_scenario("scenarios/coffee_shop.yaml").with_overrides(
        {
            "market.size": 1500,
            "market.initial_customers": 150,
            "horizon_days": 120,
            "business.fixed_costs_per_month": 1000,
        }
    )


@pytest.fixture(scope="module")
def comparison(scenario) -> sim.Comparison:
    return sim.compare(scenario, runs=3, seed=1, executor="serial")


@pytest.fixture(scope="module")
def ensemble(scenario) -> sim.Ensemble:
    return sim.replicate(scenario, runs=3, seed=1, executor="serial")


@pytest.fixture(scope="module")
def grid(scenario) -> sim.Sweep:
    parameters = {"business.touches_per_month": [0, 2, 4], "product.quality_mean": [0.6, 0.8]}
    return sim.sweep(scenario, parameters, runs=2, seed=1, executor="serial")


@pytest.fixture(scope="module")
def sobol(scenario) -> sim.Sensitivity:
    parameters = {"product.quality_mean": [0.6, 0.85], "market.reach_rate_per_year": [0.3, 0.9]}
    return sim.sensitivity(scenario, parameters, samples=2, seed=1, executor="serial")


def titles(fig: Figure) -> str:
    """Every title of the figure: the figure's own and each panel's."""
    return " | ".join([fig.get_suptitle(), *(ax.get_title() for ax in fig.axes)])


def check_common(fig: Figure, name: str, tmp_path) -> None:
    """A Figure, titled with the scenario, every panel's value axis labelled with a unit (the
    day axis is labelled "day"), and written as non-empty PNG and SVG by save_chart."""
    assert isinstance(fig, Figure)
    assert name in titles(fig)
    for ax in fig.axes:
        labels = [label for label in (ax.get_xlabel(), ax.get_ylabel()) if label]
        shared = [
            other.get_ylabel()
            for other in fig.axes
            if other is not ax and ax.get_shared_y_axes().joined(ax, other)
        ]  # a row of panels sharing the y axis labels it once
        assert any(UNIT.search(label) for label in [*labels, *shared]), labels
        for label in labels:
            assert label == "day" or UNIT.search(label), label
    png, svg = save_chart(fig, tmp_path / "chart")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in svg.read_bytes()[:2000]


def line_labels(ax) -> list[str]:
    return [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")]


# ---------------------------------------------------------------------------------- cash bands
def test_cash_bands_of_an_ensemble(ensemble, scenario, tmp_path):
    fig = xc.cash_bands_chart(ensemble)
    top, bottom = fig.axes
    assert scenario.active_program == "none"
    assert line_labels(top) == ["no program: median"]
    median = top.get_lines()[0].get_ydata()
    assert np.allclose(median, ensemble.band("cash")["q50"])
    credit = [line for line in top.get_lines() if np.allclose(line.get_ydata(), -15000.0)]
    assert len(credit) == 1 and scenario.business.credit_line == 15000
    assert any("credit line: bankrupt below" in t.get_text() for t in top.texts)
    assert len(top.collections) == 2  # the 5-95% and the 25-75% band
    assert len(ensemble.bankrupt_days) == 0
    assert any("no replication went bankrupt" in t.get_text() for t in bottom.texts)
    assert not bottom.get_lines()
    check_common(fig, scenario.name, tmp_path)


def test_cash_bands_count_bankruptcies_by_day(ensemble, comparison):
    ruined = dataclasses.replace(ensemble, bankrupt_days=np.array([30.0, 60.0]))
    bottom = xc.cash_bands_chart(ruined).axes[1]
    (line,) = bottom.get_lines()
    share = line.get_ydata()
    assert share[29] == 0 and share[30] == pytest.approx(100 / 3)
    assert share[60] == pytest.approx(200 / 3) and share[-1] == pytest.approx(200 / 3)

    summary = comparison.summary.copy()
    rows = summary.index[summary["arm"] == "member discount"][:1]
    summary.loc[rows, "bankrupt"] = True
    summary.loc[rows, "bankrupt_day"] = 50.0
    fig = xc.cash_bands_chart(dataclasses.replace(comparison, summary=summary))
    bottom = fig.axes[1]
    assert line_labels(bottom) == ["no program", "stamp card", "member discount"]
    finals = [line.get_ydata()[-1] for line in bottom.get_lines()]
    assert finals == pytest.approx([0, 0, 100 / 3])


def test_cash_bands_of_a_comparison_have_one_median_per_arm(comparison, tmp_path):
    fig = xc.cash_bands_chart(comparison)
    medians = [label for label in line_labels(fig.axes[0]) if label.endswith("median")]
    assert medians == ["no program: median", "stamp card: median", "member discount: median"]
    assert len(fig.axes[0].collections) == 6
    check_common(fig, comparison.scenario.name, tmp_path)


def test_cash_bands_refuse_what_has_no_bands(grid, ensemble):
    with pytest.raises(ValueError, match="needs an Ensemble or a Comparison"):
        xc.cash_bands_chart(grid)
    no_cash = dataclasses.replace(ensemble, bands=ensemble.bands[ensemble.bands.series != "cash"])
    with pytest.raises(ValueError, match="no daily series 'cash'"):
        xc.cash_bands_chart(no_cash)
    no_median = dataclasses.replace(ensemble, bands=ensemble.bands.drop(columns="q50"))
    with pytest.raises(ValueError, match="q50"):
        xc.cash_bands_chart(no_median)


# ---------------------------------------------------------------------------------- comparison
def test_comparison_chart_shows_verdicts_ruin_and_cost(comparison, tmp_path):
    fig = xc.comparison_chart(comparison)
    ax_profit, ax_ruin, ax_cost = fig.axes
    table = comparison.table
    texts = [t.get_text() for t in ax_profit.texts]
    assert texts == [v.replace("_", " ") for v in table["verdict"]]
    colours = [t.get_color() for t in ax_profit.texts]
    assert colours == [VERDICT_COLOURS[v] for v in table["verdict"]]
    ticks = [t.get_text() for t in ax_profit.get_yticklabels()]
    assert ticks == list(table["program"])
    styles = {line.get_label(): line.get_linestyle() for line in ax_ruin.get_lines()}
    threshold = 100 * comparison.scenario.experiment.ruin_threshold
    assert styles[f"ruin threshold (E7): {threshold:g}%"] == ":"
    assert styles["no program: 0%"] == "--"
    assert [t.get_text() for t in ax_cost.texts] == list(table["program"])
    assert "percentage points" in ax_cost.get_ylabel()
    check_common(fig, comparison.scenario.name, tmp_path)


def test_comparison_chart_needs_a_comparison(ensemble, comparison):
    with pytest.raises(ValueError, match="needs a Comparison"):
        xc.comparison_chart(ensemble)
    empty = dataclasses.replace(comparison, table=comparison.table.iloc[0:0])
    with pytest.raises(ValueError, match="no program design"):
        xc.comparison_chart(empty)


# ------------------------------------------------------------------------------------- ladder
def test_ladder_of_an_ensemble_stacks_the_buying_rungs(ensemble, tmp_path):
    fig = xc.ladder_bands_chart(ensemble)
    (ax,) = fig.axes
    rungs = ["shopper", "customer", "member", "advocate", "raving fan"]
    assert [c.get_label() for c in ax.collections] == rungs
    (lost,) = ax.get_lines()
    assert lost.get_linestyle() == "--"
    assert np.allclose(lost.get_ydata(), ensemble.band("n_lost")["q50"])
    check_common(fig, ensemble.scenario.name, tmp_path)


def test_ladder_of_a_comparison_has_a_panel_per_arm(comparison, tmp_path):
    fig = xc.ladder_bands_chart(comparison)
    assert [ax.get_title() for ax in fig.axes] == ["no program", "stamp card", "member discount"]
    first = fig.axes[0]
    assert all(ax.get_shared_y_axes().joined(first, ax) for ax in fig.axes)
    check_common(fig, comparison.scenario.name, tmp_path)


def test_ladder_needs_rung_series(ensemble):
    bands = ensemble.bands[~ensemble.bands.series.str.startswith("n_")]
    with pytest.raises(ValueError, match="no rung series"):
        xc.ladder_bands_chart(dataclasses.replace(ensemble, bands=bands))


# ---------------------------------------------------------------------------------------- NPS
def test_nps_bands_span_the_whole_scale(comparison, tmp_path):
    fig = xc.nps_bands_chart(comparison)
    (ax,) = fig.axes
    assert ax.get_ylim() == (-100, 100)
    medians = [label for label in line_labels(ax) if label.endswith("median")]
    assert len(medians) == 3 and len(ax.collections) == 3
    assert "W1" in ax.get_title()
    check_common(fig, comparison.scenario.name, tmp_path)


def test_nps_bands_need_an_nps_series(ensemble):
    bands = ensemble.bands[ensemble.bands.series != "nps"]
    with pytest.raises(ValueError, match="no daily series 'nps'"):
        xc.nps_bands_chart(dataclasses.replace(ensemble, bands=bands))


# ------------------------------------------------------------------------------------- losses
def test_losses_by_reason_have_a_bar_per_reason_and_arm(comparison, tmp_path):
    fig = xc.losses_by_reason_chart(comparison)
    (ax,) = fig.axes
    reasons = [c for c in comparison.summary.columns if c.startswith("customers_lost.")]
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(bars) == 3 * len(reasons)
    first = bars[: len(reasons)]  # the baseline's
    base = comparison.summary[comparison.summary.arm == "none"]
    assert [b.get_height() for b in first] == pytest.approx(list(base[reasons].mean()))
    shares = [float(t.get_text().rstrip("%")) for t in ax.texts if t.get_text().endswith("%")]
    assert len(shares) == 3 * len(reasons)
    assert sum(shares[: len(reasons)]) == pytest.approx(100, abs=len(reasons))
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks[0] == "low interaction\n(L4: 68%)"
    check_common(fig, comparison.scenario.name, tmp_path)


def test_losses_need_loss_reasons(ensemble):
    summary = ensemble.summary.drop(
        columns=[c for c in ensemble.summary if c.startswith("customers_lost.")]
    )
    with pytest.raises(ValueError, match=r"customers_lost\.<reason>"):
        xc.losses_by_reason_chart(dataclasses.replace(ensemble, summary=summary))


# ------------------------------------------------------------------------------- satisfaction
def test_satisfaction_bars_fill_a_hundred_percent(comparison, tmp_path):
    fig = xc.satisfaction_bands_chart(comparison)
    (ax,) = fig.axes
    bars = ax.patches
    assert len(bars) == 5 * 3
    fills = {tuple(np.round(b.get_facecolor()[:3], 3)) for b in bars}
    assert len(fills) == len(SATISFACTION_COLOURS)
    for arm in range(3):
        assert sum(b.get_width() for b in bars[arm::3]) == pytest.approx(100, abs=0.5)
    assert "mean over the last 30 days" in ax.get_title()
    check_common(fig, comparison.scenario.name, tmp_path)


def test_satisfaction_on_the_last_day_and_its_errors(ensemble):
    ax = xc.satisfaction_bands_chart(ensemble, window=1).axes[0]
    assert "on the last day" in ax.get_title()
    last = ensemble.bands[ensemble.bands.day == ensemble.scenario.horizon_days - 1]
    satisfied = last.loc[last.series == "share_satisfied", "mean"].item()
    assert ax.patches[3].get_width() == pytest.approx(100 * satisfied)
    with pytest.raises(ValueError, match="window"):
        xc.satisfaction_bands_chart(ensemble, window=0)
    bands = ensemble.bands[ensemble.bands.series != "share_neutral"]
    with pytest.raises(ValueError, match="share_neutral"):
        xc.satisfaction_bands_chart(dataclasses.replace(ensemble, bands=bands))


# -------------------------------------------------------------------------------- sales share
def test_sales_share_by_month(ensemble, tmp_path):
    fig = xc.sales_share_bands_chart(ensemble)
    ax = fig.axes[0]
    (line,) = ax.get_lines()
    assert list(line.get_xdata()) == [1, 2, 3, 4]  # 120 days
    first = ensemble.band("revenue_first_purchases")["mean"].to_numpy()
    revenue = ensemble.band("revenue")["mean"].to_numpy()
    expected = 100 * first[30:60].sum() / revenue[30:60].sum()
    assert line.get_ydata()[1] == pytest.approx(expected)
    assert "E5" in ax.get_title()
    check_common(fig, ensemble.scenario.name, tmp_path)


def test_sales_share_needs_first_purchase_revenue(comparison):
    bands = comparison.bands[comparison.bands.series != "revenue_first_purchases"]
    with pytest.raises(ValueError, match="revenue_first_purchases"):
        xc.sales_share_bands_chart(dataclasses.replace(comparison, bands=bands))


# ------------------------------------------------------------------------------- participants
def test_participants_ratio_per_program(comparison, tmp_path):
    fig = xc.participants_ratio_chart(comparison)
    (ax,) = fig.axes
    assert [t.get_text() for t in ax.get_yticklabels()] == comparison.programs
    counted = [t.get_text() for t in ax.texts if "runs had a figure" in t.get_text()]
    ratios = comparison.summary.groupby("arm")[E6_RATIO]
    for program, text in zip(comparison.programs, counted, strict=True):
        assert f"{ratios.get_group(program).notna().sum()} of 3 runs" in text
        assert ("below 1" in text) == (ratios.get_group(program).mean() < 1)
    assert any(t.get_text().strip() == "E6: participants must bring more" for t in ax.texts)
    assert any(np.allclose(line.get_xdata(), 1) for line in ax.get_lines())
    check_common(fig, comparison.scenario.name, tmp_path)


def test_participants_below_one_are_marked(comparison):
    summary = comparison.summary.copy()
    summary.loc[summary.arm == "stamp card", E6_RATIO] = [0.8, np.nan, 0.9]
    ax = xc.participants_ratio_chart(dataclasses.replace(comparison, summary=summary)).axes[0]
    assert any(t.get_text() == "below 1; 2 of 3 runs had a figure" for t in ax.texts)


def test_participants_need_a_comparison_with_the_ratio(ensemble, comparison):
    with pytest.raises(ValueError, match="needs a Comparison"):
        xc.participants_ratio_chart(ensemble)
    summary = comparison.summary.drop(columns=E6_RATIO)
    with pytest.raises(ValueError, match="same_segment_ratio"):
        xc.participants_ratio_chart(dataclasses.replace(comparison, summary=summary))


# ------------------------------------------------------------------------------------ tornado
def test_tornado_orders_bars_by_swing(sobol, scenario, tmp_path):
    fig = xc.tornado_chart(sobol, scenario=scenario)
    ax, ax_idx = fig.axes[:2]
    ticks = [t.get_text().split("\n")[0] for t in ax.get_yticklabels()]
    positions = [t.get_position()[1] for t in ax.get_yticklabels()]
    by_swing = list(sobol.tornado.sort_values("swing")["parameter"])  # smallest lowest
    assert [p for _, p in sorted(zip(positions, ticks, strict=True))] == by_swing
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(bars) == 2 * len(sobol.tornado)
    base = sobol.tornado["base"].iloc[0]
    assert all(b.get_x() == pytest.approx(base) for b in bars)
    labels = {t.get_text() for t in ax.texts}
    assert {"low = 0.6", "high = 0.85", "low = 0.3", "high = 0.9"} <= labels
    assert len(ax_idx.patches) == 2 * len(sobol.indices)
    assert "Sobol" in ax_idx.get_xlabel()
    check_common(fig, scenario.name, tmp_path)


def test_tornado_of_morris_and_its_errors(sobol, scenario):
    morris = dataclasses.replace(
        sobol,
        method="morris",
        indices=sobol.indices.rename(
            columns={"S1": "mu_star", "S1_conf": "mu_star_conf", "ST": "sigma"}
        ).drop(columns="ST_conf"),
    )
    fig = xc.tornado_chart(morris, scenario=scenario.name)
    labels = fig.axes[1].get_legend().get_texts()
    assert [t.get_text() for t in labels] == ["mu_star", "sigma (no interval)"]
    assert "(currency units)" in fig.axes[1].get_xlabel()
    assert scenario.name in xc.tornado_chart(sobol).texts[0].get_text()  # its own scenario
    with pytest.raises(ValueError, match="pass scenario="):
        xc.tornado_chart(dataclasses.replace(sobol, scenario=None))
    with pytest.raises(ValueError, match="no parameter"):
        xc.tornado_chart(dataclasses.replace(sobol, tornado=sobol.tornado.iloc[0:0]), scenario="x")


# ------------------------------------------------------------------------------------ heatmap
def test_heatmap_annotates_each_cell(grid, scenario, tmp_path):
    fig = xc.sweep_heatmap(grid, output="revenue", scenario=scenario)
    ax, bar = fig.axes
    assert len(ax.texts) == 6
    first = grid.means.sort_values(["product.quality_mean", "business.touches_per_month"])
    assert ax.texts[0].get_text().split("\n")[0] == number_text(first["revenue"].iloc[0])
    assert ax.get_images()[0].get_cmap().name == "cividis"
    assert bar.get_ylabel() == "mean revenue (currency units)"
    assert ax.get_xlabel() == "business.touches_per_month (touches per customer per month)"
    check_common(fig, scenario.name, tmp_path)


def test_heatmap_centres_a_diverging_map_on_zero(grid, scenario):
    means = grid.means.copy()
    means["profit"] = [-3.0, -1.0, 1.0, 2.0, 5.0, 6.0]
    fig = xc.sweep_heatmap(dataclasses.replace(grid, means=means), scenario=scenario)
    image = fig.axes[0].get_images()[0]
    assert image.get_cmap().name == "RdBu"
    assert image.norm.vmin == -6 and image.norm.vmax == 6


def test_heatmap_errors(grid, scenario):
    with pytest.raises(ValueError, match="allowed: profit, lowest_cash, bankrupt"):
        xc.sweep_heatmap(grid, output="nps", scenario=scenario)
    one = dataclasses.replace(grid, parameters=grid.parameters[:1])
    with pytest.raises(ValueError, match="exactly two parameters"):
        xc.sweep_heatmap(one, scenario=scenario)
    with pytest.raises(ValueError, match="not a full grid"):
        xc.sweep_heatmap(dataclasses.replace(grid, means=grid.means.iloc[:5]), scenario=scenario)
    with pytest.raises(ValueError, match="not a parameter of the sweep"):
        xc.sweep_heatmap(grid, x="market.size", scenario=scenario)
    assert scenario.name in xc.sweep_heatmap(grid).axes[0].get_title()  # its own scenario
    with pytest.raises(ValueError, match="pass scenario="):
        xc.sweep_heatmap(dataclasses.replace(grid, scenario=None))
