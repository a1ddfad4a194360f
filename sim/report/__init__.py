"""Charts and reports built from result tables (never imported by the model).

``RUN_CHARTS``, ``run_charts`` and ``save_chart`` load matplotlib on first use, so that the
report's text and HTML do not.
"""

from typing import Any

__all__ = ["RUN_CHARTS", "run_charts", "save_chart"]


def __getattr__(name: str) -> Any:
    if name in ("RUN_CHARTS", "run_charts"):
        from sim.report import charts

        return getattr(charts, name)
    if name == "save_chart":
        from sim.report.style import save_chart

        return save_chart
    raise AttributeError(f"module 'sim.report' has no attribute {name!r}")
