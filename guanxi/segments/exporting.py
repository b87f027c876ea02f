"""Export of a segment's members as CSV: the customer list's columns, masked by role as there,
plus the member's value figures."""

from __future__ import annotations

import csv
import io
import itertools
import logging
from collections.abc import Iterator

from django.http import StreamingHttpResponse

from guanxi.accounts.models import User
from guanxi.core import personal_access
from guanxi.core.db_routing import report_alias
from guanxi.core.spreadsheet import spreadsheet_cell
from guanxi.customers.exporting import COLUMNS as CUSTOMER_COLUMNS
from guanxi.customers.exporting import export_cells
from guanxi.customers.selectors import can_see_personal_data

from . import permissions, selectors
from .models import Segment

logger = logging.getLogger("guanxi.audit")
VALUE_COLUMNS = ("value_level", "abc_class", "rfm_segment", "revenue_12m", "clv_36m", "key_account_score",
                 "portfolio", "cluster")


def segment_export_csv(*, user: User, segment: Segment) -> Iterator[str]:
    """CSV lines (UTF-8 BOM first, for Excel) of the members the user may read; refused for roles
    that may not export. Who exported what is logged."""
    permissions.require(user, "segment", "export", message="Your role cannot export customers.")
    logger.info("segment export by %s (%s): segment %s", user.username, user.role, segment.pk)
    members = selectors.segment_members(segment=segment, user=user, ordering="id").using(report_alias())
    tally = personal_access.ExportTally(user=user, fields=("mobile", "email"))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow((*CUSTOMER_COLUMNS, *VALUE_COLUMNS))
    yield "\ufeff" + _drain(buffer)
    try:
        for customer in members.iterator(chunk_size=2000):
            snapshot = getattr(customer, "value_snapshot", None)
            values = [getattr(snapshot, name, "") if snapshot else "" for name in VALUE_COLUMNS]
            unmasked = can_see_personal_data(user=user, customer=customer)
            cells = export_cells(customer, unmasked=unmasked)
            if unmasked:
                tally.add(customer.pk)
            writer.writerow(cells + [spreadsheet_cell(v) for v in values])
            yield _drain(buffer)
    finally:  # one access row for the whole file
        tally.close()


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def segment_export_response(*, user: User, segment: Segment) -> StreamingHttpResponse:
    lines = segment_export_csv(user=user, segment=segment)
    first = next(lines)  # the role check runs before the response starts
    response = StreamingHttpResponse(itertools.chain([first], lines), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="segment-{segment.pk}.csv"'
    return response
