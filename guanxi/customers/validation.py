"""The rules of a customer's fields: one validation for the customer form, the API (through the
customer services) and the import, which runs it a million rows at a time.

Plain functions over strings and dicts, with no database access: a rule takes a value and returns
`(clean value, error)`, the error being None or `(code, params)`. Codes name their reason in
MESSAGES — an English message id, translated when it is read (`message_text`, `reason`), so that
the API, the pages and the import reports give it in their reader's language. Relations (brand,
owner, team) are looked up by the caller: the services by id, the import from lookups loaded once.
The common spellings of mobiles and e-mail addresses take a fast path whose result is the
normalisers' (tests hold them equal); anything else goes through `normalize`.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop

from guanxi.core.validators import MULTI_LINE_CONTROL, SINGLE_LINE_CONTROL

from . import normalize
from .enums import CreditLevel, CustomerKind, Gender, IdType, LifecycleStage, PaymentMethod, SourceChannel
from .ownership import REASONS as OWNERSHIP_REASONS

# ---------------------------------------------------------------- reasons

# By code, in English in the API and the command line, translated on the pages and in reports.
MESSAGES = {
    "required": gettext_noop("required"),
    "unknown_field": gettext_noop("unknown field"),
    "choice": gettext_noop("one of: %(choices)s"),
    "phone": gettext_noop("not a valid phone number"),
    "email": gettext_noop("not a valid e-mail address"),
    "too_long": gettext_noop("at most %(limit)s characters"),
    "control": gettext_noop("contains control characters"),
    "markup": gettext_noop("must not contain < or > (markup)"),
    "id_checksum": gettext_noop("not a valid resident ID number (checksum)"),
    "date": gettext_noop("not a date (YYYY-MM-DD)"),
    "date_range": gettext_noop("must be a past date after 1900"),
    "number": gettext_noop("not a number"),
    "whole_number": gettext_noop("not a whole number"),
    "range": gettext_noop("must be between %(low)s and %(high)s"),
    "unknown_brand": gettext_noop("unknown brand %(value)s"),
    "unknown_user": gettext_noop("unknown user %(value)s"),
    "unknown_team": gettext_noop("unknown team %(value)s"),
    **OWNERSHIP_REASONS,
    "province": gettext_noop("not a province of China"),
    "postcode": gettext_noop("six digits"),
    "too_many_tags": gettext_noop("at most %(limit)s tags"),
    # The import's own: the file's shape, duplicates, the write.
    "extra": gettext_noop("more values than columns"),
    "formula": gettext_noop("formula without a saved value in column %(columns)s; open and save the file in Excel"),
    "duplicate": gettext_noop("same %(field)s as row %(row)s"),
    "existing": gettext_noop("matches existing customer %(code)s by %(field)s"),
    "existing_hidden": gettext_noop("matches an existing customer by %(field)s"),
    "write_failed": gettext_noop("could not be written: %(reason)s"),
}
# How a field is named inside a reason ("same mobile as row 2").
KEY_NAMES = {"mobile": gettext_noop("mobile"), "id_number": gettext_noop("id number"),
             "email": gettext_noop("e-mail")}

Error = tuple[str, dict | None]  # (code, params)


def message_text(code: str, params: dict | None = None, *, translate: bool = False) -> str:
    """The reason of `code` in English, or with `translate` in the active language."""
    template = MESSAGES.get(code, code)
    params = dict(params or {})
    if translate:
        template = gettext(template)
        if "field" in params and params["field"] in KEY_NAMES.values():
            params["field"] = gettext(params["field"])
    try:
        return template % params if params else template
    except (KeyError, TypeError, ValueError):
        return template


# The reason as a domain error's field reason: put into the reader's language when it is read.
reason = lazy(lambda code, params=None: message_text(code, params, translate=True), str)


def reasons(errors: dict[str, Error]) -> dict:
    """{field: (code, params)} → {field: reason}, for `ValidationFailed(fields=...)` and forms."""
    return {name: reason(code, params) for name, (code, params) in errors.items()}


# ---------------------------------------------------------------- the fields

CHOICES = {
    "kind": CustomerKind, "gender": Gender, "id_type": IdType, "lifecycle_stage": LifecycleStage,
    "source": SourceChannel, "payment_method": PaymentMethod, "credit_level": CreditLevel,
}
_CHOICE_VALUES = {name: frozenset(enum.values) for name, enum in CHOICES.items()}
_CHOICE_PARAMS = {name: {"choices": ", ".join(v for v in enum.values if v)} for name, enum in CHOICES.items()}
TEXT_LIMITS = {
    "name": 100, "occupation": 50, "industry": 50, "legal_representative": 50, "website": 200,
    "billing_account": 30, "bank_account": 40, "invoice_title": 100, "tax_number": 30,
    "notes": 5000,
}
MULTI_LINE = frozenset({"notes"})  # every other text field is a single line (core.validators)
# Names and titles are shown everywhere; markup in them is refused rather than stored.
MARKUP_FREE = frozenset({"name", "legal_representative", "occupation", "industry", "invoice_title"})
DECIMALS = {"arpu": (0, 10**10), "annual_revenue": (0, 10**14), "balance": (-(10**12), 10**12),
            "credit_limit": (0, 10**12)}
WHOLE_NUMBERS = {"employee_count": (0, 10_000_000), "billing_cycle_day": (1, 28), "overdue_count": (0, 10_000)}
RELATIONS = ("brand", "owner", "team")  # looked up by the caller
EDITABLE_FIELDS = frozenset(
    set(CHOICES) | set(TEXT_LIMITS) | set(DECIMALS) | set(WHOLE_NUMBERS) | set(RELATIONS)
    | {"mobile", "email", "id_number", "birth_date"}
)
MAX_TAGS = 20
TAG_LENGTH = 30
EMAIL_LENGTH = 254
ID_NUMBER_LENGTH = 30
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")
_DATE_FAST = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
# 20010203 and 2001年2月3日 as `strptime` reads them with "%Y%m%d" and "%Y年%m月%d日" when they
# give a valid date (anything else takes the formats' path).
_DATE_DIGITS = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")
_DATE_CHINESE = re.compile(r"([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})日")
# 11-digit mainland mobiles, bare or with +86 / 0086, grouped 3-4-4 with spaces or dashes. Not 179:
# phonenumbers may read 179XX as a carrier prefix (as it does 11XXX and 12XXX), so those take the
# normaliser's path.
_MOBILE_FAST = re.compile(r"^(?:\+86|0086)?[ -]?(1(?:[3-68-9]\d|7[0-8]))[ -]?(\d{4})[ -]?(\d{4})$")
# Mainland landlines: 0 + a 2-3 digit area code (not 0, and not 1[3-9], which is a mobile with a
# trunk 0 in front), a dash or space, a 7-8 digit number.
_LANDLINE_FAST = re.compile(r"^0((?!1[3-9])[1-9]\d{1,2})[ -](\d{7,8})$")
# A plain ASCII address that Django's validator accepts (a subset of what it accepts).
_EMAIL_FAST = re.compile(
    r"^[a-z0-9_%+-]+(?:\.[a-z0-9_%+-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_CENT = Decimal("0.01")


def check_choice(name: str, value: str) -> Error | None:
    """`value` is one of the field's codes (an empty kind is missing)."""
    if value in _CHOICE_VALUES[name]:
        return None
    if not value and name == "kind":
        return "required", None
    return "choice", _CHOICE_PARAMS[name]


