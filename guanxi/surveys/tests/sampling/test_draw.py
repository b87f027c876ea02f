"""Drawing the stratified sample from a frame: shares, reproducibility, exclusions, quotas, bands."""

import numpy as np
import pandas as pd
import pytest

from guanxi.core.errors import ValidationFailed
from guanxi.surveys.sampling import (
    NEYMAN,
    Quota,
    SamplingPlan,
    arpu_edges,
    stratified_sample,
    stratum_sds,
    with_strata,
)


def make_frame(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "customer_id": rng.permutation(np.arange(1, n + 1)),
        "customer_type": rng.choice(["individual", "organisation"], n, p=[0.85, 0.15]),
        "contact_frequency": rng.choice(["never", "rarely", "often", "very_often"], n, p=[0.4, 0.35, 0.2, 0.05]),
        "main_channel": rng.choice(["", "call", "web", "sms", "outlet"], n, p=[0.3, 0.3, 0.2, 0.1, 0.1]),
        "arpu": np.round(rng.lognormal(4.0, 0.8, n), 2),
    })


@pytest.fixture(scope="module")
def frame():
    return make_frame(100_000)


def test_strata_shares_are_within_one_point_of_the_allocation_and_the_population(frame):
    result = stratified_sample(frame, SamplingPlan(size=10_000, seed=5))
    drawn = result.sample["stratum"].value_counts()
    assert len(result.sample) == 10_000 and result.sample["customer_id"].is_unique
    for row in result.strata:
        share = drawn.get(row["stratum"], 0) / 10_000
        assert drawn.get(row["stratum"], 0) == row["allocated"]
        assert abs(share - row["allocated"] / 10_000) <= 0.01
        assert abs(share - row["population"] / len(frame)) <= 0.01
    assert len(result.strata) == 2 * 4 * 5 * 4


def test_the_same_seed_draws_the_same_sample_whatever_the_row_order(frame):
    plan = SamplingPlan(size=2_000, seed=42)
    first = stratified_sample(frame, plan).customer_ids
    shuffled = frame.sample(frac=1.0, random_state=3)
    assert stratified_sample(shuffled, plan).customer_ids == first
    assert stratified_sample(frame, SamplingPlan(size=2_000, seed=43)).customer_ids != first


def test_excluded_customers_are_never_drawn_and_population_shares_stay(frame):
    ids = frame["customer_id"].to_numpy()
    opted_out, surveyed = set(ids[:20_000].tolist()), set(ids[20_000:30_000].tolist())
    plan = SamplingPlan(size=5_000, seed=5)
    result = stratified_sample(frame, plan, opted_out=opted_out, recently_surveyed=surveyed)
    assert not set(result.customer_ids) & (opted_out | surveyed)
    plain = stratified_sample(frame, plan)
    assert [r["allocated"] for r in result.strata] == [r["allocated"] for r in plain.strata]
    assert sum(r["eligible"] for r in result.strata) == len(frame) - 30_000


def test_quotas_are_respected_in_the_draw(frame):
    base = stratified_sample(frame, SamplingPlan(size=3_000, seed=5))
    big = max(base.strata, key=lambda r: r["allocated"])
    small = min(base.strata, key=lambda r: r["population"])
    quotas = {big["stratum"]: Quota(maximum=10), small["stratum"]: Quota(minimum=small["population"])}
    result = stratified_sample(frame, SamplingPlan(size=3_000, seed=5, quotas=quotas))
    drawn = result.sample["stratum"].value_counts()
    assert drawn[big["stratum"]] == 10
    assert drawn[small["stratum"]] == small["population"]
    assert len(result.sample) == 3_000


def test_neyman_sample_follows_the_spreads(frame):
    strata = with_strata(frame, edges=arpu_edges(frame["arpu"]))
    rng = np.random.default_rng(9)
    scored = strata.sample(n=20_000, random_state=4)
    spread = np.where(scored["contact_frequency"] == "very_often", 2.0, 0.5)
    scores = pd.DataFrame({"customer_id": scored["customer_id"], "score": rng.normal(7, spread)})
    sds = stratum_sds(strata, scores, min_count=10)
    result = stratified_sample(frame, SamplingPlan(size=5_000, seed=5, method=NEYMAN, sds=sds))
    drawn = result.sample.merge(strata[["customer_id", "contact_frequency"]], on="customer_id")
    very_often_share = (drawn["contact_frequency"] == "very_often").mean()
    assert very_often_share > 0.10  # 5 % of the population, sampled about three times as densely


def test_configured_arpu_bands_and_fewer_dimensions(frame):
    plan = SamplingPlan(size=1_000, seed=1, dimensions=("arpu_band",), arpu_band_edges=(30.0, 100.0))
    result = stratified_sample(frame, plan)
    assert [r["arpu_band"] for r in result.strata] == ["A1", "A2", "A3"]
    low = (frame["arpu"] < 30).sum()
    assert result.strata[0]["population"] == low
    assert result.arpu_band_edges == (30.0, 100.0)


def test_quantile_bands_split_the_frame_evenly(frame):
    edges = arpu_edges(frame["arpu"], quantiles=4)
    counts = with_strata(frame, dimensions=("arpu_band",), edges=edges)["stratum"].value_counts()
    assert len(edges) == 3 and all(abs(c - 25_000) < 50 for c in counts)


def test_stratum_sds_leave_out_thin_strata():
    strata = pd.DataFrame({"customer_id": range(1, 31), "stratum": ["x"] * 20 + ["y"] * 10})
    scores = pd.DataFrame({"customer_id": range(1, 26), "score": [1.0, 3.0] * 10 + [5.0] * 5})
    assert stratum_sds(strata, scores, min_count=10) == {"x": pytest.approx(np.std([1.0, 3.0] * 10, ddof=1))}


@pytest.mark.parametrize("plan", [
    {"size": 0, "seed": 1}, {"size": 10, "seed": 1, "method": "random"},
    {"size": 10, "seed": 1, "dimensions": ("region",)}, {"size": 2_000_000, "seed": 1},
])
def test_bad_plans_are_refused(plan):
    with pytest.raises(ValidationFailed):
        SamplingPlan(**plan)


def test_a_sample_larger_than_the_frame_is_refused():
    with pytest.raises(ValidationFailed):
        stratified_sample(make_frame(50), SamplingPlan(size=51, seed=1))
