"""The studio in a real browser (Debian's Chromium driven by Playwright), and its session rules
without one: the page loads with a preview, an edit redraws it, a refused value shows the
scenario's message at its field and changes nothing, and a comparison runs to a verdict."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.studio.app import verdict_table
from sim.studio.session import Session, design_fields, field_help

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
BROWSER_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
"""As root on a machine with no internet: no sandbox, and no background connections."""


def test_a_refused_edit_names_the_field_and_changes_nothing():
    session = Session(sim.load_scenario("scenarios/coffee_shop.yaml"))
    before = session.scenario
    message = session.edit("market.first_purchase_probability", 2.0)
    assert message.startswith("market.first_purchase_probability:")
    assert message.endswith("allowed: <= 1.0")
    assert session.scenario is before
    assert session.edit("market.first_purchase_probability", 0.4) is None
    assert session.errors == {}
    assert session.value("market.first_purchase_probability") == 0.4


def test_every_number_of_every_bundled_design_can_be_edited_with_help():
    """The design cards list each design's written numbers; each has help from the schema and
    takes its own value back."""
    for path in sorted(Path("scenarios").glob("*.yaml")):
        session = Session(sim.load_scenario(path))
        for paths in design_fields(session.scenario).values():
            for field_path in paths:
                assert field_help(field_path).unit, field_path
                assert session.edit(field_path, session.value(field_path)) is None, field_path


def test_field_help_comes_from_the_schema():
    help_ = field_help("market.first_purchase_probability")
    assert help_.low == 0 and help_.high == 1 and help_.unit and help_.source
    assert "Allowed: >= 0 and <= 1" in help_.text()


def test_a_finished_comparison_comes_with_its_report():
    session = Session(sim.load_scenario("scenarios/hoover_promotion.yaml"))
    run = session.start_comparison(runs=4)
    run.thread.join(timeout=300)
    assert run.error is None and run.result is not None
    names = zipfile.ZipFile(io.BytesIO(run.report)).namelist()
    assert "report.html" in names and any(n.endswith(".png") for n in names)


def test_the_verdict_table_shows_the_break_even_when_it_was_searched():
    row = {
        "program": "card",
        "verdict": "marginal",
        "incremental_profit": -3132.0,
        "incremental_profit_low": -8899.0,
        "incremental_profit_high": 2635.0,
        "caused_bankruptcy_probability": 0.0,
        "caused_bankruptcy_probability_low": 0.0,
        "caused_bankruptcy_probability_high": 0.036,
        "baseline_bankruptcy_probability": 0.01,
    }
    plain = verdict_table(pd.DataFrame([row])).iloc[0]
    assert plain["incremental profit"] == "-3,132 [-8,899, 2,635]"
    assert "needs, visits" not in plain
    searched = {**row, "break_even_visits": 0.071, "bankrupt_below_visits": float("inf")}
    assert (
        verdict_table(pd.DataFrame([{**searched, "bankrupt_below_visits": float("nan")}])).iloc[0][
            "bankrupt below, visits"
        ]
        == "no ruin"
    )
    shown = verdict_table(pd.DataFrame([searched])).iloc[0]
    assert shown["needs, visits"] == "+7.1%"
    assert shown["bankrupt below, visits"] == "at every response tried"


def test_the_verdict_table_shows_every_lever_searched_and_the_doubt_about_the_inputs():
    row = {
        "program": "card",
        "verdict": "marginal",
        "incremental_profit": 100.0,
        "incremental_profit_low": -50.0,
        "incremental_profit_high": 250.0,
        "caused_bankruptcy_probability": 0.0,
        "caused_bankruptcy_probability_low": 0.0,
        "caused_bankruptcy_probability_high": 0.036,
        "baseline_bankruptcy_probability": 0.0,
        "break_even_basket": 0.12,
        "bankrupt_below_basket": float("nan"),
        "break_even_retention": float("inf"),
        "pays_back_probability": 0.62,
        "pays_back_probability_low": 0.39,
        "pays_back_probability_high": 0.82,
        "robust": False,
    }
    shown = verdict_table(pd.DataFrame([row])).iloc[0]
    assert shown["needs, basket"] == "+12.0%"
    assert shown["bankrupt below, basket"] == "no ruin"
    assert shown["needs, retention"] == "beyond the range searched"
    assert shown["pays back in"] == "62% [39%, 82%] of pairs"
    assert shown["robust"] == "no"


def test_a_comparison_can_weigh_the_doubt_about_the_inputs():
    """With parameter uncertainty each pair draws the scenario's uncertainty ranges (by default
    six response parameters): the result gives the share of pairs that pay back."""
    session = Session(sim.load_scenario("scenarios/hoover_promotion.yaml"))
    run = session.start_comparison(runs=4, uncertainty=True)
    run.thread.join(timeout=300)
    assert run.error is None and run.result is not None
    assert "pays back in" in verdict_table(run.result.table)


def test_a_design_in_place_is_previewed_beside_the_business_without_it():
    """The studio previews the design in place and, beside it, the same business without a
    program: kept while only the design's terms change, worked out again when the business
    changes."""
    session = Session(sim.load_scenario("scenarios/refer_a_friend.yaml"))
    without = session.baseline_preview()
    assert without is not None and "members" in session.preview().daily
    assert session.preview().summary["profit"] != without.summary["profit"]
    assert session.edit("programs.bring a friend.costs.running_cost_per_month", 90.0) is None
    assert session.baseline_preview() is without
    assert session.edit("market.cost_per_reach", 1.0) is None
    assert session.baseline_preview() is not without
    assert Session(sim.load_scenario("scenarios/coffee_shop.yaml")).baseline_preview() is None


def test_the_picker_names_the_scenario_the_studio_started_with(tmp_path):
    from sim.studio.app import build

    def picked(page):
        return next(w for w in page.sidebar if getattr(w, "name", "") == "Scenario").value

    bundled = Path("scenarios/wine_club.yaml")
    assert picked(build(sim.load_scenario(bundled), bundled)) == "wine_club"
    own = tmp_path / "my_shop.yaml"
    own.write_text(bundled.read_text())
    assert picked(build(sim.load_scenario(own), own)) == "my_shop.yaml (as started)"


def test_a_comparison_can_be_cancelled():
    session = Session(sim.load_scenario("scenarios/coffee_shop.yaml"))
    run = session.start_comparison(runs=30)
    run.cancel.set()
    run.thread.join(timeout=120)
    assert run.finished and run.error == "cancelled" and run.result is None


@contextlib.contextmanager
def running_studio() -> Iterator[str]:
    """``loyalsim studio`` on a free port, as a user starts it: its URL once it answers;
    stopped on leaving."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", "studio", "--port", str(port), "--no-browser"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                if server.poll() is not None:
                    raise RuntimeError(f"loyalsim studio exited with {server.returncode}") from None
                time.sleep(0.5)
        else:
            raise RuntimeError(f"loyalsim studio did not answer on {url} within a minute")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def studio_url():
    """The studio served for the browser tests (Chromium needed)."""
    if CHROMIUM is None:
        if os.environ.get("LOYALSIM_BROWSER_TESTS") == "required":
            pytest.fail("Chromium is not installed (apt-get install chromium)")
        pytest.skip("no Chromium on this machine")
    pytest.importorskip("playwright")
    with running_studio() as url:
        yield url


