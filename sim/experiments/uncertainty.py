"""Verdicts under parameter uncertainty: one draw of the uncertain inputs per paired run, and
which of them moves the verdict most.

With ``compare(..., parameter_uncertainty=True)`` every pair ``i`` runs its design arm and its
baseline on a scenario whose uncertain fields (the scenario's ``uncertainty`` section) take the
values of draw ``i``; both arms of the pair share the draw and the seed, so common random
numbers still cancel the noise within the pair, while the spread across pairs now holds the
doubt about the inputs as well (a two-level Monte Carlo with one inner run per outer draw;
Saltelli et al. 2008, ch. 1). The draws come from a stream of their own, so pair ``i`` gets the
same values whatever the number of pairs, and a resumed experiment the same ones again.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from sim.scenario import Scenario

STREAM = 0x756E63
"""Second word of the draws' seed, ``[seed, STREAM]``: apart from every replication's stream."""


def parameter_draws(scenario: Scenario, seed: int, pairs: int) -> pd.DataFrame:
    """Draw ``i`` of every uncertain field, one row per pair, each in its field's own type.

    Raises
    ------
    ValueError
        If the scenario has no uncertain field, or a value within a distribution's range is one
        its field does not allow (named, with the field's message).
    """
    from sim.experiments.designs import _sampled_points

    names = list(scenario.uncertainty)
    if not names:
        raise ValueError(
            "parameter uncertainty needs at least one field in the scenario's uncertainty "
            "section (it is empty)"
        )
    unit = np.random.default_rng([seed, STREAM]).random((pairs, len(names)))
    values = np.column_stack(
        [[scenario.uncertainty[n].quantile(u) for u in unit[:, j]] for j, n in enumerate(names)]
    )
    return _sampled_points(scenario, names, values)


def check_ranges(scenario: Scenario) -> None:
    """Refuse, before any run, an uncertain field whose range holds values the field does not
    allow: both ends are tried on the scenario (a ``ScenarioError`` names the field)."""
    for path, spread in scenario.uncertainty.items():
        for end in (spread.low, spread.high):
            current = scenario.value_at(path)
            value = round(end) if isinstance(current, int) else end
            scenario.with_overrides({path: value})


def verdict_drivers(gains: pd.Series, draws: pd.DataFrame) -> pd.DataFrame:
    """Which uncertain input moves one design's verdict most.

    For each uncertain field: Spearman's rank correlation of its drawn value with the pair's
    incremental profit, and the share of pairs that paid back among those whose draw lies in
    the lower half of its draws and among those in the upper half; ``swing`` is the gap
    between the two shares. Rows are sorted by ``swing``, largest first, then by the size of
    the correlation.

    Parameters
    ----------
    gains
        Incremental profit per pair, indexed by replication.
    draws
        The draws (:func:`parameter_draws`), indexed by replication.
    """
    rows = []
    paid = (gains > 0).to_numpy()
    for path in draws.columns:
        x = draws.loc[gains.index, path].to_numpy(dtype=float)
        below = x <= np.median(x)
        rho = stats.spearmanr(x, gains.to_numpy()).statistic if np.ptp(x) > 0 else np.nan
        low_share = float(paid[below].mean()) if below.any() else np.nan
        high_share = float(paid[~below].mean()) if (~below).any() else np.nan
        rows.append(
            {
                "parameter": path,
                "spearman": float(rho),
                "pays_back_share_low_half": low_share,
                "pays_back_share_high_half": high_share,
                "swing": abs(high_share - low_share),
            }
        )
    frame = pd.DataFrame(rows)
    frame["order"] = frame["spearman"].abs()
    frame = frame.sort_values(["swing", "order"], ascending=False).drop(columns="order")
    return frame.reset_index(drop=True)
