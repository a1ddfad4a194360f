"""The studio: a local web page for trying program designs (``loyalsim studio``)."""

from __future__ import annotations

from pathlib import Path


def serve(scenario: str | Path | None = None, port: int = 5006, open_browser: bool = True) -> None:
    """Serve the studio on 127.0.0.1 until interrupted, starting from ``scenario``."""
    import panel as pn

    from sim.scenario import load_scenario
    from sim.studio.app import build

    start = load_scenario(scenario) if scenario is not None else None
    print(f"loyalsim studio on http://127.0.0.1:{port}/ (Ctrl-C stops it)", flush=True)
    pn.serve(
        {"/": lambda: build(start, Path(scenario) if scenario is not None else None)},
        address="127.0.0.1",
        port=port,
        show=open_browser,
        websocket_origin=[f"127.0.0.1:{port}", f"localhost:{port}"],
        title="loyalsim studio",
        print_url=False,
    )
