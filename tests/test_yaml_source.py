"""Line numbers of a YAML file's paths, for the messages of ``loyalsim validate``."""

from __future__ import annotations

import pytest

from sim.scenario import ScenarioError, allowed_fields, allowed_range, scenario_from_dict
from sim.scenario.yaml_source import yaml_source

TEXT = """\
name: shop
market:
  size: 10
programs:
  - name: card
    points:
      points_per_currency: 1
  - name: club
market:
  size: 20
"""


def test_paths_map_to_the_line_of_their_key_or_item():
    source = yaml_source(TEXT)
    assert source.lines[("name",)] == 1
    assert source.lines[("programs", 0)] == 5
    assert source.lines[("programs", 0, "points", "points_per_currency")] == 7
    assert source.lines[("programs", 1, "name")] == 8
    # the last of a repeated key wins, as in yaml.safe_load
    assert source.lines[("market", "size")] == 10
    # a path not written falls back to its nearest written ancestor
    assert source.line_of(("programs", 1, "joining", "mode")) == 8
    assert source.line_of(("nowhere",)) == 1


def test_a_key_repeated_in_one_mapping_is_found_and_not_across_mappings():
    source = yaml_source(TEXT)
    assert source.duplicates == [(("market",), 2, 9)]
    assert yaml_source("a:\n  x: 1\nb:\n  x: 2\n").duplicates == []


def test_problems_carry_their_line_allowed_fields_and_range():
    text = "market:\n  size: 5\n  sise: 3\nproduct:\n  quality_mean: good\n"
    import yaml

    with pytest.raises(ScenarioError) as caught:
        scenario_from_dict(yaml.safe_load(text), yaml_source(text))
    problems = caught.value.problems
    assert problems[0].startswith("line 3: market.sise: unknown field; did you mean 'size'?")
    assert problems[1].startswith("line 5: product.quality_mean:")
    assert problems[1].endswith("allowed: >= 0 and <= 1")


def test_allowed_fields_and_range_follow_the_models():
    assert "size" in allowed_fields(("market",))
    assert "points_per_currency" in allowed_fields(("programs", 0, "points"))
    assert allowed_fields(("market", "size")) is None
    assert allowed_fields(("no_such_section",)) is None
    assert allowed_range(("product", "quality_mean")) == ">= 0 and <= 1"
    assert allowed_range(("name",)) is None
