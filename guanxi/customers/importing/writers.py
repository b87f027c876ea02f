"""The commit of an import: the spooled rows written in the caller's transaction, with their
"created" history rows (`commit`), or the rows written chunk by chunk as they are validated
(`ChunkStream`). Only `services.imports` calls it.

- PostgreSQL: COPY into the customers, addresses, contact points and tag tables and their
  history tables, in ONE transaction; ids come from the tables' sequences, reserved as one
  block under a SHARE ROW EXCLUSIVE lock (concurrent reads go on, concurrent customer writes
  wait), so the import created exactly `first_id..last_id`. An import at least half the size of
  a table (and of IMPORT_BULK_MIN_ROWS rows or more) drops that table's secondary indexes
  first and rebuilds them before the commit — which locks the table for reading too, until the
  import commits. Its unique constraints go too (unless a foreign key refers to them) and come back
  the same way, checking every row. Its GIN indexes are kept and merged into (`_takes_appends`);
  `tidy_indexes` rebuilds them after the commit, without blocking anyone. Its foreign keys are not
  checked row by row: the rows are written as a replica (`session_replication_role`, when the role
  may set it), or else the keys are dropped and come back NOT VALID (`validate_foreign_keys` marks
  them valid after the commit, without blocking anyone; but dropping a key locks the table it refers
  to, users among them, against reading until the commit). Either way the rows this import wrote are
  checked against the keys in one scan per table, locking the rows they refer to. The rows'
  stamps (write time, history fields) are the same on every row: those tables take them from
  column defaults set for the transaction instead of reading them from every line. The tables' watchers
  (`guanxi.core.table_watchers`: the warehouse's change capture) are paused while the rows go in and
  told the id ranges written.
- SQLite: bulk_create of the same rows in one transaction.

Every customer, address and contact point gets its "created" history row (django-simple-history),
written in bulk with the importing user and the reason "import #<job>" (on PostgreSQL copied by the
server from the rows just written, `INSERT … SELECT`), so the audit trail of an
imported customer reads like that of one created by hand; the import job itself records who
imported which file and the id range created.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, connection
from django.utils import timezone
from psycopg import errors as psycopg_errors
from psycopg import sql

from guanxi.core import table_watchers

from ..models import Address, ContactPoint, Customer, Tag
from .engine import Validation
from .rows import ADDRESS_FIELDS, CUSTOMER_FIELDS, POINT_FIELDS
from .spool import Spool

logger = logging.getLogger("guanxi.imports")

Progress = Callable[[int, int], None]


HISTORY_COLUMNS = ["history_date", "history_change_reason", "history_type", "history_user_id"]
STAMPED_TABLES = ("customer", "address", "point")  # rows (and history rows) with write times


def _history_model(model):
    return model.history.model


def _tables():
    tags_through = Customer.tags.through
    return {
        "customer": Customer._meta.db_table,
        "customer_history": _history_model(Customer)._meta.db_table,
        "address": Address._meta.db_table,
        "address_history": _history_model(Address)._meta.db_table,
        "point": ContactPoint._meta.db_table,
        "point_history": _history_model(ContactPoint)._meta.db_table,
        "tag_link": tags_through._meta.db_table,
        "tag_link_history": apps.get_model("customers", "HistoricalCustomer_tags")._meta.db_table,
    }


@dataclass
class Written:
    customers: int = 0
    first_id: int | None = None
    last_id: int | None = None
    seconds: float = 0.0
    rebuilt_tables: list = field(default_factory=list)
    kept_indexes: list = field(default_factory=list)  # merged into, not rebuilt: tidied after the commit
    phases: dict = field(default_factory=dict)
    index_seconds: dict = field(default_factory=dict)  # the rebuilt indexes' build times (PostgreSQL)


def commit(*, spool: Spool, validation: Validation, actor_id: int, reason: str,
           progress: Progress | None = None) -> Written:
    """Write the spooled rows. Must run inside a transaction (the caller's atomic block): on any
    failure nothing stays."""
    if not connection.in_atomic_block:
        raise RuntimeError("commit() must run inside transaction.atomic()")
    started = time.perf_counter()
    tag_ids = _ensure_tags(validation.tag_names, actor_id=actor_id, reason=reason)
    writer = _PostgresWriter if connection.vendor == "postgresql" else _SqliteWriter
    # The PostgreSQL writer uses the driver's cursor for COPY: its errors become Django's.
    with connection.wrap_database_errors:
        written = writer(validation=validation, actor_id=actor_id, reason=reason, tag_ids=tag_ids).run(
            spool, progress=progress)
    written.seconds = time.perf_counter() - started
    return written


def tidy_indexes(names: list[str]) -> dict[str, float]:
    """Rebuild the indexes an import merged into (`Written.kept_indexes`) without blocking anyone
    (REINDEX … CONCURRENTLY), and return each one's seconds: merging a million customers' words
    leaves the GIN index about four times its rebuilt size (163 against 42 MB at 2,000,000
    customers), which the page cache then holds instead of table rows. Runs outside a transaction.
    Names that are not GIN indexes of the import's tables are ignored; the invalid copy a killed
    rebuild leaves behind is dropped first, so it can run again."""
    if connection.vendor != "postgresql" or not names:
        return {}
    if connection.in_atomic_block:
        raise RuntimeError("tidy_indexes() cannot run inside a transaction")
    seconds = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                       "AND tablename = ANY(%s) AND indexname = ANY(%s)", (list(_tables().values()), list(names)))
        indexes = sorted(name for name, definition in cursor.fetchall() if _takes_appends(definition))
        cursor.execute("SET maintenance_work_mem = %s", (getattr(settings, "IMPORT_INDEX_MEMORY", "256MB"),))
        try:
            for name in indexes:
                leftovers = name.replace("_", r"\_") + r"\_ccnew%"
                cursor.execute("SELECT c.relname FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid "
                               "WHERE NOT i.indisvalid AND c.relname LIKE %s", (leftovers,))
                for (leftover,) in cursor.fetchall():
                    cursor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{leftover}"')
                started = time.perf_counter()
                cursor.execute(f'REINDEX INDEX CONCURRENTLY "{name}"')
                seconds[name] = time.perf_counter() - started
        finally:
            cursor.execute("RESET maintenance_work_mem")
    return seconds


def validate_foreign_keys() -> dict[str, float]:
    """Mark valid the foreign keys a big import put back NOT VALID (after checking its own rows against
    them), and return each one's seconds. VALIDATE CONSTRAINT reads the whole table but blocks no
    reading or writing (PostgreSQL takes SHARE UPDATE EXCLUSIVE on the table, ROW SHARE on the one it
    refers to). Any such key of the import's tables is validated, so a run that never came (a lost
    task) is made up by the next."""
    if connection.vendor != "postgresql":
        return {}
    seconds = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE contype = 'f' "
                       "AND NOT convalidated AND conrelid::regclass::text = ANY(%s) ORDER BY 1, 2",
                       (list(_tables().values()),))
        for table, name in cursor.fetchall():
            started = time.perf_counter()
            cursor.execute(f'ALTER TABLE "{table}" VALIDATE CONSTRAINT "{name}"')
            seconds[name] = time.perf_counter() - started
    return seconds


def _ensure_tags(names: set[str], *, actor_id: int, reason: str) -> dict[str, int]:
    """Ids of the tags by name, creating (and auditing) the missing ones."""
    if not names:
        return {}
    existing = {}
    names_list = sorted(names)
    for start in range(0, len(names_list), 2000):
        existing.update(Tag.objects.filter(name__in=names_list[start:start + 2000]).values_list("name", "id"))
    missing = [Tag(name=n) for n in names_list if n not in existing]
    if missing:
        created = Tag.objects.bulk_create(missing, batch_size=500)
        if any(t.pk is None for t in created):
            created = list(Tag.objects.filter(name__in=[t.name for t in missing]))
        Tag.history.bulk_history_create(created, default_user=_user(actor_id), default_change_reason=reason)
        existing.update((t.name, t.pk) for t in created)
    return existing


def _user(user_id: int):
    from guanxi.accounts.models import User

    return User.objects.get(pk=user_id)


def _split(chunk: tuple[list, list, list, list], size: int) -> Iterator[tuple[list, list, list, list]]:
    """A spooled chunk cut into pieces of at most `size` customers; children follow their customer
    (they are in customer order) and are renumbered from the piece's first customer."""
    import bisect

    customers, addresses, points, tags = chunk
    if len(customers) <= size:
        yield chunk
        return
    keys = [[i for i, _ in children] for children in (addresses, points, tags)]
    for start in range(0, len(customers), size):
        end = start + size
        pieces = []
        for children, index in zip((addresses, points, tags), keys, strict=True):
            a, b = bisect.bisect_left(index, start), bisect.bisect_left(index, end)
            pieces.append([(i - start, value) for i, value in children[a:b]])
        yield (customers[start:end], *pieces)


