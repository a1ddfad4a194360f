"""Loyalty-program mechanics (DOMAIN P1-P12), one module per mechanic.

Each module holds the pure arithmetic of one mechanic, testable without a simulation. So far:
``points`` (cumulative points, P2).
"""
