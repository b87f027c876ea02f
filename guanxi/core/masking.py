"""Masking of personal data (手机号、身份证号、地址) for roles that do not need to see it."""

import re

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
