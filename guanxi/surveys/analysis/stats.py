"""The statistics every satisfaction figure carries: CSAT, NPS and mean scores with their sample size,
margin of error and confidence interval, and the rule that refuses a figure from too small a sample.

The rule is set by the margin of error: a figure is shown only when its worst-case margin of error
(the largest any answers could give at this sample size) is at most `MAX_MOE_SHARE` of the measure's
range — 10 points of CSAT, 20 points of NPS, 0.4 on a 1–5 scale. At 95 % confidence that needs 97
answers whatever the measure, so the threshold does not move with the answers themselves (a figure
from five unanimous answers has a zero observed margin and is still refused).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

CONFIDENCE = 0.95
MAX_MOE_SHARE = 0.10
TOO_SMALL = "sample_too_small"
NO_ANSWERS = "no_answers"


@dataclass(frozen=True)
class Figure:
    """A figure and what it rests on. `value`, `moe` and the interval are None when `reason` says why
    no number is given; `min_n` is the sample size the rule asks for."""

    measure: str
    n: int
    value: float | None
    moe: float | None
    ci_low: float | None
    ci_high: float | None
    confidence: float
    min_n: int
    reason: str | None = None

    @property
    def is_shown(self) -> bool:
        return self.reason is None

    def as_dict(self) -> dict:
        return asdict(self)


def z_value(confidence: float = CONFIDENCE) -> float:
    from scipy import stats as scipy_stats

    return float(scipy_stats.norm.ppf(0.5 + confidence / 2))


def min_sample(*, worst_sd: float, scale_range: float, confidence: float = CONFIDENCE,
               max_moe_share: float = MAX_MOE_SHARE) -> int:
    """The smallest n whose worst-case margin z·σ_max/√n is within `max_moe_share` of the range."""
    return math.ceil((z_value(confidence) * worst_sd / (max_moe_share * scale_range)) ** 2)


def _clean(values: Iterable[float], low: float, high: float) -> np.ndarray:
    import numpy as np

    array = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=float)
    array = array[~np.isnan(array)]
    if ((array < low) | (array > high)).any():
        raise ValueError(f"scores must lie between {low} and {high}")
    return array


def _refused(measure: str, n: int, min_n: int, confidence: float) -> Figure:
    reason = NO_ANSWERS if n == 0 else TOO_SMALL
    return Figure(measure, n, None, None, None, None, confidence, min_n, reason)


def csat(scores: Iterable[float], *, scale: int = 5, satisfied_from: int = 4, confidence: float = CONFIDENCE,
         max_moe_share: float = MAX_MOE_SHARE) -> Figure:
    """CSAT: the share (in points, 0–100) of answers of `satisfied_from` or more on a 1–`scale` rating,
    with the normal-approximation margin z·√(p(1−p)/n)."""
    values = _clean(scores, 1, scale)
    n, need = len(values), min_sample(worst_sd=0.5, scale_range=1.0, confidence=confidence,
                                      max_moe_share=max_moe_share)
    if n < need:
        return _refused("csat", n, need, confidence)
    p = float((values >= satisfied_from).mean())
    moe = z_value(confidence) * math.sqrt(p * (1 - p) / n)
    return Figure("csat", n, 100 * p, 100 * moe, 100 * max(p - moe, 0.0), 100 * min(p + moe, 1.0), confidence, need)


def nps(scores: Iterable[float], *, confidence: float = CONFIDENCE, max_moe_share: float = MAX_MOE_SHARE) -> Figure:
    """Net Promoter Score on 0–10 answers: %promoters (9–10) − %detractors (0–6), in points (−100…100).
    Its variance per answer is p₊ + p₋ − (p₊ − p₋)², so the margin is z·√(that/n); the worst case
    (all promoters or detractors in equal halves) is a standard deviation of 1 on a range of 2."""
    values = _clean(scores, 0, 10)
    n, need = len(values), min_sample(worst_sd=1.0, scale_range=2.0, confidence=confidence,
                                      max_moe_share=max_moe_share)
    if n < need:
        return _refused("nps", n, need, confidence)
    promoters, detractors = float((values >= 9).mean()), float((values <= 6).mean())
    score = promoters - detractors
    moe = z_value(confidence) * math.sqrt(max(promoters + detractors - score**2, 0.0) / n)
    return Figure("nps", n, 100 * score, 100 * moe, 100 * max(score - moe, -1.0), 100 * min(score + moe, 1.0),
                  confidence, need)


def mean_score(scores: Iterable[float], *, low: float = 1, high: float = 5, confidence: float = CONFIDENCE,
               max_moe_share: float = MAX_MOE_SHARE) -> Figure:
    """The mean of ratings on low–high with a Student-t interval; the worst-case spread of a bounded
    scale is half its range."""
    values = _clean(scores, low, high)
    n, need = len(values), min_sample(worst_sd=(high - low) / 2, scale_range=high - low, confidence=confidence,
                                      max_moe_share=max_moe_share)
    if n < need:
        return _refused("mean", n, need, confidence)
    mean = float(values.mean())
    from scipy import stats as scipy_stats

    moe = float(scipy_stats.t.ppf(0.5 + confidence / 2, n - 1)) * float(values.std(ddof=1)) / math.sqrt(n)
    return Figure("mean", n, mean, moe, mean - moe, mean + moe, confidence, need)
