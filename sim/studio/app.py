"""The studio's page (Panel): edit a scenario's key fields, see the preview redraw, run a paired
comparison in the background and read its verdict.

Panel (HoloViz) serves the page and all its scripts from the installed packages, so the studio
works on a machine with no internet access, as a planner's laptop behind a firewall or a test
machine often is.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import panel as pn
import yaml
from bokeh.models import ColumnDataSource, Span
from bokeh.plotting import figure

from sim.meanfield import buying_rungs
from sim.scenario import Scenario, ScenarioError, load_scenario, scenario_from_dict
from sim.studio.session import KEY_FIELDS, Session, design_fields, field_help

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
"""The bundled scenarios, offered in the picker."""


def verdict_table(table: Any) -> Any:
    """A comparison's table as the studio shows it: the verdict, the incremental profit and
    the ruin the design causes, each with its interval."""
    import pandas as pd

    rows = []
    for r in table.to_dict("records"):
        rows.append(
            {
                "design": r["program"],
                "verdict": r["verdict"],
                "incremental profit": (
                    f"{r['incremental_profit']:,.0f} [{r['incremental_profit_low']:,.0f}, "
                    f"{r['incremental_profit_high']:,.0f}]"
                ),
                "ruin it causes": (
                    f"{r['caused_bankruptcy_probability']:.0%} "
                    f"[{r['caused_bankruptcy_probability_low']:.0%}, "
                    f"{r['caused_bankruptcy_probability_high']:.0%}]"
                ),
                "business bankrupt without it": f"{r['baseline_bankruptcy_probability']:.0%}",
            }
        )
        if "pays_back_probability" in r:  # under parameter uncertainty
            rows[-1]["pays back in"] = (
                f"{r['pays_back_probability']:.0%} [{r['pays_back_probability_low']:.0%}, "
                f"{r['pays_back_probability_high']:.0%}] of pairs"
            )
            rows[-1]["robust"] = "yes" if r.get("robust") else "no"
        for lever in ("visits", "basket", "retention", "combined"):
            if f"break_even_{lever}" in r:
                rows[-1][f"needs, {lever}"] = _needed(r[f"break_even_{lever}"])
                rows[-1][f"bankrupt below, {lever}"] = _ruin_below(r.get(f"bankrupt_below_{lever}"))
    return pd.DataFrame(rows)


def bundled() -> dict[str, Path]:
    """The bundled scenario files by name."""
    return {p.stem: p for p in sorted(SCENARIOS.glob("*.yaml"))}


def _needed(value: Any) -> str:
    """A break-even response as a lift; ``inf`` is beyond the largest response searched."""
    if value is None or value != value:
        return ""
    return "beyond the range searched" if value == float("inf") else f"{value:+.1%}"


def _ruin_below(value: Any) -> str:
    """The response below which a design causes ruin: none (NaN), at every response tried
    (``inf``), or the lift."""
    if value is None or value != value:
        return "no ruin"
    return "at every response tried" if value == float("inf") else f"{value:+.1%}"


def in_place(scenario: Scenario) -> str:
    """The design a run of ``scenario`` puts in place, as the picker names it ("none")."""
    design = scenario.program()
    return "none" if design is None else design.name


def weekly(daily: Any) -> Any:
    """Every seventh day and the last: what a chart of years shows, at a seventh of the data
    sent to the browser on every edit."""
    return daily.iloc[sorted({*range(0, len(daily), 7), len(daily) - 1})]


def chart_data(daily: Any, rungs: list[str], baseline: Any = None) -> dict[str, Any]:
    """The columns the three preview charts draw, in one source: an edit sends them at once.
    ``baseline`` is the weekly preview of the business without its program, whose cash is
    drawn beside (NaN, drawn as nothing, when there is no design in place)."""
    cash = daily["cash"].to_numpy()
    return {
        "day": daily["day"].to_numpy(),
        **{c: daily[c].to_numpy() for c in rungs if c in daily},
        "cash": cash,
        "cash_without": (
            baseline["cash"].to_numpy() if baseline is not None else cash * float("nan")
        ),
        "nps": daily["nps"].fillna(0.0).to_numpy(),
    }


def _charts(scenario: Scenario, daily: Any) -> tuple[dict[str, Any], list[Any], list[str]]:
    """The preview's figures for ``scenario`` (its ladder names the rungs), the data sources an
    edit updates, and the rung columns drawn."""
    rungs = buying_rungs(scenario)
    source = ColumnDataSource(chart_data(daily, rungs))  # the three charts': one update per edit
    ladder = figure(title="People on each rung (expected)", height=260, sizing_mode="stretch_width")
    palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"]
    for i, column in enumerate(rungs):
        ladder.line(
            "day",
            column,
            source=source,
            color=palette[i % len(palette)],
            legend_label=column[2:],
            line_width=2,
        )
    ladder.legend.location = "top_left"
    cash = figure(title="Cash (expected)", height=220, sizing_mode="stretch_width")
    cash.line("day", "cash", source=source, line_width=2, color="#0072B2", legend_label="as set")
    cash.line(
        "day",
        "cash_without",
        source=source,
        line_width=2,
        color="#999999",
        line_dash="dotted",
        legend_label="without the program",
    )
    cash.legend.location = "top_left"
    credit = Span(
        location=-scenario.business.credit_line,
        dimension="width",
        line_color="#D55E00",
        line_dash="dashed",
    )
    cash.add_layout(credit)
    score = figure(
        title="NPS of recent customers (expected)", height=200, sizing_mode="stretch_width"
    )
    score.line("day", "nps", source=source, line_width=2, color="#009E73")
    return (
        {"data": source, "credit": credit},
        [ladder, cash, score],
        rungs,
    )


def build(scenario: Scenario | None = None, source: Path | None = None) -> pn.viewable.Viewable:
    """The studio page for ``scenario`` (default: the bundled coffee shop), read from the file
    ``source`` if given: the picker names it."""
    files = bundled()
    started = "coffee_shop"
    if source is not None:
        same = [name for name, path in files.items() if path.resolve() == source.resolve()]
        started = same[0] if same else f"{source.name} (as started)"
        if not same:
            files = {started: source, **files}
    session = Session(scenario or load_scenario(files["coffee_shop"]))
    sources, plots, rungs = _charts(session.scenario, weekly(session.preview().daily))
    charts = pn.Column(*plots, sizing_mode="stretch_width")
    summary = pn.pane.Markdown("", name="summary")
    caveats = pn.pane.Alert("", alert_type="info", name="caveats")

    latest = [0]  # the latest redraw: a later edit drops the comparison still to come

    def redraw() -> None:
        with pn.io.hold():  # one message to the browser for every change below
            _redraw()

    def _redraw() -> None:
        nonlocal sources, rungs
        p = session.preview()
        daily = weekly(p.daily)
        if buying_rungs(session.scenario) != rungs:  # another ladder: other rungs to draw
            sources, plots, rungs = _charts(session.scenario, daily)
            charts.objects = plots
        sources["credit"].location = -session.scenario.business.credit_line
        caveats.object = "**What the preview leaves out:** " + " ".join(
            f"({i}) {note}" for i, note in enumerate(p.caveats, 1)
        )
        latest[0] += 1
        ticket = latest[0]
        without = session.baseline_preview(work_out=False)
        _show(p, daily, without, coming=session.has_design() and without is None)
        if session.has_design() and without is None:  # the business without it, next

            def compare_with_baseline() -> None:
                if ticket != latest[0]:  # another edit came first
                    return
                with pn.io.hold():
                    _show(p, daily, session.baseline_preview(), coming=False)

            if pn.state.curdoc is not None:  # the first answer goes to the browser first
                pn.state.curdoc.add_next_tick_callback(compare_with_baseline)
            else:
                compare_with_baseline()

    def _show(p: Any, daily: Any, without: Any, coming: bool) -> None:
        """The summary line and the charts' data of preview ``p``, beside ``without`` (the
        business without the design, or None: none in place, or ``coming`` next)."""
        sources["data"].data = chart_data(
            daily, rungs, weekly(without.daily) if without is not None else None
        )
        s = p.summary
        summary.object = (
            f"**{session.scenario.name}**, {session.scenario.horizon_days} days, preview in "
            f"{1000 * p.seconds:.0f} ms: revenue {s['revenue']:,.0f}, profit {s['profit']:,.0f}, "
            f"cash at the end {s['final_cash']:,.0f}, active buyers {s['customers']:,.0f}, "
            f"NPS {s['nps']:+.0f}"
            + (
                f", expected cash below the credit line from day {s['bankrupt_day']}"
                if s["bankrupt_day"] is not None
                else ""
            )
            + (
                f". With the design {in_place(session.scenario)!r} in place: profit "
                f"{s['profit'] - without.summary['profit']:+,.0f} against the business without "
                f"it, {p.daily['members'].iloc[-1]:,.0f} members at the end"
                if without is not None
                else (
                    f". With the design {in_place(session.scenario)!r} in place: "
                    "the business without it is being worked out"
                    if coming
                    else ""
                )
            )
        )

    inputs: dict[str, Any] = {}
    alerts: dict[str, pn.pane.Alert] = {}

    def on_edit(event: Any, path: str) -> None:
        message = session.edit(path, event.new)
        alerts[path].object = message or ""
        alerts[path].visible = message is not None
        if message is None:
            redraw()

    def fields() -> list[Any]:
        cards = []
        sections = {
            **KEY_FIELDS,
            **{f"Design: {name}": paths for name, paths in design_fields(session.scenario).items()},
        }
        for section, paths in sections.items():
            items = []
            for path in paths:
                help_ = field_help(path)
                value = session.value(path)
                kind = pn.widgets.IntInput if isinstance(value, int) else pn.widgets.FloatInput
                design = section.removeprefix("Design: ")
                label = (
                    path.removeprefix(f"programs.{design}.")
                    if section.startswith("Design: ")
                    else path.split(".")[-1]
                )
                widget = kind(
                    name=f"{label} ({help_.unit})",
                    value=value,
                    description=help_.text(),
                    sizing_mode="stretch_width",
                )
                widget.param.watch(lambda e, p=path: on_edit(e, p), "value")
                alert = pn.pane.Alert("", alert_type="danger", visible=False, name=f"error-{path}")
                inputs[path], alerts[path] = widget, alert
                items += [widget, alert]
            cards.append(pn.Card(*items, title=section, collapsed=section != "Market"))
        return cards

    picker = pn.widgets.Select(name="Scenario", options=list(files), value=started)
    upload = pn.widgets.FileInput(accept=".yaml,.yml", name="Upload YAML")
    upload_error = pn.pane.Alert("", alert_type="danger", visible=False)
    editor = pn.Column(*fields())

    replacing = [False]  # the design picker follows a new scenario without editing it

    def replace(scenario: Scenario) -> None:
        session.scenario = scenario
        session.errors.clear()
        editor.objects = fields()
        replacing[0] = True
        design.options = ["none", *(d.name for d in scenario.programs)]
        design.value = in_place(scenario)
        replacing[0] = False
        redraw()

    picker.param.watch(lambda e: replace(load_scenario(files[e.new])), "value")

    def on_upload(event: Any) -> None:
        try:
            data = yaml.safe_load(io.BytesIO(event.new))
            if not isinstance(data, dict):
                raise ScenarioError(["the file holds no scenario: a mapping of sections"])
            scenario = scenario_from_dict(data)
        except (yaml.YAMLError, ScenarioError) as exc:
            upload_error.object = str(exc)
            upload_error.visible = True
            return
        upload_error.visible = False
        replace(scenario)

    upload.param.watch(on_upload, "value")
    design = pn.widgets.Select(
        name="Program design in place",
        options=["none", *(d.name for d in session.scenario.programs)],
        value=in_place(session.scenario),
    )

    def on_design(event: Any) -> None:
        if replacing[0] or event.new is None:
            return
        session.edit("active_program", event.new)
        redraw()

    design.param.watch(on_design, "value")

    def scenario_file() -> io.StringIO:
        data = session.scenario.model_dump(mode="json", exclude_defaults=True)
        return io.StringIO(yaml.safe_dump(data, sort_keys=False))

    download = pn.widgets.FileDownload(
        callback=scenario_file, filename="scenario.yaml", label="Download the edited scenario"
    )

    runs = pn.widgets.Select(name="Paired runs", options=["auto", "8", "30"], value="auto")
    with_break_even = pn.widgets.Checkbox(
        name="with the break-even response (several times the runs)", value=False
    )
    with_uncertainty = pn.widgets.Checkbox(
        name="with parameter uncertainty (the scenario's uncertainty ranges, one draw a pair)",
        value=False,
    )
    bands = pn.Row()
    start = pn.widgets.Button(name="Run comparison", button_type="primary")
    cancel = pn.widgets.Button(name="Cancel", button_type="warning", disabled=True)
    bar = pn.indicators.Progress(
        name="progress", value=0, max=100, visible=False, sizing_mode="stretch_width"
    )
    status = pn.pane.Markdown("", name="status")
    verdicts = pn.pane.DataFrame(None, name="verdicts", index=False)
    report: dict[str, bytes] = {}
    report_download = pn.widgets.FileDownload(
        callback=lambda: io.BytesIO(report.get("zip", b"")),
        filename="report.zip",
        label="Download the comparison's report",
        visible=False,
    )

    def poll() -> None:
        run = session.run
        if run is None:
            return
        if run.total:
            bar.value = int(100 * run.done / run.total)
        if not run.finished:
            drawing = run.total and run.done >= run.total
            status.object = (
                "Drawing the report…" if drawing else f"Running: {run.done} of {run.total} runs"
            )
            return
        bar.visible, cancel.disabled, start.disabled = False, True, False
        if run.error:
            status.object = f"Comparison stopped: {run.error}"
        elif run.result is not None:
            verdicts.object = verdict_table(run.result.table)
            if run.report:
                report["zip"] = run.report
                report_download.filename = f"{session.scenario.name} comparison.zip"
                report_download.visible = True
                charts = zipfile.ZipFile(io.BytesIO(run.report))
                bands.objects = [
                    pn.pane.PNG(charts.read(f"{name}.png"), sizing_mode="scale_width")
                    for name in ("cash_bands", "ladder_bands")
                    if f"{name}.png" in charts.namelist()
                ]
            status.object = (
                f"Verdict after {run.result.runs} paired runs per design, against the same "
                "business without a program (docs/experiments.md, section 4)"
            )
        session.run = None

    def on_start(_: Any) -> None:
        if not session.scenario.programs:
            status.object = "This scenario has no program design to compare."
            return
        choice = runs.value
        bands.objects = []
        session.start_comparison(
            "auto" if choice == "auto" else int(choice),
            break_even=with_break_even.value,
            uncertainty=with_uncertainty.value,
        )
        bar.visible, bar.value, cancel.disabled, start.disabled = True, 0, False, True
        status.object = "Starting…"

    start.on_click(on_start)
    cancel.on_click(lambda _: session.run and session.run.cancel.set())
    pn.state.add_periodic_callback(poll, period=500)
    redraw()
    return pn.template.BootstrapTemplate(
        title="loyalsim studio",
        sidebar=[picker, upload, upload_error, design, download, editor],
        main=[
            summary,
            pn.Row(runs, start, cancel),
            with_break_even,
            with_uncertainty,
            bar,
            status,
            verdicts,
            report_download,
            bands,
            charts,
            caveats,
        ],
    )
