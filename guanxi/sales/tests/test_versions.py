"""No lost updates on a deal: the GET's ETag is its version; a change, move, win or loss made from an
older read is refused with 409 and what changed since (masked as its reader sees it), on the API and on
the deal's pages; without a version the change still works on the current deal."""

import json

import pytest
from django.urls import reverse

from guanxi.core.masking import mask_free_text
from guanxi.core.testing import assert_error_body, client_for, post_json
from guanxi.core.versioning import VersionConflict, require_version
from guanxi.sales.models import Opportunity
from guanxi.sales.services.opportunities import VERSIONED_FIELDS, opportunity_update

from .factories import deal, reason, sales_team, stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    _, manager, reps = sales_team()
    return manager, reps[0]


def patch(client, url, body, **headers):
    return client.patch(url, data=json.dumps(body), content_type="application/json", **headers)


def test_a_change_from_an_older_read_is_409_with_the_current_values(team):
    manager, rep = team
    opportunity = deal(rep, amount="10000.00")
    url = f"/api/v1/opportunities/{opportunity.pk}"
    read = client_for(rep).get(url)
    assert read["ETag"] == '"1"' and read.json()["version"] == 1
    changed = patch(client_for(manager), url, {"amount": "20000"}, HTTP_IF_MATCH=read["ETag"])
    assert changed.status_code == 200 and changed["ETag"] == '"2"'
    refused = patch(client_for(rep), url, {"name": "宽带专线二期"}, HTTP_IF_MATCH=read["ETag"])
    body = assert_error_body(refused, 409, "amount")
    assert body["changes"] == [{"field": "amount", "label": "金额", "value": "20000.00"}]
    assert Opportunity.objects.get(pk=opportunity.pk).name == "宽带专线"


def test_a_move_or_a_win_from_an_older_read_changes_nothing(team):
    manager, rep = team
    opportunity = deal(rep)
    url = f"/api/v1/opportunities/{opportunity.pk}"
    moved = post_json(client_for(manager), f"{url}/move", {"stage": stage("商务谈判").pk, "version": 1})
    assert moved.status_code == 200, moved.content
    refused = assert_error_body(post_json(client_for(rep), f"{url}/move", {"stage": stage("方案报价").pk},
                                          HTTP_IF_MATCH='"1"'), 409)
    assert {c["field"] for c in refused["changes"]} >= {"stage", "probability"}
    won = post_json(client_for(rep), f"{url}/win", {"reason": reason("won").pk, "version": 1})
    assert assert_error_body(won, 409)["code"] == "version_conflict"
    fresh = Opportunity.objects.get(pk=opportunity.pk)
    assert (fresh.status, fresh.stage.name, fresh.version) == ("open", "商务谈判", 2)
    assert post_json(client_for(rep), f"{url}/win", {"reason": reason("won").pk}).json()["status"] == "won"


def test_free_text_is_masked_by_its_own_rule_in_the_conflict(team):
    manager, rep = team
    opportunity = deal(rep, name="张三 13800138000 的专线")
    opportunity_update(actor=manager, opportunity=opportunity, data={"name": "张三 13900139000 的专线"})
    with pytest.raises(VersionConflict) as caught:
        require_version(Opportunity.objects.get(pk=opportunity.pk), 1, fields=VERSIONED_FIELDS,
                        masked={"name": mask_free_text})
    assert {c.field: c.value for c in caught.value.changes} == {"name": "张三 139****9000 的专线"}


def test_the_edit_page_shows_a_conflict_with_the_current_values_and_keeps_the_deal(client, team):
    manager, rep = team
    opportunity = deal(rep, amount="10000.00")
    client.force_login(rep)
    url = reverse("sales:opportunity_edit", args=[opportunity.pk])
    assert 'name="version" value="1"' in client.get(url).content.decode()
    opportunity_update(actor=manager, opportunity=opportunity, data={"amount": "20000"})
    form = {"name": "宽带专线二期", "amount": "10000.00", "expected_close_date": "2030-06-15", "version": 1}
    response = client.post(url, form)
    body = response.content.decode()
    assert response.status_code == 200 and "已被他人修改" in body and "20000.00" in body
    assert 'name="version" value="2"' in body
    assert Opportunity.objects.get(pk=opportunity.pk).name == "宽带专线"
    assert client.post(url, {**form, "version": 2}).status_code == 302
    assert Opportunity.objects.get(pk=opportunity.pk).name == "宽带专线二期"


def test_the_deal_page_forms_carry_the_version_and_a_stale_move_says_what_changed(client, team):
    manager, rep = team
    opportunity = deal(rep)
    client.force_login(rep)
    page = client.get(reverse("sales:opportunity", args=[opportunity.pk])).content.decode()
    assert page.count('name="version" value="1"') == 1 and 'name="win-version" value="1"' in page
    opportunity_update(actor=manager, opportunity=opportunity, data={"amount": "30000"})
    response = client.post(reverse("sales:opportunity_move", args=[opportunity.pk]),
                           {"stage": stage("商务谈判").pk, "version": 1}, follow=True)
    assert "金额：30000.00" in response.content.decode()
    assert Opportunity.objects.get(pk=opportunity.pk).stage.name != "商务谈判"
