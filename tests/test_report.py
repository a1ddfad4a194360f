"""Charts of one run and the self-contained HTML report."""

from __future__ import annotations

import math
import re

import matplotlib.pyplot as plt
import pytest
from conftest import SMALL_MATRIX_LADDER

import sim
from sim.report.charts import RUN_CHARTS, ladder_moves, run_charts
from sim.report.html import CAPTIONS, run_report
from sim.report.style import ChartNotApplicableError, save_chart, save_charts
from sim.report.text import interval_text, scenario_in_words
from sim.results.program_tables import participants_by_segment

SMALL = {"market.size": 2500, "market.initial_customers": 250, "horizon_days": 240}


@pytest.fixture(scope="module")
def card() -> sim.RunResult:
    """An opt-in stamp card: some customers join, some do not."""
    sc = sim.load_scenario("scenarios/coffee_points_card.yaml")
    small = sc.with_overrides(
        {**SMALL, "business.fixed_costs_per_month": 2000, "business.starting_cash": 20000}
    )
    return sim.simulate(small, seed=2)


@pytest.fixture(scope="module")
def baseline() -> sim.RunResult:
    sc = sim.load_scenario("scenarios/coffee_shop.yaml").with_overrides(SMALL)
    return sim.simulate(sc, seed=2)


UNIT = re.compile(r"\(.+\)")


@pytest.mark.parametrize("name", list(RUN_CHARTS))
def test_every_chart_is_titled_with_the_scenario_and_labelled_with_units(card, name):
    fig = RUN_CHARTS[name](card)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert card.scenario.name in "".join(ax.get_title() for ax in axes)
    labelled = [ax.get_ylabel() for ax in axes if ax.get_ylabel()]
    labelled += [ax.get_xlabel() for ax in axes if ax.get_xlabel() and ax.get_xlabel() != "day"]
    assert labelled and all(UNIT.search(label) for label in labelled), labelled
    plt.close(fig)


def test_charts_that_do_not_apply_say_why(baseline, tmp_path):
    with pytest.raises(ValueError, match="no loyalty program"):
        RUN_CHARTS["participants"](baseline)
    matrix = sim.scenario_from_dict({"horizon_days": 180, "ladder": SMALL_MATRIX_LADDER})
    result = sim.simulate(matrix, seed=0)
    for name in ("flows", "nps", "losses", "satisfaction", "sales_share"):
        with pytest.raises(ValueError, match="matrix"):
            RUN_CHARTS[name](result)
    assert set(run_charts(result, tmp_path)) == {"ladder", "cash"}
    plt.close("all")


def test_ladder_moves_count_every_move_but_the_starting_position(card):
    moves = ladder_moves(card)
    recorded = card.movements
    starting = ((recorded["time"] == 0) & (recorded["reason"] == "existing_customer")).sum()
    assert moves["moves"].sum() == len(recorded) - starting
    assert moves["moves"].is_monotonic_decreasing
    lost = moves[moves["to_stage"] == "lost"]
    assert set(lost["direction"]) == {"lost"}
    assert lost["moves"].sum() == sum(card.summary["customers_lost"].values())
    first = moves[moves["reason"] == "first_purchase"]
    assert set(first["direction"]) == {"up"}


def test_moves_on_a_renamed_ladder_keep_their_direction_and_show_its_names():
    """DOMAIN L2: on Kartajaya's cycle a first purchase still goes up the ladder, and the flows
    chart names the rungs as that ladder does (prospect -> initial, not prospect -> shopper)."""
    from conftest import small_scenario

    from sim.report.charts import flows_chart

    kartajaya = small_scenario(120).with_overrides({"ladder.preset": "kartajaya"})
    result = sim.simulate(kartajaya, seed=1)
    moves = ladder_moves(result)
    assert set(moves.loc[moves["reason"] == "first_purchase", "direction"]) == {"up"}
    assert set(moves.loc[moves["reason"] == "repeat_purchase", "direction"]) == {"up"}
    labels = [t.get_text() for t in flows_chart(result).axes[0].get_yticklabels()]
    assert "prospect → initial  (first purchase)" in labels
    assert "repeater → lost  (low interaction)" in labels
    assert not any("shopper" in label or "_" in label for label in labels)
    plt.close("all")


def test_participants_by_segment_gives_the_summary_ratio(card):
    program = card.summary["program"]
    table = participants_by_segment(card.customers, 0, card.summary["days_simulated"])
    e6 = program["participants_vs_non_participants"]
    assert table["participants"].sum() == e6["participants"]
    assert table["non_participants"].sum() == e6["non_participants"]
    both = table.dropna()
    weights = both["participant_years"]
    ratio = (weights * both["spend_per_year_participants"]).sum() / (
        weights * both["spend_per_year_non_participants"]
    ).sum()
    assert math.isclose(ratio, e6["same_segment_ratio"], rel_tol=1e-12)


def test_save_chart_writes_png_and_svg(tmp_path, card):
    written = save_chart(RUN_CHARTS["cash"](card), tmp_path / "cash.png")
    assert [p.name for p in written] == ["cash.png", "cash.svg"]
    assert written[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in written[1].read_text(encoding="utf-8")[:2000]


def test_report_embeds_every_chart_with_its_caption(tmp_path, card):
    charts = run_charts(card, tmp_path)
    assert set(charts) == set(RUN_CHARTS)
    report = run_report(card, tmp_path, charts).read_text(encoding="utf-8")
    for name in RUN_CHARTS:
        assert f'id="chart-{name}"' in report
        assert CAPTIONS[name].replace("'", "&#x27;") in report
    assert report.count("data:image/png;base64,") == len(RUN_CHARTS)
    for sentence in scenario_in_words(card.scenario):
        assert sentence.replace("'", "&#x27;") in report


def test_interval_text():
    assert interval_text(1234.4, -5.6, 2e6) == "1,234 [-6, 2,000,000]"
    assert interval_text(0.05, 0.0, 0.114, money=False) == "5.0% [0.0%, 11.4%]"


def test_save_charts_skips_charts_that_do_not_apply_and_nothing_else(tmp_path, card):
    def not_applicable(result):
        raise ChartNotApplicableError("no such data")

    def faulty(result):
        raise ValueError("a fault in the chart's own code")

    written = save_charts({"cash": RUN_CHARTS["cash"], "absent": not_applicable}, card, tmp_path)
    assert list(written) == ["cash"]
    with pytest.raises(ValueError, match="fault"):
        save_charts({"faulty": faulty}, card, tmp_path)


def test_loss_reasons_are_shown_in_words_and_a_customers_bankruptcy_is_theirs():
    from sim.report.text import flow_rows
    from sim.rules.churn import LOSS_REASON_WORDS, LOSS_REASONS

    assert set(LOSS_REASON_WORDS) == set(LOSS_REASONS)
    summary = {
        "customers_won": {"marketing": 3, "word_of_mouth": 0, "referral": 0},
        "customers_won_back": 1,
        "word_of_mouth": {"won_back_by_word_of_mouth": 0},
        "customers_lost": {reason: 1 for reason in LOSS_REASONS},
    }
    lost = [reason for flow, reason, _ in flow_rows(summary) if flow == "lost"]
    assert lost == [LOSS_REASON_WORDS[r] for r in LOSS_REASONS]
    assert all("_" not in reason and "bankrupt" not in reason for reason in lost)
