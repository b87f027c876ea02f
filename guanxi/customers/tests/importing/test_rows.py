"""The import row validator: the same results as the customer services' validation, row by row."""

import datetime
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.core.copy import copy_line
from guanxi.customers import normalize
from guanxi.customers.importing.rows import (
    CUSTOMER_FIELDS,
    Actor,
    Lookups,
    Party,
    RowValidator,
)
from guanxi.customers.services.customers import customer_fields_clean
from guanxi.customers.tests.factories import make_customer
from guanxi.customers.validation import (
    clean_decimal,
    message_text,
    name_keys,
    parse_date,
    parse_date_by_formats,
    resident_id_is_valid,
)

pytestmark = pytest.mark.django_db
MOBILE_PREFIXES = [f"1{a}{b}" for a in "3456789" for b in "0123456789"]


def validator(user=None, **lookups):
    actor = Actor.of(user or UserFactory(role=Role.ADMIN))
    return RowValidator(actor=actor, lookups=Lookups(brands=lookups.get("brands", {}), users=lookups.get("users", {})),
                        today=datetime.date(2026, 6, 1))


def values(valid):
    return dict(zip([f.name for f in CUSTOMER_FIELDS], valid.customer, strict=True))


@settings(max_examples=300, deadline=None)
@given(prefix=st.sampled_from(MOBILE_PREFIXES), number=st.integers(0, 99_999_999),
       spelling=st.sampled_from(["{d}", "{a} {b} {c}", "+86 {a}-{b}-{c}", "0086{d}", "+86{d}", "{a}-{b}-{c}",
                                 " {d} ", "86{d}", "+86  {d}", "({a}){b}{c}"]))
def test_mobiles_normalise_exactly_as_the_services_do(prefix, number, spelling):
    digits = f"{prefix}{number:08d}"
    raw = spelling.format(d=digits, a=digits[:3], b=digits[3:7], c=digits[7:])
    valid, errors = RowValidator(actor=Actor.of(UserFactory.build(role=Role.ADMIN, id=1, team=None)),
                                 lookups=Lookups({}, {})).validate({"kind": "individual", "name": "甲", "mobile": raw})
    expected = normalize.mobile_normalize(raw)
    if expected is None:
        assert [e[0] for e in errors] == ["mobile"]
    else:
        assert not errors and values(valid)["mobile"] == expected


@settings(max_examples=200, deadline=None)
@given(area=st.integers(10, 999), number=st.integers(1_000_000, 99_999_999), dash=st.sampled_from(["-", " "]))
def test_landlines_normalise_exactly_as_the_services_do(area, number, dash):
    raw = f"0{area}{dash}{number}"
    row = {"kind": "individual", "name": "甲", "landline": raw}
    valid, errors = RowValidator(actor=Actor.of(UserFactory.build(role=Role.ADMIN, id=1, team=None)),
                                 lookups=Lookups({}, {})).validate(row)
    expected = normalize.phone_normalize(raw)
    if expected is None:
        assert [e[0] for e in errors] == ["landline"]
    else:
        assert not errors and expected in valid.points[0]


@settings(max_examples=300, deadline=None)
@given(first=st.text("0123456789", min_size=17, max_size=17), last=st.sampled_from("0123456789Xx"))
def test_resident_id_checksum_matches_the_normaliser(first, last):
    value = normalize.id_number_normalize(first + last)
    assert resident_id_is_valid(value) == normalize.resident_id_is_valid(value)


NAME_CHARS = ("张王李赵钱孙周吴郑冯陈褚卫蒋沈韩杨朱秦尤许何吕施孔曹严华金魏陶姜欧阳司马诸葛上官单解曾朴查区仇"
              "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂华玉萍红建国文辉力鹏宇浩然子轩梓涵一诺欣怡雨晨"
              "重庆行长乐朝藏都会发还觉传差数调银行长城重要音乐和平覃翟尉迟贾薛龚")


@settings(max_examples=500, deadline=None)
@given(name=st.text(alphabet=st.sampled_from(NAME_CHARS + "趙錢孫衛龍鳳發會·Ab John-有限公司 　Ａ１"),
                    min_size=1, max_size=8))
def test_simplifying_skips_the_converter_only_where_it_would_change_nothing(name):
    expected = normalize._T2S.convert(unicodedata.normalize("NFKC", name).strip())
    assert normalize.to_simplified(name) == expected
    assert name_keys(expected) == (normalize.name_pinyin(expected)[:300],
                                     normalize.name_initials(expected)[:100])


