"""The hotspot computation, pure (no database): from the cases' keywords to keyword and topic
counts per day, topics (TF-IDF + NMF with a fixed seed), what each topic concentrates on, and
spikes against the usual weekly level.

Identical texts are common in a service desk ("宽带无法上网"): every step works on the distinct
texts, weighted by how many cases carry each, so a million cases cost what their distinct texts
cost. A spike is a week whose count is far above what the keyword's (or topic's) share of the
trailing weeks predicts for that week's volume: robust z = (count − expected) / scale, with the
expected count = the median trailing share × this week's cases and the scale the larger of the
trailing shares' MAD (× 1.4826, × this week's cases) and the Poisson noise √expected."""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

NO_TOPIC = -1


@dataclass(frozen=True)
class Params:
    topics: int = 12
    top_keywords: int = 100
    spike_keywords: int = 300  # the most frequent keywords watched for spikes
    trailing_weeks: int = 8
    min_history_weeks: int = 4
    min_z: float = 3.5
    min_count: int = 5
    min_ratio: float = 2.0  # a spike is also at least twice the expected count
    nmf_sample: int = 10_000  # distinct texts the topics are fitted on (all of them are then assigned)
    nmf_iterations: int = 200
    seed: int = 0


@dataclass
class Documents:
    """The cases to analyse, one entry each: `text_index` points into `texts` (distinct texts)."""

    ids: np.ndarray
    days: np.ndarray  # datetime64[D]
    text_index: np.ndarray
    vocabulary: list[str]  # every keyword, numbered in order of appearance
    counts: sparse.csr_matrix  # distinct texts × keywords: how often each text has each keyword
    labels: dict[str, np.ndarray] = field(default_factory=dict)  # type, tier, category, team: one per case


def documents_build(rows: Iterable[Sequence], tokenize: Callable[[str], tuple[str, ...]],
                    label_names: Sequence[str] = (), normalize: Callable[[str], str] = str) -> Documents:
    """Rows of (id, day, text, *labels) → Documents; each distinct text (after `normalize`, which
    drops what never makes a keyword, such as phone numbers) is tokenized once."""
    index: dict[str, int] = {}
    vocabulary: dict[str, int] = {}
    term_ids: list[int] = []
    lengths: list[int] = []
    ids, days, text_index = [], [], []
    labels: list[list] = [[] for _ in label_names]
    for row in rows:
        ids.append(row[0])
        days.append(row[1])
        text = normalize(row[2])
        position = index.get(text)
        if position is None:
            position = index[text] = len(lengths)
            words = tokenize(text)
            term_ids += [vocabulary.setdefault(word, len(vocabulary)) for word in words]
            lengths.append(len(words))
        text_index.append(position)
        for values, value in zip(labels, row[3:], strict=False):
            values.append(value if value is not None else "")
    indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    counts = sparse.csr_matrix((np.ones(len(term_ids), dtype=np.float64), np.asarray(term_ids, dtype=np.int64),
                                indptr), shape=(len(lengths), len(vocabulary)))
    counts.sum_duplicates()
    return Documents(ids=np.asarray(ids, dtype=np.int64), days=np.asarray(days, dtype="datetime64[D]"),
                     text_index=np.asarray(text_index, dtype=np.int64), vocabulary=list(vocabulary), counts=counts,
                     labels={name: np.asarray(values, dtype=object) for name, values in zip(label_names, labels,
                                                                                             strict=True)})


def _monday(day: np.datetime64) -> np.datetime64:
    # 1970-01-01 was a Thursday: day 0 of the epoch is weekday 3.
    return day - ((day.astype("datetime64[D]").astype(np.int64) + 3) % 7)


