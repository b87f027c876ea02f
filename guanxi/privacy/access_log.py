"""Writes the personal-data access log (`core.personal_access` hands each request's notes here)."""

from django.utils import timezone

from guanxi.core.personal_access import Access

from .models import PersonalDataAccess


def write_access(access: Access) -> None:
    """One bulk insert per request: a row per customer shown (or one for an export)."""
    now = timezone.now()
    common = {"at": now, "user": access.user, "channel": access.channel, "path": access.path[:300],
              "request_id": access.request_id[:64]}
    if access.channel == PersonalDataAccess.Channel.EXPORT:
        rows = [PersonalDataAccess(**common, customer_count=access.export_count,
                                   customer_ids="," + ",".join(map(str, access.export_ids)) + ",",
                                   fields=",".join(access.export_fields)[:300])]
    else:
        rows = [PersonalDataAccess(**common, customer_id=pk, fields=",".join(sorted(fields))[:300])
                for pk, fields in access.customers.items()]
        if access.overflow:
            rows.append(PersonalDataAccess(**common, customer_count=access.overflow, fields="mobile,email"))
    PersonalDataAccess.objects.bulk_create(rows)