@pytest.fixture(scope="module")
def page(studio_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(studio_url, timeout=60_000)
        page.get_by_text("preview in").wait_for(timeout=60_000)
        yield page
        browser.close()


def summary(page) -> str:
    return page.get_by_text("preview in").inner_text()


def test_the_page_loads_with_a_preview(page):
    assert "Corner coffee shop" in summary(page) and "revenue" in summary(page)


def test_an_edit_redraws_the_preview(page):
    before = summary(page).split(" ms:")[1]
    field = page.get_by_label("reach_rate_per_year (1/year)")
    field.fill("1.2")
    field.press("Tab")
    deadline = time.monotonic() + 20
    while summary(page).split(" ms:")[1] == before and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert summary(page).split(" ms:")[1] != before


def test_a_refused_value_shows_its_error_at_the_field(page):
    field = page.get_by_label("first_purchase_probability (probability)")
    field.fill("2")
    field.press("Tab")
    error = page.get_by_text("market.first_purchase_probability", exact=False).first
    error.wait_for(timeout=20_000)
    assert "1" in error.inner_text()


def test_an_upload_that_is_no_scenario_is_refused_and_changes_nothing(page, tmp_path):
    before = summary(page)
    listing = tmp_path / "list.yaml"
    listing.write_text("- 1\n- 2\n")
    page.locator("input[type=file]").set_input_files(str(listing))
    page.get_by_text("holds no scenario", exact=False).wait_for(timeout=20_000)
    assert summary(page) == before


def test_a_comparison_runs_to_a_verdict(page):
    name = sim.load_scenario("scenarios/hoover_promotion.yaml").name
    page.get_by_label("Scenario").select_option("hoover_promotion")
    deadline = time.monotonic() + 30
    while not summary(page).startswith(name) and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert summary(page).startswith(name)
    design = sim.load_scenario("scenarios/hoover_promotion.yaml").program().name
    assert page.get_by_label("Program design in place").input_value() == design
    page.get_by_label("Paired runs").select_option("8")
    page.get_by_role("button", name="Run comparison").click()
    page.get_by_text("Verdict after", exact=False).wait_for(timeout=300_000)
    assert page.get_by_text("would_bankrupt").count() >= 1
    assert page.get_by_text("Download the comparison's report").is_visible()
    shot = os.environ.get("LOYALSIM_STUDIO_SHOT")  # the docs' picture: docs/img/studio.png
    if shot:
        page.screenshot(path=shot, full_page=True)
