"""Pure computation: no database."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from django.utils import translation

from guanxi.segments import clusters, compute
from guanxi.segments.compute import ValueConfig, compute_values

AS_OF = dt.date(2026, 1, 31)


def s(values, index=None):
    return pd.Series(values, index=index, dtype=float)


# ---------------------------------------------------------------- pyramid, bands, ABC


@pytest.mark.parametrize(("arpu", "level"), [
    (0, "small"), (49.99, "small"), (50, "medium"), (199.99, "medium"), (200, "large"), (499.99, "large"),
    (500, "vip"), (10_000, "vip"),
])
def test_pyramid_floors_are_inclusive(arpu, level):
    assert compute.pyramid_level(s([arpu]), (500, 200, 50)).iloc[0] == level


def test_pyramid_refuses_floors_that_increase():
    with pytest.raises(ValueError):
        compute.pyramid_level(s([1]), (100, 200, 50))


def test_arpu_bands_name_their_edges():
    assert compute.arpu_band_labels((30, 80, 150, 300)) == ["0–30", "30–80", "80–150", "150–300", "300+"]
    bands = compute.arpu_band(s([0, 29.99, 30, 299, 300, 1e6]), (30, 80, 150, 300))
    assert list(bands) == ["0–30", "0–30", "30–80", "150–300", "300+", "300+"]


def test_abc_pareto_classes():
    revenue = s([50, 30, 10, 5, 3, 2], index=list("abcdef"))
    # revenue ranked above each customer: 0, 50, 80, 90, 95, 98 of 100
    assert dict(compute.abc_classes(revenue, (0.80, 0.15))) == {
        "a": "A", "b": "A", "c": "B", "d": "B", "e": "C", "f": "C"}


def test_abc_shares_are_configurable_and_zero_revenue_is_c():
    revenue = s([50, 30, 10, 10, 0, -5], index=list("abcdef"))
    assert list(compute.abc_classes(revenue, (0.5, 0.3))) == ["A", "B", "C", "C", "C", "C"]
    assert list(compute.abc_classes(s([0, 0]), (0.8, 0.15))) == ["C", "C"]
    with pytest.raises(ValueError):
        compute.abc_classes(revenue, (0.9, 0.2))


def test_abc_does_not_depend_on_input_order():
    rng = np.random.default_rng(3)
    revenue = pd.Series(rng.gamma(1.2, 100, 500).round(0), index=range(500))
    shuffled = revenue.sample(frac=1, random_state=1)
    a, b = compute.abc_classes(revenue), compute.abc_classes(shuffled).sort_index()
    assert a.equals(b)
    share_a = revenue[a == "A"].sum() / revenue.sum()
    assert 0.8 <= share_a < 0.8 + revenue.max() / revenue.sum()


# ---------------------------------------------------------------- RFM


def test_quintiles_of_ten_distinct_values():
    assert list(compute.quintile_score(s(range(1, 11)))) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert list(compute.quintile_score(s(range(1, 11)), higher_is_better=False)) == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]


def test_equal_values_score_alike():
    scores = compute.quintile_score(s([1, 1, 1, 1, 1, 1, 2, 3, 4, 5]))
    assert len(set(scores[:6])) == 1 and list(scores[6:]) == [4, 4, 5, 5]


def test_rfm_cells_against_the_average_score():
    index = list("abcde")
    recency = s([1, 100, 1, 100, np.nan], index)  # days since the last purchase
    frequency = s([10, 10, 1, 1, 0], index)
    monetary = s([1000, 1000, 10, 10, 0], index)
    purchased = pd.Series([True, True, True, True, False], index=index)
    out = compute.rfm(recency, frequency, monetary, purchased)
    assert list(out["rfm_segment"]) == ["important_value", "important_retain", "general_develop",
                                        "general_winback", "no_purchase"]
    assert out.loc["e", ["rfm_r", "rfm_f", "rfm_m"]].isna().all()
    assert out.loc["a", "rfm_r"] > out.loc["b", "rfm_r"]


def test_rfm_table_has_the_eight_classic_cells():
    assert len(compute.RFM_TABLE) == 8 and len(set(compute.RFM_TABLE.values())) == 8


# ---------------------------------------------------------------- growth, portfolio


def test_growth_rate_rules():
    rate = compute.growth_rate(s([120, 50, 10, 0, 0]), s([100, 100, 0, 10, 0]))
    assert rate.iloc[0] == pytest.approx(0.2) and rate.iloc[1] == pytest.approx(-0.5)
    assert rate.iloc[2] == 1.0 and rate.iloc[3] == -1.0 and np.isnan(rate.iloc[4])


@pytest.mark.parametrize(("segment_growth", "customer_growth", "quadrant"), [
    (0.2, 0.3, "star"), (0.2, -0.3, "ageing"), (-0.2, 0.3, "cautious"), (-0.2, -0.3, "drop"),
    (0.0, 0.0, "star"), (0.2, np.nan, ""),
])
def test_portfolio_mapping_table(segment_growth, customer_growth, quadrant):
    out = compute.portfolio_quadrant(s([customer_growth]), s([segment_growth]))
    assert out.iloc[0] == quadrant


def test_portfolio_thresholds_move_the_lines():
    out = compute.portfolio_quadrant(s([0.05]), s([0.05]), customer_threshold=0.1, segment_threshold=0.1)
    assert out.iloc[0] == "drop"


def test_segment_growth_is_the_segments_sum():
    growth = compute.segment_growth(s([150, 50, 10]), s([100, 0, 20]), pd.Series(["a", "a", "b"]))
    assert list(growth) == [pytest.approx(1.0), pytest.approx(1.0), pytest.approx(-0.5)]


# ---------------------------------------------------------------- indices, key account


def test_loyalty_index_components():
    full = compute.loyalty_index(s([4]), s([5 * 365]), s([0]), s([12])).iloc[0]
    nothing = compute.loyalty_index(s([0]), s([0]), s([2]), s([0])).iloc[0]
    competitor = compute.loyalty_index(s([4]), s([5 * 365]), s([1]), s([12])).iloc[0]
    assert full == 100 and nothing == 0 and competitor == pytest.approx(100 - 12.5, abs=0.5)


def test_credit_score_rules():
    def score(level="A", overdue=0, billed=100, paid=100, refunds=0, spend=100, balance=0, limit=0):
        return compute.credit_score(pd.Series([level]), s([overdue]), s([billed]), s([paid]), s([refunds]),
                                    s([spend]), s([balance]), s([limit])).iloc[0]

    assert score("AAA") == 95 and score("C") == 35 and score("") == 65
    assert score(overdue=2) == 75 - 16 and score(overdue=10) == 75 - 40
    assert score(paid=50) == 75 - 15  # half the bills unpaid
    assert score(refunds=50) == 75 - 10  # half the spend refunded
    assert score(balance=-500, limit=100) == 65 and score(balance=-50, limit=100) == 75
    assert score("C", overdue=10, paid=0, refunds=100, balance=-1000) == 0


def test_retention_without_purchases_is_the_stage_only():
    stages = pd.Series(["mature", "mature", "churned"])
    out = compute.retention_index(s([np.nan, 0.9, np.nan]), s([np.nan, 5, 5]), stages)
    assert list(out) == [20, 100 * (0.5 * 0.9 + 0.3 + 0.2), 100 * (0.5 + 0.3)]


def test_key_account_scores_and_weights():
    out = compute.key_account_scores(
        revenue_12m=s([100, 0]), strategic_weight=s([80, 0]), future_value=s([300, 0]),
        tenure_days=s([5 * 365, 0]), active_months_12m=s([12, 0]), growth=s([2.0, np.nan]),
        effort_12m=s([5, 0]), weights={"profit": 1, "strategic": 1, "loss": 1, "relationship": 1, "growth": 1,
                                        "time": 1})
    first = out.iloc[0]
    assert (first["ka_profit"], first["ka_strategic"], first["ka_loss"], first["ka_relationship"],
            first["ka_growth"], first["ka_time"]) == (100, 80, 100, 100, 100, 100)
    assert first["key_account_score"] == pytest.approx(580 / 6, abs=0.05)
    assert out.iloc[1]["key_account_score"] == 0
    with pytest.raises(ValueError):
        compute.key_account_scores(revenue_12m=s([1]), strategic_weight=s([0]), future_value=s([1]),
                                   tenure_days=s([1]), active_months_12m=s([1]), growth=s([0]), effort_12m=s([1]),
                                   weights={"profit": 0})


# ---------------------------------------------------------------- clusters


def test_cluster_traits_and_words():
    traits = clusters.traits_of(np.array([1.4, -0.2, 2.0, 0.1, -0.7, 0.6]))
    assert traits == [["monetary", "high", 2.0], ["recency", "high", 1.4], ["tenure", "low", -0.7]]
    with translation.override("zh-hans"):
        assert clusters.describe(traits) == "高消费、久未消费、新客户"
    with translation.override("en"):
        assert clusters.describe(traits) == "high spending, long since the last purchase, new"
        assert clusters.describe([]) == "close to the average on every measure"


def test_clusters_separate_obvious_groups_and_number_them_by_revenue():
    rng = np.random.default_rng(0)
    n = 300
    rich = pd.DataFrame({"recency": rng.normal(1, 0.1, n), "frequency": rng.normal(3, 0.1, n),
                         "monetary": rng.normal(9, 0.1, n), "arpu": rng.normal(6, 0.1, n),
                         "tenure": rng.normal(5, 0.1, n), "products": rng.normal(4, 0.1, n)})
    poor = rich.assign(recency=rng.normal(6, 0.1, n), frequency=rng.normal(0.5, 0.1, n),
                       monetary=rng.normal(2, 0.1, n), arpu=rng.normal(3, 0.1, n), products=rng.normal(1, 0.1, n))
    features = pd.concat([poor, rich], ignore_index=True)
    labels, described = clusters.cluster_customers(features, k_range=(2, 4), seed=1)
    assert described[0]["k"] == 2 and described[0]["silhouette"] > 0.6
    assert set(labels[n:]) == {1} and set(labels[:n]) == {2}  # cluster 1 spends most
    rich_traits = {("monetary", "high"), ("frequency", "high"), ("arpu", "high"), ("products", "high"),
                   ("recency", "low")}
    assert len(described[0]["traits"]) == 3
    assert {tuple(t[:2]) for t in described[0]["traits"]} <= rich_traits
    assert {tuple(t[:2]) for t in described[1]["traits"]} <= {(f, "low" if d == "high" else "high")
                                                               for f, d in rich_traits}
    assert described[0]["size"] == described[1]["size"] == n


def test_too_few_or_identical_customers_are_not_clustered():
    labels, described = clusters.cluster_customers(pd.DataFrame({f: [1.0] * 5 for f in clusters.FEATURES}))
    assert labels.isna().all() and described == []
    labels, described = clusters.cluster_customers(pd.DataFrame({f: [1.0] * 50 for f in clusters.FEATURES}))
    assert labels.isna().all() and described == []


# ---------------------------------------------------------------- whole computation


def frames(n=400, seed=5):
    rng = np.random.default_rng(seed)
    ids = np.arange(1, n + 1)
    customers = pd.DataFrame({
        "customer_id": ids, "kind": "individual", "brand_id": rng.choice([1, 2], n), "arpu": rng.gamma(2, 60, n),
        "lifecycle_stage": "mature", "created_on": pd.Timestamp("2022-01-01"), "credit_level": "A",
        "credit_limit": 0, "overdue_count": 0, "balance": 0, "strategic_weight": 0})
    buyers = ids[: n - 40]
    first = pd.Timestamp(AS_OF) - pd.to_timedelta(rng.integers(200, 1000, len(buyers)), unit="D")
    days = 1 + rng.poisson(4, len(buyers))
    last = first + pd.to_timedelta(rng.integers(0, 190, len(buyers)), unit="D")
    spend = days * rng.gamma(4, 25, len(buyers))
    purchases = pd.DataFrame({
        "customer_id": buyers, "first_purchase": first, "last_purchase": last, "purchase_days": days,
        "purchase_days_12m": np.minimum(days, 3), "active_months_12m": np.minimum(days, 3),
        "first_day_spend": spend / days, "spend_total": spend, "spend_12m": spend / 2, "spend_prev_12m": spend / 3,
        "refunds_total": 0, "refunds_12m": 0, "refunds_prev_12m": 0, "paid_12m": spend / 2, "billed_12m": spend / 2})
    holdings = pd.DataFrame({"customer_id": ids[:100], "product_kinds": 2, "products_held": 2,
                             "competitor_products": 0, "first_holding": pd.Timestamp("2020-01-01")})
    effort = pd.DataFrame({"customer_id": ids[:50], "contacts_12m": 3, "contact_seconds_12m": 600,
                           "outlet_visits_12m": 1, "effort_12m": 0})
    return customers, purchases, holdings, effort


def test_compute_values_covers_every_customer_consistently():
    customers, purchases, holdings, effort = frames()
    result = compute_values(customers, purchases, holdings, effort, ValueConfig(as_of=AS_OF, clv_min_repeaters=5))
    out = result.frame.set_index("customer_id")
    assert len(out) == len(customers) and out.index.is_unique
    assert set(out["value_level"]) <= {"vip", "large", "medium", "small"}
    non_buyers = out.loc[361:]
    assert (non_buyers["rfm_segment"] == "no_purchase").all() and (non_buyers["abc_class"] == "C").all()
    assert non_buyers["clv_36m"].isna().all() and (non_buyers["purchase_days"] == 0).all()
    assert out["contribution_share"].sum() == pytest.approx(1.0)
    assert (out.loc[1, "tenure_days"]) == (AS_OF - dt.date(2020, 1, 1)).days  # the holding is older
    assert out.loc[1, "contact_minutes_12m"] == 10 and out.loc[60, "contacts_12m"] == 0
    assert result.summary["abc"]["A"] + result.summary["abc"]["B"] + result.summary["abc"]["C"] == len(out)
    assert result.summary["clv"]["fitted"], result.summary["clv"]
    buyers = out.loc[:360]
    assert (buyers["clv_36m"] >= buyers["clv_12m"]).all() and (buyers["p_alive"].between(0, 1)).all()
    assert out["cluster"].notna().all() and len(result.clusters) >= 3
