"""The optimistic version of guanxi.core.versioning, on customers: every save bumps it in its one
UPDATE, a save from an older copy raises instead of overwriting, set-based writes bump it too, the
conflict lists what changed, If-Match is read leniently."""

import pytest
from django.db import connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from guanxi.core.errors import ValidationFailed
from guanxi.core.versioning import StaleVersion, bumped, expected_version, require_version
from guanxi.customers.models import Customer

from .factories import make_customer


@pytest.mark.django_db
def test_a_save_bumps_the_version_in_its_one_update(admin):
    customer = make_customer(admin, name="张三")
    assert customer.version == 1
    customer.name = "张四"
    with CaptureQueriesContext(connection) as queries:
        customer.save(update_fields=["name"])
    updates = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1 and '"version"' in updates[0] and "WHERE" in updates[0]
    assert customer.version == 2 and Customer.objects.get(pk=customer.pk).version == 2


@pytest.mark.django_db
def test_a_save_from_an_older_copy_raises_and_changes_nothing(admin):
    customer = make_customer(admin, name="张三")
    first, second = Customer.objects.get(pk=customer.pk), Customer.objects.get(pk=customer.pk)
    first.name = "李四"
    first.save()
    second.name = "王五"
    with pytest.raises(StaleVersion) as caught, transaction.atomic():
        second.save()
    assert caught.value.status == 409
    fresh = Customer.objects.get(pk=customer.pk)
    assert (fresh.name, fresh.version) == ("李四", 2)


@pytest.mark.django_db
def test_set_based_writes_bump_the_version(admin):
    customer = make_customer(admin)
    Customer.objects.filter(pk=customer.pk).update(arpu=5, **bumped(Customer))
    assert Customer.objects.get(pk=customer.pk).version == 2
    assert bumped(type(admin)) == {}


@pytest.mark.django_db
def test_the_conflict_lists_the_fields_changed_since_the_version_read(admin):
    customer = make_customer(admin, name="张三", mobile="13800138000")
    Customer.objects.get(pk=customer.pk).save()  # a save that changes nothing visible
    locked = Customer.objects.get(pk=customer.pk)
    locked.name, locked.mobile = "张四", "13900139000"
    locked.save()
    locked.refresh_from_db()
    with pytest.raises(Exception) as caught:
        require_version(locked, 1, fields=["name", "mobile", "notes"], masked=["mobile"])
    changes = {c.field: c.value for c in caught.value.changes}
    assert changes == {"name": "张四", "mobile": "139****9000"} and caught.value.current_version == 3
    require_version(locked, 3, fields=["name"])  # the current version, or none: no check
    require_version(locked, None, fields=["name"])


@pytest.mark.django_db
def test_without_the_old_copy_in_the_history_the_submitted_fields_are_listed(admin):
    customer = make_customer(admin, name="张三")
    customer.history.all().delete()  # as for bulk-loaded records
    with pytest.raises(Exception) as caught:
        require_version(customer, 7, fields=["name", "notes"], submitted={"notes": "x"})
    assert [c.field for c in caught.value.changes] == ["notes"]


@pytest.mark.parametrize(("header", "expected"), [
    ('"3"', 3), ('W/"3"', 3), ("3", 3), (" \"12\" ", 12), ("*", None), (None, None)])
def test_if_match_is_read_leniently(header, expected):
    headers = {"HTTP_IF_MATCH": header} if header is not None else {}
    assert expected_version(RequestFactory().get("/", **headers)) == expected


def test_the_body_version_counts_without_if_match_and_a_bad_header_is_a_422():
    assert expected_version(RequestFactory().get("/"), 4) == 4
    with pytest.raises(ValidationFailed) as caught:
        expected_version(RequestFactory().get("/", HTTP_IF_MATCH='"1", "2"'))
    assert "If-Match" in caught.value.fields
