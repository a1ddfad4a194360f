"""The default verdict does not depend on the seed: ``compare(runs="auto")`` of a bundled
scenario, at its full size and horizon, gives the same verdict for experiment seeds 0 to 9.

Only the appliance shop's fly-free promotion fits the suite: its verdict settles at the first
look (30 pairs, about 20 seconds of one core each). Every other bundled design either needs at
least 93 pairs to show that it causes no ruin (0 caused bankruptcies of 93 clear the 5%
threshold, docs/experiments.md, section 4) or costs several seconds per pair, so ten seeds of
them take hours: ``benchmarks/verdict_stability.py`` measures them, and its table is in
``benchmarks/README.md``.
"""

from __future__ import annotations

import sim


def test_the_fly_free_promotion_would_bankrupt_for_every_seed():
    hoover = sim.load_scenario("scenarios/hoover_promotion.yaml")
    verdicts = {}
    for seed in range(10):
        c = sim.compare(hoover, seed=seed, workers=2)
        row = c.table.set_index("program").loc["fly free"]
        verdicts[seed] = (row["verdict"], bool(row["settled"]))
    assert set(verdicts.values()) == {("would_bankrupt", True)}, verdicts
