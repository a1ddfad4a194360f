"""One look for every chart: colour-blind-safe colours, print sizes, and PNG + SVG output.

Colours are the Okabe & Ito (2008) palette, distinguishable with the common colour-vision
deficiencies; where a chart shows more than colour can carry in grey print, lines also
differ in style. Every chart is saved twice: PNG (150 dpi, for slides and e-mail) and SVG
(vector, for print and for editing).

Text is never read as mathematics or TeX: a title, label, legend entry or tick label built from
what a user wrote (a scenario, design, rung, tier or reward name such as ``$5 off, $10 back``
or ``$\\undefinedcmd$``) is drawn exactly as written; no chart of this package uses mathtext.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt

from sim.report.palette import (  # noqa: F401 - the style's colours, imported from here too
    GREY,
    LINE_STYLES,
    NPS_COLOURS,
    OKABE_ITO,
    SATISFACTION_COLOURS,
    VERDICT_COLOURS,
)


class ChartNotApplicableError(ValueError):
    """The result cannot give this chart: the data it draws is not there (no program in
    place, a migration-matrix run, a sweep over one parameter...). The message says what is
    missing. Drawing every chart that applies skips these, and only these."""


WIDE = (9.0, 5.0)
"""Figure size in inches of a one-panel chart: a slide's width, legible on an A4 page."""

DPI = 150

plt.rcParams.update(
    {
        "font.size": 10,
        "axes.titlesize": 11,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "svg.fonttype": "none",  # text stays text in the SVG: searchable and editable
        "text.parse_math": False,  # "$...$" in a name is text, not mathtext to parse
        "text.usetex": False,  # nor LaTeX to run, whatever a matplotlibrc says
    }
)


def colour(i: int) -> str:
    """The ``i``-th palette colour, cycling."""
    return OKABE_ITO[i % len(OKABE_ITO)]


def line_style(i: int) -> str | tuple:
    """The ``i``-th line style, cycling."""
    return LINE_STYLES[i % len(LINE_STYLES)]


def save_chart(fig: plt.Figure, path: str | Path) -> list[Path]:
    """Lay out and write a figure as PNG and SVG beside each other, then close it.

    Parameters
    ----------
    fig
        The figure.
    path
        Where to write, with or without a suffix: ``out/ladder`` and ``out/ladder.png`` both
        give ``out/ladder.png`` and ``out/ladder.svg``.

    Returns
    -------
    list of Path
        The PNG and the SVG.
    """
    stem = Path(path)
    if stem.suffix.lower() in (".png", ".svg", ".pdf"):
        stem = stem.with_suffix("")
    stem.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    written = []
    for suffix in (".png", ".svg"):
        out = stem.with_name(stem.name + suffix)
        fig.savefig(out, dpi=DPI)
        written.append(out)
    plt.close(fig)
    return written


def save_charts(
    charts: Mapping[str, Callable[[Any], plt.Figure]], result: Any, folder: str | Path
) -> dict[str, list[Path]]:
    """Draw and save (PNG and SVG) every chart of ``charts`` that applies to ``result``.

    A chart that does not apply raises :class:`ChartNotApplicableError` and is skipped; any other
    error is a fault and propagates.

    Parameters
    ----------
    charts
        Chart functions by the file name they are saved under.
    result
        What they draw: a run, an ensemble, a comparison, a sweep or a sensitivity analysis.
    folder
        Where to write them.

    Returns
    -------
    dict
        The written files of each chart drawn, by chart name.
    """
    written = {}
    for name, draw in charts.items():
        try:
            fig = draw(result)
        except ChartNotApplicableError:
            continue
        written[name] = save_chart(fig, Path(folder) / name)
    return written
