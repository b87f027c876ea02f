"""A customer merge re-points the rows of every module (cases, calls, warranty sales, portal
accounts…) and an undo puts exactly those back; rows created on the survivor since stay on it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.customers.models import Address, Contact, ContactPoint, Customer, Holding, Interaction, Transaction
from guanxi.customers.services import address_add, contact_add, contact_point_add
from guanxi.customers.services.history import interaction_record
from guanxi.customers.services.merging import customer_merge, customer_unmerge
from guanxi.customers.tests.factories import make_customer
from guanxi.portal.models import PortalAccount
from guanxi.portal.services import portal_account_create
from guanxi.servicedesk.models import Call, Ticket
from guanxi.servicedesk.services.tickets import ticket_create
from guanxi.warranty.models import ProductSale
from guanxi.warranty.tests.factories import make_sale

pytestmark = pytest.mark.django_db


def rows_of(actor, customer: Customer, tag: str, *, portal: bool) -> dict:
    """One row of every module that points at a customer: (model, id) → the customer it belongs to."""
    contact = contact_add(actor=actor, customer=customer, name=f"联系人{tag}")
    rows = [
        contact,
        contact_point_add(actor=actor, customer=customer, kind="email", value=f"{tag}@example.com", contact=contact),
        address_add(actor=actor, customer=customer, kind="home", province="上海市", street=f"南京路{tag}号"),
        Holding.objects.create(customer=customer, product=f"5G套餐{tag}"),
        interaction_record(actor=actor, customer=customer, channel="call", subject=f"来电{tag}"),
        Transaction.objects.create(customer=customer, kind="bill", occurred_at=timezone.now(), amount=Decimal("59")),
        ticket_create(actor=actor, customer=customer, data={"subject": f"宽带故障{tag}", "type": "fault",
                                                           "channel": "hotline"}),
        Call.objects.create(call_id=f"call-{tag}", caller="13800138000", customer=customer,
                            started_at=timezone.now()),
        make_sale(actor, customer=customer, serial=f"SN-{tag}", sold_at=dt.date(2026, 1, 5)),
    ]
    if portal:
        rows.append(portal_account_create(actor=actor, customer=customer, login=f"{tag}@portal.example.com"))
    return {(type(row), row.pk): customer.pk for row in rows}


def where(rows: dict) -> dict:
    return {(model, pk): model._base_manager.filter(pk=pk).values_list("customer_id", flat=True).get()
            for model, pk in rows}


def test_round_trip_across_every_module():
    manager = UserFactory(role=Role.SERVICE_MANAGER)
    survivor = make_customer(manager, name="刘洋", mobile="13800138000")
    merged = make_customer(manager, name="刘 洋", mobile="13800138001")
    mine = rows_of(manager, survivor, "s", portal=True)
    theirs = rows_of(manager, merged, "m", portal=True)

    merge = customer_merge(survivor=survivor, merged=merged, actor=manager)

    after = where({**mine, **theirs})
    merged_portal = PortalAccount.objects.get(login="m@portal.example.com")
    for key, customer_id in after.items():
        expected = merged.pk if key == (PortalAccount, merged_portal.pk) else survivor.pk
        assert customer_id == expected, key
    # Both had a portal account: the survivor keeps its own, the other stays on the merged record.
    assert merge.kept == {"portal.portalaccount.customer": [merged_portal.pk]}
    for label in ("servicedesk.ticket.customer", "servicedesk.call.customer", "warranty.productsale.customer",
                  "customers.interaction.customer", "customers.transaction.customer"):
        assert len(merge.moved[label]) == 1, label
    assert Ticket.history.filter(customer_id=survivor.pk).exists()  # the moved case has an audit row

    new_case = ticket_create(actor=manager, customer=survivor, data={"subject": "合并后报修", "type": "fault",
                                                                     "channel": "hotline"})
    customer_unmerge(merge=merge, actor=manager)

    assert where({**mine, **theirs}) == {**mine, **theirs}
    assert Ticket.objects.get(pk=new_case.pk).customer_id == survivor.pk
    assert {Contact, ContactPoint, Address, Holding, Interaction, Transaction, Ticket, Call, ProductSale,
            PortalAccount} <= {model for model, _ in theirs}


def test_a_portal_account_moves_when_only_the_merged_record_has_one():
    manager = UserFactory(role=Role.SERVICE_MANAGER)
    survivor = make_customer(manager, name="陈静")
    merged = make_customer(manager, name="陈静", mobile="13600136000")
    account = portal_account_create(actor=manager, customer=merged)
    merge = customer_merge(survivor=survivor, merged=merged, actor=manager)
    assert PortalAccount.objects.get(pk=account.pk).customer_id == survivor.pk and merge.kept == {}
    customer_unmerge(merge=merge, actor=manager)
    assert PortalAccount.objects.get(pk=account.pk).customer_id == merged.pk