class _Writer:
    def __init__(self, *, validation: Validation, actor_id: int, reason: str, tag_ids: dict[str, int]):
        self.validation = validation
        self.actor_id = actor_id
        self.reason = reason
        self.tag_ids = tag_ids
        self.now = timezone.now()

    def run(self, spool: Spool, *, progress) -> Written:
        v = self.validation
        self.counts = {"customer": v.customers, "customer_history": v.customers, "address": v.addresses,
                       "point": v.points, "tag_link": v.tag_rows}
        ids = self.ids = self.reserve(self.counts)
        written = self._start(dict(self.counts))
        t0 = time.perf_counter()
        done = 0
        for payload, customers in self.built(self.numbered(spool, ids)):
            self.send(payload)
            done += customers
            if progress:
                progress(done, v.customers)
        if done != v.customers:
            raise RuntimeError(f"the spool holds {done} customers, validation counted {v.customers}")
        self.phases["write"] = time.perf_counter() - t0
        return self._end(written)

    def _start(self, expected: dict[str, int]) -> Written:
        """Prepare the tables for about `expected` rows (by table name of `counts`)."""
        self.expected = expected
        written = Written()
        self.phases = written.phases
        t0 = time.perf_counter()
        self.prepare()
        written.rebuilt_tables = [table for table, _, _ in getattr(self, "dropped", [])]
        written.kept_indexes = list(getattr(self, "kept_indexes", []))
        self.phases["prepare"] = time.perf_counter() - t0
        return written

    def _end(self, written: Written) -> Written:
        self.finish()
        written.index_seconds = dict(getattr(self, "index_seconds", {}))
        written.customers = done = self.counts["customer"]
        written.first_id = self.ids["customer"] if done else None
        written.last_id = written.first_id + done - 1 if done else None
        return written

    WRITE_ROWS = 8_000  # customers written per COPY round (bounds the memory of one round)

    @classmethod
    def numbered(cls, spool: Spool, ids: dict[str, int]) -> Iterator[tuple[dict, tuple]]:
        """The spooled rows in rounds of at most WRITE_ROWS customers, each with the first id of
        each table its rows take."""
        offsets = dict(ids)
        for chunk in (piece for spooled in spool for piece in _split(spooled, cls.WRITE_ROWS)):
            customers, addresses, points, tags = chunk
            yield dict(offsets), chunk
            offsets["customer"] += len(customers)
            offsets["customer_history"] += len(customers)
            offsets["address"] += len(addresses)
            offsets["point"] += len(points)
            offsets["tag_link"] += len(tags)

    def built(self, numbered) -> Iterator[tuple[object, int]]:
        for offsets, chunk in numbered:
            yield self.build(offsets, *chunk), len(chunk[0])

    def reserve(self, counts: dict[str, int]) -> dict[str, int]:
        raise NotImplementedError

    def prepare(self) -> None:
        pass

    def finish(self) -> None:
        pass

    def build(self, offsets, customers, addresses, points, tags):
        """What to write for one chunk (no database access: it may run in another thread)."""
        raise NotImplementedError

    def send(self, payload) -> None:
        raise NotImplementedError


