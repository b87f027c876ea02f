"""The churn model, pure functions on arrays: a LightGBM booster fitted on one part of the
customers, an isotonic calibration fitted on a second, and quality measured on a third (holdout
AUC, lift by decile, reliability curve). Reasons are the booster's per-feature path attributions
(Saabas, on the log-odds scale; see `contribution_table`): the three largest positive ones."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

DEFAULT_PARAMS: dict = {
    "objective": "binary", "learning_rate": 0.1, "num_leaves": 15, "min_data_in_leaf": 50,
    "feature_fraction": 0.9, "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 1.0,
    "num_boost_round": 120, "max_bin": 63,
}
MIN_CHURNERS = 50


class TooFewChurners(ValueError):
    def __init__(self, churners: int, needed: int):
        super().__init__(f"{churners} churners, {needed} needed")
        self.churners, self.needed = churners, needed


@dataclass
class Fitted:
    booster_text: str
    calibration: dict
    metrics: dict
    params: dict
    features: list[str]
    booster: object = field(default=None, repr=False)


def _split(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    a, b = int(n * 0.6), int(n * 0.8)
    return order[:a], order[a:b], order[b:]


def fit(x: pd.DataFrame, y: np.ndarray, *, seed: int, params: dict | None = None,
        min_churners: int = MIN_CHURNERS, threads: int | None = None) -> Fitted:
    """Fit, calibrate and measure; TooFewChurners when the fitting or holdout part would hold fewer
    than `min_churners` churners (a model from a handful of cases ranks by noise)."""
    import lightgbm as lgb
    from sklearn.isotonic import IsotonicRegression

    params = {**DEFAULT_PARAMS, **(params or {})}
    threads = threads or default_threads()
    churners = int(y.sum())
    if churners < min_churners * 2 or len(y) - churners < min_churners:
        raise TooFewChurners(churners, min_churners * 2)
    train, calib, hold = _split(len(y), seed)
    rounds = int(params["num_boost_round"])
    lgb_params = {k: v for k, v in params.items() if k != "num_boost_round"}
    lgb_params.update(seed=seed, deterministic=True, force_row_wise=True, num_threads=threads, verbosity=-1)
    values = x.to_numpy(dtype="float64")
    data = lgb.Dataset(values[train], label=y[train], feature_name=list(x.columns), free_raw_data=True)
    booster = lgb.train(lgb_params, data, num_boost_round=rounds)
    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
    iso.fit(booster.predict(values[calib], num_threads=threads), y[calib])
    calibration = {"x": iso.X_thresholds_.tolist(), "y": iso.y_thresholds_.tolist()}
    probability = calibrate(booster.predict(values[hold], num_threads=threads), calibration)
    metrics = quality(y[hold], probability)
    metrics.update(train_rows=len(train), calibration_rows=len(calib), holdout_rows=len(hold))
    return Fitted(booster.model_to_string(), calibration, metrics, params, list(x.columns), booster)


def calibrate(raw: np.ndarray, calibration: dict) -> np.ndarray:
    return np.interp(raw, calibration["x"], calibration["y"])


def quality(y: np.ndarray, p: np.ndarray) -> dict:
    """Holdout AUC; churn rate and lift in each decile of predicted risk (1 = riskiest); the
    reliability curve: mean predicted vs observed rate in ten probability bins."""
    from sklearn.metrics import roc_auc_score

    base = float(y.mean())
    order = np.argsort(-p, kind="stable")
    deciles = []
    for i, part in enumerate(np.array_split(order, 10), start=1):
        rate = float(y[part].mean()) if len(part) else 0.0
        deciles.append({"decile": i, "rate": round(rate, 4), "lift": round(rate / base, 3) if base else 0.0})
    bins = np.minimum((p * 10).astype(int), 9)
    reliability = []
    for b in range(10):
        mask = bins == b
        if mask.any():
            reliability.append({"bin": b, "predicted": round(float(p[mask].mean()), 4),
                                "observed": round(float(y[mask].mean()), 4), "n": int(mask.sum())})
    return {"auc": round(float(roc_auc_score(y, p)), 4), "base_rate": round(base, 4),
            "deciles": deciles, "reliability": reliability}


def load(booster_text: str):
    import lightgbm as lgb

    return lgb.Booster(model_str=booster_text)


def contribution_table(booster) -> tuple[np.ndarray, float]:
    """Per tree and leaf, what each feature added on the way from the root to that leaf (the
    change of the node value at each split, Saabas' path attribution; TreeSHAP's `pred_contrib`
    is two orders of magnitude slower here), and the sum of the roots' values (the bias).
    A row's contributions are the sum of its leaves' rows: they add up to its raw score."""
    dump = booster.dump_model()
    trees = dump["tree_info"]
    n_features = len(dump["feature_names"])
    width = max(tree["num_leaves"] for tree in trees)
    table = np.zeros((len(trees), width, n_features), dtype="float64")
    bias = 0.0
    for t, tree in enumerate(trees):
        root = tree["tree_structure"]
        if "split_feature" not in root:  # a tree without a split (its root is a bare leaf value)
            bias += root["leaf_value"]
            continue
        bias += root["internal_value"]
        stack = [(root, np.zeros(n_features))]
        while stack:
            node, path = stack.pop()
            for child in (node["left_child"], node["right_child"]):
                step = path.copy()
                value = child["leaf_value"] if "leaf_index" in child else child["internal_value"]
                step[node["split_feature"]] += value - node["internal_value"]
                if "leaf_index" in child:
                    table[t, child["leaf_index"]] = step
                else:
                    stack.append((child, step))
    return table, bias


GROUP = 3  # trees whose leaf tables are merged: one look-up covers every combination of their leaves
CHUNK = 1 << 15  # rows scored at a time (the leaf indexes and the sums stay small)


@dataclass
class Scorer:
    """A booster ready to score with reasons: its per-leaf attributions (`contribution_table`) merged
    over groups of `GROUP` trees, so that a row costs one walk of the trees (`pred_leaf`) and a
    look-up per group instead of per tree. Sums are those of the per-tree table, added in another
    order (they may differ in the last bits)."""

    booster: object
    groups: list[np.ndarray]
    width: int
    bias: float


def compile_scorer(booster) -> Scorer:
    """The booster's attributions merged over groups of trees (see `Scorer`)."""
    table, bias = contribution_table(booster)
    n_trees, width, n_features = table.shape
    groups = []
    for first in range(0, n_trees, GROUP):
        merged = table[first]
        for tree in table[first + 1:first + GROUP]:
            merged = (merged[:, None, :] + tree[None, :, :]).reshape(-1, n_features)
        groups.append(np.ascontiguousarray(merged))
    return Scorer(booster, groups, width, bias)


