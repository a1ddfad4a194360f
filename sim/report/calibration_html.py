"""The HTML report of a calibration: where the numbers came from, and how far to trust them.

One self-contained file in the style of :func:`sim.report.html.run_report` (styles inline,
charts embedded as PNG, the SVG beside them): the log the scenario was fitted to (file, hash,
windows, customers), what was fitted with its 95% intervals, how the simulator was matched to
the calibration window, the holdout check (the log against the simulator and the fitted
formula), what a transaction log cannot tell, and the charts of
:mod:`sim.report.calibration_charts`. Everything the user supplied (file names) is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sim.calibration.fit import MODEL_NAMES
from sim.calibration.scenario_file import NOT_IDENTIFIED, interval_text
from sim.calibration.transactions import TABLE
from sim.report.html import _e, _figures, _page, _table, _write

CLOSE_ENOUGH = 0.10
"""Relative error of the simulator's holdout forecast that the report calls close."""
MATCH_TOLERANCE = 0.01
"""Largest gap of the matching that the report takes as reached (as the matching aims for)."""

METHOD_WORDS = {
    "map": "the most likely values (maximum a posteriori), with intervals from a Laplace "
    "approximation around them",
    "posterior": "the posterior sampled with NUTS (the values are its medians)",
}

FIELD_WORDS = {
    "customers.purchase_rate_shape": "how unevenly customers buy: each customer's purchase "
    "rate is gamma-distributed with this shape (below 1: a few heavy buyers and many light "
    "ones)",
    "customers.purchase_rate_alpha_days": "the scale of the purchase rates, in days: while "
    "active, customers buy on average shape / alpha times a day",
    "customers.dropout_a": "with dropout_b, the chance that a customer stops for good after a "
    "purchase: beta-distributed, mean a / (a + b)",
    "customers.dropout_b": "see dropout_a",
    "customers.basket_mean": "the mean amount of a purchase (currency units)",
    "customers.basket_cv_between": "how much customers' own average baskets differ "
    "(coefficient of variation)",
    "customers.basket_cv_within": "how much one customer's baskets vary from purchase to "
    "purchase (coefficient of variation)",
}
"""One plain line per fitted field."""


def _left(markup: str) -> str:
    """A table cell's content aligned left (the report's tables align cells right, for
    numbers)."""
    return f'<div style="text-align:left">{markup}</div>'


def _number(x: Any) -> str:
    """A fitted value rounded for reading: four significant digits, thousands separated."""
    try:
        value = float(x)
    except (TypeError, ValueError):
        return "n/a"
    if not math.isfinite(value):
        return "n/a"
    if 0 < abs(value) < 0.001:
        return "&lt;0.001" if value > 0 else "&gt;-0.001"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def _count(x: Any) -> str:
    return f"{float(x):,.0f}"


def _percent(x: Any) -> str:
    """A relative error as a signed percentage (``n/a`` when there is none)."""
    value = float(x)
    return f"{value:+.1%}" if math.isfinite(value) else "n/a"


def _direction(x: float) -> str:
    """``10.9% below`` or ``3.0% above`` the actual."""
    return f"{abs(x):.1%} {'below' if x < 0 else 'above'}"


def _source_section(s: Mapping[str, Any]) -> str:
    source = str(s.get("source", ""))
    shown = f"{TABLE} passed to sim.calibrate" if source in ("", TABLE) else source
    rows = [
        ("log", _e(shown)),
        ("sha256 of the log", f"<code>{_e(s.get('sha256', ''))}</code>"),
        ("dates in the log", f"{_e(s.get('first_date'))} to {_e(s.get('last_date'))}"),
        ("rows of the log", _count(s.get("rows", float("nan")))),
        ("transactions (one per customer and day)", _count(s.get("transactions", float("nan")))),
        ("calibration window", " to ".join(_e(d) for d in s["calibration_window"])),
        (
            "holdout",
            " to ".join(_e(d) for d in s["holdout_window"]) if s.get("holdout_window") else "none",
        ),
        ("customers who first bought in the calibration window", _count(s["customers"])),
        ("of whom bought again in it", _count(s["repeat_customers"])),
        ("their repeat transactions in it", _count(s["repeat_transactions"])),
    ]
    rows = [(_e(k), _left(v)) for k, v in rows]
    body = [
        "<h2>Where the numbers come from</h2>",
        f"<p>The scenario was fitted to the transaction log <b>{_e(shown)}</b>; the hash "
        "identifies the exact file, so that the fit can be traced and repeated.</p>",
        _table(("the log and its windows", ""), rows),
        "<p><b>Purchases of one customer on one day count as one transaction</b>, their "
        f"amounts added up: the log's {_count(s.get('rows', float('nan')))} rows make "
        f"{_count(s.get('transactions', float('nan')))} transactions. A second receipt on the "
        "same day is rarely a second decision to come back, and the models fitted here count "
        "that way. A <i>repeat</i> transaction is any after a customer's first.</p>",
    ]
    return "\n".join(body)


