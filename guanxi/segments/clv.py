"""Customer lifetime value (CLV): BG/NBD for repeat purchases and Gamma-Gamma for their value,
through the `lifetimes` library (0.11.3, unmaintained since 2020: pinned, wrapped, and checked
against its own published CDNOW figures in the tests).

Time is counted in weeks, as in the CDNOW example: frequency = repeat purchase days, recency =
weeks from the first to the last purchase, age (T) = weeks from the first purchase to the as-of
date, monetary = average net spend of the repeat purchase days. The models are fitted on a
random sample of at most `fit_sample` customers (the fit is the costly part; the parameters are
population parameters) and applied to everyone. Expected purchases are computed once per
distinct (frequency, recency, age) triple, which a large base has far fewer of than customers.

When the data cannot support a fit — fewer than `min_repeaters` customers with a repeat
purchase, a fit that does not converge, parameters that are not finite — no CLV is given and the
reason is kept; nothing is made up.
"""

from __future__ import annotations

import contextlib
import io
import logging
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)

WEEKS_PER_MONTH = 365.25 / 12 / 7  # 4.348
PENALTY_LADDER = (0.001, 0.01, 0.1)


@dataclass
class ClvResult:
    fitted: bool
    reason: str = ""
    penalizer: float = 0.0
    bgnbd: dict[str, float] = field(default_factory=dict)
    gamma_gamma: dict[str, dict[str, float]] = field(default_factory=dict)  # per group
    fitted_on: int = 0
    frame: pd.DataFrame = field(default_factory=pd.DataFrame)

    def as_summary(self) -> dict:
        return {"fitted": self.fitted, "reason": self.reason, "fitted_on": self.fitted_on, "penalizer": self.penalizer,
                "bgnbd": {k: round(v, 6) for k, v in self.bgnbd.items()},
                "gamma_gamma": {group: {k: round(v, 6) for k, v in params.items()}
                                for group, params in self.gamma_gamma.items()}}


