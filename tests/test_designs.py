"""Sweep designs and sensitivity analysis: sizes, bounds, reproducibility, indices that rank
a parameter that matters above one that does not, bad requests refused before any run, and
retention reported as compare reports it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import SMALL_MATRIX_LADDER, small_scenario

import sim
import sim.experiments.runner
from sim.experiments.bands import retention_rates
from sim.experiments.designs import design_points
from sim.experiments.runner import replication_seed
from sim.experiments.store import flatten
from sim.results import summary_figures


@pytest.fixture(scope="module")
def tiny() -> sim.Scenario:
    return small_scenario(horizon_days=90)


def test_a_grid_holds_every_combination(tiny):
    points = design_points(
        tiny,
        {"market.reach_rate_per_year": [0.5, 1.0, 1.5], "business.touches_per_month": [0, 2]},
    )
    assert len(points) == 6
    assert set(map(tuple, points.to_numpy().tolist())) == {
        (r, t) for r in (0.5, 1.0, 1.5) for t in (0, 2)
    }


@pytest.mark.parametrize("design", ["lhs", "random"])
def test_sampled_designs_stay_in_bounds_and_are_reproducible(tiny, design):
    ranges = {"product.quality_mean": [0.6, 0.8], "market.size": [1000, 3000]}
    a = design_points(tiny, ranges, design, points=20, seed=4)
    b = design_points(tiny, ranges, design, points=20, seed=4)
    c = design_points(tiny, ranges, design, points=20, seed=5)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)
    assert len(a) == 20
    assert a["product.quality_mean"].between(0.6, 0.8).all()
    assert a["market.size"].between(1000, 3000).all()
    assert all(isinstance(v, int) for v in a["market.size"])  # an integer field stays integer


def test_a_latin_hypercube_hits_every_stratum_once(tiny):
    points = design_points(tiny, {"product.quality_mean": [0.6, 0.8]}, "lhs", points=10, seed=1)
    strata = np.floor((points["product.quality_mean"] - 0.6) / 0.02).astype(int)
    assert sorted(strata) == list(range(10))


def test_bad_designs_are_named(tiny):
    with pytest.raises(ValueError, match="allowed: grid, lhs, random"):
        design_points(tiny, {"market.size": [1, 2]}, "sobol")
    with pytest.raises(ValueError, match="needs a positive number of points"):
        design_points(tiny, {"market.size": [1000, 2000]}, "lhs")
    with pytest.raises(ValueError, match=r"market\.size: the range"):
        design_points(tiny, {"market.size": [2000, 1000]}, "lhs", points=3)
    with pytest.raises(sim.ScenarioError, match="no such field"):
        design_points(tiny, {"market.sise": [1, 2]})


def test_parameter_values_reach_into_program_designs(tiny):
    sc = tiny.with_overrides({"programs": [{"name": "card", "points": {}}]})
    assert sc.value_at("programs.card.points.points_per_currency") == 1.0
    assert sc.value_at("market.size") == 2000
    assert sc.value_at("programs.0.name") == "card"


def test_a_sweep_runs_every_point_with_the_same_seeds(tiny):
    s = sim.sweep(
        tiny,
        {"business.fixed_costs_per_month": [2000, 3000]},
        runs=2,
        seed=3,
        executor="serial",
    )
    assert len(s.table) == 4 and len(s.means) == 2
    # The same replication seeds at each point: only the fixed costs differ, so profit differs
    # by exactly 1,000 a month over the horizon in each replication.
    by_point = s.table.pivot(index="replication", columns="point", values="profit")
    months = tiny.horizon_days * 12 / 365
    assert np.allclose(by_point[0] - by_point[1], 1000 * months)
    assert {"profit", "profit_low", "profit_high", "bankrupt"} <= set(s.means.columns)


def test_a_sweep_over_program_designs(tiny):
    sc = tiny.with_overrides(
        {"programs": [{"name": "card", "joining": {"mode": "automatic"}, "points": {}}]}
    )
    s = sim.sweep(sc, {"active_program": ["none", "card"]}, executor="serial")
    assert list(s.means["active_program"]) == ["none", "card"]
    assert s.table["program.points.issued"].fillna(0).tolist()[1] > 0


@pytest.mark.slow
def test_sobol_indices_rank_what_matters(tiny):
    """Fixed costs move profit one for one; the cost of a newsletter touch (0.02 per touch)
    barely does. Sobol' total indices must rank them so (measured 1.07 against 0.00001)."""
    t = sim.sensitivity(
        tiny,
        {"business.fixed_costs_per_month": [1000, 5000], "business.cost_per_touch": [0.0, 0.05]},
        "profit",
        samples=8,
        seed=2,
        executor="serial",
    )
    assert len(t.samples) == 8 * (2 + 2)  # Saltelli: N (d + 2) runs without second order
    st = t.indices.set_index("parameter")["ST"]
    assert st["business.fixed_costs_per_month"] > 0.8
    assert st["business.cost_per_touch"] < 0.1
    assert t.tornado["parameter"].iloc[0] == "business.fixed_costs_per_month"
    months = tiny.horizon_days * 12 / 365
    # Same seeds at both ends and no bankruptcy: the swing is the cost difference, exactly.
    assert t.tornado["swing"].iloc[0] == pytest.approx(4000 * months, rel=1e-9)


