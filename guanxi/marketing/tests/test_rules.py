from decimal import Decimal

from guanxi.marketing.rules import clean_lead_fields, name_key


def test_contacts_are_normalised_as_a_customers_are():
    clean, errors = clean_lead_fields({"person_name": " 張三 ", "mobile": "+86 138-1234-5678",
                                       "phone": "010-6552 9988", "email": " Li@Example.COM ", "province": "广东",
                                       "budget": "¥12,000"})
    assert errors == {}
    assert clean == {"person_name": "张三", "mobile": "+8613812345678", "phone": "+861065529988",
                     "email": "li@example.com", "province": "广东省", "budget": Decimal("12000.00")}


def test_a_lead_needs_a_name_and_a_way_to_reach_it():
    _clean, errors = clean_lead_fields({"interest": "宽带"})
    assert set(errors) == {"person_name", "mobile"}
    _clean, errors = clean_lead_fields({"company_name": "华星科技", "email": "a@b.cn"})
    assert errors == {}


def test_bad_values_are_refused_by_field():
    _clean, errors = clean_lead_fields({"person_name": "<b>王</b>", "mobile": "12345", "email": "nope",
                                        "province": "火星", "timeline": "someday", "budget": "-1", "status": "x"})
    assert set(errors) == {"person_name", "mobile", "email", "province", "timeline", "budget", "status"}


def test_stored_values_count_for_the_required_ones():
    _clean, errors = clean_lead_fields({"mobile": ""}, current={"person_name": "王", "email": "w@x.cn"})
    assert errors == {}


def test_name_key_drops_a_companys_legal_form():
    assert name_key(person_name="", company_name="深圳华星科技有限公司") == name_key(person_name="王",
                                                                              company_name="深圳华星科技")
    assert name_key(person_name="Ada Lovelace", company_name="") == "adalovelace"
