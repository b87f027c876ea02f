"""PostgreSQL COPY, both ways: values in COPY text format (bulk writes: the customer import, the
bench) and query results streamed out as CSV (bulk reads: customer value, the duplicate scan).

COPY text: tab-separated, one row a line, \\N for NULL, backslash escapes. Rows "in COPY form" hold
text or numbers already, NULL as a NUL character (which no PostgreSQL text can hold) and t/f for
booleans: most such rows need no escaping, so they are joined whole and checked once, and escaped
value by value only when the check fails.
"""

from __future__ import annotations

import io
from typing import IO, TYPE_CHECKING

from django.db import connection

if TYPE_CHECKING:  # pandas is imported where a frame is made, not when the product starts
    import pandas as pd

COPY_NULL_TEXT = "\\N"


class _CopyNull(str):
    """The NULL of rows in COPY form: it formats as a NUL character, which `copy_form_text` turns
    into \\N."""


COPY_NULL = _CopyNull("\x00")
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_field(value) -> str:
    """One value (None or COPY_NULL for NULL, booleans, numbers, text) in COPY text format."""
    if value is None or value is COPY_NULL:
        return COPY_NULL_TEXT
    if value is True:
        return "t"
    if value is False:
        return "f"
    text = value if value.__class__ is str else str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.translate(_COPY_ESCAPES)
    return text


def copy_form(value) -> str:
    """A Python value in COPY form: NULL as NUL, t/f for booleans, the rest as its text (unescaped)."""
    if value is None:
        return "\x00"
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value)


def copy_form_line(texts: list[str]) -> str:
    """A line of values already in COPY form, in COPY text format."""
    line = "\t".join(texts)
    if "\\" in line or "\n" in line or "\r" in line or line.count("\t") != len(texts) - 1:
        line = "\t".join(["\x00" if v == "\x00" else v.translate(_COPY_ESCAPES) for v in texts])
    return line.replace("\x00", COPY_NULL_TEXT)


def copy_line(values) -> str:
    """Python values (None for NULL) in COPY text format, one tab between them, joined as they are and
    checked once; escaped value by value only when needed."""
    parts = [v if v.__class__ is str else copy_form(v) for v in values]
    line = "\t".join(parts)
    if ("\\" in line or "\n" in line or "\r" in line or line.count("\t") != len(parts) - 1
            or line.count("\x00") != values.count(None)):
        return "\t".join([copy_field(v) for v in values])
    return line.replace("\x00", COPY_NULL_TEXT)


def copy_text(rows: list[tuple]) -> bytes:
    """Rows of Python values (None, booleans, numbers, text) in COPY text format (UTF-8)."""
    return "".join(["\t".join([copy_field(v) for v in row]) + "\n" for row in rows]).encode()


def copy_form_text(rows: list[tuple]) -> bytes:
    """Rows in COPY form (text or numbers, COPY_NULL for NULL, "t"/"f" for booleans) in COPY text
    format (UTF-8), for `copy.write`.

    The rows are formatted whole, then checked: exactly one tab between fields and one newline a
    row, no carriage return or backslash, and each NUL a whole field (a NULL). The usual batch
    passes and only has its NULs replaced; a batch with a value that needs escaping is escaped
    value by value instead.
    """
    if not rows:
        return b""
    width, n = len(rows[0]), len(rows)
    text = "\n".join(["\t".join(["%s"] * width) % row for row in rows]) + "\n"
    nulls = text.count("\x00")
    if (text.count("\t") != n * (width - 1) or text.count("\n") != n or "\r" in text or "\\" in text
            or nulls != text.count("\t\x00") + text.count("\n\x00") + text.startswith("\x00")
            or nulls != text.count("\x00\t") + text.count("\x00\n")):
        return copy_text(rows)
    return text.replace("\x00", COPY_NULL_TEXT).encode()


def copy_out_csv(sql: str, params=None, *, out: IO[bytes], header: bool = False) -> int:
    """Stream the rows of `sql` (PostgreSQL only) as CSV into `out`; the number of bytes written."""
    written = 0
    options = "FORMAT csv, HEADER true" if header else "FORMAT csv"
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH ({options})", params) as copy:
        for chunk in copy:
            written += out.write(chunk)
    return written


def query_frame(sql: str, params, columns: tuple[str, ...] | list[str]) -> pd.DataFrame:
    """The rows of `sql` as a DataFrame whose columns are `columns` (by position): on PostgreSQL
    streamed out with COPY as CSV and parsed by pyarrow, elsewhere fetched as rows."""
    import pandas as pd

    if connection.vendor == "postgresql":
        buffer = io.BytesIO()
        if copy_out_csv(sql, params, out=buffer, header=True) == 0:
            return pd.DataFrame(columns=list(columns))
        buffer.seek(0)
        frame = pd.read_csv(buffer, engine="pyarrow")
        frame.columns = list(columns)
        return frame
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return pd.DataFrame.from_records(cursor.fetchall(), columns=list(columns))


def frame_csv_chunks(frame: pd.DataFrame, rows: int = 200_000):
    """`frame`'s rows as CSV without a header (written by pyarrow), `rows` at a time, for
    `COPY ... FROM STDIN WITH (FORMAT csv)`."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    options = pacsv.WriteOptions(include_header=False)
    for start in range(0, len(frame), rows):
        part = pa.Table.from_pandas(frame.iloc[start:start + rows], preserve_index=False)
        sink = pa.BufferOutputStream()
        pacsv.write_csv(part, sink, options)
        yield sink.getvalue().to_pybytes()
