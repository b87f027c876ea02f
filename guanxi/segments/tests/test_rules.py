"""The rules engine: validation, every operator, and a property: a definition's members are
exactly the customers for which the definition, evaluated in Python, holds."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.errors import ValidationFailed
from guanxi.customers.models import Brand, Customer, Holding
from guanxi.customers.services import address_add
from guanxi.segments import rules

from .factories import make_customer, make_snapshot

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 1, 31)


def members(definition) -> set[str]:
    clean = rules.validate(definition)
    return set(Customer.objects.alive().filter(rules.to_q(clean, today=TODAY)).values_list("name", flat=True))


def cond(field, op, value=None):
    rule = {"field": field, "op": op}
    if value is not None:
        rule["value"] = value
    return {"match": "all", "rules": [rule]}


# People: (name, kind, stage, arpu, brand, tags, province, holds, snapshot or None)
PEOPLE = (
    ("甲", "individual", "mature", "80", "gotone", ["VIP"], "广东省", ["宽带"],
     {"value_level": "vip", "abc_class": "A", "rfm_segment": "important_value", "rfm_r": 5, "clv_36m": Decimal("900"),
      "key_account_score": 81.5, "last_purchase_on": dt.date(2026, 1, 20), "cluster": 1, "portfolio": "star"}),
    ("乙", "individual", "at_risk", "50", "mzone", ["VIP", "学生"], "北京市", ["移动套餐"],
     {"value_level": "large", "abc_class": "B", "rfm_segment": "important_retain", "rfm_r": 2,
      "clv_36m": Decimal("300"), "key_account_score": 40.0, "last_purchase_on": dt.date(2025, 6, 1), "cluster": 2,
      "portfolio": "ageing"}),
    ("丙", "organisation", "growing", "1500", "gotone", [], "广东省", ["专线", "宽带"],
     {"value_level": "vip", "abc_class": "A", "rfm_segment": "important_develop", "rfm_r": 4, "clv_36m": None,
      "key_account_score": 70.0, "last_purchase_on": dt.date(2025, 12, 31), "cluster": 1, "portfolio": "cautious"}),
    ("丁", "individual", "churned", "0", None, ["投诉敏感"], "上海市", [],
     {"value_level": "small", "abc_class": "C", "rfm_segment": "no_purchase", "rfm_r": None, "clv_36m": None,
      "key_account_score": 0.0, "last_purchase_on": None, "cluster": 3, "portfolio": ""}),
    ("戊", "individual", "new", "30", "easyown", [], "", [], None),
    ("己", "organisation", "mature", "300", "mzone", ["政企"], "浙江省", ["云计算"],
     {"value_level": "large", "abc_class": "A", "rfm_segment": "general_value", "rfm_r": 3,
      "clv_36m": Decimal("300"), "key_account_score": 70.1, "last_purchase_on": dt.date(2025, 1, 31), "cluster": 2,
      "portfolio": "drop"}),
)


@pytest.fixture
def people(db):
    admin = UserFactory(role=Role.ADMIN)
    brands = {code: Brand.objects.create(code=code, name=name)
              for code, name in (("gotone", "全球通"), ("mzone", "动感地带"), ("easyown", "神州行"))}
    made = {}
    for name, kind, stage, arpu, brand, tags, province, holds, snapshot in PEOPLE:
        customer = make_customer(admin, name=name, kind=kind, lifecycle_stage=stage, arpu=arpu,
                                 brand=brands[brand] if brand else None, tags=tags or None)
        if province:
            address_add(actor=admin, customer=customer, kind="home", province=province)
        for category in holds:
            Holding.objects.create(customer=customer, product=f"{category}产品", category=category)
        if snapshot:
            make_snapshot(customer, **snapshot)
        made[name] = customer
    # A competitor's broadband and an ended one do not count as holding broadband.
    Holding.objects.create(customer=made["乙"], product="电信 天翼宽带", category="宽带", is_competitor=True)
    Holding.objects.create(customer=made["戊"], product="旧宽带", category="宽带", status="ended")
    return made


ALL = {p[0] for p in PEOPLE}


@pytest.mark.parametrize(("definition", "expected"), [
    (cond("value_level", "eq", "vip"), {"甲", "丙"}),
    (cond("value_level", "ne", "vip"), ALL - {"甲", "丙"}),  # 戊 has no snapshot: "not VIP"
    (cond("value_level", "in", ["vip", "large"]), {"甲", "乙", "丙", "己"}),
    (cond("value_level", "not_in", ["vip", "large"]), {"丁", "戊"}),
    (cond("value_level", "is_empty"), {"戊"}),
    (cond("value_level", "is_not_empty"), ALL - {"戊"}),
    (cond("abc_class", "eq", "A"), {"甲", "丙", "己"}),
    (cond("rfm_segment", "in", ["important_value", "important_retain"]), {"甲", "乙"}),
    (cond("rfm_r", "gte", 4), {"甲", "丙"}),
    (cond("rfm_r", "lt", 3), {"乙"}),
    (cond("rfm_r", "is_empty"), {"丁", "戊"}),
    (cond("clv_36m", "eq", "300"), {"乙", "己"}),
    (cond("clv_36m", "gt", 300), {"甲"}),
    (cond("clv_36m", "between", ["300", "900"]), {"甲", "乙", "己"}),
    (cond("clv_36m", "ne", 300), {"甲", "丙", "丁", "戊"}),
    (cond("key_account_score", "gte", 70), {"甲", "丙", "己"}),
    (cond("key_account_score", "lte", "70"), {"乙", "丙", "丁"}),
    (cond("arpu", "between", [50, 300]), {"甲", "乙", "己"}),
    (cond("arpu", "lt", 30), {"丁"}),
    (cond("kind", "eq", "organisation"), {"丙", "己"}),
    (cond("lifecycle_stage", "not_in", ["churned", "at_risk"]), {"甲", "丙", "戊", "己"}),
    (cond("brand", "eq", "gotone"), {"甲", "丙"}),
    (cond("brand", "ne", "gotone"), {"乙", "丁", "戊", "己"}),
    (cond("brand", "is_empty"), {"丁"}),
    (cond("tags", "has_any", ["VIP", "政企"]), {"甲", "乙", "己"}),
    (cond("tags", "has_all", ["VIP", "学生"]), {"乙"}),
    (cond("tags", "has_none", ["VIP"]), {"丙", "丁", "戊", "己"}),
    (cond("province", "in", ["广东"]), {"甲", "丙"}),
    (cond("province", "not_in", ["广东省", "北京市"]), {"丁", "戊", "己"}),
    (cond("holds", "has_any", ["宽带"]), {"甲", "丙"}),
    (cond("holds", "has_none", ["宽带"]), {"乙", "丁", "戊", "己"}),
    (cond("holds", "has_any", ["专线产品"]), {"丙"}),
    (cond("cluster", "eq", 2), {"乙", "己"}),
    (cond("portfolio", "in", ["star", "cautious"]), {"甲", "丙"}),
    (cond("last_purchase", "within_days", 31), {"甲", "丙"}),
    (cond("last_purchase", "before_days", 365), set()),
    (cond("last_purchase", "before_days", 364), {"己"}),
    (cond("last_purchase", "on_or_after", "2025-06-01"), {"甲", "乙", "丙"}),
    (cond("last_purchase", "on_or_before", "2025-06-01"), {"乙", "己"}),
    (cond("last_purchase", "between", ["2025-01-31", "2025-06-01"]), {"乙", "己"}),
    (cond("last_purchase", "is_empty"), {"丁", "戊"}),
    (cond("created", "within_days", 0), ALL),  # created today, after TODAY
    (cond("created", "before_days", 0), set()),
    ({"match": "any", "rules": [{"field": "value_level", "op": "eq", "value": "vip"},
                                {"field": "lifecycle_stage", "op": "eq", "value": "at_risk"}]}, {"甲", "乙", "丙"}),
    ({"match": "all", "rules": [{"field": "value_level", "op": "in", "value": ["vip", "large"]},
                                {"match": "any", "rules": [
                                    {"field": "lifecycle_stage", "op": "eq", "value": "at_risk"},
                                    {"field": "kind", "op": "eq", "value": "organisation"}]}]}, {"乙", "丙", "己"}),
    ({"match": "all", "rules": []}, ALL),
    # Found by the property below: a negation ORed with another condition on the same outer join.
    ({"match": "any", "rules": [{"field": "clv_36m", "op": "between", "value": ["0", "0"]},
                                {"field": "value_level", "op": "ne", "value": "vip"}]}, {"乙", "丁", "戊", "己"}),
    ({"match": "any", "rules": [{"field": "brand", "op": "not_in", "value": ["gotone"]},
                                {"field": "kind", "op": "eq", "value": "organisation"}]}, ALL - {"甲"}),
])
def test_operators(people, definition, expected):
    assert members(definition) == expected


def test_deleted_customers_are_never_members(people):
    people["甲"].deleted_at = timezone.now()
    people["甲"].save(update_fields=["deleted_at"])
    assert members(cond("value_level", "eq", "vip")) == {"丙"}


@pytest.mark.parametrize(("definition", "path", "words"), [
    (cond("colour", "eq", "red"), "definition.rules.0.field", "unknown field"),
    (cond("value_level", "gt", "vip"), "definition.rules.0.op", "unknown operator"),
    (cond("value_level", "eq", "gold"), "definition.rules.0.value", "is not one of"),
    (cond("value_level", "in", []), "definition.rules.0.value", "non-empty list"),
    (cond("value_level", "in", "vip"), "definition.rules.0.value", "non-empty list"),
    (cond("arpu", "gt", "lots"), "definition.rules.0.value", "a number"),
    (cond("arpu", "gt", "NaN"), "definition.rules.0.value", "finite"),
    (cond("arpu", "gt", True), "definition.rules.0.value", "a number"),
    (cond("arpu", "lt", -1), "definition.rules.0.value", "at least 0"),
    (cond("arpu", "between", [300, 50]), "definition.rules.0.value", "greater than"),
    (cond("arpu", "between", [1]), "definition.rules.0.value", "two values"),
    (cond("rfm_r", "eq", 6), "definition.rules.0.value", "between 1 and 5"),
    (cond("rfm_r", "eq", 2.5), "definition.rules.0.value", "whole number"),
    (cond("last_purchase", "on_or_after", "31/01/2026"), "definition.rules.0.value", "YYYY-MM-DD"),
    (cond("last_purchase", "within_days", -1), "definition.rules.0.value", "between 0"),
    (cond("province", "in", ["火星"]), "definition.rules.0.value", "not a province"),
    (cond("brand", "eq", "nobrand"), "definition.rules.0.value", "is not one of"),
    (cond("tags", "has_any", ["x" * 31]), "definition.rules.0.value", "1 to 30"),
    ({"match": "both", "rules": []}, "definition.match", "'all'"),
    ({"match": "all", "rules": {}}, "definition.rules", "a list"),
    ({"match": "all", "rules": [], "extra": 1}, "definition", "unknown key"),
    ({"match": "all", "rules": [{"match": "any", "rules": []}]}, "definition.rules.0.rules", "at least one"),
    ({"match": "all", "rules": [{"match": "any", "rules": [{"match": "all", "rules": [
        {"match": "all", "rules": [cond("kind", "eq", "individual")["rules"][0]]}]}]}]},
     "definition.rules.0.rules.0.rules.0", "nest at most"),
    ({"match": "all", "rules": [cond("kind", "eq", "individual")["rules"][0]] * 31},
     "definition.rules.30", "at most 30"),
    ({"match": "all", "rules": ["kind = individual"]}, "definition.rules.0", "must be an object"),
    ([1, 2], "definition", "must be an object"),
    ({"match": "all", "rules": [{"field": "kind", "op": "eq", "value": "individual", "x": 1}]},
     "definition.rules.0", "unknown key"),
])
def test_validation_names_the_faulty_part(db, definition, path, words):
    with pytest.raises(ValidationFailed) as caught:
        rules.validate(definition)
    assert path in caught.value.fields, caught.value.fields
    with translation.override("en"):  # reasons read in the reader's language; these words are the English ones
        assert words in caught.value.fields[path]


def test_validation_cleans_values(db):
    clean = rules.validate({"match": "any", "rules": [
        {"field": "arpu", "op": "between", "value": [50, "300.50"]},
        {"field": "province", "op": "in", "value": ["广东", "北京市", "广东省"]},
        {"field": "value_level", "op": "is_empty", "value": "ignored"},
        {"field": "rfm_r", "op": "in", "value": ["3", 4]},
    ]})
    assert clean["rules"][0]["value"] == ["50", "300.5"]
    assert clean["rules"][1]["value"] == ["北京市", "广东省"]
    assert clean["rules"][2] == {"field": "value_level", "op": "is_empty"}
    assert clean["rules"][3]["value"] == [3, 4]
    assert rules.validate(None) == {"match": "all", "rules": []}


# ---------------------------------------------------------------- property


def _holds(value, op, target, kind):
    """The Python meaning of one comparison (see rules.py for the semantics)."""
    if op == "is_empty":
        return value is None
    if op == "is_not_empty":
        return value is not None
    if op in ("ne", "not_in"):
        return not _holds(value, {"ne": "eq", "not_in": "in"}[op], target, kind)
    if value is None:
        return False
    convert = {"number": Decimal, "float": float, "integer": int, "date": dt.date.fromisoformat}.get(kind, str)
    if op == "eq":
        return value == convert(target)
    if op == "in":
        return value in {convert(t) for t in target}
    if op in ("gt", "gte", "lt", "lte", "on_or_after", "on_or_before"):
        other = convert(target)
        return {"gt": value > other, "gte": value >= other, "lt": value < other, "lte": value <= other,
                "on_or_after": value >= other, "on_or_before": value <= other}[op]
    if op == "between":
        return convert(target[0]) <= value <= convert(target[1])
    if op == "within_days":
        return value >= TODAY - dt.timedelta(days=target)
    if op == "before_days":
        return value < TODAY - dt.timedelta(days=target)
    raise AssertionError(op)


def python_match(person: dict, definition: dict) -> bool:
    results = []
    for rule in definition["rules"]:
        if "match" in rule:
            results.append(python_match(person, rule))
            continue
        field, op, value = rule["field"], rule["op"], rule.get("value")
        if field in ("tags", "province", "holds"):
            have = person[field] & set(value)
            results.append(bool(have) if op in ("has_any", "in") else (
                have == set(value) if op == "has_all" else not have))
            continue
        results.append(_holds(person[field], op, value, FIELD_KINDS[field]))
    return all(results) if definition["match"] == "all" else any(results)


FIELD_KINDS = {"value_level": "str", "abc_class": "str", "kind": "str", "lifecycle_stage": "str", "brand": "str",
               "arpu": "number", "clv_36m": "number", "key_account_score": "float", "rfm_r": "integer",
               "last_purchase": "date"}


def person_of(row) -> dict:
    name, kind, stage, arpu, brand, tags, province, holds, snapshot = row
    snapshot = snapshot or {}
    return {"name": name, "kind": kind, "lifecycle_stage": stage, "arpu": Decimal(arpu), "brand": brand,
            "tags": set(tags), "province": {province} if province else set(), "holds": set(holds) | {
                f"{h}产品" for h in holds},
            "value_level": snapshot.get("value_level"), "abc_class": snapshot.get("abc_class"),
            "clv_36m": snapshot.get("clv_36m"), "key_account_score": snapshot.get("key_account_score"),
            "rfm_r": snapshot.get("rfm_r"), "last_purchase": snapshot.get("last_purchase_on")}


CHOICES = {"value_level": ["vip", "large", "medium", "small"], "abc_class": ["A", "B", "C"],
           "kind": ["individual", "organisation"], "lifecycle_stage": ["new", "mature", "at_risk", "churned"],
           "brand": ["gotone", "mzone", "easyown"]}
NUMBERS = {"arpu": ["0", "30", "50", "80", "299.99", "300", "1500"], "clv_36m": ["0", "300", "300.01", "900"],
           "key_account_score": ["0", "40", "70", "70.1", "81.5"], "rfm_r": [1, 2, 3, 4, 5]}
DATES = ["2025-01-31", "2025-06-01", "2025-12-31", "2026-01-20"]
SETS = {"tags": ["VIP", "学生", "政企", "投诉敏感", "高价值"], "province": ["广东省", "北京市", "上海市", "浙江省"],
        "holds": ["宽带", "专线", "云计算", "移动套餐", "宽带产品"]}
NULLABLE = {"value_level", "abc_class", "brand", "clv_36m", "key_account_score", "rfm_r", "last_purchase"}


@st.composite
def conditions(draw):
    field = draw(st.sampled_from([*CHOICES, *NUMBERS, "last_purchase", *SETS]))
    if field in CHOICES:
        op = draw(st.sampled_from(["eq", "ne", "in", "not_in"] + (["is_empty", "is_not_empty"]
                                                                 if field in NULLABLE else [])))
        pool = CHOICES[field]
    elif field in NUMBERS:
        op = draw(st.sampled_from(["eq", "ne", "gt", "gte", "lt", "lte", "between"]
                                  + (["in", "not_in"] if field == "rfm_r" else [])
                                  + (["is_empty", "is_not_empty"] if field in NULLABLE else [])))
        pool = NUMBERS[field]
    elif field == "last_purchase":
        op = draw(st.sampled_from(["on_or_after", "on_or_before", "between", "within_days", "before_days",
                                   "is_empty", "is_not_empty"]))
        pool = DATES
    else:
        ops = {"tags": ["has_any", "has_all", "has_none"], "province": ["in", "not_in"],
               "holds": ["has_any", "has_none"]}[field]
        op = draw(st.sampled_from(ops))
        pool = SETS[field]
    rule = {"field": field, "op": op}
    if op in ("is_empty", "is_not_empty"):
        return rule
    if op in ("in", "not_in", "has_any", "has_all", "has_none"):
        rule["value"] = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True))
    elif op == "between":
        low, high = sorted(draw(st.lists(st.sampled_from(pool), min_size=2, max_size=2)),
                           key=lambda v: Decimal(v) if field in NUMBERS and field != "rfm_r" else v)
        rule["value"] = [low, high]
    elif op in ("within_days", "before_days"):
        rule["value"] = draw(st.sampled_from([0, 11, 31, 364, 365, 1000]))
    else:
        rule["value"] = draw(st.sampled_from(pool))
    return rule


definitions = st.recursive(
    conditions(), lambda children: st.fixed_dictionaries(
        {"match": st.sampled_from(["all", "any"]), "rules": st.lists(children, min_size=1, max_size=3)}),
    max_leaves=6,
).map(lambda d: d if "match" in d else {"match": "all", "rules": [d]})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(definition=definitions)
def test_members_are_exactly_the_customers_the_definition_holds_for(people, definition):
    try:
        clean = rules.validate(definition)
    except ValidationFailed as exc:
        assert "nest at most" in str(exc.fields)  # the only thing the strategy can get wrong
        return
    expected = {row[0] for row in PEOPLE if python_match(person_of(row), clean)}
    assert members(clean) == expected
