"""Third-party results from CSV/XLSX: mapped columns, customers by number or phone, raw cells kept;
a file with unknown customers, out-of-range scores, duplicate rows or bad dates gets a per-row report
and imports nothing; a file imported twice is refused the second time; API and page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.errors import ValidationFailed
from guanxi.core.testing import client_for

from ..enums import SurveyMode, SurveyStatus
from ..models import Answer, Survey
from ..services.imports import survey_results_import
from .factories import customer, published_version

pytestmark = pytest.mark.django_db
MAPPING = {
    "客户编号": "customer_number",
    "手机": "phone",
    "日期": "answered_at",
    "总体": "q1",
    "及时": "q2",
    "推荐": "q3",
}


@pytest.fixture
def world():
    version = published_version()
    return {
        "version": version,
        "a": customer("张三", mobile="13800138001"),
        "b": customer("李四", mobile="13800138002"),
    }


def _csv(tmp_path, lines, name="results.csv"):
    path = tmp_path / name
    path.write_text("\n".join(["客户编号,手机,日期,总体,及时,推荐", *lines]) + "\n", encoding="utf-8")
    return path


def _import(path, world, commit=True, mapping=MAPPING):
    return survey_results_import(actor=SYSTEM, path=path, version=world["version"], mapping=mapping, commit=commit)


def test_a_valid_file_is_checked_then_imported_with_its_raw_answers(tmp_path, world):
    path = _csv(tmp_path, [f"{world['a'].code},,2026-05-01,05,4,9", ",138 0013 8002,2026/05/02 10:30,2,1,3"])
    checked = _import(path, world, commit=False)
    assert checked.rows == 2 and checked.problem_count == 0 and not checked.committed
    assert not Survey.objects.exists()
    report = _import(path, world)
    assert report.committed and report.imported == 2
    surveys = Survey.objects.filter(mode=SurveyMode.THIRD_PARTY, status=SurveyStatus.ANSWERED)
    assert {s.customer_id for s in surveys} == {world["a"].pk, world["b"].pk}
    first = Answer.objects.get(response__survey__customer=world["a"], question__order=1)
    assert first.raw == "05" and first.score == 5
    assert timezone.localtime(first.answered_at).date().isoformat() == "2026-05-01"


def test_bad_rows_are_reported_per_row_and_nothing_is_imported(tmp_path, world):
    path = _csv(
        tmp_path,
        [
            f"{world['a'].code},,2026-05-01,5,4,9",
            "C999999999,,2026-05-01,5,4,9",  # unknown customer number
            ",13900000000,2026-05-01,5,4,9",  # unknown phone
            f"{world['b'].code},,2026-05-01,6,4,11",  # out of range twice
            f"{world['a'].code},,2026-05-01,4,4,8",  # the same customer and time as row 2
            f"{world['b'].code},,yesterday,5,4,9",  # not a date
        ],
    )
    report = _import(path, world)
    assert not report.committed and report.imported == 0
    problems = {(p.row, p.field) for p in report.problems}
    assert problems == {(3, "customer"), (4, "customer"), (5, "q1"), (5, "q3"), (6, "row"), (7, "answered_at")}
    assert not Survey.objects.exists() and not Answer.objects.exists()


def test_a_file_imported_twice_is_refused_the_second_time(tmp_path, world):
    path = _csv(tmp_path, [f"{world['a'].code},,2026-05-01,5,4,9"])
    assert _import(path, world).committed
    again = _import(path, world)
    assert not again.committed and [(p.row, p.field) for p in again.problems] == [(2, "row")]
    assert Survey.objects.count() == 1


def test_a_mapping_without_customer_or_question_is_refused(tmp_path, world):
    path = _csv(tmp_path, [f"{world['a'].code},,2026-05-01,5,4,9"])
    with pytest.raises(ValidationFailed):
        _import(path, world, mapping={"总体": "q1"})
    with pytest.raises(ValidationFailed):
        _import(path, world, mapping={"客户编号": "customer_number"})
    with pytest.raises(ValidationFailed):
        _import(path, world, mapping={"客户编号": "customer_number", "总体": "q9"})


def test_an_xlsx_file_imports_the_same_way(tmp_path, world):
    book = Workbook()
    sheet = book.active
    sheet.append(["客户编号", "手机", "日期", "总体", "及时", "推荐"])
    sheet.append([world["a"].code, None, "2026-05-01", 5, 3, 10])
    path = tmp_path / "results.xlsx"
    book.save(path)
    report = _import(path, world)
    assert report.committed and Answer.objects.get(question__order=3).score == 10


def _upload(world, lines):
    text = "\n".join(["客户编号,手机,日期,总体,及时,推荐", *lines]) + "\n"
    return SimpleUploadedFile("r.csv", text.encode(), content_type="text/csv")


def test_the_api_imports_for_managers_only(world):
    line = [f"{world['a'].code},,2026-05-01,5,4,9"]
    mapping = ",".join(f"{k}={v}" for k, v in MAPPING.items())
    agent = client_for(UserFactory(role=Role.AGENT))
    refused = agent.post(
        "/api/v1/survey-channels/import",
        {"version_id": world["version"].pk, "mapping": mapping, "commit": "true", "file": _upload(world, line)},
    )
    assert refused.status_code == 403 and not Survey.objects.exists()
    manager = client_for(UserFactory(role=Role.SERVICE_MANAGER))
    bad = manager.post(
        "/api/v1/survey-channels/import",
        {
            "version_id": world["version"].pk,
            "mapping": mapping,
            "commit": "true",
            "file": _upload(world, [*line, line[0]]),
        },
    )
    assert bad.status_code == 200 and bad.json()["problem_count"] == 1 and not Survey.objects.exists()
    assert bad.json()["problems"][0]["reason"] == "与第 2 行的客户和时间相同"
    done = manager.post(
        "/api/v1/survey-channels/import",
        {"version_id": world["version"].pk, "mapping": mapping, "commit": "true", "file": _upload(world, line)},
    )
    assert done.status_code == 200 and done.json()["imported"] == 1 and Survey.objects.count() == 1


def test_the_page_shows_the_row_report_in_chinese(client, world):
    manager = UserFactory(role=Role.SERVICE_MANAGER)
    client.force_login(manager)
    page = client.get("/surveys/import/")
    assert page.status_code == 200 and "导入第三方调查结果" in page.content.decode()
    response = client.post(
        "/surveys/import/",
        {
            "version": world["version"].pk,
            "commit": "yes",
            "mapping": ",".join(f"{k}={v}" for k, v in MAPPING.items()),
            "file": _upload(world, ["C999999999,,2026-05-01,5,4,9"]),
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and "未知的客户" in html and "gx-ri-report" in html
    assert not Survey.objects.exists()
    client.force_login(UserFactory(role=Role.AGENT))
    assert client.get("/surveys/import/").status_code == 403
