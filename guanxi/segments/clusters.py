"""Data-driven segments: k-means on scaled RFM, ARPU, tenure and product kinds, each cluster
described in words from its centre relative to the overall mean.

k is chosen by the silhouette score on a sample, within a small range; the model is fitted on a
sample and every customer is then assigned to the nearest centre. Clusters are numbered 1..k by
their average revenue, highest first, so that cluster 1 is always the most valuable one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

if TYPE_CHECKING:  # numpy and pandas are imported by the value run, not by the pages that describe clusters
    import numpy as np
    import pandas as pd

FEATURES = ("recency", "frequency", "monetary", "arpu", "tenure", "products")
# feature -> (words when above average, words when below average)
TRAIT_WORDS = {
    "recency": (gettext_lazy("long since the last purchase"), gettext_lazy("recently active")),
    "frequency": (gettext_lazy("buys often"), gettext_lazy("buys rarely")),
    "monetary": (gettext_lazy("high spending"), gettext_lazy("low spending")),
    "arpu": (gettext_lazy("high ARPU"), gettext_lazy("low ARPU")),
    "tenure": (gettext_lazy("long-standing"), gettext_lazy("new")),
    "products": (gettext_lazy("holds many products"), gettext_lazy("holds few products")),
}
TRAIT_THRESHOLD = 0.5  # standard deviations from the mean that make a trait worth naming
MAX_TRAITS = 3


def describe(traits: list[list]) -> str:
    """Plain words for a cluster's traits [[feature, "high"|"low", z], …] in the active language,
    e.g. "高消费、近期活跃、持有产品多"."""
    words = [str(TRAIT_WORDS[feature][0 if direction == "high" else 1]) for feature, direction, *_ in traits
             if feature in TRAIT_WORDS]
    if not words:
        return _("close to the average on every measure")
    return pgettext("list separator", ", ").join(words)


def traits_of(centre: np.ndarray, features=FEATURES) -> list[list]:
    """The features of a centre (in standard-deviation units) at least TRAIT_THRESHOLD from the
    mean, strongest first, at most MAX_TRAITS."""
    named = [(feature, float(z)) for feature, z in zip(features, centre, strict=True) if abs(z) >= TRAIT_THRESHOLD]
    named.sort(key=lambda item: -abs(item[1]))
    return [[feature, "high" if z > 0 else "low", round(z, 2)] for feature, z in named[:MAX_TRAITS]]


def cluster_customers(features: pd.DataFrame, *, k_range: tuple[int, int] = (3, 6), fit_sample: int = 50_000,
                      silhouette_sample: int = 3_000, seed: int = 0,
                      originals: dict[str, pd.Series] | None = None) -> tuple[pd.Series, list[dict]]:
    """Cluster number (1..k) per row of `features` (columns FEATURES) and one description per
    cluster: size, chosen k, silhouette, traits and the members' average of each original measure.

    scikit-learn runs single-threaded: on a small shared machine its OpenMP threads spin against
    the other processes and run tens of times slower, for data this size."""
    # Imported before the limit is set: threadpoolctl limits only the thread pools already loaded.
    import sklearn.cluster
    import sklearn.metrics  # noqa: F401
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        return _cluster(features, k_range=k_range, fit_sample=fit_sample, silhouette_sample=silhouette_sample,
                        seed=seed, originals=originals)


def _cluster(features, *, k_range, fit_sample, silhouette_sample, seed, originals):
    import numpy as np
    import pandas as pd
    from sklearn.cluster import MiniBatchKMeans
    from sklearn.metrics import silhouette_score
    from sklearn.preprocessing import StandardScaler

    n = len(features)
    labels = pd.Series(np.nan, index=features.index)
    if n < 10:
        return labels, []
    values = features[list(FEATURES)].to_numpy(dtype=float)
    values = np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0)
    scaler = StandardScaler().fit(values)
    scaled = scaler.transform(values)
    rng = np.random.default_rng(seed)
    fit_rows = scaled[rng.choice(n, size=fit_sample, replace=False)] if n > fit_sample else scaled
    sil_rows = fit_rows[rng.choice(len(fit_rows), size=silhouette_sample, replace=False)] \
        if len(fit_rows) > silhouette_sample else fit_rows
    distinct = len(np.unique(sil_rows.round(6), axis=0))

    best = None
    for k in range(k_range[0], k_range[1] + 1):
        if k >= distinct:
            break
        model = MiniBatchKMeans(n_clusters=k, random_state=seed, n_init=3, batch_size=4096).fit(fit_rows)
        sample_labels = model.predict(sil_rows)
        if len(set(sample_labels)) < 2:
            continue
        score = float(silhouette_score(sil_rows, sample_labels))
        if best is None or score > best[0] + 1e-9:
            best = (score, k, model)
    if best is None:
        return labels, []
    silhouette, k, model = best
    assigned = model.predict(scaled)

    originals = originals or {name: features[name] for name in FEATURES}
    revenue = pd.Series(originals["monetary"].to_numpy(dtype=float), index=features.index)
    mean_revenue = revenue.groupby(assigned).mean()
    order = {old: new for new, old in enumerate(mean_revenue.sort_values(ascending=False).index, start=1)}
    numbered = np.vectorize(order.get)(assigned)
    labels = pd.Series(numbered, index=features.index)

    described = []
    for old, new in sorted(order.items(), key=lambda item: item[1]):
        members = assigned == old
        centre = scaled[members].mean(axis=0)
        described.append({
            "id": new, "size": int(members.sum()), "k": k, "silhouette": round(silhouette, 4),
            "traits": traits_of(centre),
            "averages": {name: _finite_round(pd.Series(series.to_numpy(dtype=float))[members].mean())
                         for name, series in originals.items()},
        })
    return labels, described


def _finite_round(value) -> float | None:
    import numpy as np

    return round(float(value), 2) if value is not None and np.isfinite(value) else None
