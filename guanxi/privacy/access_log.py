"""Writes the personal-data access log (`core.personal_access` hands each request's notes here)."""

from django.utils import timezone

from guanxi.core.bulk import insert_rows
from guanxi.core.personal_access import Access

from .models import PersonalDataAccess

FIELDS = ("at", "user", "channel", "path", "request_id", "customer", "customer_count", "customer_ids", "fields")


def write_access(access: Access) -> None:
    """One insert per request: a row per customer shown (or one for an export)."""
    common = (timezone.now(), access.user.pk, access.channel, access.path[:300], access.request_id[:64])
    if access.channel == PersonalDataAccess.Channel.EXPORT:
        rows = [(*common, None, access.export_count, "," + ",".join(map(str, access.export_ids)) + ",",
                 ",".join(access.export_fields)[:300])]
    else:
        rows = [(*common, pk, 1, "", ",".join(sorted(fields))[:300]) for pk, fields in access.customers.items()]
        if access.overflow:
            rows.append((*common, None, access.overflow, "", "mobile,email"))
    insert_rows(PersonalDataAccess, FIELDS, rows)
