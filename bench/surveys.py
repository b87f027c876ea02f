"""Survey engine benchmarks: `guanxi bench survey_sample` (a stratified sample of the existing customers,
after `guanxi bench generate` and `guanxi bench history`) and `guanxi bench survey_drivers` (driver
analysis over generated responses)."""

from __future__ import annotations

import os
import statistics
import time

from django.db import connection

from guanxi.accounts.access import SYSTEM
from guanxi.segments.services import contact_profiles_refresh
from guanxi.surveys.analysis import driver_analysis
from guanxi.surveys.analysis.synthetic import PLANTED, generate_responses
from guanxi.surveys.sampling import NEYMAN, PROPORTIONAL, SamplingPlan, sampling_frame, stratified_sample
from guanxi.surveys.sampling.frame import LIVE

# A prior for Neyman allocation before any past scores exist: customers who call more often differ
# more in how satisfied they are.
PRIOR_SD = {"never": 0.8, "rarely": 1.0, "often": 1.3, "very_often": 1.6}
TABLES = ("customers_customer", "customers_interaction", "segments_contactprofile")


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def table_sizes(tables=TABLES) -> dict:
    if connection.vendor != "postgresql":
        return {}
    sizes = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT COUNT(*), pg_size_pretty(pg_total_relation_size('{table}')) FROM {table}")
            rows, size = cursor.fetchone()
            sizes[table] = {"rows": rows, "size": size}
    return sizes


def _timed_sample(plan: SamplingPlan, source: str) -> dict:
    started = time.perf_counter()
    frame = sampling_frame(source=source)
    read = time.perf_counter()
    if plan.method == NEYMAN:
        plan = SamplingPlan(size=plan.size, seed=plan.seed, method=NEYMAN, sds=_prior_sds(frame, plan))
    result = stratified_sample(frame, plan)
    done = time.perf_counter()
    return {"seconds": round(done - started, 3), "frame_seconds": round(read - started, 3),
            "draw_seconds": round(done - read, 3), "sampled": len(result.sample), "strata": len(result.strata),
            "load": _load()}


def _prior_sds(frame, plan: SamplingPlan) -> dict[str, float]:
    from guanxi.surveys.sampling import arpu_edges, strata_codes, stratum_name

    edges = arpu_edges(frame["arpu"], edges=plan.arpu_band_edges, quantiles=plan.arpu_quantiles)
    position = plan.dimensions.index("contact_frequency")
    _, values = strata_codes(frame, dimensions=plan.dimensions, edges=edges)
    return {stratum_name(v): PRIOR_SD[v[position]] for v in values}


def _timed_sql_sample(plan: SamplingPlan) -> dict:
    """The same sample drawn in PostgreSQL (counts by GROUP BY, seeded-hash draws), end to end."""
    from guanxi.surveys.sampling.sql import sql_stratified_sample

    started = time.perf_counter()
    if plan.method == NEYMAN:
        plan = SamplingPlan(size=plan.size, seed=plan.seed, method=NEYMAN, sds=_prior_sds_sql(plan))
    result = sql_stratified_sample(plan)
    return {"seconds": round(time.perf_counter() - started, 3), "sampled": len(result.sample),
            "strata": len(result.strata), "load": _load()}


def _prior_sds_sql(plan: SamplingPlan) -> dict[str, float]:
    """The prior spreads by contact frequency, for every stratum name the SQL draw can form."""
    import itertools

    from guanxi.customers.enums import CustomerKind, InteractionChannel
    from guanxi.surveys.sampling import stratum_name

    kinds = CustomerKind.values
    channels = ["none", *InteractionChannel.values]
    bands = [f"A{i + 1}" for i in range(plan.arpu_quantiles)]
    return {stratum_name(v): PRIOR_SD[v[1]] for v in itertools.product(kinds, PRIOR_SD, channels, bands)}


def time_sample(*, size: int = 10_000, seed: int = 7, runs: int = 5, refresh: bool = True, live: bool = False) -> dict:
    """Refresh the contact profiles (timed), then draw the sample `runs` times with each allocation: the
    frame query over customers + profiles and the draw, end to end."""
    result: dict = {"tables_before": table_sizes(), "load_start": _load()}
    if refresh:
        done = contact_profiles_refresh(actor=SYSTEM)
        result["refresh"] = {"rows": done.rows, "seconds": done.seconds, "load": _load()}
    if live:
        result["live_frame"] = _timed_sample(SamplingPlan(size=size, seed=seed), LIVE)
    for method in (PROPORTIONAL, NEYMAN):
        timings = [_timed_sample(SamplingPlan(size=size, seed=seed, method=method), "snapshot") for _ in range(runs)]
        seconds = [t["seconds"] for t in timings]
        result[method] = {"median_seconds": statistics.median(seconds), "max_seconds": max(seconds),
                          "runs": timings}
        if connection.vendor == "postgresql":
            timings = [_timed_sql_sample(SamplingPlan(size=size, seed=seed, method=method)) for _ in range(runs)]
            seconds = [t["seconds"] for t in timings]
            result[f"{method}_sql"] = {"median_seconds": statistics.median(seconds), "max_seconds": max(seconds),
                                       "runs": timings}
    result["tables"] = table_sizes()
    return result


def time_drivers(*, responses: int = 1_000_000, seed: int = 11, runs: int = 3) -> dict:
    """Driver analysis (13 drivers, HC3 errors, LMG shares) over `responses` generated answers with planted
    effects: seconds per run and the planted against the recovered coefficients."""
    frame = generate_responses(responses, seed=seed)
    seconds, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = driver_analysis(frame, drivers=list(PLANTED))
        seconds.append(round(time.perf_counter() - started, 3))
    return {"responses": responses, "seconds": seconds, "median_seconds": statistics.median(seconds),
            "load": _load(), "r2": round(result.r2, 4),
            "drivers": {e.name: {"planted": PLANTED[e.name], "recovered": round(e.coef, 4),
                                 "ci": [round(e.ci_low, 4), round(e.ci_high, 4)], "share": round(e.r2_share, 3)}
                        for e in result.drivers}}
