"""The strata of a survey sample (SPEC G.2): customer type, contact frequency with the call center, the
channel used most, and the ARPU band, as columns added to the sampling frame.

The frame (see frame.py) has one row per customer: customer_id, customer_type, contact_frequency,
main_channel ("" when the customer used none) and arpu.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

CUSTOMER_TYPE, CONTACT_FREQUENCY, CHANNEL, ARPU_BAND = "customer_type", "contact_frequency", "channel", "arpu_band"
DIMENSIONS = (CUSTOMER_TYPE, CONTACT_FREQUENCY, CHANNEL, ARPU_BAND)
FRAME_COLUMNS = ("customer_id", "customer_type", "contact_frequency", "main_channel", "arpu")
NO_CHANNEL = "none"
SEPARATOR = "|"


def arpu_edges(arpu: pd.Series, *, edges: Sequence[float] | None = None, quantiles: int = 4) -> tuple[float, ...]:
    """The inner edges of the ARPU bands: the configured `edges` (increasing), or the 1/q … (q-1)/q
    quantiles of the frame's ARPU (repeated edges dropped, so heavy ties give fewer bands)."""
    if edges is not None:
        edges = tuple(float(e) for e in edges)
        if list(edges) != sorted(set(edges)):
            raise ValueError("ARPU band edges must increase strictly")
        return edges
    if quantiles < 1:
        raise ValueError("at least one ARPU band")
    if arpu.empty or quantiles == 1:
        return ()
    cuts = np.quantile(arpu.to_numpy(dtype=float), np.arange(1, quantiles) / quantiles)
    return tuple(float(c) for c in np.unique(cuts))


def arpu_labels(edges: Sequence[float]) -> list[str]:
    """Band names from the edges: A1 (lowest) … Ak, stable for a given number of edges."""
    return [f"A{i + 1}" for i in range(len(edges) + 1)]


def arpu_band(arpu: pd.Series, edges: Sequence[float]) -> pd.Series:
    """Each ARPU's band: band i holds edges[i-1] <= arpu < edges[i]."""
    labels = np.array(arpu_labels(edges), dtype=object)
    positions = np.searchsorted(np.asarray(edges, dtype=float), arpu.to_numpy(dtype=float), side="right")
    return pd.Series(labels[positions], index=arpu.index)


def _dimension_codes(frame: pd.DataFrame, name: str, edges: Sequence[float]) -> tuple[np.ndarray, list[str]]:
    """The dimension's value per row as codes into its sorted levels (ARPU bands in band order)."""
    if name == ARPU_BAND:
        codes = np.searchsorted(np.asarray(edges, dtype=float), frame["arpu"].fillna(0).to_numpy(dtype=float),
                                side="right")
        return codes, arpu_labels(edges)
    values = frame["main_channel"].fillna("").replace("", NO_CHANNEL) if name == CHANNEL else frame[name]
    codes, uniques = pd.factorize(values.astype(str), sort=True)
    return codes, [str(u) for u in uniques]


def strata_codes(frame: pd.DataFrame, *, dimensions: Sequence[str] = DIMENSIONS,
                 edges: Sequence[float] = ()) -> tuple[np.ndarray, list[tuple[str, ...]]]:
    """Each row's stratum as an integer code (0…k-1, in the order of the strata's dimension levels) and
    the dimension values of each code; integer codes keep a million-row frame fast to count and sort."""
    unknown = set(dimensions) - set(DIMENSIONS)
    if unknown or not dimensions:
        raise ValueError(f"dimensions must be among {DIMENSIONS}")
    combined = np.zeros(len(frame), dtype=np.int64)
    levels = []
    for name in dimensions:
        codes, level = _dimension_codes(frame, name, edges)
        combined = combined * len(level) + codes
        levels.append(level)
    present = np.flatnonzero(np.bincount(combined, minlength=1))
    lookup = np.zeros(int(np.prod([len(level) for level in levels])), dtype=np.int64)
    lookup[present] = np.arange(len(present))
    values = []
    for code in present.tolist():
        parts = []
        for level in reversed(levels):
            code, index = divmod(code, len(level))
            parts.append(level[index])
        values.append(tuple(reversed(parts)))
    return lookup[combined], values


def stratum_name(values: Sequence[str]) -> str:
    """The stratum's key: its dimension values joined by "|" (e.g. individual|often|call|A2)."""
    return SEPARATOR.join(values)


def with_strata(frame: pd.DataFrame, *, dimensions: Sequence[str] = DIMENSIONS,
                edges: Sequence[float] = ()) -> pd.DataFrame:
    """The frame with a `stratum` column (stratum_name of the row's dimension values)."""
    codes, values = strata_codes(frame, dimensions=dimensions, edges=edges)
    names = np.array([stratum_name(v) for v in values], dtype=object)
    return frame.assign(stratum=names[codes] if len(codes) else pd.Series([], dtype=object))


def stratum_sds(strata: pd.DataFrame, scores: pd.DataFrame, *, min_count: int = 10) -> dict[str, float]:
    """Standard deviation of past scores (columns customer_id, score) per stratum of `strata`, for Neyman
    allocation; a stratum with fewer than `min_count` scored customers is left out (unknown)."""
    joined = scores[["customer_id", "score"]].merge(strata[["customer_id", "stratum"]], on="customer_id")
    grouped = joined.groupby("stratum")["score"].agg(["count", "std"])
    grouped = grouped[(grouped["count"] >= max(min_count, 2)) & grouped["std"].notna()]
    return {str(h): float(s) for h, s in grouped["std"].items()}
