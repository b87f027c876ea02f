"""Chinese-aware normalisers for record linkage (一客一档).

They build on `guanxi.customers.normalize` (simplified Chinese, phone and ID basics, the pinyin the
search keys use) and add what comparing two records needs: surname-aware pinyin (单 → shan, 曾 →
zeng), pinyin read back out of Latin names ("ZHANG Wei", "zhangwei"), syllables in sorted order
(swapped given-name characters, Western name order), 15-digit resident IDs upgraded to 18 digits,
the birth date and sex an ID number carries, and canonical province / city / district names.
All are pure functions, idempotent on their own output.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .. import normalize, regions

# Surnames whose reading differs from the character's everyday reading, and compound surnames.
# Checked longest first at the start of a person's name.
SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "万俟": ("mo", "qi"), "尉迟": ("yu", "chi"), "单于": ("chan", "yu"), "长孙": ("zhang", "sun"),
    "令狐": ("ling", "hu"), "澹台": ("tan", "tai"), "皇甫": ("huang", "fu"), "鲜于": ("xian", "yu"),
    "欧阳": ("ou", "yang"), "司马": ("si", "ma"), "诸葛": ("zhu", "ge"), "上官": ("shang", "guan"),
    "东方": ("dong", "fang"), "夏侯": ("xia", "hou"), "公孙": ("gong", "sun"), "慕容": ("mu", "rong"),
    "单": ("shan",), "曾": ("zeng",), "解": ("xie",), "区": ("ou",), "朴": ("piao",), "仇": ("qiu",),
    "查": ("zha",), "乐": ("yue",), "缪": ("miao",), "覃": ("qin",), "翟": ("zhai",), "盖": ("ge",),
    "柏": ("bai",), "秘": ("bi",), "种": ("chong",), "员": ("yun",), "藏": ("zang",), "召": ("shao",),
    "折": ("she",), "句": ("gou",), "谌": ("chen",), "繁": ("po",), "隗": ("wei",), "洗": ("xian",),
    "冼": ("xian",), "莘": ("shen",), "能": ("nai",), "阚": ("kan",), "适": ("kuo",), "祭": ("zhai",),
    "郇": ("xun",), "角": ("jue",), "牟": ("mou",), "宿": ("su",), "黑": ("he",), "尉": ("wei",),
    "沈": ("shen",), "石": ("shi",), "任": ("ren",), "华": ("hua",), "葛": ("ge",), "纪": ("ji",),
    "贾": ("jia",), "燕": ("yan",), "重": ("chong",), "长": ("chang",), "薄": ("bo",), "褚": ("chu",),
    "应": ("ying",), "曲": ("qu",), "相": ("xiang",), "都": ("du",), "卜": ("bu",), "朝": ("chao",),
}
_SURNAME_LENGTHS = sorted({len(s) for s in SURNAME_READINGS}, reverse=True)

_HAN_RUN = re.compile(r"[\u3400-\u9fff]+")
_TOKEN = re.compile(r"[\u3400-\u9fff]+|[a-z]+")
_PHONE_NOISE = re.compile(r"[\s\-().·/]")
_CN_MOBILE = re.compile(r"^(?:\+86|0086|86)?(1[3-9]\d{9})$")
_ID_SEPARATORS = re.compile(r"[\s\-]")
# Legal forms of organisations; "有限责任公司" and "有限公司" name the same company.
_ORG_FORMS = ("股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "集团公司", "集团", "公司")
_REGION_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "自治县",
                    "地区", "新区", "省", "市", "区", "县", "盟", "旗")


@lru_cache(maxsize=1)
def _pinyin_syllables() -> frozenset[str]:
    """Every toneless pinyin syllable pypinyin knows, without the interjections m, n, ng, hm.
    Built on first use, not at import: it takes seconds, and every command imports this module."""
    from pypinyin.contrib.tone_convert import to_normal
    from pypinyin.pinyin_dict import pinyin_dict

    found = set()
    for readings in pinyin_dict.values():
        for reading in readings.split(","):
            plain = to_normal(reading)
            if plain.isascii() and plain.isalpha():
                found.add(plain)
    return frozenset(found - {"m", "n", "ng", "hm", "hng", "r"})


_MAX_SYLLABLE = 6  # the longest pinyin syllables: zhuang, chuang, shuang


# --- names -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NameKeys:
    """What a name is compared by: the simplified hanzi (None for a name without any), the
    surname-aware pinyin, the same syllables sorted (so 张明伟 ~ 张伟明 and "Wei Zhang" ~ 张伟),
    and the pinyin initials."""

    hanzi: str | None
    pinyin: str
    sorted_pinyin: str
    initials: str


def _clean(text: str) -> str:
    """Simplified, half-width, lower-case, with accents stripped (Lǚ → lu)."""
    text = normalize.to_simplified(text or "").lower()
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
        text = unicodedata.normalize("NFC", text)
    return text


def _han_syllables(run: str, *, surname: bool) -> list[str]:
    head: list[str] = []
    if surname:
        for length in _SURNAME_LENGTHS:
            if len(run) > length and run[:length] in SURNAME_READINGS:
                head, run = list(SURNAME_READINGS[run[:length]]), run[length:]
                break
    rest = [s.lower() for s in normalize.toneless_pinyin(run, errors="ignore")]
    return head + [s for s in rest if s.isascii() and s.isalpha()]


@lru_cache(maxsize=8192)
def segment_pinyin(word: str) -> tuple[str, ...]:
    """Split a run of Latin letters into pinyin syllables, fewest syllables first ("zhangwei" →
    zhang wei, "xian" → xian); a word that is not pinyin ("smith") stays whole."""
    n, syllables = len(word), _pinyin_syllables()
    best: list[tuple[int, int] | None] = [None] * (n + 1)  # (syllables so far, start of last)
    best[0] = (0, 0)
    for end in range(1, n + 1):
        for start in range(max(0, end - _MAX_SYLLABLE), end):
            if best[start] is not None and word[start:end] in syllables:
                count = best[start][0] + 1
                if best[end] is None or count < best[end][0]:
                    best[end] = (count, start)
    if best[n] is None:
        return (word,)
    parts, end = [], n
    while end > 0:
        start = best[end][1]
        parts.append(word[start:end])
        end = start
    return tuple(reversed(parts))


def name_syllables(name: str, *, person: bool = True) -> tuple[str, ...]:
    """Pinyin syllables of a name written in hanzi, pinyin or a mix; a person's leading surname is
    read as a surname (单 → shan)."""
    syllables: list[str] = []
    for index, token in enumerate(_TOKEN.findall(_clean(name))):
        if _HAN_RUN.fullmatch(token):
            syllables += _han_syllables(token, surname=person and index == 0)
        else:
            syllables += segment_pinyin(token)
    return tuple(syllables)


def org_name_core(name: str) -> str:
    """An organisation's name without its legal form (…有限责任公司 → …)."""
    text = _clean(name).replace(" ", "").replace("（", "(").replace("）", ")")
    for form in _ORG_FORMS:
        if text.endswith(form) and len(text) > len(form):
            return text[: -len(form)]
    return text