def test_name_keys_of_every_pair_and_many_triples_of_common_characters():
    import itertools
    import random

    pairs = ["".join(p) for p in itertools.product(NAME_CHARS, repeat=2)]
    rng = random.Random(7)
    triples = ["".join(rng.choice(NAME_CHARS) for _ in range(3)) for _ in range(5000)]
    for name in pairs + triples:
        assert name_keys(name) == (normalize.name_pinyin(name), normalize.name_initials(name)), name


@settings(max_examples=500, deadline=None)
@given(year=st.integers(0, 2100), month=st.integers(0, 19), day=st.integers(0, 40),
       style=st.sampled_from(["{y:04d}{m:02d}{d:02d}", "{y:04d}年{m}月{d}日", "{y:04d}年{m:02d}月{d:02d}日",
                              "{y}{m}{d}", "{y:04d}年{m}月{d}", "{y:04d}{m:02d}{d:03d}"]))
def test_birth_dates_read_as_the_formats_read_them(year, month, day, style):
    text = style.format(y=year, m=month, d=day)
    assert parse_date(text) == parse_date_by_formats(text), text


@settings(max_examples=500, deadline=None)
@given(amount=st.from_regex(r"-?[0-9]{1,12}(\.[0-9]{0,3})?|¥[0-9,]{1,6}\.[0-9]{2}", fullmatch=True),
       copy_text=st.booleans())
def test_amounts_are_read_as_the_services_read_them(amount, copy_text):
    valid, errors = RowValidator(actor=Actor.of(UserFactory.build(role=Role.ADMIN, id=1, team=None)),
                                 lookups=Lookups({}, {}), copy_text=copy_text).validate(
        {"kind": "individual", "name": "甲", "arpu": amount})
    expected, error = clean_decimal("arpu", amount)
    assert [e[1] for e in errors] == ([error[0]] if error else [])
    if not error:
        stored = values(valid)["arpu"] if not copy_text else valid.customer.split("\t")[
            [f.name for f in CUSTOMER_FIELDS].index("arpu")]
        assert stored == (str(expected) if copy_text else expected)
        assert copy_text or str(stored) == str(expected)


@settings(max_examples=200, deadline=None)
@given(local=st.text("abcxyz019._%+-", min_size=1, max_size=12), domain=st.sampled_from(
    ["example.com", "qq.com", "a-b.cn", "-bad.com", "x.c", "mail.163.com", "ex..com"]))
def test_emails_are_judged_as_the_services_judge_them(local, domain):
    raw = f"{local}@{domain}"
    _, errors = RowValidator(actor=Actor.of(UserFactory.build(role=Role.ADMIN, id=1, team=None)),
                             lookups=Lookups({}, {})).validate({"kind": "individual", "name": "甲", "email": raw})
    try:
        customer_fields_clean({"kind": "individual", "name": "甲", "email": raw}, partial=False)
        service_ok = True
    except Exception:  # noqa: BLE001
        service_ok = False
    assert (not errors) == service_ok


def test_a_full_row_gives_the_values_the_service_would_store(db):
    admin = UserFactory(role=Role.ADMIN)
    row = {"kind": "个人", "name": "張三", "mobile": "138 0013 8000", "email": "ZS@Example.com",
           "id_number": "11010519491231002x", "birth_date": "1949年12月31日", "gender": "男",
           "lifecycle_stage": "成长期", "arpu": "￥1,288.5", "industry": "制造业", "notes": "第一行\n第二行",
           "province": "广东", "city": "广州市", "street": "体育西路1号", "tags": "VIP、宽带用户,VIP"}
    valid, errors = validator(admin).validate(row)
    assert errors == []
    got = values(valid)
    service = make_customer(admin, kind="individual", name="張三", mobile="138 0013 8000", email="ZS@Example.com",
                            id_type="resident_id", id_number="11010519491231002x", birth_date="1949-12-31",
                            gender="male", lifecycle_stage="growing", arpu="1288.5", industry="制造业",
                            notes="第一行\n第二行")
    for name in ("kind", "name", "name_pinyin", "name_initials", "mobile", "email", "id_type", "id_number",
                 "birth_date", "gender", "lifecycle_stage", "arpu", "industry", "notes", "source"):
        expected = getattr(service, name)
        assert got[name] == (expected if name != "source" else "import"), name
    assert valid.tags == ["VIP", "宽带用户"]
    assert valid.address[list(_address_index()).index("province")] == "广东省"


def _address_index():
    from guanxi.customers.importing.rows import ADDRESS_FIELDS

    return [f.name for f in ADDRESS_FIELDS]