def clean_text(name: str, raw: str) -> tuple[str, Error | None]:
    """A text field trimmed (a name also in simplified characters): no control character (notes
    keep newlines and tabs), no markup in names and titles, at most its length."""
    value = normalize.to_simplified(raw) if name == "name" else raw.strip()
    if (MULTI_LINE_CONTROL if name in MULTI_LINE else SINGLE_LINE_CONTROL).search(value):
        return value, ("control", None)
    if name in MARKUP_FREE and ("<" in value or ">" in value):
        return value, ("markup", None)
    if len(value) > TEXT_LIMITS[name]:
        return value, ("too_long", {"limit": TEXT_LIMITS[name]})
    return value, None


def clean_name(raw: str) -> tuple[str, Error | None]:
    """The customer's name: required, then as `clean_text`."""
    name, error = clean_text("name", raw)
    if not name:
        return name, ("required", None)
    return name, error


def clean_mobile(raw: str) -> tuple[str, Error | None]:
    """A mobile in E.164 (+86…), or "" with the reason."""
    text = raw.strip()
    match = _MOBILE_FAST.match(text)
    if match:
        return "+86" + match[1] + match[2] + match[3], None
    if SINGLE_LINE_CONTROL.search(text):
        return "", ("control", None)
    mobile = normalize.mobile_normalize(raw)
    return (mobile, None) if mobile else ("", ("phone", None))


