"""The import pages with the Django test client: upload → map → preview → validate → commit; and
the customer list's export (every filter of the list, masked by role)."""

import csv
import io

import pytest
from django.urls import reverse

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.customers.models import Brand, Customer, ImportJob, ImportMapping
from guanxi.customers.services import address_add
from guanxi.customers.tests.factories import make_customer

from ..importing.helpers import person, write_csv

pytestmark = pytest.mark.django_db


def test_the_whole_flow_in_chinese(client, admin, tmp_path, django_capture_on_commit_callbacks):
    client.force_login(admin)
    page = client.get(reverse("customers:imports"))
    assert page.status_code == 200 and "导入客户" in page.content.decode()
    header = ["客户类别", "会员名", "手机号码", "所在省"]
    rows = [["个人", f"会员{i}", f"1390000{i:04d}", "浙江"] for i in range(15)]
    path = write_csv(tmp_path / "pos.csv", rows, header=header, encoding="gbk")
    with open(path, "rb") as file:
        response = client.post(reverse("customers:import_upload"), {"file": file, "source": "POS 门店系统"})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("customers:import_mapping", args=[job.pk])

    # The mapping form: known header names are chosen already, the others wait for the user.
    page = client.get(response["Location"]).content.decode()
    assert "映射" in page and "GB18030" in page
    assert '<option value="mobile" selected>' in page and '<option value="province" selected>' in page
    form = {"source": "POS 门店系统", "col_0": "kind", "col_1": "", "col_2": "mobile", "col_3": "province"}
    refused = client.post(response["Location"], {**form, "preview": "1"}).content.decode()
    assert "请选择以下字段对应的列：名称" in refused  # the name is required
    form["col_1"] = "name"
    preview = client.post(response["Location"], {**form, "preview": "1"}).content.decode()
    assert 'id="gx-import-preview-table"' in preview and "会员9" in preview and "会员10" not in preview
    assert Customer.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        validated = client.post(response["Location"], {**form, "validate": "1"})
    assert validated["Location"] == reverse("customers:import_job", args=[job.pk])
    assert ImportMapping.objects.get(source="POS 门店系统").mapping["会员名"] == "name"
    page = client.get(validated["Location"]).content.decode()
    assert "已校验" in page and 'id="gx-import-commit"' in page and Customer.objects.count() == 0
    assert f"导入任务 #{job.pk}" in page and "与现有客户重复的行" in page and "gx-import-mapping" not in page
    assert f'action="{reverse("customers:import_commit", args=[job.pk])}"' in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("customers:import_commit", args=[job.pk]))
    page = client.get(validated["Location"]).content.decode()
    assert "已完成" in page and 'id="gx-import-created">15' in page
    assert Customer.objects.filter(name="会员3", mobile="+8613900000003").exists()
    report = client.get(reverse("customers:import_report", args=[job.pk]))
    assert report.status_code == 200 and "行号" in b"".join(report.streaming_content).decode("utf-8-sig")

    # The next file from the same source is mapped as before.
    with open(path, "rb") as file:
        client.post(reverse("customers:import_upload"), {"file": file, "source": "POS 门店系统"})
    assert ImportJob.objects.latest("id").mapping["会员名"] == "name"


def test_row_errors_and_duplicates_are_shown_with_reasons(client, admin, tmp_path,
                                                          django_capture_on_commit_callbacks):
    make_customer(admin, name="老客户", mobile="13800000001")
    rows = [person(i) for i in range(4)]
    rows[2][2] = "12"
    rows[3][2] = rows[0][2]
    client.force_login(admin)
    with open(write_csv(tmp_path / "a.csv", rows), "rb") as file:
        client.post(reverse("customers:import_upload"), {"file": file})
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("customers:import_mapping", args=[job.pk]),
                    {f"col_{i}": f for i, f in enumerate(job.mapping.get(h, "") for h in job.headers)} |
                    {"validate": "1"})
    page = client.get(reverse("customers:import_job", args=[job.pk])).content.decode()
    assert "不是有效的电话号码" in page and "与第 2 行的手机号相同" in page
    assert "与现有客户" in page and f'href="/customers/{Customer.objects.get().pk}/"' in page
    assert 'id="gx-import-commit"' not in page
    assert client.post(reverse("customers:import_commit", args=[job.pk])).status_code == 302
    assert Customer.objects.count() == 1


def test_progress_partial_polls_while_running_and_reloads_when_done(client, admin, tmp_path):
    client.force_login(admin)
    with open(write_csv(tmp_path / "a.csv", [person(1)]), "rb") as file:
        client.post(reverse("customers:import_upload"), {"file": file})
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(status="validating", total_rows=10, processed_rows=4)
    url = reverse("customers:import_job_status", args=[job.pk])
    running = client.get(url, HTTP_HX_REQUEST="true")
    body = running.content.decode()
    assert 'hx-trigger="every 1s"' in body and "4 / 10" in body and 'aria-valuenow="40"' in body
    assert "HX-Refresh" not in running
    ImportJob.objects.filter(pk=job.pk).update(status="validated", processed_rows=10)
    finished = client.get(url + "?running=1", HTTP_HX_REQUEST="true")
    assert finished["HX-Refresh"] == "true" and "every 1s" not in finished.content.decode()


