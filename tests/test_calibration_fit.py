"""Calibration recovers known customers, and the simulator forecasts its own world.

Logs are written by the engine itself (``sim.calibration.synthetic``) from customers with known
traits, 5,000 of them per log, first buying over 90 days and followed for 39 weeks (the CDNOW
design of Fader, Hardie & Lee 2005).

Tolerances, and why they are enough:

* **Recovery**: each true BG/NBD (or MBG/NBD) value must lie inside the fit's own 95% interval.
  A fit in the wrong unit (alpha in weeks instead of days) or of the wrong model misses by far
  more than the interval's width (about ±6% for r and ±12% for alpha at this size). The
  settings buy at most about once a month on average, with few heavy buyers: a log counts one
  transaction per customer and day, which lowers the fitted mean rate by about
  ``(r + 1) / (2 alpha)`` (docs/calibration.md), at most 2% here but 10% for customers who
  buy every 8 days, more than the interval. The mean
  basket must be within 5%: the engine's spread of customers' own mean baskets is gamma, the
  gamma-gamma's inverse gamma, so the fitted spreads are not the engine's, but the mean is.
* **Matching on a plain buy-till-you-die world**: the rate scale within 5% of 1, and the
  matched simulator's holdout forecast within 5% of the fitted formula's. There is nothing to
  count twice in such a world, so matching must not move the forecast; the dropout scale itself
  is only weakly tied to a 39-week window (the log's 2% sampling noise moves it by several
  percent) and is judged through the forecast it makes.
* **Self-forecast**: on a log the engine writes with every cause of loss on, the calibrated
  simulator (keeping those causes) forecasts the 39-week holdout within 10%, the goal the
  calibration is held to on real logs; the holdout total's own sampling spread at this size is
  about 4%.

Every test is seeded, so it is deterministic.
"""

from __future__ import annotations

import pytest

pytest.importorskip("pymc_marketing")

from calibration_logs import full_scenario, neutral_scenario

from sim.calibration import calibrate
from sim.calibration.synthetic import START, transaction_log

pytestmark = pytest.mark.slow

CUSTOMERS = 5_000
UNTIL = "2024-09-29"  # day 272: 39 weeks after the first day
HOLDOUT = "2025-06-29"  # day 545: 78 weeks
CDNOW = {
    "purchase_rate_shape": 0.243,
    "purchase_rate_alpha_days": 30.9,
    "dropout_a": 0.793,
    "dropout_b": 2.426,
    "basket_mean": 35.0,
}
SETTINGS = {
    "bgnbd, CDNOW's published traits": ("bgnbd", CDNOW),
    "mbgnbd, one-off shoppers": (
        "mbgnbd",
        {
            "purchase_rate_shape": 0.8,
            "purchase_rate_alpha_days": 60.0,
            "dropout_a": 1.5,
            "dropout_b": 6.0,
            "basket_mean": 60.0,
        },
    ),
    "bgnbd, alike regular buyers": (
        "bgnbd",
        {
            "purchase_rate_shape": 3.0,
            "purchase_rate_alpha_days": 180.0,
            "dropout_a": 0.6,
            "dropout_b": 4.0,
            "basket_mean": 12.0,
        },
    ),
}
BTYD_FIELDS = (
    "purchase_rate_shape",
    "purchase_rate_alpha_days",
    "dropout_a",
    "dropout_b",
)


@pytest.mark.parametrize("setting", list(SETTINGS))
def test_the_fit_recovers_the_traits_that_wrote_the_log(setting):
    model, traits = SETTINGS[setting]
    customers = {**traits, "dropout_model": model}
    log = transaction_log(neutral_scenario(customers, 273), CUSTOMERS, 90, seed=3)
    cal = calibrate(log, until=UNTIL, model=model, match=False, executor="serial")
    fitted = cal.parameters.set_index("field")
    for name in BTYD_FIELDS:
        row = fitted.loc[f"customers.{name}"]
        assert row.low <= traits[name] <= row.high, (setting, name, row.to_dict())
    basket = fitted.loc["customers.basket_mean", "value"]
    assert basket == pytest.approx(traits["basket_mean"], rel=0.05)


def test_matching_a_plain_buy_till_you_die_world_leaves_the_fit_alone():
    customers = {**CDNOW, "dropout_model": "bgnbd"}
    plain = neutral_scenario(customers, 273)
    log = transaction_log(plain.with_overrides({"horizon_days": 546}), CUSTOMERS, 90, seed=5)
    cal = calibrate(log, until=UNTIL, holdout_until=HOLDOUT, base=plain, workers=2)
    m = cal.summary["matching"]
    assert m["rate_scale"] == pytest.approx(1.0, abs=0.05)
    assert m["largest_gap"] <= 0.01
    hold = cal.summary["holdout"]
    gap = hold["simulated_repeat_purchases"] - hold["model_repeat_purchases"]
    assert abs(gap) <= 0.05 * hold["actual_repeat_purchases"], hold


def test_the_simulator_forecasts_its_own_world_with_every_cause_of_loss_on():
    customers = {**CDNOW, "dropout_model": "bgnbd"}
    world = full_scenario(customers, 546)
    log = transaction_log(world, CUSTOMERS, 90, seed=1)
    cal = calibrate(
        log, until=UNTIL, holdout_until=HOLDOUT, base=world, time_losses="keep", workers=2
    )
    hold = cal.summary["holdout"]
    assert abs(hold["simulated_error"]) <= 0.10, hold
    # The matching reproduced the calibration window it was given.
    assert cal.summary["matching"]["largest_gap"] <= 0.01
    # The written scenario keeps the world's causes of loss.
    assert cal.scenario.life_events == world.life_events
    assert cal.scenario.competition == world.competition


def test_the_log_starts_on_its_first_day():
    log = transaction_log(neutral_scenario(CDNOW, 30), 50, 5, seed=0)
    assert log["date"].min() == START.isoformat()
    assert set(log.columns) == {"customer_id", "date", "amount"}
