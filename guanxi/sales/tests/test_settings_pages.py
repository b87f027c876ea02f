"""The sales settings pages (销售设置): managers and administrators list, create and change stages,
reasons, sales methods, regions and outlets, assign representatives and set the big-deal amount;
other roles get 403, change nothing and do not see the menu entry. Errors show next to the field."""

from decimal import Decimal

import pytest
from django.test import Client

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.testing import rows_of
from guanxi.sales.models import DealReason, OpportunityStage, Outlet, Region, RepAssignment, SalesChannel
from guanxi.sales.selectors.configuration import sales_settings

from .factories import deal, sales_team

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world():
    _team, manager, reps = sales_team()
    return {"manager": manager, "rep": reps[0], "analyst": UserFactory(role=Role.ANALYST)}


def test_the_manager_sees_every_section_and_the_menu_entry(world):
    page = _client(world["manager"]).get("/sales/settings/", **ZH)
    assert page.status_code == 200
    html = page.content.decode()
    for marker in ("gx-stage-table", "gx-reason-table", "gx-channel-table", "gx-region-tree", "gx-outlet-table",
                   "gx-rep-form", "gx-big-deal-form", "销售设置"):
        assert marker in html
    assert "初步接洽" in html and 'href="/sales/settings/"' in html


@pytest.mark.parametrize("role", ["rep", "analyst"])
def test_other_roles_get_403_change_nothing_and_have_no_menu_entry(world, role):
    client = _client(world[role])
    before = rows_of("sales")
    assert client.get("/sales/settings/").status_code == 403
    assert client.get("/sales/settings/stages/new/").status_code == 403
    posts = {"/sales/settings/stages/new/": {"name": "试用", "order": 5, "probability": 30, "is_active": "on"},
             "/sales/settings/big-deal/": {"big-amount": "1"},
             f"/sales/settings/stages/{OpportunityStage.objects.first().pk}/delete/": {}}
    for url, data in posts.items():
        assert client.post(url, data).status_code == 403
    assert rows_of("sales") == before
    assert 'href="/sales/settings/"' not in client.get("/sales/").content.decode()


def test_stages_are_created_changed_and_refused_with_the_reason_next_to_the_field(world):
    client = _client(world["manager"])
    created = client.post("/sales/settings/stages/new/", {"name": "样机试用", "order": 35, "probability": 60,
                                                         "is_active": "on"})
    assert created.status_code == 302
    spare = OpportunityStage.objects.get(name="样机试用")
    assert (spare.order, spare.probability, spare.is_active) == (35, 60, True)
    bad = client.post(f"/sales/settings/stages/{spare.pk}/", {"name": "样机试用", "order": 35, "probability": 60,
                                                              "is_won": "on", "is_active": "on"}, **ZH)
    assert bad.status_code == 400
    assert "赢单阶段的概率为 100" in bad.content.decode() or "100" in bad.context["form"].errors["probability"][0]
    spare.refresh_from_db()
    assert not spare.is_won
    edited = client.post(f"/sales/settings/stages/{spare.pk}/", {"name": "样机测试", "order": 36, "probability": 55,
                                                                 "is_active": "on"})
    assert edited.status_code == 302
    spare.refresh_from_db()
    assert (spare.name, spare.order, spare.probability) == ("样机测试", 36, 55)
    assert spare.history.count() == 2


def test_deleting_a_stage_in_use_says_why_and_keeps_it(world):
    client = _client(world["manager"])
    used = deal(world["rep"]).stage
    page = client.get(f"/sales/settings/stages/{used.pk}/", **ZH)
    assert "gx-stage-in-use" in page.content.decode()
    refused = client.post(f"/sales/settings/stages/{used.pk}/delete/", follow=True, **ZH)
    assert OpportunityStage.objects.filter(pk=used.pk).exists()
    assert "不能删除" in refused.content.decode() or "cannot be deleted" not in refused.content.decode()
    spare = OpportunityStage.objects.create(name="备用", order=99, probability=5)
    assert client.post(f"/sales/settings/stages/{spare.pk}/delete/").status_code == 302
    assert not OpportunityStage.objects.filter(pk=spare.pk).exists()


def test_reasons_channels_regions_and_outlets(world):
    client = _client(world["manager"])
    assert client.post("/sales/settings/reasons/new/", {"kind": "lost", "name": "预算不足",
                                                        "is_active": "on"}).status_code == 302
    assert DealReason.objects.filter(kind="lost", name="预算不足").exists()
    duplicate = client.post("/sales/settings/reasons/new/", {"kind": "lost", "name": "预算不足"}, **ZH)
    assert duplicate.status_code == 400 and "name" in duplicate.context["form"].errors
    assert client.post("/sales/settings/channels/new/", {"code": "tele", "name": "电话销售", "order": 3,
                                                         "is_active": "on"}).status_code == 302
    bad_code = client.post("/sales/settings/channels/new/", {"code": "电话", "name": "电话", "order": 1})
    assert bad_code.status_code == 400 and "code" in bad_code.context["form"].errors
    assert SalesChannel.objects.filter(code="tele", name="电话销售").exists()
    client.post("/sales/settings/regions/new/", {"name": "华东"})
    east = Region.objects.get(name="华东")
    client.post("/sales/settings/regions/new/", {"name": "上海", "parent": east.pk})
    shanghai = Region.objects.get(name="上海")
    assert shanghai.parent == east
    loop = client.post(f"/sales/settings/regions/{east.pk}/", {"name": "华东", "parent": shanghai.pk})
    assert loop.status_code == 400 and "parent" in loop.context["form"].errors
    outlet = {"name": "徐汇营业厅", "region": shanghai.pk, "address": "漕溪北路 1 号", "is_active": "on"}
    assert client.post("/sales/settings/outlets/new/", outlet).status_code == 302
    html = client.get("/sales/settings/").content.decode()
    assert html.index("华东") < html.index("上海") and "徐汇营业厅" in html
    assert client.get("/sales/settings/unknown/new/").status_code == 404


def test_representatives_are_assigned_and_the_big_deal_amount_set_with_htmx(world):
    client = _client(world["manager"])
    region = Region.objects.create(name="华南")
    outlet = Outlet.objects.create(name="天河营业厅", region=region)
    answer = client.post("/sales/settings/reps/", {"rep-user": world["rep"].pk, "rep-outlet": outlet.pk},
                         HTTP_HX_REQUEST="true")
    assert answer.status_code == 200 and 'id="reps"' in answer.content.decode()
    assignment = RepAssignment.objects.get(user=world["rep"])
    assert (assignment.outlet, assignment.region) == (outlet, region)
    assert str(world["rep"]) in client.get("/sales/settings/").content.decode()
    analyst = client.post("/sales/settings/reps/", {"rep-user": world["analyst"].pk}, HTTP_HX_REQUEST="true")
    assert "invalid-feedback" in analyst.content.decode()
    assert not RepAssignment.objects.filter(user=world["analyst"]).exists()
    saved = client.post("/sales/settings/big-deal/", {"big-amount": "800000"}, HTTP_HX_REQUEST="true")
    assert saved.status_code == 200 and sales_settings().big_deal_amount == Decimal("800000")
    refused = client.post("/sales/settings/big-deal/", {"big-amount": "0"}, HTTP_HX_REQUEST="true", **ZH)
    assert "invalid-feedback" in refused.content.decode()
    assert sales_settings().big_deal_amount == Decimal("800000")
