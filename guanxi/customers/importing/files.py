"""Reading customer import files (CSV or XLSX): encodings, sheets, headers and column mappings.

The reader knows files, encodings and columns; what a row means and whether it is valid is
decided by `rows.RowValidator`, shared by the command, the UI and the API. A CSV file is
never read whole: rows are streamed, and big files are cut into blocks of whole records
(`csv_blocks`) that worker processes parse in parallel.
"""

import codecs
import csv
import datetime
import io
import os
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from guanxi.core.errors import ValidationFailed

# Canonical field → (label, accepted header spellings compared lower-cased without spaces).
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "kind": (_("Kind"), ("kind", "type", "customer_type", "类型", "客户类型", "客户类别")),
    "name": (_("Name"), ("name", "customer_name", "full_name", "姓名", "名称", "客户名称", "姓名/名称", "客户姓名",
                         "单位名称", "公司名称")),
    "mobile": (_("Mobile"), ("mobile", "phone", "mobile_phone", "cellphone", "tel", "手机", "手机号", "手机号码",
                             "电话", "联系电话", "移动电话")),
    "landline": (_("Landline"), ("landline", "office_phone", "座机", "固定电话", "固话", "办公电话")),
    "email": (_("E-mail"), ("email", "e-mail", "mail", "邮箱", "电子邮箱", "电子邮件", "邮件")),
    "wechat": (_("WeChat"), ("wechat", "weixin", "微信", "微信号")),
    "id_type": (_("ID type"), ("id_type", "证件类型")),
    "id_number": (_("ID number"), ("id_number", "id_no", "id", "idcard", "id_card", "证件号码", "证件号",
                                   "身份证号", "身份证号码", "身份证", "统一社会信用代码")),
    "birth_date": (_("Birth date"), ("birth_date", "birthday", "date_of_birth", "dob", "出生日期", "生日")),
    "gender": (_("Gender"), ("gender", "sex", "性别")),
    "occupation": (_("Occupation"), ("occupation", "job", "职业")),
    "industry": (_("Industry"), ("industry", "行业", "所属行业")),
    "brand": (_("Brand"), ("brand", "品牌")),
    "arpu": (_("ARPU"), ("arpu", "月均消费", "月消费", "arpu(元)")),
    "lifecycle_stage": (_("Lifecycle stage"), ("lifecycle_stage", "lifecycle", "stage", "生命周期", "生命周期阶段",
                                               "客户阶段")),
    "province": (_("Province"), ("province", "省", "省份", "所在省")),
    "city": (_("City"), ("city", "市", "城市", "所在市")),
    "district": (_("District"), ("district", "county", "区", "区县", "县区")),
    "street": (_("Street address"), ("street", "address", "street_address", "地址", "详细地址", "街道地址")),
    "postcode": (_("Postcode"), ("postcode", "zip", "zipcode", "postal_code", "邮编", "邮政编码")),
    "tags": (_("Tags"), ("tags", "tag", "标签")),
    "owner": (_("Owner"), ("owner", "account_manager", "负责人", "客户经理")),
    "notes": (_("Notes"), ("notes", "note", "remark", "remarks", "comment", "备注", "说明")),
}
COLUMNS: dict[str, tuple[str, ...]] = {name: aliases for name, (_label, aliases) in FIELDS.items()}
# A file without a kind column (类型) holds individuals: most exports of shops and call centres
# have no such column. A kind column with an empty cell is still an error.
REQUIRED_COLUMNS = ("name",)
REQUIRED_HINTS = {"name": "姓名"}
ENCODINGS = ("auto", "utf-8", "gbk")
_CHUNK = 1 << 16
_SEPARATORS = re.compile(r"[\s\u3000_\-]+")


def _header_key(text) -> str:
    key = str(text or "").replace("\ufeff", "").strip().lower()
    return _SEPARATORS.sub("", key.replace("（", "(").replace("）", ")"))


def header_aliases(fields: dict[str, tuple[str, tuple[str, ...]]]) -> dict[str, str]:
    """Header spelling (compared as `_header_key`) → field, for a table of fields like FIELDS."""
    return {_header_key(alias): name for name, (_label, aliases) in fields.items() for alias in aliases}


_ALIASES = header_aliases(FIELDS)


