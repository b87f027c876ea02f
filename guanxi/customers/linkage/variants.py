"""Realistic ways the same customer gets written twice, for labelled test data, benchmarks and demo.

`duplicate_of(record, rng)` returns a second record of the same customer as people actually enter
it: the name as a homophone (same pinyin, other hanzi), in traditional characters, in pinyin only,
with the given-name characters swapped or one character mistyped; the phone in another format
(+86 138-…, 0086…, spaces) or with one digit wrong; the e-mail in other case; the ID number as its
old 15-digit form, with a lower-case x or a wrong check digit; the address with or without the
administrative suffixes; and some fields left empty. A duplicate always keeps its name (in some
form) and at least two of phone, ID number, e-mail and birth date: a record that shares nothing
else with the original is not recognisable by anyone, and is not a duplicate one could be asked
to find.
"""

from __future__ import annotations

import datetime
import random
from functools import lru_cache

from opencc import OpenCC
from pypinyin import Style, lazy_pinyin, pinyin
from pypinyin.contrib.tone_convert import to_normal

from guanxi.customers import normalize

from .normalise import SURNAME_READINGS

# Frequent characters of given names and other everyday characters: the pool homophones and
# typos are drawn from.
COMMON_CHARS = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂华玉萍红建国文辉力鹏宇浩然子轩梓涵一诺欣怡雨晨思远"
    "博俊志海燕春梅晓东小丹婷雪琳慧颖佳琪嘉天佑宏亮立新永德胜瑞祥金凤玲兰淑珍秋月冬光振卫庆航皓萱诗"
    "雅妍美花峰鑫健飞凯伦紫若曦语嫣昊泽铭睿哲梦瑶心书豪锦程熙奕辰可馨依婉清维薇威玮炜巍卫蔚为惟"
    "芬纷分丰风峰锋凤奉敏民闽珉旻静晶菁京精景敬境洋阳扬杨央鹏朋蓬彭棚涛韬滔桃陶超潮朝巢钞杰洁捷"
    "婕结节娟鹃涓军君钧俊峻骏隽勇咏永泳涌艳燕雁岩颜妍研言严琳林霖麟临淋磊蕾垒雷镭丽莉力立利历励"
    "厉华桦骅铧化画话平萍苹评屏瓶宇雨语羽玉育毓昱煜钰誉浩昊皓豪好号亮良梁粮凉量辉晖徽挥灰慧惠蕙"
    "会汇晓小肖笑校效孝霞侠峡夏下鑫新欣馨心辛芯信星兴"
)
_S2T = OpenCC("s2t")


@lru_cache(maxsize=1)
def _homophones() -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for char in dict.fromkeys(COMMON_CHARS):
        readings = {to_normal(r) for r in pinyin(char, heteronym=True)[0]}
        if len(readings) == 1:  # characters with one reading only (朝 is chao or zhao)
            groups.setdefault(readings.pop(), []).append(char)
    return {reading: chars for reading, chars in groups.items() if len(chars) > 1}


def _reading(char: str) -> str:
    return lazy_pinyin(char, style=Style.NORMAL)[0]


def _split_name(name: str) -> tuple[str, str]:
    if len(name) > 2 and name[:2] in SURNAME_READINGS:
        return name[:2], name[2:]
    return name[:1], name[1:]


def homophone(name: str, rng: random.Random) -> str | None:
    """The name with one given-name character replaced by another of the same pinyin."""
    surname, given = _split_name(name)
    groups = _homophones()
    positions = [i for i, c in enumerate(given) if _reading(c) in groups]
    if not positions:
        return None
    i = rng.choice(positions)
    options = [c for c in groups[_reading(given[i])] if c != given[i]]
    return surname + given[:i] + rng.choice(options) + given[i + 1:]


def typo(name: str, rng: random.Random) -> str | None:
    """One given-name character replaced by an unrelated common character."""
    surname, given = _split_name(name)
    if not given:
        return None
    i = rng.randrange(len(given))
    return surname + given[:i] + rng.choice(COMMON_CHARS.replace(given[i], "")) + given[i + 1:]


def traditional(name: str) -> str:
    return _S2T.convert(name)


def swapped(name: str) -> str | None:
    surname, given = _split_name(name)
    if len(given) != 2 or given[0] == given[1]:
        return None
    return surname + given[::-1]


def pinyin_spelling(name: str, rng: random.Random) -> str:
    """The name as people type it in Latin letters: "Zhang Wei", "ZHANG Wei", "zhangwei", "Wei Zhang"."""
    surname, given = _split_name(name)
    s = "".join(SURNAME_READINGS.get(surname) or lazy_pinyin(surname, style=Style.NORMAL))
    g = "".join(lazy_pinyin(given, style=Style.NORMAL))
    style = rng.randrange(4)
    if style == 0:
        return f"{s.title()} {g.title()}".strip()
    if style == 1:
        return f"{s.upper()} {g.title()}".strip()
    if style == 2:
        return (s + g).lower()
    return f"{g.title()} {s.title()}".strip()


