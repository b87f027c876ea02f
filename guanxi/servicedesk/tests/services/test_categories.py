import json

import pytest
from django.urls import reverse

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.core.errors import Conflict, PermissionDenied, ValidationFailed
from guanxi.core.testing import assert_error_body, client_for
from guanxi.servicedesk.models import TicketCategory
from guanxi.servicedesk.selectors.categories import category_tree
from guanxi.servicedesk.services.categories import category_create, category_delete, category_update
from guanxi.servicedesk.services.tickets import ticket_create

pytestmark = pytest.mark.django_db
URL = "/api/v1/ticket-categories"


@pytest.fixture
def manager():
    return UserFactory(role=Role.SERVICE_MANAGER, team=TeamFactory(kind="service"))


@pytest.fixture
def agent():
    return UserFactory(role=Role.AGENT, team=TeamFactory(kind="service"))


def post(client, url, body, method="post"):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def test_a_manager_builds_a_tree_and_it_lists_parents_before_children(manager):
    network = category_create(actor=manager, name="网络故障")
    category_create(actor=manager, name="光猫", parent=network)
    category_create(actor=manager, name="资费")
    assert [(n.path, n.depth) for n in category_tree()] == [("网络故障", 0), ("网络故障 / 光猫", 1), ("资费", 0)]


def test_sibling_names_are_unique_but_may_repeat_elsewhere(manager):
    network = category_create(actor=manager, name="网络故障")
    billing = category_create(actor=manager, name="资费")
    category_create(actor=manager, name="其他", parent=network)
    category_create(actor=manager, name="其他", parent=billing)
    with pytest.raises(ValidationFailed):
        category_create(actor=manager, name="其他", parent=network)
    assert TicketCategory.objects.filter(name="其他").count() == 2


def test_a_category_cannot_move_into_its_own_subtree(manager):
    top = category_create(actor=manager, name="网络故障")
    child = category_create(actor=manager, name="光猫", parent=top)
    with pytest.raises(ValidationFailed):
        category_update(actor=manager, category=top, name="网络故障", parent=child)
    with pytest.raises(ValidationFailed):
        category_update(actor=manager, category=top, name="网络故障", parent=top)
    top.refresh_from_db()
    assert top.parent_id is None


def test_the_tree_is_at_most_four_levels_deep_also_when_moving_a_subtree(manager):
    level = None
    for name in ("一", "二", "三", "四"):
        level = category_create(actor=manager, name=name, parent=level)
    with pytest.raises(ValidationFailed):
        category_create(actor=manager, name="五", parent=level)
    other = category_create(actor=manager, name="甲")
    category_create(actor=manager, name="乙", parent=other)
    with pytest.raises(ValidationFailed):
        category_update(actor=manager, category=other, name="甲", parent=level.parent)
    category_update(actor=manager, category=other, name="甲", parent=level.parent.parent)
    assert [n.depth for n in category_tree() if n.category.name in ("甲", "乙")] == [2, 3]


def test_used_or_parent_categories_are_not_deleted(manager):
    top = category_create(actor=manager, name="网络故障")
    leaf = category_create(actor=manager, name="光猫", parent=top)
    ticket_create(actor=manager, customer=None, data={"subject": "光猫红灯", "type": "fault", "channel": "hotline",
                                                       "category": leaf.pk})
    with pytest.raises(Conflict) as parent_refused:
        category_delete(actor=manager, category=top)
    with pytest.raises(Conflict) as used_refused:
        category_delete(actor=manager, category=leaf)
    assert (parent_refused.value.code, used_refused.value.code) == ("category_has_children", "category_in_use")
    assert TicketCategory.objects.count() == 2
    spare = category_create(actor=manager, name="资费")
    category_delete(actor=manager, category=spare)
    assert not TicketCategory.objects.filter(pk=spare.pk).exists()


def test_agents_may_not_change_categories(agent, manager):
    top = category_create(actor=manager, name="网络故障")
    with pytest.raises(PermissionDenied):
        category_create(actor=agent, name="资费")
    with pytest.raises(PermissionDenied):
        category_update(actor=agent, category=top, name="改名", parent=None)
    top.refresh_from_db()
    assert top.name == "网络故障" and TicketCategory.objects.count() == 1


def test_category_changes_are_audited(manager):
    top = category_create(actor=manager, name="网络故障")
    category_update(actor=manager, category=top, name="网络与宽带", parent=None)
    names = list(top.history.order_by("history_id").values_list("name", "history_user"))
    assert names == [("网络故障", manager.pk), ("网络与宽带", manager.pk)]


def test_api_round_trip_and_errors(manager, agent):
    client = client_for(manager)
    created = post(client, URL, {"name": "网络故障"})
    assert created.status_code == 201, created.content
    top = created.json()
    child = post(client, URL, {"name": "光猫", "parent": top["id"]}).json()
    assert child["path"] == "网络故障 / 光猫" and child["depth"] == 1
    renamed = post(client, f"{URL}/{child['id']}", {"name": "光猫与路由器", "parent": top["id"]}, method="put")
    assert renamed.status_code == 200 and renamed.json()["name"] == "光猫与路由器"
    unknown_parent = post(client, URL, {"name": "资费", "parent": 999999})
    assert_error_body(unknown_parent, 422, "parent")
    assert unknown_parent.json()["fields"]["parent"] == "未知的分类"
    refused = client.delete(f"{URL}/{top['id']}")
    assert refused.status_code == 409 and refused.json()["code"] == "category_has_children"
    forbidden = post(client_for(agent), URL, {"name": "资费"})
    assert forbidden.status_code == 403
    assert [c["name"] for c in client_for(agent).get(URL).json()] == ["网络故障", "光猫与路由器"]
    assert client.delete(f"{URL}/{child['id']}").status_code == 204
    assert client.get(f"{URL}").json()[0]["name"] == "网络故障" and len(client.get(URL).json()) == 1


def test_the_page_adds_renames_and_deletes(client, manager, agent):
    client.force_login(manager)
    page = client.get(reverse("servicedesk:categories"))
    assert page.status_code == 200
    assert client.post(reverse("servicedesk:categories"), {"name": "网络故障"}).status_code == 302
    top = TicketCategory.objects.get(name="网络故障")
    response = client.post(reverse("servicedesk:category_edit", args=[top.pk]),
                           {f"c{top.pk}-name": "宽带故障", f"c{top.pk}-parent": ""})
    assert response.status_code == 302
    top.refresh_from_db()
    assert top.name == "宽带故障"
    assert "宽带故障" in client.get(reverse("servicedesk:categories")).content.decode()
    duplicate = client.post(reverse("servicedesk:categories"), {"name": "宽带故障"})
    assert duplicate.status_code == 422 and TicketCategory.objects.count() == 1
    client.post(reverse("servicedesk:category_delete", args=[top.pk]))
    assert not TicketCategory.objects.exists()
    client.force_login(agent)
    assert client.get(reverse("servicedesk:categories")).status_code == 403
    assert client.post(reverse("servicedesk:categories"), {"name": "资费"}).status_code == 403
    assert not TicketCategory.objects.exists()
