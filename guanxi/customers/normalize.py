"""Normalisers for Chinese customer data: phone numbers, e-mail, ID numbers, names to pinyin.

They are pure functions so that search, import and de-duplication agree on one canonical form.
"""

import re
import unicodedata
from functools import lru_cache

import phonenumbers
from opencc import OpenCC
from pypinyin import Style, lazy_pinyin

_T2S = OpenCC("t2s")
_HAN = re.compile(r"[\u3400-\u9fff]")
_NON_ALNUM = re.compile(r"[^0-9a-z]")
_PHONE_CHARS = re.compile(r"^[\d\s+\-().]{5,}$")
# A mainland mobile: 11 digits starting 1[3-9]. A national number starting 1[3-9] is meant as a
# mobile (the only area code starting with 1 is Beijing's 10), so any other length is refused.
_CN_MOBILE = re.compile(r"1[3-9]\d{9}")
_CN_MOBILE_PREFIX = re.compile(r"1[3-9]")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def has_han(text: str) -> bool:
    return bool(_HAN.search(text))


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese, full-width → half-width, trimmed."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    return _T2S.convert(text) if has_han(text) else text


def looks_like_phone(text: str) -> bool:
    return bool(_PHONE_CHARS.match(text or "")) and sum(c.isdigit() for c in text) >= 5


def phone_normalize(value: str, region: str = "CN") -> str | None:
    """E.164 form (+8613800138000) of any common way of writing a number, or None."""
    value = (value or "").strip()
    if not value or not looks_like_phone(value):
        return None
    if value.startswith("00"):
        value = "+" + value[2:]
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    national = str(number.national_number)
    if number.country_code == 86 and _CN_MOBILE_PREFIX.match(national) and not _CN_MOBILE.fullmatch(national):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mobile_normalize(value: str, region: str = "CN") -> str | None:
    """E.164 form of a mobile number, or None: a mainland number must be a mobile (1[3-9] and 11
    digits; a landline is refused here and accepted by `phone_normalize`); a number abroad is
    taken as it is, since its numbering plan is not ours to check."""
    normalized = phone_normalize(value, region)
    if normalized and normalized.startswith("+86") and not _CN_MOBILE.fullmatch(normalized[3:]):
        return None
    return normalized


def phone_is_valid(value: str, region: str = "CN") -> bool:
    normalized = phone_normalize(value, region)
    return normalized is not None and phonenumbers.is_valid_number(phonenumbers.parse(normalized))


def email_normalize(value: str) -> str:
    return unicodedata.normalize("NFKC", value or "").strip().lower()


def id_number_normalize(value: str) -> str:
    return unicodedata.normalize("NFKC", value or "").strip().upper().replace(" ", "")


def resident_id_is_valid(value: str) -> bool:
    """Checksum of an 18-digit PRC resident ID (GB 11643-1999)."""
    value = id_number_normalize(value)
    if len(value) != 18 or not value[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17]


def resident_id_check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


@lru_cache(maxsize=65536)
def _syllables(name: str) -> tuple[str, ...]:
    # Characters without a known reading are dropped, so keys stay plain ASCII.
    syllables = (s.lower() for s in lazy_pinyin(name, style=Style.NORMAL, errors="default"))
    return tuple(s for s in syllables if s.strip() and s.isascii())


def name_pinyin(name: str) -> str:
    """Full pinyin without spaces or tones: 张三 → zhangsan; Latin names lower-cased."""
    return _NON_ALNUM.sub("", "".join(_syllables(to_simplified(name))))


def name_initials(name: str) -> str:
    """Pinyin initials: 张三 → zs; for Latin words their first letters (John Smith → js)."""
    parts = []
    for syllable in _syllables(to_simplified(name)):
        parts.extend(word[0] for word in syllable.split() if word and word[0].isalnum())
    return "".join(parts)


def search_key(text: str) -> str:
    """The lower-case, simplified, space-free form of a search query."""
    return re.sub(r"\s+", "", to_simplified(text).lower())
