"""The whole `guanxi demo` (customers, tasks, service desk, warranty, portal) at a small scale."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import F
from django.db.models.functions import TruncDate
from django.utils import timezone

from guanxi.accounts.demo import DEMO_PASSWORD, demo_staff_plan
from guanxi.accounts.models import User
from guanxi.catalog.demo import catalog_demo_load
from guanxi.catalog.models import Price, PriceUnit, Product
from guanxi.catalog.selectors import price_at
from guanxi.core.demo import loaded_demo_steps
from guanxi.customers.models import Customer, Interaction
from guanxi.customers.timeline import customer_timeline
from guanxi.portal.models import PortalAccount
from guanxi.portal.services import portal_login_with_password
from guanxi.servicedesk.demo.tickets import service_demo_load
from guanxi.servicedesk.enums import ArticleStatus, TicketStatus, TicketType
from guanxi.servicedesk.models import (
    Article,
    BusinessCalendar,
    Callback,
    ClockPause,
    Complaint,
    ServiceStandard,
    Ticket,
    TicketCategory,
    TicketClock,
)
from guanxi.servicedesk.selectors.reports import standard_attainment
from guanxi.tasks.models import Task, TaskReminder
from guanxi.tasks.selectors import my_work
from guanxi.warranty.demo import warranty_demo_load
from guanxi.warranty.models import ExchangeRecord, ProductSale, Remedy, RepairRecord, WarrantyDecision

pytestmark = pytest.mark.django_db


def test_the_apps_register_their_demo_steps_in_dependency_order():
    steps = loaded_demo_steps()
    assert steps.index(service_demo_load) < steps.index(warranty_demo_load)
    assert steps.index(catalog_demo_load) < steps.index(warranty_demo_load)


def test_demo_fills_every_module():
    # Given an empty database, when the demo runs at a small scale (on a pinned day: a holiday week)
    out = io.StringIO()
    with time_machine.travel(dt.datetime(2027, 10, 3, 2, tzinfo=dt.UTC), tick=True):
        call_command("demo", "--customers", "200", "--seed", "5", stdout=out)
        now = timezone.now()
    output = out.getvalue()

    # then every step reported a summary line
    assert "servicedesk:" in output and "warranty:" in output and "interactions" in output
    # customers and their interactions
    # 200 customers plus the deliberate duplicates the dedupe demo enters a second time
    assert 200 < Customer.objects.count() <= 210
    assert Interaction.objects.count() > 300
    # service configuration
    assert BusinessCalendar.objects.filter(holiday_region="CN").exists()
    assert BusinessCalendar.objects.filter(holiday_region="").exists()
    assert ServiceStandard.objects.count() == 11  # eight, and the red channel's three reserved ones
    assert ServiceStandard.objects.exclude(breach_actions=[]).exists()
    assert TicketCategory.objects.filter(parent=None).count() == 4
    assert Article.objects.filter(status=ArticleStatus.PUBLISHED).count() == 12
    # cases over the last six months, most finished, some open and some of those breached
    tickets = Ticket.objects.all()
    assert tickets.count() >= 40
    assert tickets.filter(created_at__lt=now - dt.timedelta(days=120)).exists()
    assert not tickets.filter(created_at__gt=now).exists()
    assert tickets.filter(status__in=[TicketStatus.RESOLVED, TicketStatus.CLOSED]).count() > tickets.count() / 2
    assert tickets.filter(status__in=[TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING_CUSTOMER,
                                      TicketStatus.PENDING_THIRD_PARTY]).exists()
    assert len(set(tickets.values_list("type", flat=True))) >= 6
    assert TicketClock.objects.filter(breached_at__isnull=False).exists()
    assert ClockPause.objects.exclude(reason="").exists()
    assert Complaint.objects.exists() and Complaint.objects.filter(ticket__type=TicketType.COMPLAINT).exists()
    assert Callback.objects.exclude(outcome="").exists()
    assert not Callback.objects.filter(done_at__gt=now).exists()
    # attainment has rows for several months and is not perfect
    rows = standard_attainment(since=now - dt.timedelta(days=200), until=now + dt.timedelta(days=1), group_by=())
    assert len(rows) >= 4
    assert 0.5 < sum(r.met for r in rows) / sum(r.total for r in rows) < 1
    # the customer 360 timeline of a customer with a case shows it
    ticket = tickets.exclude(customer=None).order_by("-created_at").first()
    events = customer_timeline(customer=ticket.customer, limit=200)
    assert any(ticket.number in e.title for e in events if e.kind == "ticket_opened")
    # the catalogue: phones, home devices, plans, broadband, IPTV, fixed line and enterprise lines, priced
    assert Product.objects.count() >= 20
    assert {"phone", "broadband", "iptv", "fixed_line", "mobile_plan", "cloud", "dedicated_line"} <= set(
        Product.objects.values_list("category__code", flat=True))
    assert all(any(price_at(product=p, on=now.date(), unit=u) for u in PriceUnit.values)
               for p in Product.objects.all())
    assert Price.objects.count() > Product.objects.count()  # prices changed: their history is kept
    # warranty: the catalogue's phones (and home devices that campaign deals sold with a serial), covered
    # part by part; sales, repairs, exchanges, every remedy
    sold = Product.objects.filter(serials__sales__isnull=False).distinct()
    categories = set(sold.values_list("category__code", flat=True))
    assert sold.count() >= 3 and "phone" in categories and categories <= {"phone", "home_device"}
    assert all(p.parts.filter(code="main_unit", coverage__isnull=False).exists()
               for p in sold.filter(category__code="phone"))
    assert ProductSale.objects.count() >= 30
    assert RepairRecord.objects.exists() and ExchangeRecord.objects.exists()
    assert set(WarrantyDecision.objects.values_list("remedy", flat=True)) == set(Remedy.values)
    assert not WarrantyDecision.objects.filter(created_at__gt=now).exists()
    # nobody had a case or bought a phone before the company knew them
    assert not tickets.filter(created_at__lt=F("customer__created_at")).exists()
    assert not ProductSale.objects.filter(sold_at__lt=TruncDate("customer__created_at")).exists()
    # and one of them can sign in to the portal with the login the demo printed
    account = PortalAccount.objects.get()
    assert f"{account.login} / {DEMO_PASSWORD}" in output
    assert portal_login_with_password(login=account.login, password=DEMO_PASSWORD) == account
    assert account.customer.tickets.exists() and account.customer.product_sales.exists()
    # every demo login has work today, overdue work, done work and appointments ahead
    staff = User.objects.filter(username__in=[row[0] for row in demo_staff_plan()])
    for user in staff:
        groups = {g.key: g.count for g in my_work(user=user, now=now)}
        assert groups["today"] >= 1 and groups["upcoming"] >= 1, (user.username, groups)
    tasks = Task.objects.all()
    assert tasks.filter(status="done", closed_at__lte=now).count() > tasks.count() / 3
    assert tasks.filter(status="open", due_at__lt=now).exists()
    assert TaskReminder.objects.filter(sent_at__isnull=True, remind_at__gt=now).exists()
    assert not tasks.filter(created_at__gt=now).exists()
    assert set(tasks.values_list("kind", flat=True)) >= {"visit", "call", "follow_up"}
