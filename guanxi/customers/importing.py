"""Reading customer import files (CSV or XLSX) into plain dict rows, one at a time.

The reader knows files, encodings and column names; what a row means and whether it is valid
is decided by `services.importing.customer_import`, which the command, the UI and the API share.
"""

import codecs
import csv
import datetime
import io
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

from guanxi.core.errors import ValidationFailed

# Canonical column → accepted header spellings (compared lower-cased, without spaces).
COLUMNS: dict[str, tuple[str, ...]] = {
    "kind": ("kind", "类型", "客户类型"),
    "name": ("name", "姓名", "名称", "客户名称", "姓名/名称"),
    "mobile": ("mobile", "phone", "手机", "手机号", "手机号码", "电话"),
    "email": ("email", "e-mail", "邮箱", "电子邮箱", "电子邮件"),
    "id_type": ("id_type", "证件类型"),
    "id_number": ("id_number", "证件号码", "证件号", "身份证号"),
    "birth_date": ("birth_date", "出生日期", "生日"),
    "gender": ("gender", "性别"),
    "brand": ("brand", "品牌"),
    "arpu": ("arpu", "月均消费"),
    "lifecycle_stage": ("lifecycle_stage", "lifecycle", "生命周期", "生命周期阶段"),
    "industry": ("industry", "行业"),
    "province": ("province", "省", "省份"),
    "city": ("city", "市", "城市"),
    "district": ("district", "区", "区县"),
    "street": ("street", "address", "地址", "详细地址"),
    "tags": ("tags", "标签"),
    "owner": ("owner", "负责人", "客户经理"),
    "notes": ("notes", "备注"),
}
REQUIRED_COLUMNS = ("kind", "name")
_ALIASES = {alias.replace(" ", "").lower(): column for column, aliases in COLUMNS.items() for alias in aliases}
ENCODINGS = ("auto", "utf-8", "gbk")
_CHUNK = 1 << 16


class ImportFileError(ValidationFailed):
    """The file as a whole cannot be read: format, encoding or columns."""

    code = "import_file"


def _header_key(text) -> str:
    return str(text or "").replace("\ufeff", "").replace(" ", "").replace("\u3000", "").strip().lower()


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes as UTF-8, else GB18030 (a superset of
    GBK and GB2312). Reads the file in chunks, so memory stays flat."""
    with path.open("rb") as raw:
        head = raw.read(3)
        if head == codecs.BOM_UTF8:
            return "utf-8-sig"
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            decoder.decode(head)
            while chunk := raw.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8"


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class CustomerFileReader:
    """Iterate over `(row_number, row)` of a customer file; row numbers are as a spreadsheet shows
    them (the header is row 1). Raises ImportFileError for a file it cannot use."""

    def __init__(self, path: str | os.PathLike, *, encoding: str = "auto"):
        self.path = Path(path)
        if encoding not in ENCODINGS:
            raise ImportFileError(f"Unknown encoding {encoding!r}; use one of {', '.join(ENCODINGS)}.")
        if not self.path.is_file():
            raise ImportFileError(f"No such file: {self.path}")
        self.format = "xlsx" if zipfile.is_zipfile(self.path) else "csv"
        if self.format == "csv" and self.path.suffix.lower() in (".xlsx", ".xls"):
            raise ImportFileError("This is not an XLSX workbook (old .xls files are not supported; save as .xlsx).")
        self.encoding = ""
        if self.format == "csv":
            self.encoding = detect_encoding(self.path) if encoding == "auto" else (
                "utf-8-sig" if encoding == "utf-8" else "gb18030")
        self.columns: list[str | None] = []
        self.unknown_columns: list[str] = []
        self.total_hint = self._count_rows()

    def _count_rows(self) -> int:
        """Roughly how many data rows there are (for a progress bar)."""
        if self.format == "xlsx":
            return 0  # set when the sheet is opened
        lines, last = 0, b""
        with self.path.open("rb") as raw:
            while chunk := raw.read(_CHUNK):
                lines += chunk.count(b"\n")
                last = chunk
        records = lines + (1 if last and not last.endswith(b"\n") else 0)
        return max(0, records - 1)

    def _set_header(self, header: list) -> None:
        self.columns = []
        seen = set()
        for text in header:
            column = _ALIASES.get(_header_key(text))
            if column is not None and column in seen:
                raise ImportFileError(f"Column {text!r} appears twice.")
            if column is None and _header_key(text):
                self.unknown_columns.append(str(text))
            seen.add(column)
            self.columns.append(column)
        missing = [c for c in REQUIRED_COLUMNS if c not in seen]
        if missing:
            names = ", ".join(f"{c} ({COLUMNS[c][1]})" for c in missing)
            raise ImportFileError(f"Missing required column(s): {names}.", fields={"columns": names})

    def _rows(self, raw_rows: Iterator[list]) -> Iterator[tuple[int, dict[str, str]]]:
        header = next(raw_rows, None)
        if header is None or not any(_cell(v) for v in header):
            raise ImportFileError("The file is empty: no header row.")
        self._set_header(header)
        for number, values in enumerate(raw_rows, start=2):
            cells = [_cell(v) for v in values]
            if not any(cells):
                continue
            row = {column: value for column, value in zip(self.columns, cells, strict=False) if column}
            if len(cells) > len(self.columns) and any(cells[len(self.columns):]):
                row["_extra"] = "more values than columns"
            yield number, row

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        if self.format == "xlsx":
            yield from self._iter_xlsx()
        else:
            yield from self._iter_csv()

    def _iter_csv(self):
        with self.path.open("rb") as raw:
            text = io.TextIOWrapper(raw, encoding=self.encoding, errors="strict", newline="")
            try:
                first_line = text.readline()
                text.seek(0)
                delimiter = max(",;\t", key=first_line.count)
                yield from self._rows(iter(csv.reader(text, delimiter=delimiter)))
            except UnicodeDecodeError as exc:
                raise ImportFileError(
                    f"The file is not valid {self.encoding.upper()} text (byte {exc.start}); "
                    "save it as UTF-8 or GBK, or pass --encoding."
                ) from exc
            except csv.Error as exc:
                raise ImportFileError(f"Not a readable CSV file: {exc}") from exc

    def _iter_xlsx(self):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(self.path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise ImportFileError(f"Not a readable XLSX workbook: {exc}") from exc
        try:
            sheet = workbook.worksheets[0]
            self.total_hint = max(0, (sheet.max_row or 1) - 1)
            yield from self._rows(iter(sheet.iter_rows(values_only=True)))
        finally:
            workbook.close()
