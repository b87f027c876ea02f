"""Customer value computed from per-customer aggregates: pure functions over pandas frames.

Nothing here touches the database. `compute_values` takes four frames, one row per customer
(see INPUT_COLUMNS), and returns one row per customer with every figure of the value
snapshot, plus a summary. The rules, in the order they are computed:

- ARPU band and value pyramid (VIP / large / medium / small) from configurable floors on the
  monthly ARPU or on the average monthly revenue of the last twelve months.
- ABC (Pareto) on revenue of the last twelve months: ranked by revenue, a customer is A while
  the revenue of the customers ranked above it is below the A share (80 %) of the total, B below
  A + B shares (95 %), C otherwise; customers without revenue are C.
- RFM on purchase days of the whole history window: R (recency), F (number of days with a
  purchase) and M (net spend) scored 1–5 by quintile of the average rank (ties score alike, 5 is
  best); each is "high" when above the average score, which gives the eight classic cells.
  Customers without a purchase get no scores and the cell "no purchases".
- CLV with BG/NBD + Gamma-Gamma (lifetimes, see clv.py).
- Indices 0–100: loyalty, credit, retention; key-account criteria and their weighted total;
  portfolio quadrant; k-means clusters (see clusters.py).
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import clusters as clustering
from .clv import ClvResult, clv_fit_predict
from .enums import Portfolio, RfmSegment

# Columns of the input frames (one row per customer in each; missing rows mean zero/none).
CUSTOMER_COLUMNS = ("customer_id", "kind", "brand_id", "arpu", "lifecycle_stage", "created_on",
                    "credit_level", "credit_limit", "overdue_count", "balance", "strategic_weight")
PURCHASE_COLUMNS = ("customer_id", "first_purchase", "last_purchase", "purchase_days", "purchase_days_12m",
                    "active_months_12m", "first_day_spend", "spend_total", "spend_12m", "spend_prev_12m",
                    "refunds_total", "refunds_12m", "refunds_prev_12m", "paid_12m", "billed_12m")
HOLDING_COLUMNS = ("customer_id", "product_kinds", "products_held", "competitor_products", "first_holding")
EFFORT_COLUMNS = ("customer_id", "contacts_12m", "contact_seconds_12m", "outlet_visits_12m", "effort_12m")

CREDIT_LEVEL_BASE = {"AAA": 95, "AA": 85, "A": 75, "B": 55, "C": 35, "": 65}
STAGE_RETENTION = {"prospect": 0.5, "new": 0.6, "growing": 0.8, "mature": 1.0, "at_risk": 0.3, "churned": 0.0}
LEVELS = ("vip", "large", "medium", "small")

# (prospects good, customer growing) -> quadrant; see portfolio_quadrant.
PORTFOLIO_TABLE = {
    (True, True): Portfolio.STAR,
    (True, False): Portfolio.AGEING,
    (False, True): Portfolio.CAUTIOUS,
    (False, False): Portfolio.DROP,
}

# (R high, F high, M high) -> RFM cell (客户价值八分类).
RFM_TABLE = {
    (True, True, True): RfmSegment.IMPORTANT_VALUE,
    (False, True, True): RfmSegment.IMPORTANT_RETAIN,
    (True, False, True): RfmSegment.IMPORTANT_DEVELOP,
    (False, False, True): RfmSegment.IMPORTANT_WINBACK,
    (True, True, False): RfmSegment.GENERAL_VALUE,
    (False, True, False): RfmSegment.GENERAL_RETAIN,
    (True, False, False): RfmSegment.GENERAL_DEVELOP,
    (False, False, False): RfmSegment.GENERAL_WINBACK,
}


@dataclass(frozen=True)
class ValueConfig:
    """Everything the computation depends on besides the data; built from ValueSettings."""

    as_of: dt.date
    pyramid_basis: str = "arpu"  # "arpu" or "revenue"
    pyramid_floors: tuple[float, float, float] = (500.0, 200.0, 50.0)  # VIP, large, medium
    abc_shares: tuple[float, float] = (0.80, 0.15)
    arpu_bands: tuple[float, ...] = (30.0, 80.0, 150.0, 300.0)
    clv_monthly_discount: float = 0.01
    clv_penalizer: float = 0.0
    clv_fit_sample: int = 100_000  # population parameters: a random sample fits them as well
    clv_min_repeaters: int = 20
    clv_resolution_weeks: float = 1 / 7  # histories rounded to this for prediction (a day); 0: exact
    ka_weights: dict[str, float] = field(default_factory=lambda: {
        "profit": 30, "strategic": 15, "loss": 20, "relationship": 15, "growth": 10, "time": 10})
    ka_threshold: float = 70.0
    segment_growth_threshold: float = 0.0
    customer_growth_threshold: float = 0.0
    cluster_k: tuple[int, int] = (3, 6)
    cluster_fit_sample: int = 20_000
    cluster_silhouette_sample: int = 3_000
    history_days: int = 3 * 365  # transactions older than this are not read
    seed: int = 20250101


@dataclass
class ValueResult:
    frame: pd.DataFrame  # one row per customer, columns = the snapshot's fields
    summary: dict
    clusters: list[dict]
    clv: ClvResult | None = None


# ---------------------------------------------------------------- building blocks


def arpu_band_labels(edges: tuple[float, ...]) -> list[str]:
    """'0–30', '30–80', …, '300+' for edges (30, 80, 150, 300)."""
    bounds = [0.0, *edges]
    labels = [f"{_num(lo)}–{_num(hi)}" for lo, hi in itertools.pairwise(bounds)]
    return [*labels, f"{_num(bounds[-1])}+"]


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def arpu_band(arpu: pd.Series, edges: tuple[float, ...]) -> pd.Series:
    labels = np.array(arpu_band_labels(edges), dtype=object)
    index = np.searchsorted(np.asarray(edges, dtype=float), arpu.to_numpy(dtype=float), side="right")
    return pd.Series(labels[index], index=arpu.index)


def pyramid_level(basis: pd.Series, floors: tuple[float, float, float]) -> pd.Series:
    """VIP at or above the first floor, large at or above the second, medium the third, else small."""
    vip, large, medium = floors
    if not vip >= large >= medium:
        raise ValueError("pyramid floors must not increase: VIP ≥ large ≥ medium")
    values = basis.to_numpy(dtype=float)
    level = np.select([values >= vip, values >= large, values >= medium], list(LEVELS[:3]), LEVELS[3])
    return pd.Series(level.astype(object), index=basis.index)


def abc_classes(revenue: pd.Series, shares: tuple[float, float] = (0.80, 0.15)) -> pd.Series:
    """A while the revenue ranked above the customer is below the A share of the total, B below
    A + B, else C; ties ranked by index, so the result does not depend on the input order."""
    a_share, b_share = shares
    if a_share < 0 or b_share < 0 or a_share + b_share > 1:
        raise ValueError("ABC shares must be non-negative and add up to at most 1")
    positive = revenue.clip(lower=0).astype(float)
    total = positive.sum()
    result = pd.Series("C", index=revenue.index, dtype=object)
    if total <= 0:
        return result
    order = positive.sort_index(kind="stable").sort_values(ascending=False, kind="stable")
    before = order.cumsum() - order
    cls = np.where(before < a_share * total, "A", np.where(before < (a_share + b_share) * total, "B", "C"))
    cls = np.where(order.to_numpy() > 0, cls, "C")
    result.loc[order.index] = cls
    return result


def quintile_score(values: pd.Series, *, higher_is_better: bool = True) -> pd.Series:
    """1–5 by the average rank (equal values score alike); NaN stays NaN."""
    ranked = values if higher_is_better else -values
    pct = ranked.rank(method="average", pct=True)
    score = np.ceil(pct * 5).clip(1, 5)
    return score


def rfm(recency_days: pd.Series, frequency: pd.Series, monetary: pd.Series, purchased: pd.Series) -> pd.DataFrame:
    """R, F, M scores (1–5, None without purchases) and the RFM cell of each customer."""
    r = quintile_score(recency_days.where(purchased), higher_is_better=False)
    f = quintile_score(frequency.where(purchased))
    m = quintile_score(monetary.where(purchased))
    out = pd.DataFrame({"rfm_r": r, "rfm_f": f, "rfm_m": m}, index=recency_days.index)
    segment = pd.Series(RfmSegment.NO_PURCHASE.value, index=out.index, dtype=object)
    if purchased.any():
        high = {name: out[name] > out.loc[purchased, name].mean() for name in ("rfm_r", "rfm_f", "rfm_m")}
        for (rh, fh, mh), cell in RFM_TABLE.items():
            mask = purchased & (high["rfm_r"] == rh) & (high["rfm_f"] == fh) & (high["rfm_m"] == mh)
            segment[mask] = cell.value
    out["rfm_segment"] = segment
    return out


def growth_rate(current: pd.Series, previous: pd.Series) -> pd.Series:
    """(current − previous) / previous; +100 % when spending starts from nothing; None when both
    periods are empty."""
    cur, prev = current.astype(float), previous.astype(float)
    rate = (cur - prev) / prev.where(prev > 0)
    rate = rate.where(prev > 0, np.where(cur > 0, 1.0, np.nan))
    return rate


def segment_growth(revenue_12m: pd.Series, revenue_prev: pd.Series, segment: pd.Series) -> pd.Series:
    """Each customer's segment (brand) growth: the same rule as growth_rate on the segment's sums."""
    frame = pd.DataFrame({"cur": revenue_12m.astype(float), "prev": revenue_prev.astype(float), "seg": segment})
    sums = frame.groupby("seg", dropna=False)[["cur", "prev"]].sum()
    rates = growth_rate(sums["cur"], sums["prev"])
    return frame["seg"].map(rates).astype(float)


def portfolio_quadrant(customer_growth: pd.Series, segment_growth_: pd.Series, *,
                       customer_threshold: float = 0.0, segment_threshold: float = 0.0) -> pd.Series:
    """Portfolio view (SPEC B.6). "Prospects of what they buy" is the growth of the customer's
    segment (its brand); "their market growth" is the customer's own spend growth:

    good prospects, growing  → star (培养明星客户)
    good prospects, shrinking → ageing (调整衰老型客户的营销策略)
    poor prospects, growing  → trade cautiously (谨慎选择和发展交易)
    poor prospects, shrinking → to drop (淘汰)

    Customers without spend in either year are not classified ("").
    """
    good = segment_growth_ >= segment_threshold
    growing = customer_growth >= customer_threshold
    known = customer_growth.notna() & segment_growth_.notna()
    out = pd.Series(Portfolio.UNCLASSIFIED.value, index=customer_growth.index, dtype=object)
    for (g, c), quadrant in PORTFOLIO_TABLE.items():
        out[known & (good == g) & (growing == c)] = quadrant.value
    return out


def percentile_score(values: pd.Series) -> pd.Series:
    """0–100 by rank among all customers; zero or missing values score 0."""
    values = values.astype(float)
    positive = values.where(values > 0)
    score = positive.rank(method="average", pct=True) * 100
    return score.fillna(0.0)


def loyalty_index(product_kinds: pd.Series, tenure_days: pd.Series, competitor_products: pd.Series,
                  purchase_days_12m: pd.Series) -> pd.Series:
    """Loyalty (忠诚度, SPEC B.3), 0–100: 35 % kinds of our products held (four or more: full),
    25 % tenure (five years: full), 25 % not using competitors (each competitor product held
    takes half), 15 % repeat purchases in the last year (monthly: full)."""
    kinds = (product_kinds.astype(float) / 4).clip(0, 1)
    tenure = (tenure_days.astype(float) / (5 * 365)).clip(0, 1)
    no_competitor = (1 - competitor_products.astype(float) / 2).clip(0, 1)
    repeat = (purchase_days_12m.astype(float) / 12).clip(0, 1)
    return (100 * (0.35 * kinds + 0.25 * tenure + 0.25 * no_competitor + 0.15 * repeat)).round()


def credit_score(credit_level: pd.Series, overdue_count: pd.Series, billed_12m: pd.Series, paid_12m: pd.Series,
                 refunds_12m: pd.Series, spend_12m: pd.Series, balance: pd.Series,
                 credit_limit: pd.Series) -> pd.Series:
    """Credit (信用度, SPEC B.3), 0–100: the credit level's base (AAA 95 … C 35, not rated 65),
    minus 8 per overdue payment (at most 40), minus up to 30 for the unpaid share of last year's
    bills, up to 20 for the refund share of last year's spend, and 10 when the arrears exceed
    the credit limit. There are no due dates in the ledger: lateness is the overdue count."""
    base = credit_level.fillna("").map(CREDIT_LEVEL_BASE).fillna(CREDIT_LEVEL_BASE[""]).astype(float)
    overdue = (overdue_count.astype(float) * 8).clip(0, 40)
    billed = billed_12m.astype(float)
    unpaid_share = (1 - (paid_12m.astype(float) / billed.where(billed > 0)).clip(0, 1)).fillna(0)
    spend = spend_12m.astype(float)
    refund_share = (refunds_12m.astype(float) / spend.where(spend > 0)).clip(0, 1).fillna(0)
    arrears = ((-balance.astype(float)) > credit_limit.astype(float)) & (balance.astype(float) < 0)
    score = base - overdue - 30 * unpaid_share - 20 * refund_share - 10 * arrears
    return score.clip(0, 100).round()


def retention_index(p_alive: pd.Series, r_score: pd.Series, lifecycle_stage: pd.Series) -> pd.Series:
    """Retention (保留度), 0–100: 50 % probability still active (BG/NBD), 30 % recency score,
    20 % lifecycle stage (mature 1 … churned 0). Without a CLV model the recency takes the
    probability's weight too."""
    r = (r_score.fillna(0).astype(float) / 5)
    stage = lifecycle_stage.map(STAGE_RETENTION).fillna(0.5).astype(float)
    alive = p_alive.astype(float)
    alive = alive.where(alive.notna(), r)
    alive = alive.where(r > 0, 0.0)  # no purchase at all: nothing to retain yet
    return (100 * (0.5 * alive + 0.3 * r + 0.2 * stage)).clip(0, 100).round()


