"""The result tables of an agent-based run, built from what it published
(``sim.results.recorder``)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from sim.results.money_tables import money_columns, money_summary
from sim.results.program_tables import (
    program_customer_columns,
    program_daily_columns,
    program_summary,
)
from sim.results.recorder import CHANNELS, MOVE_REASONS, Recorder
from sim.results.run_result import RunResult, stage_columns
from sim.rules.churn import LOSS_REASONS
from sim.rules.experience import SATISFACTION_LEVELS
from sim.rules.ladder import ALL_STATES, LOST, SHOPPER, rung_names, slug
from sim.rules.relationship import decay_rate, relationship_after
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


def build_agent_result(recorder: Recorder) -> RunResult:
    """The result tables of a finished agent-based run, from what it published."""
    end = recorder.end
    sc: Scenario = end.scenario
    days = len(recorder.snapshots)
    snap = np.array(recorder.snapshots, dtype=float).reshape(days, -1)
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
        ("agents_created", recorder.agents_created),
        ("first_purchases", recorder.first_purchases),
        ("purchases", recorder.purchases),
        ("won_back", recorder.won_back),
    ):
        daily[name] = np.asarray(series[:days])
    losses = np.array([row[:days] for row in recorder.losses]).reshape(len(LOSS_REASONS), days)
    for i, reason in enumerate(LOSS_REASONS):
        daily[f"lost_{reason}"] = losses[i]
    daily["losses"] = losses.sum(axis=0)
    daily.update(money_columns(end.ledger, days))
    daily["revenue_first_purchases"] = np.asarray(recorder.first_purchase_revenue[:days])
    with np.errstate(divide="ignore", invalid="ignore"):
        for i, level in enumerate(SATISFACTION_LEVELS):
            daily[f"share_{level}"] = np.where(active > 0, levels[:, i] / active, np.nan)
    daily["retention_rate_30d"] = trailing_retention(active, daily["losses"])
    daily.update(word_of_mouth_columns(recorder, voices, days))
    daily.update(program_daily_columns(end.program, days))
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

    customers = _customers_table(end.scenario, end.customers, end.program, float(days))
    movements = _movements_table(recorder)
    summary = _agent_summary(recorder, daily_df, customers, days)
    return RunResult(
        scenario=sc,
        seed=end.seed,
        daily=daily_df,
        customers=customers,
        ledger=end.ledger.table(days),
        movements=movements,
        summary=summary,
        bankrupt_day=end.bankrupt_day,
    )


def word_of_mouth_columns(
    recorder: Recorder, voices: np.ndarray, days: int
) -> dict[str, np.ndarray]:
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
        columns[f"messages_{name}"] = np.asarray(getattr(recorder, f"messages_{name}")[:days])
    for channel, series in zip(CHANNELS, recorder.acquired_by_channel, strict=True):
        if channel != "existing":
            columns[f"acquired_{channel}"] = np.asarray(series[:days])
    columns["won_back_by_word_of_mouth"] = np.asarray(recorder.won_back_by_word_of_mouth[:days])
    return columns


def _customers_table(sc: Scenario, cs: list, program: Any, end: float) -> pd.DataFrame:
    names = (*sc.ladder.stage_names(), "lost")
    rel = sc.relationship
    touch_rate = sc.business.touches_per_day
    decay = decay_rate(rel.half_life_days)

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
            **program_customer_columns(program, len(cs)),
        }
    )
    return table


def _movements_table(recorder: Recorder) -> pd.DataFrame:
    mv = recorder.movements
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
    recorder: Recorder, daily: pd.DataFrame, customers: pd.DataFrame, days: int
) -> dict[str, Any]:
    end = recorder.end
    sc: Scenario = end.scenario
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
    cohort = recorder.retention_cohort
    if cohort:
        still = sum(1 for i in cohort if end.customers[i].stage != LOST)
        retention = still / len(cohort)
    else:
        retention = math.nan
    summary: dict[str, Any] = {
        "scenario": sc.name,
        "seed": end.seed,
        "mode": "agent",
        "horizon_days": sc.horizon_days,
        "days_simulated": days,
        "rungs_at_end": rungs,
        "agents": len(end.customers),
        "customers_won": won,
        "customers_won_back": int(daily["won_back"].sum()),
        "customers_lost": {r: int(daily[f"lost_{r}"].sum()) for r in LOSS_REASONS},
        "retention_rate": retention,
        "retention_window_days": days - recorder.retention_cohort_day if cohort else 0,
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
    summary.update(money_summary(end.ledger, days))
    summary["program"] = program_summary(end.program, end.design, end.ledger, customers, days)
    summary["bankrupt"] = end.bankrupt_day is not None
    summary["bankrupt_day"] = end.bankrupt_day
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