def contributions(scorer: Scorer, values: np.ndarray, *, threads: int | None = None) -> np.ndarray:
    """Per row and feature, the path attributions summed over the trees (rows × features)."""
    threads = threads or default_threads()
    n_features = scorer.groups[0].shape[1] if scorer.groups else 0
    out = np.zeros((len(values), n_features), dtype="float64")
    for start in range(0, len(values), CHUNK):
        part = values[start:start + CHUNK]
        leaves = scorer.booster.predict(part, pred_leaf=True, num_threads=threads).astype("int64").T.copy()
        total = out[start:start + len(part)]
        for g, merged in enumerate(scorer.groups):
            trees = leaves[g * GROUP:(g + 1) * GROUP]
            cell = trees[0]
            for leaf in trees[1:]:
                cell = cell * scorer.width + leaf
            total += merged[cell]
    return out


def default_threads() -> int:
    """LightGBM's threads: every core (with `deterministic` the results do not depend on it)."""
    return max(1, min(os.cpu_count() or 1, 4))


def predict(booster, x: pd.DataFrame, calibration: dict, *, top: int = 3, threads: int | None = None,
            scorer: Scorer | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Calibrated probabilities, and for each row the indexes of its `top` features that push the
    risk up most (-1 where fewer push it up) with their contributions (log-odds)."""
    values = x.to_numpy(dtype="float64")
    if not len(values):
        return np.zeros(0), np.zeros((0, top), dtype="int64"), np.zeros((0, top))
    scorer = scorer or compile_scorer(booster)
    contrib = contributions(scorer, values, threads=threads)
    raw = contrib.sum(axis=1) + scorer.bias
    probability = calibrate(1.0 / (1.0 + np.exp(-raw)), calibration)
    idx = np.argsort(-contrib, axis=1, kind="stable")[:, :top]
    strength = np.take_along_axis(contrib, idx, axis=1)
    idx = np.where(strength > 0, idx, -1)
    return probability, idx, strength
