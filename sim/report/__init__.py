"""Charts and reports built from result tables (never imported by the model)."""

from sim.report.charts import RUN_CHARTS, run_charts
from sim.report.style import save_chart

__all__ = ["RUN_CHARTS", "run_charts", "save_chart"]
