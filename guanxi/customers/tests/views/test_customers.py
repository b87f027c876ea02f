import pytest
from django.urls import reverse

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.customers.models import Customer

from ..factories import make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    return UserFactory(role=Role.AGENT)


def login(client, user):
    client.force_login(user)
    return client


def test_pages_need_login(client):
    response = client.get(reverse("customers:list"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_list_shows_customers_and_is_chinese_by_default(client, admin):
    make_customer(admin, name="张三丰", mobile="13800138000")
    response = login(client, admin).get(reverse("customers:list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "张三丰" in body
    assert "客户" in body and "新建客户" in body
    assert '<html lang="zh-hans">' in body


def test_english_when_the_language_cookie_says_so(client, admin):
    client.cookies["django_language"] = "en"
    body = login(client, admin).get(reverse("customers:list")).content.decode()
    assert "New customer" in body and "新建客户" not in body


def test_english_when_accept_language_says_so(client, admin):
    body = login(client, admin).get(reverse("customers:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "New customer" in body


@pytest.mark.parametrize("query", ["zsf", "zhangsanfeng", "张三", "138 0013 8000", "+86 13800138000"])
def test_search_by_initials_pinyin_name_and_phone(client, admin, query):
    make_customer(admin, name="张三丰", mobile="13800138000")
    make_customer(admin, name="李四", mobile="13900139000")
    body = login(client, admin).get(reverse("customers:list"), {"q": query}).content.decode()
    assert "张三丰" in body
    assert "李四" not in body


def test_filters_and_ordering(client, admin):
    make_customer(admin, name="甲公司", kind="organisation", lifecycle_stage="mature")
    make_customer(admin, name="乙先生", kind="individual", lifecycle_stage="prospect")
    login(client, admin)
    body = client.get(reverse("customers:list"), {"kind": "organisation"}).content.decode()
    assert "甲公司" in body and "乙先生" not in body
    body = client.get(reverse("customers:list"), {"lifecycle_stage": "prospect"}).content.decode()
    assert "乙先生" in body and "甲公司" not in body
    body = client.get(reverse("customers:list"), {"ordering": "name_pinyin"}).content.decode()
    assert body.index("甲公司") < body.index("乙先生")
    body = client.get(reverse("customers:list"), {"ordering": "-name_pinyin"}).content.decode()
    assert body.index("乙先生") < body.index("甲公司")
    assert client.get(reverse("customers:list"), {"ordering": "password"}).status_code == 200


def test_pagination(client, admin):
    for i in range(23):
        make_customer(admin, name=f"客户{i:02d}")
    login(client, admin)
    first = client.get(reverse("customers:list"), {"ordering": "name"})
    assert first.context["page"].count == 23 and first.context["page"].num_pages == 2
    second = client.get(reverse("customers:list"), {"ordering": "name", "page": 2})
    assert [r["name"] for r in second.context["rows"]] == ["客户20", "客户21", "客户22"]


def test_a_search_beyond_the_first_page_is_counted_from_its_ids(client, admin, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(25):
        make_customer(admin, name=f"孙{i:02d}")
    login(client, admin)
    with CaptureQueriesContext(connection) as captured:
        first = client.get(reverse("customers:list"), {"q": "孙", "ordering": "name"})
    assert (first.context["page"].count, first.context["page"].count_is_exact) == (25, True)
    assert not [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
    second = client.get(reverse("customers:list"), {"q": "孙", "ordering": "name", "page": 2})
    assert [r["name"] for r in second.context["rows"]] == ["孙20", "孙21", "孙22", "孙23", "孙24"]
    monkeypatch.setattr("guanxi.customers.selectors.customers.SEARCH_CAP", 20)
    capped = client.get(reverse("customers:list"), {"q": "孙"})
    assert (capped.context["page"].count, capped.context["page"].count_is_exact) == (20, False)
    assert "20" in capped.content.decode() and "缩小" in capped.content.decode()


def test_htmx_request_returns_only_the_table(client, admin):
    make_customer(admin, name="张三丰")
    response = login(client, admin).get(reverse("customers:list"), {"q": "zsf"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="customer-table"')
    assert "<html" not in body and "张三丰" in body


def test_agent_sees_masked_phone_admin_sees_full(client, admin, agent):
    customer = make_customer(admin, name="张三丰", mobile="13800138000", id_type="resident_id",
                             id_number="11010519491231002X")
    login(client, agent)
    for url in (reverse("customers:list"), reverse("customers:detail", args=[customer.pk])):
        body = client.get(url).content.decode()
        assert "138****8000" in body
        assert "13800138000" not in body
    assert "11010519491231002X" not in client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    login(client, admin)
    for url in (reverse("customers:list"), reverse("customers:detail", args=[customer.pk])):
        assert "13800138000" in client.get(url).content.decode()


def test_detail_shows_sections_and_history(client, admin):
    customer = make_customer(admin, name="张三丰", mobile="13800138000", tags=["VIP"])
    login(client, admin)
    client.post(reverse("customers:edit", args=[customer.pk]),
                {"kind": "individual", "name": "张三丰", "lifecycle_stage": "mature", "source": "web",
                 "mobile": "13800138000", "tags": "VIP"})
    response = client.get(reverse("customers:detail", args=[customer.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    for section in ("基本资料", "计费", "信用", "联系人", "联系方式", "地址", "变更记录", "VIP"):
        assert section in body, section
    history = response.context["history"]
    assert history[0].action == "updated" and history[-1].action == "created"
    assert any(after == "成熟期" for _, _, after in history[0].changes)


def test_create_customer(client, admin):
    response = login(client, admin).post(reverse("customers:create"), {
        "kind": "individual", "name": "张三丰", "mobile": "138 0013 8000", "lifecycle_stage": "prospect",
        "source": "call_center", "tags": "VIP, 老客户",
    })
    customer = Customer.objects.get(name="张三丰")
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:detail", args=[customer.pk])
    assert customer.mobile == "+8613800138000"
    assert sorted(customer.tags.values_list("name", flat=True)) == ["VIP", "老客户"]


def test_create_shows_service_errors_inline(client, admin):
    response = login(client, admin).post(reverse("customers:create"), {
        "kind": "individual", "name": "张三丰", "mobile": "hello", "lifecycle_stage": "prospect",
        "source": "call_center",
    })
    assert response.status_code == 200
    assert "mobile" in response.context["form"].errors
    assert "is-invalid" in response.content.decode()
    assert not Customer.objects.exists()


def test_analyst_cannot_create(client):
    analyst = UserFactory(role=Role.ANALYST)
    login(client, analyst)
    assert "新建客户" not in client.get(reverse("customers:list")).content.decode()
    assert client.get(reverse("customers:create")).status_code == 403
    response = client.post(reverse("customers:create"), {"kind": "individual", "name": "X",
                                                          "lifecycle_stage": "prospect", "source": "web"})
    assert response.status_code == 403
    assert not Customer.objects.exists()


def test_sales_rep_cannot_see_or_edit_another_reps_customer(client):
    team = TeamFactory()
    rep_a = UserFactory(role=Role.SALES_REP, team=team)
    rep_b = UserFactory(role=Role.SALES_REP, team=team)
    theirs = make_customer(rep_a, name="甲的客户")
    login(client, rep_b)
    assert "甲的客户" not in client.get(reverse("customers:list")).content.decode()
    assert client.get(reverse("customers:detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("customers:edit", args=[theirs.pk])).status_code == 404
    response = client.post(reverse("customers:edit", args=[theirs.pk]),
                           {"kind": "individual", "name": "改名", "lifecycle_stage": "prospect", "source": "web"})
    assert response.status_code == 404
    assert client.post(reverse("customers:delete", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "甲的客户" and theirs.deleted_at is None


def test_agent_cannot_delete_and_does_not_see_the_button(client, admin, agent):
    customer = make_customer(admin, name="张三丰")
    login(client, agent)
    body = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert 'id="gx-delete"' not in body and 'id="gx-edit"' in body
    assert client.post(reverse("customers:delete", args=[customer.pk])).status_code == 403
    customer.refresh_from_db()
    assert customer.deleted_at is None


def test_agent_edit_keeps_hidden_personal_data(client, admin, agent):
    customer = make_customer(admin, name="张三丰", mobile="13800138000")
    login(client, agent)
    page = client.get(reverse("customers:edit", args=[customer.pk])).content.decode()
    assert "13800138000" not in page and "138****8000" in page
    response = client.post(reverse("customers:edit", args=[customer.pk]), {
        "kind": "individual", "name": "张三丰", "lifecycle_stage": "growing", "source": "web", "mobile": "",
    })
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.mobile == "+8613800138000" and customer.lifecycle_stage == "growing"


def test_admin_soft_deletes_after_confirm(client, admin):
    customer = make_customer(admin, name="张三丰")
    login(client, admin)
    assert client.get(reverse("customers:delete", args=[customer.pk])).status_code == 200
    response = client.post(reverse("customers:delete", args=[customer.pk]))
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.deleted_at is not None
    assert client.get(reverse("customers:detail", args=[customer.pk])).status_code == 404


def test_inline_forms_add_contact_point_address_and_contact(client, admin):
    customer = make_customer(admin, name="张三丰")
    login(client, admin)
    url = reverse("customers:add_contact_point", args=[customer.pk])
    body = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    for section, field in (("contact_points", "cp-value"), ("addresses", "addr-province"), ("contacts", "ct-name")):
        assert f'id="{section}-add"' in body and f'name="{field}"' not in body  # fetched when opened
    form = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="contact_points-form"' in form and 'name="cp-value"' in form
    response = client.post(url, {"cp-kind": "mobile", "cp-value": "13900139000"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<section class="card h-100" id="contact_points"')
    bad = client.post(url, {"cp-kind": "mobile", "cp-value": "123"}, HTTP_HX_REQUEST="true")
    assert "cp-value" in bad.content.decode() and "is-invalid" in bad.content.decode()
    client.post(reverse("customers:add_address", args=[customer.pk]),
                {"addr-kind": "home", "addr-province": "广东省", "addr-city": "深圳市", "addr-street": "深南大道1号"},
                HTTP_HX_REQUEST="true")
    client.post(reverse("customers:add_contact", args=[customer.pk]), {"ct-name": "王经理", "ct-is_key_person": "on"})
    assert customer.contact_points.get().normalized == "+8613900139000"
    assert customer.addresses.get().street == "深南大道1号"
    assert customer.contacts.get().is_key_person


def test_analyst_cannot_add_contact_point(client, admin):
    customer = make_customer(admin, name="张三丰")
    login(client, UserFactory(role=Role.ANALYST))
    response = client.post(reverse("customers:add_contact_point", args=[customer.pk]),
                           {"cp-kind": "mobile", "cp-value": "13900139000"})
    assert response.status_code == 403
    assert client.get(reverse("customers:add_address", args=[customer.pk]), HTTP_HX_REQUEST="true").status_code == 403
    assert not customer.contact_points.exists()


def test_home_dashboard_counts_what_the_user_can_see(client):
    rep = UserFactory(role=Role.SALES_REP)
    make_customer(rep, name="我的客户", lifecycle_stage="mature")
    make_customer(UserFactory(role=Role.SALES_REP), name="别人的客户")
    response = login(client, rep).get(reverse("core:home"))
    assert response.status_code == 200
    panel = response.context["panels"][0]["context"]
    assert panel["total"] == 1
    assert [item["value"] for item in panel["by_stage"]] == [1]
    body = response.content.decode()
    assert "我的客户" in body and "别人的客户" not in body
    assert 'id="gx-by-stage"' in body and "echarts.min.js" in body


def test_export_button_and_csv_follow_the_page_filters(client):
    from guanxi.accounts.tests.factories import UserFactory
    from guanxi.customers.tests.factories import make_customer

    manager = UserFactory(role="service_manager")
    make_customer(manager, name="导出甲", lifecycle_stage="new")
    make_customer(manager, name="导出乙", lifecycle_stage="mature")
    client.force_login(manager)
    assert 'id="gx-export"' in client.get("/customers/").content.decode()
    response = client.get("/customers/export.csv", {"lifecycle_stage": "new"})
    # Streamed through nginx as it comes; every other answer is buffered by it (docs/deployment.md).
    assert response["X-Accel-Buffering"] == "no" and "X-Accel-Buffering" not in client.get("/customers/")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "导出甲" in text and "导出乙" not in text
    agent = UserFactory(role="agent")
    client.force_login(agent)
    assert 'id="gx-export"' not in client.get("/customers/").content.decode()
    assert client.get("/customers/export.csv").status_code == 403
