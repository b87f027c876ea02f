import pytest

from bench.generate import generate
from guanxi.customers import normalize
from guanxi.customers.models import Address, ContactPoint, Customer
from guanxi.customers.selectors import CustomerFilter, customer_list
from guanxi.customers.services import customer_create
from guanxi.customers.services.customers import search_document_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def generated(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # keep the name-key cache out of the working tree
    return generate(customers=500, batch=200, seed=5, progress=False)


def ids(user, query):
    return set(customer_list(user=user, filters=CustomerFilter(query=query)).values_list("pk", flat=True))


def test_generator_writes_valid_rows_with_the_services_derived_keys(generated):
    assert generated.customers == Customer.objects.count() == 500
    points = {}
    for p in ContactPoint.objects.order_by("-is_primary", "kind", "id"):
        points.setdefault(p.customer_id, []).append(p.normalized)
        expected = normalize.email_normalize(p.value) if p.kind == "email" else normalize.phone_normalize(p.value)
        assert p.normalized == expected
    for c in Customer.objects.all():
        assert c.code == f"C{c.pk:09d}"
        assert (c.name_pinyin, c.name_initials) == (normalize.name_pinyin(c.name), normalize.name_initials(c.name))
        assert c.search_document == search_document_for(c, points.get(c.pk, []))
        if c.mobile:
            assert normalize.phone_normalize(c.mobile) == c.mobile and normalize.phone_is_valid(c.mobile)
        if c.id_type == "resident_id":
            assert normalize.resident_id_is_valid(c.id_number)
            assert c.id_number[6:14] == c.birth_date.strftime("%Y%m%d")
        assert c.arpu >= 0
        assert c.owner_id is None or c.team_id == c.owner.team_id
    assert Address.objects.exists() and ContactPoint.objects.exists()


def test_search_finds_generated_customers_by_pinyin_initials_phone_and_name(generated):
    from guanxi.accounts.models import User

    admin = User.objects.get(username="bench_admin")
    sample = list(Customer.objects.filter(kind="individual").exclude(mobile="").order_by("pk")[:15])
    for c in sample:
        digits = c.mobile.removeprefix("+86")
        assert c.pk in ids(admin, c.name_pinyin)
        assert c.pk in ids(admin, c.name_initials)
        assert c.pk in ids(admin, f"{digits[:3]} {digits[3:7]} {digits[7:]}")
        assert c.pk in ids(admin, c.name[:2])


def test_services_keep_working_after_a_bulk_load(generated):
    from guanxi.accounts.models import User

    admin = User.objects.get(username="bench_admin")
    customer = customer_create(actor=admin, data={"kind": "individual", "name": "李四", "mobile": "13900139000"})
    assert customer.pk > generated.last_id
