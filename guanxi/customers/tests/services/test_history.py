import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum
from django.test import override_settings
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.errors import Conflict, ValidationFailed
from guanxi.customers.models import Interaction, Transaction
from guanxi.customers.selectors.history import billing_summary, history_counts
from guanxi.customers.services.history import interaction_record, transaction_record, transactions_import
from guanxi.customers.services.retention import history_retention_run, retention_cutoff

from ..factories import make_customer

pytestmark = pytest.mark.django_db
NOW = timezone.now()


@pytest.fixture
def customer(admin):
    return make_customer(admin, name="王小明")


def record(customer, **data):
    data = {"kind": "bill", "amount": "128.00", "occurred_at": NOW - dt.timedelta(days=3), **data}
    return transaction_record(actor=SYSTEM, customer=customer, **data)


def test_a_bill_is_recorded_with_its_amount_and_team_of_the_staff(customer, admin):
    recorded = record(customer, staff=admin, description="2025年6月 月账单", external_id="B-1")
    row = Transaction.objects.get()
    assert recorded.created and recorded.transaction == row
    assert (row.kind, row.amount, row.external_id, row.team_id) == ("bill", Decimal("128.00"), "B-1", admin.team_id)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"amount": "12.345"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": "1000000000000"}, "amount"),
        ({"kind": "gift"}, "kind"),
        ({"channel": "pigeon"}, "channel"),
        ({"occurred_at": NOW + dt.timedelta(hours=1)}, "occurred_at"),
        ({"occurred_at": dt.datetime(1980, 1, 1, tzinfo=dt.UTC)}, "occurred_at"),
        ({"occurred_at": None}, "occurred_at"),
        ({"description": "x" * 201}, "description"),
        ({"description": "bad\x00text"}, "description"),
    ],
)
def test_bad_transactions_are_refused_and_nothing_is_written(customer, data, field):
    with pytest.raises(ValidationFailed) as caught:
        record(customer, **data)
    assert field in caught.value.fields
    assert not Transaction.objects.exists()


def test_a_small_clock_skew_of_the_outside_system_is_accepted(customer):
    assert record(customer, occurred_at=timezone.now() + dt.timedelta(minutes=2)).created
    with override_settings(HISTORY_FUTURE_SKEW_SECONDS=0), pytest.raises(ValidationFailed):
        record(customer, occurred_at=timezone.now() + dt.timedelta(minutes=2))


def test_a_naive_time_is_read_in_the_server_time_zone(customer):
    row = record(customer, occurred_at=dt.datetime(2025, 3, 1, 9, 30)).transaction
    assert timezone.localtime(row.occurred_at).hour == 9


def test_the_same_external_id_replayed_returns_the_first_row(customer):
    first = record(customer, external_id="PAY-9", kind="payment")
    again = record(customer, external_id="PAY-9", kind="payment")
    assert not again.created and again.transaction.pk == first.transaction.pk
    assert Transaction.objects.count() == 1


@pytest.mark.parametrize("change", [{"amount": "99.00"}, {"kind": "payment"},
                                    {"occurred_at": NOW - dt.timedelta(days=4)}, "other customer"])
def test_the_same_external_id_with_other_content_is_a_conflict(customer, admin, change):
    record(customer, external_id="B-7")
    target = customer
    if change == "other customer":
        target, change = make_customer(admin, name="李四"), {}
    with pytest.raises(Conflict) as caught:
        record(target, external_id="B-7", **change)
    assert caught.value.status == 409 and "external_id" in caught.value.fields
    assert Transaction.objects.count() == 1


@settings(max_examples=40, deadline=None)
@given(amount=st.decimals(allow_nan=True, allow_infinity=True, places=None))
def test_any_amount_is_either_stored_exactly_or_refused(amount):
    admin = UserFactory(role=Role.ADMIN)
    customer = make_customer(admin, name="赵六")
    try:
        row = record(customer, amount=amount).transaction
    except ValidationFailed as exc:
        assert "amount" in exc.fields
        assert not Transaction.objects.filter(customer=customer).exists()
    else:
        assert 0 < row.amount == amount and row.amount == row.amount.quantize(Decimal("0.01"))


