"""Generated survey responses with known driver effects: the ground truth that the driver-analysis tests
recover, the benchmark's million responses and the demo's year of answers in which the drivers show.

Dimension scores (1–5) share a latent overall impression, so they are correlated as real answers are;
operational measures follow the shapes a call center sees (waiting minutes exponential, resolution
hours log-normal, repeat contacts Poisson). The overall score (1–10) is the planted linear model plus
normal noise, rounded to whole points and kept within the scale.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .drivers import DIMENSIONS, OPERATIONAL

# Effect on the 1–10 overall score per unit of each driver (a point of a 1–5 dimension score, a minute
# of waiting, an hour to resolve, a contact, a step, a point of ease of paying).
PLANTED: dict[str, float] = {
    "company_image": 0.10, "service_attitude": 0.45, "service_quality": 0.35, "customer_care": 0.15,
    "reliability": 0.20, "timeliness": 0.25, "security": 0.0, "price_value": 0.12,
    "waiting_time": -0.06, "time_to_resolve": -0.02, "contacts_per_case": -0.30, "procedure_steps": -0.08,
    "ease_of_paying": 0.18,
}
INTERCEPT = 0.5
NOISE_SD = 0.8


def generate_responses(n: int, *, seed: int, effects: Mapping[str, float] = PLANTED, intercept: float = INTERCEPT,
                       noise_sd: float = NOISE_SD, missing_share: float = 0.0) -> pd.DataFrame:
    """`n` responses: the eight dimension scores, the five operational measures and `overall`; with
    `missing_share`, that share of operational measures is left unanswered (NaN)."""
    rng = np.random.default_rng(seed)
    impression = rng.normal(0.0, 1.0, n)
    frame = {name: np.clip(np.rint(3.6 + 0.7 * impression + rng.normal(0.0, 0.8, n)), 1, 5) for name in DIMENSIONS}
    frame["waiting_time"] = np.round(rng.exponential(3.0, n), 1)
    frame["time_to_resolve"] = np.round(rng.lognormal(2.5, 0.9, n), 1)
    frame["contacts_per_case"] = 1 + rng.poisson(0.6, n).astype(float)
    frame["procedure_steps"] = rng.integers(2, 10, n).astype(float)
    frame["ease_of_paying"] = np.clip(np.rint(3.8 + 0.4 * impression + rng.normal(0.0, 0.9, n)), 1, 5)
    overall = intercept + rng.normal(0.0, noise_sd, n)
    for name, beta in effects.items():
        overall = overall + beta * frame[name]
    frame["overall"] = np.clip(np.rint(overall), 1, 10)
    out = pd.DataFrame(frame)
    if missing_share:
        for name in OPERATIONAL:
            out.loc[rng.random(n) < missing_share, name] = np.nan
    return out
