"""Property tests of the linkage normalisers: idempotence, format invariance, checksums."""

import datetime
import random
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guanxi.customers import normalize
from guanxi.customers.linkage import normalise, variants

mobile = st.builds(lambda p, r: p + r, st.sampled_from(["130", "135", "138", "150", "158", "177", "186", "199"]),
                   st.text(alphabet=string.digits, min_size=8, max_size=8))
COMMON = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高伟芳娜敏静丽强磊军洋勇艳杰涛明超秀英华慧"
person_name = st.text(alphabet=COMMON, min_size=2, max_size=4)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀英华慧"
three_chars = st.builds(lambda s, a, b: s + a + b, st.sampled_from(SURNAMES), st.sampled_from(GIVEN),
                        st.sampled_from(GIVEN)).filter(lambda n: n[1] != n[2])
with_homophone = st.builds(lambda s, a, b: s + a + b, st.sampled_from(SURNAMES),
                           st.sampled_from(sorted(c for cs in variants._homophones().values() for c in cs)),
                           st.sampled_from(GIVEN))
seventeen = st.text(alphabet=string.digits, min_size=17, max_size=17)
birth_dates = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(1999, 12, 31))


def formats(number: str) -> list[str]:
    a, b, c = number[:3], number[3:7], number[7:]
    return [number, f"+86{number}", f"+86 {a}-{b}-{c}", f"0086{number}", f"0086 {a} {b} {c}", f"{a} {b} {c}",
            f"(+86) {number}", f"86{number}", f"{a}-{b}-{c}", f"＋８６{number}"]


# --- phones -------------------------------------------------------------------------------------


@given(mobile)
def test_every_way_of_writing_a_mobile_gives_one_e164_form(number):
    assert {normalise.phone_e164(f) for f in formats(number)} == {f"+86{number}"}


@given(mobile, st.randoms(use_true_random=False))
def test_the_generators_phone_formats_normalise_back(number, rnd):
    assert normalise.phone_e164(variants.phone_format("+86" + number, rnd)) == "+86" + number


@given(st.text(max_size=30))
def test_phone_e164_never_raises_and_is_idempotent(text):
    once = normalise.phone_e164(text)
    assert once is None or (once.startswith("+") and normalise.phone_e164(once) == once)


@given(mobile)
def test_fast_path_agrees_with_the_shared_phone_normaliser(number):
    for written in formats(number):
        expected = normalize.phone_normalize(written)
        if expected is not None:
            assert normalise.phone_e164(written) == expected


def test_landlines_and_foreign_numbers_go_through_phonenumbers():
    assert normalise.phone_e164("010-6552 9988") == "+861065529988"
    assert normalise.phone_e164("(021)62345678") == "+862162345678"
    assert normalise.phone_e164("+1 650 253 0000") == "+16502530000"
    assert normalise.phone_e164("not a phone") is None
    assert normalise.phone_e164("") is None and normalise.phone_e164(None) is None


# --- resident IDs -------------------------------------------------------------------------------


@given(seventeen)
def test_check_digit_makes_a_valid_id_and_any_single_digit_change_breaks_it(first17):
    number = first17 + normalize.resident_id_check_digit(first17)
    assert normalise.resident_id_is_valid(number)
    for position in range(17):
        for digit in "0123456789":
            if digit != number[position]:
                changed = number[:position] + digit + number[position + 1:]
                assert not normalise.resident_id_is_valid(changed)


@given(st.text(alphabet=string.digits, min_size=6, max_size=6), birth_dates,
       st.text(alphabet=string.digits, min_size=3, max_size=3))
def test_fifteen_digit_ids_upgrade_to_valid_eighteen_digit_ones(place, birth, seq):
    old = f"{place}{birth:%y%m%d}{seq}"
    new = normalise.resident_id_normalise(old)
    assert len(new) == 18 and normalise.resident_id_is_valid(new)
    assert new[:6] == place and new[6:14] == f"{birth:%Y%m%d}" and new[14:17] == seq
    assert normalise.resident_id_birth_date(old) == birth
    assert normalise.resident_id_gender(old) == ("male" if int(seq[-1]) % 2 else "female")


@given(st.text(max_size=25))
def test_id_normalise_is_idempotent(text):
    once = normalise.resident_id_normalise(text)
    assert once is None or normalise.resident_id_normalise(once) == once


