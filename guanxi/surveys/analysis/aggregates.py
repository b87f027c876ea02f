"""Figures from SQL aggregates: the analysis pages count and sum in the database (one grouped query
over the answers) and turn the counts into `Figure`s here, with the same formulas as `stats.py` —
CSAT and response rates as proportions, NPS with its own variance, dimension means with a Student-t
interval from the sum and the sum of squares.

A figure from fewer answers than `min_n` is refused (`reason` = too small a sample) instead of shown;
the pages default to `SURVEY_MIN_SAMPLE` answers (30), the settings can raise it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .stats import CONFIDENCE, NO_ANSWERS, TOO_SMALL, Figure, z_value

DEFAULT_MIN_SAMPLE = 30
SATISFIED_PCT = 75.0  # 4 of 5 (75 on 0–100); 8 of 10 (77.8) and above count as satisfied


def _refused(measure: str, n: int, min_n: int, confidence: float) -> Figure:
    return Figure(measure, n, None, None, None, None, confidence, min_n, NO_ANSWERS if n == 0 else TOO_SMALL)


def proportion(
    measure: str, n: int, hits: int, *, min_n: int = DEFAULT_MIN_SAMPLE, confidence: float = CONFIDENCE
) -> Figure:
    """A share in percent (CSAT, a response rate) with the normal-approximation margin z·√(p(1−p)/n)."""
    if n <= 0 or n < min_n:
        return _refused(measure, max(n, 0), min_n, confidence)
    p = hits / n
    moe = z_value(confidence) * math.sqrt(p * (1 - p) / n)
    return Figure(measure, n, 100 * p, 100 * moe, 100 * max(p - moe, 0.0), 100 * min(p + moe, 1.0), confidence, min_n)


def nps(
    n: int, promoters: int, detractors: int, *, min_n: int = DEFAULT_MIN_SAMPLE, confidence: float = CONFIDENCE
) -> Figure:
    """NPS in points: %promoters − %detractors, margin z·√((p₊ + p₋ − (p₊ − p₋)²)/n)."""
    if n <= 0 or n < min_n:
        return _refused("nps", max(n, 0), min_n, confidence)
    pro, det = promoters / n, detractors / n
    score = pro - det
    moe = z_value(confidence) * math.sqrt(max(pro + det - score**2, 0.0) / n)
    return Figure(
        "nps", n, 100 * score, 100 * moe, 100 * max(score - moe, -1.0), 100 * min(score + moe, 1.0), confidence, min_n
    )


def mean(
    measure: str,
    n: int,
    total: float,
    total_sq: float,
    *,
    min_n: int = DEFAULT_MIN_SAMPLE,
    confidence: float = CONFIDENCE,
) -> Figure:
    """A mean from n, Σx and Σx², with the t interval t·s/√n (s the sample standard deviation)."""
    if n <= 1 or n < min_n:
        return _refused(measure, max(n, 0), max(min_n, 2), confidence)
    value = total / n
    variance = max((total_sq - n * value * value) / (n - 1), 0.0)
    from scipy import stats as scipy_stats

    moe = float(scipy_stats.t.ppf(0.5 + confidence / 2, n - 1)) * math.sqrt(variance) / math.sqrt(n)
    return Figure(measure, n, value, moe, value - moe, value + moe, confidence, min_n)


@dataclass(frozen=True)
class Change:
    """The change of a figure from the period before: None when either is not shown; `significant`
    when it exceeds the combined margin √(moe₁² + moe₂²) (a two-sample test at the same confidence)."""

    delta: float | None
    significant: bool


def change(current: Figure, previous: Figure | None) -> Change:
    if previous is None or not current.is_shown or not previous.is_shown:
        return Change(None, False)
    delta = current.value - previous.value
    return Change(delta, abs(delta) > math.hypot(current.moe, previous.moe))


@dataclass
class Counts:
    """Additive counts of one cell (a period and a group): merged across months into quarters and years."""

    csat_n: int = 0
    csat_hits: int = 0
    nps_n: int = 0
    promoters: int = 0
    detractors: int = 0
    dims: dict | None = None  # dimension -> [n, Σ, Σ²]

    def add_dimension(self, dimension: str, n: int, total: float, total_sq: float) -> None:
        self.dims = self.dims or {}
        cell = self.dims.setdefault(dimension, [0, 0.0, 0.0])
        cell[0] += n
        cell[1] += total
        cell[2] += total_sq

    def merge(self, other: Counts) -> None:
        self.csat_n += other.csat_n
        self.csat_hits += other.csat_hits
        self.nps_n += other.nps_n
        self.promoters += other.promoters
        self.detractors += other.detractors
        for dimension, (n, total, total_sq) in (other.dims or {}).items():
            self.add_dimension(dimension, n, total, total_sq)

    def figures(self, dimensions, *, min_n: int) -> dict[str, Figure]:
        out = {
            "csat": proportion("csat", self.csat_n, self.csat_hits, min_n=min_n),
            "nps": nps(self.nps_n, self.promoters, self.detractors, min_n=min_n),
        }
        for dimension in dimensions:
            n, total, total_sq = (self.dims or {}).get(dimension, (0, 0.0, 0.0))
            out[dimension] = mean(dimension, n, total, total_sq, min_n=min_n)
        return out