def person_name_variant(name: str, rng: random.Random) -> str:
    """Another way the same person's name gets written (never the same string)."""
    for _ in range(6):
        kind = rng.choices(("homophone", "traditional", "pinyin", "swap", "typo"), (30, 20, 20, 15, 15))[0]
        variant = {"homophone": lambda: homophone(name, rng), "traditional": lambda: traditional(name),
                   "pinyin": lambda: pinyin_spelling(name, rng), "swap": lambda: swapped(name),
                   "typo": lambda: typo(name, rng)}[kind]()
        if variant and variant != name:
            return variant
    return pinyin_spelling(name, rng)


def org_name_variant(name: str, rng: random.Random) -> str:
    for old, new in (("有限责任公司", "有限公司"), ("股份有限公司", "有限公司"), ("集团有限公司", "集团")):
        if name.endswith(old):
            return name[: -len(old)] + new
    if name.endswith("有限公司") and rng.random() < 0.6:
        return name[: -len("有限公司")] + "有限责任公司"
    variant = traditional(name)
    return variant if variant != name else name + " "


def phone_format(phone: str, rng: random.Random) -> str:
    """A mainland mobile in E.164 (+8613812345678) written another common way."""
    digits = phone.removeprefix("+86")
    if len(digits) != 11:
        return phone
    a, b, c = digits[:3], digits[3:7], digits[7:]
    return rng.choice((
        digits, f"+86 {a}-{b}-{c}", f"0086{digits}", f"{a} {b} {c}", f"+86 {a} {b} {c}", f"{a}-{b}-{c}",
        f"(+86){digits}", f"0086 {a} {b} {c}", f"86{digits}",
    ))


def phone_typo(phone: str, rng: random.Random) -> str:
    digits = list(phone.removeprefix("+86"))
    i = rng.randrange(3, len(digits))
    digits[i] = rng.choice("0123456789".replace(digits[i], ""))
    return "+86" + "".join(digits)


def email_variant(email: str, rng: random.Random) -> str:
    local, _, domain = email.partition("@")
    return rng.choice((email.upper(), local.title() + "@" + domain.upper(), f" {email} ",
                       local + "@" + domain.title()))


def id_variant(number: str, rng: random.Random) -> str:
    """An 18-digit resident ID as the old 15-digit number (born 19xx), with a lower-case x, in
    groups, or with a wrong check digit."""
    choices = ["groups"]
    if len(number) == 18 and number[6:8] == "19":
        choices.append("fifteen")
    if number.endswith("X"):
        choices.append("lower")
    choices.append("check")
    kind = rng.choice(choices)
    if kind == "fifteen":
        return number[:6] + number[8:17]
    if kind == "lower":
        return number.lower()
    if kind == "check":
        return number[:17] + rng.choice("0123456789X".replace(number[17], ""))
    return f"{number[:6]} {number[6:14]} {number[14:]}"


def region_variant(province: str, city: str, district: str, rng: random.Random) -> tuple[str, str, str]:
    short = province.removesuffix("省").removesuffix("市")
    for long_form in ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区"):
        short = short.removesuffix(long_form)
    kind = rng.randrange(3)
    if kind == 0:
        return short, city.removesuffix("市"), district.removesuffix("区")
    if kind == 1:
        return province, city, ""
    return short, city, district


def date_typo(value: datetime.date, rng: random.Random) -> datetime.date:
    if value.day <= 12 and value.day != value.month and rng.random() < 0.5:
        return value.replace(month=value.day, day=value.month)
    for _ in range(5):
        text = list(value.isoformat())
        i = rng.choice((3, 6, 9))
        text[i] = rng.choice("0123456789".replace(text[i], ""))
        try:
            return datetime.date.fromisoformat("".join(text))
        except ValueError:
            continue
    return value + datetime.timedelta(days=1)


IDENTIFIERS = ("mobile", "id_number", "email", "birth_date")