class ImportFileError(ValidationFailed):
    """The file as a whole cannot be used: size, format, encoding, sheets or columns.

    `template` (marked for translation) and `params` give the reason in the reader's language
    (`message`, `translated()`), in the pages, the API and the command line."""

    code = "import_file"

    def __init__(self, template: str, *, code: str | None = None, fields: dict | None = None, **params):
        self.template, self.params = template, params
        super().__init__(template % params if params else template, code=code, fields=fields)

    def translated(self) -> str:
        text = gettext(self.template)
        return text % self.params if self.params else text

    @property
    def message(self) -> str:
        return self.translated()


def encoding_option(detected: str) -> str:
    """The reader's encoding option for a file whose encoding was detected as `detected`."""
    if not detected:
        return "auto"
    return "utf-8" if detected.startswith("utf") else "gbk"


def max_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_BYTES", 500 * 1024 * 1024))


def check_size(size: int, limit: int | None = None) -> None:
    """Refuse a file over the limit before anything of it is read."""
    limit = max_bytes() if limit is None else limit
    if size > limit:
        raise ImportFileError(
            gettext_noop("The file is %(size).1f MB; at most %(limit).1f MB can be imported."),
            code="file_too_large", fields={"file": "too large"}, size=size / 1024 / 1024, limit=limit / 1024 / 1024,
        )


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes as UTF-8, else GB18030 (a superset
    of GBK and GB2312) when it decodes as that. Reads the file in chunks, so memory stays flat;
    a file that is neither is refused here, before any row is read."""
    if _decodes(path, "utf-8"):
        with path.open("rb") as raw:
            return "utf-8-sig" if raw.read(3) == codecs.BOM_UTF8 else "utf-8"
    position = _decode_error(path, "gb18030")
    if position is not None:
        raise ImportFileError(
            gettext_noop("The file is neither UTF-8 nor GBK text (undecodable byte at position %(position)s); "
                         "save it as CSV UTF-8 or as an XLSX workbook."),
            code="encoding", fields={"file": "encoding"}, position=position,
        )
    return "gb18030"


def _decodes(path: Path, encoding: str) -> bool:
    return _decode_error(path, encoding) is None


def _decode_error(path: Path, encoding: str) -> int | None:
    """The byte position of the first byte that does not decode, or None."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    with path.open("rb") as raw:
        try:
            while chunk := raw.read(_CHUNK):
                decoder.decode(chunk)
                offset += len(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            return offset + max(exc.start, 0)
    return None


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


# ---------------------------------------------------------------- mappings


def guess_mapping(headers: list[str], remembered: dict[str, str] | None = None, *,
                  fields: dict | None = None) -> dict[str, str]:
    """Header → field for the headers whose meaning is known: first from a source's remembered
    mapping, then from the usual Chinese and English header names. Each field is used once.
    `fields` (default FIELDS, the customer's) lets other files (leads) be read the same way."""
    aliases = _ALIASES if fields is None else header_aliases(fields)
    fields = FIELDS if fields is None else fields
    mapping: dict[str, str] = {}
    used: set[str] = set()
    remembered = remembered or {}
    for header in headers:
        target = remembered.get(header)
        if target in FIELDS and target not in used and header not in mapping:
            mapping[header] = target
            used.add(target)
    for header in headers:
        if header in mapping or not _header_key(header):
            continue
        target = aliases.get(_header_key(header))
        if target and target not in used:
            mapping[header] = target
            used.add(target)
    return mapping


def parse_mapping_text(text: str) -> dict[str, str]:
    """`手机号码=mobile,客户名=name` (as the command line and the API take it) → a mapping."""
    mapping = {}
    for part in re.split(r"[,，\n]", text or ""):
        if not part.strip():
            continue
        if "=" not in part:
            raise ImportFileError(gettext_noop("Mapping %(part)s is not COLUMN=FIELD."), code="mapping",
                                  fields={"mapping": "COLUMN=FIELD, …"}, part=repr(part.strip()))
        column, target = part.split("=", 1)
        mapping[column.strip()] = target.strip()
    return mapping


def column_fields(headers: list[str], mapping: dict[str, str], *, fields: dict | None = None,
                  required: tuple[str, ...] = REQUIRED_COLUMNS) -> list[str | None]:
    """The field of each column of the file (None: ignored), after checking the mapping: known
    fields only (of `fields`, default FIELDS), each field once, columns that exist, and the
    `required` fields present."""
    fields = FIELDS if fields is None else fields
    unknown = sorted({t for t in mapping.values() if t and t not in fields})
    if unknown:
        raise ImportFileError(gettext_noop("Unknown field(s) %(unknown)s; the fields are: %(known)s."), code="mapping",
                              fields={"mapping": "unknown field"}, unknown=", ".join(unknown), known=", ".join(fields))
    missing_columns = sorted(c for c, t in mapping.items() if t and c not in headers)
    if missing_columns:
        raise ImportFileError(gettext_noop("The file has no column %(columns)s."), code="mapping",
                              fields={"mapping": "no such column"}, columns=", ".join(missing_columns))
    targets = [t for t in mapping.values() if t]
    twice = sorted({t for t in targets if targets.count(t) > 1})
    if twice:
        raise ImportFileError(gettext_noop("Field(s) %(targets)s mapped from more than one column."), code="mapping",
                              fields={"mapping": "mapped twice"}, targets=", ".join(twice))
    columns: list[str | None] = []
    seen_headers: set[str] = set()
    for header in headers:
        target = mapping.get(header) or None
        if target and header in seen_headers:
            raise ImportFileError(gettext_noop("Column %(column)s appears twice."), code="mapping",
                                  fields={"mapping": "column appears twice"}, column=repr(header))
        seen_headers.add(header)
        columns.append(target)
    missing = [f for f in required if f not in columns]
    if missing:
        names = ", ".join(f"{f} ({REQUIRED_HINTS[f]})" for f in missing)
        raise ImportFileError(gettext_noop("Missing required column(s): %(names)s."), code="missing_columns",
                              fields={"columns": names}, names=names)
    return columns


# ---------------------------------------------------------------- file inspection


@dataclass
class FileInfo:
    """What a file is, read from its first lines only (plus a newline count for CSV)."""

    path: Path
    format: str  # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ","
    sheets: list[str] = field(default_factory=list)
    sheet: str = ""
    headers: list[str] = field(default_factory=list)
    total_hint: int = 0
    size: int = 0


def inspect_file(path: str | os.PathLike, *, encoding: str = "auto", sheet: str = "",
                 limit: int | None = None) -> FileInfo:
    """Format, encoding, sheets and header row of a file; ImportFileError for a file that cannot
    be used (too large, not CSV/XLSX, undecodable, empty)."""
    path = Path(path)
    if encoding not in ENCODINGS:
        raise ImportFileError(gettext_noop("Unknown encoding %(encoding)s; use one of %(known)s."),
                              encoding=repr(encoding), known=", ".join(ENCODINGS))
    if not path.is_file():
        raise ImportFileError(gettext_noop("No such file: %(path)s"), code="no_file", path=str(path))
    size = path.stat().st_size
    check_size(size, limit)
    if size == 0:
        raise ImportFileError(gettext_noop("The file is empty: no header row."), code="empty_file")
    if zipfile.is_zipfile(path):
        return _inspect_xlsx(path, sheet=sheet, size=size)
    if path.suffix.lower() in (".xlsx", ".xls", ".xlsm"):
        raise ImportFileError(gettext_noop("This is not an XLSX workbook (old .xls files are not supported; "
                                           "save as .xlsx)."),
                              code="format")
    chosen = detect_encoding(path) if encoding == "auto" else "utf-8-sig" if encoding == "utf-8" else "gb18030"
    info = FileInfo(path=path, format="csv", encoding=chosen, size=size)
    with path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding=chosen, errors="strict", newline="")
        try:
            first_line = text.readline()
            text.seek(0)
            info.delimiter = max(",;\t", key=first_line.count)
            header = next(csv.reader(text, delimiter=info.delimiter), None)
        except UnicodeDecodeError as exc:
            raise _decode_failure(chosen, exc) from exc
        except csv.Error as exc:
            raise ImportFileError(gettext_noop("Not a readable CSV file: %(reason)s"), code="format",
                                  reason=str(exc)) from exc
    if header is None or not any(_cell(v) for v in header):
        raise ImportFileError(gettext_noop("The file is empty: no header row."), code="empty_file")
    info.headers = [_cell(v).replace("\ufeff", "") for v in header]
    info.total_hint = _count_records(path)
    return info


