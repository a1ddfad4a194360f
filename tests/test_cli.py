"""The ``loyalsim`` command, run as a user would: in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

import sim
from sim.report import RUN_CHARTS
from sim.report.experiment_charts import COMPARISON_CHARTS

SMALL = {
    "name": "cli shop",
    "horizon_days": 60,
    "market": {"size": 800, "initial_customers": 100, "reach_rate_per_year": 1.0},
    "customers": {"purchase_rate_shape": 1.5, "purchase_rate_alpha_days": 10.0},
    "business": {"fixed_costs_per_month": 1000},
}


def loyalsim(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sim.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def write(path: Path, data) -> Path:
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return path


def test_run_prints_summary_and_writes_tables_and_chart(tmp_path):
    scenario = write(tmp_path / "shop.yaml", SMALL)
    out = tmp_path / "out"
    done = loyalsim("run", str(scenario), "--seed", "3", "--out", str(out), "--quiet")
    assert done.returncode == 0, done.stderr
    for phrase in (
        "Ladder at the end",
        "Customers won and lost",
        "NPS at the end",
        "Word of mouth:",
        "profit",
        "lowest cash",
    ):
        assert phrase in done.stdout
    for table in ("daily", "customers", "ledger", "movements", "summary"):
        assert (out / f"{table}.csv").stat().st_size > 0
        parquet = pd.read_parquet(out / f"{table}.parquet")
        csv = pd.read_csv(out / f"{table}.csv")
        assert len(parquet) == len(csv)
    report = (out / "report.html").read_text(encoding="utf-8")
    # no program in place, so every chart but the participants' one
    for chart in set(RUN_CHARTS) - {"participants"}:
        assert (out / f"{chart}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert (out / f"{chart}.png").stat().st_size > 10_000
        assert "<svg" in (out / f"{chart}.svg").read_text(encoding="utf-8")[:2000]
        assert f'id="chart-{chart}"' in report
    assert not (out / "participants.png").exists()
    assert report.count("data:image/png;base64,") == len(RUN_CHARTS) - 1
    assert "<script" not in report and "http" not in report  # self-contained, nothing fetched
    assert "cli shop" in report and "Not bankrupt" in report
    daily = pd.read_parquet(out / "daily.parquet")
    assert len(daily) == 60


def test_run_with_overrides(tmp_path):
    scenario = write(tmp_path / "shop.yaml", SMALL)
    done = loyalsim(
        "run",
        str(scenario),
        "--out",
        str(tmp_path / "o"),
        "--quiet",
        "--set",
        "business.fixed_costs_per_month=900000",
    )
    assert done.returncode == 0, done.stderr
    assert "BANKRUPT" in done.stdout


def test_run_reports_the_program_and_chooses_the_design(tmp_path):
    card = {
        "name": "card",
        "joining": {"mode": "automatic"},
        "points": {"rewards": [{"points_cost": 60, "face_value": 6.0}]},
    }
    scenario = write(tmp_path / "shop.yaml", {**SMALL, "programs": [card]})
    done = loyalsim("run", str(scenario), "--out", str(tmp_path / "a"), "--quiet")
    assert done.returncode == 0, done.stderr
    assert "Loyalty program: card (points)" in done.stdout
    assert "reward cost" in done.stdout and "points liability at the end" in done.stdout
    customers = pd.read_csv(tmp_path / "a" / "customers.csv")
    assert customers["program_member"].any()
    done = loyalsim(
        "run", str(scenario), "--out", str(tmp_path / "b"), "--quiet", "--program", "none"
    )
    assert done.returncode == 0, done.stderr
    assert "Loyalty program: none (card), the natural baseline" not in done.stdout
    assert "the natural baseline: quality and brand do the work" in done.stdout
    done = loyalsim("run", str(scenario), "--quiet", "--program", "gold")
    assert done.returncode == 2 and "active_program" in done.stdout


def test_invalid_files_get_clear_messages_and_exit_2(tmp_path):
    cases = {
        "negative.yaml": ({"market": {"size": -1}}, "market.size"),
        "typo.yaml": ({"markett": {}}, "markett: unknown field"),
        "type.yaml": ({"horizon_days": "long"}, "horizon_days"),
        "yaml.yaml": ("market: [1,\n", "not valid YAML"),
        "list.yaml": ("- 1\n", "mapping"),
        "matrix.yaml": ({"ladder": {"mode": "matrix"}}, "migration"),
        "tiers.yaml": (
            {"programs": [{"name": "t", "tiers": {"levels": [{"name": "a", "threshold": 5}]}}]},
            "base tier must have threshold 0",
        ),
        "cut.yaml": (
            {
                "programs": [
                    {
                        "name": "c",
                        "points": {},
                        "term_changes": [{"day": 9, "set": {"points.expiry_days": 0}}],
                    }
                ]
            },
            "term_changes (day 9): points.expiry_days",
        ),
    }
    for name, (data, expected) in cases.items():
        path = write(tmp_path / name, data)
        for command in ("validate", "run"):
            done = (
                loyalsim(command, str(path), "--quiet")
                if command == "run"
                else loyalsim(command, str(path))
            )
            assert done.returncode == 2, (name, command, done.stdout, done.stderr)
            assert expected in done.stdout, (name, done.stdout)
            assert "Traceback" not in done.stdout + done.stderr
    missing = loyalsim("validate", str(tmp_path / "missing.yaml"))
    assert missing.returncode == 2 and "cannot read" in missing.stdout


def test_bad_override_and_seed(tmp_path):
    scenario = write(tmp_path / "shop.yaml", SMALL)
    done = loyalsim("run", str(scenario), "--quiet", "--set", "market.size=-3")
    assert done.returncode == 2 and "market.size" in done.stdout
    done = loyalsim("run", str(scenario), "--quiet", "--seed", "-1")
    assert done.returncode == 2 and "seed" in done.stdout


BROKEN = Path("tests/data/broken")


def test_validate_names_line_field_and_allowed_values_for_every_broken_file():
    """Each file in tests/data/broken states in ``# expect:`` lines what validate must say."""
    files = sorted(BROKEN.glob("*.yaml"))
    assert len(files) >= 10
    done = loyalsim("validate", *map(str, files), "scenarios/coffee_shop.yaml")
    assert done.returncode == 2
    assert "Traceback" not in done.stdout + done.stderr
    reports = done.stdout.split("invalid scenario ")[1:]
    assert len(reports) == len(files)
    for path, report in zip(files, reports, strict=True):
        assert report.startswith(str(path)), report
        text = path.read_bytes().decode("utf-8", errors="replace")
        expected = [
            line.removeprefix("# expect: ")
            for line in text.splitlines()
            if line.startswith("# expect: ")
        ]
        assert expected, path
        for line in expected:
            assert line in " ".join(report.split()), (path.name, line, report)
    assert "ok scenarios/coffee_shop.yaml" in done.stdout


