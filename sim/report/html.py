"""A single self-contained HTML report that a planner can e-mail.

Everything is in the one file: the styles inline, every chart embedded as a PNG in base64
(the SVG beside it in the folder is for print). The report opens with the scenario in plain
words, then the verdicts or the run's figures, then the charts, each with a line on how to read
it (docs/reading-the-report.md says more). It closes with what each fact id it cites means
(``DOMAIN L4``, ``(E6)``); the ids in the report's own sentences and warnings link to their
entries, while text the user wrote (scenario and program names, descriptions) is escaped and
never linked.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sim.report.palette import VERDICT_COLOURS
from sim.report.sources import FACTS, SOURCES_PAGE, cited_id_positions, cited_ids
from sim.report.text import (
    COMPARISON_COLUMNS,
    VERDICT_MEANING,
    baseline_ruin_text,
    comparison_rows,
    design_notes,
    design_warnings,
    flow_rows,
    money_rows,
    runs_text,
    scenario_in_words,
    unresolved_ruin_notes,
)

CAPTIONS: dict[str, str] = {
    "ladder": "People on each rung of the loyalty ladder (DOMAIN L1) day by day, from shopper up; "
    "the dashed line counts the customers lost so far.",
    "flows": "The most frequent moves on the ladder over the run and the cause recorded for each: "
    "up (blue), down, lost with its reason (DOMAIN L4), won back.",
    "nps": "Net Promoter Score of recent buyers (% promoters minus % detractors, DOMAIN W1) "
    "and the three shares under it.",
    "cash": "Cash day by day against the credit line: below the dashed line the business is "
    "bankrupt and stops trading (DOMAIN E7).",
    "losses": "Customers lost per 30 days by recorded reason; the legend gives each reason's "
    "share, to set against DOMAIN L4 (68% of losses from low interaction).",
    "satisfaction": "The five satisfaction levels of DOMAIN L8 as shares of the customer base.",
    "sales_share": "Sales to existing customers and first purchases of new ones, and the new "
    "customers' share (DOMAIN E5).",
    "participants": "Spend per customer-year of program participants and of non-participants in "
    "the same purchase-rate quintile: participants must bring more (DOMAIN E6). Opt-in programs "
    "flatter this comparison; the paired incremental profit is the honest figure.",
    "comparison": "Each design against no program on the same paired replications: incremental "
    "profit with its confidence interval, probability of bankruptcy, and reward cost against "
    "retention gain.",
    "cash_bands": "Cash across replications: the median and its bands per design, the credit line, "
    "and the share of runs bankrupt by each day.",
    "ladder_bands": "Median people per rung over time in each design's replications.",
    "nps_bands": "Median NPS and its middle half across replications, per design.",
    "losses_by_reason": "Customers lost per reason over the run, mean per replication with its "
    "interval (DOMAIN L4).",
    "satisfaction_bands": "Mean shares of the five satisfaction levels of DOMAIN L8 over the "
    "last days of the horizon, per design.",
    "sales_share_bands": "New customers' share of sales per 30 days, per design (DOMAIN E5).",
    "participants_ratio": "Participants' spend per year over comparable non-participants', mean "
    "across replications with its interval (DOMAIN E6): below 1 the strategy is wrong. The "
    "diamond is the paired lift, what the program itself did to participants' spending; the gap "
    "between the two is who joins.",
    "tracking": "Repeat transactions of the log's customers so far, week by week: the log "
    "(black), the calibrated simulator's replays of the same customers (blue: their mean and "
    "5-95% range) and the fitted formula (vermillion). Right of the dotted line is the holdout, "
    "which neither the fit nor the matching saw.",
    "weekly": "The same per week: peaks and dips in the log that neither the fit nor the "
    "simulator know of (seasons, promotions, holidays) show here. A last week cut short by the "
    "end of the holdout is scaled to seven days.",
    "frequency": "Customers by how many times they bought again in the calibration window: the "
    "log against the mean of the simulator's replays, with the replays' 5-95% range as error "
    "bars.",
    "conditional": "Mean transactions in the holdout of customers grouped by how many times they "
    "bought again in the calibration window (group sizes under the labels): the log, the "
    "simulator and the fitted formula given each customer's own history. Small groups are "
    "noisy.",
    "parameters": "Each fitted field drawn relative to its own fitted value, on a log scale, so "
    "that fields in days, currency units and plain numbers share one axis: the fit (hollow "
    "circle at 1) with its 95% interval, and the value the scenario holds after the matching "
    "(diamond). The numbers themselves are on the right.",
}
"""One line on how to read each chart, by the name it is saved under."""

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 60rem;
       margin: 2rem auto; padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; } h2 { margin-top: 2.2rem; font-size: 1.25rem;
     border-bottom: 1px solid #ccc; padding-bottom: 0.2rem; }
.meta { color: #555; font-size: 0.9rem; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.92rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3rem 0.7rem; text-align: right; }
th:first-child, td:first-child, td.text { text-align: left; }
.verdict { font-weight: bold; padding: 0.1rem 0.5rem; border-radius: 0.3rem; color: #fff;
           white-space: nowrap; }
.warning { border-left: 4px solid #E69F00; padding: 0.3rem 0.8rem; margin: 0.5rem 0;
           background: #fff8e6; }
.bankrupt { border-left: 4px solid #D55E00; padding: 0.3rem 0.8rem; background: #fdeee6; }
figure { margin: 1.5rem 0; } figure img { max-width: 100%; height: auto; }
figcaption { font-size: 0.9rem; color: #444; }
a.cite { color: inherit; text-decoration: underline dotted; }
dl.sources { display: grid; grid-template-columns: max-content 1fr; gap: 0.35rem 1rem;
             font-size: 0.92rem; }
dl.sources dt { font-weight: bold; } dl.sources dd { margin: 0; }
dl.sources dt:target, dl.sources dt:target + dd { background: #fff8e6; }
@media print { body { max-width: none; } h2 { page-break-before: auto; }
               figure { page-break-inside: avoid; } }
"""


