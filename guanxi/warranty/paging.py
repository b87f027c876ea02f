"""Keyset pages of the warranty lists: newest first by id, `?cursor=` is the `next_cursor` of the page
before, so a list can be walked to its end however long it is (no offset, no count cap)."""

import base64
import binascii
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from guanxi.core.errors import ValidationFailed

PREFIX = "w1:"


def encode(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"{PREFIX}{last_id}".encode()).decode().rstrip("=")


def decode(value: str) -> int:
    try:
        text = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        if not text.startswith(PREFIX):
            raise ValueError(text)
        last_id = int(text[len(PREFIX):])
        if not 0 < last_id < 2**63:
            raise ValueError(text)
        return last_id
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise ValidationFailed(_("Not a cursor of this list."), fields={"cursor": _("not a cursor of this list")}) \
            from exc


@dataclass(frozen=True)
class KeysetPage:
    rows: list
    next_cursor: str | None


def keyset_page(queryset: QuerySet, *, cursor: str, limit: int) -> KeysetPage:
    """One page of `queryset` ordered by id descending, after the row the cursor names."""
    queryset = queryset.order_by("-id")
    if cursor:
        queryset = queryset.filter(id__lt=decode(cursor))
    rows = list(queryset[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return KeysetPage(rows, encode(rows[-1].pk) if more else None)