class ChunkStream:
    """Validated chunks written as they come, in the caller's transaction: the sink of a validation
    that writes while it reads (`engine.validate(..., sink=)`, `services.imports.import_job_import`).
    The workers validate the next blocks while this process writes the last one. Ids are reserved
    chunk by chunk, one block after another under the tables' lock (PostgreSQL; SQLite's write lock);
    the bulk path is chosen on the first chunk's sizes times the rows the file is expected to hold.
    Only `services.imports` uses it."""

    def __init__(self, *, actor_id: int, reason: str, expected_rows: int):
        if not connection.in_atomic_block:
            raise RuntimeError("ChunkStream must write inside transaction.atomic()")
        writer = _PostgresWriter if connection.vendor == "postgresql" else _SqliteWriter
        self.writer = writer(validation=None, actor_id=actor_id, reason=reason, tag_ids={})
        self.actor_id, self.reason, self.expected_rows = actor_id, reason, expected_rows
        self.writer.ids = {name: 0 for name in ("customer", "customer_history", "address", "point", "tag_link")}
        self.writer.counts = dict.fromkeys(self.writer.ids, 0)
        self.written: Written | None = None
        self.started = 0.0

    @property
    def first_customer_id(self) -> int | None:
        """The id of the first customer written (the ones from it on are this import's), else None."""
        return self.writer.ids["customer"] or None

    def write(self, chunk: tuple[list, list, list, list]) -> None:
        writer = self.writer
        with connection.wrap_database_errors:
            missing = {name for _, name in chunk[3]} - writer.tag_ids.keys()
            if missing:
                writer.tag_ids.update(_ensure_tags(missing, actor_id=self.actor_id, reason=self.reason))
            if self.written is None:
                self._start(chunk)
            for piece in _split(chunk, writer.WRITE_ROWS):
                counts = {"customer": len(piece[0]), "customer_history": len(piece[0]), "address": len(piece[1]),
                          "point": len(piece[2]), "tag_link": len(piece[3])}
                offsets = writer.reserve(counts)
                for name, first in offsets.items():
                    if counts[name] and not writer.ids[name]:
                        writer.ids[name] = first
                    writer.counts[name] += counts[name]
                writer.send(writer.build(offsets, *piece))

    def _start(self, chunk) -> None:
        """The bulk path and the watchers' pause, on the sizes the file is expected to have."""
        customers, addresses, points, tags = chunk
        scale = max(self.expected_rows, len(customers)) / max(len(customers), 1)
        expected = {"customer": len(customers), "customer_history": len(customers), "address": len(addresses),
                    "point": len(points), "tag_link": len(tags)}
        # Every table is prepared (its watchers paused) even if this chunk has none of its rows.
        expected = {name: max(int(n * scale), 1) for name, n in expected.items()}
        self.started = time.perf_counter()
        self.writer.reserve(dict.fromkeys(expected, 0))  # takes the tables' lock
        self.written = self.writer._start(expected)

    def finish(self) -> Written:
        """After the last chunk: the deferred work of the bulk path (keys, indexes, statistics)."""
        writer = self.writer
        if self.written is None:
            raise RuntimeError("no chunk was written")
        writer.phases["write"] = time.perf_counter() - self.started  # the first chunk to the last, validation too
        with connection.wrap_database_errors:
            written = writer._end(self.written)
        written.seconds = time.perf_counter() - self.started
        return written