def _e(text: Any) -> str:
    return html.escape(str(text))


def _cite(text: str) -> str:
    """Text the report writes itself, escaped, each fact id it cites a link to its entry.

    Only for the report's own words (fixed sentences, notes on verdicts, warnings): text the
    user wrote goes through :func:`_e` alone, so that it is never turned into links.
    """
    parts: list[str] = []
    done = 0
    for start, end, fact in cited_id_positions(text):
        if fact not in FACTS:
            continue
        parts.append(_e(text[done:start]))
        parts.append(f'<a class="cite" href="#src-{fact}">{fact}</a>')
        done = end
    parts.append(_e(text[done:]))
    return "".join(parts)


TAG = re.compile(r"<[^>]*>")
"""An HTML tag of the report's own markup (escaped text holds no ``<`` or ``>``)."""


def _visible_text(markup: str) -> str:
    """The text a reader sees in a piece of the report's markup: tags dropped, entities read."""
    return html.unescape(TAG.sub("", markup))


def _sources_section(markup: str) -> str:
    """The closing section: what each fact id cited in ``markup`` means ("" when none is).

    Every id the reader can see counts, the ones in user text too (they are listed but not
    linked); an id that no fact has is left out.
    """
    facts = [fact for fact in cited_ids(_visible_text(markup)) if fact in FACTS]
    if not facts:
        return ""
    entries = "".join(
        f'<dt id="src-{fact}">{fact}</dt><dd>{_e(FACTS[fact])}</dd>' for fact in facts
    )
    return (
        '<h2 id="sources">What the cited ids mean</h2>'
        "<p>The report cites published figures and rules of thumb about customer loyalty by "
        "short ids. They are the model's defaults or calibration targets, not laws.</p>"
        f'<dl class="sources">{entries}</dl>'
        '<p class="meta">The full list, with the published sources behind each id, is in the '
        f'loyalsim documentation, page "{_e(SOURCES_PAGE)}".</p>'
    )


def _table(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _verdict_badge(verdict: str) -> str:
    return (
        f'<span class="verdict" style="background:{VERDICT_COLOURS[verdict]}">'
        f"{_e(verdict.replace('_', ' '))}</span>"
    )


def _figures(charts: Mapping[str, list[Path]]) -> str:
    parts = []
    for name, files in charts.items():
        png = next(f for f in files if f.suffix == ".png")
        svg = next((f for f in files if f.suffix == ".svg"), None)
        data = base64.b64encode(png.read_bytes()).decode("ascii")
        link = f' (vector: <a href="{_e(svg.name)}">{_e(svg.name)}</a>)' if svg else ""
        # Captions stay plain text, word for word (the sources section still lists their ids).
        parts.append(
            f'<figure id="chart-{_e(name)}"><img alt="{_e(name)} chart" '
            f'src="data:image/png;base64,{data}"><figcaption>{_e(CAPTIONS.get(name, name))}'
            f"{link}</figcaption></figure>"
        )
    return "\n".join(parts)


def _page(title: str, subtitle: str, body: str) -> str:
    stamp = _dt.date.today().isoformat()
    shown = f'<h1>{_e(title)}</h1><p class="meta">{_e(subtitle)} · loyalsim report, {stamp}</p>'
    shown += body
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>"
        f"{shown}{_sources_section(shown)}</body></html>\n"
    )


def _write(folder: str | Path, text: str) -> Path:
    out = Path(folder) / "report.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return out


