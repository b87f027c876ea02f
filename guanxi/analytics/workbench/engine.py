"""The workbench's models, pure functions on arrays (no database): LightGBM for classification,
ranking and prediction with a seeded holdout, k-means for clustering; quality figures (AUC,
accuracy, lift; R², MAE; silhouette) and the model's reasons (gain, mean |SHAP| from LightGBM's
`pred_contrib`; for clusters, how far each cluster's mean lies from everybody's)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.utils.translation import gettext_noop

from ..churn.model import quality as binary_quality

MIN_ROWS = 100
MIN_CLASS = 20
SHAP_SAMPLE = 2000
SILHOUETTE_SAMPLE = 4000
SCATTER_POINTS = 300
PARAMS = {"learning_rate": 0.1, "num_leaves": 15, "min_data_in_leaf": 20, "feature_fraction": 0.9,
          "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 1.0, "max_bin": 63}
ROUNDS = 100


class NotEnoughData(ValueError):
    """Too few rows (or too few of one class) to learn from: a message id and its numbers, worded by
    the caller in the reader's language."""

    def __init__(self, message: str, **numbers):
        super().__init__(message % numbers)
        self.message, self.numbers = message, numbers


@dataclass
class Trained:
    booster: object
    binary: bool
    metrics: dict
    reasons: dict
    edges: list[float] = field(default_factory=list)  # predicted-value quintile edges (prediction)


def split(n: int, *, seed: int, holdout: float) -> tuple[np.ndarray, np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    cut = round(n * holdout)
    return order[cut:], order[:cut]


def _check(y: np.ndarray, *, binary: bool) -> None:
    if len(y) < MIN_ROWS:
        raise NotEnoughData(gettext_noop("%(rows)d customers, at least %(needed)d needed"), rows=len(y),
                            needed=MIN_ROWS)
    if binary:
        positives = int(y.sum())
        if min(positives, len(y) - positives) < MIN_CLASS:
            raise NotEnoughData(gettext_noop("%(yes)d customers with the target and %(no)d without, at least "
                                             "%(needed)d of each needed"), yes=positives, no=len(y) - positives,
                                needed=MIN_CLASS)


def train(x: pd.DataFrame, y: np.ndarray, *, binary: bool, seed: int, holdout: float, threads: int = 1) -> Trained:
    """Fit on the training part, measure on the holdout, explain with gain and mean |SHAP|."""
    import lightgbm as lgb

    _check(y, binary=binary)
    fit_rows, hold = split(len(y), seed=seed, holdout=holdout)
    if binary and len(np.unique(y[hold])) < 2:
        raise NotEnoughData(gettext_noop("the holdout holds customers of one class only"))
    values = x.to_numpy(dtype="float64")
    params = {**PARAMS, "objective": "binary" if binary else "regression", "seed": seed, "deterministic": True,
              "force_row_wise": True, "num_threads": threads, "verbosity": -1}
    data = lgb.Dataset(values[fit_rows], label=y[fit_rows], feature_name=list(x.columns), free_raw_data=True)
    booster = lgb.train(params, data, num_boost_round=ROUNDS)
    predicted = booster.predict(values[hold], num_threads=threads)
    metrics = _binary_metrics(y[hold], predicted) if binary else _regression_metrics(y[hold], predicted, seed)
    metrics.update(train_rows=len(fit_rows), holdout_rows=len(hold))
    sample = hold[:SHAP_SAMPLE]
    reasons = {"importance": _importance(booster, values[sample], list(x.columns), threads)}
    edges = [] if binary else np.quantile(booster.predict(values, num_threads=threads), [0.2, 0.4, 0.6, 0.8]).tolist()
    return Trained(booster, binary, metrics, reasons, edges)


def _binary_metrics(y: np.ndarray, p: np.ndarray) -> dict:
    metrics = binary_quality(y, p)
    predicted = p >= 0.5
    positives = int(y.sum())
    top = np.argsort(-p, kind="stable")[: max(len(p) // 10, 1)]
    metrics.update(
        accuracy=round(float((predicted == (y == 1)).mean()), 4),
        precision=round(float(y[predicted].mean()), 4) if predicted.any() else 0.0,
        recall=round(float(predicted[y == 1].mean()), 4) if positives else 0.0,
        top_decile_capture=round(float(y[top].sum() / positives), 4) if positives else 0.0)
    return metrics


def _regression_metrics(y: np.ndarray, p: np.ndarray, seed: int) -> dict:
    from sklearn.metrics import mean_absolute_error, r2_score

    points = np.random.default_rng(seed).permutation(len(y))[:SCATTER_POINTS]
    return {"r2": round(float(r2_score(y, p)), 4), "mae": round(float(mean_absolute_error(y, p)), 4),
            "baseline_mae": round(float(np.abs(y - y.mean()).mean()), 4),
            "scatter": [[round(float(y[i]), 2), round(float(p[i]), 2)] for i in points]}


def _importance(booster, sample: np.ndarray, features: list[str], threads: int) -> list[dict]:
    """Each feature's share of the total gain and its mean |SHAP| (TreeSHAP, `pred_contrib`) on a
    sample of the holdout, most important first."""
    gain = booster.feature_importance(importance_type="gain")
    share = gain / gain.sum() if gain.sum() else gain
    contrib = booster.predict(sample, pred_contrib=True, num_threads=threads)[:, :-1] if len(sample) else None
    shap = np.abs(contrib).mean(axis=0) if contrib is not None else np.zeros(len(features))
    signed = contrib.mean(axis=0) if contrib is not None else np.zeros(len(features))
    rows = [{"feature": f, "gain_share": round(float(share[i]), 4), "mean_abs_shap": round(float(shap[i]), 4),
             "mean_shap": round(float(signed[i]), 4)} for i, f in enumerate(features)]
    return sorted(rows, key=lambda r: (-r["mean_abs_shap"], -r["gain_share"], r["feature"]))


def apply(trained: Trained, x: pd.DataFrame, *, threads: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Scores and labels: classification the probability and the class at 0.5; prediction the
    predicted value and its quintile among the trained-on customers (1 = highest fifth)."""
    score = trained.booster.predict(x.to_numpy(dtype="float64"), num_threads=threads) if len(x) else np.zeros(0)
    if trained.binary:
        return score, (score >= 0.5).astype("int64")
    return score, 5 - np.searchsorted(np.asarray(trained.edges), score, side="right").astype("int64")


def deciles(score: np.ndarray) -> np.ndarray:
    """1 for the highest-scoring tenth … 10 for the lowest (ranking's label)."""
    order = np.argsort(-score, kind="stable")
    decile = np.empty(len(score), dtype="int64")
    decile[order] = np.arange(len(score)) * 10 // max(len(score), 1) + 1
    return decile


def _scaled(x: pd.DataFrame) -> np.ndarray:
    """Signed log of the counts and amounts (heavy-tailed), missing values at the median, then standardised."""
    values = x.fillna(x.median().fillna(0.0)).to_numpy(dtype="float64")
    values = np.sign(values) * np.log1p(np.abs(values))
    std = values.std(axis=0)
    return (values - values.mean(axis=0)) / np.where(std > 0, std, 1.0)


def cluster(x: pd.DataFrame, *, k: int, seed: int) -> tuple[np.ndarray, np.ndarray, dict, dict]:
    """K-means on the scaled features: labels 1..k (largest cluster first), closeness to the
    centre as the score, the silhouette on a seeded sample and the sizes; each cluster's profile
    (its means, and how many standard deviations they lie from everybody's) as its reasons."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    if len(x) < max(MIN_ROWS, k * 10):
        raise NotEnoughData(gettext_noop("%(rows)d customers, at least %(needed)d needed"), rows=len(x),
                            needed=max(MIN_ROWS, k * 10))
    scaled = _scaled(x)
    model = KMeans(n_clusters=k, random_state=seed, n_init=3).fit(scaled)
    raw = model.labels_
    sizes = np.bincount(raw, minlength=k)
    order = np.argsort(-sizes, kind="stable")
    relabel = np.empty(k, dtype="int64")
    relabel[order] = np.arange(1, k + 1)
    labels = relabel[raw]
    distance = np.linalg.norm(scaled - model.cluster_centers_[raw], axis=1)
    sample = min(SILHOUETTE_SAMPLE, len(x))
    silhouette = float(silhouette_score(scaled, raw, sample_size=sample, random_state=seed))
    overall_mean, overall_std = x.mean(), x.std().replace(0, 1.0)
    profiles = []
    for c in range(1, k + 1):
        part = x[labels == c]
        z = ((part.mean() - overall_mean) / overall_std).fillna(0.0)
        top = z.abs().sort_values(ascending=False, kind="stable").index[:3]
        profiles.append({"cluster": c, "size": int((labels == c).sum()),
                         "means": {f: _round(part[f].mean()) for f in x.columns},
                         "z": {f: round(float(z[f]), 3) for f in x.columns},
                         "distinct": [{"feature": f, "z": round(float(z[f]), 3)} for f in top]})
    metrics = {"silhouette": round(silhouette, 4), "silhouette_sample": sample,
               "inertia": round(float(model.inertia_), 2), "sizes": [int((labels == c).sum()) for c in range(1, k + 1)]}
    return -distance, labels, metrics, {"clusters": profiles}


def _round(value) -> float | None:
    return None if pd.isna(value) else round(float(value), 2)