def key_account_scores(*, revenue_12m: pd.Series, strategic_weight: pd.Series, future_value: pd.Series,
                       tenure_days: pd.Series, active_months_12m: pd.Series, growth: pd.Series,
                       effort_12m: pd.Series, weights: dict[str, float]) -> pd.DataFrame:
    """Key-account criteria (界定大客户的标准, SPEC B.5), each 0–100, and the weighted total:

    profit: percentile of last year's revenue (no cost data: revenue stands for profit);
    strategic: the administrator's weight; loss: percentile of the expected 36-month value
    (CLV, else three years of current revenue); relationship: half tenure (five years: full),
    half months with a purchase in the last year; growth: 50 + 50 × spend growth (capped at
    ±100 %), 0 without any spend; time: percentile of contacts in the last year.
    """
    scores = pd.DataFrame(index=revenue_12m.index)
    scores["ka_profit"] = percentile_score(revenue_12m)
    scores["ka_strategic"] = strategic_weight.astype(float).clip(0, 100)
    scores["ka_loss"] = percentile_score(future_value)
    scores["ka_relationship"] = (50 * (tenure_days.astype(float) / (5 * 365)).clip(0, 1)
                                 + 50 * (active_months_12m.astype(float) / 12).clip(0, 1))
    scores["ka_growth"] = (50 + 50 * growth.clip(-1, 1)).fillna(0.0)
    scores["ka_time"] = percentile_score(effort_12m)
    scores = scores.round()
    names = {"profit": "ka_profit", "strategic": "ka_strategic", "loss": "ka_loss",
             "relationship": "ka_relationship", "growth": "ka_growth", "time": "ka_time"}
    total_weight = sum(float(w) for w in weights.values())
    if total_weight <= 0:
        raise ValueError("the key-account weights must not all be zero")
    total = sum(scores[names[k]] * float(w) for k, w in weights.items()) / total_weight
    scores["key_account_score"] = total.round(1)
    return scores