def test_an_interaction_in_the_future_is_refused(customer):
    with pytest.raises(ValidationFailed) as caught:
        interaction_record(actor=SYSTEM, customer=customer, channel="call", occurred_at=NOW + dt.timedelta(days=1))
    assert "occurred_at" in caught.value.fields and not Interaction.objects.exists()


def test_an_interaction_external_id_of_another_customer_is_a_conflict(customer, admin):
    interaction_record(actor=SYSTEM, customer=customer, channel="call", external_id="cti:1")
    again = interaction_record(actor=SYSTEM, customer=customer, channel="call", external_id="cti:1")
    assert again.customer_id == customer.pk
    other = make_customer(admin, name="李四")
    with pytest.raises(Conflict):
        interaction_record(actor=SYSTEM, customer=other, channel="call", external_id="cti:1")
    assert Interaction.objects.count() == 1


# -- import, all or nothing --------------------------------------------------------------------


def rows(customer, n=3, **extra):
    return [{"customer": customer, "kind": "bill", "amount": f"{10 + i}.50", "external_id": f"IMP-{i}",
             "occurred_at": NOW - dt.timedelta(days=30 * i), **extra} for i in range(n)]


def test_an_import_writes_every_row_and_a_replay_writes_none(customer, admin):
    result = transactions_import(actor=SYSTEM, rows=rows(customer), staff=admin)
    assert (result.created, result.unchanged) == (3, 0)
    again = transactions_import(actor=SYSTEM, rows=rows(customer), staff=admin)
    assert (again.created, again.unchanged) == (0, 3)
    assert Transaction.objects.count() == 3


def test_one_bad_row_rejects_the_whole_import_with_every_reason(customer, admin):
    batch = rows(customer, 4)
    batch[1]["amount"] = "-1"
    batch[2]["occurred_at"] = NOW + dt.timedelta(days=2)
    batch[3]["customer"] = None
    with pytest.raises(ValidationFailed) as caught:
        transactions_import(actor=SYSTEM, rows=batch, staff=admin)
    assert set(caught.value.fields) == {"rows[1].amount", "rows[2].occurred_at", "rows[3].customer"}
    assert not Transaction.objects.exists()


def test_an_import_refuses_repeated_and_conflicting_external_ids(customer, admin):
    record(customer, external_id="IMP-0", amount="1.00")
    batch = rows(customer, 3)
    batch[2]["external_id"] = "IMP-1"
    with pytest.raises(ValidationFailed) as caught:
        transactions_import(actor=SYSTEM, rows=batch, staff=admin)
    assert set(caught.value.fields) == {"rows[0].external_id", "rows[2].external_id"}
    assert Transaction.objects.count() == 1


@override_settings(TRANSACTIONS_IMPORT_MAX_ROWS=2)
def test_an_import_is_limited_in_size(customer, admin):
    with pytest.raises(ValidationFailed) as caught:
        transactions_import(actor=SYSTEM, rows=rows(customer, 3), staff=admin)
    assert "rows" in caught.value.fields and not Transaction.objects.exists()
    with pytest.raises(ValidationFailed):
        transactions_import(actor=SYSTEM, rows=[], staff=admin)


# -- billing summary ------------------------------------------------------------------------------