def duplicate_of(record: dict, rng: random.Random) -> dict:
    """A second record of the same customer. `record` has the keys kind, name, mobile (E.164),
    email, id_number, birth_date (date or None), gender, province, city, district; the copy has
    the same keys, with values as another channel would have entered them."""
    dup = dict(record)
    person = record.get("kind") != "organisation"
    if rng.random() < 0.7:
        dup["name"] = person_name_variant(record["name"], rng) if person else org_name_variant(record["name"], rng)
    present = [f for f in IDENTIFIERS if record.get(f)]
    keep = max(2, len(present) - rng.choice((0, 0, 1, 1, 2)))
    kept = set(rng.sample(present, min(keep, len(present))))
    for field_name in IDENTIFIERS:
        if field_name not in kept:
            dup[field_name] = "" if field_name != "birth_date" else None
    if dup.get("mobile"):
        roll = rng.random()
        dup["mobile"] = phone_typo(record["mobile"], rng) if roll < 0.04 else (
            phone_format(record["mobile"], rng) if roll < 0.8 else record["mobile"])
    if dup.get("email") and rng.random() < 0.5:
        dup["email"] = email_variant(record["email"], rng)
    if dup.get("id_number") and rng.random() < 0.35:
        dup["id_number"] = id_variant(record["id_number"], rng)
    if dup.get("birth_date") and rng.random() < 0.04:
        dup["birth_date"] = date_typo(record["birth_date"], rng)
    if rng.random() < 0.15:
        dup["gender"] = ""
    if record.get("province"):
        roll = rng.random()
        if roll < 0.3:
            dup["province"], dup["city"], dup["district"] = "", "", ""
        elif roll < 0.7:
            dup["province"], dup["city"], dup["district"] = region_variant(
                record["province"], record.get("city", ""), record.get("district", ""), rng)
    return dup


SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任"
    "卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严单解"
)
REGIONS = (
    ("北京市", "北京市", "朝阳区", "110105"), ("上海市", "上海市", "浦东新区", "310115"),
    ("广东省", "广州市", "天河区", "440106"), ("广东省", "深圳市", "南山区", "440305"),
    ("四川省", "成都市", "武侯区", "510107"), ("湖北省", "武汉市", "洪山区", "420111"),
    ("江苏省", "南京市", "鼓楼区", "320106"), ("浙江省", "杭州市", "西湖区", "330106"),
)
EMAIL_DOMAINS = ("qq.com", "163.com", "126.com", "sina.com", "139.com", "foxmail.com")


def base_people(count: int, rng: random.Random) -> list[dict]:
    """`count` distinct synthetic people (as `duplicate_of` takes them), common names included."""
    people, phones = [], set()
    given = COMMON_CHARS[:120]
    for _ in range(count):
        name = rng.choice(SURNAMES) + rng.choice(given) + ("" if rng.random() < 0.3 else rng.choice(given))
        birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(20_000))
        province, city, district, code = rng.choice(REGIONS)
        male = rng.random() < 0.5
        mobile = ""
        while not mobile or mobile in phones:
            mobile = f"+861{rng.choice('35789')}{rng.randrange(10**9):09d}"
        phones.add(mobile)
        first17 = f"{code}{birth:%Y%m%d}{rng.randrange(500) * 2 + male:03d}"
        has_address = rng.random() < 0.6
        people.append({
            "kind": "individual", "name": name, "mobile": mobile if rng.random() < 0.92 else "",
            "email": f"{lazy_pinyin(name[0])[0]}{rng.randrange(10**6)}@{rng.choice(EMAIL_DOMAINS)}"
            if rng.random() < 0.45 else "",
            "id_number": first17 + normalize.resident_id_check_digit(first17) if rng.random() < 0.75 else "",
            "birth_date": birth, "gender": "male" if male else "female",
            "province": province if has_address else "", "city": city if has_address else "",
            "district": district if has_address else "",
        })
    return people


def labelled_people(count: int, *, duplicates: float = 0.1, seed: int = 1) -> tuple[list[dict], list[int]]:
    """`count` records of which a share `duplicates` are second records of another one, and each
    record's true cluster (the index of its original)."""
    rng = random.Random(seed)  # nosec B311  # demo/sample data, not security: seeded random for repeatable demo figures
    originals = count - int(count * duplicates)
    people = base_people(originals, rng)
    clusters = list(range(originals))
    while len(people) < count:
        source = rng.randrange(originals)
        people.append(duplicate_of(people[source], rng))
        clusters.append(source)
    return people, clusters


def true_pairs(clusters: list, ids: list[int] | None = None) -> set[tuple[int, int]]:
    """Every pair of records in the same cluster, as (lower id, higher id); ids default to indexes."""
    ids = ids if ids is not None else list(range(len(clusters)))
    members: dict = {}
    for record_id, cluster in zip(ids, clusters, strict=True):
        members.setdefault(cluster, []).append(record_id)
    pairs = set()
    for group in members.values():
        group.sort()
        pairs.update((a, b) for i, a in enumerate(group) for b in group[i + 1:])
    return pairs


def precision_recall(predicted: set[tuple[int, int]], truth: set[tuple[int, int]]) -> tuple[float, float]:
    hits = len(predicted & truth)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(truth) if truth else 1.0
    return precision, recall
