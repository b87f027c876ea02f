"""Report reads go to the read replica when one is configured (DATABASE_REPLICA_URL), everything else
to the primary; without a replica everything stays on the primary."""

import pytest
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.db_routing import report_alias, report_reads
from guanxi.customers.models import Customer

pytestmark = [
    pytest.mark.django_db(databases=["default", "replica"]),
    # The replica alias mirrors the test database through a second connection: SQLite's shared in-memory test
    # database locks a table against it while the test's transaction holds it. The routing is the same on both.
    pytest.mark.skipif(connections["default"].vendor == "sqlite",
                       reason="a mirrored alias needs a server database (PostgreSQL pass)"),
]


def _export(user):
    client = Client()
    client.force_login(user)
    response = client.get("/customers/export.csv")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_with_a_replica_report_reads_use_it_and_writes_stay_on_the_primary(settings):
    settings.REPORT_DATABASE = "replica"
    assert report_alias() == "replica"
    with report_reads():
        assert Customer.objects.all().db == "replica"
        from django.db import router

        assert router.db_for_write(Customer) == "default"
    assert Customer.objects.all().db == "default"  # an ordinary read sees what was just written
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        _export(UserFactory(role=Role.SERVICE_MANAGER))
    assert any("customers_customer" in q["sql"] for q in on_replica.captured_queries)


def test_without_a_replica_everything_uses_the_primary(settings):
    settings.REPORT_DATABASE = ""
    assert report_alias() == "default"
    with report_reads():
        assert Customer.objects.all().db == "default"
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        _export(UserFactory(role=Role.SERVICE_MANAGER))
    assert not on_replica.captured_queries