@lru_cache(maxsize=200_000)
def name_keys(name: str, *, person: bool = True) -> NameKeys:
    """Comparison keys of a customer's name; organisations drop their legal form first."""
    text = name if person else org_name_core(name)
    syllables = name_syllables(text, person=person)
    han = "".join(_HAN_RUN.findall(_clean(text)))
    return NameKeys(
        hanzi=han or None,
        pinyin="".join(syllables),
        sorted_pinyin="".join(sorted(syllables)),
        initials="".join(s[0] for s in syllables if s),
    )


# --- phone, e-mail -----------------------------------------------------------------------------


def phone_e164(value: str | None, region: str = "CN") -> str | None:
    """E.164 form of a phone number written any common way: 138 1234 5678, +86 138-1234-5678,
    0086…, 86…, landlines with area code (010-6552 9988). Mainland mobiles take a fast path that
    gives what `normalize.phone_normalize` gives; anything else goes through phonenumbers."""
    if not value:
        return None
    text = unicodedata.normalize("NFKC", value).strip()
    match = _CN_MOBILE.match(_PHONE_NOISE.sub("", text))
    if match:
        return "+86" + match.group(1)
    return normalize.phone_normalize(text, region)


def email_normalise(value: str | None) -> str | None:
    """Lower-case, trimmed, without a mailto: prefix or angle brackets; None unless it has an @."""
    text = normalize.email_normalize(value or "")
    text = text.removeprefix("mailto:").strip("<> \t")
    if text.count("@") != 1 or text.startswith("@") or text.endswith("@"):
        return None
    return text


