"""Normalisers for Chinese customer data: phone numbers, e-mail, ID numbers, names to pinyin.

They are pure functions so that search, import and de-duplication agree on one canonical form.
"""

import re
import unicodedata
from functools import lru_cache

import phonenumbers
from opencc import OpenCC

_T2S = OpenCC("t2s")
_HAN = re.compile(r"[\u3400-\u9fff]")
_NON_ALNUM = re.compile(r"[^0-9a-z]")
_PHONE_CHARS = re.compile(r"^[\d\s+\-().]{5,}$")
# A mainland mobile: 11 digits starting 1[3-9]. A national number starting 1[3-9] is meant as a
# mobile (the only area code starting with 1 is Beijing's 10), so any other length is refused.
_CN_MOBILE = re.compile(r"1[3-9]\d{9}")
_CN_MOBILE_PREFIX = re.compile(r"1[3-9]")
# The resident ID checksum (GB 11643-1999), the one definition: the import, the form, the API, the
# linkage, the demo and the bench generators all use these (the bench vectorises the same sum).
RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RESIDENT_ID_CHECK_CHARS = "10X98765432"


def has_han(text: str) -> bool:
    return bool(_HAN.search(text))


@lru_cache(maxsize=1)
def _t2s_chars() -> frozenset:
    """Every character that occurs in a key of the traditional → simplified dictionaries."""
    _T2S.convert("")  # loads its dictionaries
    return frozenset(c for group in _T2S._dict_chain_data for *_, table in group for key in table for c in key)


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese, full-width → half-width, trimmed. The converter is skipped
    when no character of the text occurs in its dictionaries (most names): it would change nothing."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    if not has_han(text) or _t2s_chars().isdisjoint(text):
        return text
    return _T2S.convert(text)


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
    return resident_id_check_digit(value[:17]) == value[17]


def resident_id_check_digit(first17: str) -> str:
    """The 18th character of a resident ID whose first 17 digits are `first17`.

    The checksum is the digits weighted by RESIDENT_ID_WEIGHTS (2 ** 17, 2 ** 16 … 2 ** 1, modulo 11)
    modulo 11; as 13 ≡ 2 (mod 11), that is twice the digits read as a base-13 number, which `int`
    parses in C, ten times faster than the sum in Python (an import checks a million)."""
    return RESIDENT_ID_CHECK_CHARS[2 * int(first17, 13) % 11]


def toneless_pinyin(text: str, *, errors: str) -> list[str]:
    """pypinyin's toneless syllables of `text` (`errors`: what becomes of a character without a
    reading). pypinyin is imported on first use: its dictionaries take some 50 MB of memory, which
    a web process that never spells a name need not hold."""
    from pypinyin import Style, lazy_pinyin

    return lazy_pinyin(text, style=Style.NORMAL, errors=errors)


@lru_cache(maxsize=65536)
def _syllables(name: str) -> tuple[str, ...]:
    # Characters without a known reading are dropped, so keys stay plain ASCII.
    syllables = (s.lower() for s in toneless_pinyin(name, errors="default"))
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


_WORDS = re.compile(r"[0-9a-z]+|[\u3400-\u9fff]+")
_COMPOUND_SURNAMES = frozenset(
    "万俟 尉迟 单于 长孙 令狐 澹台 皇甫 鲜于 欧阳 司马 诸葛 上官 东方 夏侯 公孙 慕容 司徒 司空 宇文 轩辕 "
    "钟离 闻人 端木 南宫 西门 呼延 赫连 独孤 太史 申屠 公羊 濮阳 淳于 拓跋".split()
)
# Legal forms say nothing about which company is meant; indexing them would only bloat the index.
_ORG_FORM_WORDS = frozenset("有限 公司 有限公司 责任 有限责任 股份 股份有限 有限责任公司 股份有限公司".split())
NAME_TERMS_LIMIT = 500


def organisation_words(run: str) -> list[str]:
    """jieba's search-mode words of a run of hanzi, without legal forms (有限公司)."""
    from guanxi.core.chinese_text import tokens  # jieba loads its dictionary on first use

    return list(dict.fromkeys(t for t in tokens(run) if t not in _ORG_FORM_WORDS and has_han(t)))


def _han_words(run: str, *, organisation: bool) -> list[str]:
    """A person's name is surname + given name; an organisation's, jieba's search-mode words."""
    if organisation:
        return organisation_words(run)
    cut = 2 if run[:2] in _COMPOUND_SURNAMES and len(run) > 2 else 1
    return [run[:cut], run[cut:]] if 2 <= len(run) <= 4 else [run]


@lru_cache(maxsize=65536)
def _word_keys(word: str) -> tuple[str, str]:
    """A word's pinyin and initials: names repeat little, their words a lot."""
    return name_pinyin(word), name_initials(word)


def name_terms(name: str, *, organisation: bool = False) -> str:
    """The words of a name, each with its pinyin and initials, space-separated: what the word
    index (FTS5 / tsvector) holds so that a search finds any word of a name by its start.
    Ada Lovelace → "ada lovelace"; 张三丰 → "张 zhang z 三丰 sanfeng sf"; 深圳华星科技有限公司 →
    "深圳 shenzhen sz 华星 huaxing hx 科技 keji kj"."""
    terms: list[str] = []
    for run in _WORDS.findall(to_simplified(name).lower()):
        if not has_han(run):
            terms.append(run)
            continue
        for word in _han_words(run, organisation=organisation):
            terms += [word, *_word_keys(word)]
    text = " ".join(t for t in dict.fromkeys(terms) if t)
    return text[:NAME_TERMS_LIMIT].rsplit(" ", 1)[0] if len(text) > NAME_TERMS_LIMIT else text


def query_words(query: str) -> list[str]:
    """The words of a search query (Latin words, digits, runs of hanzi), as name_terms writes them."""
    return _WORDS.findall(to_simplified(query).lower())