def test_billing_summary_balances_bills_against_payments_oldest_first(customer, admin):
    other = make_customer(admin, name="李四")
    record(other, amount="999.00")  # another customer's ledger does not count
    assert not billing_summary(customer=customer).has_ledger
    record(customer, amount="100.00", occurred_at=NOW - dt.timedelta(days=70))
    record(customer, amount="120.00", occurred_at=NOW - dt.timedelta(days=40))
    record(customer, amount="90.00", occurred_at=NOW - dt.timedelta(days=5))  # not due yet
    record(customer, kind="payment", amount="100.00", occurred_at=NOW - dt.timedelta(days=60))
    record(customer, kind="order", amount="300.00")
    record(customer, kind="refund", amount="50.00")
    summary = billing_summary(customer=customer, now=NOW)
    assert (summary.billed, summary.paid, summary.outstanding) == (Decimal("310.00"), Decimal("100.00"),
                                                                  Decimal("210.00"))
    assert summary.overdue_amount == Decimal("120.00") and summary.is_overdue
    assert (summary.ordered, summary.refunded) == (Decimal("300.00"), Decimal("50.00"))
    assert summary.last_payment_amount == Decimal("100.00")
    record(customer, kind="payment", amount="120.00", occurred_at=NOW - dt.timedelta(days=1))
    settled = billing_summary(customer=customer, now=NOW)
    assert not settled.is_overdue and settled.outstanding == Decimal("90.00")
    assert settled.last_payment_amount == Decimal("120.00")


def test_history_counts_stop_at_the_cap(customer):
    for i in range(4):
        interaction_record(actor=SYSTEM, customer=customer, channel="sms", occurred_at=NOW - dt.timedelta(hours=i))
    counts = history_counts(customer=customer, cap=3)
    assert (counts.interactions, counts.transactions, counts.interactions_capped) == (3, 0, True)


# -- retention ------------------------------------------------------------------------------------


def test_retention_never_deletes_history_younger_than_the_retention(customer):
    cutoff = retention_cutoff(now=NOW)
    assert cutoff.year == timezone.localtime(NOW).year - 3
    ages = [cutoff - dt.timedelta(days=400), cutoff - dt.timedelta(seconds=1), cutoff + dt.timedelta(seconds=1),
            NOW - dt.timedelta(days=30)]
    for i, at in enumerate(ages):
        Interaction.objects.create(customer=customer, channel="call", occurred_at=at)
        Transaction.objects.create(customer=customer, kind="bill", amount=1, occurred_at=at, external_id=f"R{i}")
    report = history_retention_run(actor=SYSTEM, now=NOW)
    assert report.expired == {"interactions": 2, "transactions": 2} and not report.applied
    assert Interaction.objects.count() == 4  # a report deletes nothing
    report = history_retention_run(actor=SYSTEM, apply=True, batch_size=1, now=NOW)
    assert report.deleted == {"interactions": 2, "transactions": 2}
    for model in (Interaction, Transaction):
        assert sorted(model.objects.values_list("occurred_at", flat=True)) == ages[2:]
    assert history_retention_run(actor=SYSTEM, apply=True, now=NOW).deleted == {"interactions": 0, "transactions": 0}


@pytest.mark.parametrize("years", [2, 0, "3"])
def test_retention_below_three_years_is_refused(customer, years):
    Interaction.objects.create(customer=customer, channel="call", occurred_at=NOW - dt.timedelta(days=800))
    with override_settings(HISTORY_RETENTION_YEARS=years):
        from django.core.management.base import CommandError

        with pytest.raises(CommandError, match="at least 3"):
            call_command("history_retention", "--apply")
        from django.core.checks import run_checks

        assert any(e.id == "customers.E001" for e in run_checks())
    assert Interaction.objects.count() == 1


def test_a_longer_retention_keeps_more(customer):
    Interaction.objects.create(customer=customer, channel="call", occurred_at=NOW - dt.timedelta(days=4 * 365))
    with override_settings(HISTORY_RETENTION_YEARS=5):
        assert history_retention_run(actor=SYSTEM, apply=True, now=NOW).deleted["interactions"] == 0
    assert history_retention_run(actor=SYSTEM, apply=True, now=NOW).deleted["interactions"] == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the covering index and EXPLAIN are PostgreSQL's")
def test_the_billing_summary_is_answered_from_the_covering_index(customer):
    Transaction.objects.bulk_create([Transaction(customer=customer, kind=("bill", "payment")[i % 2], amount=9,
                                                 occurred_at=NOW - dt.timedelta(days=i)) for i in range(200)])
    ledger = Transaction.objects.filter(customer=customer).order_by()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        sql, params = ledger.values("kind").annotate(total=Sum("amount")).query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using transaction_customer_time" in plan, plan
