"""What the studio holds for one planner, without any web page: the scenario being edited, the
field errors, the preview, and a paired comparison running in the background.

The page (``sim.studio.app``) only draws this state and passes edits to it, so every rule of
the studio (an edit the scenario refuses leaves the scenario as it was and says why at the
field; a comparison can be cancelled and reports its progress) is tested without a browser.
"""

from __future__ import annotations

import io
import math
import tempfile
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.experiments.compare import Comparison, compare
from sim.meanfield import Preview, preview
from sim.scenario import Scenario, ScenarioError, field_info, field_limits

KEY_FIELDS: dict[str, tuple[str, ...]] = {
    "Market": (
        "market.size",
        "market.initial_customers",
        "market.reach_rate_per_year",
        "market.cost_per_reach",
        "market.first_purchase_probability",
    ),
    "Customers": (
        "customers.purchase_rate_alpha_days",
        "customers.dropout_b",
        "customers.basket_mean",
    ),
    "Product": (
        "product.price_level",
        "product.quality_mean",
        "product.cost_of_goods_share",
        "product.service_failure_rate",
    ),
    "Business": (
        "business.starting_cash",
        "business.credit_line",
        "business.fixed_costs_per_month",
        "business.touches_per_month",
    ),
    "Word of mouth": (
        "word_of_mouth.promoter_messages_per_year",
        "word_of_mouth.detractor_messages_per_year",
    ),
    "Competition": ("competition.offers_per_year",),
}
"""The fields the studio offers, by section: those a planner of a small business knows or
guesses first (docs/scenario.md has every field)."""


def design_fields(scenario: Scenario) -> dict[str, list[str]]:
    """Per program design, the dotted paths of the numbers its file states (its terms: costs,
    rewards, discounts, tiers, fees), in the order they are written."""

    def leaves(node: Any, prefix: str) -> list[str]:
        if isinstance(node, dict):
            return [p for k, v in node.items() for p in leaves(v, f"{prefix}.{k}")]
        if isinstance(node, list):
            return [p for i, v in enumerate(node) for p in leaves(v, f"{prefix}.{i}")]
        is_number = isinstance(node, int | float) and not isinstance(node, bool)
        return [prefix] if is_number else []

    return {
        d.name: leaves(d.model_dump(mode="json", exclude_defaults=True), f"programs.{d.name}")
        for d in scenario.programs
    }


@dataclass(frozen=True)
class FieldHelp:
    """A field's name, unit, meaning, the source of its default and its allowed range."""

    path: str
    unit: str
    description: str
    source: str
    low: float | None
    high: float | None

    def text(self) -> str:
        """One line of help: meaning, unit, range and source."""
        bounds = [
            f">= {self.low:g}" if self.low is not None else "",
            f"<= {self.high:g}" if self.high is not None else "",
        ]
        allowed = " and ".join(b for b in bounds if b)
        return (
            f"{self.description} Unit: {self.unit}."
            + (f" Allowed: {allowed}." if allowed else "")
            + f" Source: {self.source}."
        )


def field_help(path: str) -> FieldHelp:
    """The help of the scenario field at dotted ``path``, from the scenario's own schema."""
    info = field_info(path)
    extra = info.json_schema_extra or {}
    low, high = field_limits(path)
    return FieldHelp(
        path,
        str(extra.get("unit", "")),
        info.description or "",
        str(extra.get("source", "")),
        None if low == -math.inf else low,
        None if high == math.inf else high,
    )


class CancelledError(Exception):
    """A comparison the planner cancelled."""


def report_archive(comparison: Comparison) -> bytes:
    """The comparison's report as ``loyalsim compare --out`` writes it (report.html and its
    charts, PNG and SVG), in one zip file."""
    import matplotlib

    matplotlib.use("Agg")  # charts are files here, never windows
    from sim.report.experiment_charts import COMPARISON_CHARTS
    from sim.report.html import comparison_report
    from sim.report.style import save_charts

    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as folder:
        written = save_charts(COMPARISON_CHARTS, comparison, folder)
        comparison_report(comparison, folder, written)
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(Path(folder).rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


@dataclass
class Run:
    """A comparison in the background: its progress, its result (and its report as a zip
    file) or error, and a cancel flag."""

    done: int = 0
    total: int = 0
    result: Comparison | None = None
    report: bytes | None = None
    error: str | None = None
    finished: bool = False
    cancel: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()


@dataclass
class Session:
    """One planner's studio: the scenario being edited and what was worked out from it.

    Attributes
    ----------
    scenario
        The scenario as it stands after every accepted edit.
    errors
        Per field path, the scenario's message for the last edit it refused.
    run
        The last comparison started, if any.
    """

    scenario: Scenario
    errors: dict[str, str] = field(default_factory=dict)
    run: Run | None = None
    _baseline: tuple[str, Preview] | None = field(default=None, repr=False)

    def value(self, path: str) -> Any:
        return self.scenario.value_at(path)

    def edit(self, path: str, value: Any) -> str | None:
        """Set a field; returns the scenario's message if it refuses the value (the scenario
        then stays as it was), else ``None``."""
        try:
            self.scenario = self.scenario.with_overrides({path: value})
        except ScenarioError as exc:
            self.errors[path] = "; ".join(exc.problems)
            return self.errors[path]
        self.errors.pop(path, None)
        return None

    def preview(self) -> Preview:
        """The preview of the scenario with its design in place (``Scenario.program()``)."""
        return preview(self.scenario)

    def has_design(self) -> bool:
        """Whether the scenario puts a design in place that does something."""
        design = self.scenario.program()
        return design is not None and not design.is_natural()

    def baseline_preview(self, work_out: bool = True) -> Preview | None:
        """The preview of the same business with no program (``None`` when the scenario has no
        design in place). Kept until a field outside the designs changes: editing a design's
        terms leaves it as it was. With ``work_out`` False, ``None`` also when it would have
        to be worked out again."""
        if not self.has_design():
            return None
        key = self.scenario.model_dump_json(exclude={"programs", "active_program"})
        if self._baseline is None or self._baseline[0] != key:
            if not work_out:
                return None
            without = self.scenario.with_overrides({"active_program": "none"})
            self._baseline = (key, preview(without))
        return self._baseline[1]

    def start_comparison(
        self,
        runs: int | str = "auto",
        seed: int = 0,
        workers: int = 1,
        break_even: bool = False,
        uncertainty: bool = False,
    ) -> Run:
        """Run ``sim.compare`` of the scenario as it stands, in a background thread (with
        ``break_even``, also the response each design needs to pay back; with ``uncertainty``,
        one draw of the scenario's ``uncertainty`` ranges per pair)."""
        if self.run is not None and self.run.running:
            return self.run
        run = Run()
        scenario = self.scenario

        def progress(done: int, total: int) -> None:
            run.done, run.total = done, total
            if run.cancel.is_set():
                raise CancelledError

        def work() -> None:
            try:
                run.result = compare(
                    scenario,
                    runs=runs,
                    seed=seed,
                    executor="processes" if workers > 1 else "serial",
                    workers=workers,
                    progress=progress,
                    break_even=break_even,
                    parameter_uncertainty=uncertainty,
                )
                run.report = report_archive(run.result)
            except CancelledError:
                run.error = "cancelled"
            except (ScenarioError, ValueError) as exc:
                run.error = str(exc)
            finally:
                run.finished = True

        run.thread = threading.Thread(target=work, daemon=True)
        self.run = run
        run.thread.start()
        return run
