"""Driver analysis (满意度驱动因素): which dimension scores and operational measures move overall
satisfaction (SPEC G.4).

An OLS regression of the overall score on the drivers (statsmodels, heteroscedasticity-robust standard
errors) gives each driver's effect per unit with its confidence interval; the standardised coefficient
(effect of one standard deviation, in standard deviations of the overall score) is its importance.
The relative-importance share splits the model's R² among the drivers by the LMG method (each driver's
average gain in R² over every order of entry, from the correlation matrix): shares add up to 100 %
even when the drivers are correlated, which the coefficients alone do not.

Above `MAX_ROWS` complete answers the regression runs on a simple random sample of that many rows (a
fixed seed, so a run can be repeated): the estimates stay unbiased and their intervals, computed from
the sample, widen by √(N / MAX_ROWS) — at 200,000 rows the 95 % interval of a standardised effect is
within about ±0.01, far below any effect worth acting on. `sampled_from` says how many rows there were.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd
import statsmodels.api as sm

from .stats import CONFIDENCE, MAX_MOE_SHARE, NO_ANSWERS, TOO_SMALL, min_sample

DIMENSIONS = ("company_image", "service_attitude", "service_quality", "customer_care", "reliability",
              "timeliness", "security", "price_value")
OPERATIONAL = ("waiting_time", "time_to_resolve", "contacts_per_case", "procedure_steps", "ease_of_paying")
OUTCOME = "overall"
MAX_DRIVERS = 15  # LMG visits every subset of drivers: 2^15 small solves
PER_DRIVER = 10  # answers per estimated coefficient, at least
CONSTANT_DRIVER = "constant_driver"
COLLINEAR = "collinear_drivers"
MAX_ROWS = 200_000


@dataclass(frozen=True)
class DriverEffect:
    name: str
    label: str
    coef: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    std_coef: float
    std_ci_low: float
    std_ci_high: float
    r2_share: float  # the LMG share of the model's R², 0–1


@dataclass(frozen=True)
class DriverResult:
    """The regression's drivers (largest share first), or `reason` and no drivers when refused."""

    outcome: str
    n: int
    dropped: int
    min_n: int
    confidence: float
    cov_type: str
    r2: float | None = None
    adj_r2: float | None = None
    intercept: float | None = None
    drivers: list[DriverEffect] = field(default_factory=list)
    reason: str | None = None
    reason_detail: list[str] = field(default_factory=list)
    sampled_from: int | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def driver_analysis(frame: pd.DataFrame, *, drivers: Sequence[str], outcome: str = OUTCOME,
                    confidence: float = CONFIDENCE, cov_type: str = "HC3",
                    labels: Mapping[str, str] | None = None, max_rows: int | None = MAX_ROWS,
                    seed: int = 0) -> DriverResult:
    """Regress `outcome` on `drivers` over the rows where all of them are answered. Refused (a reason,
    no numbers) below the sample the margin-of-error rule asks for or ten answers per coefficient, when
    a driver does not vary, or when drivers are exact combinations of each other."""
    drivers = list(dict.fromkeys(drivers))
    if not drivers or len(drivers) > MAX_DRIVERS:
        raise ValueError(f"between 1 and {MAX_DRIVERS} drivers")
    missing = [c for c in (outcome, *drivers) if c not in frame.columns]
    if missing:
        raise ValueError(f"columns not in the frame: {missing}")
    data = _numeric(frame, [outcome, *drivers])
    sampled_from = None
    if max_rows is not None and len(data) > max_rows:
        sampled_from = len(data)
        data = data[np.sort(np.random.default_rng(seed).choice(len(data), size=max_rows, replace=False))]
    n = len(data)
    need = max(min_sample(worst_sd=0.5, scale_range=1.0, confidence=confidence, max_moe_share=MAX_MOE_SHARE),
               PER_DRIVER * (len(drivers) + 1))
    base = {"outcome": outcome, "n": n, "dropped": len(frame) - (sampled_from or n), "min_n": need,
            "confidence": confidence, "cov_type": cov_type, "sampled_from": sampled_from}
    if n < need:
        return DriverResult(**base, reason=NO_ANSWERS if n == 0 else TOO_SMALL)
    y, x = data[:, 0], data[:, 1:]
    spread = x.std(axis=0)
    constant = [d for d, s in zip(drivers, spread, strict=True) if s == 0]
    if constant or y.std() == 0:
        return DriverResult(**base, reason=CONSTANT_DRIVER, reason_detail=constant or [outcome])
    design = np.column_stack([np.ones(n), x])
    if np.linalg.matrix_rank(np.corrcoef(x, rowvar=False).reshape(len(drivers), -1)) < len(drivers):
        return DriverResult(**base, reason=COLLINEAR, reason_detail=drivers)
    fit = sm.OLS(y, design).fit(cov_type=cov_type)
    bounds = fit.conf_int(alpha=1 - confidence)
    scale = spread / y.std()
    shares = lmg_shares(np.corrcoef(data, rowvar=False))
    labels = labels or {}
    effects = [DriverEffect(name=d, label=str(labels.get(d, d)), coef=float(fit.params[i + 1]),
                            se=float(fit.bse[i + 1]), ci_low=float(bounds[i + 1, 0]), ci_high=float(bounds[i + 1, 1]),
                            p_value=float(fit.pvalues[i + 1]), std_coef=float(fit.params[i + 1] * scale[i]),
                            std_ci_low=float(bounds[i + 1, 0] * scale[i]),
                            std_ci_high=float(bounds[i + 1, 1] * scale[i]), r2_share=float(shares[i]))
               for i, d in enumerate(drivers)]
    effects.sort(key=lambda e: (-e.r2_share, e.name))
    return DriverResult(**base, r2=float(fit.rsquared), adj_r2=float(fit.rsquared_adj), intercept=float(fit.params[0]),
                        drivers=effects)


