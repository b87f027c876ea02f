"""Property tests for the normalisers that search, import and de-duplication share."""

import string

from hypothesis import given
from hypothesis import strategies as st

from guanxi.customers import normalize

mobile_prefixes = st.sampled_from(["130", "135", "138", "139", "150", "158", "177", "186", "199"])
eight_digits = st.text(alphabet=string.digits, min_size=8, max_size=8)
hanzi = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1, max_size=4)
COMMON = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高伟芳娜敏静丽强磊军洋勇艳杰涛明超秀英华慧"
common_hanzi = st.text(alphabet=COMMON, min_size=1, max_size=4)


def formats(number: str) -> list[str]:
    return [number, f"+86{number}", f"+86 {number[:3]}-{number[3:7]}-{number[7:]}", f"0086{number}",
            f"{number[:3]} {number[3:7]} {number[7:]}", f"(+86) {number}"]


@given(mobile_prefixes, eight_digits)
def test_every_way_of_writing_a_mobile_gives_one_form(prefix, rest):
    number = prefix + rest
    assert {normalize.phone_normalize(f) for f in formats(number)} == {f"+86{number}"}


@given(st.text(max_size=30))
def test_phone_normalize_never_raises_and_is_idempotent(text):
    once = normalize.phone_normalize(text)
    assert once is None or normalize.phone_normalize(once) == once


@given(common_hanzi)
def test_initials_are_one_letter_per_character_and_prefix_of_pinyin(name):
    initials, pinyin = normalize.name_initials(name), normalize.name_pinyin(name)
    assert len(initials) == len(name)
    assert pinyin.startswith(initials[0])


@given(hanzi)
def test_keys_are_plain_ascii_for_any_hanzi(name):
    initials, pinyin = normalize.name_initials(name), normalize.name_pinyin(name)
    assert initials.isascii() and pinyin.isascii() and len(initials) <= len(name)
    assert not initials or pinyin.startswith(initials[0])


@given(hanzi)
def test_traditional_and_simplified_spellings_share_keys(name):
    simplified = normalize.to_simplified(name)
    assert normalize.name_pinyin(simplified) == normalize.name_pinyin(name)


@given(st.text(alphabet=string.digits, min_size=17, max_size=17))
def test_resident_id_check_digit_round_trips(first17):
    number = first17 + normalize.resident_id_check_digit(first17)
    assert normalize.resident_id_is_valid(number)
    wrong = "0" if number[-1] != "0" else "1"
    assert not normalize.resident_id_is_valid(number[:-1] + wrong)


@given(st.text(alphabet=string.digits, min_size=17, max_size=17))
def test_resident_id_check_digit_is_the_weighted_sum_of_gb_11643(first17):
    total = sum(int(digit) * weight for digit, weight in zip(first17, normalize.RESIDENT_ID_WEIGHTS, strict=True))
    assert normalize.resident_id_check_digit(first17) == "10X98765432"[total % 11]


def test_resident_id_known_numbers():
    assert normalize.resident_id_check_digit("11010519491231002") == "X"
    assert normalize.resident_id_check_digit("44030719900307401") == "8"
    assert normalize.resident_id_is_valid("11010519491231002x")


def test_known_examples():
    assert normalize.name_pinyin("重庆") == "chongqing"
    assert normalize.name_initials("張三") == "zs"
    assert normalize.phone_normalize("010-6552 9988") == "+861065529988"
    assert normalize.phone_normalize("(021)62345678") == "+862162345678"
    assert normalize.phone_normalize("hello") is None


def test_a_mainland_mobile_has_eleven_digits_and_a_landline_is_not_a_mobile():
    assert normalize.phone_normalize("1390000222") is None  # ten digits starting 13: no number at all
    assert normalize.phone_normalize("+86 139 0000 222") is None
    assert normalize.phone_normalize("139000022221") is None
    assert normalize.mobile_normalize("139 0000 2222") == "+8613900002222"
    assert normalize.mobile_normalize("010-6552 9988") is None
    assert normalize.phone_normalize("010-6552 9988") == "+861065529988"
    assert normalize.mobile_normalize("+44 7911 123456") == "+447911123456"
