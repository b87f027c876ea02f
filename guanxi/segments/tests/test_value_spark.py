"""The value run with its reads on Spark (local mode) gives the same snapshot as the database's reads."""

import datetime as dt
import random

import pytest
from django.db import connection

from guanxi.accounts.access import SYSTEM
from guanxi.customers.models import Interaction
from guanxi.segments.models import CustomerValueSnapshot
from guanxi.segments.services import value_recompute

from .factories import make_customer, make_transactions
from .test_recompute import AS_OF, at, ledger  # noqa: F401 - the ledger's edge cases, on both engines

# Once per CI run, on the production database (the PostgreSQL pass): half a minute of Spark each time.
pytestmark = [pytest.mark.django_db, pytest.mark.spark,
              pytest.mark.skipif(connection.vendor == "sqlite", reason="runs in the PostgreSQL pass")]
SKIP = {"id", "run_id", "computed_at"}


def _snapshot() -> dict[int, dict]:
    fields = [f.attname for f in CustomerValueSnapshot._meta.concrete_fields if f.attname not in SKIP]
    return {row["customer_id"]: row for row in CustomerValueSnapshot.objects.values(*fields)}


def _more_customers(admin, count: int = 40) -> None:
    """Customers with seeded purchase histories, so that quintiles, CLV and clusters have data."""
    rng = random.Random(7)
    for n in range(count):
        customer = make_customer(admin, name=f"客户{n}", arpu=str(rng.choice([0, 20, 60, 120, 300, 800])))
        rows = []
        for _ in range(rng.randint(0, 12)):
            day = AS_OF - dt.timedelta(days=rng.randint(0, 900))
            rows.append((rng.choice(["order", "bill", "refund", "payment"]), day, rng.randint(1, 5000) / 10))
        make_transactions(customer, rows)
        for _ in range(rng.randint(0, 3)):
            Interaction.objects.create(customer=customer, channel=rng.choice(["call", "outlet", "sms"]),
                                       occurred_at=at(AS_OF - dt.timedelta(days=rng.randint(0, 500))),
                                       duration_seconds=rng.randint(0, 900))


def test_spark_reads_give_the_same_snapshot(ledger, admin, settings, tmp_path):  # noqa: F811
    _more_customers(admin)
    value_recompute(actor=SYSTEM, as_of=AS_OF)
    on_database = _snapshot()

    settings.BATCH_ENGINE = "spark"
    settings.SPARK_WORK_DIR = str(tmp_path)
    run = value_recompute(actor=SYSTEM, as_of=AS_OF)
    on_spark = _snapshot()

    assert run.status == "done" and run.customers == len(on_database) == 43
    assert on_spark.keys() == on_database.keys()
    for customer_id, expected in on_database.items():
        got = on_spark[customer_id]
        for name, value in expected.items():
            assert got[name] == (pytest.approx(value, rel=1e-9, abs=1e-9) if isinstance(value, float) else value), \
                (customer_id, name)