def test_validate_and_schema():
    done = loyalsim("validate", "scenarios/coffee_shop.yaml")
    assert done.returncode == 0 and "valid scenario" in done.stdout
    schema = json.loads(loyalsim("schema").stdout)
    assert "market" in schema["properties"]
    help_text = loyalsim("run", "--help").stdout
    assert "example" in help_text


CARD = {
    "name": "card",
    "joining": {"mode": "opt_in"},
    "costs": {"running_cost_per_month": 50},
    "points": {"rewards": [{"points_cost": 60, "face_value": 6.0, "cost_to_business": 1.8}]},
}


@pytest.mark.slow
def test_compare_finds_break_even_responses_and_weighs_uncertainty(tmp_path):
    """--break-even prints the response each design needs beside the published range and
    writes every response tried; --uncertainty prints the share of pairs that paid back and
    what moves it, and writes the draws and the ranking."""
    scenario = write(tmp_path / "shop.yaml", {**SMALL, "programs": [CARD]})
    out = tmp_path / "be"
    common = ["--runs", "3", "--executor", "serial", "--quiet"]
    done = loyalsim("compare", str(scenario), *common, "--out", str(out), "--break-even", "2")
    assert done.returncode == 0, done.stderr
    assert "card: needs +" in done.stdout and "published programs of this type" in done.stdout
    tried = pd.read_csv(out / "break_even_points.csv")
    assert set(tried["lever"]) == {"visits", "basket", "retention", "combined"}
    table = pd.read_csv(out / "comparison.csv")
    assert table["break_even_visits"].iloc[0] > 0
    out = tmp_path / "unc"
    done = loyalsim("compare", str(scenario), *common, "--out", str(out), "--uncertainty")
    assert done.returncode == 0, done.stderr
    assert "card: paid back in" in done.stdout and "what moves it most" in done.stdout
    draws = pd.read_csv(out / "parameter_draws.csv")
    assert len(draws) == 3 and "program_response.visit_elasticity" in draws
    assert len(pd.read_csv(out / "verdict_drivers.csv")) == 6


