"""The scenario's experiment section: replications, confidence and verdict thresholds."""

from __future__ import annotations

from pydantic import model_validator

from sim.scenario.fields import ASSUMPTION, Section, param


class Experiment(Section):
    """How experiments replicate a scenario and the thresholds of their verdicts (DOMAIN E6-E8).

    ``sim.replicate`` and ``sim.compare`` read these; a single ``sim.simulate`` ignores them.
    """

    runs: int = param(
        30,
        unit="replications",
        source="30 replications: a t-based interval is then close to normal (common practice)",
        description="Replications per arm when an experiment is not told otherwise.",
        ge=2,
        le=100_000,
    )
    max_runs: int = param(
        200,
        unit="replications",
        source=(
            "enough for a risk of ruin near a 5% threshold to be told from it (0 bankrupt runs of "
            "93 clear it at 95%; sim.experiments.sequential)"
        ),
        description=(
            "Most replications per arm of a comparison whose runs are chosen by the question "
            "(runs: auto): it stops there even if a verdict is still unsettled."
        ),
        ge=2,
        le=100_000,
    )
    batch_runs: int = param(
        10,
        unit="replications",
        source="a batch keeps two cores busy while the verdicts are checked between batches",
        description=(
            "Replications per arm added between two checks of the verdicts when the runs are "
            "chosen by the question (runs: auto)."
        ),
        ge=1,
        le=100_000,
    )
    equivalence_band: float = param(
        0.005,
        unit="share of revenue",
        source=(
            "0.5% of revenue, the low end of the materiality benchmarks auditors use "
            "(0.5-1% of revenue)"
        ),
        description=(
            "A design whose whole interval of incremental profit lies within plus or minus this "
            "share of the no-program revenue over the horizon makes no practical difference: "
            "its verdict (marginal) is settled and a comparison with runs: auto stops for it."
        ),
        ge=0,
        le=1,
    )
    confidence: float = param(
        0.95,
        unit="probability",
        source="conventional 95% level",
        description="Confidence level of every interval an experiment reports.",
        gt=0.5,
        lt=1,
    )
    ruin_threshold: float = param(
        0.05,
        unit="probability",
        source="DOMAIN E7 (feasibility is probabilistic); 5% is a conventional risk of ruin",
        description=(
            "Verdict would_bankrupt when the whole interval of the ruin the program causes (the "
            "probability of going bankrupt within the horizon with it and not without it, on "
            "paired runs) lies above this; ruin_risk_unresolved while it straddles it, unless the "
            "incremental profit already says destroys_value."
        ),
        ge=0,
        le=1,
    )
    robust_share: float = param(
        0.8,
        unit="probability",
        source="a design should pay back in most plausible worlds, not only on average; "
        "the level is a convention (as the ruin threshold is)",
        description=(
            "With parameter uncertainty (compare --uncertainty), pays_back also needs the lower "
            "confidence bound of the share of paired runs that pay back to reach this; "
            "otherwise the verdict is marginal."
        ),
        gt=0,
        le=1,
    )
    participant_ratio_floor: float = param(
        1.0,
        unit="ratio",
        source="DOMAIN E6 (participants must bring more than comparable non-participants)",
        description=(
            "Warn when the lower confidence bound of participants' spend per customer-year over "
            "same-segment non-participants' is at or below this."
        ),
        ge=0,
    )
    liability_growth_threshold: float = param(
        0.10,
        unit="share",
        source="DOMAIN E7 (unredeemed promises are a liability); " + ASSUMPTION,
        description=(
            "Warn that the liability grows without bound when it grows by more than this share "
            "over the last third of the horizon."
        ),
        ge=0,
    )
    dissatisfied_threshold: float = param(
        0.25,
        unit="share",
        source="DOMAIN E8 (a program does not fix churn caused elsewhere), L8; " + ASSUMPTION,
        description=(
            "Warn that the program treats churn whose cause lies elsewhere when, without the "
            "program, at least this share of active customers is dissatisfied or very "
            "dissatisfied over the last quarter of the horizon while the program buys retention."
        ),
        ge=0,
        le=1,
    )
    band_quantiles: tuple[float, ...] = param(
        (0.05, 0.25, 0.5, 0.75, 0.95),
        unit="probabilities",
        source="a 90% and a 50% band around the median",
        description="Quantiles of every daily series across replications.",
    )

    @model_validator(mode="after")
    def _check_quantiles(self) -> Experiment:
        q = self.band_quantiles
        if not q or any(not 0 < x < 1 for x in q) or list(q) != sorted(set(q)):
            raise ValueError(
                f"experiment.band_quantiles = {list(q)}: give increasing probabilities "
                "strictly between 0 and 1"
            )
        return self
