import csv
import io
import json

import pytest
from django.db import connection
from django.test import Client

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.core.testing import assert_error_body, client_for, post_json
from guanxi.customers.models import Customer

from ..factories import make_customer

pytestmark = pytest.mark.django_db
URL = "/api/v1/customers"


def test_requests_without_credentials_are_refused():
    response = Client().get(URL)
    assert_error_body(response, 401)


def test_revoked_or_made_up_tokens_are_refused(admin):
    assert Client(HTTP_AUTHORIZATION="Bearer gx_nothing").get(URL).status_code == 401
    client = client_for(admin)
    token = admin.api_tokens.get()
    assert client.delete(f"/api/v1/tokens/{token.pk}").status_code == 204
    assert client.get(URL).status_code == 401


def test_create_then_find_by_initials_and_read_detail(admin):
    client = client_for(admin)
    response = post_json(client, URL, {"kind": "individual", "name": "张三", "mobile": "+86 138-0013-8000",
                                  "tags": ["VIP", "宽带"]})
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["mobile"] == "+8613800138000" and sorted(created["tags"]) == ["VIP", "宽带"]
    found = client.get(URL, {"q": "zs"}).json()
    assert [row["id"] for row in found["items"]] == [created["id"]]
    detail = client.get(f"{URL}/{created['id']}").json()
    assert detail["name"] == "张三" and detail["personal_data_masked"] is False


def test_list_filters_orders_and_paginates(admin):
    client = client_for(admin)
    for i, stage in enumerate(["new", "new", "mature"]):
        make_customer(admin, name=f"客户{i}", lifecycle_stage=stage, arpu=str(10 * (i + 1)))
    page = client.get(URL, {"lifecycle_stage": "new", "ordering": "-arpu", "page_size": 1}).json()
    assert page["count"] == 2 and page["count_is_exact"]
    assert page["items"][0]["name"] == "客户1"
    second = client.get(URL, {"lifecycle_stage": "new", "ordering": "-arpu", "page_size": 1, "page": 2}).json()
    assert second["items"][0]["name"] == "客户0"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "张三"}, "kind"),
        ({"kind": "individual"}, "name"),
        ({"kind": "individual", "name": "张三", "mobile": "call me"}, "mobile"),
        ({"kind": "individual", "name": "张三", "mobile": "1390000222"}, "mobile"),
        ({"kind": "individual", "name": "张三", "mobile": "+86 139 0000 222"}, "mobile"),
        ({"kind": "individual", "name": "张三", "mobile": "010-6552 9988"}, "mobile"),
        ({"kind": "individual", "name": "张三", "arpu": "lots"}, "arpu"),
        ({"kind": "individual", "name": "张三", "arpu": -1}, "arpu"),
        ({"kind": "individual", "name": "张三", "birth_date": "31/02/1990"}, "birth_date"),
        ({"kind": "individual", "name": "x" * 101}, "name"),
        ({"kind": "individual", "name": "张三", "owner": 99999}, "owner"),
        ({"kind": "alien", "name": "张三"}, "kind"),
    ],
)
def test_bad_input_gets_a_4xx_with_the_field_and_writes_nothing(admin, body, field):
    response = post_json(client_for(admin), URL, body)
    assert_error_body(response, 422, field)
    assert Customer.objects.count() == 0


def test_malformed_json_and_wrong_types_are_4xx(admin):
    client = client_for(admin)
    assert_error_body(post_json(client, URL, "{not json"), 400)
    assert_error_body(post_json(client, URL, '["a list"]'), 422)
    assert_error_body(client.get(URL, {"page": "abc"}), 422, "page")
    assert_error_body(client.get(URL, {"ordering": "password"}), 422, "ordering")
    assert Customer.objects.count() == 0


