"""The import API: upload (dry run or one-shot), poll, commit, report, permissions, bad files."""

import json

import pytest

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.testing import client_for
from guanxi.customers.models import Customer, ImportJob, ImportMapping

from ..importing.helpers import person, write_csv

pytestmark = pytest.mark.django_db
URL = "/api/v1/customers/imports"


def upload(client, path, run_tasks, **fields):
    with open(path, "rb") as file, run_tasks(execute=True):
        return client.post(URL, {"file": file, **fields})


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    """Tasks are queued after commit; the test settings run them inline."""
    return django_capture_on_commit_callbacks


def assert_error(response, status, field=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    if field:
        assert field in body["fields"], body
    return body


def test_upload_validates_then_commit_writes(tmp_path, admin, run_tasks):
    client = client_for(admin)
    path = write_csv(tmp_path / "a.csv", [person(i) for i in range(5)])
    response = upload(client, path, run_tasks, source="POS 门店系统")
    assert response.status_code == 202, response.content
    job = response.json()
    # Accepted: the validation task runs after the request (inline here, on a worker in production).
    assert (job["status"], job["dry_run"], job["total_rows"]) == ("validating", True, 5)
    assert job["mapping"]["手机号码"] == "mobile" and Customer.objects.count() == 0
    polled = client.get(f"{URL}/{job['id']}").json()
    assert (polled["status"], polled["error_count"]) == ("validated", 0)
    assert polled["progress"] == {"processed": 5, "total": 5, "percent": 100}
    assert polled["report"] == f"{URL}/{job['id']}/report" and Customer.objects.count() == 0
    with run_tasks(execute=True):
        committed = client.post(f"{URL}/{job['id']}/commit")
    assert committed.status_code == 202 and committed.json()["status"] == "importing"
    done = client.get(f"{URL}/{job['id']}").json()
    assert (done["status"], done["created_count"]) == ("done", 5)
    assert Customer.objects.count() == 5 and done["last_customer_id"] - done["first_customer_id"] == 4
    report = client.get(done["report"])
    assert report.status_code == 200 and report["Content-Type"].startswith("text/csv")
    # Committing twice is refused.
    assert_error(client.post(f"{URL}/{job['id']}/commit"), 409)
    assert Customer.objects.count() == 5


def test_one_shot_import_with_a_mapping(tmp_path, admin, run_tasks):
    client = client_for(admin)
    path = write_csv(tmp_path / "a.csv", [["个人", "张三", "13800138000"]], header=["T", "客户名", "电话号"])
    response = upload(client, path, run_tasks, dry_run="false", source="EDI",
                      mapping=json.dumps({"T": "kind", "客户名": "name", "电话号": "mobile"}))
    assert response.status_code == 202, response.content
    assert client.get(f"{URL}/{response.json()['id']}").json()["status"] == "done"
    assert Customer.objects.get().mobile == "+8613800138000"
    assert ImportMapping.objects.get(source="EDI").mapping == {"T": "kind", "客户名": "name", "电话号": "mobile"}
    text = upload(client, path, run_tasks, mapping="T=kind,客户名=name,电话号=landline").json()
    assert text["mapping"]["电话号"] == "landline"


def test_bad_rows_are_listed_and_the_job_cannot_be_committed(tmp_path, admin, run_tasks):
    client = client_for(admin)
    rows = [person(i) for i in range(4)]
    rows[1][2], rows[3][5] = "12", "1990-02-30"
    job = upload(client, write_csv(tmp_path / "a.csv", rows), run_tasks, dry_run="false").json()
    job = client.get(f"{URL}/{job['id']}").json()
    assert job["status"] == "validated" and job["error_count"] == 2
    assert [(e["row"], e["field"], e["code"]) for e in job["errors"]] == [(3, "mobile", "phone"),
                                                                         (5, "birth_date", "date")]
    assert_error(client.post(f"{URL}/{job['id']}/commit"), 409)
    assert Customer.objects.count() == 0
    # The row reasons read in the caller's language.
    english = client.get(f"{URL}/{job['id']}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert job["errors"][0]["message"] != english["errors"][0]["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in job["errors"][0]["message"])
    assert english["errors"][0]["message"].isascii()


def test_roles_without_write_right_get_403_and_nothing_happens(tmp_path, analyst, admin, run_tasks):
    path = write_csv(tmp_path / "a.csv", [person(1)])
    assert_error(upload(client_for(analyst), path, run_tasks), 403)
    assert ImportJob.objects.count() == 0 and Customer.objects.count() == 0
    job = upload(client_for(admin), path, run_tasks).json()
    client = client_for(analyst)
    assert_error(client.post(f"{URL}/{job['id']}/commit"), 403)
    assert_error(client.get(URL), 403)
    assert Customer.objects.count() == 0


def test_other_users_jobs_are_not_found(tmp_path, admin, rep, run_tasks):
    job = upload(client_for(rep), write_csv(tmp_path / "a.csv", [person(1)]), run_tasks).json()
    other = UserFactory(role=Role.SALES_REP)
    client = client_for(other)
    assert_error(client.get(f"{URL}/{job['id']}"), 404)
    assert_error(client.post(f"{URL}/{job['id']}/commit"), 404)
    assert_error(client.get(f"{URL}/{job['id']}/report"), 404)
    assert client.get(URL).json()["count"] == 0
    assert client_for(admin).get(f"{URL}/{job['id']}").status_code == 200  # administrators see every import
    assert Customer.objects.count() == 0


def test_bad_files_are_refused_with_the_reason(tmp_path, admin, run_tasks, settings):
    client = client_for(admin)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert assert_error(upload(client, empty, run_tasks), 422)["code"] == "empty_file"
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"\xff\xfe\x81" * 100)
    assert assert_error(upload(client, binary, run_tasks), 422)["code"] == "encoding"
    missing = write_csv(tmp_path / "m.csv", [["个人"]], header=["类型"])
    assert assert_error(upload(client, missing, run_tasks), 422)["code"] == "missing_columns"
    assert assert_error(upload(client, missing, run_tasks, mapping="{bad"), 422, "mapping")
    assert_error(client.post(URL, {}), 422, "file")
    settings.IMPORT_MAX_BYTES = 100
    too_big = write_csv(tmp_path / "big.csv", [person(i) for i in range(10)])
    assert assert_error(upload(client, too_big, run_tasks), 413, "file")["code"] == "payload_too_large"
    assert ImportJob.objects.count() == 0 and Customer.objects.count() == 0


def test_routes_are_not_read_as_customer_ids(admin):
    client = client_for(admin)
    assert client.get(URL).status_code == 200
    assert client.get(f"{URL}/999").status_code == 404
    assert client.get("/api/v1/openapi.json").json()["paths"][URL]["post"]["requestBody"]


def test_a_job_whose_command_line_process_died_is_shown_failed_in_the_callers_language(tmp_path, admin, run_tasks):
    client = client_for(admin)
    job = upload(client, write_csv(tmp_path / "a.csv", [person(1)]), run_tasks).json()
    # A command line killed mid-import (nobody holds the job's runner lock: the suite's in-memory
    # database has no other process).
    ImportJob.objects.filter(pk=job["id"]).update(status="importing", runner=ImportJob.Runner.PROCESS)
    shown = client.get(f"{URL}/{job['id']}", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert shown["status"] == "failed" and shown["message"].startswith("导入被中断")
    assert ImportJob.objects.get(pk=job["id"]).status == "failed"
