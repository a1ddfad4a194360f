"""The calibrated scenario as a file with its provenance, and ``calibration.json``.

The scenario file says in its comments where each fitted number came from: the log's file and
hash, the windows, the customers, each fitted value with its interval, the matching's scales,
the fit quality, and which fields the data cannot identify and so keep the base scenario's
values. Only fields that differ from the defaults are written, so the file stays short; it
loads back to the same scenario.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

import yaml

from sim.calibration.fit import MODEL_NAMES

if TYPE_CHECKING:  # pragma: no cover
    from sim.calibration.calibrate import Calibration

NOT_IDENTIFIED = (
    (
        "market",
        "reach, its cost and the size of the market: a log shows who came, not who was reached",
    ),
    (
        "program_response",
        "how members respond to a program: the log is the business without one (fit it to a pilot)",
    ),
    ("word_of_mouth", "who talks and who listens: a log does not say why a customer came"),
    (
        "product, experience, relationship, behaviour",
        "satisfaction and its effects: the log cannot separate them; the matched scales hold "
        "their average effect",
    ),
    (
        "life_events, competition, win_back",
        "why customers left: the log shows that they stopped, not why; life events and "
        "background competitor campaigns are folded into the fitted dropout (or, with "
        "--time-losses keep, kept at the base's rates, the matching making room for them)",
    ),
    ("business", "costs, cash and margins: not in a transaction log"),
)
"""Sections the log cannot identify, and why; they keep the base scenario's values."""


def _number(x: float) -> str:
    if not math.isfinite(x):
        return "n/a"
    return f"{x:.4g}"


UNBOUNDED = 1000.0
"""An interval whose upper end is this many times its value is not bounded by the log."""


def interval_text(value: float, low: float, high: float) -> str:
    """``"0.22 to 0.27"``, or that the log does not bound the value."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return "n/a"
    if value > 0 and high > UNBOUNDED * value:
        return f"from {_number(low)}, not bounded by the log"
    return f"{_number(low)} to {_number(high)}"


def provenance_lines(cal: Calibration) -> list[str]:
    """The comment lines at the head of the calibrated scenario."""
    s = cal.summary
    out = [
        f"Calibrated by `loyalsim calibrate` from {s['source']}",
        f"  sha256 {s['sha256']}",
        f"  {s['rows']:,} rows, {s['transactions']:,} transactions (one per customer and day), "
        f"{s['first_date']} to {s['last_date']}",
        f"  calibration window {s['calibration_window'][0]} to {s['calibration_window'][1]}: "
        f"{s['customers']:,} customers, {s['repeat_customers']:,} bought again, "
        f"{s['repeat_transactions']:,} repeat transactions",
    ]
    if s["holdout_window"]:
        out.append(f"  holdout {s['holdout_window'][0]} to {s['holdout_window'][1]}")
    method = "maximum a posteriori, Laplace intervals" if s["method"] == "map" else "NUTS posterior"
    model = MODEL_NAMES[s["model"]]
    out.append(f"Fit: {model} and gamma-gamma (PyMC-Marketing), {method}; 95% intervals.")
    fit = s.get("fit")
    if fit:
        out.append(
            f"  fit quality: the fitted formula expects {fit['formula_repeat_transactions']:,.0f}"
            f" repeat transactions in the calibration window, the log has "
            f"{fit['repeat_transactions']:,.0f} ({fit['formula_error']:+.1%})"
        )
    for row in cal.parameters.itertuples():
        out.append(
            f"  {row.field} = {_number(row.value)}  (fitted {_number(row.fitted)}, "
            f"95% interval {interval_text(row.fitted, row.low, row.high)}; {row.source})"
        )
    m = s.get("matching")
    if m:
        out.append(
            f"Matched to the calibration window by simulation: rate scale "
            f"{m['rate_scale']:.3f}, dropout scale {m['dropout_scale']:.3f}, basket scale "
            f"{m['basket_scale']:.3f} (largest gap {m['largest_gap']:.1%}; docs/calibration.md)"
        )
        out.append(
            "  time-based losses (life events, background competitor campaigns): "
            + (
                "folded into the fitted dropout, their rates set to 0"
                if m.get("time_losses") == "fold"
                else "kept at the base scenario's rates"
            )
        )
    hold = s.get("holdout")
    if hold:
        out.append(
            f"Holdout check: actual {hold['actual_repeat_purchases']:,.0f} repeat transactions; "
            f"simulated {hold['simulated_repeat_purchases']:,.0f} "
            f"({hold['simulated_error']:+.1%}); fitted formula "
            f"{hold['model_repeat_purchases']:,.0f} ({hold['model_error']:+.1%})"
        )
    out.append("Not identified by a transaction log (kept from the base scenario):")
    for section, why in NOT_IDENTIFIED:
        out.append(f"  {section}: {why}")
    return out


def calibrated_yaml(cal: Calibration) -> str:
    """The calibrated scenario's YAML text, with its provenance as comments."""
    scenario = cal.scenario
    data = scenario.model_dump(mode="json", exclude_defaults=True)
    customers = scenario.customers.model_dump(mode="json")
    fitted = {row.field.split(".", 1)[1] for row in cal.parameters.itertuples()}
    data["customers"] = {
        **{k: customers[k] for k in customers if k in fitted or k == "dropout_model"},
        **data.get("customers", {}),
    }
    head = "\n".join("# " + line if line else "#" for line in provenance_lines(cal))
    body = yaml.safe_dump(data, sort_keys=False, default_flow_style=False, width=96)
    return head + "\n\n" + body


def _plain(x: Any) -> Any:
    """JSON-safe: NaN and infinity become null."""
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_plain(v) for v in x]
    return x


def calibration_json(cal: Calibration) -> dict[str, Any]:
    """``calibration.json``: the summary, each field with its interval, the raw parameters of
    the models and, with a holdout, the checks' totals and tables."""
    out: dict[str, Any] = dict(cal.summary)
    out["parameters"] = {
        row.field: {
            "value": row.value,
            "fitted": row.fitted,
            "low": row.low,
            "high": row.high,
            "source": row.source,
        }
        for row in cal.parameters.itertuples()
    }
    out["model_parameters"] = {k: v.as_dict() for k, v in cal.fitted.raw.items()}
    if cal.holdout is not None:
        out["frequency"] = cal.frequency.to_dict(orient="records")
        out["conditional"] = cal.conditional.to_dict(orient="records")
    return json.loads(json.dumps(_plain(out), default=str))
