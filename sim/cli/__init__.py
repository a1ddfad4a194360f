"""The ``loyalsim`` command: ``run``, ``validate``, ``schema``, ``new`` and the experiment
commands (``sim.cli.experiments``)."""

from sim.cli.main import main

__all__ = ["main"]