def clean_landline(raw: str) -> tuple[str, Error | None]:
    """Any phone number (a landline, a mobile) in E.164, or "" with the reason."""
    text = raw.strip()
    if len(text) > 254:
        return "", ("too_long", {"limit": 254})
    if SINGLE_LINE_CONTROL.search(text):
        return "", ("control", None)
    match = _LANDLINE_FAST.match(text)
    phone = ("+86" + match[1] + match[2]) if match else normalize.phone_normalize(text)
    return (phone, None) if phone else ("", ("phone", None))


def clean_email(raw: str) -> tuple[str, Error | None]:
    """An e-mail address in lower case, with the reason it is refused, if it is."""
    email = raw.strip().lower() if raw.isascii() else normalize.email_normalize(raw)
    if SINGLE_LINE_CONTROL.search(email):
        return email, ("control", None)
    if len(email) > EMAIL_LENGTH:
        return email, ("too_long", {"limit": EMAIL_LENGTH})
    if not _EMAIL_FAST.match(email):
        try:
            validate_email(email)
        except ValidationError:
            return email, ("email", None)
    return email, None


def clean_id_number(raw: str, id_type: str) -> tuple[str, Error | None]:
    """An ID number in upper case without spaces; a resident ID's check digit must hold."""
    value = raw.strip().upper().replace(" ", "") if raw.isascii() else normalize.id_number_normalize(raw)
    if SINGLE_LINE_CONTROL.search(value):
        return value, ("control", None)
    if len(value) > ID_NUMBER_LENGTH:
        return value, ("too_long", {"limit": ID_NUMBER_LENGTH})
    if id_type == IdType.RESIDENT_ID and not resident_id_is_valid(value):
        return value, ("id_checksum", None)
    return value, None


def clean_birth_date(value, *, today: datetime.date) -> tuple[datetime.date | None, Error | None]:
    """A date (or its text in a common format: 2001-02-03, 2001/2/3, 20010203, 2001年2月3日…) in
    the past and after 1900."""
    if isinstance(value, str):
        value = parse_date(value.strip())
        if value is None:
            return None, ("date", None)
    if not isinstance(value, datetime.date) or value > today or value.year < 1900:
        return None, ("date_range", None)
    return value, None


def parse_date(text: str) -> datetime.date | None:
    """`parse_date_by_formats`, with the commonest spellings read by a regular expression first."""
    match = _DATE_FAST.match(text) or _DATE_DIGITS.fullmatch(text) or _DATE_CHINESE.fullmatch(text)
    if match:
        try:
            return datetime.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    return parse_date_by_formats(text)


def parse_date_by_formats(text: str) -> datetime.date | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def clean_decimal(name: str, value) -> tuple[Decimal | None, Error | None]:
    """An amount to the cent within the field's range; text may carry ¥ and thousands separators."""
    if isinstance(value, str):
        value = unicodedata.normalize("NFKC", value.replace("¥", "").replace("￥", "").replace(",", "").strip())
    try:
        number = Decimal(value if isinstance(value, str | Decimal) else str(value)).quantize(_CENT)
    except (InvalidOperation, ValueError, TypeError):
        return None, ("number", None)
    if not number.is_finite():
        return None, ("number", None)
    low, high = DECIMALS[name]
    if not low <= number < high:
        return number, ("range", {"low": low, "high": high})
    return number, None


def clean_whole_number(name: str, value) -> tuple[int | None, Error | None]:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None, ("whole_number", None)
    low, high = WHOLE_NUMBERS[name]
    if not low <= number <= high:
        return number, ("range", {"low": low, "high": high})
    return number, None