def _decode_failure(encoding: str, exc: UnicodeDecodeError) -> ImportFileError:
    name = "UTF-8" if encoding.startswith("utf") else "GBK"
    return ImportFileError(
        gettext_noop("The file is not valid %(name)s text (byte %(byte)s); save it as UTF-8 or GBK, "
                     "or choose the encoding."),
        code="encoding", fields={"file": "encoding"}, name=name, byte=exc.start,
    )


def _count_records(path: Path) -> int:
    """Roughly how many data rows there are (for a progress bar): lines minus the header."""
    lines, last = 0, b""
    with path.open("rb") as raw:
        while chunk := raw.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk
    records = lines + (1 if last and not last.endswith(b"\n") else 0)
    return max(0, records - 1)


def _open_workbook(path: Path, *, data_only: bool):
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=data_only)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError(gettext_noop("Not a readable XLSX workbook: %(reason)s"), code="format",
                              reason=str(exc)) from exc


def _inspect_xlsx(path: Path, *, sheet: str, size: int) -> FileInfo:
    workbook = _open_workbook(path, data_only=True)
    try:
        names = [ws.title for ws in workbook.worksheets]
        if not names:
            raise ImportFileError(gettext_noop("The workbook has no sheets."), code="empty_file")
        if sheet and sheet not in names:
            raise ImportFileError(gettext_noop("The workbook has no sheet %(sheet)s; it has %(sheets)s."),
                                  code="sheet", fields={"sheet": "no such sheet"}, sheet=repr(sheet),
                                  sheets=", ".join(names))
        chosen, header = sheet, None
        for name in ([sheet] if sheet else names):
            first = next(workbook[name].iter_rows(values_only=True, max_row=1), None)
            if first is not None and any(_cell(v) for v in first):
                chosen, header = name, first
                break
        if header is None:
            raise ImportFileError(gettext_noop("The file is empty: no header row."), code="empty_file")
        headers = [_cell(v) for v in header]
        while headers and not headers[-1]:
            headers.pop()
        max_row = workbook[chosen].max_row or 1
    finally:
        workbook.close()
    return FileInfo(path=path, format="xlsx", sheets=names, sheet=chosen, headers=headers,
                    total_hint=max(0, max_row - 1), size=size)