def test_compare_prints_a_verdict_per_program_and_writes_its_tables(tmp_path):
    scenario = write(tmp_path / "shop.yaml", {**SMALL, "programs": [CARD]})
    out = tmp_path / "cmp"
    args = ["compare", str(scenario), "--runs", "3", "--out", str(out), "--executor", "serial"]
    done = loyalsim(*args, "--quiet")
    assert done.returncode == 0, done.stderr
    assert "card" in done.stdout and "paired" in done.stdout
    # Three runs cannot tell a 5% risk of ruin: the note under the table says how many would.
    assert "about 73 runs would settle it" in done.stdout
    table = pd.read_csv(out / "comparison.csv")
    assert table["ruin_verdict"].iloc[0] == "unresolved"
    assert "participants spent" in done.stdout  # the paired lift beside the naive ratio
    assert list(table["program"]) == ["card"]
    assert len(pd.read_csv(out / "pairs.csv")) == 3
    assert (out / "summary.parquet").exists() and (out / "bands.parquet").exists()
    report = (out / "report.html").read_text(encoding="utf-8")
    for chart in set(COMPARISON_CHARTS) - {"participants_ratio"}:  # that one needs a ratio
        assert (out / f"{chart}.png").stat().st_size > 10_000, chart
        assert (out / f"{chart}.svg").stat().st_size > 10_000, chart
        assert f'id="chart-{chart}"' in report, chart
    assert table["verdict"].iloc[0].replace("_", " ") in report
    again = loyalsim(*args, "--quiet")  # a finished experiment is read back, not re-run
    assert again.returncode == 0
    pd.testing.assert_frame_equal(table, pd.read_csv(out / "comparison.csv"))


def test_replicate_sweep_and_sensitivity_commands(tmp_path):
    scenario = write(tmp_path / "shop.yaml", SMALL)
    common = ["--executor", "serial", "--quiet"]
    done = loyalsim(
        "replicate", str(scenario), "--runs", "2", "--out", str(tmp_path / "r"), *common
    )
    assert done.returncode == 0, done.stderr
    assert "bankrupt within the horizon" in done.stdout
    assert (tmp_path / "r" / "estimates.csv").exists()
    assert (tmp_path / "r" / "cash_bands.png").stat().st_size > 10_000
    done = loyalsim(
        "sweep",
        str(scenario),
        "--param",
        "business.fixed_costs_per_month=500,1500",
        "--param",
        "business.touches_per_month=0,2",
        "--out",
        str(tmp_path / "s"),
        *common,
    )
    assert done.returncode == 0, done.stderr
    assert len(pd.read_csv(tmp_path / "s" / "means.csv")) == 4
    assert (tmp_path / "s" / "heatmap_profit.png").stat().st_size > 10_000
    done = loyalsim(
        "sensitivity",
        str(scenario),
        "--method",
        "morris",
        "--samples",
        "2",
        "--param",
        "business.fixed_costs_per_month=500:1500",
        "--param",
        "product.quality_mean=0.6:0.8",
        "--out",
        str(tmp_path / "t"),
        *common,
    )
    assert done.returncode == 0, done.stderr
    assert "Tornado" in done.stdout
    assert len(pd.read_csv(tmp_path / "t" / "indices.csv")) == 2
    assert (tmp_path / "t" / "tornado.svg").stat().st_size > 10_000