def _lifetimes():
    """The lifetimes module (its import sets a pandas option that pandas 3 deprecates)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import lifetimes
        from lifetimes.utils import ConvergenceError
    return lifetimes, ConvergenceError


def fit_bgnbd(frequency, recency, age, *, penalizer: float = 0.0):
    """A fitted lifetimes BetaGeoFitter; raises ValueError when it cannot be fitted."""
    lifetimes, ConvergenceError = _lifetimes()
    BetaGeoFitter = lifetimes.BetaGeoFitter

    model = BetaGeoFitter(penalizer_coef=penalizer)
    try:
        # lifetimes prints the optimiser's report to stdout when a fit fails.
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            model.fit(np.asarray(frequency, float), np.asarray(recency, float), np.asarray(age, float))
    except (ConvergenceError, ValueError, FloatingPointError, np.linalg.LinAlgError) as exc:
        raise ValueError(f"BG/NBD did not fit: {exc}") from exc
    params = {k: float(v) for k, v in model.params_.items()}
    if not all(np.isfinite(v) and v > 0 for v in params.values()):
        raise ValueError(f"BG/NBD parameters are not usable: {params}")
    return model


def fit_gamma_gamma(frequency, monetary, *, penalizer: float = 0.0):
    """A fitted lifetimes GammaGammaFitter (repeat customers with positive spend only)."""
    lifetimes, ConvergenceError = _lifetimes()
    GammaGammaFitter = lifetimes.GammaGammaFitter

    model = GammaGammaFitter(penalizer_coef=penalizer)
    try:
        # lifetimes prints the optimiser's report to stdout when a fit fails.
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            model.fit(np.asarray(frequency, float), np.asarray(monetary, float))
    except (ConvergenceError, ValueError, FloatingPointError, np.linalg.LinAlgError) as exc:
        raise ValueError(f"Gamma-Gamma did not fit: {exc}") from exc
    params = {k: float(v) for k, v in model.params_.items()}
    if not all(np.isfinite(v) and v > 0 for v in params.values()) or params["q"] <= 1:
        raise ValueError(f"Gamma-Gamma parameters are not usable: {params}")
    return model


def discounted_clv(bgnbd, frequency, recency, age, average_value, *, months: int | tuple[int, ...],
                   discount: float, unit_per_month: float = WEEKS_PER_MONTH):
    """Σ over months i = 1..months of expected purchases in month i × average value / (1 + d)^i,
    the sum lifetimes' customer_lifetime_value makes, from one cumulative prediction per month
    instead of two. With a tuple of horizons, one array per horizon from the same predictions."""
    horizons = (months,) if isinstance(months, int) else tuple(months)
    total = np.zeros(len(frequency))
    previous = np.zeros(len(frequency))
    results = {}
    for i in range(1, max(horizons) + 1):
        cumulative = np.asarray(bgnbd.conditional_expected_number_of_purchases_up_to_time(
            i * unit_per_month, frequency, recency, age), dtype=float)
        total = total + (cumulative - previous) * average_value / (1 + discount) ** i
        previous = cumulative
        if i in horizons:
            results[i] = (total.copy(), cumulative.copy())
    if isinstance(months, int):
        return results[months][0]
    return results


def _with_ladder(fit, *columns, penalizer: float):
    """Fit with `penalizer`, then with the growing penalties of PENALTY_LADDER until one fits:
    (model, penalty used); ValueError with the last reason when none does."""
    errors = []
    for penalty in dict.fromkeys((penalizer, *PENALTY_LADDER)):
        try:
            return fit(*columns, penalizer=penalty), penalty
        except ValueError as exc:
            errors.append(" ".join(str(exc).split()))
    raise ValueError(errors[-1])


def clv_fit_predict(*, frequency: pd.Series, recency: pd.Series, age: pd.Series, monetary: pd.Series,
                    groups: pd.Series | None = None, discount: float = 0.01, penalizer: float = 0.0,
                    fit_sample: int = 200_000, min_repeaters: int = 20, seed: int = 0,
                    resolution: float = 1 / 7) -> ClvResult:
    """Fit both models and predict, per customer (the index of the inputs): expected purchases in
    the next 12 months, probability alive, expected average value, 12- and 36-month CLV.

    BG/NBD is fitted on everyone. Gamma-Gamma is fitted per group (e.g. individuals and
    organisations, whose purchase values differ by an order of magnitude and make one pooled fit
    heavy-tailed), falling back to the pooled fit for a group too small or that does not fit.
    """
    frame = pd.DataFrame({"frequency": frequency.astype(float), "recency": recency.astype(float),
                          "age": age.astype(float), "monetary": monetary.astype(float)})
    frame["group"] = groups.astype(str) if groups is not None else "*"
    frame["recency"] = frame["recency"].clip(lower=0).where(frame["frequency"] > 0, 0.0)
    frame["age"] = np.maximum(frame["age"], frame["recency"])
    repeaters = int((frame["frequency"] > 0).sum())
    if repeaters < min_repeaters:
        return ClvResult(False, reason=f"{repeaters} customers with a repeat purchase; at least {min_repeaters} "
                                       "are needed to fit the models")
    if (frame["age"] <= 0).all():
        return ClvResult(False, reason="every purchase happened today; no time has passed to observe repeats")
    sample = frame.sample(n=fit_sample, random_state=seed) if len(frame) > fit_sample else frame
    spenders = sample[(sample["frequency"] > 0) & (sample["monetary"] > 0)]
    if len(spenders) < min_repeaters:
        return ClvResult(False, reason=f"{len(spenders)} repeat customers with positive spend; at least "
                                       f"{min_repeaters} are needed to fit the models")
    try:
        bg, penalty = _with_ladder(fit_bgnbd, sample["frequency"], sample["recency"], sample["age"],
                                   penalizer=penalizer)
    except ValueError as exc:
        logger.warning("CLV not computed: %s", exc)
        return ClvResult(False, reason=str(exc))
    spend_models, reasons = _spend_models(spenders, frame["group"].unique(), min_repeaters=min_repeaters,
                                          penalizer=penalizer)
    if not spend_models:
        logger.warning("CLV not computed: %s", reasons[-1])
        return ClvResult(False, reason=reasons[-1], bgnbd={k: float(v) for k, v in bg.params_.items()})

    # One prediction per distinct history. With a resolution, recency and age are first rounded
    # to it: a day by default, exact for the ledger's day-level histories; a coarser one (e.g.
    # a week) trades a little precision for fewer distinct histories.
    keys = frame[["frequency", "recency", "age"]].copy()
    if resolution:
        keys[["recency", "age"]] = (keys[["recency", "age"]] / resolution).round() * resolution
        keys["recency"] = keys["recency"].where(keys["frequency"] > 0, 0.0)
        keys["age"] = np.maximum(keys["age"], keys["recency"])
    unique, inverse = np.unique(keys.round(6).to_numpy(), axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    x, tx, t = unique[:, 0], unique[:, 1], unique[:, 2]
    with np.errstate(all="ignore"):
        alive = np.asarray(bg.conditional_probability_alive(
            frame["frequency"].to_numpy(), frame["recency"].to_numpy(), frame["age"].to_numpy()), dtype=float)
        value = np.full(len(frame), np.nan)  # groups without a usable spend model get no value
        for group, rows in frame.groupby("group").indices.items():
            if group in spend_models:
                value[rows] = np.asarray(spend_models[group].conditional_expected_average_profit(
                    frame["frequency"].iloc[rows], frame["monetary"].iloc[rows].clip(lower=0)), dtype=float)
        sums = discounted_clv(bg, x, tx, t, 1.0, months=(12, 36), discount=discount)
    per_unit_12, expected_12 = sums[12]
    per_unit_36, _ = sums[36]
    out = pd.DataFrame(index=frame.index)
    out["expected_purchases_12m"] = expected_12[inverse]
    out["p_alive"] = alive
    out["expected_avg_value"] = value
    # CLV is linear in the average value: the per-unit sums times each customer's value.
    out["clv_12m"] = per_unit_12[inverse] * value
    out["clv_36m"] = per_unit_36[inverse] * value
    out = out.replace([np.inf, -np.inf], np.nan)
    params = {group: {k: float(v) for k, v in model.params_.items()} for group, model in spend_models.items()}
    return ClvResult(True, reason="; ".join(reasons), penalizer=penalty,
                     bgnbd={k: float(v) for k, v in bg.params_.items()}, gamma_gamma=params, fitted_on=len(sample),
                     frame=out)


def _spend_models(spenders: pd.DataFrame, groups, *, min_repeaters: int, penalizer: float):
    """Gamma-Gamma per group; groups too small or that do not fit take the pooled fit when it
    fits. Returns ({group: model}, [reasons a group has none or took the pooled fit])."""
    models, reasons, pooled = {}, [], None
    split = spenders["group"].nunique() > 1
    for group in groups:
        members = spenders[spenders["group"] == group]
        if split and len(members) >= min_repeaters:
            try:
                models[group], _ = _with_ladder(fit_gamma_gamma, members["frequency"], members["monetary"],
                                                penalizer=penalizer)
                continue
            except ValueError as exc:
                reasons.append(f"{group}: {exc}")
    missing = [g for g in groups if g not in models]
    if missing:
        try:
            pooled, _ = _with_ladder(fit_gamma_gamma, spenders["frequency"], spenders["monetary"], penalizer=penalizer)
        except ValueError as exc:
            reasons.append(f"pooled: {exc}")
        for group in missing:
            if pooled is not None:
                models[group] = pooled
            else:
                reasons.append(f"{group}: no spend model, no CLV")
    return models, reasons
