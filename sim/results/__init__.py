"""RunResult: the tidy tables of one replication, and how they are built from a model.

Tables (units in ``docs/model.md``):

* ``daily``: one row per simulated day (counts at the end of the day, flows during it, money);
* ``customers``: one row per agent;
* ``ledger``: one row per day and account;
* ``movements``: one row per move on the ladder, with its cause;
* ``summary``: a flat dict of headline figures; ``bankrupt_day``: day or None.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.engine.customer import CHANNELS
from sim.money.ledger import ACCOUNTS, INCOME, LIABILITIES, Ledger
from sim.results.program_tables import (
    program_customer_columns,
    program_daily_columns,
    program_figures,
    program_summary,
)
from sim.rules.churn import LOSS_REASONS
from sim.rules.experience import SATISFACTION_LEVELS
from sim.rules.ladder import ALL_STATES, LOST, SHOPPER, rung_names, slug
from sim.rules.relationship import relationship_after
from sim.rules.wom import (
    VOICE_DETRACTOR,
    VOICE_FAN,
    VOICE_PASSIVE,
    VOICE_PROMOTER,
    VOICES,
    nps_category,
)
from sim.scenario import Scenario

_NPS_NAMES = ("promoter", "passive", "detractor")
"""Names of the NPS categories, in ``sim.rules.wom`` order (DOMAIN W1)."""


@dataclass
class RunResult:
    """Everything one replication produced. Same scenario and seed give identical tables."""

    scenario: Scenario
    seed: int
    daily: pd.DataFrame
    customers: pd.DataFrame
    ledger: pd.DataFrame
    movements: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)
    bankrupt_day: int | None = None

    @property
    def rungs(self) -> list[str]:
        """Rung names of the scenario's ladder, lowest first."""
        return rung_names(self.scenario.ladder.stage_names())

    def tables(self) -> dict[str, pd.DataFrame]:
        """The result tables by name."""
        return {
            "daily": self.daily,
            "customers": self.customers,
            "ledger": self.ledger,
            "movements": self.movements,
            "summary": pd.DataFrame([flatten(self.summary)]),
        }

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write every table as CSV and Parquet into ``out_dir``; returns the paths written."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for name, table in self.tables().items():
            csv_path = out / f"{name}.csv"
            parquet_path = out / f"{name}.parquet"
            table.to_csv(csv_path, index=False)
            table.to_parquet(parquet_path, index=False)
            written += [csv_path, parquet_path]
        return written


