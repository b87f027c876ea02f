import csv
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from guanxi.customers.importing.files import CustomerFileReader, ImportFileError
from guanxi.customers.models import Customer
from guanxi.customers.services.imports import import_job_create, import_job_validate

pytestmark = pytest.mark.django_db


HEADER = ["kind", "name", "mobile", "email", "id_type", "id_number", "brand", "arpu", "lifecycle_stage",
          "province", "city", "district", "street", "tags", "owner"]
CHINESE_HEADER = ["类型", "姓名/名称", "手机", "邮箱", "证件类型", "证件号码", "品牌", "ARPU", "生命周期",
                  "省", "市", "区", "地址", "标签", "负责人"]


def rows(n):
    return [["individual", f"客户{i}", f"1380000{i:04d}", f"c{i}@example.com", "", "", "", "58", "mature",
             "广东", "广州市", "天河区", f"体育西路{i}号", "", ""] for i in range(n)]


def write_csv(path, header, data, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(data)
    return path


def run_import(*args):
    out = io.StringIO()
    call_command("import", "customers", *map(str, args), stdout=out)
    return out.getvalue()


def test_utf8_csv_imports_customers_with_address_tags_brand_and_owner(tmp_path, admin, rep, brand):
    data = [["individual", "張三", "138 0013 8000", "ZS@example.com", "resident_id", "11010519491231002x",
             "全球通", "88.5", "growing", "广东", "广州市", "天河区", "体育西路1号", "VIP、宽带用户", "rep1"],
            ["organisation", "鑫达科技有限公司", "13900139000", "", "credit_code", "91440101MA5CXXXX1A",
             "gotone", "5000", "mature", "北京市", "北京市", "海淀区", "中关村1号", "政企", ""]]
    path = write_csv(tmp_path / "c.csv", HEADER, data, encoding="utf-8-sig")
    assert "Imported 2 customers" in run_import(path)
    zhang = Customer.objects.get(mobile="+8613800138000")
    assert (zhang.name, zhang.email, zhang.id_number, zhang.brand, zhang.owner) == (
        "张三", "zs@example.com", "11010519491231002X", brand, rep)
    assert zhang.team == rep.team and zhang.source == "import"
    assert sorted(zhang.tags.values_list("name", flat=True)) == ["VIP", "宽带用户"]
    address = zhang.addresses.get()
    assert (address.province, address.city, address.street, address.is_default) == (
        "广东省", "广州市", "体育西路1号", True)
    org = Customer.objects.get(kind="organisation")
    assert org.addresses.get().kind == "office" and org.history.filter(history_type="+").get().history_user == admin


def test_gbk_csv_with_chinese_headers_and_values_imports(tmp_path, admin, brand):
    data = [["个人", "李四", "13700137000", "", "身份证", "11010519491231002X", "全球通", "128", "成熟",
             "浙江", "杭州市", "西湖区", "文三路1号", "5G用户", ""],
            ["企业", "杭州某某贸易有限公司", "13957188123", "", "", "", "", "", "潜在客户", "", "", "", "", "", ""]]
    path = write_csv(tmp_path / "gbk.csv", CHINESE_HEADER, data, encoding="gbk")
    assert CustomerFileReader(path).encoding == "gb18030"
    run_import(path)
    li = Customer.objects.get(name="李四")
    assert (li.kind, li.lifecycle_stage, li.id_type, li.brand) == ("individual", "mature", "resident_id", brand)
    assert li.addresses.get().province == "浙江省"
    assert Customer.objects.get(kind="organisation").lifecycle_stage == "prospect"


def test_xlsx_imports(tmp_path, admin):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([*CHINESE_HEADER, "出生日期"])
    sheet.append(["个人", "王五", 13600136000, "", "", "", "", 66.5, "新客户", "上海", *[""] * 5, "1990/05/01"])
    sheet.append([None] * 16)  # blank rows are skipped
    sheet.append(["个人", "赵六", "13500135000", "", "", "", "", None, None, None, None, None, None, None, None, None])
    workbook.save(tmp_path / "c.xlsx")
    assert "Imported 2 customers" in run_import(tmp_path / "c.xlsx")
    wang = Customer.objects.get(name="王五")
    assert (wang.mobile, str(wang.arpu), str(wang.birth_date)) == ("+8613600136000", "66.50", "1990-05-01")


def test_one_bad_row_writes_nothing_and_reports_the_row_and_reason(tmp_path, admin):
    data = rows(60)
    data[49][2] = "12"  # the 50th data row: spreadsheet row 51 (the header is row 1)
    path = write_csv(tmp_path / "c.csv", HEADER, data)
    report = tmp_path / "report.csv"
    with pytest.raises(CommandError) as exc:
        run_import(path, "--report", report)
    assert exc.value.returncode == 1
    assert Customer.objects.count() == 0
    lines = list(csv.reader(report.open(encoding="utf-8-sig")))
    assert lines == [["row", "field", "reason", "level"], ["51", "mobile", "not a valid phone number", "error"]]


def test_per_row_errors_for_dates_ids_duplicates_and_unknown_references(tmp_path, admin):
    header = ["kind", "name", "mobile", "id_type", "id_number", "birth_date", "brand", "owner", "province"]
    path = write_csv(tmp_path / "c.csv", header, [
        ["individual", "甲", "13800138000", "", "", "", "", "", ""],
        ["individual", "乙", "138-0013-8000", "", "", "", "", "", ""],
        ["individual", "丙", "", "resident_id", "110105194912310021", "", "", "", ""],
        ["individual", "丁", "", "", "", "1990-13-45", "", "", ""],
        ["robot", "戊", "", "", "", "", "nope", "ghost", "火星"],
        ["individual", "己", "", "", "11010519491231002X", "", "", "", ""],
        ["individual", "庚", "", "", "11010519491231002x", "", "", "", ""],
    ])
    job = import_job_validate(job=import_job_create(actor=admin, path=path, dry_run=False, language="en"))
    found = {(e["row"], e["field"]) for e in job.errors}
    assert found == {(3, "mobile"), (4, "id_number"), (5, "birth_date"), (6, "kind"), (6, "brand"),
                     (6, "owner"), (6, "province"), (8, "id_number")}
    assert "row 2" in next(e["message"] for e in job.errors if e["row"] == 3)
    assert not job.can_commit and Customer.objects.count() == 0


def test_missing_required_column_is_a_file_error(tmp_path, admin):
    path = write_csv(tmp_path / "c.csv", ["类型", "手机"], [["个人", "13800138000"]])
    with pytest.raises(CommandError) as exc:
        run_import(path)
    assert exc.value.returncode == 2
    assert "name" in str(exc.value)


def test_wrong_encoding_is_a_file_error(tmp_path, admin):
    path = write_csv(tmp_path / "gbk.csv", CHINESE_HEADER, [["个人", "李四"] + [""] * 13], encoding="gbk")
    with pytest.raises(CommandError) as exc:
        run_import(path, "--encoding", "utf-8")
    assert exc.value.returncode == 2 and "UTF-8" in str(exc.value)
    assert Customer.objects.count() == 0


def test_not_a_workbook_is_a_file_error(tmp_path):
    path = tmp_path / "c.xlsx"
    path.write_text("not a zip")
    with pytest.raises(ImportFileError):
        CustomerFileReader(path)


def test_dry_run_validates_and_writes_nothing(tmp_path, admin):
    path = write_csv(tmp_path / "c.csv", HEADER, rows(5))
    assert "all 5 rows are valid" in run_import(path, "--dry-run")
    assert Customer.objects.count() == 0


def test_import_as_an_own_scoped_user_cannot_hand_customers_to_others(tmp_path, rep, admin):
    data = rows(1)
    data[0][14] = admin.username
    path = write_csv(tmp_path / "c.csv", HEADER, data)
    with pytest.raises(CommandError):
        run_import(path, "--as", "rep1")
    assert Customer.objects.count() == 0


def test_source_remembers_the_mapping_for_the_next_file(tmp_path, admin):
    header = ["客户类别", "会员名", "联系手机"]
    path = write_csv(tmp_path / "pos.csv", header, [["个人", "会员甲", "13800138000"]])
    with pytest.raises(CommandError) as exc:
        run_import(path, "--source", "POS 门店系统")
    assert exc.value.returncode == 2 and "name" in str(exc.value)  # 会员名 is not a known header name
    out = run_import(path, "--source", "POS 门店系统", "--mapping", "会员名=name,联系手机=mobile", "--dry-run")
    assert "all 1 rows are valid" in out and Customer.objects.count() == 0
    assert "Imported 1 customers" in run_import(path, "--source", "POS 门店系统")
    assert Customer.objects.get().mobile == "+8613800138000"


def test_mapping_option_errors_exit_with_code_2(tmp_path, admin):
    path = write_csv(tmp_path / "c.csv", HEADER, rows(1))
    for mapping in ("name", "name=nickname", "没有=name"):
        with pytest.raises(CommandError) as exc:
            run_import(path, "--mapping", mapping)
        assert exc.value.returncode == 2
    assert Customer.objects.count() == 0


def test_bad_files_exit_with_code_2_and_the_reason(tmp_path, admin, settings):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    for path, reason in ((empty, "empty"), (tmp_path / "missing.csv", "No such file")):
        with pytest.raises(CommandError) as exc:
            run_import(path)
        assert exc.value.returncode == 2 and reason in str(exc.value)
    header_only = write_csv(tmp_path / "h.csv", HEADER, [])
    with pytest.raises(CommandError) as exc:
        run_import(header_only)
    assert exc.value.returncode == 2 and "no data rows" in str(exc.value)
    settings.IMPORT_MAX_BYTES = 100
    with pytest.raises(CommandError) as exc:
        run_import(write_csv(tmp_path / "big.csv", HEADER, rows(20)))
    assert exc.value.returncode == 2 and "at most" in str(exc.value)
    assert Customer.objects.count() == 0


def test_the_command_records_an_import_job(tmp_path, admin):
    path = write_csv(tmp_path / "c.csv", HEADER, rows(3))
    out = run_import(path)
    from guanxi.customers.models import ImportJob

    job = ImportJob.objects.get()
    assert (job.status, job.created_count, job.created_by, job.original_name) == ("done", 3, admin, str(path))
    assert f"import #{job.pk}" in out
    reasons = Customer.history.model.objects.values_list("history_change_reason", flat=True)
    assert list(reasons) == [f"import #{job.pk}"] * 3
