"""The stratified draw inside PostgreSQL: strata counts by GROUP BY over the frame query, the allocation
in Python (allocation.allocate, the same as the pure path), then per stratum the eligible customers with
the smallest seeded hash `hashint8extended(customer_id, seed)`, chosen by a window over the rows below a
per-stratum cut-off. Only the sample (about n rows) and the strata (a few hundred) leave the database.

Reproducible: the key depends on the customer id and the seed only, so the same frame and plan give the
same sample whatever the row order. The cut-off only prunes rows that cannot be among the n_h smallest;
a stratum where too few rows pass it is drawn again without one, so the result never depends on it.
On other databases `draw_sample` builds the frame in Python and calls `stratified_sample`.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math

import pandas as pd
from django.db import connection, transaction

from guanxi.core.errors import ValidationFailed

from .allocation import allocate
from .draw import SampleResult, SamplingPlan, stratified_sample
from .frame import _snapshot_sql, sampling_frame
from .strata import ARPU_BAND, CHANNEL, NO_CHANNEL, SEPARATOR, arpu_edges, arpu_labels

KEY_RANGE = 2**31  # keys are hashint8extended(...) & (2^31 - 1)


def _dimension_sql(name: str, edges: tuple[float, ...]) -> str:
    if name == ARPU_BAND:
        labels = arpu_labels(edges)
        if not edges:
            return f"'{labels[0]}'"
        whens = " ".join(
            f"WHEN COALESCE(f.arpu, 0) < {float(edge)!r} THEN '{label}'"
            for edge, label in zip(edges, labels, strict=False)
        )
        return f"(CASE {whens} ELSE '{labels[-1]}' END)"
    if name == CHANNEL:
        return f"COALESCE(NULLIF(f.main_channel, ''), '{NO_CHANNEL}')"
    return f"f.{name}::text"


def _exclusion_sql(*, exclude_opted_out: bool, quiet_since: dt.datetime | None) -> tuple[str, list]:
    """A condition on the frame row `f`: not opted out, not surveyed since `quiet_since`. The excluded ids
    are one hashed set (NOT IN over an uncorrelated subquery), not a lookup per frame row."""
    from ..models import Survey, SurveyOptOut  # the models import the sampling package's siblings

    parts, params = [], []
    if exclude_opted_out:
        parts.append(f"SELECT customer_id FROM {SurveyOptOut._meta.db_table}")  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
    if quiet_since is not None:
        parts.append(f"SELECT customer_id FROM {Survey._meta.db_table} WHERE sent_at >= %s")  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
        params.append(quiet_since)
    if not parts:
        return "TRUE", []
    return f"f.customer_id NOT IN ({' UNION '.join(parts)})", params


def _arpu_edges_sql(plan: SamplingPlan, frame_sql: str, frame_params: list, cursor) -> tuple[float, ...]:
    """Configured edges, or the frame's ARPU quantiles (percentile_cont, as numpy's linear quantile)."""
    if ARPU_BAND not in plan.dimensions:
        return ()
    if plan.arpu_band_edges is not None:
        return arpu_edges(pd.Series([], dtype=float), edges=plan.arpu_band_edges)
    if plan.arpu_quantiles <= 1:
        return ()
    fractions = ", ".join(str(i / plan.arpu_quantiles) for i in range(1, plan.arpu_quantiles))
    cursor.execute(
        f"SELECT percentile_cont(ARRAY[{fractions}]) WITHIN GROUP (ORDER BY f.arpu::float8) "  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
        f"FROM ({frame_sql}) f(customer_id, customer_type, contact_frequency, main_channel, arpu)",
        frame_params,
    )
    cuts = cursor.fetchone()[0] or []
    return tuple(sorted({float(c) for c in cuts if c is not None}))


def _stratum_sql(plan: SamplingPlan, edges: tuple[float, ...]) -> str:
    return f"concat_ws('{SEPARATOR}', {', '.join(_dimension_sql(name, edges) for name in plan.dimensions)})"


def _quantile_bands(plan: SamplingPlan) -> bool:
    return ARPU_BAND in plan.dimensions and plan.arpu_band_edges is None and plan.arpu_quantiles > 1


def _counts(plan, edges, cursor, frame_sql, frame_params, columns, excluded_sql, excluded_params):
    """Population and eligible customers per stratum, by one GROUP BY over the frame."""
    dims = [_dimension_sql(name, edges) for name in plan.dimensions]
    cursor.execute(
        f"""
        SELECT {", ".join(dims)}, COUNT(*), COUNT(*) FILTER (WHERE {excluded_sql})
        FROM ({frame_sql}) {columns} GROUP BY {", ".join(str(i + 1) for i in range(len(dims)))}""",  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
        [*excluded_params, *frame_params],
    )
    rows = cursor.fetchall()
    k = len(dims)
    values = {SEPARATOR.join(row[:k]): tuple(row[:k]) for row in rows}
    population = {SEPARATOR.join(row[:k]): int(row[-2]) for row in rows}
    available = {SEPARATOR.join(row[:k]): int(row[-1]) for row in rows}
    return values, population, available


def _band_of(edges: tuple[float, ...], labels: list[str], value: float | None) -> str:
    return labels[bisect.bisect_right(edges, 0.0 if value is None else value)]


def _needed_buckets(histogram: dict[float, int], quantiles: int):
    """The quantiles' order statistics (position, low rank, high rank) over the histogram of ARPU
    buckets, and the buckets that hold them."""
    buckets = sorted(histogram)
    total = sum(histogram.values())
    starts, running = {}, 0
    for b in buckets:
        starts[b], running = running, running + histogram[b]
    ranks = []
    if total:
        for i in range(1, quantiles):
            position = i / quantiles * (total - 1)
            ranks.append((position, math.floor(position), min(math.floor(position) + 1, total - 1)))
    needed = sorted(
        {b for _, lo, hi in ranks for b in buckets for r in (lo, hi) if starts[b] <= r < starts[b] + histogram[b]}
    )
    return ranks, needed, starts


def _sample_by_histogram(plan, cursor, seed, frame_sql, frame_params, columns, excluded_sql, excluded_params):
    """Quantile ARPU bands, strata counts and the draw in two scans and no sort of the frame: (1) a
    GROUP BY over the other dimensions and whole-yuan ARPU buckets gives the histogram, hence which
    buckets hold the quantiles' order statistics and provisional strata counts; (2) one scan returns the
    rows of those buckets (for the exact edges, numpy's linear quantile as the pure path, and the band
    of each of their rows) and the rows whose seeded key is under a cut-off (the draw's candidates).
    Returns (edges, values, population, available, sizes, picked, short) — `short`: strata with fewer
    candidates than their allocation, to be drawn again over all their rows."""
    others = [name for name in plan.dimensions if name != ARPU_BAND]
    dims = [_dimension_sql(name, ()) for name in others]
    k = len(dims)
    lead = "".join(f"{d}, " for d in dims)
    bucket = "floor(f.arpu::float8)"
    cursor.execute(
        f"""
        SELECT {lead}{bucket}, COUNT(*), COUNT(*) FILTER (WHERE {excluded_sql})
        FROM ({frame_sql}) {columns} GROUP BY {", ".join(str(i + 1) for i in range(k + 1))}""",  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
        [*excluded_params, *frame_params],
    )
    rows = cursor.fetchall()
    histogram: dict[float, int] = {}
    for row in rows:
        if row[k] is not None:
            histogram[float(row[k])] = histogram.get(float(row[k]), 0) + int(row[k + 1])
    ranks, needed, starts = _needed_buckets(histogram, plan.arpu_quantiles)
    edge_buckets = set(needed)

    def counts(edges, detail):
        labels = arpu_labels(edges)
        values, population, available = {}, {}, {}
        for parts, value, count, eligible in [
            *(
                (tuple(r[:k]), None if r[k] is None else float(r[k]), int(r[k + 1]), int(r[k + 2]))
                for r in rows
                if detail is None or r[k] is None or float(r[k]) not in edge_buckets
            ),
            *((tuple(r[:k]), r[k], 1, int(bool(r[k + 1]))) for r in detail or ()),
        ]:
            rest = iter(parts)
            full = tuple(_band_of(edges, labels, value) if n == ARPU_BAND else next(rest) for n in plan.dimensions)
            key = SEPARATOR.join(full)
            values[key] = full
            population[key] = population.get(key, 0) + count
            available[key] = available.get(key, 0) + eligible
        return values, population, available

    # provisional: each quantile at its bucket's floor, buckets whole (only to size the cut-off)
    rough_edges = tuple(sorted({b for b in needed}))
    _, rough_population, rough_available = counts(rough_edges, None)
    try:
        rough = allocate(
            rough_population, plan.size, method=plan.method, sds=plan.sds, eligible=rough_available, quotas=plan.quotas
        )
        cut = max((_cutoff(int(n * 1.05) + 5, rough_available[h]) for h, n in rough.items() if n), default=0)
    except ValidationFailed:
        cut = KEY_RANGE
    cursor.execute(
        f"""
        SELECT {lead}f.arpu::float8, ({excluded_sql}), f.customer_id, f.key
        FROM (SELECT f.*, hashint8extended(f.customer_id::bigint, %s) & 2147483647 AS key
              FROM ({frame_sql}) {columns}) f
        WHERE f.key < %s OR {bucket} = ANY(%s::float8[])""",  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
        [*excluded_params, int(seed), *frame_params, cut, needed],
    )
    scanned = cursor.fetchall()
    detail = [r for r in scanned if r[k] is not None and math.floor(r[k]) in edge_buckets]
    ordered = {}
    for r in detail:
        ordered.setdefault(math.floor(r[k]), []).append(r[k])
    ordered = {b: sorted(v) for b, v in ordered.items()}

    def order_statistic(rank: int) -> float:
        b = next(b for b in needed if starts[b] <= rank < starts[b] + histogram[b])
        return ordered[b][rank - starts[b]]

    cuts = []
    for position, lo, hi in ranks:
        low, high = order_statistic(lo), order_statistic(hi)
        cuts.append(low + (high - low) * (position - lo))
    edges = tuple(sorted(set(cuts)))
    values, population, available = counts(edges, detail)
    sizes = allocate(population, plan.size, method=plan.method, sds=plan.sds, eligible=available, quotas=plan.quotas)
    labels = arpu_labels(edges)
    candidates: dict[str, list[tuple[int, int]]] = {}
    for r in scanned:
        if r[k + 3] < cut and r[k + 1]:
            rest = iter(r[:k])
            full = [_band_of(edges, labels, r[k]) if n == ARPU_BAND else next(rest) for n in plan.dimensions]
            candidates.setdefault(SEPARATOR.join(full), []).append((int(r[k + 3]), int(r[k + 2])))
    picked, short = {}, []
    for h, n in sizes.items():
        if not n:
            continue
        pool = sorted(candidates.get(h, ()))
        if len(pool) < n:
            short.append(h)
        else:
            picked[h] = [customer_id for _, customer_id in pool[:n]]
    return edges, values, population, available, sizes, picked, short


def sql_stratified_sample(
    plan: SamplingPlan, *, exclude_opted_out: bool = True, quiet_since: dt.datetime | None = None
) -> SampleResult:
    """The sample of `plan` from the snapshot frame, drawn in PostgreSQL; leaves out customers who opted
    out and those surveyed since `quiet_since`. Population shares are taken before the exclusions."""
    frame_sql, frame_params = _snapshot_sql()
    columns = "f(customer_id, customer_type, contact_frequency, main_channel, arpu)"
    excluded_sql, excluded_params = _exclusion_sql(exclude_opted_out=exclude_opted_out, quiet_since=quiet_since)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '64MB'")
        if _quantile_bands(plan):
            edges, values, population, available, sizes, picked, short = _sample_by_histogram(
                plan, cursor, plan.seed, frame_sql, frame_params, columns, excluded_sql, excluded_params
            )
        else:
            edges = _arpu_edges_sql(plan, frame_sql, frame_params, cursor)
            values, population, available = _counts(
                plan, edges, cursor, frame_sql, frame_params, columns, excluded_sql, excluded_params
            )
            sizes = allocate(
                population, plan.size, method=plan.method, sds=plan.sds, eligible=available, quotas=plan.quotas
            )
            wanted = {h: n for h, n in sizes.items() if n > 0}
            cutoffs = {h: _cutoff(n, available[h]) for h, n in wanted.items()}
            picked = _draw(
                cursor,
                plan.seed,
                _stratum_sql(plan, edges),
                frame_sql,
                frame_params,
                columns,
                excluded_sql,
                excluded_params,
                wanted,
                cutoffs,
            )
            short = [h for h in wanted if len(picked.get(h, ())) < wanted[h]]
        if short:  # unlucky cut-offs: those strata again, over all their rows
            picked.update(
                _draw(
                    cursor,
                    plan.seed,
                    _stratum_sql(plan, edges),
                    frame_sql,
                    frame_params,
                    columns,
                    excluded_sql,
                    excluded_params,
                    {h: sizes[h] for h in short},
                    {h: KEY_RANGE for h in short},
                )
            )
    ids = sorted((customer_id, h) for h, members in picked.items() for customer_id in members)
    sample = pd.DataFrame(
        {
            "customer_id": pd.Series([i for i, _ in ids], dtype="int64"),
            "stratum": pd.Series([h for _, h in ids], dtype=object),
        }
    )
    strata = [
        {
            "stratum": h,
            **dict(zip(plan.dimensions, values[h], strict=True)),
            "population": population[h],
            "eligible": available[h],
            "sd": None if plan.sds.get(h) is None else float(plan.sds[h]),
            "allocated": sizes[h],
        }
        for h in sorted(population)
    ]
    return SampleResult(sample=sample, strata=strata, arpu_band_edges=edges)


def _cutoff(n: int, eligible: int) -> int:
    """A key bound under which a stratum of `eligible` rows keeps n rows with near certainty (mean plus
    six standard deviations of the binomial count, plus a margin)."""
    if n >= eligible:
        return KEY_RANGE
    expected = n + 6 * math.sqrt(n) + 20
    return min(KEY_RANGE, math.ceil(KEY_RANGE * expected / eligible))


def _draw(
    cursor, seed, stratum, frame_sql, frame_params, columns, excluded_sql, excluded_params, wanted, cutoffs
) -> dict[str, list[int]]:
    if not wanted:
        return {}
    names = sorted(wanted)
    cursor.execute(
        f"""
        WITH want(stratum, n, cutoff) AS (SELECT * FROM unnest(%s::text[], %s::int[], %s::bigint[])),
        keyed AS (
            SELECT f.customer_id, {stratum} AS stratum, f.key
            FROM (SELECT f.*, hashint8extended(f.customer_id::bigint, %s) & 2147483647 AS key
                  FROM ({frame_sql}) {columns}) f
            WHERE f.key < %s AND {excluded_sql}),
        ranked AS (
            SELECT k.customer_id, k.stratum,
                   row_number() OVER (PARTITION BY k.stratum ORDER BY k.key, k.customer_id) AS r
            FROM keyed k JOIN want w ON w.stratum = k.stratum AND k.key < w.cutoff)
        SELECT r.customer_id, r.stratum FROM ranked r JOIN want w ON w.stratum = r.stratum WHERE r.r <= w.n""",  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
        [
            names,
            [wanted[h] for h in names],
            [cutoffs[h] for h in names],
            int(seed),
            *frame_params,
            max(cutoffs.values()),
            *excluded_params,
        ],
    )
    picked: dict[str, list[int]] = {}
    for customer_id, name in cursor.fetchall():
        picked.setdefault(name, []).append(int(customer_id))
    return picked


def draw_sample(
    plan: SamplingPlan, *, exclude_opted_out: bool = True, quiet_since: dt.datetime | None = None
) -> SampleResult:
    """The sample of `plan`: in SQL on PostgreSQL, from the frame in Python elsewhere (SQLite)."""
    if connection.vendor == "postgresql":
        return sql_stratified_sample(plan, exclude_opted_out=exclude_opted_out, quiet_since=quiet_since)
    from ..models import Survey, SurveyOptOut

    opted_out = set(SurveyOptOut.objects.values_list("customer_id", flat=True)) if exclude_opted_out else set()
    recent = (
        set(Survey.objects.filter(sent_at__gte=quiet_since).values_list("customer_id", flat=True))
        if quiet_since is not None
        else set()
    )
    return stratified_sample(sampling_frame(), plan, opted_out=opted_out, recently_surveyed=recent)
