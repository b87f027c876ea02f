"""What the data answers of the CRM quality checklist, company-wide and set-based (the same SQL on
PostgreSQL and SQLite): retention rate, customer value in use, depth of transaction history and the
contact strategy per value tier. Aggregates only: no customer is listed."""

from __future__ import annotations

import datetime as dt

from django.db import connection

from guanxi.marketing.models import Campaign
from guanxi.segments.enums import SYSTEM_KINDS, ValueLevel
from guanxi.segments.models import CustomerValueSnapshot, Segment

VALUE_FIELDS = frozenset({"value_level", "abc_class", "rfm_segment", "rfm_r", "rfm_f", "rfm_m", "portfolio", "cluster",
                          "revenue_12m", "clv_12m", "clv_36m", "p_alive", "key_account_score", "loyalty_index",
                          "credit_score", "retention_index", "arpu"})
TIER_ORDER = (ValueLevel.SMALL, ValueLevel.MEDIUM, ValueLevel.LARGE, ValueLevel.VIP)


def _active_sql() -> str:
    return """SELECT customer_id FROM customers_interaction WHERE occurred_at > %s AND occurred_at <= %s
              UNION SELECT customer_id FROM orders_order WHERE order_date > %s AND order_date <= %s
                    AND status <> 'cancelled'
              UNION SELECT customer_id FROM orders_payment WHERE received_on > %s AND received_on <= %s"""


def _active_params(start: dt.date, end: dt.date) -> list:
    ts = connection.ops.adapt_datetimefield_value
    day = connection.ops.adapt_datefield_value
    start_at = dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC)
    end_at = dt.datetime.combine(end, dt.time(), tzinfo=dt.UTC)
    return [ts(start_at), ts(end_at), day(start), day(end), day(start), day(end)]


def retention(today: dt.date) -> dict:
    """Of the customers active (a contact, an order or a payment) in the year before last, the share
    also active in the last year."""
    year, two = today - dt.timedelta(days=365), today - dt.timedelta(days=730)
    sql = (f"SELECT COUNT(*), SUM(CASE WHEN c.customer_id IS NULL THEN 0 ELSE 1 END) FROM ({_active_sql()}) p "  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
           f"LEFT JOIN ({_active_sql()}) c ON c.customer_id = p.customer_id")
    with connection.cursor() as cursor:
        cursor.execute(sql, _active_params(two, year) + _active_params(year, today))
        base, kept = cursor.fetchone()
    base, kept = int(base or 0), int(kept or 0)
    return {"value": round(kept / base, 4) if base else 0.0, "base": base, "retained": kept}


def _uses_value(definition) -> bool:
    if not isinstance(definition, dict):
        return False
    return any(_uses_value(r) if "rules" in r else r.get("field") in VALUE_FIELDS
               for r in definition.get("rules", []) if isinstance(r, dict))


def value_use() -> dict:
    """Share of the decisions that use customer value: campaigns whose target group is a value
    segment (pyramid, ABC, RFM, cluster) or a rule on value, and segments given a service tier."""
    value_segments = {s.pk for s in Segment.objects.only("pk", "kind", "definition")
                      if s.kind in SYSTEM_KINDS or _uses_value(s.definition)}
    campaigns = list(Campaign.objects.exclude(status="cancelled").prefetch_related("segments")
                     .only("pk", "definition"))
    by_value = sum(1 for c in campaigns if _uses_value(c.definition)
                   or any(s.pk in value_segments for s in c.segments.all()))
    tiered = list(Segment.objects.filter(service_priority__isnull=False).values_list("pk", flat=True))
    tiered_by_value = sum(1 for pk in tiered if pk in value_segments)
    decisions = len(campaigns) + len(tiered)
    return {"value": round((by_value + tiered_by_value) / decisions, 4) if decisions else 0.0,
            "campaigns": len(campaigns), "campaigns_by_value": by_value, "tiered_segments": len(tiered),
            "tiered_by_value": tiered_by_value, "rule_segments_by_value": len(value_segments)}


def history(today: dt.date) -> dict:
    """Years of order history held, and the share of customers with orders whose first one is at
    least three years old."""
    three = today - dt.timedelta(days=round(3 * 365.25))
    with connection.cursor() as cursor:
        cursor.execute("""SELECT MIN(first_on), COUNT(*), SUM(CASE WHEN first_on <= %s THEN 1 ELSE 0 END)
                          FROM (SELECT customer_id, MIN(order_date) AS first_on FROM orders_order
                                WHERE status <> 'cancelled' GROUP BY customer_id) f""",
                       [connection.ops.adapt_datefield_value(three)])
        first, customers, long_ones = cursor.fetchone()
    if isinstance(first, str):
        first = dt.date.fromisoformat(first)
    years = round((today - first).days / 365.25, 2) if first else 0.0
    return {"value": years, "first_order": first.isoformat() if first else None, "customers": int(customers or 0),
            "share_three_years": round(int(long_ones or 0) / customers, 4) if customers else 0.0}


def contact_strategy() -> dict:
    """Contacts and revenue per customer in each value tier (the latest value snapshot, live
    customers) and the rank correlation of contacts with the tier: 1 when contacts rise with value."""
    from django.db.models import Avg, Count

    rows = {r["value_level"]: r for r in CustomerValueSnapshot.objects.filter(customer__deleted_at__isnull=True)
            .values("value_level").annotate(customers=Count("pk"), contacts=Avg("contacts_12m"),
                                             revenue=Avg("revenue_12m"))}
    tiers = [{"tier": str(t), "label": str(t.label), "customers": rows[t]["customers"],
              "contacts": round(float(rows[t]["contacts"] or 0), 2),
              "revenue": round(float(rows[t]["revenue"] or 0), 2)}
             for t in TIER_ORDER if t in rows]
    return {"value": _spearman([i for i, _t in enumerate(tiers)], [t["contacts"] for t in tiers]), "tiers": tiers}


def _spearman(x: list[float], y: list[float]) -> float:
    if len(x) < 2 or len(set(y)) < 2:
        return 0.0
    import pandas as pd

    return round(float(pd.Series(x).corr(pd.Series(y), method="spearman")), 4)


def compute(today: dt.date) -> dict:
    return {"retention": retention(today), "value_use": value_use(), "history": history(today),
            "contact_strategy": contact_strategy()}
