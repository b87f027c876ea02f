"""Lead imports as jobs of the customer import machinery: upload → mapping → validation report →
commit, through the service, the API (`/api/v1/leads/imports`) and the pages; bad files and bad rows
are refused with their reasons and nothing is half-written."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.errors import Conflict, PermissionDenied, ValidationFailed
from guanxi.core.testing import assert_error_body, client_for, rows_of
from guanxi.customers.models import ImportJob
from guanxi.customers.tests.factories import make_customer
from guanxi.marketing.models import Lead
from guanxi.marketing.services.imports import lead_import_commit, lead_import_start

pytestmark = pytest.mark.django_db
URL = "/api/v1/leads/imports"

CSV = """姓名,公司名称,手机号码,邮箱,省份,意向产品,备注说明
王芳,,13800138000,,广东,千兆宽带,
李雷,华星科技有限公司,138-1234-5678,li@hx.cn,上海,企业专线,
,,,,,,
赵敏,,13911112222,zm@qq.com,,,
"""
BAD_ROWS = CSV + "韩梅梅,,12345,,,,\n,无名公司,,,,,\n"


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    """Tasks are queued after commit; the test settings (and a server without a broker) run them inline."""
    return django_capture_on_commit_callbacks


def _file(tmp_path, text=CSV, encoding="gbk", name="leads.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _upload_of(path):
    return SimpleUploadedFile(path.name, path.read_bytes())


def _start(actor, path, run_tasks, **kwargs):
    with run_tasks(execute=True):
        job = lead_import_start(actor=actor, upload=_upload_of(path), **kwargs)
    job.refresh_from_db()
    return job


def test_a_file_is_checked_then_committed_as_a_job(tmp_path, admin, run_tasks):
    make_customer(admin, name="王芳", mobile="13800138000")
    job = _start(admin, _file(tmp_path), run_tasks, source="2026 通信展")
    assert (job.target, job.status, job.total_rows, job.error_count) == ("leads", "validated", 3, 0)
    assert job.existing_match_count == 1 and not Lead.objects.exists()  # the dry run writes nothing
    assert [(d["row"], d["field"], d["kind"]) for d in job.duplicates] == [
        (2, "mobile", "existing"), (2, "person_name", "existing")]
    with run_tasks(execute=True):
        lead_import_commit(actor=admin, job=job)
    job.refresh_from_db()
    assert (job.status, job.created_count) == ("done", 3)
    lead = Lead.objects.get(person_name="李雷")
    assert (lead.mobile, lead.province, lead.source, lead.source_detail, lead.owner) == (
        "+8613812345678", "上海市", "import", "2026 通信展", None)
    assert Lead.objects.get(person_name="王芳").customer is not None  # linked to the customer it is


def test_rows_with_errors_block_the_commit_and_nothing_is_written(tmp_path, admin, run_tasks):
    job = _start(admin, _file(tmp_path, BAD_ROWS), run_tasks, dry_run=False)
    assert (job.status, job.error_count) == ("validated", 2)
    assert [(e["row"], e["field"]) for e in job.errors] == [(6, "mobile"), (7, "mobile")]
    assert job.report and not Lead.objects.exists()
    with pytest.raises(Conflict):
        lead_import_commit(actor=admin, job=job)
    assert not Lead.objects.exists()


def test_duplicates_inside_the_file_and_with_leads_are_reported(tmp_path, admin, run_tasks):
    from guanxi.marketing.services.leads import lead_create

    lead_create(actor=admin, data={"person_name": "赵敏", "email": "zm@qq.com"})
    job = _start(admin, _file(tmp_path, CSV + "王芳二,,13800138000,,,,\n"), run_tasks)
    findings = {(d["row"], d["field"], d["kind"]) for d in job.duplicates}
    assert (6, "mobile", "file") in findings and (5, "email", "existing") in findings
    assert (job.file_duplicate_count, job.error_count) == (1, 0)


def test_an_xlsx_file_imports_too(tmp_path, admin, run_tasks):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["联系人", "电话", "email"])
    book.active.append(["赵敏", "13911112222", "zm@qq.com"])
    path = tmp_path / "leads.xlsx"
    book.save(path)
    job = _start(admin, path, run_tasks, dry_run=False)
    assert (job.status, job.created_count) == ("done", 1)


def test_files_it_cannot_use_and_roles_that_may_not(tmp_path, admin):
    before = rows_of("marketing", models=[ImportJob])
    with pytest.raises(ValidationFailed):  # no name, no contact column
        lead_import_start(actor=admin, upload=_upload_of(_file(tmp_path, "城市,行业\n深圳,零售\n")), check_mapping=True)
    with pytest.raises(ValidationFailed):  # declared UTF-8, but GBK bytes
        lead_import_start(actor=admin, upload=_upload_of(_file(tmp_path, CSV)), encoding="utf-8")
    with pytest.raises(PermissionDenied):
        lead_import_start(actor=UserFactory(role=Role.ANALYST), upload=_upload_of(_file(tmp_path)))
    assert rows_of("marketing", models=[ImportJob]) == before


def _upload(client, path, run_tasks, **fields):
    with open(path, "rb") as file, run_tasks(execute=True):
        return client.post(URL, {"file": file, **fields})


def test_the_api_uploads_polls_and_commits(tmp_path, admin, run_tasks):
    client = client_for(admin)
    response = _upload(client, _file(tmp_path), run_tasks, source="展会")
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    polled = client.get(f"{URL}/{job_id}").json()
    assert (polled["status"], polled["error_count"], polled["progress"]["percent"]) == ("validated", 0, 100)
    with run_tasks(execute=True):
        assert client.post(f"{URL}/{job_id}/commit").status_code == 202
    assert client.get(f"{URL}/{job_id}").json()["created_count"] == 3 and Lead.objects.count() == 3
    assert_error_body(client.post(f"{URL}/{job_id}/commit"), 409)  # twice: refused
    listed = client.get(URL, {"limit": 1}).json()
    assert [j["id"] for j in listed["items"]] == [job_id] and listed["next_cursor"] is None


def test_the_api_explains_bad_files_with_a_4xx_and_writes_nothing(tmp_path, admin, run_tasks):
    client = client_for(admin)
    before = rows_of("marketing", models=[ImportJob])
    missing = assert_error_body(_upload(client, _file(tmp_path, "城市,行业\n深圳,零售\n"), run_tasks), 422, "columns")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in missing["message"])
    assert_error_body(_upload(client, _file(tmp_path, CSV), run_tasks, encoding="utf-8"), 422)
    assert_error_body(_upload(client, _file(tmp_path), run_tasks, mapping=json.dumps({"姓名": "nope"})), 422,
                      "mapping")
    assert_error_body(_upload(client, _file(tmp_path), run_tasks, dry_run="maybe"), 422, "dry_run")
    assert_error_body(client.post(URL, {}), 422, "file")
    english = client_for(admin, HTTP_ACCEPT_LANGUAGE="en")
    assert _upload(english, _file(tmp_path, "城市\n深圳\n"), run_tasks).json()["message"].isascii()
    assert rows_of("marketing", models=[ImportJob]) == before


def test_jobs_are_their_starters_and_refused_to_roles_that_may_not_import(tmp_path, admin, run_tasks):
    job_id = _upload(client_for(admin), _file(tmp_path), run_tasks).json()["id"]
    assert_error_body(client_for(UserFactory(role=Role.SALES_REP)).get(f"{URL}/{job_id}"), 404)
    assert_error_body(client_for(UserFactory(role=Role.ANALYST)).post(URL, {}), 403)
    # Customer import jobs and lead import jobs are apart.
    assert client_for(admin).get(f"/api/v1/customers/imports/{job_id}").status_code == 404


def test_the_pages_walk_through_the_steps(tmp_path, admin, run_tasks):
    client = Client()
    client.force_login(admin)
    with open(_file(tmp_path), "rb") as file, run_tasks(execute=True):
        response = client.post("/marketing/leads/import/", {"file": file, "source_detail": "展会"})
    assert response.status_code == 302, response.content.decode()
    job = ImportJob.objects.get(target="leads")
    page = client.get(response["Location"]).content.decode()
    assert "gx-import-commit" in page and "gx-import-mapping" in page
    # The page is the customers' import page (one shared partial) with the leads' words and links.
    assert f"线索导入 #{job.pk}" in page and "与现有线索或客户相同的行" in page and "位客户" not in page
    assert f'action="/marketing/leads/import/{job.pk}/commit/"' in page and "/customers/" not in page.split("<main")[-1]
    with run_tasks(execute=True):
        mapped = client.post(f"/marketing/leads/import/{job.pk}/mapping/",
                             {f"column_{i}": f for i, f in enumerate(
                                 ["person_name", "company_name", "mobile", "", "", "", ""])})
    assert mapped.status_code == 302
    job.refresh_from_db()
    assert job.mapping["手机号码"] == "mobile" and not job.mapping.get("邮箱")
    assert client.get(f"/marketing/leads/import/{job.pk}/status/").status_code == 200
    with run_tasks(execute=True):
        client.post(f"/marketing/leads/import/{job.pk}/commit/")
    job.refresh_from_db()
    assert job.status == "done" and Lead.objects.count() == 3
    report = client.get(f"/marketing/leads/import/{job.pk}/report/")
    assert report.status_code == 200 and report["Content-Type"].startswith("text/csv")
    assert "gx-lead-imports" in client.get("/marketing/leads/import/").content.decode()


def test_the_command_imports_leads_with_its_progress_bar(tmp_path, admin):
    import io

    from django.core.management import CommandError, call_command

    out = io.StringIO()
    call_command("import", "leads", str(_file(tmp_path)), "--source", "展会", stdout=out)
    assert "Imported 3 leads" in out.getvalue() and Lead.objects.count() == 3
    with pytest.raises(CommandError) as refused:
        call_command("import", "leads", str(_file(tmp_path, BAD_ROWS, name="bad.csv")), stdout=io.StringIO())
    assert refused.value.returncode == 1 and Lead.objects.count() == 3