def hotspot_analyse(docs: Documents, *, start: dt.date, end: dt.date, params: Params = Params()) -> dict:
    """The whole analysis of `docs` (cases opened from `start` to `end`, inclusive): a JSON-ready
    result and, per case, its topic (`assignments`: case ids and topic numbers, NO_TOPIC for none)."""
    day0 = np.datetime64(start, "D")
    n_days = (np.datetime64(end, "D") - day0).astype(int) + 1
    day_index = (docs.days - day0).astype(np.int64)
    days = [str(day0 + i) for i in range(n_days)]
    daily_totals = np.bincount(day_index, minlength=n_days) if len(docs.ids) else np.zeros(n_days, dtype=np.int64)
    n_texts = docs.counts.shape[0]
    result = {"start": start.isoformat(), "end": end.isoformat(), "documents": len(docs.ids),
              "distinct_texts": n_texts, "days": days, "daily_totals": daily_totals.tolist(),
              "keywords": [], "topics": [], "spikes": []}
    if not len(docs.ids) or not docs.counts.nnz:
        return {"result": result, "assignments": (docs.ids, np.full(len(docs.ids), NO_TOPIC))}

    counts = docs.counts
    vocabulary = np.asarray(docs.vocabulary, dtype=object)
    present = (counts > 0).astype(np.float64).tocsr()
    multiplicity = np.bincount(docs.text_index, minlength=n_texts).astype(np.float64)
    # cases per (day, distinct text): the daily series of anything defined per distinct text
    by_day = sparse.csr_matrix((np.ones(len(docs.ids)), (day_index, docs.text_index)), shape=(n_days, n_texts))
    document_frequency = np.asarray(present.T @ multiplicity).ravel()

    # Most frequent first; equal counts in the vocabulary's sorted order, so that the result does not
    # depend on the order the cases were read in.
    watched = np.lexsort((vocabulary.astype(str), -document_frequency))
    watched = watched[:max(params.top_keywords, params.spike_keywords)]
    watched = watched[document_frequency[watched] > 0]
    keyword_daily = np.asarray((by_day @ present[:, watched]).todense()).T.astype(np.int64)  # terms × days
    result["keywords"] = [
        {"term": str(vocabulary[t]), "count": int(document_frequency[t]), "daily": keyword_daily[i].tolist()}
        for i, t in enumerate(watched[:params.top_keywords])
    ]

    topic_of_text, topic_terms = _topics(counts, present, multiplicity, document_frequency, vocabulary, params)
    topic_of_case = topic_of_text[docs.text_index]
    topic_daily = np.zeros((len(topic_terms), n_days), dtype=np.int64)
    assigned = topic_of_case != NO_TOPIC
    np.add.at(topic_daily, (topic_of_case[assigned], day_index[assigned]), 1)
    frame = pd.DataFrame({"topic": topic_of_case, **docs.labels})
    for number, terms in enumerate(topic_terms):
        in_topic = frame[frame.topic == number]
        result["topics"].append({
            "id": number, "label": " · ".join(terms[:3]), "terms": terms, "count": len(in_topic),
            "daily": topic_daily[number].tolist(),
            "concentration": {name: _shares(in_topic[name]) for name in docs.labels},
        })

    result["spikes"] = (
        _spikes("keyword", [str(vocabulary[t]) for t in watched], [str(vocabulary[t]) for t in watched],
                keyword_daily, daily_totals, day0, params)
        + _spikes("topic", list(range(len(topic_terms))), [" · ".join(t[:3]) for t in topic_terms], topic_daily,
                  daily_totals, day0, params))
    result["spikes"].sort(key=lambda s: (-s["z"], s["week"], str(s["key"])))
    return {"result": result, "assignments": (docs.ids, topic_of_case)}


def _shares(values: pd.Series, top: int = 5) -> list[dict]:
    counts = values[values != ""].value_counts()
    total = len(values) or 1
    return [{"name": str(name), "count": int(n), "share": round(int(n) / total, 4)}
            for name, n in counts.head(top).items()]


