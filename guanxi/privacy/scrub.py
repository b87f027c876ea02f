"""Taking one person's personal data out of values: pure functions, no database.

`Identifiers` are what names the person (names, phone numbers in the forms people write them, e-mail
addresses, ID and account numbers, streets). A text value loses every occurrence of them; free text
(notes, messages, descriptions) also loses any phone number, ID number or e-mail address in it, as
the person may have given someone else's or written their own differently. Fields that only hold
personal data are emptied (`ERASED_FIELDS`). Everything else — amounts, dates, statuses, counts — is
left as it is, so the business figures stay whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models

from guanxi.core.masking import replace_free_text_secrets

REDACTED = "[已删除]"
ANONYMOUS = "匿名"
MIN_IDENTIFIER = 2  # a two-character Chinese name names someone
MIN_ASCII_IDENTIFIER = 4  # a shorter Latin handle would cut into ordinary words

# Fields (by model label; their historical models share them) that hold nothing but personal data:
# the value they get. A callable gets the row's primary key (values that must stay unique).
ERASED_FIELDS: dict[str, dict[str, object]] = {
    "customers.Contact": {"name": ANONYMOUS, "notes": "", "birth_date": None},
    "customers.ContactPoint": {"value": REDACTED, "normalized": "", "label": ""},
    "customers.Address": {"street": "", "postcode": ""},
    "marketing.Lead": {
        "person_name": ANONYMOUS,
        "mobile": "",
        "phone": REDACTED,
        "email": "",
        "name_key": "",
    },  # a lead must keep a way to contact it (a check constraint): the placeholder
    "servicedesk.Call": {"caller": "", "caller_normalized": ""},
    "servicedesk.TicketMessage": {"attachment_name": ""},
    "tasks.TaskReminder": {"recipient": ""},
    "messaging.OutboundMessage": {"recipient": ""},
    "portal.PortalAccount": {"login": lambda pk: f"erased-{pk}", "password": "", "is_active": False},  # nosec B105  # an erased value is the empty string, not a password
    "key_accounts.GreenDocument": {"original_name": ""},
}


@dataclass(frozen=True)
class Identifiers:
    """The strings that name one person, longest first (so that a phone number goes before its tail)."""

    values: tuple[str, ...]

    @classmethod
    def of(cls, raw: Iterable[str | None]) -> Identifiers:
        found = set()
        for value in raw:
            text = (value or "").strip()
            shortest = MIN_ASCII_IDENTIFIER if text.isascii() else MIN_IDENTIFIER
            if len(text) < shortest or text in (REDACTED, ANONYMOUS):
                continue
            found.add(text)
            found.update(phone_forms(text))
        return cls(tuple(sorted(found, key=lambda v: (-len(v), v))))

    def replace(self, text: str) -> str:
        for value in self.values:
            if value in text:
                text = text.replace(value, REDACTED)
        return text

    def occur_in(self, text: str) -> bool:
        return any(value in text for value in self.values)


def phone_forms(value: str) -> set[str]:
    """A Chinese mobile number as stored (+8613812345678) and as written: 13812345678, 138 1234 5678,
    138-1234-5678."""
    digits = re.sub(r"\D", "", value)
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if len(digits) != 11 or not digits.startswith("1") or not re.fullmatch(r"[+\d\s()-]+", value):
        return set()
    return {
        digits,
        f"{digits[:3]} {digits[3:7]} {digits[7:]}",
        f"{digits[:3]}-{digits[3:7]}-{digits[7:]}",
        f"+86{digits}",
    }


def scrub_free_text(text: str) -> str:
    """Any phone number, ID number or e-mail address in free text (not dates, amounts or counts)."""
    return replace_free_text_secrets(text, lambda _kind, _found: REDACTED)


def is_free_text(field: models.Field) -> bool:
    return isinstance(field, models.TextField) or (
        isinstance(field, models.CharField) and not field.choices and (field.max_length or 0) >= 100
    )


def scrub_value(field: models.Field, value, identifiers: Identifiers):
    """`value` of `field` without the person's identifiers (and, in free text, any contact details)."""
    if isinstance(value, str):
        text = identifiers.replace(value)
        text = scrub_free_text(text) if is_free_text(field) else text
        # The placeholder may be longer than a short name it replaces.
        return text[: field.max_length] if isinstance(field, models.CharField) and field.max_length else text
    if isinstance(value, dict | list):
        return _scrub_json(value, identifiers)
    return value


def _scrub_json(value, identifiers: Identifiers):
    if isinstance(value, str):
        return identifiers.replace(value)
    if isinstance(value, dict):
        return {identifiers.replace(str(k)): _scrub_json(v, identifiers) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub_json(v, identifiers) for v in value]
    return value


def text_fields(model) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.JSONField) and not f.primary_key
    ]
