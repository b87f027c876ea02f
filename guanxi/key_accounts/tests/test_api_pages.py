"""Key accounts through the API, the pages and the export: a key-account manager reaches only the accounts
they manage or back up (another's is refused with the reason, nothing changed); managers see all; the
list is paged to its end; plans against the ledger's actuals; the pages read in Chinese."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.test import Client

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.testing import assert_error_body, client_for, post_json, rows_of
from guanxi.segments.tests.factories import make_transactions
from guanxi.tasks.models import Task

from ..models import KeyAccount, KeyPerson
from ..services import key_account_plan_save, key_person_add, key_person_birthday_tasks
from .factories import account, contact, kam, organisation

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 15, 10, tzinfo=dt.UTC)


@pytest.fixture
def world(admin):
    first, second = kam(), kam()
    mine = account(admin, first, name="甲集团")
    backed = account(admin, second, backup=first, name="乙集团")
    theirs = account(admin, second, name="丙集团")
    return {"first": first, "second": second, "mine": mine, "backed": backed, "theirs": theirs}


def page_client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def test_a_key_account_manager_lists_only_theirs_and_those_they_back_up(world):
    body = client_for(world["first"]).get("/api/v1/key-accounts").json()
    assert {row["id"] for row in body["items"]} == {world["mine"].pk, world["backed"].pk}
    everything = client_for(UserFactory(role=Role.SALES_MANAGER)).get("/api/v1/key-accounts").json()
    assert len(everything["items"]) == 3


def test_the_list_is_paged_to_its_end(world):
    client, seen, cursor = client_for(UserFactory(role=Role.SALES_MANAGER)), [], ""
    while True:
        body = client.get("/api/v1/key-accounts", {"limit": 2, "cursor": cursor}).json()
        seen += [row["id"] for row in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(KeyAccount.objects.values_list("pk", flat=True))


def test_another_managers_account_is_refused_with_the_reason_through_the_api(world, admin):
    client, theirs = client_for(world["first"]), world["theirs"]
    for url in (
        f"/api/v1/key-accounts/{theirs.pk}",
        f"/api/v1/key-accounts/{theirs.pk}/plan",
        f"/api/v1/key-accounts/{theirs.pk}/people",
    ):
        body = assert_error_body(client.get(url), 403)
        assert "其他客户经理" in body["message"]
    boss = contact(admin, theirs.customer)
    before = rows_of("key_accounts")
    assert (
        post_json(client, f"/api/v1/key-accounts/{theirs.pk}/people", {"contact": boss.pk, "role": "user"}).status_code
        == 403
    )
    assert (
        client.put(
            f"/api/v1/key-accounts/{theirs.pk}/plan?year=2026", data={"strategy": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert rows_of("key_accounts") == before
    assert client.get(f"/api/v1/key-accounts/{world['backed'].pk}").status_code == 200
    assert assert_error_body(client_for(UserFactory(role=Role.AGENT)).get("/api/v1/key-accounts"), 403)


def test_people_through_the_api_and_a_person_linked_twice_is_refused(world, admin):
    client, mine = client_for(world["first"]), world["mine"]
    boss, cfo = contact(admin, mine.customer, "王总", title="总经理"), contact(admin, mine.customer, "赵总监")
    made = post_json(
        client,
        f"/api/v1/key-accounts/{mine.pk}/people",
        {"contact": boss.pk, "role": "decision_maker", "influence": 5, "relationship": 4},
    )
    assert made.status_code == 201, made.content
    before = rows_of("key_accounts")
    assert_error_body(
        post_json(client, f"/api/v1/key-accounts/{mine.pk}/people", {"contact": boss.pk, "role": "influencer"}),
        422,
        "contact",
    )
    assert rows_of("key_accounts") == before
    post_json(
        client,
        f"/api/v1/key-accounts/{mine.pk}/people",
        {"contact": cfo.pk, "role": "buyer", "reports_to": made.json()["id"]},
    )
    people = client.get(f"/api/v1/key-accounts/{mine.pk}/people").json()
    assert [(p["name"], p["reports_to"]) for p in people] == [("王总", None), ("赵总监", made.json()["id"])]


def test_designation_through_the_api_needs_the_reasons(admin):
    manager, owner = UserFactory(role=Role.SALES_MANAGER), kam()
    low = organisation(admin, "低分公司", score=30.0)
    client = client_for(manager)
    body = {"customer": low.pk, "tier": "key", "manager": owner.pk, "reason": "战略行业"}
    assert_error_body(post_json(client, "/api/v1/key-accounts", body), 422, "override_reason")
    assert not KeyAccount.objects.exists()
    made = post_json(client, "/api/v1/key-accounts", {**body, "override_reason": "集团指定"})
    assert made.status_code == 201, made.content
    detail = client.get(f"/api/v1/key-accounts/{made.json()['id']}").json()
    assert detail["history"][0]["override_reason"] == "集团指定" and not detail["meets_criteria"]
    assert [c["key"] for c in detail["criteria"]] == ["profit", "strategic", "loss", "relationship", "growth", "time"]
    assert (
        client_for(owner)
        .post(
            f"/api/v1/key-accounts/{made.json()['id']}/de-designate",
            data={"reason": "x"},
            content_type="application/json",
        )
        .status_code
        == 403
    )
    assert KeyAccount.objects.get().is_active


@time_machine.travel(NOW, tick=False)
def test_the_plan_against_the_ledgers_actuals(world):
    mine = world["mine"]
    mine.wallet_estimate = Decimal("100000")
    mine.save()
    make_transactions(
        mine.customer,
        [
            ("bill", dt.date(2026, 1, 10), 20000),
            ("bill", dt.date(2026, 3, 5), 10000),
            ("refund", dt.date(2026, 3, 6), 5000),
            ("bill", dt.date(2025, 12, 1), 99),
        ],
    )
    key_account_plan_save(
        actor=world["first"],
        account=mine,
        year=2026,
        data={"positioning": "首选供应商", "revenue_target": "100000", "share_target": "40"},
    )
    body = client_for(world["first"]).get(f"/api/v1/key-accounts/{mine.pk}/plan").json()
    assert body["year"] == 2026 and body["positioning"] == "首选供应商"
    actuals = body["actuals"]
    assert Decimal(actuals["revenue"]) == Decimal("25000") and Decimal(actuals["attainment"]) == Decimal("25.0")
    assert Decimal(actuals["share_of_wallet"]) == Decimal("25.0")
    assert actuals["monthly"][:3] == [20000.0, 0.0, 5000.0]
    bad = client_for(world["first"]).put(
        f"/api/v1/key-accounts/{mine.pk}/plan?year=2026", data={"share_target": 140}, content_type="application/json"
    )
    assert bad.status_code == 422


def test_pages_are_scoped_and_read_in_chinese(world, admin):
    first, mine, theirs = world["first"], world["mine"], world["theirs"]
    boss = contact(admin, mine.customer, "王总", title="总经理")
    key_person_add(actor=first, account=mine, contact=boss, role="decision_maker")
    client = page_client(first)
    listing = client.get("/key-accounts/").content.decode()
    assert "甲集团" in listing and "乙集团" in listing and "丙集团" not in listing and "大客户" in listing
    detail = client.get(f"/key-accounts/{mine.pk}/")
    assert detail.status_code == 200 and "关键人（组织架构）" in detail.content.decode()
    assert "王总" in detail.content.decode()
    assert client.get(f"/key-accounts/{mine.pk}/plan/").status_code == 200
    refused = client.get(f"/key-accounts/{theirs.pk}/")
    assert refused.status_code == 403
    assert client.get(f"/key-accounts/{theirs.pk}/plan/").status_code == 403
    before = rows_of("key_accounts")
    assert client.post(f"/key-accounts/{theirs.pk}/plan/?year=2026", {"strategy": "抢单"}).status_code == 403
    assert client.post(f"/key-accounts/{theirs.pk}/competitors/", {"name": "中国移动"}).status_code == 403
    assert rows_of("key_accounts") == before
    assert client.get("/key-accounts/candidates/").status_code == 403


def test_the_export_holds_only_the_managers_accounts(world):
    csv = page_client(world["first"]).get("/key-accounts/export.csv").content.decode("utf-8-sig")
    assert "甲集团" in csv and "乙集团" in csv and "丙集团" not in csv
    everything = page_client(UserFactory(role=Role.SALES_MANAGER)).get("/key-accounts/export.csv")
    assert "丙集团" in everything.content.decode("utf-8-sig")
    assert page_client(UserFactory(role=Role.AGENT)).get("/key-accounts/export.csv").status_code == 403


def test_a_manager_designates_through_the_page(admin):
    manager, owner = UserFactory(role=Role.SALES_MANAGER), kam()
    customer = organisation(admin, "丁公司", score=30.0)
    client = page_client(manager)
    assert "丁公司" in client.get("/key-accounts/candidates/?all=1").content.decode()
    page = client.get(f"/key-accounts/designate/{customer.pk}/")
    assert page.status_code == 200 and "未达标准" in page.content.decode()
    refused = client.post(
        f"/key-accounts/designate/{customer.pk}/", {"tier": "key", "manager": owner.pk, "reason": "战略客户"}
    )
    assert refused.status_code == 422 and not KeyAccount.objects.exists()
    done = client.post(
        f"/key-accounts/designate/{customer.pk}/",
        {"tier": "key", "manager": owner.pk, "reason": "战略客户", "override_reason": "集团指定"},
    )
    assert done.status_code == 302 and KeyAccount.objects.get().manager == owner
    detail = client.get(done["Location"]).content.decode()
    assert "集团指定" in detail and "取消认定" in detail


def test_key_peoples_birthdays_become_care_tasks_for_their_manager(world, admin):
    mine = world["mine"]
    boss = contact(admin, mine.customer, "王总", birth_date=dt.date(1970, 6, 15))
    key_person_add(actor=world["first"], account=mine, contact=boss, role="decision_maker")
    assert key_person_birthday_tasks(day=dt.date(2026, 6, 15)) == 1
    task = Task.objects.get(kind="care")
    assert task.assignee == world["first"] and "王总" in task.subject and task.customer_id == mine.customer_id
    assert key_person_birthday_tasks(day=dt.date(2026, 6, 16)) == 0
    assert key_person_birthday_tasks(day=dt.date(2026, 6, 15)) == 0  # run again (a redelivered task): once a day
    assert Task.objects.filter(kind="care").count() == 1
    assert KeyPerson.objects.count() == 1


def test_the_profile_takes_as_many_queries_with_many_people(world, admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ..selectors import account_profile

    first, mine = world["first"], world["mine"]
    boss = key_person_add(actor=first, account=mine, contact=contact(admin, mine.customer, "王总"), role="user")
    with CaptureQueriesContext(connection) as one:
        account_profile(user=first, account=mine)
    for i in range(6):
        key_person_add(
            actor=first, account=mine, contact=contact(admin, mine.customer, f"员工{i}"), role="user", reports_to=boss
        )
    with CaptureQueriesContext(connection) as seven:
        profile = account_profile(user=first, account=mine)
    assert len(seven) == len(one) and len(profile["chart"][0]["children"]) == 6