def _topics(counts, present, multiplicity, document_frequency, vocabulary, params: Params):
    """Topic of each distinct text and each topic's top terms: TF-IDF (IDF over all cases) and NMF
    fitted on a weighted sample of distinct texts; a text without any kept term has NO_TOPIC."""
    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.preprocessing import normalize

    total = multiplicity.sum()
    keep = np.flatnonzero((document_frequency >= 3) & (document_frequency <= 0.5 * total))
    if len(keep) < 2:
        return np.full(counts.shape[0], NO_TOPIC), []
    idf = np.log((1 + total) / (1 + document_frequency[keep])) + 1
    tfidf = normalize(counts[:, keep].multiply(idf).tocsr())
    has_terms = np.asarray(tfidf.sum(axis=1)).ravel() > 0
    candidates = np.flatnonzero(has_terms)
    n_topics = min(params.topics, len(keep), len(candidates))
    if n_topics < 1:
        return np.full(counts.shape[0], NO_TOPIC), []
    rng = np.random.default_rng(params.seed)
    weights = multiplicity[candidates] / multiplicity[candidates].sum()
    size = min(params.nmf_sample, len(candidates))
    sample = np.sort(rng.choice(candidates, size=size, replace=False, p=weights)) if size < len(candidates) \
        else candidates
    model = NMF(n_components=n_topics, init="nndsvda", random_state=params.seed, max_iter=params.nmf_iterations)
    with warnings.catch_warnings():  # the iterations are capped on purpose: topics, not a converged factorisation
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(tfidf[sample])
        loadings = model.transform(tfidf)
    topic = np.where(has_terms & (loadings.max(axis=1) > 0), loadings.argmax(axis=1), NO_TOPIC)
    # Topics that no text ended up in are dropped; the rest are numbered by size, largest first.
    sizes = np.bincount(topic[topic != NO_TOPIC], weights=multiplicity[topic != NO_TOPIC], minlength=n_topics)
    order = [t for t in np.argsort(-sizes, kind="stable") if sizes[t] > 0]
    renumber = np.full(n_topics, NO_TOPIC)
    renumber[order] = np.arange(len(order))
    topic = np.where(topic == NO_TOPIC, NO_TOPIC, renumber[np.maximum(topic, 0)])
    terms = [[str(vocabulary[keep[j]]) for j in np.argsort(-model.components_[t], kind="stable")[:8]
              if model.components_[t][j] > 0] for t in order]
    return topic.astype(np.int64), terms


def _spikes(kind: str, keys: list, labels: list[str], daily: np.ndarray, daily_totals: np.ndarray,
            day0: np.datetime64, params: Params) -> list[dict]:
    """Weeks (Monday to Sunday) in which a series is far above its usual share of the cases."""
    if not len(keys):
        return []
    first_monday = _monday(day0)
    offset = (day0 - first_monday).astype(int)
    n_weeks = (offset + daily.shape[1] + 6) // 7
    padded = np.zeros((daily.shape[0], n_weeks * 7), dtype=np.int64)
    padded[:, offset:offset + daily.shape[1]] = daily
    weekly = padded.reshape(daily.shape[0], n_weeks, 7).sum(axis=2)
    totals = np.zeros(n_weeks * 7, dtype=np.int64)
    totals[offset:offset + daily.shape[1]] = daily_totals
    weekly_totals = totals.reshape(n_weeks, 7).sum(axis=1)
    spikes = []
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(weekly_totals > 0, weekly / np.maximum(weekly_totals, 1), np.nan)
    for week in range(params.min_history_weeks, n_weeks):
        history = shares[:, max(0, week - params.trailing_weeks):week]
        filled = ~np.isnan(history)
        if filled.sum(axis=1).max(initial=0) < params.min_history_weeks or weekly_totals[week] == 0:
            continue
        median = np.nanmedian(history, axis=1)
        mad = np.nanmedian(np.abs(history - median[:, None]), axis=1)
        expected = median * weekly_totals[week]
        scale = np.maximum(1.4826 * mad * weekly_totals[week], np.sqrt(np.maximum(expected, 1.0)))
        count = weekly[:, week]
        z = (count - expected) / scale
        enough = filled.sum(axis=1) >= params.min_history_weeks
        hits = np.flatnonzero((z >= params.min_z) & (count >= params.min_count)
                              & (count >= params.min_ratio * expected) & enough)
        for i in hits:
            spikes.append({"kind": kind, "key": keys[i], "label": labels[i],
                           "week": str(first_monday + 7 * week), "count": int(count[i]),
                           "expected": round(float(expected[i]), 2), "z": round(float(z[i]), 2),
                           "share": round(float(shares[i, week]), 4)})
    return spikes
