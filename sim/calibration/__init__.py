"""Calibrating a scenario from a business's own transaction log (``sim.calibrate``).

The customer layer of the engine is a buy-till-you-die model, so its purchase rates, dropout
propensities and baskets can be fitted to a till or web-shop history; the fit needs the
optional extra ``loyalsim[calibrate]`` (PyMC-Marketing). docs/calibration.md tells what is
fitted, what is not, and how to read each check.
"""

from sim.calibration.calibrate import Calibration, calibrate
from sim.calibration.fit import CalibrationUnavailableError
from sim.calibration.transactions import TransactionLog, TransactionLogError, read_transactions

__all__ = [
    "Calibration",
    "CalibrationUnavailableError",
    "TransactionLog",
    "TransactionLogError",
    "calibrate",
    "read_transactions",
]