def _parameters_section(cal: Any) -> str:
    s = cal.summary
    model = MODEL_NAMES.get(str(s.get("model")), str(s.get("model")))
    method = METHOD_WORDS.get(str(s.get("method")), str(s.get("method")))
    table = cal.parameters
    rows = []
    moved = []
    for row in table.itertuples():
        short = str(row.field).removeprefix("customers.")
        inside = row.low <= row.value <= row.high if math.isfinite(row.value) else True
        if not inside:
            moved.append(short)
        rows.append(
            (
                f"<code>{_e(short)}</code>",
                f"<b>{_number(row.value)}</b>" + ("" if inside else " *"),
                _number(row.fitted),
                f'<span style="white-space:nowrap">'
                f"{_e(interval_text(row.fitted, row.low, row.high))}</span>",
                _left(_e(row.source)),
                _left(_e(FIELD_WORDS.get(row.field, ""))),
            )
        )
    body = [
        "<h2>What was fitted</h2>",
        f"<p>How often the log's customers buy and how soon they stop: the {_e(model)} "
        "model; what they spend: the gamma-gamma model. Both were fitted with PyMC-Marketing, "
        f"giving {_e(method)}. Each fitted value went into the scenario's "
        "<code>customers</code> section; the column <i>in the scenario</i> is the value after "
        "the matching below, <i>fitted</i> the fit's own.</p>",
        _table(
            ("field", "in the scenario", "fitted", "95% interval", "from", "what it means"),
            rows,
        ),
    ]
    values = dict(zip(table["field"], table["value"], strict=True))
    fits = dict(zip(table["field"], table["fitted"], strict=True))
    shape, alpha = "customers.purchase_rate_shape", "customers.purchase_rate_alpha_days"
    a, b = "customers.dropout_a", "customers.dropout_b"
    sentences = []
    if shape in values and alpha in values and values[alpha] > 0 and fits[alpha] > 0:
        sentences.append(
            f"While active, a customer buys on average {365 * values[shape] / values[alpha]:.1f} "
            f"times a year in the scenario (the fit alone: "
            f"{365 * fits[shape] / fits[alpha]:.1f})."
        )
    if a in values and b in values and values[a] + values[b] > 0 and fits[a] + fits[b] > 0:
        sentences.append(
            f"After each purchase, the average chance of stopping for good is "
            f"{values[a] / (values[a] + values[b]):.0%} (the fit alone: "
            f"{fits[a] / (fits[a] + fits[b]):.0%})."
        )
    if sentences:
        body.append(f"<p>{' '.join(sentences)}</p>")
    if moved:
        names = ", ".join(f"<code>{_e(m)}</code>" for m in moved)
        body.append(
            f'<p class="warning">* The matching moved {names} outside the fit\'s 95% interval: '
            "the simulator needs that value to reproduce the log's calibration window with "
            "everything else the scenario simulates. The fit's own value is beside it.</p>"
        )
    return "\n".join(body)


SCALE_WORDS = {
    "rate_scale": "every customer buys {x} times as often as the fit says "
    "(purchase_rate_alpha_days divided by it)",
    "dropout_scale": "the average chance of stopping after a purchase is {x} times the fitted "
    "one (through dropout_b)",
    "basket_scale": "basket_mean times {x}, so that a simulated repeat purchase costs what the "
    "log's do on average (the ladder's spending would otherwise add to the fitted baskets)",
}
"""What each scale of the matching does, in one line (``{x}``: its value)."""
SCALE_UNCHANGED = {
    "rate_scale": "none: customers buy as often as the fit says",
    "dropout_scale": "none: the fitted chance of stopping after a purchase is kept",
    "basket_scale": "none: the fitted basket is kept",
}
"""The same, for a scale of 1."""

TARGET_WORDS = {
    "customers_without_repeat_purchase": "customers who did not buy again",
    "repeat_purchases": "repeat transactions",
}
"""What each count the matching reproduces is, in words."""


def _matching_targets(m: Mapping[str, Any]) -> list[tuple[str, float, float]]:
    """The counts of the calibration window the matching reproduced: (what, log, replays)."""
    names = list(m.get("targets") or [])
    return [
        (TARGET_WORDS.get(n, n.replace("_", " ")), float(t), float(a))
        for n, t, a in zip(names, m.get("target", []), m.get("simulated", []), strict=False)
    ]


