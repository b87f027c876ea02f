import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.testing import client_for
from guanxi.customers import offers
from guanxi.customers.models import Interaction, Transaction
from guanxi.customers.offers import Offer

from ..factories import make_customer

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def page(client, user, customer, **params):
    client.force_login(user)
    response = client.get(reverse("customers:detail", args=[customer.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


def contacts(customer, n, **extra):
    Interaction.objects.bulk_create([Interaction(customer=customer, channel="call", subject=f"来电{i:03d}",
                                                 occurred_at=NOW - dt.timedelta(hours=i), **extra) for i in range(n)])


def test_the_360_page_shows_value_tier_ledger_and_merged_timeline(client, admin):
    customer = make_customer(admin, name="王小明", arpu="520.00", lifecycle_stage="mature")
    Transaction.objects.create(customer=customer, kind="bill", amount=Decimal("300.00"),
                               occurred_at=NOW - dt.timedelta(days=50), description="2025年5月 月账单")
    Transaction.objects.create(customer=customer, kind="payment", amount=Decimal("120.00"),
                               occurred_at=NOW - dt.timedelta(days=45))
    contacts(customer, 2)
    body = page(client, admin, customer)
    assert 'id="gx-value-tier"' in body and "VIP" in body
    outstanding = re.search(r'id="gx-billing-outstanding">([\d.]+)', body).group(1)
    assert outstanding == "180.00" and 'id="gx-billing-overdue"' in body
    items = re.findall(r'class="d-flex gap-3 py-2 border-bottom gx-timeline-item gx-timeline-(\w+)"', body)
    assert items == ["interaction", "interaction", "payment", "bill"]
    assert "账单 ¥300.00" in body and "2 个接触记录 · 2 笔交易" in body
    assert 'id="gx-timeline-more"' not in body and 'id="offers"' in body


def test_the_timeline_loads_older_pages_on_demand(client, admin):
    customer = make_customer(admin, name="李四")
    contacts(customer, 63)
    body = page(client, admin, customer)
    assert body.count("gx-timeline-item ") == 50 and "来电049" in body and "来电050" not in body
    more = re.search(r'hx-get="([^"]+)"\s+hx-target="closest li"', body).group(1).replace("&amp;", "&")
    fragment = client.get(more, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.count("gx-timeline-item ") == 13 and "来电050" in fragment and "来电062" in fragment
    assert 'id="gx-timeline-more"' not in fragment and "<html" not in fragment
    assert client.get(reverse("customers:timeline", args=[customer.pk]), {"cursor": "bogus"}).status_code == 400


def test_an_agent_sees_phone_numbers_in_the_history_masked(client, admin):
    customer = make_customer(admin, name="赵六")
    Interaction.objects.create(customer=customer, channel="call", occurred_at=NOW, subject="回电 13812345678")
    assert "138****5678" in page(client, UserFactory(role=Role.AGENT), customer)
    assert "13812345678" in page(client, admin, customer)


def test_a_sales_rep_cannot_open_another_reps_customer_history(client, admin):
    customer = make_customer(admin, name="钱七", owner=UserFactory(role=Role.SALES_REP).pk)
    client.force_login(UserFactory(role=Role.SALES_REP))
    assert client.get(reverse("customers:detail", args=[customer.pk])).status_code == 404
    assert client.get(reverse("customers:timeline", args=[customer.pk])).status_code == 404


def test_the_page_costs_the_same_queries_whatever_the_history(client, admin):
    short, long = make_customer(admin, name="短"), make_customer(admin, name="长")
    contacts(short, 2)
    contacts(long, 400)
    Transaction.objects.bulk_create([Transaction(customer=long, kind="bill", amount=5,
                                                 occurred_at=NOW - dt.timedelta(minutes=i)) for i in range(300)])
    client.force_login(admin)
    counts = []
    for customer in (short, long):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("customers:detail", args=[customer.pk])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 40, counts


def offer_for_broadband(customer, user, limit):
    return [Offer("千兆宽带升级", reason="已持有 500M 宽带", score=0.9), Offer("视频彩铃", score=0.2)]


def test_registered_offer_sources_fill_the_next_best_offer_slot(client, admin, monkeypatch):
    monkeypatch.setattr(offers, "OFFER_SOURCES", [offer_for_broadband])
    customer = make_customer(admin, name="孙八")
    body = page(client, admin, customer)
    assert body.index("千兆宽带升级") < body.index("视频彩铃") and "已持有 500M 宽带" in body
    client.force_login(admin)

    api = client_for(admin).get(f"/api/v1/customers/{customer.pk}/360").json()
    assert [o["title"] for o in api["next_best_offers"]] == ["千兆宽带升级", "视频彩铃"]


def test_a_contact_is_recorded_from_the_page_and_tops_the_timeline(client, admin):
    customer = make_customer(admin, name="周九")
    contacts(customer, 1)
    agent = UserFactory(role=Role.AGENT)
    body = page(client, agent, customer)
    url = reverse("customers:add_interaction", args=[customer.pk])
    # The section is closed and holds no form until it is opened: then htmx fetches the form.
    assert 'id="gx-record-contact"' in body and f'hx-get="{url}"' in body and 'name="ia-subject"' not in body
    form = client.get(url, HTTP_HX_REQUEST="true")
    assert form.status_code == 200 and 'name="ia-subject"' in form.content.decode()
    assert client.get(url)["Location"].endswith(f"/customers/{customer.pk}/#timeline")  # typed in: the page
    data = {"ia-channel": "call", "ia-direction": "outbound", "ia-subject": "回访宽带故障", "ia-content": "已修复"}
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith('<div id="timeline-body">')
    assert body.index("回访宽带故障") < body.index("来电000")
    row = Interaction.objects.get(subject="回访宽带故障")
    assert (row.staff, row.direction, row.content) == (agent, "outbound", "已修复")
    bad = client.post(url, {**data, "ia-channel": "pigeon"}, HTTP_HX_REQUEST="true").content.decode()
    assert "invalid-feedback" in bad and Interaction.objects.count() == 2


def test_roles_that_cannot_write_get_no_form_and_a_refusal(client, admin):
    customer = make_customer(admin, name="吴十")
    analyst = UserFactory(role=Role.ANALYST)
    assert 'id="gx-record-contact"' not in page(client, analyst, customer)
    url = reverse("customers:add_interaction", args=[customer.pk])
    assert client.post(url, {"ia-channel": "call", "ia-direction": "inbound", "ia-subject": "x"}).status_code == 403
    assert client.get(url, HTTP_HX_REQUEST="true").status_code == 403
    assert not Interaction.objects.exists()