def xlsx_sheet_names(path: str | os.PathLike) -> list[str]:
    workbook = _open_workbook(Path(path), data_only=True)
    try:
        return [ws.title for ws in workbook.worksheets]
    finally:
        workbook.close()


# ---------------------------------------------------------------- reading rows


FORMULA_WITHOUT_VALUE = "_formula"
EXTRA = "_extra"


def row_from_cells(cells: list[str], columns: list[str | None]) -> dict[str, str] | None:
    """The mapped fields of one record, or None for a blank record."""
    if not any(cells):
        return None
    row = {name: value for name, value in zip(columns, cells, strict=False) if name}
    if len(cells) > len(columns) and any(cells[len(columns):]):
        row[EXTRA] = "more values than columns"
    return row


class CustomerFileReader:
    """Iterate over `(row_number, row)` of a customer file; row numbers are as a spreadsheet shows
    them (the header is row 1), blank rows are skipped. `mapping` (header → field) defaults to
    a guess from the header names. Raises ImportFileError for a file it cannot use. Another kind of
    record (leads) is read with its own `fields` table and `required` columns."""

    def __init__(self, path: str | os.PathLike, *, encoding: str = "auto", mapping: dict[str, str] | None = None,
                 sheet: str = "", limit: int | None = None, info: FileInfo | None = None,
                 fields: dict | None = None, required: tuple[str, ...] = REQUIRED_COLUMNS):
        self.info = info or inspect_file(path, encoding=encoding, sheet=sheet, limit=limit)
        self.path = self.info.path
        self.format = self.info.format
        self.encoding = self.info.encoding
        self.mapping = guess_mapping(self.info.headers, fields=fields) if mapping is None else mapping
        self.columns = column_fields(self.info.headers, self.mapping, fields=fields, required=required)
        self.unknown_columns = [h for h, c in zip(self.info.headers, self.columns, strict=True) if h and not c]
        self.total_hint = self.info.total_hint

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        if self.format == "xlsx":
            yield from self._iter_xlsx()
        else:
            yield from self._iter_csv()

    def _iter_csv(self):
        with self.path.open("rb") as raw:
            text = io.TextIOWrapper(raw, encoding=self.encoding, errors="strict", newline="")
            try:
                records = csv.reader(text, delimiter=self.info.delimiter)
                next(records, None)
                for number, values in enumerate(records, start=2):
                    row = row_from_cells([v.strip() for v in values], self.columns)
                    if row is not None:
                        yield number, row
            except UnicodeDecodeError as exc:
                raise _decode_failure(self.encoding, exc) from exc
            except csv.Error as exc:
                raise ImportFileError(gettext_noop("Not a readable CSV file: %(reason)s"), code="format",
                                      reason=str(exc)) from exc

    def _iter_xlsx(self):
        """Rows of the chosen sheet. Formulas count with the value Excel saved; a formula without
        a saved value (a file written by a program that does not calculate) is reported."""
        values_book = _open_workbook(self.path, data_only=True)
        formulas_book = _open_workbook(self.path, data_only=False)
        try:
            values = values_book[self.info.sheet].iter_rows(values_only=True)
            formulas = formulas_book[self.info.sheet].iter_rows(values_only=True)
            next(values, None)
            next(formulas, None)
            for number, (row_values, row_formulas) in enumerate(zip(values, formulas, strict=False), start=2):
                cells = [_cell(v) for v in row_values]
                row = row_from_cells(cells, self.columns)
                uncomputed = [self.info.headers[i] for i, (v, f) in enumerate(zip(row_values, row_formulas,
                                                                               strict=False))
                              if v is None and isinstance(f, str) and f.startswith("=")
                              and i < len(self.columns) and self.columns[i]]
                if uncomputed:
                    row = row or {}
                    row[FORMULA_WITHOUT_VALUE] = ", ".join(uncomputed)
                if row is not None:
                    yield number, row
        finally:
            values_book.close()
            formulas_book.close()