def clean_tag_names(names) -> tuple[list[str], Error | None]:
    """Tag names in simplified characters, each at most TAG_LENGTH long, sorted, without repeats;
    at most MAX_TAGS of them."""
    names = [n for n in names if n and n.strip()]
    tags = sorted({t for t in (normalize.to_simplified(n)[:TAG_LENGTH] for n in names) if t})
    if len(tags) > MAX_TAGS:
        return tags, ("too_many_tags", {"limit": MAX_TAGS})
    if any(SINGLE_LINE_CONTROL.search(n) for n in names):
        return tags, ("control", None)
    return tags, None


def clean_customer_fields(data: dict, *, partial: bool, today: datetime.date) -> tuple[dict, dict[str, Error]]:
    """Check and normalise customer fields: `(clean, errors)`, errors by field. Without `partial` a
    name and a kind are required. Relations (brand, owner, team) pass through for the caller."""
    errors: dict[str, Error] = {}
    clean: dict = {}
    for name, value in data.items():
        if name not in EDITABLE_FIELDS:
            errors[name] = ("unknown_field", None)
            continue
        error = None
        if name in RELATIONS:
            pass
        elif name in CHOICES:
            value = value or ""
            error = check_choice(name, value)
        elif name == "name":
            value, error = clean_name("" if value is None else str(value))
        elif name in TEXT_LIMITS:
            value, error = clean_text(name, "" if value is None else str(value))
        elif name in DECIMALS:
            if value in (None, ""):
                value = None if name == "annual_revenue" else Decimal("0")
            else:
                value, error = clean_decimal(name, value)
        elif name in WHOLE_NUMBERS:
            if value in (None, ""):
                value = 0 if name == "overdue_count" else None
            else:
                value, error = clean_whole_number(name, value)
        elif name == "birth_date":
            if value in (None, ""):
                value = None
            else:
                value, error = clean_birth_date(value, today=today)
        elif name in ("mobile", "email"):
            value = "" if value is None else str(value)
            if value:
                value, error = (clean_mobile if name == "mobile" else clean_email)(value)
        if error:
            errors[name] = error
        clean[name] = value
    if "id_number" in data:
        raw = data["id_number"]
        clean["id_number"], error = clean_id_number(str(raw), clean.get("id_type", "")) if raw else ("", None)
        if error:
            errors["id_number"] = error
    if not partial:
        if "name" not in data:
            errors["name"] = ("required", None)
        if not data.get("kind"):
            errors.setdefault("kind", ("required", None))
    return clean, errors


# ---------------------------------------------------------------- fast equivalents of `normalize`

def resident_id_is_valid(value: str) -> bool:
    """`normalize.resident_id_is_valid` for a normalised value (a test holds them equal)."""
    if len(value) != 18 or not value[:17].isdigit() or not value[:17].isascii():
        return False
    return normalize.resident_id_check_digit(value[:17]) == value[17]


@lru_cache(maxsize=1)
def _pinyin_phrases():
    """pypinyin's pattern of Han text and the prefixes of its dictionary's phrases, imported on first
    use (see `normalize.toneless_pinyin`)."""
    from pypinyin.constants import RE_HANS
    from pypinyin.seg.mmseg import seg

    return RE_HANS, seg._prefix_set._set


def _syllables(name: str) -> tuple[str, ...]:
    """`normalize._syllables`, character by character when pypinyin would read the name that way:
    all Han characters, no two of them next to each other starting a phrase of its dictionary
    (so its segmentation cuts the name into single characters). Names repeat little; their
    characters repeat a lot."""
    hans, prefixes = _pinyin_phrases()
    if len(name) > 1 and hans.match(name) and not any(name[i:i + 2] in prefixes for i in range(len(name) - 1)):
        return tuple(s for c in name for s in normalize._syllables(c))
    return normalize._syllables(name)


def name_keys(simplified_name: str) -> tuple[str, str]:
    """`normalize.name_pinyin` and `name_initials` of an already simplified name, sharing one
    pinyin lookup (the same steps; a test holds them equal)."""
    syllables = _syllables(simplified_name)
    initials = []
    for syllable in syllables:
        initials.extend(word[0] for word in syllable.split() if word and word[0].isalnum())
    return normalize._NON_ALNUM.sub("", "".join(syllables))[:300], "".join(initials)[:100]
