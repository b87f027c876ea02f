"""Masking of personal data (手机号、身份证号、地址) for roles that do not need to see it."""

import re
from collections.abc import Callable

_DIGIT = re.compile(r"\d")


def mask_phone(value: str | None) -> str:
    """Keep the first three and last four digits: +86 138****8000."""
    if not value:
        return ""
    digits = [i for i, ch in enumerate(value) if ch.isdigit()]
    if len(digits) <= 7:
        keep = set(digits[-2:])
    else:
        keep = set(digits[-4:]) | set(digits[: 3 + (2 if value.startswith("+86") else 0)])
    return "".join("*" if ch.isdigit() and i not in keep else ch for i, ch in enumerate(value))


def mask_id_number(value: str | None) -> str:
    """Keep the first and last four characters of an ID-card or licence number."""
    if not value:
        return ""
    if len(value) <= 8:
        return value[0] + "*" * (len(value) - 1)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_email(value: str | None) -> str:
    if not value or "@" not in value:
        return mask_id_number(value)
    local, _, domain = value.partition("@")
    return (local[:1] + "***") + "@" + domain


def mask_address(value: str | None) -> str:
    """Hide the street part entirely; province, city and district stay visible in their own fields."""
    return "****" if value else ""


def mask_birth_date(value) -> str:
    """The whole date, masked with the ID number: an 18-digit ID holds the birth date, so with the
    date shown its mask would hide two digits only."""
    return "****-**-**" if value else ""




# Boundaries are ASCII letters and digits only: in Chinese text a number runs straight into the
# characters around it ("客户13900139000报修"), which \w would count as part of one word.
_FREE_TEXT_SECRETS = re.compile(
    r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"  # e-mail addresses
    r"|(?<![A-Za-z0-9_])\d{17}[\dXx](?![A-Za-z0-9_])|(?<![A-Za-z0-9_])\d{15}(?![A-Za-z0-9_])"  # resident IDs
    r"|(?<![A-Za-z0-9_])(?:\+?86[ -]?)?\d[\d -]{5,}\d(?![A-Za-z0-9_])"  # phone numbers, any spacing
)

_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}(?: \d{1,2})?")  # a date, perhaps with its hour


def _secret_kind(found: str) -> str | None:
    """What a candidate found in free text is: "email", "id_number", "phone", or None (a date, an amount)."""
    if "@" in found:
        return "email"
    if len(found) in (15, 18) and found[:-1].isdigit():
        return "id_number"
    if sum(ch.isdigit() for ch in found) < 7 or _DATE.fullmatch(found):
        return None
    return "phone"


def replace_free_text_secrets(value: str, replace: Callable[[str, str], str]) -> str:
    """Each phone number, ID number and e-mail address in free text replaced by `replace(kind, found)`;
    short numbers (amounts, dates, counts) stay as they are. Masking and erasure both use it."""

    def one(match: re.Match) -> str:
        found = match.group(0)
        kind = _secret_kind(found)
        return replace(kind, found) if kind else found

    return _FREE_TEXT_SECRETS.sub(one, value)


_SECRET_MASKS = {"email": mask_email, "id_number": mask_id_number, "phone": mask_phone}


def mask_free_text(value: str | None) -> str:
    """Free text (notes of a contact, a case subject) with the phone numbers, ID numbers and
    e-mail addresses in it masked."""
    if not value:
        return ""
    return replace_free_text_secrets(value, lambda kind, found: _SECRET_MASKS[kind](found))


# How each personal field is masked where fields are shown by name (audit trails, comparisons);
# free text fields keep their words and lose the numbers in them.
FIELD_MASKS = {"mobile": mask_phone, "phone": mask_phone, "email": mask_email, "id_number": mask_id_number,
               "bank_account": mask_id_number, "birth_date": mask_birth_date, "street": mask_address,
               "subject": mask_free_text, "description": mask_free_text, "body": mask_free_text,
               "notes": mask_free_text}


def mask_field(name: str, value) -> str:
    """`value` of the personal field `name`, masked (ID-number style for fields not listed)."""
    return FIELD_MASKS.get(name, mask_id_number)(value)
