"""The access log as rows for the API and as a CSV or XLSX file (the privacy officer's report)."""

import csv
import io
from collections.abc import Iterator

from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext, pgettext

from guanxi.core.spreadsheet import spreadsheet_cell
from guanxi.customers.enums import ContactPointKind
from guanxi.customers.models import Address, ContactPoint, Customer

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


def field_label(name: str) -> str:
    """A logged field's name as the customer pages label it, in the active language
    ("contact_point:mobile": a contact point of that kind)."""
    prefix, _, kind = name.partition(":")
    if prefix == "contact_point" and kind in ContactPointKind.values:
        return str(ContactPointKind(kind).label)
    for model in (Customer, Address, ContactPoint):
        try:
            return str(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            continue
    return name


def field_labels(fields: str) -> str:
    return pgettext("list separator", ", ").join(field_label(f) for f in fields.split(",") if f)


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
            spreadsheet_cell(field_labels(row.fields)), spreadsheet_cell(row.get_channel_display()),
            spreadsheet_cell(row.path), spreadsheet_cell(row.request_id)]


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