def test_bad_and_oversized_uploads(client, admin, tmp_path, settings):
    client.force_login(admin)
    binary = tmp_path / "x.csv"
    binary.write_bytes(b"\xff\xfe\x81" * 50)
    with open(binary, "rb") as file:
        response = client.post(reverse("customers:import_upload"), {"file": file})
    assert response.status_code == 400 and "既不是 UTF-8" in response.content.decode()
    settings.IMPORT_MAX_BYTES = 200
    with open(write_csv(tmp_path / "a.csv", [person(i) for i in range(100)]), "rb") as file:
        response = client.post(reverse("customers:import_upload"), {"file": file})
    assert response.status_code == 413 and "超出可导入的上限" in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_roles_without_write_right_cannot_reach_the_import_pages(client, analyst, admin, tmp_path):
    client.force_login(admin)
    with open(write_csv(tmp_path / "a.csv", [person(1)]), "rb") as file:
        client.post(reverse("customers:import_upload"), {"file": file})
    job = ImportJob.objects.get()
    client.force_login(analyst)
    assert client.get(reverse("customers:imports")).status_code == 403
    with open(write_csv(tmp_path / "b.csv", [person(1)]), "rb") as file:
        assert client.post(reverse("customers:import_upload"), {"file": file}).status_code == 403
    assert client.get(reverse("customers:import_job", args=[job.pk])).status_code == 404
    assert client.post(reverse("customers:import_commit", args=[job.pk])).status_code == 403
    assert ImportJob.objects.count() == 1 and Customer.objects.count() == 0
    assert "gx-import" not in client.get(reverse("customers:list")).content.decode().replace("gx-import-", "")


# ---------------------------------------------------------------- export of the filtered list


def _export(client, url, params=None) -> list[dict]:
    response = client.get(url, params or {})
    assert response.status_code == 200, response
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


@pytest.fixture
def crowd(admin):
    gotone = Brand.objects.create(code="gotone", name="全球通")
    team = TeamFactory()
    owner = UserFactory(role=Role.SALES_REP, team=team)
    a = make_customer(admin, name="导出甲", mobile="13800000011", lifecycle_stage="new", brand=gotone.pk,
                      tags=["VIP"], arpu="120", owner=owner.pk)
    address_add(actor=admin, customer=a, kind="home", province="浙江")
    b = make_customer(admin, kind="organisation", name="导出乙科技有限公司", lifecycle_stage="mature", arpu="20")
    c = make_customer(admin, name="其他丙", mobile="13800000013", lifecycle_stage="new")
    return {"a": a, "b": b, "c": c, "brand": gotone, "owner": owner, "team": team}


@pytest.mark.parametrize(("params", "expected"), [
    ({}, {"a", "b", "c"}), ({"q": "导出"}, {"a", "b"}), ({"kind": "organisation"}, {"b"}),
    ({"lifecycle_stage": "new"}, {"a", "c"}), ({"brand": "BRAND"}, {"a"}), ({"tag": "VIP"}, {"a"}),
    ({"province": "浙江省"}, {"a"}), ({"q": "导出", "lifecycle_stage": "new"}, {"a"}),
])
def test_page_export_follows_every_filter_of_the_list(client, admin, crowd, params, expected):
    client.force_login(admin)
    params = {k: (crowd["brand"].pk if v == "BRAND" else v) for k, v in params.items()}
    listed = client.get(reverse("customers:list"), params).content.decode()
    exported = {r["name"] for r in _export(client, reverse("customers:export"), params)}
    names = {k: crowd[k].name for k in ("a", "b", "c")}
    assert exported == {names[k] for k in expected}
    assert all(name in listed for name in exported)


@pytest.mark.parametrize(("params", "expected"), [
    ({"owner": "OWNER"}, {"a"}), ({"team": "TEAM"}, {"a"}), ({"arpu_min": 100}, {"a"}), ({"arpu_max": 50}, {"b", "c"}),
])
def test_api_export_follows_the_api_list_filters(client, admin, crowd, params, expected):
    client.force_login(admin)
    params = {k: crowd["owner"].pk if v == "OWNER" else crowd["team"].pk if v == "TEAM" else v
              for k, v in params.items()}
    listed = {c["name"] for c in client.get("/api/v1/customers", params).json()["items"]}
    exported = {r["name"] for r in _export(client, "/api/v1/customers/export", params)}
    assert exported == listed == {crowd[k].name for k in expected}


def test_export_masks_personal_data_by_role(client, admin, crowd):
    lead = UserFactory(role=Role.TEAM_LEAD)  # may export, may not see personal data
    client.force_login(lead)
    row = next(r for r in _export(client, reverse("customers:export")) if r["name"] == "导出甲")
    assert row["mobile"] != "+8613800000011" and "*" in row["mobile"]
    client.force_login(admin)
    row = next(r for r in _export(client, reverse("customers:export")) if r["name"] == "导出甲")
    assert row["mobile"] == "138 0000 0011"  # as dialled: readable, and no spreadsheet formula


def test_filtering_the_list_with_htmx_refreshes_the_export_link(client, admin, crowd):
    client.force_login(admin)
    full = client.get(reverse("customers:list"), {"lifecycle_stage": "new"}).content.decode()
    assert full.count('id="gx-export"') == 1 and "hx-swap-oob" not in full
    partial = client.get(reverse("customers:list"), {"lifecycle_stage": "mature"}, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert 'id="gx-export" hx-swap-oob="true"' in body and "lifecycle_stage=mature" in body


def test_a_failed_job_shows_its_reason_in_the_users_language(client, admin, tmp_path):
    from guanxi.customers.services.imports import import_job_create, import_job_validate

    path = write_csv(tmp_path / "h.csv", [])
    job = import_job_validate(job=import_job_create(actor=admin, path=path, language="en"))
    assert job.status == "failed" and job.message == "The file has a header but no data rows."
    client.force_login(admin)
    page = client.get(reverse("customers:import_job", args=[job.pk])).content.decode()
    assert "文件只有表头，没有数据行。" in page