def _matching_section(s: Mapping[str, Any]) -> str:
    m = s.get("matching")
    body = [
        "<h2>Matching the simulator to the log</h2>",
        "<p>The fit explains <i>all</i> of the customers' slowing down, whatever its cause. The "
        "simulator has more ways to lose and slow customers than the fitted chance of "
        "stopping: life events, competitor offers, dissatisfaction and a weak relationship "
        "make customers drift away, and the rungs of the loyalty ladder change how often they "
        "buy. With the fitted values alone, those losses would be counted twice: once in the "
        "fitted dropout and again by their own causes.</p>",
    ]
    if not m:
        body.append(
            '<p class="warning">The simulator was <b>not matched</b>: the fitted values went '
            "into the scenario as they are. If the scenario's other causes of loss are on, they "
            "come on top of the fitted dropout, and simulated customers stop sooner than the "
            "log's.</p>"
        )
        return "\n".join(body)
    if m.get("time_losses") == "fold":
        body.append(
            "<p>First, life events and competitor campaigns in the background, the causes of "
            "loss that strike with time, were <b>folded into the fitted dropout</b>: their "
            "rates are 0 in the calibrated scenario, since the log cannot tell those losses "
            "from any other and the fitted dropout holds them already. Competitor campaigns "
            "on given days still strike (<code>--time-losses keep</code> keeps the base "
            "scenario's rates instead).</p>"
        )
    else:
        body.append(
            "<p>Life events and competitor campaigns in the background keep the base "
            "scenario's rates (<code>--time-losses keep</code>); the scales below make room "
            "for them inside the fitted dropout.</p>"
        )
    body.append(
        "<p>So the scenario keeps the fit's <i>shapes</i> (how customers differ from each "
        "other) and was <b>matched by simulation</b> so that no dropout counts twice: the "
        "log's own customers were replayed through the simulator, each making their first "
        "purchase on the day the log shows, and the scales below were set so that the "
        "replays reproduce the counts of the calibration window in the second table. The "
        "simulator's other causes of loss thus take the place of part of the fitted dropout "
        "instead of coming on top of it.</p>"
    )
    rows = []
    scales = [k for k in SCALE_WORDS if k in m] + sorted(
        k for k in m if k.endswith("_scale") and k not in SCALE_WORDS
    )
    for key in scales:
        value = float(m[key])
        what = SCALE_WORDS.get(key, "").format(x=f"{value:.3g}")
        if round(value, 3) == 1.0 and key in SCALE_UNCHANGED:
            what = SCALE_UNCHANGED[key]
        rows.append((_e(key.replace("_", " ")), f"{value:.3f}", _left(_e(what))))
    body.append(_table(("scale", "value", "what it does"), rows))
    targets = _matching_targets(m)
    if targets:
        body.append(
            _table(
                ("in the calibration window", "log", "replays (matched)", "gap"),
                [
                    (_e(what), _count(t), _count(a), _percent(a / t - 1) if t else "n/a")
                    for what, t, a in targets
                ],
            )
        )
    body.append(
        "<p>Scales near 1 mean that the scenario's other mechanisms hardly change the log's "
        "customers. A rate scale above 1: with the fitted values alone, simulated customers "
        "would buy less often than the log's. A dropout scale below 1: the scenario's other "
        "causes of loss take over part of the fitted dropout; above 1: with the fitted values "
        "alone, simulated customers would keep buying for longer than the log's.</p>"
    )
    gap = float(m.get("largest_gap", float("nan")))
    if math.isfinite(gap) and gap > MATCH_TOLERANCE:
        body.append(
            f'<p class="warning">The matching stopped {gap:.1%} away from one of the log\'s '
            f"counts (it aims for {MATCH_TOLERANCE:.0%}): the scenario does not quite "
            "reproduce the calibration window.</p>"
        )
    return "\n".join(body)