def test_oversized_payload_is_refused(admin, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = post_json(client_for(admin), URL, {"kind": "individual", "name": "张三", "notes": "长" * 20_000})
    assert response.status_code in (413, 422)
    assert set(response.json()) == {"code", "message", "fields"}
    assert Customer.objects.count() == 0


def test_injection_strings_are_refused_or_stored_as_inert_text(admin):
    client = client_for(admin)
    markup = post_json(client, URL, {"kind": "individual", "name": "张三<script>alert(1)</script>"})
    assert_error_body(markup, 422, "name")
    assert Customer.objects.count() == 0
    sql = "O'Brien'; DROP TABLE customers_customer; --"
    response = post_json(client, URL, {"kind": "individual", "name": sql, "notes": "<b>备注</b>"})
    assert response.status_code == 201
    assert client.get(URL, {"q": "'; DROP TABLE"}).status_code == 200
    assert client.get(URL, {"q": '"*) OR 1=1 --'}).status_code == 200
    assert Customer.objects.get().name == sql  # parameterised queries: stored, never executed


def test_unknown_ids_are_404(admin):
    client = client_for(admin)
    assert_error_body(client.get(f"{URL}/987654"), 404)
    assert_error_body(client.patch(f"{URL}/987654", data="{}", content_type="application/json"), 404)
    assert_error_body(client.get(f"{URL}/abc"), 404)


def test_sales_rep_cannot_read_or_change_another_reps_customer():
    owner, intruder = UserFactory(role=Role.SALES_REP), UserFactory(role=Role.SALES_REP)
    customer = make_customer(owner, name="张三")
    client = client_for(intruder)
    assert client.get(f"{URL}/{customer.pk}").status_code == 404
    response = client.patch(f"{URL}/{customer.pk}", data={"name": "被改"}, content_type="application/json")
    assert response.status_code == 404
    assert client.delete(f"{URL}/{customer.pk}").status_code == 404
    assert client.get(URL).json()["count"] == 0
    customer.refresh_from_db()
    assert customer.name == "张三" and customer.deleted_at is None


def test_sales_manager_sees_the_team_but_not_other_teams():
    team = TeamFactory()
    rep = UserFactory(role=Role.SALES_REP, team=team)
    manager = UserFactory(role=Role.SALES_MANAGER, team=team)
    other_rep = UserFactory(role=Role.SALES_REP)
    mine, theirs = make_customer(rep, name="本组客户"), make_customer(other_rep, name="外组客户")
    names = {row["name"] for row in client_for(manager).get(URL).json()["items"]}
    assert names == {mine.name}
    assert client_for(manager).get(f"{URL}/{theirs.pk}").status_code == 404


def test_agent_reads_everyone_masked_and_cannot_delete(admin):
    customer = make_customer(admin, name="张三", mobile="13800138000", id_type="resident_id",
                             id_number="11010519491231002X", email="zs@example.com")
    agent = client_for(UserFactory(role=Role.AGENT))
    row = agent.get(URL, {"q": "13800138000"}).json()["items"][0]
    assert row["mobile"] == "+86138****8000" and row["personal_data_masked"]
    detail = agent.get(f"{URL}/{customer.pk}").json()
    assert "13800138000" not in json.dumps(detail) and detail["id_number"] == "1101**********002X"
    assert_error_body(agent.delete(f"{URL}/{customer.pk}"), 403)
    assert Customer.objects.alive().filter(pk=customer.pk).exists()


def test_analyst_cannot_write():
    analyst = client_for(UserFactory(role=Role.ANALYST))
    assert_error_body(post_json(analyst, URL, {"kind": "individual", "name": "张三"}), 403)
    assert Customer.objects.count() == 0


def test_history_shows_who_changed_what_and_masks_for_agents(admin):
    client = client_for(admin)
    customer = make_customer(admin, name="张三", mobile="13800138000")
    response = client.patch(f"{URL}/{customer.pk}", data={"mobile": "13900139000", "arpu": "99"},
                            content_type="application/json")
    assert response.status_code == 200, response.content
    history = client.get(f"{URL}/{customer.pk}/history").json()
    assert [e["action"] for e in history] == ["updated", "created"]
    changes = {c["field"]: c for c in history[0]["changes"]}
    assert changes["mobile"]["after"] == "+8613900139000"
    agent_view = client_for(UserFactory(role=Role.AGENT)).get(f"{URL}/{customer.pk}/history").json()
    assert "13900139000" not in json.dumps(agent_view)


def test_contact_points_and_addresses_through_the_api(admin):
    client = client_for(admin)
    customer = make_customer(admin, name="李四")
    point = post_json(client, f"{URL}/{customer.pk}/contact-points", {"kind": "phone", "value": "010-6552 9988"})
    assert point.status_code == 201
    assert client.get(URL, {"q": "01065529988"}).json()["count"] == 1
    assert_error_body(post_json(client, f"{URL}/{customer.pk}/addresses", {"kind": "home", "province": "火星"}),
                      422, "province")
    assert post_json(client, f"{URL}/{customer.pk}/addresses", {"kind": "home", "province": "浙江"}).status_code == 201


def test_openapi_schema_is_served():
    schema = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/customers" in schema["paths"]


def test_broad_search_is_capped_and_says_so(admin, monkeypatch):
    from guanxi.customers.selectors import customers as selectors

    monkeypatch.setattr(selectors, "SEARCH_CAP", 3)
    for i in range(5):
        make_customer(admin, name=f"张{i}号")
    client = client_for(admin)
    page = client.get(URL, {"q": "zhang", "page_size": 2}).json()
    assert (page["count"], page["count_is_exact"]) == (3, False)
    last = client.get(URL, {"q": "zhang", "page_size": 2, "page": 2}).json()
    # the search keeps one match more than the cap, to tell that there are more: "more than 3"
    assert (len(last["items"]), last["next_cursor"]) == (2, None)
    narrow = client.get(URL, {"q": "张1号"}).json()
    assert (narrow["count"], narrow["count_is_exact"]) == (1, True)


def test_a_customer_matched_several_ways_counts_once_and_the_cap_still_tells_of_more(admin, monkeypatch):
    from guanxi.customers.selectors import customers as selectors

    monkeypatch.setattr(selectors, "SEARCH_CAP", 3)
    # 张 starts the pinyin of the first two and is a word of every name: the first two match twice.
    for name in ("张一号", "张二号", "李章", "王章", "赵章"):
        make_customer(admin, name=name)
    client = client_for(admin)
    first = client.get(URL, {"q": "zhang", "page_size": 2}).json()
    assert (first["count"], first["count_is_exact"]) == (3, False)  # more than 3, though repeats came first
    second = client.get(URL, {"q": "zhang", "page_size": 2, "page": 2}).json()
    assert len({item["id"] for item in first["items"] + second["items"]}) == 4  # the cap and one more
    two = client.get(URL, {"q": "张", "page_size": 10}).json()
    assert {item["name"] for item in two["items"]} == {"张一号", "张二号"} and two["count_is_exact"]


def test_over_the_cap_the_names_holding_the_whole_word_are_the_ones_shown(admin, monkeypatch):
    from django.db import connection

    from guanxi.customers.selectors import customers as selectors

    monkeypatch.setattr(selectors, "SEARCH_CAP", 3)
    for name in ("Wu Chaoyang", "Li Chaohua", "Ada Chaoming"):  # "chao" begins a later word of these
        make_customer(admin, name=name)
    for name in ("Zhao Chao", "Wang Chao", "Li Chao", "Sun Chao"):  # and is a whole word of these
        make_customer(admin, name=name)
    client = client_for(admin)
    first = client.get(URL, {"q": "chao", "page_size": 2}).json()
    assert (first["count"], first["count_is_exact"]) == (3, False)
    second = client.get(URL, {"q": "chao", "page_size": 2, "page": 2}).json()
    names = {item["name"] for item in first["items"] + second["items"]}
    if connection.vendor == "postgresql":  # whole words are read first; SQLite reads one FTS query
        assert names == {"Zhao Chao", "Wang Chao", "Li Chao", "Sun Chao"}
    only = client.get(URL, {"q": "chaoh"}).json()
    assert [item["name"] for item in only["items"]] == ["Li Chaohua"]


def test_a_word_finds_every_name_once_and_over_the_cap_the_word_index_sample_comes_first(admin, monkeypatch):
    from guanxi.customers.selectors import customers as selectors

    made = [make_customer(admin, name=f"No{i} Fang") for i in range(70)]  # 70 ids in a row: one or two of 64
    client = client_for(admin)
    every = client.get(URL, {"q": "fang", "page_size": 100}).json()
    assert (every["count"], every["count_is_exact"]) == (70, True)
    assert sorted(item["id"] for item in every["items"]) == sorted(c.pk for c in made)
    monkeypatch.setattr(selectors, "SEARCH_CAP", 3)
    read = [item["id"] for page in (1, 2) for item in client.get(URL, {"q": "fang", "page_size": 2,
                                                                        "page": page}).json()["items"]]
    assert len(set(read)) == 4
    if connection.vendor == "postgresql":  # the sample (one customer in 64) is read first
        assert {c.pk for c in made if c.pk % 64 == 0} <= set(read)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's word index is an FTS5 table")
def test_the_word_index_sample_is_spelled_as_its_index_so_that_postgresql_uses_it(admin):
    from django.db import transaction

    from guanxi.customers.selectors import customers as selectors

    make_customer(admin, name="Fang Yi")
    sample, rest = selectors._sampled(selectors._name_words_condition(["fang"]))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = Customer.objects.filter(sample).values("pk")[:201].explain()
        assert "customer_name_terms_words_sample" in plan
        assert "customer_name_terms_words_sample" not in Customer.objects.filter(rest).values("pk")[:201].explain()


def test_a_search_page_counts_from_the_ids_it_read_without_asking_the_database_again(admin, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from guanxi.customers.selectors import customers as selectors

    monkeypatch.setattr(selectors, "SEARCH_CAP", 3)
    for number in range(5):
        make_customer(admin, name=f"钱{number}号")
    client = client_for(admin)
    for query, expected in (({"q": "钱", "page_size": 2}, (3, False)), ({"q": "钱1号", "page_size": 2}, (1, True))):
        with CaptureQueriesContext(connection) as captured:
            body = client.get(URL, query).json()
        assert (body["count"], body["count_is_exact"]) == expected
        assert not [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]


@pytest.mark.parametrize("ordering", ["-updated_at", "name", "name_pinyin", "code", "-arpu", "created_at",
                                      "lifecycle_stage", "id"])
def test_a_list_page_reads_only_its_rows_in_the_same_queries_whatever_the_ordering(admin, ordering):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from guanxi.customers.models import Brand

    team = TeamFactory()
    owner = UserFactory(role=Role.SALES_REP, team=team, display_name="周经理")
    brand = Brand.objects.create(name="金牌")
    for number in range(6):
        make_customer(admin, name=f"吴{number}", owner=owner, team=team, brand=brand, mobile=f"1380013800{number}")
    client = client_for(admin)
    client.get(URL, {"ordering": ordering, "page_size": 4})  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as captured:
        first = client.get(URL, {"ordering": ordering, "page_size": 4}).json()
        rest = client.get(URL, {"ordering": ordering, "page_size": 4, "cursor": first["next_cursor"]}).json()
    row = first["items"][0]
    assert (row["owner"]["name"], row["team"]["name"], row["brand"]["name"]) == ("周经理", team.name, "金牌")
    assert row["mobile"].startswith("+86138") and len(first["items"]) + len(rest["items"]) == 6
    customer_reads = [q for q in captured.captured_queries if 'FROM "customers_customer"' in q["sql"]]
    assert len(customer_reads) == 4, [q["sql"][:120] for q in customer_reads]  # each page: its rows, its count


def test_export_is_masked_by_role_and_refused_to_roles_without_export(admin):
    make_customer(admin, name="导出客户", mobile="13800138000", email="dc@example.com")
    make_customer(admin, name="=HYPERLINK(1)")
    full = b"".join(client_for(admin).get(f"{URL}/export").streaming_content).decode("utf-8-sig")
    assert "138 0013 8000" in full and "'=HYPERLINK(1)" in full
    # Phone numbers are data: no cell of the file starts like a formula but real formula text.
    cells = [cell for line in csv.reader(io.StringIO(full)) for cell in line]
    assert [c for c in cells if c[:1] in "=+-@" and c] == []
    assert "13800138000" not in full and "'+86" not in full
    lead = client_for(UserFactory(role=Role.TEAM_LEAD))
    masked = b"".join(lead.get(f"{URL}/export", {"q": "导出"}).streaming_content).decode("utf-8-sig")
    assert "导出客户" in masked and "138 **** 8000" in masked and "=HYPERLINK" not in masked
    assert_error_body(client_for(UserFactory(role=Role.AGENT)).get(f"{URL}/export"), 403)