# --- resident ID numbers ------------------------------------------------------------------------


def resident_id_normalise(value: str | None) -> str | None:
    """Canonical form of an ID number: upper case without spaces or dashes; a 15-digit resident ID
    (issued before 1999) becomes its 18-digit form (19 inserted before the year, check digit
    appended). An 18-digit number with a wrong check digit is kept as written, so it still
    matches itself and matches the corrected number on its first 17 digits."""
    text = unicodedata.normalize("NFKC", _ID_SEPARATORS.sub("", normalize.id_number_normalize(value or "")))
    if not text:
        return None
    if len(text) == 15 and text.isdigit():
        first17 = text[:6] + "19" + text[6:]
        return first17 + normalize.resident_id_check_digit(first17)
    return text


def resident_id_is_valid(value: str | None) -> bool:
    return normalize.resident_id_is_valid(resident_id_normalise(value) or "")


def resident_id_birth_date(value: str | None) -> datetime.date | None:
    """The birth date an 18-digit resident ID carries (digits 7-14), if it is a real date."""
    text = resident_id_normalise(value)
    if not text or len(text) != 18 or not text[:17].isdigit():
        return None
    try:
        return datetime.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return None


def resident_id_gender(value: str | None) -> str | None:
    """"male" or "female" from the 17th digit (odd for men)."""
    text = resident_id_normalise(value)
    if not text or len(text) != 18 or not text[:17].isdigit():
        return None
    return "male" if int(text[16]) % 2 else "female"


# --- addresses ---------------------------------------------------------------------------------


def _strip_region_suffix(value: str) -> str:
    for suffix in _REGION_SUFFIXES:
        if value.endswith(suffix) and len(value) > len(suffix) + (1 if suffix in ("区", "县") else 0):
            return value[: -len(suffix)]
    return value


@dataclass(frozen=True)
class Region:
    province: str | None
    city: str | None
    district: str | None


@lru_cache(maxsize=4096)
def region_normalise(province: str | None, city: str | None = None, district: str | None = None) -> Region:
    """Province by its official name (广东 → 广东省); city and district without their
    administrative suffix (广州市 → 广州, 天河区 → 天河), so that both spellings compare equal. A
    municipality's missing city is the municipality."""
    prov_text = normalize.to_simplified(province or "").replace(" ", "")
    prov = regions.province_normalize(prov_text) or regions.province_normalize(_strip_region_suffix(prov_text))
    if prov is None and prov_text:
        prov = prov_text
    city_text = _strip_region_suffix(normalize.to_simplified(city or "").replace(" ", ""))
    if not city_text and prov in ("北京市", "天津市", "上海市", "重庆市"):
        city_text = prov.removesuffix("市")
    district_text = _strip_region_suffix(normalize.to_simplified(district or "").replace(" ", ""))
    if district_text.endswith("新") and len(district_text) > 2:  # 浦东新区, 浦东新 → 浦东
        district_text = district_text[:-1]
    return Region(prov or None, city_text or None, district_text or None)
