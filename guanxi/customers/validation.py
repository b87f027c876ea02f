"""Business validation of customer fields, shared by the create and update services."""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from guanxi.accounts.models import Team, User
from guanxi.core.errors import ValidationFailed
from guanxi.core.validators import control_character_error

from . import normalize
from .enums import CreditLevel, CustomerKind, Gender, IdType, LifecycleStage, PaymentMethod, SourceChannel
from .models import Brand

CHOICES = {
    "kind": CustomerKind, "gender": Gender, "id_type": IdType, "lifecycle_stage": LifecycleStage,
    "source": SourceChannel, "payment_method": PaymentMethod, "credit_level": CreditLevel,
}
TEXT_LIMITS = {
    "name": 100, "occupation": 50, "industry": 50, "legal_representative": 50, "website": 200,
    "billing_account": 30, "bank_account": 40, "invoice_title": 100, "tax_number": 30,
    "notes": 5000,
}
DECIMALS = {"arpu": (0, 10**10), "annual_revenue": (0, 10**14), "balance": (-(10**12), 10**12),
            "credit_limit": (0, 10**12)}
MULTI_LINE = {"notes"}  # every other text field is a single line (core.validators)
# Names and titles are shown everywhere; markup in them is refused rather than stored.
MARKUP_FREE = {"name", "legal_representative", "occupation", "industry", "invoice_title"}
EDITABLE_FIELDS = (
    set(CHOICES) | set(TEXT_LIMITS) | set(DECIMALS)
    | {"mobile", "email", "id_number", "birth_date", "employee_count", "billing_cycle_day",
       "overdue_count", "brand", "owner", "team"}
)


def _text(name, value, errors):
    value = normalize.to_simplified(str(value)) if name == "name" else str(value).strip()
    control = control_character_error(value, multiline=name in MULTI_LINE)
    if control:
        errors[name] = control
    elif name in MARKUP_FREE and ("<" in value or ">" in value):
        errors[name] = "must not contain < or > (markup)"
    elif len(value) > TEXT_LIMITS[name]:
        errors[name] = f"at most {TEXT_LIMITS[name]} characters"
    return value


def _decimal(name, value, errors):
    low, high = DECIMALS[name]
    try:
        number = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        errors[name] = "not a number"
        return None
    if not low <= number < high:
        errors[name] = f"must be between {low} and {high}"
    return number


def clean_customer_fields(data: dict, *, partial: bool) -> dict:
    """Validate and normalise customer fields; raise ValidationFailed with every bad field."""
    unknown = set(data) - EDITABLE_FIELDS
    errors: dict[str, str] = {f: "unknown field" for f in unknown}
    clean: dict = {}
    for name, value in data.items():
        if name in unknown:
            continue
        if value is None and name not in ("name", "kind"):
            value = None if name in ("birth_date", "employee_count", "billing_cycle_day", "brand",
                                     "owner", "team", "annual_revenue") else ""
        if name in CHOICES:
            value = value or ""
            if value not in CHOICES[name].values:
                errors[name] = f"one of: {', '.join(v for v in CHOICES[name].values if v)}"
        elif name in TEXT_LIMITS:
            value = _text(name, value or "", errors)
        elif name in DECIMALS and value not in (None, ""):
            value = _decimal(name, value, errors)
        elif name in DECIMALS:
            value = None if name == "annual_revenue" else Decimal("0")
        clean[name] = value
    if (not partial or "name" in data) and not clean.get("name"):
        errors["name"] = "required"
    if not partial and not clean.get("kind"):
        errors.setdefault("kind", "required")
    _clean_contact(clean, errors)
    _clean_identity(clean, errors)
    _clean_numbers(clean, errors)
    _clean_relations(clean, errors)
    if errors:
        raise ValidationFailed(fields=errors)
    return clean


def _clean_contact(clean, errors):
    for name in ("mobile", "email", "id_number"):
        control = control_character_error(clean.get(name))
        if control:
            errors[name] = control
            clean[name] = ""
    if clean.get("mobile"):
        phone = normalize.mobile_normalize(clean["mobile"])
        if phone is None:
            errors["mobile"] = "not a valid mobile number (11 digits starting 13-19)"
        clean["mobile"] = phone or ""
    if clean.get("email"):
        email = normalize.email_normalize(clean["email"])
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = "not a valid e-mail address"
        clean["email"] = email


def _clean_identity(clean, errors):
    if clean.get("id_number"):
        clean["id_number"] = normalize.id_number_normalize(clean["id_number"])
        if len(clean["id_number"]) > 30:
            errors["id_number"] = "at most 30 characters"
        elif clean.get("id_type") == IdType.RESIDENT_ID and not normalize.resident_id_is_valid(
            clean["id_number"]
        ):
            errors["id_number"] = "not a valid resident ID number (checksum)"
    birth = clean.get("birth_date")
    if birth not in (None, ""):
        if isinstance(birth, str):
            try:
                birth = datetime.date.fromisoformat(birth)
            except ValueError:
                errors["birth_date"] = "not a date (YYYY-MM-DD)"
                return
        if not isinstance(birth, datetime.date) or birth > timezone.localdate() or birth.year < 1900:
            errors["birth_date"] = "must be a past date after 1900"
        clean["birth_date"] = birth
    elif "birth_date" in clean:
        clean["birth_date"] = None


def _clean_numbers(clean, errors):
    limits = {"employee_count": (0, 10_000_000), "billing_cycle_day": (1, 28), "overdue_count": (0, 10_000)}
    for name, (low, high) in limits.items():
        value = clean.get(name)
        if value in (None, ""):
            if name in clean:
                clean[name] = 0 if name == "overdue_count" else None
            continue
        try:
            value = int(value)
        except (TypeError, ValueError):
            errors[name] = "not a whole number"
            continue
        if not low <= value <= high:
            errors[name] = f"must be between {low} and {high}"
        clean[name] = value


def _clean_relations(clean, errors):
    lookups = {"brand": Brand, "owner": User, "team": Team}
    for name, model in lookups.items():
        value = clean.get(name)
        if value in (None, "") or isinstance(value, model):
            continue
        try:
            clean[name] = model.objects.get(pk=int(value))
        except (TypeError, ValueError, model.DoesNotExist):
            errors[name] = f"unknown {name}"
    owner = clean.get("owner")
    if isinstance(owner, User) and not owner.is_active:
        errors["owner"] = "this user is not active"
