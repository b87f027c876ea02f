"""Test data: customers through the customers service, transactions in bulk, snapshots directly."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from guanxi.customers.models import Transaction
from guanxi.customers.tests.factories import make_customer
from guanxi.segments.models import CustomerValueSnapshot, ValueRun

__all__ = ["make_customer", "make_snapshot", "make_transactions"]

SNAPSHOT_DEFAULTS = {
    "arpu_band": "30–80", "value_level": "small", "abc_class": "C", "revenue_12m": Decimal("0"),
    "revenue_prev_12m": Decimal("0"), "revenue_total": Decimal("0"), "contribution_share": 0.0, "purchase_days": 0,
    "rfm_segment": "no_purchase", "loyalty_index": 0, "credit_score": 65, "retention_index": 0, "ka_profit": 0,
    "ka_strategic": 0, "ka_loss": 0, "ka_relationship": 0, "ka_growth": 0, "ka_time": 0, "key_account_score": 0.0,
    "portfolio": "", "product_kinds": 0, "competitor_products": 0, "tenure_days": 0, "contacts_12m": 0,
    "contact_minutes_12m": 0, "outlet_visits_12m": 0,
}


def make_snapshot(customer, **fields) -> CustomerValueSnapshot:
    run = ValueRun.objects.filter(status="done").first() or ValueRun.objects.create(
        as_of=timezone.localdate(), status="done", finished_at=timezone.now())
    return CustomerValueSnapshot.objects.create(customer=customer, run=run, computed_at=timezone.now(),
                                                **{**SNAPSHOT_DEFAULTS, **fields})


def make_transactions(customer, rows) -> list[Transaction]:
    """rows: (kind, date or datetime, amount)."""
    tz = timezone.get_default_timezone()
    objects = []
    for kind, when, amount in rows:
        if isinstance(when, dt.date) and not isinstance(when, dt.datetime):
            when = dt.datetime.combine(when, dt.time(12), tzinfo=tz)
        objects.append(Transaction(customer=customer, kind=kind, occurred_at=when, amount=Decimal(str(amount))))
    return Transaction.objects.bulk_create(objects)
