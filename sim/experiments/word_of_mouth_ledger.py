"""What one more promoter, or one more detractor, is worth: the DOMAIN W6 ledger, measured.

DOMAIN W6 derives from W2-W5 that one promoter brings about half a new customer and one
detractor costs about four. :func:`word_of_mouth_ledger` measures the same quantities in the
model by **paired runs**: the scenario as given, and the same scenario with extra outside voices
(``word_of_mouth.outside_promoters`` or ``outside_detractors``), on the same seed. The extra
voices draw from a stream of their own, so both arms share every other random number until
the first customer the extra messages win or cost; the paired difference is far less noisy
than two independent runs. The result is the change in customers won per added voice per year
of the measuring window, with a 95% confidence interval over the pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.engine import simulate
from sim.experiments.estimates import t_quantile
from sim.results import RunResult
from sim.scenario import Scenario


@dataclass(frozen=True)
class LedgerEstimate:
    """Customers won (positive) or lost (negative) per added voice per year.

    Attributes
    ----------
    voice
        ``"promoter"`` or ``"detractor"``.
    added
        Voices added in the treatment arm.
    per_voice_year
        Mean over the pairs of (treatment - baseline) customers won in the window, divided by
        ``added`` and by the window in years.
    ci_low, ci_high
        95% confidence interval of the mean (Student t over the pairs).
    pairs
        Each pair's estimate.
    window_days
        Days measured (after the warm-up).
    """

    voice: str
    added: int
    per_voice_year: float
    ci_low: float
    ci_high: float
    pairs: tuple[float, ...]
    window_days: int


def customers_won(result: RunResult, from_day: int) -> int:
    """First purchases plus win-backs (by any channel) from ``from_day`` to the end."""
    daily = result.daily
    window = daily[daily["day"] >= from_day]
    return int(window["first_purchases"].sum() + window["won_back"].sum())


def word_of_mouth_ledger(
    scenario: Scenario,
    *,
    added_promoters: int = 0,
    added_detractors: int = 0,
    runs: int = 8,
    seed: int = 0,
    warm_up_days: int = 1095,
) -> LedgerEstimate:
    """Measure the customers one added promoter wins, or one added detractor costs, per year.

    Parameters
    ----------
    scenario
        The market to measure in (the W6 setting is ``scenarios/steady_market.yaml``).
    added_promoters, added_detractors
        Outside voices added in the treatment arm; exactly one of the two must be positive.
        Enough of them to move the count well beyond the run-to-run noise, few enough not to
        change the market (a few percent of its messages).
    runs
        Number of pairs (at least 2).
    seed
        Seed of the experiment; pair ``i`` runs both arms on the same derived seed.
    warm_up_days
        Days before the measuring window opens, so that the market has settled.

    Returns
    -------
    LedgerEstimate

    Raises
    ------
    ValueError
        If the arguments are out of range.
    """
    one_kind = (added_promoters > 0) != (added_detractors > 0)
    if not one_kind or min(added_promoters, added_detractors) < 0:
        raise ValueError(
            "word_of_mouth_ledger: give exactly one of added_promoters or added_detractors "
            f"as a positive count (got {added_promoters} and {added_detractors})"
        )
    if runs < 2:
        raise ValueError(f"word_of_mouth_ledger: runs must be at least 2 (got {runs})")
    horizon = scenario.horizon_days
    if not 0 <= warm_up_days < horizon:
        raise ValueError(
            f"word_of_mouth_ledger: warm_up_days must be in 0..{horizon - 1} "
            f"(the scenario's horizon_days is {horizon}); got {warm_up_days}"
        )
    wm = scenario.word_of_mouth
    if added_promoters:
        voice, added = "promoter", added_promoters
    else:
        voice, added = "detractor", added_detractors
    treated = scenario.with_overrides(
        {
            "word_of_mouth.outside_promoters": wm.outside_promoters + added_promoters,
            "word_of_mouth.outside_detractors": wm.outside_detractors + added_detractors,
        }
    )
    window_days = horizon - warm_up_days
    seeds = np.random.SeedSequence(seed).generate_state(runs).tolist()
    pairs = []
    for pair_seed in seeds:
        base = customers_won(simulate(scenario, seed=pair_seed), warm_up_days)
        more = customers_won(simulate(treated, seed=pair_seed), warm_up_days)
        pairs.append((more - base) / added / (window_days / 365.0))
    values = np.array(pairs)
    mean = float(values.mean())
    half = float(t_quantile(0.975, runs - 1) * values.std(ddof=1) / np.sqrt(runs))
    return LedgerEstimate(voice, added, mean, mean - half, mean + half, tuple(pairs), window_days)
