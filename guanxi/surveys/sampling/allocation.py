"""How many to draw from each stratum: proportional or Neyman allocation, bounded by quotas and by the
customers each stratum can give, rounded to whole customers that add up to the sample size.

The continuous allocation is x_h = clip(λ·w_h, low_h, high_h) with λ chosen so that Σ x_h = n (the
capped allocation: a stratum held at a bound hands its excess to the others in proportion to their
weights); w_h = N_h (proportional) or N_h·S_h (Neyman). Whole numbers by largest remainder.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from guanxi.core.errors import ValidationFailed

PROPORTIONAL, NEYMAN = "proportional", "neyman"
METHODS = (PROPORTIONAL, NEYMAN)
_BISECTIONS = 200


@dataclass(frozen=True)
class Quota:
    """At least `minimum` and at most `maximum` (None: no upper bound) sampled customers in a stratum."""

    minimum: int = 0
    maximum: int | None = None

    def __post_init__(self):
        if self.minimum < 0 or (self.maximum is not None and self.maximum < self.minimum):
            raise ValueError("a quota needs 0 <= minimum <= maximum")


def neyman_weights(population: Mapping[str, int], sds: Mapping[str, float | None]) -> dict[str, float]:
    """N_h·S_h per stratum. A stratum whose standard deviation is unknown (missing, None, NaN) takes the
    population-weighted mean of the known ones, i.e. proportional allocation at the average spread; with
    none known the weights are N_h and the allocation is proportional."""
    known = {h: float(s) for h, s in sds.items() if h in population and s is not None and math.isfinite(s)}
    if any(s < 0 for s in known.values()):
        raise ValueError("a standard deviation cannot be negative")
    weight_known = sum(population[h] for h in known)
    fallback = sum(population[h] * s for h, s in known.items()) / weight_known if weight_known else 1.0
    return {h: n * known.get(h, fallback) for h, n in population.items()}


def allocate(population: Mapping[str, int], size: int, *, method: str = PROPORTIONAL,
             sds: Mapping[str, float | None] | None = None, eligible: Mapping[str, int] | None = None,
             quotas: Mapping[str, Quota] | None = None) -> dict[str, int]:
    """Sample size per stratum. `population` (N_h) sets the weights; `eligible` (default N_h: the customers
    left after exclusions) caps each stratum, as do the quotas. Raises ValidationFailed when the bounds
    cannot add up to `size`."""
    if method not in METHODS:
        raise ValueError(f"unknown allocation method {method!r}")
    if size < 0:
        raise ValueError("the sample size cannot be negative")
    eligible = population if eligible is None else eligible
    quotas = quotas or {}
    strata = sorted(population)
    low = {h: min(quotas.get(h, Quota()).minimum, eligible.get(h, 0)) for h in strata}
    high = {h: _upper(quotas.get(h), eligible.get(h, 0)) for h in strata}
    if size > sum(high.values()):
        raise ValidationFailed("The sample is larger than the eligible customers and the quotas allow.",
                               code="sample_too_large")
    if size < sum(low.values()):
        raise ValidationFailed("The stratum minimums add up to more than the sample size.",
                               code="quotas_exceed_sample")
    weights = neyman_weights(population, sds or {}) if method == NEYMAN else {h: float(population[h]) for h in strata}
    return _round(_capped(weights, low, high, size), low, high, size)


def _upper(quota: Quota | None, eligible: int) -> int:
    if quota is None or quota.maximum is None:
        return eligible
    return min(quota.maximum, eligible)


def _capped(weights: dict[str, float], low: dict[str, int], high: dict[str, int], size: int) -> dict[str, float]:
    """x_h = clip(λ·w_h, low_h, high_h) summing to `size`, λ found by bisection (the sum grows with λ).
    Strata of zero weight only fill when the weighted ones are all at their upper bound."""
    names = list(weights)
    w = np.array([weights[h] for h in names], dtype=float)
    lower = np.array([low[h] for h in names], dtype=float)
    upper = np.array([high[h] for h in names], dtype=float)
    w = w / w.sum() if w.sum() > 0 else np.ones_like(w)
    w = np.where(w > 1e-12, w, 1e-12)
    lo, hi = 0.0, float((upper / w).max()) if len(w) else 0.0
    for _ in range(_BISECTIONS):
        mid = (lo + hi) / 2
        if np.clip(mid * w, lower, upper).sum() < size:
            lo = mid
        else:
            hi = mid
    return dict(zip(names, np.clip(hi * w, lower, upper).tolist(), strict=True))


def _round(target: dict[str, float], low: dict[str, int], high: dict[str, int], size: int) -> dict[str, int]:
    """Largest remainder, ties broken by stratum key so the result never depends on dict order."""
    counts = {h: min(max(math.floor(x + 1e-9), low[h]), high[h]) for h, x in target.items()}
    short = size - sum(counts.values())
    order = sorted(target, key=lambda h: (-(target[h] - counts[h]), h))
    step = 1 if short > 0 else -1
    while short:
        moved = False
        for h in order if step > 0 else reversed(order):
            if short and low[h] <= counts[h] + step <= high[h]:
                counts[h] += step
                short -= step
                moved = True
        if not moved:
            raise ValidationFailed("The sample cannot be allocated within the quotas.", code="allocation_failed")
    return counts
