"""Charts of experiments: many replications of a scenario, paired comparisons of program
designs, sweeps and sensitivity analyses.

Every chart function takes a result object (``sim.Ensemble``, ``sim.Comparison``, ``sim.Sweep`` or
``sim.Sensitivity``) and returns a :class:`matplotlib.figure.Figure` without saving it; write
it with :func:`sim.report.style.save_chart`. Colours come from ``sim.report.style`` (Okabe &
Ito 2008); every series also differs in line style, marker, hatch or a direct label, so that
the charts stay legible in grey print. Titles name the scenario, axes carry their units, and a
result that cannot give a chart raises ``ValueError`` saying what is missing.
"""

from __future__ import annotations

from sim.report.analysis_charts import sweep_heatmap, tornado_chart
from sim.report.band_charts import cash_bands_chart, ladder_bands_chart, nps_bands_chart
from sim.report.comparison_charts import comparison_chart, participants_ratio_chart
from sim.report.share_charts import (
    losses_by_reason_chart,
    sales_share_bands_chart,
    satisfaction_bands_chart,
)

__all__ = [
    "cash_bands_chart",
    "comparison_chart",
    "ladder_bands_chart",
    "losses_by_reason_chart",
    "nps_bands_chart",
    "participants_ratio_chart",
    "sales_share_bands_chart",
    "satisfaction_bands_chart",
    "sweep_heatmap",
    "tornado_chart",
]

ENSEMBLE_CHARTS = {
    "cash_bands": cash_bands_chart,
    "ladder_bands": ladder_bands_chart,
    "nps_bands": nps_bands_chart,
    "losses_by_reason": losses_by_reason_chart,
    "satisfaction_bands": satisfaction_bands_chart,
    "sales_share_bands": sales_share_bands_chart,
}
"""Every chart of replications, by the file name it is saved under."""

COMPARISON_CHARTS = {
    "comparison": comparison_chart,
    **ENSEMBLE_CHARTS,
    "participants_ratio": participants_ratio_chart,
}
"""Every chart of a comparison of designs, by the file name it is saved under."""