def _holdout_section(s: Mapping[str, Any]) -> str:
    hold = s.get("holdout")
    body = ["<h2>The holdout check</h2>"]
    if not hold or not s.get("holdout_window"):
        body.append(
            '<p class="warning"><b>No holdout check</b>: the whole log was used for the fit, so '
            "nothing shows how well the calibrated scenario forecasts. To get a check, fit on "
            "an earlier part of the log and hold the rest out: give the last day of the "
            "calibration window with <code>--until</code> and the end of the holdout with "
            "<code>--holdout-until</code> (<code>holdout_until=</code> in "
            "<code>sim.calibration.calibrate</code>). The simulator's and the fitted formula's "
            "forecasts of the held-out months are then set against what the log shows.</p>"
        )
        return "\n".join(body)
    window = " to ".join(_e(d) for d in s["holdout_window"])
    replays = int(hold.get("replays", 0))
    body.append(
        f"<p>The log's customers (those who first bought in the calibration window) were "
        f"replayed {replays} times through the calibrated simulator, up to the end of the "
        f"holdout ({window}); nobody else came and no loyalty program ran. Neither the fit "
        "nor the matching saw the holdout, so their repeat transactions in it are a fair "
        "test.</p>"
    )
    actual = hold["actual_repeat_purchases"]
    sim_err, model_err = hold["simulated_error"], hold["model_error"]
    low, high = hold["simulated_repeat_purchases_low"], hold["simulated_repeat_purchases_high"]
    rows = [
        ("<b>actual</b> (the log)", f"<b>{_count(actual)}</b>", ""),
        (
            f"<b>simulator</b>: mean of {replays} replays (5-95% range "
            f"{_count(low)} to {_count(high)})",
            _count(hold["simulated_repeat_purchases"]),
            _percent(sim_err),
        ),
        (
            "<b>fitted formula</b>, from each customer's first purchase day (what the "
            "simulator knows too)",
            _count(hold["model_repeat_purchases"]),
            _percent(model_err),
        ),
        (
            "fitted formula, given each customer's own history in the calibration window",
            _count(hold["model_conditional_repeat_purchases"]),
            _percent(hold["model_conditional_error"]),
        ),
    ]
    body.append(
        _table(("forecast", "repeat transactions in the holdout", "error against actual"), rows)
    )
    body.append(f"<p><b>{_e(_verdict(sim_err, model_err))}</b> {_e(_range_note(hold))}</p>")
    return "\n".join(body)


def _verdict(sim_err: float, model_err: float) -> str:
    """Whether the simulator's holdout forecast is within 10% of the actual, and no worse
    than the fitted formula's (from the same information)."""
    if not math.isfinite(sim_err):
        return "The holdout has no repeat transactions, so the forecasts cannot be judged."
    close = abs(sim_err) <= CLOSE_ENOUGH
    first = (
        f"The simulator's forecast is {'within' if close else 'not within'} "
        f"{CLOSE_ENOUGH:.0%} of the actual (it is {_direction(sim_err)})"
    )
    if not math.isfinite(model_err):
        return first + "."
    no_worse = abs(sim_err) <= abs(model_err)
    return (
        f"{first}, and {'no worse than' if no_worse else 'worse than'} the fitted formula's "
        f"({_direction(model_err)})."
    )


def _range_note(hold: Mapping[str, Any]) -> str:
    actual = hold["actual_repeat_purchases"]
    low, high = hold["simulated_repeat_purchases_low"], hold["simulated_repeat_purchases_high"]
    if low <= actual <= high:
        return (
            "The actual lies within the replays' 5-95% range: the gap is no larger than the "
            "chance differences between replays."
        )
    return (
        "The actual lies outside the replays' 5-95% range: the gap is larger than the chance "
        "differences between replays, so the scenario misses something in how these customers "
        "buy (the charts show when)."
    )


def _not_identified_section() -> str:
    items = "".join(
        f"<li><code>{_e(section)}</code>: {_e(why)}</li>" for section, why in NOT_IDENTIFIED
    )
    return (
        "<h2>What the log cannot tell</h2>"
        "<p>A transaction log shows who bought, when and for how much. These sections of the "
        "scenario are not fitted; they keep the base scenario's values, so check them, or fit "
        f"them from other data:</p><ul>{items}</ul>"
    )


def calibration_report(cal: Any, folder: str | Path, charts: Mapping[str, list[Path]]) -> Path:
    """Write ``report.html`` for a calibration: the log, the fit, the matching, the check.

    Parameters
    ----------
    cal
        A :class:`~sim.calibration.Calibration`.
    folder
        Where to write the report (beside the charts).
    charts
        The saved charts to embed, by name (from
        :func:`sim.report.calibration_charts.calibration_charts`).

    Returns
    -------
    Path
        The report.
    """
    s = cal.summary
    source = str(s.get("source", ""))
    name = TABLE if source in ("", TABLE) else Path(source).name
    body = [
        _source_section(s),
        _parameters_section(cal),
        _matching_section(s),
        _holdout_section(s),
        _not_identified_section(),
        "<h2>Charts</h2>",
        _figures(charts) if charts else "<p>No chart was drawn.</p>",
    ]
    subtitle = f"a scenario calibrated from a transaction log, {s['customers']:,} customers"
    return _write(folder, _page(f"Calibration from {name}", subtitle, "\n".join(body)))
