"""Reading import files: encodings, sizes, empty files, sheets, formulas, headers and mappings."""

import pathlib

import pytest
from django.utils import translation
from openpyxl import Workbook

from guanxi.customers.importing.files import (
    CustomerFileReader,
    ImportFileError,
    column_fields,
    csv_blocks,
    guess_mapping,
    inspect_file,
    parse_mapping_text,
)

from .helpers import person, write_csv

pytestmark = pytest.mark.django_db


def test_gbk_file_is_detected_and_read(tmp_path):
    path = write_csv(tmp_path / "gbk.csv", [person(1, 姓名="張三")], encoding="gbk")
    reader = CustomerFileReader(path)
    assert reader.encoding == "gb18030"
    [(number, row)] = list(reader)
    assert number == 2 and row["name"] == "張三" and row["province"] == "广东"


def test_utf8_with_and_without_bom(tmp_path):
    plain = write_csv(tmp_path / "a.csv", [person(1)], encoding="utf-8")
    bom = write_csv(tmp_path / "b.csv", [person(1)], encoding="utf-8-sig")
    assert inspect_file(plain).encoding == "utf-8"
    info = inspect_file(bom)
    assert info.encoding == "utf-8-sig" and info.headers[0] == "类型"


def test_undecodable_file_is_one_clear_file_error(tmp_path):
    path = tmp_path / "binary.csv"
    path.write_bytes("类型,姓名\n个人,张三\n".encode() + b"\xff\xfe\x00\x81\xff" * 50)
    with pytest.raises(ImportFileError) as exc:
        inspect_file(path)
    assert exc.value.code == "encoding" and "既不是 UTF-8 也不是 GBK" in exc.value.message
    with translation.override("en"):
        assert "neither UTF-8 nor GBK" in exc.value.message


def test_forced_wrong_encoding_is_a_file_error(tmp_path):
    path = write_csv(tmp_path / "gbk.csv", [person(1)], encoding="gbk")
    with pytest.raises(ImportFileError) as exc:
        list(CustomerFileReader(path, encoding="utf-8"))
    assert "UTF-8" in exc.value.message


def test_empty_file_and_header_only(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ImportFileError) as exc:
        inspect_file(empty)
    assert exc.value.code == "empty_file"
    blank = tmp_path / "blank.csv"
    blank.write_text("\n\n", encoding="utf-8")
    with pytest.raises(ImportFileError):
        inspect_file(blank)
    header_only = write_csv(tmp_path / "h.csv", [])
    assert list(CustomerFileReader(header_only)) == []


def test_file_over_the_size_limit_is_refused_before_it_is_opened(tmp_path, settings, monkeypatch):
    settings.IMPORT_MAX_BYTES = 1000
    path = write_csv(tmp_path / "big.csv", [person(i) for i in range(40)])
    assert path.stat().st_size > 1000

    def no_reading(*args, **kwargs):
        raise AssertionError("the file was opened")

    monkeypatch.setattr(pathlib.Path, "open", no_reading)
    with pytest.raises(ImportFileError) as exc:
        inspect_file(path)
    assert exc.value.code == "file_too_large"


def test_missing_required_columns_name_them(tmp_path):
    path = write_csv(tmp_path / "c.csv", [["个人", "13800138000"]], header=["类型", "手机"])
    with pytest.raises(ImportFileError) as exc:
        CustomerFileReader(path)
    assert exc.value.code == "missing_columns" and "name" in exc.value.message and "姓名" in exc.value.message


def test_a_file_without_a_kind_column_is_read():
    assert column_fields(["姓名", "手机"], {"姓名": "name", "手机": "mobile"}) == ["name", "mobile"]


def test_not_a_workbook(tmp_path):
    path = tmp_path / "c.xlsx"
    path.write_text("not a zip")
    with pytest.raises(ImportFileError) as exc:
        inspect_file(path)
    assert exc.value.code == "format"


def _workbook(path, sheets):
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def test_xlsx_with_several_sheets_reads_the_first_with_data_or_the_one_chosen(tmp_path):
    path = _workbook(tmp_path / "c.xlsx", [
        ("说明", []),
        ("客户", [["类型", "姓名", "手机"], ["个人", "王五", 13600136000]]),
        ("企业", [["客户类型", "名称"], ["企业", "鑫达科技有限公司"]]),
    ])
    info = inspect_file(path)
    assert info.sheets == ["说明", "客户", "企业"] and info.sheet == "客户"
    assert [r["name"] for _, r in CustomerFileReader(path)] == ["王五"]
    assert [r["name"] for _, r in CustomerFileReader(path, sheet="企业")] == ["鑫达科技有限公司"]
    with pytest.raises(ImportFileError) as exc:
        inspect_file(path, sheet="没有")
    assert exc.value.code == "sheet"


def test_xlsx_formulas_use_the_saved_value_and_report_one_without(tmp_path):
    path = _workbook(tmp_path / "f.xlsx", [("客户", [["类型", "姓名", "月均消费"], ["个人", "王五", "=20+30"]])])
    # openpyxl writes formulas without a computed value, as many programs do.
    [(number, row)] = list(CustomerFileReader(path))
    assert number == 2 and row["_formula"] == "月均消费"
    # A value saved by Excel is used as it is.
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["类型", "姓名", "月均消费"])
    sheet.append(["个人", "赵六", 50])
    workbook.save(path)
    [(_, row)] = list(CustomerFileReader(path))
    assert row["arpu"] == "50" and "_formula" not in row


def test_mapping_is_guessed_from_chinese_and_english_headers():
    headers = ["客户类型", "Name", "手机号码", "E-mail", "身份证号", "出生日期", "所在省", "Remarks", "会员等级",
               "座机", "微信号"]
    assert guess_mapping(headers) == {
        "客户类型": "kind", "Name": "name", "手机号码": "mobile", "E-mail": "email", "身份证号": "id_number",
        "出生日期": "birth_date", "所在省": "province", "Remarks": "notes", "座机": "landline", "微信号": "wechat"}


def test_remembered_mapping_wins_over_the_guess_and_each_field_is_used_once():
    headers = ["会员名", "姓名", "电话"]
    assert guess_mapping(headers, {"会员名": "name", "电话": "landline"}) == {"会员名": "name", "电话": "landline"}


def test_mapping_text_and_its_checks():
    assert parse_mapping_text("手机号码=mobile，客户名=name") == {"手机号码": "mobile", "客户名": "name"}
    with pytest.raises(ImportFileError):
        parse_mapping_text("mobile")
    headers = ["类型", "客户名", "手机号码"]
    assert column_fields(headers, {"类型": "kind", "客户名": "name"}) == ["kind", "name", None]
    for bad in ({"类型": "kind", "客户名": "nickname"}, {"类型": "kind", "客户名": "name", "手机号码": "name"},
                {"类型": "kind", "没有": "name"}, {"类型": "kind"}):
        with pytest.raises(ImportFileError):
            column_fields(headers, bad)


def test_csv_blocks_end_on_whole_records_even_inside_quotes(tmp_path):
    path = tmp_path / "q.csv"
    rows = [["个人", f"客户{i}", "", f'备注 "{i}"\n第二行'] for i in range(3000)]
    write_csv(path, rows, header=["类型", "姓名", "手机", "备注"], encoding="utf-8-sig")
    info = inspect_file(path)
    blocks = list(csv_blocks(info, block_bytes=4096))
    assert len(blocks) > 10
    import csv
    import io

    parsed = [r for block in blocks for r in csv.reader(io.StringIO(block.decode(), newline=""))]
    assert parsed == [[c for c in row] for row in rows]