@given(seventeen)
def test_id_spellings_normalise_alike(first17):
    number = first17 + normalize.resident_id_check_digit(first17)
    spellings = {number, number.lower(), f" {number[:6]} {number[6:14]} {number[14:]} ", f"{number[:6]}-{number[6:]}",
                 "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number)}  # full-width digits
    assert {normalise.resident_id_normalise(s) for s in spellings} == {number}


def test_wrong_check_digit_is_kept_and_still_matches_on_seventeen_digits():
    good = "11010519800101123" + normalize.resident_id_check_digit("11010519800101123")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    assert normalise.resident_id_normalise(bad) == bad and not normalise.resident_id_is_valid(bad)
    assert normalise.resident_id_normalise(bad)[:17] == normalise.resident_id_normalise(good)[:17]


# --- e-mail -------------------------------------------------------------------------------------


@given(st.from_regex(r"[a-z0-9._]{1,12}@[a-z0-9]{1,8}\.(com|cn|net)", fullmatch=True))
def test_email_case_and_spaces_do_not_matter(email):
    for written in (email.upper(), f"  {email} ", email.title(), f"mailto:{email}", f"<{email}>"):
        assert normalise.email_normalise(written) == email


@given(st.text(max_size=30))
def test_email_normalise_is_idempotent_and_needs_one_at_sign(text):
    once = normalise.email_normalise(text)
    assert once is None or (once.count("@") == 1 and normalise.email_normalise(once) == once)


# --- names ----------------------------------------------------------------------------------------


@given(person_name)
def test_traditional_and_simplified_names_have_the_same_keys(name):
    assert normalise.name_keys(variants.traditional(name)) == normalise.name_keys(name)


@given(person_name, st.randoms(use_true_random=False))
def test_a_pinyin_spelling_has_the_same_sorted_syllables(name, rnd):
    keys = normalise.name_keys(name)
    spelled = normalise.name_keys(variants.pinyin_spelling(name, rnd))
    assert spelled.hanzi is None
    assert spelled.sorted_pinyin == keys.sorted_pinyin


@given(with_homophone, st.randoms(use_true_random=False))
def test_homophones_share_the_pinyin_but_not_the_hanzi(name, rnd):
    variant = variants.homophone(name, rnd)
    assert variant is not None
    assert normalise.name_keys(variant).pinyin == normalise.name_keys(name).pinyin
    assert normalise.name_keys(variant).hanzi != normalise.name_keys(name).hanzi


@given(three_chars)
def test_swapped_given_names_share_the_sorted_syllables(name):
    swapped = variants.swapped(name)
    assert swapped is not None and swapped != name
    assert normalise.name_keys(swapped).sorted_pinyin == normalise.name_keys(name).sorted_pinyin


@given(st.text(max_size=12))
def test_name_keys_are_ascii_and_initials_follow_the_syllables(text):
    keys = normalise.name_keys(text)
    assert keys.pinyin.isascii() and keys.initials.isascii()
    assert len(keys.initials) <= len(keys.pinyin)
    assert sorted(keys.sorted_pinyin) == sorted(keys.pinyin)


@pytest.mark.parametrize(("name", "pinyin"), [
    ("单伟", "shanwei"), ("曾国藩", "zengguofan"), ("解明", "xieming"), ("区志强", "ouzhiqiang"),
    ("朴树", "piaoshu"), ("仇敏", "qiumin"), ("查良镛", "zhaliangyong"), ("尉迟恭", "yuchigong"),
    ("万俟明", "moqiming"), ("欧阳娜娜", "ouyangnana"), ("Shan Wei", "shanwei"), ("ZHANG Wei", "zhangwei"),
    ("zhangweiming", "zhangweiming"), ("Lǚ Bu", "lubu"),
])
def test_multi_reading_surnames_and_latin_spellings(name, pinyin):
    assert normalise.name_keys(name).pinyin == pinyin


def test_surname_reading_applies_only_at_the_start_of_a_person_name():
    assert normalise.name_keys("单单").pinyin == "shandan"
    assert normalise.name_keys("单位", person=False).pinyin == "danwei"


def test_pinyin_segmentation_prefers_fewest_syllables_and_keeps_non_pinyin_words():
    assert normalise.segment_pinyin("zhangwei") == ("zhang", "wei")
    assert normalise.segment_pinyin("xian") == ("xian",)
    assert normalise.segment_pinyin("smith") == ("smith",)


def test_organisation_legal_forms_do_not_matter():
    a = normalise.name_keys("广州华信科技有限责任公司", person=False)
    b = normalise.name_keys("廣州華信科技有限公司", person=False)
    assert a == b and a.hanzi == "广州华信科技"


# --- addresses ----------------------------------------------------------------------------------


@given(st.sampled_from(variants.REGIONS), st.randoms(use_true_random=False))
def test_region_spellings_normalise_alike(region, rnd):
    province, city, district, _ = region
    canonical = normalise.region_normalise(province, city, district)
    short_p, short_c, short_d = variants.region_variant(province, city, district, rnd)
    variant = normalise.region_normalise(short_p, short_c, short_d)
    assert variant.province == canonical.province and variant.city == canonical.city
    assert variant.district in (canonical.district, None)
    assert normalise.region_normalise(canonical.province, canonical.city, canonical.district) == canonical


def test_municipality_without_a_city_is_the_municipality():
    assert normalise.region_normalise("北京", "", "朝阳区") == normalise.region_normalise("北京市", "北京市", "朝阳")


def test_date_typo_changes_one_date_into_another_close_one():
    rng = random.Random(3)
    for _ in range(50):
        day = datetime.date(1980, 1, 1) + datetime.timedelta(days=rng.randrange(10_000))
        assert variants.date_typo(day, rng) != day
