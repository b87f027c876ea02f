"""Export of a filtered customer list as CSV, streamed, with personal data masked by role."""

import csv
import io
import itertools
import logging
from collections.abc import Iterator

from django.http import StreamingHttpResponse

from guanxi.accounts.models import User
from guanxi.core import personal_access
from guanxi.core.db_routing import report_alias
from guanxi.core.masking import mask_phone
from guanxi.core.spreadsheet import phone_for_spreadsheet, spreadsheet_cell

from . import permissions
from .schemas.customers import customer_row
from .selectors import customers as selectors

logger = logging.getLogger("guanxi.audit")
COLUMNS = ("code", "kind", "name", "mobile", "email", "brand", "arpu", "lifecycle_stage", "owner", "team",
           "updated_at")


def customer_export_csv(*, user: User, filters: selectors.CustomerFilter) -> Iterator[str]:
    """CSV lines (UTF-8 BOM first, for Excel) of every customer the user may read that matches
    `filters`; refused for roles that may not export. Who exported what is logged."""
    permissions.require(user, "customer", "export")
    logger.info("customer export by %s (%s) with %s", user.username, user.role, filters)
    # A report read: on the read replica when there is one (guanxi.core.db_routing).
    rows = selectors.customer_list(user=user, filters=filters, ordering="id").using(report_alias())
    tally = personal_access.ExportTally(user=user, fields=("mobile", "email"))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    yield "\ufeff" + _drain(buffer)
    try:
        for customer in rows.iterator(chunk_size=2000):
            unmasked = selectors.can_see_personal_data(user=user, customer=customer)
            writer.writerow(export_cells(customer, unmasked=unmasked))
            if unmasked:
                tally.add(customer.pk)
            yield _drain(buffer)
    finally:  # one access row for the whole file
        tally.close()


def export_cells(customer, *, unmasked: bool) -> list[str]:
    """The COLUMNS of one customer as spreadsheet cells, masked unless `unmasked`; the mobile as
    dialled (138 1234 5678 / 138 **** 5678), see `core.spreadsheet`."""
    row = customer_row(customer, unmasked=unmasked)
    phone = phone_for_spreadsheet(customer.mobile)
    row["mobile"] = phone if unmasked else mask_phone(phone)
    return [spreadsheet_cell(row[c]) for c in COLUMNS]


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def customer_export_response(*, user: User, filters: selectors.CustomerFilter) -> StreamingHttpResponse:
    """The streamed CSV download, for the page and the API alike."""
    lines = customer_export_csv(user=user, filters=filters)
    first = next(lines)  # the role check runs before the response starts
    response = StreamingHttpResponse(itertools.chain([first], lines), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="customers.csv"'
    return response
