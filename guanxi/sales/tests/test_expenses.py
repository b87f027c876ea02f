"""Sales expenses: representatives enter their own, managers their team's (and its monthly figure,
once per team, month and sales method — refused with a 409 on every database, since SQLite does not
create the partial unique index), others nothing; the API walks the list to its end; a forbidden
change leaves every row as it was."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.errors import Conflict, PermissionDenied, ValidationFailed
from guanxi.core.testing import assert_error_body, assert_refused, client_for, post_json, rows_of
from guanxi.sales.models import SalesChannel, SalesExpense
from guanxi.sales.services.expenses import expense_delete, expense_record, expense_update

from .factories import deal, sales_team

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 20)


@pytest.fixture
def world():
    team, manager, (rep, other) = sales_team()
    _team2, manager2, (outsider, _x) = sales_team()
    return {"team": team, "manager": manager, "rep": rep, "other": other, "manager2": manager2,
            "outsider": outsider, "analyst": UserFactory(role=Role.ANALYST), "agent": UserFactory(role=Role.AGENT)}


def _state():
    return rows_of("sales")


def test_a_rep_enters_an_expense_for_a_deal_and_it_counts_for_the_team_month_and_channel(world):
    channel = SalesChannel.objects.create(code="t-direct", name="测试直销", order=1)
    opportunity = deal(world["rep"], channel=channel)
    expense = expense_record(actor=world["rep"], rep=world["rep"], spent_on=DAY, category="travel",
                             amount=Decimal("386.50"), opportunity=opportunity, note="广州出差")
    assert (expense.team, expense.month, expense.channel, expense.customer) == (
        world["team"], dt.date(2026, 11, 1), channel, opportunity.customer)
    assert expense.history.get().history_user == world["rep"]


@pytest.mark.parametrize("data, field", [
    ({"amount": Decimal("-1")}, "amount"), ({"amount": Decimal("0")}, "amount"),
    ({"category": "bribes"}, "category"), ({"note": "长" * 201}, "note"),
    ({"spent_on": dt.date(1999, 12, 31)}, "spent_on"),
])
def test_bad_input_is_refused_with_the_field_and_nothing_written(world, data, field):
    args = {"actor": world["rep"], "rep": world["rep"], "spent_on": DAY, "category": "travel",
            "amount": Decimal("10")} | data
    before = _state()
    with pytest.raises(ValidationFailed) as refused:
        expense_record(**args)
    assert field in refused.value.fields and _state() == before


def test_who_may_enter_change_and_delete(world):
    mine = expense_record(actor=world["rep"], rep=world["rep"], spent_on=DAY, category="travel", amount=Decimal(10))
    for actor in (world["other"], world["manager2"], world["outsider"], world["analyst"], world["agent"]):
        assert_refused(lambda a=actor: expense_update(actor=a, expense=mine, spent_on=DAY, category="travel",
                                                      amount=Decimal(99)), _state, PermissionDenied)
        assert_refused(lambda a=actor: expense_delete(actor=a, expense=mine), _state, PermissionDenied)
    assert_refused(lambda: expense_record(actor=world["rep"], rep=world["other"], spent_on=DAY, category="travel",
                                          amount=Decimal(5)), _state, PermissionDenied)
    changed = expense_update(actor=world["manager"], expense=mine, spent_on=DAY, category="entertainment",
                             amount=Decimal(99))
    assert (changed.amount, changed.category) == (Decimal(99), "entertainment")
    expense_delete(actor=world["rep"], expense=mine)
    assert not SalesExpense.objects.exists()
    assert SalesExpense.history.filter(history_type="-").count() == 1


def test_one_monthly_figure_per_team_month_and_channel(world):
    expense_record(actor=world["manager"], team=world["team"], spent_on=DAY, amount=Decimal(40000))
    assert_refused(lambda: expense_record(actor=world["manager"], team=world["team"], spent_on=DAY.replace(day=3),
                                          amount=Decimal(1)), _state, Conflict)
    tele = SalesChannel.objects.create(code="tele", name="电话销售", order=2)
    expense_record(actor=world["manager"], team=world["team"], spent_on=DAY, amount=Decimal(5), channel=tele)
    # entries of representatives are not monthly figures: as many as they spend
    for _ in range(2):
        expense_record(actor=world["rep"], rep=world["rep"], spent_on=DAY, category="travel", amount=Decimal(5))
    assert_refused(lambda: expense_record(actor=world["rep"], team=world["team"], spent_on=DAY, amount=Decimal(1)),
                   _state, PermissionDenied)


def test_the_api_lists_creates_updates_and_deletes(world):
    rep_client = client_for(world["rep"])
    for day in range(1, 8):
        created = post_json(rep_client, "/api/v1/sales/expenses", {
            "spent_on": f"2026-11-{day:02d}", "amount": "100.00", "category": "travel"})
        assert created.status_code == 201, created.content
    body = created.json()
    assert (body["rep"]["id"], body["team"]["id"], body["category"]) == (world["rep"].pk, world["team"].pk, "travel")
    seen, cursor = [], ""
    while True:
        page = rep_client.get("/api/v1/sales/expenses", {"limit": 3, "cursor": cursor}).json()
        seen += [e["id"] for e in page["items"]]
        if not page["next_cursor"]:
            break
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)) == 7
    url = f"/api/v1/sales/expenses/{body['id']}"
    changed = rep_client.put(url, data={"spent_on": "2026-11-09", "amount": "120", "category": "entertainment"},
                             content_type="application/json")
    assert changed.status_code == 200 and changed.json()["amount"] == "120.00"
    assert rep_client.delete(url).status_code == 204
    assert SalesExpense.objects.count() == 6


def test_the_api_refuses_forbidden_and_bad_calls_and_changes_nothing(world):
    mine = expense_record(actor=world["rep"], rep=world["rep"], spent_on=DAY, category="travel", amount=Decimal(10))
    url = f"/api/v1/sales/expenses/{mine.pk}"
    before = _state()
    body = {"spent_on": "2026-11-09", "amount": "1", "category": "travel"}
    # the other rep and the other team's manager do not even see it; the agent has no expenses at all
    for user in (world["other"], world["manager2"]):
        client = client_for(user)
        assert_error_body(client.put(url, data=body, content_type="application/json"), 404)
        assert_error_body(client.delete(url), 404)
    assert_error_body(client_for(world["analyst"]).delete(url), 403)
    assert_error_body(post_json(client_for(world["agent"]), "/api/v1/sales/expenses", body), 403)
    zh = client_for(world["rep"], HTTP_ACCEPT_LANGUAGE="zh-hans")
    refused = post_json(zh, "/api/v1/sales/expenses", {**body, "amount": "-3"})
    assert_error_body(refused, 422, "amount")
    assert_error_body(post_json(zh, "/api/v1/sales/expenses", {**body, "opportunity": 10**9}), 422, "opportunity")
    assert_error_body(post_json(zh, "/api/v1/sales/expenses", {**body, "rep": world["outsider"].pk}), 403)
    assert _state() == before
    manager = client_for(world["manager"], HTTP_ACCEPT_LANGUAGE="zh-hans")
    monthly = {"spent_on": "2026-11-01", "amount": "40000", "team": world["team"].pk, "rep": None}
    assert post_json(manager, "/api/v1/sales/expenses", monthly).status_code == 201
    twice = post_json(manager, "/api/v1/sales/expenses", monthly)
    assert_error_body(twice, 409)
    assert twice.json()["code"] == "expense_exists" and "已有" in twice.json()["message"]
    assert SalesExpense.objects.filter(rep__isnull=True).count() == 1


def test_the_pages_list_with_totals_enter_and_refuse(world):
    client = Client()
    client.force_login(world["rep"])
    response = client.post("/sales/expenses/new/", {"spent_on": "2026-11-20", "rep": world["rep"].pk,
                                                    "category": "travel", "amount": "386.50", "note": "高铁"})
    assert response.status_code == 302
    expense_record(actor=world["other"], rep=world["other"], spent_on=DAY, category="travel", amount=Decimal(7))
    page = client.get("/sales/expenses/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    assert "高铁" in html and "386.50" in html and page.context["totals"]["total"] == Decimal("386.50")
    filtered = client.get("/sales/expenses/", {"category": "entertainment"})
    assert filtered.context["totals"]["count"] == 0
    before = _state()
    bad = client.post("/sales/expenses/new/", {"spent_on": "2026-11-20", "rep": world["rep"].pk,
                                               "category": "travel", "amount": "-1"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert bad.status_code == 400 and "amount" in bad.context["form"].errors
    theirs = SalesExpense.objects.get(rep=world["other"])
    assert client.post(f"/sales/expenses/{theirs.pk}/delete/").status_code == 404
    agent = Client()
    agent.force_login(world["agent"])
    assert agent.get("/sales/expenses/").status_code == 403
    assert _state() == before


ENTERERS = frozenset({Role.SALES_REP, Role.SALES_MANAGER, Role.KEY_ACCOUNT_MANAGER, Role.ADMIN})


@pytest.mark.parametrize("role", tuple(Role.values))
def test_every_role_entering_its_own_and_deleting_another_teams_expense(world, role):
    """The permissions matrix: who may enter an expense of their own, and who may delete one of a
    representative of another team (administrators only); a refusal changes nothing."""
    theirs = expense_record(actor=world["rep"], rep=world["rep"], spent_on=DAY, category="travel",
                            amount=Decimal(10))
    actor = UserFactory(role=role, team=sales_team()[0])
    client = client_for(actor)
    before = _state()
    created = post_json(client, "/api/v1/sales/expenses", {"spent_on": "2026-11-02", "amount": "8",
                                                           "category": "other"})
    if role in ENTERERS:
        assert created.status_code == 201, created.content
    else:
        assert created.status_code == 403 and _state() == before
    before = _state()
    deleted = client.delete(f"/api/v1/sales/expenses/{theirs.pk}")
    if role == Role.ADMIN:
        assert deleted.status_code == 204
    else:
        assert deleted.status_code in (403, 404) and _state() == before