@pytest.mark.parametrize(("field", "value", "code"), [
    ("birth_date", "1990-13-45", "date"), ("birth_date", "2099-01-01", "date_range"),
    ("birth_date", "1899-12-31", "date_range"), ("birth_date", "昨天", "date"),
    ("mobile", "12", "phone"), ("mobile", "138-0013-800a", "phone"), ("email", "a@b", "email"),
    ("arpu", "很多", "number"), ("arpu", "-5", "range"), ("arpu", "NaN", "number"),
    ("id_number", "110105194912310021", "id_checksum"), ("name", "<b>张三</b>", "markup"),
    ("name", "", "required"), ("kind", "robot", "choice"), ("province", "火星", "province"),
    ("postcode", "12345", "postcode"), ("id_number", "1101\x00", "control"), ("wechat", "wx\x07id", "control"),
    ("tags", "VIP\x00", "control"), ("notes", "a\x0bb", "control"), ("landline", "电话", "phone"),
    ("tags", ",".join(map(str, range(25))), "too_many_tags"),
])
def test_bad_values_are_reported_with_their_reason(field, value, code):
    row = {"kind": "individual", "name": "张三", field: value}
    if field == "id_number":
        row["id_type"] = "resident_id"
    valid, errors = validator().validate(row)
    assert valid is None
    assert (field, code) in [(f, c) for f, c, _ in errors]


def test_unknown_brand_and_owner_and_inactive_owner():
    team = TeamFactory()
    lookups = {"brands": {"gotone": 3, "全球通": 3},
               "users": {"rep": Party(7, team.pk, Role.SALES_REP),
                         "gone": Party(8, None, Role.SALES_REP, is_active=False)}}
    v = validator(**lookups)
    assert validator(**lookups).validate({"kind": "individual", "name": "甲", "brand": "全球通"})[1] == []
    _, errors = v.validate({"kind": "individual", "name": "甲", "brand": "nope", "owner": "ghost"})
    assert {(f, c) for f, c, _ in errors} == {("brand", "unknown_brand"), ("owner", "unknown_user")}
    _, errors = v.validate({"kind": "individual", "name": "甲", "owner": "gone"})
    assert [(f, c) for f, c, _ in errors] == [("owner", "inactive_user")]


def test_ownership_follows_the_role_rules(db):
    team, other = TeamFactory(), TeamFactory()
    rep = UserFactory(role=Role.SALES_REP, team=team)
    manager = UserFactory(role=Role.SALES_MANAGER, team=team)
    colleague = UserFactory(role=Role.SALES_REP, team=team)
    stranger = UserFactory(role=Role.SALES_REP, team=other)
    admin = UserFactory(role=Role.ADMIN, team=None)
    lead = UserFactory(role=Role.TEAM_LEAD, team=team)
    agent = UserFactory(role=Role.AGENT, team=team)
    partner = UserFactory(role=Role.PARTNER, team=other)
    users = {u.username: Party.of(u) for u in (rep, manager, colleague, stranger, agent, partner)}
    row = {"kind": "individual", "name": "甲"}

    def owner_team(actor, **extra):
        valid, errors = validator(actor, users=users).validate({**row, **extra})
        return (errors and [c for _, c, _ in errors]) or (values(valid)["owner"], values(valid)["team"])

    assert owner_team(rep) == (rep.pk, team.pk)
    assert owner_team(rep, owner=colleague.username) == ["owner_own"]
    assert owner_team(manager) == (manager.pk, team.pk)
    assert owner_team(manager, owner=colleague.username) == (colleague.pk, team.pk)
    assert owner_team(manager, owner=stranger.username) == ["owner_team"]
    assert owner_team(admin) == (None, None)
    assert owner_team(admin, owner=stranger.username) == (stranger.pk, other.pk)
    # Agents hand nothing over; nobody hands a customer to a partner or an agent.
    assert owner_team(agent) == (None, team.pk)
    assert owner_team(agent, owner=colleague.username) == ["owner_hand_over"]
    assert owner_team(admin, owner=partner.username) == ["owner_cannot_own"]
    assert owner_team(admin, owner=agent.username) == ["owner_cannot_own"]
    assert owner_team(lead, owner=colleague.username) == (colleague.pk, team.pk)
    assert owner_team(lead, owner=stranger.username) == ["owner_team"]


def test_copy_line_escapes_only_what_needs_it():
    assert copy_line(["a", None, True, 3, "b\tc", "d\\e", "x\ny"]) == "a\t\\N\tt\t3\tb\\tc\td\\\\e\tx\\ny"
    assert copy_line(["plain", None, False]) == "plain\t\\N\tf"


def test_messages_in_english_and_translated():
    from django.utils import translation

    assert message_text("duplicate", {"field": "mobile", "row": 3}) == "same mobile as row 3"
    with translation.override("zh-hans"):
        assert "3" in message_text("duplicate", {"field": "mobile", "row": 3}, translate=True)
        assert message_text("phone", translate=True) != "not a valid phone number"