def test_morris_screening(tiny):
    t = sim.sensitivity(
        tiny,
        {"business.fixed_costs_per_month": [1000, 5000], "business.cost_per_touch": [0.0, 0.05]},
        "profit",
        method="morris",
        samples=4,
        seed=2,
        executor="serial",
    )
    assert len(t.samples) == 4 * (2 + 1)  # trajectories of d + 1 points
    mu = t.indices.set_index("parameter")["mu_star"]
    assert mu["business.fixed_costs_per_month"] > 10 * mu["business.cost_per_touch"]


def test_sensitivity_rejects_bad_requests(tiny):
    with pytest.raises(ValueError, match="allowed: sobol, morris"):
        sim.sensitivity(tiny, {"market.size": [1000, 2000]}, method="fast", executor="serial")
    with pytest.raises(ValueError, match="output = 'profits' is not a summary figure"):
        sim.sensitivity(
            tiny,
            {"market.size": [1000, 2000]},
            "profits",
            method="morris",
            samples=2,
            executor="serial",
        )


CARD = {"name": "card", "joining": {"mode": "automatic"}, "points": {}}
MATRIX = {"ladder": SMALL_MATRIX_LADDER}


@pytest.mark.parametrize(
    "overrides",
    [{}, {"programs": [CARD]}, {"programs": [{"name": "quality only"}]}, MATRIX],
    ids=["natural", "program", "design without mechanics", "matrix"],
)
def test_the_figures_a_request_may_name_are_those_a_run_reports(overrides):
    """Outputs are checked against ``summary_figures`` before any run, so it must list exactly
    the figures a run files, in the same order."""
    sc = small_scenario(horizon_days=30).with_overrides(overrides)
    assert summary_figures(sc) == list(flatten(sim.simulate(sc, seed=1).summary))


def _no_runs(*args, **kwargs):
    raise AssertionError("a replication was started")


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (
            {"kind": "sweep", "outputs": ["profit", "profits"]},
            r"output = 'profits' is not a summary figure; did you mean 'profit'\? allowed: "
            r"seed, horizon_days, .*retention_rate, .*profit, .*bankrupt_day$",
        ),
        ({"kind": "sweep", "outputs": ["xyzzy"]}, r"output = 'xyzzy' is not .*; allowed: seed"),
        ({"kind": "sweep", "outputs": "profit"}, r"outputs = 'profit': give a list"),
        ({"kind": "sweep", "runs": 0}, r"runs must be an integer of at least 1 \(got 0\)"),
        (
            {"kind": "sensitivity", "output": "retention"},
            r"output = 'retention' is not a summary figure; did you mean 'retention_rate'\?",
        ),
        (
            {"kind": "sensitivity", "output": "program.points.issued"},
            r"output = 'program.points.issued' is not a summary figure",
        ),
        ({"kind": "sensitivity", "runs": 0}, r"runs must be an integer of at least 1"),
        ({"kind": "sensitivity", "parameters": {}}, "give at least one parameter to vary"),
    ],
    ids=[
        "sweep-misspelt-output",
        "sweep-unknown-output",
        "sweep-outputs-as-text",
        "sweep-no-runs",
        "sensitivity-misspelt-output",
        "sensitivity-output-of-no-program",
        "sensitivity-no-runs",
        "sensitivity-no-parameters",
    ],
)
def test_a_bad_request_is_refused_before_any_run(tiny, tmp_path, monkeypatch, request_, message):
    """Nothing runs and no folder is written: the check comes before the work, so a typo in
    an output name costs nothing."""
    monkeypatch.setattr(sim.experiments.runner, "run_tasks", _no_runs)
    out = tmp_path / "experiment"
    args = dict(request_)
    kind = args.pop("kind")
    parameters = args.pop("parameters", {"business.fixed_costs_per_month": [2000, 3000]})
    common = {"executor": "serial", "out": out, **args}
    with pytest.raises(ValueError, match=message):
        if kind == "sweep":
            sim.sweep(tiny, parameters, **common)
        else:
            sim.sensitivity(tiny, parameters, method="morris", samples=2, **common)
    assert not out.exists()


def test_an_output_reported_at_some_points_only_may_be_asked_for(tiny):
    """Program figures exist only where a program is in place: sweeping the design in place
    makes them valid outputs, averaged over the points that report them."""
    sc = tiny.with_overrides({"programs": [CARD]})
    s = sim.sweep(
        sc,
        {"active_program": ["none", "card"]},
        outputs=["program.points.issued"],
        executor="serial",
    )
    issued = s.means["program.points.issued"].tolist()
    assert np.isnan(issued[0]) and issued[1] > 0


