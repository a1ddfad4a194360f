"""Fitting the buy-till-you-die models to a log, with PyMC-Marketing.

Three models of PyMC-Marketing's CLV module, each the published model the engine's customer
layer already follows:

* **BG/NBD** (``BetaGeoModel``; Fader, Hardie & Lee 2005) or **modified BG/NBD**
  (``ModifiedBetaGeoModel``; Batislam, Denizel & Filiztekin 2007): purchase rates
  ``lambda ~ Gamma(r, alpha)`` and dropout propensities ``p ~ Beta(a, b)``, fitted to each
  customer's repeat transactions, recency and age. They become ``customers.purchase_rate_shape``,
  ``purchase_rate_alpha_days``, ``dropout_a``, ``dropout_b`` and ``dropout_model``.
* **Gamma-gamma** (``GammaGammaModel``; Fader, Hardie & Lee 2005b, Colombo & Jiang 1999): a
  customer's baskets vary as ``Gamma(p, nu)`` around the customer's own mean ``p / nu``, and
  ``nu ~ Gamma(q, gamma)`` across customers. Fitted to the mean repeat basket of customers with
  at least one repeat purchase; it becomes ``customers.basket_mean`` (``p gamma / (q - 1)``),
  ``basket_cv_between`` (``1 / sqrt(q - 2)``) and ``basket_cv_within`` (``1 / sqrt(p)``).

The models are fitted in weeks, the unit their default priors in PyMC-Marketing are scaled
for; ``alpha`` is turned into days (times 7) for the engine. The default fit is the maximum a
posteriori with a Laplace approximation around it for the intervals; with ``posterior=True``
the BG/NBD's posterior is sampled with NUTS instead (the point values stay the MAP; the
gamma-gamma, whose default priors are flat, keeps its Laplace intervals).

PyMC-Marketing is an optional extra: ``pip install "loyalsim[calibrate]"``.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.calibration.transactions import mean_repeat_basket

MODEL_NAMES = {"bgnbd": "BG/NBD", "mbgnbd": "MBG/NBD"}
"""Which dropout model to fit (``customers.dropout_model``), and its name in words."""
MODELS = tuple(MODEL_NAMES)
DAYS_PER_WEEK = 7.0
INTERVAL = 0.95
"""Probability of the intervals reported for each fitted value."""
DRAWS = 1000
"""Draws of the Laplace approximation (or of NUTS, per chain) behind the intervals."""
BTYD = ("r", "alpha", "a", "b")
SPEND = ("p", "q", "v")
"""Parameters of the BG/NBD (or MBG/NBD) and of the gamma-gamma."""


class CalibrationUnavailableError(ImportError):
    """The optional extra with PyMC-Marketing is not installed."""


def _clv() -> Any:
    """PyMC-Marketing's CLV module, quietly imported, or a clear error naming the extra."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from pymc_marketing import clv
    except ImportError as error:
        raise CalibrationUnavailableError(
            f"calibration needs PyMC-Marketing: pip install 'loyalsim[calibrate]' ({error})"
        ) from None
    return clv


@dataclass(frozen=True)
class FittedValue:
    """One fitted value with its interval at :data:`INTERVAL`."""

    value: float
    low: float
    high: float
    undefined: float = 0.0

    def as_dict(self) -> dict[str, float]:
        return {
            "value": self.value,
            "low": self.low,
            "high": self.high,
            "undefined_share": self.undefined,
        }


@dataclass
class FittedTraits:
    """What the fit found, in the engine's units (days), with intervals.

    Attributes
    ----------
    model
        ``"bgnbd"`` or ``"mbgnbd"``.
    method
        ``"map"`` (maximum a posteriori, Laplace intervals) or ``"posterior"`` (NUTS).
    fields
        Scenario field (``customers.purchase_rate_shape`` ...) to its fitted value.
    raw
        The models' own parameters (``r``, ``alpha`` in weeks, ``a``, ``b``, ``p``, ``q``,
        ``v``).
    draws
        Draws of the scenario fields (one row per draw), for forecasts with their doubt.
    customers, repeaters
        Customers fitted, and those with a repeat purchase (the gamma-gamma's data).
    basket_from_log
        Whether ``customers.basket_mean`` is the log's mean repeat basket, because the fitted
        gamma-gamma has no finite mean (``q <= 1``).
    """

    model: str
    method: str
    fields: dict[str, FittedValue]
    raw: dict[str, FittedValue]
    draws: pd.DataFrame
    customers: int
    repeaters: int
    btyd: Any = field(repr=False, default=None)
    basket_from_log: bool = False

    def point(self) -> dict[str, float]:
        """Scenario field to fitted value."""
        return {name: v.value for name, v in self.fields.items()}


