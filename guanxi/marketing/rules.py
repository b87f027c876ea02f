"""The rules of a lead's fields, shared by the form, the API, the import and the public web form: the
customers' own rules for names, mobiles, phones, e-mail and provinces (`guanxi.customers.validation`),
so a lead and the customer it becomes hold the same normalised values. Plain functions, no database."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from guanxi.core.validators import MULTI_LINE_CONTROL, SINGLE_LINE_CONTROL
from guanxi.customers import validation as rules
from guanxi.customers.linkage.normalise import org_name_core
from guanxi.customers.normalize import to_simplified
from guanxi.customers.regions import province_normalize

from .enums import Authority, DisqualifyReason, LeadSource, Timeline

Error = rules.Error
TEXT_FIELDS = {"person_name": 100, "company_name": 100, "industry": 50, "city": 30, "source_detail": 100,
               "need": 500, "status_note": 500}
MULTI_LINE = {"interest": 2000}
CHOICES = {"source": LeadSource, "timeline": Timeline, "authority": Authority, "disqualify_reason": DisqualifyReason}
EDITABLE = frozenset({*TEXT_FIELDS, *MULTI_LINE, "mobile", "phone", "email", "province", "budget", "timeline",
                      "authority"})
# Reasons of the lead's own, beside the customers' (validation.MESSAGES).
NEEDS_NAME = gettext_noop("give a contact name or a company")
NEEDS_CONTACT = gettext_noop("give a mobile, a phone or an e-mail address")


def _text(name: str, raw, limit: int, *, multiline: bool = False) -> tuple[str, Error | None]:
    value = to_simplified(str(raw)) if name in ("person_name", "company_name") else str(raw).strip()
    if (MULTI_LINE_CONTROL if multiline else SINGLE_LINE_CONTROL).search(value):
        return value, ("control", None)
    if name in ("person_name", "company_name", "industry") and ("<" in value or ">" in value):
        return value, ("markup", None)
    if len(value) > limit:
        return value, ("too_long", {"limit": limit})
    return value, None


def _field(name: str, raw) -> tuple[object, Error | None]:
    if raw is None or raw == "":
        return (None if name == "budget" else Timeline.UNKNOWN if name == "timeline"
                else Authority.UNKNOWN if name == "authority" else ""), None
    if name in TEXT_FIELDS:
        return _text(name, raw, TEXT_FIELDS[name])
    if name in MULTI_LINE:
        return _text(name, raw, MULTI_LINE[name], multiline=True)
    if name == "mobile":
        return rules.clean_mobile(str(raw))
    if name == "phone":
        value, error = rules.clean_landline(str(raw))
        return value, error if error is None or len(value) <= 20 else ("phone", None)
    if name == "email":
        return rules.clean_email(str(raw))
    if name == "province":
        province = province_normalize(str(raw))
        return (province, None) if province else (str(raw), ("province", None))
    if name == "budget":
        return rules.clean_decimal("arpu", raw)  # 0 to ten billion yuan, to the cent
    enum = CHOICES[name]
    value = str(raw)
    return value, None if value in enum.values else ("choice", {"choices": ", ".join(enum.values)})


def clean_lead_fields(data: dict, *, current: dict | None = None) -> tuple[dict, dict[str, Error]]:
    """Check and normalise lead fields: `(clean, errors)`. A lead needs a contact name or a company,
    and a mobile, a phone or an e-mail, counting what `current` (the stored lead) already holds."""
    clean, errors = {}, {}
    for name, raw in data.items():
        if name not in EDITABLE:
            errors[name] = ("unknown_field", None)
            continue
        clean[name], error = _field(name, raw)
        if error:
            errors[name] = error
    whole = {**(current or {}), **clean}
    if not (whole.get("person_name") or whole.get("company_name")) and "person_name" not in errors:
        errors["person_name"] = (NEEDS_NAME, None)
    if not (whole.get("mobile") or whole.get("phone") or whole.get("email")) and not (
            {"mobile", "phone", "email"} & set(errors)):
        errors["mobile"] = (NEEDS_CONTACT, None)
    return clean, errors


def reasons(errors: dict[str, Error]) -> dict:
    return rules.reasons(errors)


def name_key(*, person_name: str, company_name: str) -> str:
    """What duplicate names are compared by: a company's name without its legal form, else the
    person's name, simplified, lower case, without spaces."""
    if company_name:
        return org_name_core(company_name)[:100]
    return to_simplified(person_name).lower().replace(" ", "")[:100]