# ---------------------------------------------------------------- the whole computation


def _merge(customers: pd.DataFrame, purchases: pd.DataFrame, holdings: pd.DataFrame,
           effort: pd.DataFrame) -> pd.DataFrame:
    frame = customers.set_index("customer_id")
    for other, columns in ((purchases, PURCHASE_COLUMNS), (holdings, HOLDING_COLUMNS), (effort, EFFORT_COLUMNS)):
        other = other.reindex(columns=list(columns)).set_index("customer_id")
        frame = frame.join(other, how="left")
    zero = ["purchase_days", "purchase_days_12m", "active_months_12m", "first_day_spend", "spend_total",
            "spend_12m", "spend_prev_12m", "refunds_total", "refunds_12m", "refunds_prev_12m", "paid_12m",
            "billed_12m", "product_kinds", "products_held", "competitor_products", "contacts_12m",
            "contact_seconds_12m", "outlet_visits_12m", "effort_12m", "arpu", "credit_limit", "overdue_count",
            "balance", "strategic_weight"]
    for name in zero:
        frame[name] = pd.to_numeric(frame[name], errors="coerce").fillna(0).astype(float)
    for name in ("created_on", "first_purchase", "last_purchase", "first_holding"):
        frame[name] = pd.to_datetime(frame[name], errors="coerce")
    for name in ("credit_level", "kind", "lifecycle_stage"):
        frame[name] = frame[name].astype(object).where(frame[name].notna(), "").astype(str)
    return frame.sort_index()


