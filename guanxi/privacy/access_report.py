"""The access log as rows for the API and as a CSV or XLSX file (the privacy officer's report)."""

import csv
import io
from collections.abc import Iterator

from django.utils import timezone
from django.utils.translation import gettext

from guanxi.core.spreadsheet import spreadsheet_cell

from .models import PersonalDataAccess

IDS_SHOWN = 100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_ids(row: PersonalDataAccess, limit: int = IDS_SHOWN) -> list[int]:
    ids = []
    for part in row.customer_ids.strip(",").split(","):
        if len(ids) >= limit:
            break
        if part:
            ids.append(int(part))
    return ids


def access_row(row: PersonalDataAccess) -> dict:
    return {"id": row.pk, "at": row.at, "user_id": row.user_id, "username": row.user.username,
            "user_name": row.user.get_full_name() or row.user.username, "customer": row.customer_id,
            "customer_count": row.customer_count, "customer_ids": export_ids(row),
            "fields": [f for f in row.fields.split(",") if f], "channel": row.channel, "path": row.path,
            "request_id": row.request_id}


def _headers() -> list[str]:
    return [gettext("Time"), gettext("Username"), gettext("Staff member"), gettext("Customer"),
            gettext("Customers"), gettext("Fields"), gettext("Where"), gettext("Path"), gettext("Request id")]


def _cells(row: PersonalDataAccess) -> list:
    customer = row.customer_id if row.customer_id else " ".join(map(str, export_ids(row)))
    return [timezone.localtime(row.at).strftime("%Y-%m-%d %H:%M:%S"), spreadsheet_cell(row.user.username),
            spreadsheet_cell(row.user.get_full_name()), spreadsheet_cell(customer), row.customer_count,
            spreadsheet_cell(row.fields), spreadsheet_cell(row.get_channel_display()), spreadsheet_cell(row.path),
            spreadsheet_cell(row.request_id)]


def access_csv(rows) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_headers())
    yield "\ufeff" + _drain(buffer)
    for row in rows.iterator(chunk_size=2000):
        writer.writerow(_cells(row))
        yield _drain(buffer)


def access_xlsx(rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(gettext("Access log")[:31])
    sheet.append(_headers())
    for row in rows.iterator(chunk_size=2000):
        sheet.append(_cells(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