def test_retention_rates_follow_one_rule():
    """0 for a run that went bankrupt, before its retention cohort's day (no rate) or after it
    (a rate over the days it traded); a solvent run's rate, or empty rate, as filed."""
    frame = pd.DataFrame(
        {
            "retention_rate": [0.8, np.nan, np.nan, 0.9],
            "bankrupt": [False, True, False, True],
        }
    )
    assert np.array_equal(retention_rates(frame), [0.8, 0.0, np.nan, 0.0], equal_nan=True)


@pytest.fixture(scope="module")
def ruin() -> tuple[sim.Scenario, dict[str, list[float]]]:
    """A 120-day shop (retention cohort on day 60) at fixed costs it survives and at fixed
    costs that bankrupt it within days, with its fixed costs' range for a sweep."""
    return small_scenario(horizon_days=120), {"business.fixed_costs_per_month": [3000, 60000]}


def test_a_sweep_counts_a_run_bankrupt_before_the_retention_cohort_as_keeping_nobody(ruin):
    sc, parameters = ruin
    s = sim.sweep(sc, parameters, runs=2, executor="serial")
    table = s.table.set_index(["point", "replication"])
    for r in range(2):
        seed = replication_seed(0, r)
        solvent, bankrupt = (
            sim.simulate(sc.with_overrides({"business.fixed_costs_per_month": v}), seed=seed)
            for v in parameters["business.fixed_costs_per_month"]
        )
        assert not solvent.summary["bankrupt"]
        assert table.loc[(0, r), "retention_rate"] == solvent.summary["retention_rate"]
        assert bankrupt.summary["bankrupt_day"] < 60
        assert np.isnan(bankrupt.summary["retention_rate"])  # the run itself has no rate
        assert table.loc[(1, r), "retention_rate"] == 0.0
    means = s.means.set_index("point")
    assert 0.5 < means.loc[0, "retention_rate"] < 1.0
    assert means.loc[1, "retention_rate"] == means.loc[1, "retention_rate_high"] == 0.0


def test_a_sweep_counts_a_run_bankrupt_after_the_retention_cohort_as_keeping_nobody(ruin):
    """A run that traded past its cohort's day (60) and then went bankrupt has a rate over the
    days it traded, which can look high; the sweep reports 0."""
    sc, _ = ruin
    s = sim.sweep(sc, {"business.fixed_costs_per_month": [12000]}, runs=2, executor="serial")
    for r, row in s.table.iterrows():
        run = sim.simulate(
            sc.with_overrides({"business.fixed_costs_per_month": 12000}),
            seed=replication_seed(0, r),
        )
        assert 60 < run.summary["bankrupt_day"] < 120
        assert run.summary["retention_rate"] > 0.5  # its own summary: the days it traded
        assert row["retention_rate"] == 0.0


def test_sensitivity_of_retention_counts_a_bankrupt_run_as_keeping_nobody(ruin):
    sc, parameters = ruin
    t = sim.sensitivity(
        sc, parameters, "retention_rate", method="morris", samples=2, executor="serial"
    )
    row = t.tornado.iloc[0]
    low = sim.simulate(
        sc.with_overrides({"business.fixed_costs_per_month": 3000}), seed=replication_seed(0, 0)
    )
    assert row["output_at_low"] == low.summary["retention_rate"]
    assert row["output_at_high"] == 0.0  # 60,000 a month: bankrupt within days
    assert t.samples["retention_rate"].notna().all()


@pytest.mark.parametrize("method, conf", [("sobol", "ST_conf"), ("morris", "mu_star_conf")])
def test_the_indices_intervals_are_at_the_experiments_confidence(tiny, method, conf):
    """SALib's bootstrap half-widths are z times the resamples' spread. With the same seed the
    resamples are the same, so an 80% level gives the 95% widths times z(0.9) / z(0.975), to
    rounding."""
    from scipy.stats import norm

    parameters = {"market.reach_rate_per_year": [0.5, 1.5], "business.touches_per_month": [0, 4]}
    widths = {}
    for level in (0.8, 0.95):
        sc = tiny.with_overrides({"experiment.confidence": level})
        t = sim.sensitivity(sc, parameters, method=method, samples=2, executor="serial")
        widths[level] = t.indices[conf].to_numpy()
    assert (widths[0.95] > 0).all()
    ratio = norm.ppf(0.9) / norm.ppf(0.975)
    assert np.allclose(widths[0.8], widths[0.95] * ratio, rtol=1e-9, atol=0)


def test_a_sobol_analysis_is_reproducible_at_seed_zero(tiny):
    """Same scenario and seed, same indices and intervals (SALib leaves its Sobol' bootstrap
    unseeded when handed seed 0)."""
    parameters = {"market.reach_rate_per_year": [0.5, 1.5], "business.touches_per_month": [0, 4]}
    first, second = (
        sim.sensitivity(tiny, parameters, samples=2, seed=0, executor="serial").indices
        for _ in range(2)
    )
    pd.testing.assert_frame_equal(first, second, check_exact=True)
    assert (first["ST_conf"] > 0).all()