def sample_rows(info: FileInfo, *, mapping: dict[str, str], limit: int = 10) -> list[tuple[int, dict[str, str]]]:
    """The first `limit` rows as mapped (for the preview)."""
    rows = []
    for item in CustomerFileReader(info.path, info=info, mapping=mapping):
        rows.append(item)
        if len(rows) >= limit:
            break
    return rows


# ---------------------------------------------------------------- CSV blocks for parallel parsing


def csv_blocks(info: FileInfo, *, block_bytes: int = 1 << 20) -> Iterator[bytes]:
    """The bytes after the header row in blocks of whole records (for worker processes).

    About 8,000 customers a block: importing at once, the workers run a few blocks ahead of the
    writer, and what they are ahead by is written after the last block is checked, on one core
    (4 MB blocks: ~130,000 rows, 3.4 s at 1,000,000). Validation alone is as fast either way.

    A block ends at a newline outside quotes: with RFC 4180 quoting a position is inside a
    quoted field exactly when an odd number of quote characters precede it. In UTF-8, GBK and
    GB18030 neither the quote nor the newline byte occurs inside a multi-byte character.
    """
    with info.path.open("rb") as raw:
        head = raw.read(3)
        if head != codecs.BOM_UTF8:
            raw.seek(0)
        carry = _skip_header(raw)
        while True:
            chunk = raw.read(block_bytes)
            data = carry + chunk
            if not chunk:
                if data.strip():
                    yield data
                return
            # Every block (and so what is carried over) starts outside quotes.
            cut = _safe_cut(data)
            if cut < 0:
                carry = data  # one record longer than a block: read on
                continue
            block, carry = data[: cut + 1], data[cut + 1:]
            yield block


def _skip_header(raw) -> bytes:
    """Consume the header record; return what was read past it."""
    data = b""
    while True:
        chunk = raw.read(_CHUNK)
        data += chunk
        cut = _safe_cut(data, first=True)
        if cut >= 0:
            return data[cut + 1:]
        if not chunk:
            return b""


def _safe_cut(data: bytes, *, first: bool = False) -> int:
    """Index of the last (or, with `first`, the first) newline outside quotes, or -1."""
    if b'"' not in data:
        return data.find(b"\n") if first else data.rfind(b"\n")
    if first:
        position = data.find(b"\n")
        while position >= 0:
            if data.count(b'"', 0, position) % 2 == 0:
                return position
            position = data.find(b"\n", position + 1)
        return -1
    position = data.rfind(b"\n")
    while position >= 0:
        if data.count(b'"', 0, position) % 2 == 0:
            return position
        position = data.rfind(b"\n", 0, position)
    return -1


# ---------------------------------------------------------------- uploads over HTTP (pages and API)


class SizeLimitHandler(FileUploadHandler):
    """Stops reading an upload as soon as it passes the import size limit (for clients that send
    no Content-Length); the view then refuses it."""

    def __init__(self, request=None, *, limit: int):
        super().__init__(request)
        self.limit = limit
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.request.import_too_large = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None


def upload_too_large(request) -> bool:
    """Check the declared size before anything of the body is read; cap what is read otherwise.
    Must run before request.POST or request.FILES is touched."""
    limit = max_bytes()
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit + 64 * 1024:  # the multipart framing around the file
        return True
    request.upload_handlers.insert(0, SizeLimitHandler(request, limit=limit))
    return False
