"""Drawing a stratified sample from the sampling frame: a pure function of the frame, the plan and the
exclusions, reproducible from the plan's seed.

Every customer of the frame gets a random key from the seed in customer-id order, before anything is
excluded; each stratum takes its allocated number of eligible customers with the smallest keys. The
same frame and plan therefore always give the same sample, and excluding one more customer changes
the sample by at most one customer per stratum whose allocation stays the same.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from guanxi.core.errors import ValidationFailed

from .allocation import METHODS, PROPORTIONAL, Quota, allocate
from .strata import DIMENSIONS, arpu_edges, strata_codes, stratum_name

MAX_SAMPLE = 1_000_000


@dataclass(frozen=True)
class SamplingPlan:
    """What to draw: `size` customers over the strata formed by `dimensions`, allocated by `method`
    (proportional or neyman, the latter with a standard deviation per stratum in `sds`), with `quotas`
    per stratum, ARPU bands from configured `arpu_band_edges` or `arpu_quantiles` of the frame."""

    size: int
    seed: int
    method: str = PROPORTIONAL
    dimensions: tuple[str, ...] = DIMENSIONS
    arpu_band_edges: tuple[float, ...] | None = None
    arpu_quantiles: int = 4
    quotas: Mapping[str, Quota] = field(default_factory=dict)
    sds: Mapping[str, float | None] = field(default_factory=dict)

    def __post_init__(self):
        if self.method not in METHODS:
            raise ValidationFailed("Unknown allocation method.", code="invalid_method")
        if not 0 < self.size <= MAX_SAMPLE:
            raise ValidationFailed("The sample size must be between 1 and 1,000,000.", code="invalid_size")
        if not set(self.dimensions) <= set(DIMENSIONS) or not self.dimensions:
            raise ValidationFailed("Unknown stratification dimension.", code="invalid_dimension")


@dataclass
class SampleResult:
    """The drawn customers with their stratum, and one row per stratum: its dimension values, population
    (N_h), eligible customers, standard deviation used (Neyman) and allocated size."""

    sample: pd.DataFrame
    strata: list[dict]
    arpu_band_edges: tuple[float, ...]

    @property
    def customer_ids(self) -> list[int]:
        return self.sample["customer_id"].tolist()


def stratified_sample(frame: pd.DataFrame, plan: SamplingPlan, *, opted_out: Collection[int] = (),
                      recently_surveyed: Collection[int] = ()) -> SampleResult:
    """Draw `plan.size` customers from `frame` (strata.FRAME_COLUMNS), leaving out those who opted out
    and those surveyed within the quiet period. Population shares are taken before the exclusions;
    the eligible customers cap each stratum."""
    frame = frame.sort_values("customer_id", kind="stable").reset_index(drop=True)
    edges = arpu_edges(frame["arpu"], edges=plan.arpu_band_edges, quantiles=plan.arpu_quantiles)
    codes, values = strata_codes(frame, dimensions=plan.dimensions, edges=edges)
    names = [stratum_name(v) for v in values]
    keys = np.random.default_rng(plan.seed).random(len(frame))
    excluded = np.fromiter({int(i) for i in (*opted_out, *recently_surveyed)}, dtype=np.int64)
    ids = frame["customer_id"].to_numpy(dtype=np.int64)
    eligible = ~np.isin(ids, excluded) if len(excluded) else np.ones(len(ids), dtype=bool)
    population = dict(zip(names, np.bincount(codes, minlength=len(names)).tolist(), strict=True))
    available = dict(zip(names, np.bincount(codes[eligible], minlength=len(names)).tolist(), strict=True))
    sizes = allocate(population, plan.size, method=plan.method, sds=plan.sds, eligible=available,
                     quotas=plan.quotas)
    rows = _take(codes, keys, eligible, [sizes[name] for name in names])
    sample = pd.DataFrame({"customer_id": ids[rows], "stratum": np.array(names, dtype=object)[codes[rows]]})
    strata = [{"stratum": name, **dict(zip(plan.dimensions, value, strict=True)), "population": population[name],
               "eligible": available[name], "sd": _sd(plan, name), "allocated": sizes[name]}
              for name, value in zip(names, values, strict=True)]
    return SampleResult(sample=sample, strata=strata, arpu_band_edges=edges)


def _take(codes: np.ndarray, keys: np.ndarray, eligible: np.ndarray, sizes: list[int]) -> np.ndarray:
    """Row positions: per stratum code, the `sizes[code]` eligible rows with the smallest keys, in
    customer-id order. One argsort of code + key (keys lie in [0, 1), so codes stay apart)."""
    positions = np.flatnonzero(eligible)
    order = positions[np.argsort(codes[positions] + keys[positions])]
    starts = np.searchsorted(codes[order], np.arange(len(sizes)), side="left")
    picked = [order[start:start + size] for start, size in zip(starts.tolist(), sizes, strict=True)]
    return np.sort(np.concatenate(picked)) if picked else np.array([], dtype=np.int64)


def _sd(plan: SamplingPlan, name: str) -> float | None:
    sd = plan.sds.get(name)
    return None if sd is None else float(sd)
