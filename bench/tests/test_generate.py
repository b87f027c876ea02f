import pytest

from bench.generate import generate
from guanxi.customers import normalize
from guanxi.customers.models import Address, ContactPoint, Customer
from guanxi.customers.selectors import CustomerFilter, customer_list
from guanxi.customers.services import customer_create

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
    organisation = Customer.objects.filter(kind="organisation").first()
    assert organisation.pk in ids(admin, organisation.name[1:5])  # part of the name, not its start


def test_services_keep_working_after_a_bulk_load(generated):
    from guanxi.accounts.models import User

    admin = User.objects.get(username="bench_admin")
    customer = customer_create(actor=admin, data={"kind": "individual", "name": "李四", "mobile": "13900139000"})
    assert customer.pk > generated.last_id


def test_parallel_workers_build_the_same_batches_as_one_process(settings, tmp_path):
    from bench.generate import Generator, _payloads, ensure_brands, ensure_staff

    settings.VAR_DIR = tmp_path
    gen = Generator(seed=7, total=900, vendor="postgresql", staff=ensure_staff(), brands=ensure_brands(),
                    point_offset=10, address_offset=-3)
    specs = [(0, 1, 300), (1, 301, 300), (2, 601, 250), (3, 851, 50)]
    with _payloads(gen, specs, 0) as serial:
        expected = list(serial)
    with _payloads(gen, specs, 2) as parallel:
        assert list(parallel) == expected
    # A batch is the same whichever order or process builds it, and its ids follow from customer ids.
    customers, points, addresses = gen.batch(2, 601, 250)
    assert gen.copy_payload(2, 601, 250) == expected[2]
    assert [r[0] for r in customers] == list(range(601, 851))
    assert all(p[0] == p[3] + 10 for p in points) and all(a[0] == a[3] - 3 for a in addresses)
    assert len({r[3] for r in customers}) == 250  # customer numbers differ row to row
    lines = expected[0][0].decode().splitlines()
    assert [int(line.split("\t")[0]) for line in lines] == list(range(1, 301))


ODD_VALUES = [("tab\there", "new\nline", None, True, 12), ("back\\slash", "cr\rx", "\\N", False, -3),
              ("", "张三 zhangsan", "plain", None, None)]


def _decode_copy_text(payload: bytes) -> list[tuple]:
    escapes = {"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}
    rows = []
    for line in payload.decode().split("\n")[:-1]:
        fields = []
        for field in line.split("\t"):
            if field == "\\N":
                fields.append(None)
                continue
            out, i = [], 0
            while i < len(field):
                if field[i] == "\\":
                    out.append(escapes[field[i + 1]])
                    i += 2
                else:
                    out.append(field[i])
                    i += 1
            fields.append("".join(out))
        rows.append(tuple(fields))
    return rows


def test_copy_text_escapes_tabs_newlines_backslashes_and_nulls():
    from guanxi.core.copy import copy_text

    payload = copy_text(ODD_VALUES)
    assert payload.count(b"\n") == len(ODD_VALUES)
    assert _decode_copy_text(payload) == [
        tuple(None if v is None else ("t" if v else "f") if isinstance(v, bool) else str(v) for v in row)
        for row in ODD_VALUES
    ]
    assert copy_text([]) == b""


def test_copy_text_round_trips_through_postgresql_copy():
    from django.db import connection

    from guanxi.core.copy import copy_text

    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE copy_probe (a text, b text, c text, d boolean, e integer)")
        with cursor.cursor.copy("COPY copy_probe (a, b, c, d, e) FROM STDIN") as copy:
            copy.write(copy_text(ODD_VALUES))
        cursor.execute("SELECT a, b, c, d, e FROM copy_probe")
        assert sorted(cursor.fetchall(), key=repr) == sorted(ODD_VALUES, key=repr)