def _numeric(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """The columns as floats (anything not a number counts as unanswered), rows with an answer to all."""
    try:
        data = frame[columns].to_numpy(dtype=float)
    except (TypeError, ValueError):
        data = frame[columns].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    return data[~np.isnan(data).any(axis=1)]


def lmg_shares(correlation: np.ndarray) -> np.ndarray:
    """LMG relative importance from the correlation matrix of [outcome, drivers…], as shares of the full
    model's R² (adding up to 1). R² of a subset S is r_yS' R_SS⁻¹ r_yS; a driver's LMG is its gain in R²
    averaged over every order of entry (Shapley weights |S|!(k−|S|−1)!/k!)."""
    k = correlation.shape[0] - 1
    r_y, r_xx = correlation[0, 1:], correlation[1:, 1:]
    r2 = {0: 0.0}
    for size in range(1, k + 1):
        for subset in combinations(range(k), size):
            index = list(subset)
            r2[sum(1 << i for i in subset)] = float(r_y[index] @ np.linalg.lstsq(r_xx[np.ix_(index, index)],
                                                                                 r_y[index], rcond=None)[0])
    weights = [math.factorial(s) * math.factorial(k - s - 1) / math.factorial(k) for s in range(k)]
    lmg = np.zeros(k)
    for mask, value in r2.items():
        size = mask.bit_count()
        for j in range(k):
            if not mask >> j & 1:
                lmg[j] += weights[size] * (r2[mask | 1 << j] - value)
    total = r2[(1 << k) - 1]
    return lmg / total if total > 0 else lmg


def importance_chart(result: DriverResult, *, title: str = "") -> dict:
    """An ECharts option (plain data) for the importance chart: one horizontal bar per driver, its share
    of the explained variance in %, the largest on top; each bar carries the standardised coefficient
    and its interval for the tooltip. Empty series when the analysis was refused."""
    effects = list(reversed(result.drivers))
    return {
        "title": {"text": title, "subtext": f"n = {result.n}"},
        "grid": {"left": 8, "right": 24, "containLabel": True},
        "tooltip": {"trigger": "item"},
        "xAxis": {"type": "value", "max": 100, "axisLabel": {"formatter": "{value} %"}},
        "yAxis": {"type": "category", "data": [e.label for e in effects]},
        "series": [{
            "type": "bar",
            "data": [{"value": round(100 * e.r2_share, 1), "name": e.label,
                      "std_coef": round(e.std_coef, 3),
                      "std_ci": [round(e.std_ci_low, 3), round(e.std_ci_high, 3)],
                      "itemStyle": {"color": "#2f7ed8" if e.std_coef >= 0 else "#d9534f"}}
                     for e in effects],
        }],
    }
