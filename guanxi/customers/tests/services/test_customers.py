import pytest
from django.utils import translation

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.core.errors import Conflict, PermissionDenied, ValidationFailed
from guanxi.customers.models import Customer
from guanxi.customers.selectors.customers import CustomerFilter, customer_list
from guanxi.customers.services import address_add, contact_point_add, customer_delete, customer_update

from ..factories import make_customer

pytestmark = pytest.mark.django_db


def search(user, query):
    return set(customer_list(user=user, filters=CustomerFilter(query=query)).values_list("name", flat=True))


def test_create_normalises_contact_data_and_derives_search_keys(admin):
    customer = make_customer(admin, name="張三", mobile="+86 138-0013-8000", email=" ZS@Example.COM ")
    assert customer.name == "张三"
    assert customer.mobile == "+8613800138000"
    assert customer.email == "zs@example.com"
    assert (customer.name_pinyin, customer.name_initials) == ("zhangsan", "zs")
    assert customer.code == f"C{customer.pk:09d}"
    assert customer.history.count() == 1


def test_create_writes_the_customer_row_once_with_its_number(admin):
    """On PostgreSQL the key comes from the sequence first: one INSERT with the final number and no
    UPDATE of the row afterwards (each would add an entry to every index of a large table)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        customer = make_customer(admin, name="王小明", mobile="13800138001")
    table = Customer._meta.db_table
    writes = [q["sql"] for q in queries.captured_queries
              if q["sql"].startswith((f'UPDATE "{table}"', f'INSERT INTO "{table}"'))]
    stored = Customer.objects.get(pk=customer.pk)
    assert stored.code == customer.code == f"C{customer.pk:09d}"
    assert stored.history.get().code == customer.code
    if connection.vendor == "postgresql":
        assert len(writes) == 1 and writes[0].startswith("INSERT")
        assert make_customer(admin, name="王小红").pk == customer.pk + 1


@pytest.mark.parametrize(
    "query",
    ["张三", "張三", "zhangsan", "zhang", "zs", "ZS", "13800138000", "+86 138-0013-8000",
     "008613800138000", "138 0013 8000", "zs@example.com", "11010519491231002x", "1380013", "110105"],
)
def test_search_finds_by_name_pinyin_initials_phone_email_and_id(admin, query):
    make_customer(admin, name="张三", mobile="13800138000", email="zs@example.com",
                  id_type="resident_id", id_number="11010519491231002X")
    make_customer(admin, name="李四", mobile="13900139000")
    assert search(admin, query) == {"张三"}


def test_search_finds_secondary_contact_points(admin):
    customer = make_customer(admin, name="王五")
    contact_point_add(actor=admin, customer=customer, kind="phone", value="(021)62345678")
    assert search(admin, "021-6234 5678") == {"王五"}
    assert search(admin, "+86 21 6234 5678") == {"王五"}


def test_part_of_an_organisation_name_finds_it(admin):
    make_customer(admin, kind="organisation", name="深圳华星科技有限公司")
    make_customer(admin, name="华星")  # a person whose name starts the same: found by prefix only
    assert search(admin, "华星科技") == {"深圳华星科技有限公司"}
    assert search(admin, "星科") == set()  # substrings need three characters
    assert search(admin, "华星") == {"华星", "深圳华星科技有限公司"}  # a word of the company's name


@pytest.mark.parametrize("query", ["Lovelace", "lovelace", "LOVE", "ada", "lovelace ada", "Ada Lovelace"])
def test_any_word_of_a_latin_name_finds_it(admin, query):
    make_customer(admin, name="Ada Lovelace")
    make_customer(admin, name="Grace Hopper")
    assert search(admin, query) == {"Ada Lovelace"}


@pytest.mark.parametrize("query", ["华星", "huaxing", "HuaXing", "huax", "hx", "科技", "keji", "kj", "华星科技",
                                   "深圳 科技", "shenzhen keji"])
def test_any_word_of_a_company_name_finds_it_by_hanzi_pinyin_or_initials(admin, query):
    make_customer(admin, kind="organisation", name="深圳华星科技有限公司")
    make_customer(admin, kind="organisation", name="北京金鼎商贸有限责任公司")
    assert search(admin, query) == {"深圳华星科技有限公司"}


@pytest.mark.parametrize("query", ["三丰", "sanfeng", "sf", "娜娜", "nana"])
def test_a_given_name_finds_the_person_by_hanzi_pinyin_or_initials(admin, query):
    make_customer(admin, name="张三丰")
    make_customer(admin, name="欧阳娜娜")
    make_customer(admin, name="李四")
    expected = {"张三丰"} if query in ("三丰", "sanfeng", "sf") else {"欧阳娜娜"}
    assert search(admin, query) == expected


def test_legal_forms_and_numbers_do_not_match_every_company(admin):
    make_customer(admin, kind="organisation", name="深圳华星科技有限公司")
    assert search(admin, "公司") == set()
    assert search(admin, "2024") == set()


def test_renaming_a_customer_moves_its_words(admin):
    customer = make_customer(admin, name="Ada Lovelace")
    customer_update(actor=admin, customer=customer, data={"name": "Ada Byron"})
    assert search(admin, "lovelace") == set()
    assert search(admin, "byron") == {"Ada Byron"}


def test_search_does_not_match_unrelated_customers(admin):
    make_customer(admin, name="赵六", mobile="13700137000")
    assert search(admin, "zs") == set()
    assert search(admin, "13800138000") == set()


@pytest.mark.parametrize(
    ("field", "value"),
    [("mobile", "12"), ("email", "not-an-email"), ("kind", "robot"), ("arpu", "-5"),
     ("birth_date", "2999-01-01"), ("name", "  "), ("brand", 999999), ("billing_cycle_day", 31)],
)
def test_create_refuses_bad_fields_and_writes_nothing(admin, field, value):
    with pytest.raises(ValidationFailed) as exc:
        make_customer(admin, **{field: value})
    assert field in exc.value.fields
    assert Customer.objects.count() == 0


def test_resident_id_checksum_is_verified(admin):
    with pytest.raises(ValidationFailed) as exc:
        make_customer(admin, id_type="resident_id", id_number="110105194912310021")
    assert "校验位错误" in exc.value.fields["id_number"]
    with translation.override("en"):
        assert "checksum" in exc.value.fields["id_number"]


def test_update_records_who_changed_what(admin):
    customer = make_customer(admin, name="张三", arpu="88.00")
    customer_update(actor=admin, customer=customer, data={"arpu": "128.50", "lifecycle_stage": "growing"})
    latest = customer.history.order_by("-history_id").first()
    changed = {c.field for c in latest.diff_against(latest.prev_record).changes}
    assert latest.history_user == admin
    assert {"arpu", "lifecycle_stage"} <= changed


def test_stale_update_is_refused(admin):
    customer = make_customer(admin)
    stale = customer.updated_at
    customer_update(actor=admin, customer=customer, data={"name": "张三丰"})
    with pytest.raises(Conflict):
        customer_update(actor=admin, customer=customer, data={"name": "张四"}, expected_updated_at=stale)
    assert Customer.objects.get(pk=customer.pk).name == "张三丰"


def test_soft_delete_hides_but_keeps_the_record(admin):
    customer = make_customer(admin)
    customer_delete(actor=admin, customer=customer)
    assert search(admin, "zs") == set()
    assert Customer.objects.filter(pk=customer.pk, deleted_at__isnull=False).exists()
    with pytest.raises(Conflict):
        customer_delete(actor=admin, customer=customer)


def test_sales_rep_owns_what_they_create_and_cannot_give_it_away():
    rep = UserFactory(role=Role.SALES_REP)
    other = UserFactory(role=Role.SALES_REP)
    customer = make_customer(rep)
    assert (customer.owner, customer.team) == (rep, rep.team)
    with pytest.raises(PermissionDenied):
        customer_update(actor=rep, customer=customer, data={"owner": other.pk})
    assert Customer.objects.get(pk=customer.pk).owner == rep


def test_sales_manager_assigns_only_within_the_team():
    team = TeamFactory()
    manager = UserFactory(role=Role.SALES_MANAGER, team=team)
    member = UserFactory(role=Role.SALES_REP, team=team)
    outsider = UserFactory(role=Role.SALES_REP)
    customer = make_customer(manager, owner=member.pk)
    assert customer.owner == member and customer.team == team
    with pytest.raises(PermissionDenied):
        make_customer(manager, owner=outsider.pk)


def test_analyst_cannot_create():
    with pytest.raises(PermissionDenied):
        make_customer(UserFactory(role=Role.ANALYST))
    assert Customer.objects.count() == 0


def test_address_province_is_normalised_and_validated(admin):
    customer = make_customer(admin)
    address = address_add(actor=admin, customer=customer, kind="home", province="广东", city="深圳市")
    assert address.province == "广东省" and address.is_default
    with pytest.raises(ValidationFailed):
        address_add(actor=admin, customer=customer, kind="home", province="Atlantis")