GIN_PENDING_LIST_KB = 1024 * 1024  # room for a million customers' name words (PostgreSQL's cap is 2 GB)


def _takes_appends(definition: str) -> bool:
    """A GIN index with its pending list on: it takes many rows' entries at once for about the cost
    of merging them in, where rebuilding it from scratch over the whole table costs far more (the
    names' word index: ~11 s at 2,000,000 customers). What merging leaves is a looser index, which
    `tidy_indexes` rebuilds after the commit."""
    text = definition.lower()
    return " using gin " in text and "fastupdate" not in text


class _Copy(NamedTuple):
    """Rows for one table as COPY text."""

    table: str
    columns: list[str]
    data: bytes

    @classmethod
    def of(cls, table: str, columns: list[str], lines: list[str]) -> _Copy:
        return cls(table, columns, ("\n".join(lines) + "\n").encode())


class _Statement(NamedTuple):
    """A statement that writes rows server-side, with its parameters."""

    statement: sql.Composed
    params: tuple


class _PostgresWriter(_Writer):
    """COPY into the tables (see the module docstring for the lock and the index rebuild)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.tables = _tables()
        self.cursor = connection.cursor()
        self.raw = self.cursor.cursor
        self.ts = self.now.isoformat()
        self.fields = {"customer": [f.column for f in CUSTOMER_FIELDS], "address": [f.column for f in ADDRESS_FIELDS],
                       "point": [f.column for f in POINT_FIELDS]}
        self.stamped_by_default: set[str] = set()  # tables (by name) whose stamps are column defaults
        self.columns = {name: self._columns(name) for name in self.tables}
        self.dropped: list[tuple[str, list, list]] = []
        self.checked: list[tuple[str, list]] = []  # tables whose rows this import checks against their keys
        self.skips_triggers = False  # bulk writes run as a replica: no key checks row by row, no keys dropped
        self.kept_indexes: list[str] = []  # indexes of bulk-written tables kept through the write
        self.index_seconds: dict[str, float] = {}
        self.watchers: dict[str, list] = {}  # paused table watchers by table name
        self.sequences: dict[str, str] = {}  # the id sequences by table name, once the tables are locked

    def reserve(self, counts: dict[str, int]) -> dict[str, int]:
        """The first id of a block of `counts[name]` ids of each table (0 for none). Under the lock no one
        else takes ids, so blocks reserved one after another follow each other."""
        tables = self.tables
        if not self.sequences:
            self.raw.execute("LOCK TABLE " + ", ".join(tables.values()) + " IN SHARE ROW EXCLUSIVE MODE")
            for name in counts:
                column = "history_id" if name.endswith("_history") else "id"
                self.raw.execute("SELECT pg_get_serial_sequence(%s, %s)", (tables[name], column))
                self.sequences[name] = self.raw.fetchone()[0]
        ids = {}
        for name, n in counts.items():
            sequence = self.sequences[name]
            if n <= 0:
                ids[name] = 0
                continue
            self.raw.execute("SELECT nextval(%s)", (sequence,))
            first = self.raw.fetchone()[0]
            if n > 1:
                self.raw.execute("SELECT setval(%s, %s)", (sequence, first + n - 1))
            ids[name] = first
        return ids

    def prepare(self) -> None:
        e = self.expected
        rows = {"customer": e["customer"], "customer_history": e["customer"], "address": e["address"],
                "address_history": e["address"], "point": e["point"], "point_history": e["point"],
                "tag_link": e["tag_link"], "tag_link_history": e["tag_link"]}
        minimum = int(getattr(settings, "IMPORT_BULK_MIN_ROWS", 100_000))
        bulk = []
        for name, table in self.tables.items():
            if rows[name] < minimum:
                continue
            self.raw.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", (table,))
            existing = max(self.raw.fetchone()[0], 0)
            if rows[name] * 2 >= existing:
                bulk.append(table)
        # Altering a table (dropping its indexes, pausing its watchers' triggers) needs its (and the
        # referenced tables') deferred checks done first.
        self.raw.execute("SET CONSTRAINTS ALL IMMEDIATE")
        self.raw.execute("SET CONSTRAINTS ALL DEFERRED")
        self.skips_triggers = bool(bulk) and self._may_skip_triggers()
        for table in bulk:
            self._drop_indexes(table)
        if self.skips_triggers:
            self.checked = [(table, self._foreign_keys(table)) for name, table in self.tables.items() if rows[name]]
        self._stamp_by_default([name for name, table in self.tables.items() if table in bulk])
        if self.kept_indexes:
            # The kept GIN indexes take the new rows' entries into their pending list, merged once at
            # the end (`finish`) instead of entry by entry.
            self.raw.execute("SELECT set_config('gin_pending_list_limit', %s, true)",
                             (str(GIN_PENDING_LIST_KB),))
        # The lock taken by `reserve` is the one pausing a trigger needs: no one else writes meanwhile.
        for name, count in self.expected.items():
            if count > 0:
                self.watchers[name] = table_watchers.pause(self.raw, self.tables[name])

    def _may_skip_triggers(self) -> bool:
        """Whether this connection may write as a replica (`session_replication_role`: a superuser, or a
        role granted SET on it, PostgreSQL 15+). Writing so, PostgreSQL checks no foreign key row by
        row and the import checks its rows at the end, set-based, as when it drops the keys; but
        dropping a key also locks the table it refers to (users, teams, brands) against reading
        until the commit, and as a replica nothing is dropped."""
        if not getattr(settings, "IMPORT_SKIP_TRIGGERS", True):
            return False
        self.raw.execute("SAVEPOINT import_replica")
        try:
            self.raw.execute("SET LOCAL session_replication_role = replica")
        except psycopg_errors.InsufficientPrivilege:
            self.raw.execute("ROLLBACK TO SAVEPOINT import_replica")
            return False
        self.raw.execute("SET LOCAL session_replication_role = origin")
        self.raw.execute("RELEASE SAVEPOINT import_replica")
        return True

    def _stamp_defaults(self, name: str) -> dict[str, object]:
        """The columns of table `name` that hold the same value on every row an import writes."""
        if name.removesuffix("_history") not in STAMPED_TABLES:
            return {}
        stamps = {"created_at": self.now, "updated_at": self.now}
        if name.endswith("_history"):
            stamps |= {"history_date": self.now, "history_change_reason": self.reason, "history_type": "+",
                       "history_user_id": self.actor_id}
        return stamps

    def _stamp_by_default(self, names: list[str]) -> None:
        """Bulk-written tables take their stamps (write time, history fields) from column defaults
        set for this transaction, instead of reading them from every COPY line: parsing the same
        timestamps again costs the server about two seconds per million history rows. Those tables
        are locked for reading already (their indexes are dropped); a column with a default of its
        own keeps it and its stamps are written. `finish` drops the defaults again."""
        for name in names:
            stamps = self._stamp_defaults(name)
            if not stamps:
                continue
            table = self.tables[name]
            self.raw.execute("SELECT count(*) FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid "
                             "AND a.attnum = d.adnum WHERE d.adrelid = %s::regclass AND a.attname = ANY(%s)",
                             (table, list(stamps)))
            if self.raw.fetchone()[0]:
                continue
            self.raw.execute(sql.SQL("ALTER TABLE {} ").format(sql.Identifier(table)) + sql.SQL(", ").join(
                sql.SQL("ALTER COLUMN {} SET DEFAULT {}").format(sql.Identifier(column), sql.Literal(value))
                for column, value in stamps.items()))
            self.stamped_by_default.add(name)
        self.columns = {name: self._columns(name) for name in self.tables}

    def _drop_stamp_defaults(self) -> None:
        for name in self.stamped_by_default:
            self.raw.execute(sql.SQL("ALTER TABLE {} ").format(sql.Identifier(self.tables[name])) + sql.SQL(", ").join(
                sql.SQL("ALTER COLUMN {} DROP DEFAULT").format(sql.Identifier(column))
                for column in self._stamp_defaults(name)))

    def _columns(self, name: str) -> list[str]:
        """The columns a COPY line of table `name` holds, in order."""
        base, history = name.removesuffix("_history"), name.endswith("_history")
        if base == "tag_link":
            return ["id", "customer_id", "history_id", "tag_id"] if history else ["id", "customer_id", "tag_id"]
        stamped = name not in self.stamped_by_default
        stamps = ["created_at", "updated_at"] if stamped else []
        if base == "customer":
            columns = ["id", "code", *stamps, *self.fields[base], *(["history_id"] if history else [])]
        else:
            columns = ["id", *stamps, "customer_id", *self.fields[base]]
        return columns + HISTORY_COLUMNS if history and stamped else columns

    def _stamps(self, name: str) -> str:
        """The text of the write times in a COPY line of table `name`, after its id; empty when they
        are the table's defaults."""
        return "" if name in self.stamped_by_default else f"\t{self.ts}\t{self.ts}"

    def _drop_indexes(self, table: str) -> None:
        """Drop the foreign keys, the unique constraints no foreign key refers to and the indexes no
        constraint needs (kept: primary keys); `finish` puts them back, checking every row at once."""
        self.raw.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
            "AND i.schemaname = current_schema() AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.schemaname) || '.' || "
            "quote_ident(i.indexname))::regclass)", (table,))
        indexes = []
        for name, definition in self.raw.fetchall():
            if _takes_appends(definition):
                self.kept_indexes.append(name)
            else:
                indexes.append((name, definition))
        # Foreign keys too (unless writing as a replica): checking a million rows one by one costs
        # more than one join at the end.
        foreign_keys = [] if self.skips_triggers else self._foreign_keys(table)
        for name, *_ in foreign_keys:
            self.raw.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        if foreign_keys:
            self.checked.append((table, foreign_keys))
        for name, _ in indexes:
            self.raw.execute(f'DROP INDEX "{name}"')
        # A unique index costs more kept than rebuilt (a customer's number: ~2.5 s a million rows kept,
        # ~1 s rebuilt); rebuilding it checks every row, the new ones among them.
        self.raw.execute(
            "SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c WHERE c.conrelid = %s::regclass "
            "AND c.contype = 'u' AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' "
            "AND f.conindid = c.conindid)", (table,))
        for name, definition in self.raw.fetchall():
            self.raw.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            indexes.append((name, f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}'))
        self.dropped.append((table, indexes, foreign_keys))

    def _foreign_keys(self, table: str) -> list[tuple]:
        """(name, definition, referenced table, columns, referenced columns) of each foreign key of `table`."""
        self.raw.execute(
            "SELECT c.conname, pg_get_constraintdef(c.oid), c.confrelid::regclass::text, "
            "ARRAY(SELECT a.attname FROM unnest(c.conkey) k JOIN pg_attribute a "
            "ON a.attrelid = c.conrelid AND a.attnum = k ORDER BY array_position(c.conkey, k)), "
            "ARRAY(SELECT a.attname FROM unnest(c.confkey) k JOIN pg_attribute a "
            "ON a.attrelid = c.confrelid AND a.attnum = k ORDER BY array_position(c.confkey, k)) "
            "FROM pg_constraint c WHERE c.conrelid = %s::regclass AND c.contype = 'f'", (table,))
        return self.raw.fetchall()

    def finish(self) -> None:
        if any(self.watchers.values()):
            # Resuming a trigger alters the table too: the rows' deferred checks run first.
            self.raw.execute("SET CONSTRAINTS ALL IMMEDIATE")
            self.raw.execute("SET CONSTRAINTS ALL DEFERRED")
        for name, watchers in self.watchers.items():
            first = self.ids[name]
            table_watchers.appended(self.raw, self.tables[name], first, first + self.counts[name] - 1, watchers)
        if not self.dropped:
            return
        self.raw.execute("SET LOCAL maintenance_work_mem = %s",
                         (getattr(settings, "IMPORT_INDEX_MEMORY", "256MB"),))
        self.raw.execute("SET LOCAL max_parallel_maintenance_workers = 2")
        t0 = time.perf_counter()
        for name in self.kept_indexes:
            self.raw.execute("SELECT gin_clean_pending_list(%s::regclass)", (name,))
        self.phases["pending_lists"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        for table, _, foreign_keys in self.dropped:
            for name, definition, *_ in foreign_keys:
                self.raw.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition} NOT VALID')
        for table, foreign_keys in self.checked:
            self._check_written_rows(table, foreign_keys)
        # CREATE INDEX (and ALTER TABLE) refuses a table with pending deferred foreign-key checks: run them now.
        self.raw.execute("SET CONSTRAINTS ALL IMMEDIATE")
        self.raw.execute("SET CONSTRAINTS ALL DEFERRED")
        self._drop_stamp_defaults()
        self.phases["foreign_keys"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        for _table, indexes, _ in self.dropped:
            for name, definition in indexes:
                started = time.perf_counter()
                self.raw.execute(definition)
                self.index_seconds[name] = time.perf_counter() - started
        self.phases["indexes"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        # Fresh statistics for the tables that searches and lists plan against (history and tag
        # tables are left to autovacuum).
        searched = {self.tables[name] for name in ("customer", "address", "point")}
        for table, _, _ in self.dropped:
            if table in searched:
                self.raw.execute(f'ANALYZE "{table}"')
        self.phases["analyze"] = time.perf_counter() - t0

    def _written_rows(self, table: str) -> tuple[str, int, int]:
        """The column and the id range that pick this import's rows of `table`: history rows keep the
        id of the row they record, fresh from its sequence, so no older history row has it."""
        name = self._name_of(table)
        if name == "customer_history":
            return "history_id", self.ids[name], self.ids[name] + self.counts[name] - 1
        written = name.removesuffix("_history")
        return "id", self.ids[written], self.ids[written] + self.counts[written] - 1

    def _name_of(self, table: str) -> str | None:
        """The name (in `_tables`) of a table this import writes, else None."""
        return next((n for n, t in self.tables.items() if t == table), None)

    def _written_ids(self, table: str) -> tuple[int, int] | None:
        """The ids (`id`, not a history row's `history_id`) this import gave the rows it wrote into
        `table`: one block each (see `reserve`), or None."""
        name = self._name_of(table)
        if name is None or name.endswith("_history") or not self.counts.get(name):
            return None
        return self.ids[name], self.ids[name] + self.counts[name] - 1

    def _check_written_rows(self, table: str, foreign_keys: list) -> None:
        """Every row this import wrote into `table` against its foreign keys (MATCH SIMPLE, as
        PostgreSQL checks them: a NULL refers to nothing), with one scan of those rows; the rows
        referred to are locked as PostgreSQL's own check locks them (FOR KEY SHARE: no one deletes
        them before the commit). Raises IntegrityError naming the first key broken.

        Only the distinct keys are looked up: an import's rows name a few owners, teams and brands
        many times over. Two kinds of key are known without reading them from every row: a key into
        the block of rows this import wrote itself (an address's customer) exists, so it counts as
        none (NULL) there; and a key the table took from a stamp default (a history row's user) has
        that one value on every row. A table whose keys are all stamps is not read at all."""
        if not foreign_keys:
            return
        name = self._name_of(table)
        stamps = self._stamp_defaults(name) if name in self.stamped_by_default else {}
        keys, params = [], []
        for _, _, parent, columns, parent_columns in foreign_keys:
            if len(columns) != 1:
                raise NotImplementedError(f"{table}: a foreign key of {len(columns)} columns")
            column = columns[0]
            written = self._written_ids(parent) if parent_columns == ["id"] else None
            if column in stamps:
                keys.append("%s")
                params.append(stamps[column])
            elif written:
                keys.append(f'CASE WHEN "{column}" BETWEEN %s AND %s THEN NULL ELSE "{column}" END')
                params += written
            else:
                keys.append(f'"{column}"')
        if all(c in stamps for *_, columns, _ in foreign_keys for c in columns):
            self.raw.execute(f"SELECT {', '.join(keys)}", params)  # nosec B608  # names from the catalog (pg_constraint)
        else:
            column, first, last = self._written_rows(table)
            self.raw.execute(f'SELECT DISTINCT {", ".join(keys)} FROM "{table}" '  # nosec B608  # names from the catalog (pg_constraint)
                             f'WHERE "{column}" BETWEEN %s AND %s', (*params, first, last))
        combinations = self.raw.fetchall()
        for number, (constraint, _, parent, _, parent_columns) in enumerate(foreign_keys):
            values = list({row[number] for row in combinations} - {None})
            if not values:
                continue
            self.raw.execute(f'SELECT p."{parent_columns[0]}" FROM {parent} p '  # nosec B608  # names from the catalog (pg_constraint); values are bound parameters
                             f'WHERE p."{parent_columns[0]}" = ANY(%s) FOR KEY SHARE OF p', (values,))
            if len(self.raw.fetchall()) < len(values):
                raise IntegrityError(f'insert or update on table "{table}" violates foreign key constraint '
                                     f'"{constraint}"')

    def built(self, numbered) -> Iterator[tuple[object, int]]:
        """Chunks built one ahead in a thread: it reads the spool and formats the next COPY text
        while this thread waits for the server to take the current one (libpq releases the GIL)."""
        import queue
        import threading

        ready: queue.Queue = queue.Queue(maxsize=1)
        stop = threading.Event()
        done = object()

        def produce():
            try:
                for offsets, chunk in numbered:
                    item = (self.build(offsets, *chunk), len(chunk[0]))
                    while not stop.is_set():
                        try:
                            ready.put(item, timeout=0.2)
                            break
                        except queue.Full:
                            continue
                    if stop.is_set():
                        return
                ready.put(done)
            except BaseException as exc:  # noqa: BLE001 - handed to the consumer, raised there
                ready.put(exc)

        producer = threading.Thread(target=produce, name="import-copy-builder", daemon=True)
        producer.start()
        try:
            while True:
                item = ready.get()
                if item is done:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
            producer.join()

    def build(self, offsets, customers, addresses, points, tags) -> list[_Copy | _Statement]:
        """COPY texts and, for the history tables, INSERT .. SELECT statements: the server copies the
        rows it has just taken instead of parsing the same text again, and this process neither
        formats nor sends it."""
        t, columns = self.tables, self.columns
        first = offsets["customer"]
        stamps = self._stamps("customer")
        rows = []
        for i, rest in enumerate(customers):
            cid = first + i
            rows.append(f"{cid}\tC{cid:09d}{stamps}\t{rest}")
        payload = [_Copy.of(t["customer"], columns["customer"], rows),
                   self._history_of("customer", first, len(customers), offsets["customer_history"])]
        for name, offset, children in (("address", offsets["address"], addresses), ("point", offsets["point"], points)):
            if not children:
                continue
            stamps = self._stamps(name)
            lines = [f"{offset + j}{stamps}\t{first + i}\t{rest}" for j, (i, rest) in enumerate(children)]
            payload += [_Copy.of(t[name], columns[name], lines), self._history_of(name, offset, len(children))]
        if tags:
            link, tag_ids, history_first = offsets["tag_link"], self.tag_ids, offsets["customer_history"]
            payload.append(_Copy.of(t["tag_link"], columns["tag_link"],
                                    [f"{link + j}\t{first + i}\t{tag_ids[name]}" for j, (i, name) in enumerate(tags)]))
            payload.append(_Copy.of(t["tag_link_history"], columns["tag_link_history"],
                                    [f"{link + j}\t{first + i}\t{history_first + i}\t{tag_ids[name]}"
                                     for j, (i, name) in enumerate(tags)]))
        return payload

    def _history_of(self, name: str, first: int, count: int, history_first: int | None = None) -> _Statement:
        """The statement writing the "created" history rows of the `count` rows of table `name` from
        id `first` on (their history ids from `history_first` on, for customers: tag history rows
        name them), with its parameters."""
        history = f"{name}_history"
        taken = set(self.columns[name])
        values, params = [], []
        for column in self.columns[history]:
            if column in taken:
                values.append(sql.Identifier(column))
            elif column == "history_id":
                values.append(sql.SQL("id + %s"))
                params.append(history_first - first)
            else:
                values.append(sql.Placeholder())
                params.append(self._stamp_defaults(history)[column])
        statement = sql.SQL("INSERT INTO {} ({}) SELECT {} FROM {} WHERE id BETWEEN %s AND %s").format(
            sql.Identifier(self.tables[history]), sql.SQL(", ").join(map(sql.Identifier, self.columns[history])),
            sql.SQL(", ").join(values), sql.Identifier(self.tables[name]))
        return _Statement(statement, (*params, first, first + count - 1))

    def send(self, payload) -> None:
        if self.skips_triggers:
            # Only around the import's own rows: what else the transaction writes (tags, the job) is
            # checked as always. A failure rolls the setting back with the rest.
            self.raw.execute("SET LOCAL session_replication_role = replica")
        for item in payload:
            if isinstance(item, _Statement):
                self.raw.execute(item.statement, item.params)
                continue
            with self.raw.copy(f'COPY "{item.table}" ({", ".join(item.columns)}) FROM STDIN') as copy:
                copy.write(item.data)
        if self.skips_triggers:
            self.raw.execute("SET LOCAL session_replication_role = origin")


class _SqliteWriter(_Writer):
    """bulk_create of model instances; ids follow the table's highest id ever used, read once the
    transaction holds SQLite's write lock (taken by the first write)."""

    BATCH = 500

    def reserve(self, counts: dict[str, int]) -> dict[str, int]:
        models = {"customer": Customer, "customer_history": _history_model(Customer), "address": Address,
                  "point": ContactPoint, "tag_link": Customer.tags.through}
        with connection.cursor() as cursor:
            # Any write takes the database's write lock, so no one else can take these ids.
            cursor.execute("UPDATE sqlite_sequence SET seq = seq WHERE 0")
            ids = {}
            for name, model in models.items():
                table, pk = model._meta.db_table, model._meta.pk.column
                cursor.execute(f'SELECT MAX("{pk}") FROM "{table}"')  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
                highest = cursor.fetchone()[0] or 0
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", (table,))
                row = cursor.fetchone()
                ids[name] = max(highest, row[0] if row else 0) + 1
        return ids

    def build(self, offsets, customers, addresses, points, tags) -> list[tuple[type, list, type | None, list]]:
        """(model, rows, history model, their history rows) to write, in order."""
        now, actor, reason = self.now, self.actor_id, self.reason
        first, history_first = offsets["customer"], offsets["customer_history"]
        names = [f.attname for f in CUSTOMER_FIELDS]
        objs, history = [], []
        history_model = _history_model(Customer)
        for i, values in enumerate(customers):
            cid = first + i
            data = dict(zip(names, values, strict=True))
            objs.append(Customer(id=cid, code=f"C{cid:09d}", created_at=now, updated_at=now, **data))
            history.append(history_model(id=cid, code=f"C{cid:09d}", created_at=now, updated_at=now,
                                         history_id=history_first + i, history_date=now, history_type="+",
                                         history_user_id=actor, history_change_reason=reason, **data))
        payload = [(Customer, objs, history_model, history)]
        for model, fields, offset, children in ((Address, ADDRESS_FIELDS, offsets["address"], addresses),
                                                (ContactPoint, POINT_FIELDS, offsets["point"], points)):
            if not children:
                continue
            attnames = [f.attname for f in fields]
            rows = [(offset + j, first + i, dict(zip(attnames, values, strict=True)))
                    for j, (i, values) in enumerate(children)]
            payload.append((model, [model(id=pk, customer_id=cid, created_at=now, updated_at=now, **data)
                                    for pk, cid, data in rows], _history_model(model), [
                _history_model(model)(id=pk, customer_id=cid, created_at=now, updated_at=now, history_date=now,
                                      history_type="+", history_user_id=actor, history_change_reason=reason,
                                      **data) for pk, cid, data in rows]))
        if tags:
            link = offsets["tag_link"]
            through = Customer.tags.through
            tag_history = apps.get_model("customers", "HistoricalCustomer_tags")
            payload.append((through, [through(id=link + j, customer_id=first + i, tag_id=self.tag_ids[name])
                                      for j, (i, name) in enumerate(tags)], tag_history,
                            [tag_history(id=link + j, customer_id=first + i, history_id=history_first + i,
                                         tag_id=self.tag_ids[name]) for j, (i, name) in enumerate(tags)]))
        return payload

    def send(self, payload) -> None:
        for model, objs, history_model, history in payload:
            model.objects.bulk_create(objs, batch_size=self.BATCH)
            if hasattr(model, "updated_at"):
                # bulk_create stamps auto_now fields itself: the history rows record the times it wrote.
                for record, obj in zip(history, objs, strict=True):
                    record.created_at, record.updated_at = obj.created_at, obj.updated_at
            history_model.objects.bulk_create(history, batch_size=self.BATCH)