@contextlib.contextmanager
def _quiet():
    """PyMC's and PyMC-Marketing's warnings and progress output, silenced."""
    loggers = [logging.getLogger(n) for n in ("pymc", "pytensor", "pymc_marketing", "pymc_extras")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        with (
            warnings.catch_warnings(),
            contextlib.redirect_stdout(io.StringIO()),
            contextlib.redirect_stderr(io.StringIO()),
        ):
            warnings.simplefilter("ignore")
            yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def _weekly(summary: pd.DataFrame) -> pd.DataFrame:
    """The per-customer summary in weeks, as PyMC-Marketing's models take it."""
    return pd.DataFrame(
        {
            "customer_id": np.arange(len(summary)),
            "frequency": summary["frequency"].to_numpy(dtype=float),
            "recency": summary["recency"].to_numpy(dtype=float) / DAYS_PER_WEEK,
            "T": summary["T"].to_numpy(dtype=float) / DAYS_PER_WEEK,
        }
    )


def _interval(draws: np.ndarray, point: float) -> FittedValue:
    """The point with the central :data:`INTERVAL` of the draws. Draws where a derived value
    does not exist (a gamma-gamma ``q <= 1`` has no mean basket) are left out; the interval is
    then conditional on the value existing, and ``undefined`` says what share was left out."""
    tail = (1.0 - INTERVAL) / 2.0
    draws = np.asarray(draws, dtype=float)
    finite = np.isfinite(draws)
    if not finite.any():
        return FittedValue(float(point), float("nan"), float("nan"), 1.0)
    low, high = np.quantile(draws[finite], [tail, 1.0 - tail])
    return FittedValue(float(point), float(low), float(high), float(1.0 - finite.mean()))


def _laplace_draws(model: Any, names: tuple[str, ...], seed: int) -> dict[str, np.ndarray]:
    """Draws of ``names`` from a Laplace approximation around the fitted model's MAP.

    The MAP is moved to the model's unconstrained space (PyMC's transforms), the log
    posterior's Hessian there is evaluated by PyMC (``compile_d2logp``), and normal draws with
    the inverse Hessian as covariance are mapped back through the model's own graph, so derived
    values (``a`` and ``b`` from ``phi`` and ``kappa``) come out as the model defines them.
    """
    import pytensor
    from pymc.blocking import DictToArrayBijection, RaveledVars

    pm_model = model.model
    posterior = model.idata.posterior
    point = {}
    for rv in pm_model.free_RVs:
        value = np.asarray(posterior[rv.name]).reshape(-1)[0]
        transform = pm_model.rvs_to_transforms.get(rv)
        if transform is not None:
            value = np.asarray(transform.forward(value, *rv.owner.inputs).eval())
        point[pm_model.rvs_to_values[rv].name] = np.asarray(value, dtype=float)
    value_vars = pm_model.value_vars
    hessian = np.asarray(pm_model.compile_d2logp(jacobian=True)(point), dtype=float)
    eigenvalues, eigenvectors = np.linalg.eigh((hessian + hessian.T) / 2.0)
    eigenvalues = np.maximum(eigenvalues, 1e-9 * max(1.0, float(eigenvalues.max())))
    covariance = (eigenvectors / eigenvalues) @ eigenvectors.T
    centre = DictToArrayBijection.map(point)
    rng = np.random.default_rng(seed)
    steps = rng.multivariate_normal(centre.data, covariance, size=DRAWS, method="eigh")
    outputs = pm_model.replace_rvs_by_values([pm_model[name] for name in names])
    evaluate = pytensor.function(value_vars, outputs, on_unused_input="ignore")
    draws = np.empty((DRAWS, len(names)))
    for i, x in enumerate(steps):
        values = DictToArrayBijection.rmap(RaveledVars(x, centre.point_map_info))
        draws[i] = [float(v) for v in evaluate(*[values[v.name] for v in value_vars])]
    return {name: draws[:, j] for j, name in enumerate(names)}


def _posterior_draws(
    model: Any, names: tuple[str, ...], posterior: bool, seed: int
) -> dict[str, np.ndarray]:
    """Draws of the model's parameters: Laplace around the MAP, or NUTS."""
    if not posterior:
        return _laplace_draws(model, names, seed)
    idata = model.fit(
        method="mcmc",
        draws=DRAWS,
        tune=DRAWS,
        chains=2,
        cores=min(2, os.cpu_count() or 1),
        random_seed=seed,
        progressbar=False,
    )
    return {name: np.asarray(idata.posterior[name]).reshape(-1) for name in names}


def fit_traits(
    summary: pd.DataFrame, model: str = "bgnbd", posterior: bool = False, seed: int = 0
) -> FittedTraits:
    """Fit the BG/NBD (or MBG/NBD) and the gamma-gamma to a per-customer summary.

    Parameters
    ----------
    summary
        :meth:`sim.calibration.transactions.TransactionLog.summary` (days).
    model
        ``"bgnbd"`` or ``"mbgnbd"``.
    posterior
        Sample the BG/NBD's posterior with NUTS (2 chains of 1,000 draws) for the intervals
        instead of the Laplace approximation around the MAP; the point values stay the MAP's.
    seed
        Seed of the draws behind the intervals.

    Returns
    -------
    FittedTraits
    """
    clv = _clv()
    if model not in MODELS:
        raise ValueError(f"model must be one of {', '.join(MODELS)}, not {model!r}")
    weekly = _weekly(summary)
    kind = clv.BetaGeoModel if model == "bgnbd" else clv.ModifiedBetaGeoModel
    with _quiet():
        btyd = kind(data=weekly)
        btyd.fit(method="map", progressbar=False)
        point = {k: float(np.asarray(btyd.idata.posterior[k]).reshape(-1)[0]) for k in BTYD}
        draws = _posterior_draws(btyd, BTYD, posterior, seed)
        if posterior:  # sampling replaced the fit: the point values and forecasts are the MAP's
            btyd.fit(method="map", progressbar=False)
    repeat = summary[summary["frequency"] > 0]
    spend = pd.DataFrame(
        {
            "customer_id": np.arange(len(repeat)),
            "frequency": repeat["frequency"].to_numpy(dtype=float),
            "monetary_value": repeat["monetary_value"].to_numpy(dtype=float),
        }
    )
    spend = spend[spend["monetary_value"] > 0]
    with _quiet():
        gg = clv.GammaGammaModel(data=spend)
        gg.fit(method="map", progressbar=False)
        gg_point = {k: float(np.asarray(gg.idata.posterior[k]).reshape(-1)[0]) for k in SPEND}
        # Always Laplace: the gamma-gamma's default priors are flat, and NUTS on them wanders
        # off to p -> infinity on a small log (seen on 400 customers).
        gg_draws = _posterior_draws(gg, SPEND, False, seed + 1)
    fields_draws = engine_fields({**draws, **gg_draws}, model)
    fields_point = engine_fields({**point, **gg_point}, model)
    basket_from_log = not np.isfinite(fields_point["customers.basket_mean"].iloc[0])
    if basket_from_log:  # q <= 1: the gamma-gamma's mean basket is infinite
        fields_point["customers.basket_mean"] = mean_repeat_basket(repeat)
    fields = {
        name: _interval(fields_draws[name].to_numpy(), float(fields_point[name].iloc[0]))
        for name in fields_draws.columns
    }
    raw = {
        name: _interval(values, {**point, **gg_point}[name])
        for name, values in {**draws, **gg_draws}.items()
    }
    return FittedTraits(
        model=model,
        method="posterior" if posterior else "map",
        fields=fields,
        raw=raw,
        draws=fields_draws,
        customers=len(summary),
        repeaters=len(spend),
        btyd=btyd,
        basket_from_log=basket_from_log,
    )


def engine_fields(params: dict[str, Any], model: str) -> pd.DataFrame:
    """The scenario's ``customers`` fields from the models' parameters (scalars or draws).

    ``alpha`` is in weeks and becomes days. The gamma-gamma's spread between customers,
    ``1 / sqrt(q - 2)``, exists only for ``q > 2``; below it the spread of customers' mean
    baskets is unbounded, and the field takes its upper bound, 5.
    """
    q = np.asarray(params["q"], dtype=float)
    p = np.asarray(params["p"], dtype=float)
    v = np.asarray(params["v"], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        between = np.where(q > 2.0, 1.0 / np.sqrt(np.maximum(q - 2.0, 1e-12)), 5.0)
        mean = np.where(q > 1.0, p * v / np.maximum(q - 1.0, 1e-12), np.nan)
    return pd.DataFrame(
        {
            "customers.purchase_rate_shape": np.atleast_1d(params["r"]),
            "customers.purchase_rate_alpha_days": np.atleast_1d(params["alpha"]) * DAYS_PER_WEEK,
            "customers.dropout_a": np.atleast_1d(params["a"]),
            "customers.dropout_b": np.atleast_1d(params["b"]),
            "customers.basket_mean": np.atleast_1d(mean),
            "customers.basket_cv_between": np.atleast_1d(np.minimum(between, 5.0)),
            "customers.basket_cv_within": np.atleast_1d(np.minimum(1.0 / np.sqrt(p), 5.0)),
        }
    )
