"""Charts and reports built from result tables (never imported by the model)."""

from sim.report.charts import ladder_chart

__all__ = ["ladder_chart"]
