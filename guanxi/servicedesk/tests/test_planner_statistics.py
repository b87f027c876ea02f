"""The queue's "breached" view on PostgreSQL: the planner knows how many open cases are breached."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner statistics are PostgreSQL's")
def test_open_and_breached_cases_have_statistics_of_their_own():
    with connection.cursor() as cursor:
        cursor.execute("SELECT stxkind::text, pg_get_statisticsobjdef_expressions(oid)::text FROM pg_statistic_ext "
                       "WHERE stxname = 'ticket_open_breached_stats' AND stxrelid = 'servicedesk_ticket'::regclass")
        kind, expressions = cursor.fetchone()
    assert "m" in kind and "breached_at IS NOT NULL" in expressions
