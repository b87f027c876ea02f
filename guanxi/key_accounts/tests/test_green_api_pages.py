"""The green and yellow channels through the API, the pages and the export: a key-account manager
reaches only the processes and visits of the accounts they manage or back up (another's refused with
the reason, nothing changed); the lists are paged to their end; the pages read in Chinese."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.testing import assert_error_body, client_for, post_json, rows_of

from ..enums import VisitKind
from ..models import GreenDocument, GreenProcess, GreenStep, GreenTemplate, Visit
from ..services import green_document_upload, green_process_start, visit_schedule
from .factories import account, kam
from .test_api_pages import page_client

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 15, 2, tzinfo=dt.UTC)  # a Monday, 10:00 in Shanghai


def template():
    return GreenTemplate.objects.get(name="大客户绿色通道（标准流程）")


@pytest.fixture
def world(admin):
    with time_machine.travel(NOW, tick=False):
        first, second = kam(), kam()
        mine = account(admin, first, name="甲集团")
        backed = account(admin, second, backup=first, name="乙集团")
        theirs = account(admin, second, name="丙集团")
        processes = {
            name: green_process_start(actor=admin, account=acc, template=template())
            for name, acc in (("mine", mine), ("backed", backed), ("theirs", theirs))
        }
        visits = {
            name: visit_schedule(
                actor=admin,
                account=acc,
                kind=VisitKind.MANAGER_VISIT,
                scheduled_at=NOW + dt.timedelta(days=3),
                subject=f"拜访{name}",
            )
            for name, acc in (("mine", mine), ("theirs", theirs))
        }
    return {
        "first": first,
        "second": second,
        "mine": mine,
        "backed": backed,
        "theirs": theirs,
        "processes": processes,
        "visits": visits,
    }


def test_the_api_lists_only_processes_and_visits_of_ones_accounts(world):
    client = client_for(world["first"])
    body = client.get("/api/v1/green-channel").json()
    assert {r["id"] for r in body["items"]} == {world["processes"]["mine"].pk, world["processes"]["backed"].pk}
    assert body["items"][0]["current_step"] == "客户拜访"
    visits = client.get("/api/v1/visits").json()
    assert [r["id"] for r in visits["items"]] == [world["visits"]["mine"].pk]


def test_the_green_channel_list_is_paged_to_its_end(world):
    client, seen, cursor = client_for(UserFactory(role=Role.SALES_MANAGER)), [], ""
    while True:
        body = client.get("/api/v1/green-channel", {"limit": 2, "cursor": cursor}).json()
        seen += [r["id"] for r in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(GreenProcess.objects.values_list("pk", flat=True))


def test_another_managers_process_and_visit_are_refused_with_the_reason_and_nothing_changes(world):
    client = client_for(world["first"])
    theirs, visit = world["processes"]["theirs"], world["visits"]["theirs"]
    step = GreenStep.objects.get(process=theirs, position=1)
    for url in (
        f"/api/v1/green-channel/{theirs.pk}",
        f"/api/v1/visits/{visit.pk}",
        f"/api/v1/green-channel?account={world['theirs'].pk}",
    ):
        body = assert_error_body(client.get(url), 403)
        assert "其他客户经理" in body["message"]
    before = rows_of("key_accounts", "tasks")
    assert post_json(client, f"/api/v1/green-channel/{theirs.pk}/steps/{step.pk}/complete", {}).status_code == 403
    assert post_json(client, "/api/v1/green-channel", {"account": world["theirs"].pk}).status_code == 403
    assert post_json(client, f"/api/v1/visits/{visit.pk}/outcome", {"outcome": "x"}).status_code == 403
    with time_machine.travel(NOW, tick=False):
        assert (
            post_json(
                client,
                "/api/v1/visits",
                {"account": world["theirs"].pk, "kind": "manager_visit", "scheduled_at": "2026-07-01T10:00:00+08:00"},
            ).status_code
            == 403
        )
    assert rows_of("key_accounts", "tasks") == before


def test_pages_and_export_refuse_another_managers_processes_visits_and_documents(world, admin):
    first = page_client(world["first"])
    theirs = world["processes"]["theirs"]
    step = GreenStep.objects.get(process=theirs, position=1)
    document = green_document_upload(
        actor=admin, step=step, name="拜访纪要", upload=SimpleUploadedFile("纪要.pdf", b"%PDF secret")
    )
    for url in (
        f"/key-accounts/green/{theirs.pk}/",
        f"/key-accounts/{world['theirs'].pk}/green/",
        f"/key-accounts/{world['theirs'].pk}/visits/",
        f"/key-accounts/green/documents/{document.pk}/",
    ):
        assert first.get(url).status_code == 403, url
    before = rows_of("key_accounts", "tasks")
    assert (
        first.post(f"/key-accounts/green/{theirs.pk}/", {"step": step.pk, "step_action": "complete"}).status_code == 403
    )
    assert rows_of("key_accounts", "tasks") == before
    export = first.get("/key-accounts/visits/export.csv").content.decode("utf-8-sig")
    assert "拜访mine" in export and "拜访theirs" not in export
    listing = first.get("/key-accounts/green/").content.decode()
    assert "甲集团" in listing and "丙集团" not in listing
    assert page_client(world["second"]).get(f"/key-accounts/green/documents/{document.pk}/").status_code == 200
    assert GreenDocument.objects.count() == 1


def test_the_process_page_walks_a_step_in_chinese(world):
    first, process = page_client(world["first"]), world["processes"]["mine"]
    step = GreenStep.objects.get(process=process, position=1)
    page = first.get(f"/key-accounts/green/{process.pk}/").content.decode()
    assert "客户拜访" in page and "完成此步骤" in page and "负责人" in page
    refused = first.post(
        f"/key-accounts/green/{process.pk}/", {"step": step.pk, "step_action": "complete"}, follow=True
    )
    assert "请先上传必需的文件：拜访纪要" in refused.content.decode()
    first.post(
        f"/key-accounts/green/{process.pk}/",
        {
            "step": step.pk,
            "step_action": "upload",
            "name": "拜访纪要",
            "file": SimpleUploadedFile("纪要.pdf", b"%PDF x"),
        },
    )
    first.post(f"/key-accounts/green/{process.pk}/", {"step": step.pk, "step_action": "complete", "notes": "已拜访"})
    step.refresh_from_db()
    assert step.status == "done"
    assert GreenStep.objects.get(process=process, position=2).status == "active"


def test_a_visit_in_the_past_is_refused_through_the_api(world):
    client = client_for(world["first"])
    with time_machine.travel(NOW, tick=False):
        before = Visit.objects.count()
        body = assert_error_body(
            post_json(
                client,
                "/api/v1/visits",
                {"account": world["mine"].pk, "kind": "manager_visit", "scheduled_at": "2026-06-14T10:00:00+08:00"},
            ),
            422,
            "scheduled_at",
        )
        assert "过去" in body["fields"]["scheduled_at"]
        assert Visit.objects.count() == before
        made = post_json(
            client,
            "/api/v1/visits",
            {"account": world["mine"].pk, "kind": "customer_visit", "scheduled_at": "2026-06-20T10:00:00+08:00"},
        )
        assert made.status_code == 201


def test_the_template_editor_is_for_administrators(world, admin):
    assert page_client(world["first"]).get("/key-accounts/green/templates/new/").status_code == 403
    assert page_client(world["first"]).get("/key-accounts/green/templates/").status_code == 200
    response = page_client(admin).post(
        "/key-accounts/green/templates/new/",
        {
            "name": "快速开通",
            "is_active": "on",
            "name_1": "业务受理",
            "owner_role_1": "key_account_manager",
            "limit_amount_1": "4",
            "limit_unit_1": "hours",
            "documents_1": "申请表、营业执照",
        },
    )
    assert response.status_code == 302
    made = GreenTemplate.objects.get(name="快速开通").steps.get()
    assert made.required_documents == ["申请表", "营业执照"] and made.limit_unit == "hours"


def test_the_yellow_channel_page_shows_the_coverage_chart_in_chinese(world, admin):
    page = page_client(admin).get("/key-accounts/visits/").content.decode()
    assert "拜访覆盖率" in page and "gx-ka-coverage-data" in page
