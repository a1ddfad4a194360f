"""The engine: one replication of a scenario in SimPy time."""

from sim.engine.run import simulate

__all__ = ["simulate"]
