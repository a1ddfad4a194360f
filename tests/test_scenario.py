"""Scenario loading, validation messages and overrides."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.scenario import ScenarioError


def problems(data) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        sim.scenario_from_dict(data)
    return info.value.problems


def test_defaults_are_valid_and_frozen():
    sc = sim.Scenario()
    assert sc.horizon_days == 1095
    with pytest.raises(Exception, match="frozen"):
        sc.horizon_days = 3  # type: ignore[misc]


def test_bundled_scenario_loads():
    sc = sim.load_scenario("scenarios/coffee_shop.yaml")
    assert sc.name == "Corner coffee shop"
    assert sc.market.initial_customers == 1500


def test_each_problem_names_field_value_and_allowed_range():
    found = problems({"market": {"size": -5, "reach_rate_per_year": 1000}, "horizon_days": 0})
    assert len(found) == 3
    joined = "\n".join(found)
    assert "market.size" in joined and "-5" in joined and ">= 1" in joined
    assert "market.reach_rate_per_year" in joined and "<= 365" in joined
    assert "horizon_days" in joined


def test_unknown_field_is_an_error():
    (found,) = problems({"market": {"sise": 10}})
    assert found.startswith("market.sise: unknown field")


def test_wrong_type_is_reported():
    (found,) = problems({"market": {"size": "many"}})
    assert "market.size" in found and "'many'" in found


def test_cross_field_rules():
    (found,) = problems({"market": {"size": 10, "initial_customers": 11}})
    assert "initial_customers" in found
    (found,) = problems({"ladder": {"spend_multiplier": {"gold": 2}}})
    assert "unknown rung 'gold'" in found
    (found,) = problems({"ladder": {"mode": "matrix"}})
    assert "migration" in found


def test_migration_rows_must_sum_to_one():
    data = {
        "ladder": {
            "mode": "matrix",
            "migration": {
                "matrix": {"customer": {"customer": 0.5, "lost": 0.4}},
                "contribution": {"customer": 1},
                "initial": {"customer": 10},
            },
        }
    }
    (found,) = problems(data)
    assert "sums to 0.9" in found


def test_alternative_ladder_names():
    sc = sim.scenario_from_dict({"ladder": {"preset": "kartajaya"}})
    assert sc.ladder.rungs()[-1] == "partner"
    renamed = sim.scenario_from_dict({"ladder": {"names": {"raving_fan": "champion"}}})
    assert renamed.ladder.rungs()[-1] == "champion"
    five = sim.scenario_from_dict(
        {"ladder": {"preset": "five_step", "spend_multiplier": {"loyal buyer": 2.0}}}
    )
    assert five.ladder.per_stage("spend_multiplier")[4:6] == (2.0, 2.0)


@pytest.mark.parametrize("spelling", ["raving_fan", "raving fan", "Raving Fan"])
def test_a_stage_is_named_with_its_identifier_or_its_display_name(spelling):
    renamed = sim.scenario_from_dict({"ladder": {"names": {spelling: "champion"}}})
    assert renamed.ladder.stage_names()[-1] == "champion"
    fans_only = sim.scenario_from_dict(
        {"programs": [{"name": "fan club", "joining": {"min_stage": spelling}}]}
    )
    assert fans_only.programs[0].joining.min_stage == "raving_fan"
    doubled = sim.scenario_from_dict({"ladder": {"dropout_multiplier": {spelling: 0.5}}})
    assert doubled.ladder.per_stage("dropout_multiplier")[6] == 0.5


def test_a_stage_that_does_not_exist_is_refused_in_either_spelling():
    assert any(
        "min_stage" in p
        for p in problems({"programs": [{"name": "x", "joining": {"min_stage": "super fan"}}]})
    )
    assert any("unknown stage" in p for p in problems({"ladder": {"names": {"fan": "x"}}}))


def test_overrides_are_validated():
    sc = sim.Scenario()
    assert sc.with_overrides({"market.size": 50_000}).market.size == 50_000
    assert sc.market.size == 20_000
    with pytest.raises(ScenarioError, match=r"market\.size"):
        sc.with_overrides({"market.size": -1})
    with pytest.raises(ScenarioError, match="no such field"):
        sc.with_overrides({"market.nope": 1})
    sc2 = sc.with_overrides({"ladder.spend_multiplier.customer": 2.0})
    assert sc2.ladder.per_stage("spend_multiplier")[3] == 2.0


def test_missing_and_malformed_files(tmp_path):
    with pytest.raises(ScenarioError, match="cannot read"):
        sim.load_scenario(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("market: [1, 2\n")
    with pytest.raises(ScenarioError, match="not valid YAML"):
        sim.load_scenario(bad)
    flat = tmp_path / "flat.yaml"
    flat.write_text("- 1\n- 2\n")
    with pytest.raises(ScenarioError, match="mapping"):
        sim.load_scenario(flat)


def test_overrides_reach_into_a_program_design_by_name_or_position():
    sc = sim.load_scenario("scenarios/coffee_shop.yaml").with_overrides(
        {"programs": [{"name": "stamp card", "points": {}}, {"name": "club", "discount": {}}]}
    )
    changed = sc.with_overrides(
        {"programs.stamp card.points.points_per_currency": 0.5, "programs.1.costs.setup_cost": 99}
    )
    assert changed.programs[0].points.points_per_currency == 0.5
    assert changed.programs[1].costs.setup_cost == 99
    assert sc.programs[0].points.points_per_currency == 1.0  # the original is untouched
    for path, message in (
        ("programs.gold.points.points_per_currency", "no program design 'gold'"),
        ("programs.club", r"programs\.1: Input should be a valid dictionary"),
        ("programs.club.pointz", "'pointz' is unknown"),
        ("programs.stamp card.points.points_per_currency", "greater than or equal to 0"),
    ):
        with pytest.raises(ScenarioError, match=message):
            sc.with_overrides({path: -1})


@pytest.mark.parametrize("text", ["", "# only a comment\n", "{}\n"])
def test_an_empty_file_is_refused_rather_than_run_as_the_defaults(tmp_path, text):
    path = tmp_path / "empty.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as err:
        sim.load_scenario(path)
    assert err.value.problems == [
        f"{path}: the file is empty; a scenario needs at least a name "
        "(`loyalsim new FILE` writes one with every field at its default)"
    ]


def test_the_liability_and_matrix_value_helpers_are_public():
    liability = sim.PointsLiability(0.8)
    assert liability.outstanding == 0
    assert sim.allocate_by_standalone_price(10.0, [3.0, 1.0]) == [7.5, 2.5]
    values = sim.analytic_values(np.array([[0.5]]), np.array([10.0]), 0.0)
    assert abs(float(values[0]) - 20.0) < 1e-9  # V = R / (1 - p) at no discounting


def test_overrides_reach_into_any_list_by_name_or_position():
    airline = sim.load_scenario("scenarios/airline_tiers.yaml")
    changed = airline.with_overrides(
        {
            "programs.flying club.tiers.levels.Gold.threshold": 2500,
            "programs.0.tiers.levels.1.earn_multiplier": 1.75,
            "competition.scheduled_offer_days": [30, 60],
        }
    )
    levels = changed.programs[0].tiers.levels
    assert [(t.name, t.threshold, t.earn_multiplier) for t in levels][1:] == [
        ("Silver", 1200.0, 1.75),
        ("Gold", 2500.0, 2.0),
    ]
    again = changed.with_overrides({"competition.scheduled_offer_days.1": 90})
    assert again.competition.scheduled_offer_days == (30, 90)
    assert again.value_at("programs.flying club.tiers.levels.Gold.threshold") == 2500.0
    with pytest.raises(ScenarioError) as err:
        airline.with_overrides({"programs.flying club.tiers.levels.Platinum.threshold": 1})
    assert err.value.problems == [
        "programs.flying club.tiers.levels.Platinum.threshold: no entry 'Platinum' in "
        "programs.flying club.tiers.levels; name one by name (Red, Silver, Gold) or by "
        "position (0 to 2)"
    ]
    with pytest.raises(ScenarioError, match=r"levels\.2\.threshold: Input should be greater"):
        airline.with_overrides({"programs.0.tiers.levels.Gold.threshold": -5})
    whole = airline.with_overrides(
        {"programs.0.tiers.levels.Gold": {"name": "Gold", "threshold": 4000}}
    )
    assert whole.programs[0].tiers.levels[2].threshold == 4000.0


def test_a_huge_wrong_value_is_shown_shortened():
    """A list of 100,000 items where a number belongs: one readable line, not 700 kB."""
    (problem,) = problems({"market": {"size": list(range(100_000))}})
    assert problem.startswith("market.size: Input should be a valid integer (got [0, 1, 2")
    assert "more characters)" in problem and len(problem) < 250


@pytest.mark.parametrize(
    ("names", "words"),
    [
        ({"advocate": "fan club", "raving_fan": "fan-club"}, "would share the table column"),
        ({"raving_fan": "!!!"}, "cannot name a table column"),
        ({"raving_fan": "Lost"}, "cannot name a table column (n_lost)"),
    ],
)
def test_rung_names_that_would_share_a_table_column_are_refused(names, words):
    """Two rungs whose names differ only in punctuation or case would be counted in one
    ``n_<rung>`` column of the daily table; one named 'lost' in the lost customers' column."""
    assert any(words in p for p in problems({"ladder": {"names": names}}))


def test_stages_given_one_name_form_one_rung():
    merged = sim.scenario_from_dict({"ladder": {"names": {"advocate": "fan", "raving_fan": "fan"}}})
    assert merged.ladder.rungs()[-1] == "fan" and len(merged.ladder.rungs()) == 6