def compute_values(customers: pd.DataFrame, purchases: pd.DataFrame, holdings: pd.DataFrame,
                   effort: pd.DataFrame, config: ValueConfig, *, progress=None) -> ValueResult:
    """Every snapshot figure for every customer in `customers` (see the module docstring)."""

    def step(label):
        if progress:
            progress(label)

    f = _merge(customers, purchases, holdings, effort)
    as_of = pd.Timestamp(config.as_of)
    out = pd.DataFrame(index=f.index)
    summary: dict = {"customers": len(f)}

    step("pyramid")
    revenue_12m = (f["spend_12m"] - f["refunds_12m"]).round(2)
    revenue_prev = (f["spend_prev_12m"] - f["refunds_prev_12m"]).round(2)
    out["revenue_12m"] = revenue_12m
    out["revenue_prev_12m"] = revenue_prev
    out["revenue_total"] = (f["spend_total"] - f["refunds_total"]).round(2)
    out["arpu_band"] = arpu_band(f["arpu"], config.arpu_bands)
    basis = f["arpu"] if config.pyramid_basis == "arpu" else revenue_12m / 12
    out["value_level"] = pyramid_level(basis, config.pyramid_floors)
    out["abc_class"] = abc_classes(revenue_12m, config.abc_shares)
    positive_total = revenue_12m.clip(lower=0).sum()
    out["contribution_share"] = (revenue_12m.clip(lower=0) / positive_total) if positive_total > 0 else 0.0

    step("rfm")
    purchased = f["purchase_days"] > 0
    out["purchase_days"] = f["purchase_days"].astype(int)
    out["first_purchase_on"] = f["first_purchase"].dt.date.where(purchased, None)
    out["last_purchase_on"] = f["last_purchase"].dt.date.where(purchased, None)
    recency = (as_of - f["last_purchase"]).dt.days.astype(float).clip(lower=0).where(purchased)
    out["recency_days"] = recency
    net_spend = f["spend_total"] - f["refunds_total"]
    out = out.join(rfm(recency, f["purchase_days"], net_spend, purchased))

    step("clv")
    frequency = (f["purchase_days"] - 1).clip(lower=0)
    recency_weeks = ((f["last_purchase"] - f["first_purchase"]).dt.days / 7).where(purchased)
    age_weeks = ((as_of - f["first_purchase"]).dt.days / 7).where(purchased)
    repeat_spend = (f["spend_total"] - f["first_day_spend"]).clip(lower=0)
    monetary = (repeat_spend / frequency.where(frequency > 0)).fillna(0)
    clv = clv_fit_predict(
        frequency=frequency[purchased], recency=recency_weeks[purchased], age=age_weeks[purchased],
        monetary=monetary[purchased], groups=f["kind"][purchased], discount=config.clv_monthly_discount,
        penalizer=config.clv_penalizer,
        fit_sample=config.clv_fit_sample, min_repeaters=config.clv_min_repeaters, seed=config.seed,
        resolution=config.clv_resolution_weeks,
    )
    for name in ("expected_purchases_12m", "p_alive", "expected_avg_value", "clv_12m", "clv_36m"):
        out[name] = clv.frame[name].reindex(out.index) if clv.fitted else np.nan
    summary["clv"] = clv.as_summary()

    step("indices")
    since = pd.concat([f["created_on"], f["first_holding"], f["first_purchase"]], axis=1).min(axis=1)
    tenure = (as_of - since).dt.days.fillna(0).clip(lower=0)
    out["tenure_days"] = tenure.astype(int)
    out["product_kinds"] = f["product_kinds"].astype(int)
    out["competitor_products"] = f["competitor_products"].astype(int)
    out["contacts_12m"] = f["contacts_12m"].astype(int)
    out["contact_minutes_12m"] = (f["contact_seconds_12m"] / 60).round().astype(int)
    out["outlet_visits_12m"] = f["outlet_visits_12m"].astype(int)
    out["loyalty_index"] = loyalty_index(f["product_kinds"], tenure, f["competitor_products"],
                                         f["purchase_days_12m"])
    out["credit_score"] = credit_score(f["credit_level"], f["overdue_count"], f["billed_12m"], f["paid_12m"],
                                       f["refunds_12m"], f["spend_12m"], f["balance"], f["credit_limit"])
    out["retention_index"] = retention_index(out["p_alive"], out["rfm_r"], f["lifecycle_stage"])
    growth = growth_rate(revenue_12m, revenue_prev)
    out["growth_rate"] = growth
    future = out["clv_36m"].astype(float).where(out["clv_36m"].notna(), revenue_12m * 3)
    ka = key_account_scores(
        revenue_12m=revenue_12m, strategic_weight=f["strategic_weight"], future_value=future,
        tenure_days=tenure, active_months_12m=f["active_months_12m"], growth=growth,
        effort_12m=f["effort_12m"] + f["contacts_12m"], weights=config.ka_weights,
    )
    out = out.join(ka)
    brand = pd.to_numeric(f["brand_id"], errors="coerce")
    segment_key = ("brand:" + brand.fillna(-1).astype(np.int64).astype(str)).where(brand.notna(),
                                                                                 "kind:" + f["kind"].astype(str))
    out["segment_growth_rate"] = segment_growth(revenue_12m, revenue_prev, segment_key)
    out["portfolio"] = portfolio_quadrant(growth, out["segment_growth_rate"],
                                          customer_threshold=config.customer_growth_threshold,
                                          segment_threshold=config.segment_growth_threshold)

    step("clusters")
    features = pd.DataFrame({
        "recency": np.log1p(recency.fillna(config.history_days).clip(lower=0)),
        "frequency": np.log1p(f["purchase_days"]),
        "monetary": np.log1p(revenue_12m.clip(lower=0)),
        "arpu": np.log1p(f["arpu"].clip(lower=0)),
        "tenure": tenure / 365,
        "products": f["product_kinds"],
    }, index=f.index)
    labels, described = clustering.cluster_customers(
        features, k_range=config.cluster_k, fit_sample=config.cluster_fit_sample,
        silhouette_sample=config.cluster_silhouette_sample, seed=config.seed,
        originals={"recency": recency, "frequency": f["purchase_days"], "monetary": revenue_12m,
                   "arpu": f["arpu"], "tenure": tenure / 365, "products": f["product_kinds"]},
    )
    out["cluster"] = labels

    summary.update(_summary(out, config))
    return ValueResult(frame=out.reset_index(names="customer_id"), summary=summary, clusters=described, clv=clv)


def _summary(out: pd.DataFrame, config: ValueConfig) -> dict:
    def counts(column):
        return {str(k): int(v) for k, v in out[column].value_counts(dropna=True).sort_index().items()}

    revenue = out["revenue_12m"].clip(lower=0)
    return {
        "value_levels": counts("value_level"),
        "abc": counts("abc_class"),
        "abc_revenue": {k: round(float(revenue[out["abc_class"] == k].sum()), 2) for k in ("A", "B", "C")},
        "rfm": counts("rfm_segment"),
        "portfolio": counts("portfolio"),
        "revenue_12m": round(float(revenue.sum()), 2),
        "key_accounts": int((out["key_account_score"] >= config.ka_threshold).sum()),
        "clv_36m_total": round(float(out["clv_36m"].astype(float).sum()), 2)
        if out["clv_36m"].notna().any() else None,
    }

