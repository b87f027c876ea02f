"""A customer created while an import reserves its block of ids (PostgreSQL, real concurrent
transactions): the new customer's id comes after the block, never inside it."""

import threading

import pytest
from django.db import connection, connections, transaction

from guanxi.customers.models import Customer
from guanxi.customers.tests.factories import make_customer

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"),
]
BLOCK = 100


def test_a_customer_created_while_an_import_reserves_ids_is_numbered_after_the_block(admin):
    table = Customer._meta.db_table
    reserved, release, seen = threading.Event(), threading.Event(), {}

    def importer():
        """What the import's writer does: lock, take the first id, then move the sequence past the block."""
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f'LOCK TABLE "{table}" IN SHARE ROW EXCLUSIVE MODE')
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
                seen["first"] = cursor.fetchone()[0]
                reserved.set()
                release.wait(30)
                cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
                               [table, seen["first"] + BLOCK - 1])
        finally:
            connections.close_all()

    def creator():
        try:
            seen["customer"] = make_customer(admin, name="赵六", mobile="13912345678")
        finally:
            connections.close_all()

    first = threading.Thread(target=importer)
    first.start()
    assert reserved.wait(30)
    second = threading.Thread(target=creator)
    second.start()
    second.join(1.0)
    assert second.is_alive(), "the create waits for the import's lock"
    release.set()
    first.join(30)
    second.join(30)
    assert seen["customer"].pk >= seen["first"] + BLOCK
    assert seen["customer"].code == f"C{seen['customer'].pk:09d}"
