"""``loyalsim studio``: the browser studio on 127.0.0.1 (``sim.studio``)."""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console

from sim.cli.calibrate import EXIT_INVALID, EXIT_OK
from sim.cli.terminal import literal


def add_studio_parser(sub: Any) -> None:
    """The ``studio`` subcommand's arguments."""
    p = sub.add_parser(
        "studio",
        help="try designs in a browser: edit a scenario, see the preview, run a comparison",
        description=(
            "Serve the studio on http://127.0.0.1:PORT/ until Ctrl-C: pick a bundled scenario "
            "or upload one, edit its key fields and see the mean-field preview redraw, run a "
            "paired comparison in the background and read its verdict, download the edited "
            "scenario. Needs the studio extra: pip install 'loyalsim[studio]'."
        ),
    )
    p.add_argument("scenario", nargs="?", default=None, help="scenario to start from")
    p.add_argument("--port", type=int, default=5006, help="port on 127.0.0.1 (default 5006)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser")


def studio_command(console: Console, args: argparse.Namespace) -> int:
    """Run ``loyalsim studio``; returns the exit code."""
    from sim.scenario import ScenarioError, load_scenario

    if not 0 < args.port < 65536:
        console.print("[red]error[/red] --port must be between 1 and 65535")
        return EXIT_INVALID
    if args.scenario is not None:
        try:
            load_scenario(args.scenario)
        except ScenarioError as exc:
            console.print(f"[red]invalid scenario[/red] {literal(args.scenario)}", highlight=False)
            for problem in exc.problems:
                console.print(f"  - {literal(problem)}", highlight=False)
            return EXIT_INVALID
    try:
        from sim.studio import serve
    except ImportError as exc:
        console.print(
            f"[red]error[/red] the studio needs its extra ({literal(exc.name or exc)} is "
            "missing): pip install 'loyalsim[studio]'",
            highlight=False,
        )
        return EXIT_INVALID
    serve(args.scenario, port=args.port, open_browser=not args.no_browser)
    return EXIT_OK