def test_experiment_commands_report_bad_requests_without_a_traceback(tmp_path):
    scenario = write(tmp_path / "shop.yaml", SMALL)
    cases = [
        (["compare", str(scenario), "--runs", "2"], "at least one design"),
        (["replicate", str(scenario), "--runs", "1"], "runs must be an integer of at least 2"),
        (["sweep", str(scenario), "--param", "market.sise=1,2"], "market.sise: no such field"),
        (["sweep", str(scenario), "--design", "lhs", "--param", "market.size=1,2"], "low:high"),
        (["replicate", str(scenario), "--executor", "threads"], "'threads' is not known"),
    ]
    for args, message in cases:
        done = loyalsim(*args, "--out", str(tmp_path / "x"), "--quiet")
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert message in done.stdout, (args, done.stdout)
        assert "Traceback" not in done.stdout + done.stderr


def test_a_misspelt_output_is_refused_before_any_run(tmp_path):
    """The message names the output as typed (brackets too), the closest summary figure and
    the allowed ones; exit 2, no traceback, and no experiment folder: nothing ran."""
    scenario = write(tmp_path / "shop.yaml", SMALL)
    cases = [
        (
            ["sweep", "--param", "business.fixed_costs_per_month=500,1500", "--output", "profits"],
            "output = 'profits' is not a summary figure; did you mean 'profit'? allowed: seed,",
        ),
        (
            [
                "sensitivity",
                "--param",
                "business.fixed_costs_per_month=500:1500",
                "--output",
                "retention[b]",
            ],
            "output = 'retention[b]' is not a summary figure; did you mean 'retention_rate'?",
        ),
    ]
    for (command, *args), message in cases:
        out = tmp_path / command
        done = loyalsim(command, str(scenario), *args, "--out", str(out), "--quiet")
        assert done.returncode == 2, (command, done.stdout, done.stderr)
        assert message in done.stdout, done.stdout
        assert "retention_rate, retention_window_days" in done.stdout  # the allowed figures
        assert "Traceback" not in done.stdout + done.stderr
        assert not out.exists()


def test_a_count_below_one_is_refused_with_the_option_named(tmp_path):
    """``--workers`` and ``--runs`` below 1 (or not a number) get argparse's usage error naming
    the option: exit 2, no traceback, no experiment folder."""
    scenario = write(tmp_path / "shop.yaml", SMALL)
    for command, option, value, allowed in (
        ("replicate", "--workers", "-1", "an integer of at least 1"),
        ("compare", "--runs", "0", "auto or an integer of at least 2"),
        ("compare", "--runs", "many", "auto or an integer of at least 2"),
        ("sweep", "--runs", "two", "an integer of at least 1"),
    ):
        out = tmp_path / command
        done = loyalsim(command, str(scenario), option, value, "--out", str(out), "--quiet")
        assert done.returncode == 2, (command, done.stdout, done.stderr)
        message = f"argument {option}: must be {allowed} (got '{value}')"
        assert message in done.stderr, done.stderr
        assert "Traceback" not in done.stdout + done.stderr
        assert not out.exists()


def test_new_writes_a_commented_starter_that_validates(tmp_path):
    path = tmp_path / "mine.yaml"
    done = loyalsim("new", str(path), "--name", "My shop")
    assert done.returncode == 0, done.stderr
    text = path.read_text()
    assert "# People in the target market." in text  # every field is commented
    assert "[people; illustrative" in text  # with its unit and source
    assert loyalsim("validate", str(path)).returncode == 0
    loaded = sim.load_scenario(path)
    assert loaded == sim.scenario_from_dict({"name": "My shop"})  # the defaults, exactly
    again = loyalsim("new", str(path))
    assert again.returncode == 2 and "exists" in again.stdout