def _scenario_section(scenario: Any) -> str:
    items = "".join(f"<li>{_e(s)}</li>" for s in scenario_in_words(scenario))
    return f"<h2>The scenario</h2><ul>{items}</ul>"


def run_report(result: Any, folder: str | Path, charts: Mapping[str, list[Path]]) -> Path:
    """Write ``report.html`` for one run: the scenario, what happened, and the charts.

    Parameters
    ----------
    result
        A finished :class:`~sim.results.RunResult`.
    folder
        Where to write the report (beside the tables and charts).
    charts
        The saved charts to embed, by name (from :func:`sim.report.charts.run_charts`).
    """
    s = result.summary
    body = [_scenario_section(result.scenario), "<h2>What happened</h2>"]
    if s["bankrupt"]:
        body.append(
            f'<p class="bankrupt"><b>Bankrupt on day {s["bankrupt_day"]}</b>: cash fell below '
            "the credit line and the business stopped trading.</p>"
        )
    else:
        body.append("<p><b>Not bankrupt</b>: cash stayed above the credit line.</p>")
    program = s.get("program") or {}
    in_place = (
        _cite("none, the natural baseline (DOMAIN P1)")
        if not program or program.get("natural")
        else _e(f"{program['name']} ({', '.join(program['mechanics'])})")
    )
    body.append(
        f"<p>One replication, seed {s['seed']}, {s['days_simulated']:,} of "
        f"{s['horizon_days']:,} days ({s['mode']} mode). Loyalty program in place: "
        f"{in_place}. One seed is an anecdote: <code>loyalsim compare</code> weighs designs "
        "over many paired runs with confidence intervals.</p>"
    )
    rows = [
        ("<b>profit</b>" if item == "profit" else ("&nbsp;&nbsp;" * detail) + _e(item), amount)
        for item, amount, detail in money_rows(s)
    ]
    body.append(_table(("money", "currency units"), rows))
    ladder = [(_e(k), f"{v:,}") for k, v in s["rungs_at_end"].items()]
    body.append(_table(("rung at the end", "people"), ladder))
    if s["mode"] == "agent":
        flows = [(_e(flow), _e(reason), n) for flow, reason, n in flow_rows(s)]
        body.append(_table(("flow", "reason", "customers"), flows))
    body.append("<h2>Charts</h2>")
    body.append(_figures(charts))
    return _write(folder, _page(result.scenario.name, "one run", "\n".join(body)))


def comparison_report(
    comparison: Any, folder: str | Path, charts: Mapping[str, list[Path]]
) -> Path:
    """Write ``report.html`` for a comparison: verdict per design with evidence, and charts.

    Parameters
    ----------
    comparison
        A :class:`~sim.experiments.compare.Comparison` from :func:`sim.compare`.
    folder
        Where to write the report.
    charts
        The saved charts to embed, by name.
    """
    c = comparison
    level = c.scenario.experiment.confidence
    body = [_scenario_section(c.scenario), "<h2>Verdicts</h2>"]
    body.append(
        f"<p>Each design against no program, {_e(runs_text(c))} (replication i of "
        "every arm shares its seed, so the same customers meet the same luck except where the "
        f"program changes what happens); every figure is a mean with its {level:.0%} "
        "confidence interval"
        + (
            " (for the risk of ruin and the incremental profit, a confidence sequence: valid "
            "although the comparison stopped once the verdicts were settled)"
            if getattr(c, "sequential", False)
            else ""
        )
        + ".</p>"
    )
    rows = []
    for row in comparison_rows(c.table):
        cells = [_e(row[col]) for col in COMPARISON_COLUMNS]
        cells[1] = _verdict_badge(row["verdict"])
        cells[0] = f'<span class="text">{cells[0]}</span>'
        rows.append(cells)
    body.append(_table(COMPARISON_COLUMNS, rows))
    body.append(f"<p>{_cite(baseline_ruin_text(c))}</p>")
    for program, note in unresolved_ruin_notes(c):
        body.append(f'<p class="warning"><b>{_e(program)}</b>: {_cite(note)}</p>')
    for program, note in design_notes(c):
        body.append(f"<p><b>{_e(program)}</b>: {_cite(note)}</p>")
    meanings = "".join(
        f"<li>{_verdict_badge(v)} {_e(VERDICT_MEANING[v])}</li>"
        for v in dict.fromkeys(c.table["verdict"])
    )
    body.append(f"<p>What the verdicts mean:</p><ul>{meanings}</ul>")
    for program, w in design_warnings(c):
        body.append(
            f'<p class="warning"><b>{_e(program)}</b>: {_cite(w.message)} ({_cite(w.source)})</p>'
        )
    body.append("<h2>Charts</h2>")
    body.append(_figures(charts))
    return _write(
        folder,
        _page(c.scenario.name, f"program comparison, {c.runs} paired runs", "\n".join(body)),
    )
