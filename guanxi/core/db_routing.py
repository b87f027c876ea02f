"""Report reads on a read replica (PostgreSQL streaming replication), everything else on the primary.

With `DATABASE_REPLICA_URL` set, the settings add a `replica` database and `REPORT_DATABASE = "replica"`.
Reads that make reports — dashboards, analyses, exports — run on it: code marks them with
`report_reads()` (a context manager and decorator: every ORM read inside goes to the replica through
`ReplicaRouter`), or takes the alias itself with `report_alias()` (`queryset.using(...)`,
`connections[...]` for raw SQL; a streamed export picks its alias before it starts streaming).
Writes, and reads outside a report (which must see what was just written), always use `default`.
Without a replica `report_alias()` is `default` and the router says nothing.
"""

from __future__ import annotations

import contextvars
from contextlib import ContextDecorator

from django.conf import settings

DEFAULT = "default"
_reporting: contextvars.ContextVar[bool] = contextvars.ContextVar("report_reads", default=False)


def replica_alias() -> str:
    """The replica's alias, or "" when none is configured."""
    alias = getattr(settings, "REPORT_DATABASE", "") or ""
    return alias if alias in settings.DATABASES else ""


def report_alias() -> str:
    """Where a report reads: the replica when there is one, else the primary."""
    return replica_alias() or DEFAULT


class report_reads(ContextDecorator):  # lower case: used as a decorator and a `with` block
    """ORM reads inside go to the replica (when configured)."""

    def __enter__(self):
        self._token = _reporting.set(True)
        return self

    def __exit__(self, *exc):
        _reporting.reset(self._token)
        return False


class ReplicaRouter:
    """Reads inside `report_reads()` go to the replica; everything else to `default`. Migrations run
    on the primary only: the replica copies them."""

    def db_for_read(self, model, **hints):
        if _reporting.get():
            return replica_alias() or None
        return None

    def db_for_write(self, model, **hints):
        return DEFAULT

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT
