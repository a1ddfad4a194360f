"""Fit the customers' response to a pilot: what a program did to its members, corrected for
who chose to join, written into a scenario as a stated response with its uncertainty.

A pilot offers the program to a random part of the customers (the treated group) and not to
the rest (the control group), and counts every customer's visits and spend in a window before
the offer and in a window of the same length after it, and whether they were still active at
the end. The offer was random; joining was not: in an opt-in pilot the heavier, more loyal
customers join (Leenheer et al. 2007), so members against non-members, or members against the
control group, measures who joins. The offer itself is the instrument (Angrist, Imbens & Rubin
1996): the difference between the groups, before-after (difference in differences), is the
effect of *offering* the program; divided by the share of treated customers who joined, it is
the effect on the members, provided the offer changed nothing for those who did not join.

Relative to what the members would have done without the program (their own visits less the
effect), that is a lift in visits, spend (and so basket) and a cut in churn. Members who joined
part-way through the window were members for only part of it, so the lift per unit of time as
a member is the lift over the window divided by the members' mean share of the window as
members (the exposure). The change in the share of members inactive at the end of the window
(not buying in its last third) is measured the same way, against their own before window when
the table says who was active then.

The lifts are written as ``program_response.visit_lift`` and ``basket_lift``, with the
modelled response to the deal switched off, and their bootstrap intervals become the scenario's
``uncertainty`` (triangular: interval ends and the estimate), so that ``compare --uncertainty``
carries the pilot's doubt into the verdict. Visits and activity each carry both the visit and
the retention effect (a member who stays longer also visits more), so the direct fit writes no
churn cut; the fit by simulated twins (``sim.calibration.pilot_twin``) separates the two and
writes both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.experiments.break_even import NO_RESPONSE
from sim.scenario import Scenario, field_limits

COLUMNS = (
    "customer",
    "group",
    "joined",
    "visits_before",
    "visits_during",
    "spend_before",
    "spend_during",
    "active_at_end",
)
"""The pilot table's columns. Two are optional: ``joined_day`` (days from the offer to joining)
and ``active_before`` (1 if the customer bought in the last third of the window before the
offer), which lets the change in activity be differenced like visits and spend."""

OPTIONAL_FLAGS = ("active_before",)

GROUPS = ("treated", "control")


class PilotError(ValueError):
    """A pilot table that cannot be used, with the column and rows at fault named."""


def read_pilot(path: str | Path) -> pd.DataFrame:
    """A pilot table from CSV or Parquet, checked (see :data:`COLUMNS`).

    Raises
    ------
    PilotError
        Naming the column and the first rows at fault: a missing column, a group other than
        treated or control, a negative or non-numeric count or amount, a flag other than 0/1,
        a control customer marked as joined, or a group without customers.
    """
    path = Path(path)
    try:
        table = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise PilotError(f"{path}: cannot be read ({exc})") from None
    return check_pilot(table, str(path))


def _rows(mask: pd.Series) -> str:
    rows = [str(i + 2) for i in np.flatnonzero(mask.to_numpy())[:5]]  # + header, 1-based
    return ", ".join(rows)


def check_pilot(table: pd.DataFrame, name: str = "pilot") -> pd.DataFrame:
    """The pilot table with numeric columns as numbers, or :class:`PilotError`."""
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise PilotError(
            f"{name}: missing column {missing[0]!r}; a pilot table has {', '.join(COLUMNS)}"
        )
    table = table.copy()
    table["group"] = table["group"].astype(str).str.strip().str.lower()
    bad = ~table["group"].isin(GROUPS)
    if bad.any():
        raise PilotError(f"{name}: column 'group' must be treated or control (lines {_rows(bad)})")
    for column in COLUMNS[2:]:
        values = pd.to_numeric(table[column], errors="coerce")
        bad = values.isna() | (values < 0) | ~np.isfinite(values.fillna(0))
        if bad.any():
            raise PilotError(
                f"{name}: column {column!r} must be a number of at least 0 (lines {_rows(bad)})"
            )
        table[column] = values.astype(float)
    for column in OPTIONAL_FLAGS:
        if column in table.columns:
            values = pd.to_numeric(table[column], errors="coerce")
            table[column] = values.astype(float)
    for column in ("joined", "active_at_end", *(c for c in OPTIONAL_FLAGS if c in table)):
        bad = ~table[column].isin((0.0, 1.0))
        if bad.any():
            raise PilotError(f"{name}: column {column!r} must be 0 or 1 (lines {_rows(bad)})")
    control = table["group"] == "control"
    bad = control & (table["joined"] == 1)
    if bad.any():
        raise PilotError(
            f"{name}: column 'joined': control customers were not offered the program, so none "
            f"can have joined (lines {_rows(bad)})"
        )
    for group in GROUPS:
        if not (table["group"] == group).any():
            raise PilotError(f"{name}: column 'group' has no {group} customers")
    if not (table.loc[~control, "joined"] == 1).any():
        raise PilotError(f"{name}: column 'joined': no treated customer joined")
    return table


@dataclass
class PilotFit:
    """What a program did to its members in a pilot.

    Attributes
    ----------
    table
        One row per figure (``visit_lift``, ``spend_lift``, ``basket_lift``,
        ``inactive_change``, ``joined_share``, ``exposure``, ``naive_visit_gap``): ``estimate``,
        ``low`` and ``high`` (bootstrap percentile interval), and ``meaning``.
    treated, control, joined
        Customers in each group and treated customers who joined.
    draws
        The bootstrap resamples' estimates, one row per resample (the fit by simulated twins
        carries them through to its own intervals).
    """

    table: pd.DataFrame
    treated: int
    control: int
    joined: int
    draws: pd.DataFrame

    def value(self, figure: str) -> float:
        return float(self.table.set_index("figure").loc[figure, "estimate"])


MEANINGS = {
    "visit_lift": "members' visits per time as members, against the same members without it",
    "spend_lift": "members' spend per time as members, against the same without it",
    "basket_lift": "members' spend per visit (1 + spend lift) / (1 + visit lift) - 1",
    "inactive_change": "change in the share of members who did not buy in the window's last "
    "third, in points (with active_before: against their own before window)",
    "joined_share": "share of treated customers who joined (the offer's take-up)",
    "exposure": "members' mean share of the pilot window spent as members",
    "naive_visit_gap": "members' visits during the pilot against the control group's: who "
    "joins plus what the program did",
}


def _estimates(t: pd.DataFrame) -> dict[str, float]:
    """The point estimates from one (re)sample of the pilot table."""
    treated = t[t["group"] == "treated"]
    control = t[t["group"] == "control"]
    members = treated[treated["joined"] == 1]
    share = len(members) / len(treated)
    exposure = 1.0
    if "joined_day" in t and "window_days" in t.attrs:
        days = t.attrs["window_days"]
        exposure = float(np.clip(1.0 - members["joined_day"].to_numpy() / days, 0.0, 1.0).mean())
    out = {"joined_share": share, "exposure": exposure}
    for measure, name in (("visits", "visit_lift"), ("spend", "spend_lift")):
        before, during = f"{measure}_before", f"{measure}_during"
        itt = (treated[during] - treated[before]).mean() - (
            control[during] - control[before]
        ).mean()
        effect = itt / share  # per member, over the window (Wald / IV)
        without = members[during].mean() - effect
        out[name] = effect / without / exposure if without > 0 else math.nan
    out["basket_lift"] = (1 + out["spend_lift"]) / (1 + out["visit_lift"]) - 1
    inactive = [1 - g["active_at_end"].mean() for g in (treated, control)]
    if "active_before" in t:  # each group's change from its own before window
        inactive = [
            x - (1 - g["active_before"].mean())
            for x, g in zip(inactive, (treated, control), strict=True)
        ]
    out["inactive_change"] = (inactive[0] - inactive[1]) / share
    out["naive_visit_gap"] = members["visits_during"].mean() / control["visits_during"].mean() - 1
    return out


def fit_pilot(
    table: pd.DataFrame,
    window_days: float | None = None,
    resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> PilotFit:
    """The program's effect on its members in a pilot, with bootstrap intervals.

    Parameters
    ----------
    table
        A checked pilot table (:func:`check_pilot`).
    window_days
        Length of each window; with a ``joined_day`` column it gives each member's exposure.
    resamples
        Bootstrap resamples (customers drawn with replacement within each group; Efron &
        Tibshirani 1993); 0 gives the estimates alone (intervals not a number).
    seed, confidence
        Of the bootstrap and its percentile interval.
    """
    table = table.copy()
    if window_days is not None:
        table.attrs["window_days"] = float(window_days)
    point = _estimates(table)
    rng = np.random.default_rng(seed)
    groups = [table[table["group"] == g] for g in GROUPS]
    draws = []
    for _ in range(resamples):
        parts = [g.iloc[rng.integers(0, len(g), len(g))] for g in groups]
        sample = pd.concat(parts)
        sample.attrs = table.attrs
        if not (sample.loc[sample["group"] == "treated", "joined"] == 1).any():
            continue
        draws.append(_estimates(sample))
    boot = pd.DataFrame(draws, columns=list(point))
    tail = (1 - confidence) / 2
    rows = [
        {
            "figure": name,
            "estimate": point[name],
            "low": float(boot[name].quantile(tail)),
            "high": float(boot[name].quantile(1 - tail)),
            "meaning": MEANINGS[name],
        }
        for name in MEANINGS
    ]
    treated = table["group"] == "treated"
    return PilotFit(
        pd.DataFrame(rows),
        int(treated.sum()),
        int((~treated).sum()),
        int((treated & (table["joined"] == 1)).sum()),
        boot,
    )


def fitted_scenario(scenario: Scenario, fit: PilotFit, twins: Any = None) -> Scenario:
    """The scenario with the pilot's response: the modelled response to the deal off, the
    measured response stated, and its intervals as the ``uncertainty`` of those fields
    (triangular from the interval's low end through the estimate to its high end, each clipped
    to the field's allowed range).

    Parameters
    ----------
    scenario, fit
        The scenario to write into and the pilot's direct fit; its basket lift is written.
    twins
        A fit by simulated twins (``sim.calibration.pilot_twin.TwinFit``): its visit lift and
        churn cut are written. Without it the direct fit's visit lift is, and no churn cut.
    """
    rows = {"basket_lift": fit.table.set_index("figure").loc["basket_lift"]}
    if twins is None:
        rows["visit_lift"] = fit.table.set_index("figure").loc["visit_lift"]
    else:
        rows.update(twins.table.set_index("figure").iterrows())
    overrides: dict[str, object] = dict(NO_RESPONSE)
    uncertainty: dict[str, dict[str, object]] = {}
    for name in sorted(rows):
        path = f"program_response.{name}"
        lo, hi = field_limits(path)
        estimate, low, high = (
            float(np.clip(rows[name][k], lo, hi)) for k in ("estimate", "low", "high")
        )
        overrides[path] = estimate
        if low < high:
            uncertainty[path] = {
                "distribution": "triangular",
                "low": low,
                "mode": min(max(estimate, low), high),
                "high": high,
            }
    overrides["uncertainty"] = uncertainty
    return scenario.with_overrides(overrides)
