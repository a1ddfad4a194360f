"""The colours of every chart and of the HTML report, without matplotlib.

Colours are the Okabe & Ito (2008) palette, distinguishable with the common colour-vision
deficiencies; where a chart shows more than colour can carry in grey print, lines also differ
in style. Kept apart from ``sim.report.style`` so that the report's text can use them without
loading matplotlib.
"""

from __future__ import annotations

OKABE_ITO = (
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#F0E442",  # yellow
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#000000",  # black
)
"""Okabe-Ito colours, distinguishable with the common colour-vision deficiencies."""


GREY = "#999999"
LINE_STYLES = ("-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)))
"""Line styles cycled beside the colours, so series stay apart in grey print."""

VERDICT_COLOURS = {
    "pays_back": "#009E73",
    "marginal": "#E69F00",
    "destroys_value": "#D55E00",
    "ruin_risk_unresolved": "#CC79A7",
    "would_bankrupt": "#000000",
}
"""One colour per verdict (sim.experiments.verdict.VERDICTS), the same in every chart and the
report."""

SATISFACTION_COLOURS = {
    "very_dissatisfied": "#D55E00",
    "dissatisfied": "#E69F00",
    "neutral": "#BBBBBB",
    "satisfied": "#56B4E9",
    "very_satisfied": "#0072B2",
}
"""A diverging scale for the five satisfaction levels of DOMAIN L8."""

NPS_COLOURS = {"promoters": "#009E73", "passives": "#56B4E9", "detractors": "#D55E00"}