def flatten(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flatten nested dicts with dotted keys: ``{"a": {"b": 1}} -> {"a.b": 1}``."""
    out: dict[str, Any] = {}
    for key, value in d.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, name + "."))
        else:
            out[name] = value
    return out


def stage_columns(scenario: Scenario, counts: np.ndarray) -> dict[str, np.ndarray]:
    """Per-rung count columns ``n_<rung>`` (merged stages summed) plus ``n_lost``.

    ``counts`` has one column per state of ``ALL_STATES`` (suspect first, lost last).
    """
    names = scenario.ladder.stage_names()
    columns: dict[str, np.ndarray] = {}
    for i, name in enumerate(names):
        key = f"n_{slug(name)}"
        columns[key] = columns.get(key, 0) + counts[:, i]
    columns["n_lost"] = counts[:, LOST]
    return columns


def money_columns(book: Ledger, days: int) -> dict[str, np.ndarray]:
    """Daily signed amounts per account, gross margin, profit and cash (derived)."""
    m = book.matrix(days)
    columns = {account: m[:, i] for i, account in enumerate(ACCOUNTS)}
    columns["gross_margin"] = (
        columns["revenue"] + columns["contribution"] + columns["cost_of_goods"]
    )
    columns["profit"] = book.profit(days)
    columns["cash"] = book.starting_cash + np.cumsum(m.sum(axis=1))
    for account in LIABILITIES:
        columns[f"{account}_outstanding"] = np.cumsum(columns[account])
    return columns


def money_summary(book: Ledger, days: int) -> dict[str, Any]:
    """Headline money figures over the simulated days."""
    m = book.matrix(days)
    totals = dict(zip(ACCOUNTS, m.sum(axis=0).tolist(), strict=True))
    cash = book.starting_cash + np.cumsum(m.sum(axis=1))
    low = int(np.argmin(cash)) if days else 0
    return {
        "revenue": totals["revenue"],
        "contribution": totals["contribution"],
        "gross_margin": totals["revenue"] + totals["contribution"] + totals["cost_of_goods"],
        "other_income": {a: totals[a] for a in INCOME if a not in ("revenue", "contribution")},
        "costs": {
            a: 0.0 - v for a, v in totals.items() if a not in INCOME and a not in LIABILITIES
        },
        "liabilities_at_end": {a: totals[a] for a in LIABILITIES},
        "profit": float(book.profit(days).sum()),
        "final_cash": float(cash[-1]) if days else book.starting_cash,
        "lowest_cash": float(cash[low]) if days else book.starting_cash,
        "lowest_cash_day": low,
    }


def money_figures() -> list[str]:
    """Names of the figures :func:`money_summary` gives, nested keys joined by dots, in its
    order."""
    return [
        "revenue",
        "contribution",
        "gross_margin",
        *(f"other_income.{a}" for a in INCOME if a not in ("revenue", "contribution")),
        *(f"costs.{a}" for a in ACCOUNTS if a not in INCOME and a not in LIABILITIES),
        *(f"liabilities_at_end.{a}" for a in LIABILITIES),
        "profit",
        "final_cash",
        "lowest_cash",
        "lowest_cash_day",
    ]


def trailing_retention(active: np.ndarray, losses: np.ndarray, window: int = 30) -> np.ndarray:
    """Share of buyers active ``window`` days earlier who were not lost since (NaN before).

    ``1 - losses in (d - window, d] / active at the end of day d - window``.
    """
    n = len(active)
    out = np.full(n, np.nan)
    if n > window:
        lost_cum = np.concatenate([[0], np.cumsum(losses)])
        lost_in_window = lost_cum[window + 1 :] - lost_cum[1 : n - window + 1]
        base = active[: n - window].astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[window:] = np.where(base > 0, 1.0 - lost_in_window / base, np.nan)
    return out


def build_agent_result(model: Any) -> RunResult:
    """Turn a finished :class:`sim.engine.model.AgentModel` into a :class:`RunResult`."""
    sc: Scenario = model.scenario
    days = len(model.snapshots)
    snap = np.array(model.snapshots, dtype=float).reshape(days, -1)
    n_states = len(ALL_STATES)
    counts = snap[:, :n_states]
    levels = snap[:, n_states : n_states + len(SATISFACTION_LEVELS)]
    first_voice = n_states + len(SATISFACTION_LEVELS)
    voices = snap[:, first_voice : first_voice + len(VOICES)]
    active = counts[:, 2:LOST].sum(axis=1)

    daily: dict[str, Any] = {"day": np.arange(days)}
    daily.update(stage_columns(sc, counts))
    daily["pool"] = counts[:, 0]
    daily["agents"] = snap[:, -1]
    for name, series in (
        ("agents_created", model.agents_created),
        ("first_purchases", model.first_purchases),
        ("purchases", model.purchases),
        ("won_back", model.won_back),
    ):
        daily[name] = np.asarray(series[:days])
    losses = np.array([row[:days] for row in model.losses]).reshape(len(LOSS_REASONS), days)
    for i, reason in enumerate(LOSS_REASONS):
        daily[f"lost_{reason}"] = losses[i]
    daily["losses"] = losses.sum(axis=0)
    daily.update(money_columns(model.ledger, days))
    daily["revenue_first_purchases"] = np.asarray(model.first_purchase_revenue[:days])
    with np.errstate(divide="ignore", invalid="ignore"):
        for i, level in enumerate(SATISFACTION_LEVELS):
            daily[f"share_{level}"] = np.where(active > 0, levels[:, i] / active, np.nan)
    daily["retention_rate_30d"] = trailing_retention(active, daily["losses"])
    daily.update(word_of_mouth_columns(model, voices, days))
    daily.update(program_daily_columns(model, days))
    daily_df = pd.DataFrame(daily)
    for col in daily_df.columns:
        if col.startswith(
            (
                "n_",
                "pool",
                "agents",
                "first_purchases",
                "purchases",
                "won_back",
                "lost",
                "promoters",
                "passives",
                "detractors",
                "surveyed",
                "messages_",
                "acquired_",
            )
        ):
            daily_df[col] = daily_df[col].astype("int64")
    daily_df["losses"] = daily_df["losses"].astype("int64")

    customers = _customers_table(model, float(days))
    movements = _movements_table(model)
    summary = _agent_summary(model, daily_df, customers, days)
    return RunResult(
        scenario=sc,
        seed=model.seed,
        daily=daily_df,
        customers=customers,
        ledger=model.ledger.table(days),
        movements=movements,
        summary=summary,
        bankrupt_day=model.bankrupt_day,
    )


def word_of_mouth_columns(model: Any, voices: np.ndarray, days: int) -> dict[str, np.ndarray]:
    """NPS and word-of-mouth columns of the daily table (DOMAIN W1, M2).

    ``promoters``/``passives``/``detractors`` count the surveyed population at the end of the
    day: customers who bought within the last ``word_of_mouth.survey_window_days`` days (lost
    customers leave the survey). ``nps`` is % promoters - % detractors among them (NaN when
    nobody is surveyed). Message counts are messages sent that day; ``messages_countered``
    are negative ones a raving fan answered, so that they were not heard.
    """
    promoters = voices[:, VOICE_PROMOTER] + voices[:, VOICE_FAN]
    passives = voices[:, VOICE_PASSIVE]
    detractors = voices[:, VOICE_DETRACTOR]
    surveyed = promoters + passives + detractors
    with np.errstate(divide="ignore", invalid="ignore"):
        nps = np.where(surveyed > 0, 100.0 * (promoters - detractors) / surveyed, np.nan)
    columns: dict[str, np.ndarray] = {
        "surveyed": surveyed,
        "promoters": promoters,
        "passives": passives,
        "detractors": detractors,
        "nps": nps,
    }
    for name in ("positive", "negative", "countered"):
        columns[f"messages_{name}"] = np.asarray(getattr(model, f"messages_{name}")[:days])
    for channel, series in zip(CHANNELS, model.acquired_by_channel, strict=True):
        if channel != "existing":
            columns[f"acquired_{channel}"] = np.asarray(series[:days])
    columns["won_back_by_word_of_mouth"] = np.asarray(model.won_back_by_word_of_mouth[:days])
    return columns


def _customers_table(model: Any, end: float) -> pd.DataFrame:
    sc: Scenario = model.scenario
    names = (*sc.ladder.stage_names(), "lost")
    cs = model.customers
    rel = sc.relationship
    touch_rate, decay = model.touch_rate, model.decay

    def col(attr: str) -> list:
        return [getattr(c, attr) for c in cs]

    stage = np.array(col("stage"), dtype=int)
    lost_reason = np.array(col("lost_reason"), dtype=int)
    reasons = np.array([*LOSS_REASONS, None], dtype=object)
    # Bring every relationship up to the end of the run; only active buyers receive touches.
    relationship_now = [
        relationship_after(
            c.relationship,
            end - c.checked,
            touch_rate if SHOPPER <= c.stage < LOST else 0.0,
            rel.gain_per_touch,
            decay,
        )
        for c in cs
    ]
    table = pd.DataFrame(
        {
            "id": np.array(col("id"), dtype="int64"),
            "rung": pd.Categorical(
                np.array(names, dtype=object)[stage], categories=rung_names(names)
            ),
            "stage": pd.Categorical(
                np.array(ALL_STATES, dtype=object)[stage], categories=list(ALL_STATES)
            ),
            "created_day": np.array(col("created"), dtype=float),
            "acquired_day": np.array(col("acquired"), dtype=float),
            "channel": pd.Categorical(
                np.array(CHANNELS, dtype=object)[np.array(col("channel"), dtype=int)],
                categories=list(CHANNELS),
            ),
            "purchases": np.array(col("purchases"), dtype="int64"),
            "spend": np.array(col("spend"), dtype=float),
            "last_purchase_day": np.array(col("last_purchase"), dtype=float),
            "satisfaction": np.array(col("satisfaction"), dtype=float),
            "expectation": np.array(col("expectation"), dtype=float),
            "relationship": np.array(relationship_now, dtype=float),
            "attachment": np.array(col("attachment"), dtype=float),
            "likelihood_to_recommend": pd.array(
                [c.score if c.score >= 0 else None for c in cs], dtype="Int64"
            ),
            "nps_category": pd.Categorical(
                [_NPS_NAMES[nps_category(c.score)] if c.score >= 0 else None for c in cs],
                categories=list(_NPS_NAMES),
            ),
            "heard_positive": np.array(col("heard_positive"), dtype="int64"),
            "heard_negative": np.array(col("heard_negative"), dtype="int64"),
            "referrer": np.array(col("referrer"), dtype="int64"),
            "lost_day": np.array(col("lost_time"), dtype=float),
            "lost_reason": reasons[lost_reason],
            "win_backs": np.array(col("win_backs"), dtype="int64"),
            "discounted_value": np.array(col("value"), dtype=float),
            "base_rate_per_day": np.array(col("base_rate"), dtype=float),
            "dropout_propensity": np.array(col("propensity"), dtype=float),
            "share_of_wallet": np.array(col("share_of_wallet"), dtype=float),
            **program_customer_columns(model),
        }
    )
    return table


def _movements_table(model: Any) -> pd.DataFrame:
    from sim.engine.model import MOVE_REASONS

    mv = model.movements
    states = np.array(ALL_STATES, dtype=object)
    return pd.DataFrame(
        {
            "agent": np.array(mv.agent, dtype=np.int64),
            "time": np.array(mv.time, dtype=float),
            "from_stage": pd.Categorical(
                states[np.array(mv.origin, dtype=int)], categories=list(ALL_STATES)
            ),
            "to_stage": pd.Categorical(
                states[np.array(mv.target, dtype=int)], categories=list(ALL_STATES)
            ),
            "reason": pd.Categorical(
                np.array(MOVE_REASONS, dtype=object)[np.array(mv.reason, dtype=int)],
                categories=list(MOVE_REASONS),
            ),
        }
    )


def _agent_summary(
    model: Any, daily: pd.DataFrame, customers: pd.DataFrame, days: int
) -> dict[str, Any]:
    sc: Scenario = model.scenario
    last = daily.iloc[-1] if days else None
    rungs = {
        name: int(last[f"n_{slug(name)}"]) if last is not None else 0
        for name in rung_names(sc.ladder.stage_names())
    }
    rungs["lost"] = int(last["n_lost"]) if last is not None else 0
    acquired = customers[customers["channel"] != "existing"]
    won = {
        ch: int((acquired["acquired_day"].notna() & (acquired["channel"] == ch)).sum())
        for ch in CHANNELS[1:]
    }
    cohort = model.retention_cohort
    if cohort:
        still = sum(1 for i in cohort if model.customers[i].stage != LOST)
        retention = still / len(cohort)
    else:
        retention = math.nan
    summary: dict[str, Any] = {
        "scenario": sc.name,
        "seed": model.seed,
        "mode": "agent",
        "horizon_days": sc.horizon_days,
        "days_simulated": days,
        "rungs_at_end": rungs,
        "agents": len(model.customers),
        "customers_won": won,
        "customers_won_back": int(daily["won_back"].sum()),
        "customers_lost": {r: int(daily[f"lost_{r}"].sum()) for r in LOSS_REASONS},
        "retention_rate": retention,
        "retention_window_days": days - model.retention_cohort_day if cohort else 0,
        "purchases": int(daily["purchases"].sum()),
        "word_of_mouth": {
            "nps_at_end": float(last["nps"]) if last is not None else math.nan,
            "promoters_at_end": int(last["promoters"]) if last is not None else 0,
            "passives_at_end": int(last["passives"]) if last is not None else 0,
            "detractors_at_end": int(last["detractors"]) if last is not None else 0,
            "mean_nps": float(daily["nps"].mean()) if days else math.nan,
            "messages_positive": int(daily["messages_positive"].sum()),
            "messages_negative": int(daily["messages_negative"].sum()),
            "messages_countered": int(daily["messages_countered"].sum()),
            "won_back_by_word_of_mouth": int(daily["won_back_by_word_of_mouth"].sum()),
        },
    }
    summary.update(money_summary(model.ledger, days))
    summary["program"] = program_summary(model, customers, days)
    summary["bankrupt"] = model.bankrupt_day is not None
    summary["bankrupt_day"] = model.bankrupt_day
    return summary


WORD_OF_MOUTH_FIGURES = (
    "nps_at_end",
    "promoters_at_end",
    "passives_at_end",
    "detractors_at_end",
    "mean_nps",
    "messages_positive",
    "messages_negative",
    "messages_countered",
    "won_back_by_word_of_mouth",
)
"""Keys of ``word_of_mouth`` in an agent-mode summary, in its order."""


def summary_figures(scenario: Scenario) -> list[str]:
    """Names of the numeric figures a run of ``scenario`` puts in its summary, without running
    it: what an experiment may be asked to report.

    Nested keys are joined by dots (``costs.marketing``) and text and lists are left out, as
    ``sim.experiments.store.flatten`` files a summary; the order is the summary's. The names depend
    on the scenario's ladder mode, its rungs and whether a program is in place; the values, never.

    Parameters
    ----------
    scenario
        The scenario a run would simulate.

    Returns
    -------
    list of str
    """
    rungs = [f"rungs_at_end.{r}" for r in (*rung_names(scenario.ladder.stage_names()), "lost")]
    head = ["seed", "horizon_days", "days_simulated", *rungs]
    end = ["bankrupt", "bankrupt_day"]
    if scenario.ladder.mode == "matrix":
        return [*head, "customers", *money_figures(), *end]
    design = scenario.program()
    natural = design is None or design.is_natural()
    return [
        *head,
        "agents",
        *(f"customers_won.{c}" for c in CHANNELS[1:]),
        "customers_won_back",
        *(f"customers_lost.{r}" for r in LOSS_REASONS),
        "retention_rate",
        "retention_window_days",
        "purchases",
        *(f"word_of_mouth.{k}" for k in WORD_OF_MOUTH_FIGURES),
        *money_figures(),
        *(f"program.{k}" for k in program_figures(natural)),
        *end,
    ]
