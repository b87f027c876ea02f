"""The bulk import engine: validate every row first (streamed, in parallel for big CSV files),
spool what the valid rows create to disk, then write it all in one transaction.

Validation is the dry run: it reads the file once, checks every row (`import_rows`), finds
duplicate rows inside the file and rows that match existing customers, writes the report, and
spools the rows ready to write. Committing streams the spool into the database:

- PostgreSQL: COPY into the customers, addresses, contact points and tag tables and their
  history tables, in ONE transaction; ids come from the tables' sequences, reserved as one
  block under a SHARE ROW EXCLUSIVE lock (concurrent reads go on, concurrent customer writes
  wait), so the import created exactly `first_id..last_id`. An import at least half the size of
  a table (and of IMPORT_BULK_MIN_ROWS rows or more) drops that table's secondary indexes
  first and rebuilds them before the commit — which locks the table for reading too, until the
  import commits.
- SQLite: bulk_create of the same rows in one transaction.

Every customer, address and contact point gets its "created" history row (django-simple-history),
written in bulk with the importing user and the reason "import #<job>", so the audit trail of an
imported customer reads like that of one created by hand; the import job itself records who
imported which file and the id range created.
"""

from __future__ import annotations

import csv
import io
import logging
import multiprocessing
import os
import pickle
import shutil
import time
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from guanxi.accounts.roles import is_in_scope
from guanxi.core.spreadsheet import spreadsheet_cell

from ..models import Address, ContactPoint, Customer, Tag
from .files import FileInfo, ImportFileError, csv_blocks, row_from_cells
from .rows import (
    ADDRESS_FIELDS,
    CUSTOMER_FIELDS,
    KEY_NAMES,
    POINT_FIELDS,
    Actor,
    Lookups,
    RowValidator,
    copy_field,
    field_label,
    message_text,
)

logger = logging.getLogger("guanxi.imports")

ERROR_CAP = 1000  # row errors kept on the job (the CSV report has them all)
DUPLICATE_CAP = 1000
MAX_NEW_TAGS = 10_000
PARALLEL_MIN_ROWS = 20_000
_KEYS = ("mobile", "id_number", "email")
# In-file duplicates of these keys are errors; of the others, warnings.
_BLOCKING_KEYS = ("mobile", "id_number")
LEVELS = (gettext_noop("error"), gettext_noop("warning"))  # the report's last column

Progress = Callable[[int, int], None]


# ---------------------------------------------------------------- chunks


@dataclass
class Chunk:
    """The validated output of consecutive rows. Children name their customer by its index in
    `customers`; errors and keys name their row by number (relative to the block in workers)."""

    customers: list = field(default_factory=list)
    addresses: list = field(default_factory=list)
    points: list = field(default_factory=list)
    tags: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    keys: dict = field(default_factory=lambda: {k: [] for k in _KEYS})
    rows: int = 0
    records: int = 0
    failure: str = ""
    spooled: tuple | None = None  # (customers, addresses, points, tag rows, tag names) once on disk

    def add(self, validator: RowValidator, number: int, row: dict) -> None:
        valid, errors = validator.validate(row)
        self.rows += 1
        keys = validator.last_keys
        for key, value in zip(_KEYS, keys, strict=True):
            if value:
                self.keys[key].append((number, value))
        if errors:
            self.errors.extend((number, f, code, params) for f, code, params in errors)
            return
        index = len(self.customers)
        self.customers.append(valid.customer)
        if valid.address is not None:
            self.addresses.append((index, valid.address))
        for point in valid.points:
            self.points.append((index, point))
        for tag in valid.tags:
            self.tags.append((index, tag))

    def totals(self) -> tuple[int, int, int, int, set]:
        if self.spooled is not None:
            return self.spooled
        return (len(self.customers), len(self.addresses), len(self.points), len(self.tags),
                {t for _, t in self.tags})

    def shift(self, offset: int) -> None:
        """Turn block-relative row numbers into file row numbers."""
        self.errors = [(offset + n, f, c, p) for n, f, c, p in self.errors]
        self.keys = {k: [(offset + n, v) for n, v in pairs] for k, pairs in self.keys.items()}


# Set in the parent before the worker processes fork; never pickled.
_WORKER: tuple | None = None


def _validate_block(job: tuple[int, bytes]) -> Chunk:
    """A numbered block of whole CSV records → its Chunk, with row numbers relative to the block
    (0-based). What the valid rows create goes straight to the spool's part for this block."""
    validator, encoding, delimiter, columns, spool = _WORKER
    part, block = job
    chunk = Chunk()
    try:
        text = block.decode(encoding)
    except UnicodeDecodeError as exc:
        chunk.failure = f"decode:{exc.start}"
        return chunk
    number = -1
    try:
        for number, values in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)):
            row = row_from_cells([v.strip() for v in values], columns)
            if row is not None:
                chunk.add(validator, number, row)
    except csv.Error as exc:
        chunk.failure = f"csv:{exc}"
    chunk.records = number + 1
    if spool is not None and chunk.customers and not chunk.errors:
        totals = chunk.totals()
        spool.write(chunk, part=part)
        chunk.customers, chunk.addresses, chunk.points, chunk.tags = [], [], [], []
        chunk.spooled = totals
    return chunk


# ---------------------------------------------------------------- spool


class Spool:
    """Validated chunks, one pickled part file each in a private folder, read back in order."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._next = 0

    def write(self, chunk: Chunk, *, part: int | None = None) -> None:
        if part is None:
            part, self._next = self._next, self._next + 1
        self.path.mkdir(parents=True, exist_ok=True)
        with (self.path / f"part-{part:07d}.pickle").open("wb") as out:
            pickle.dump((chunk.customers, chunk.addresses, chunk.points, chunk.tags), out,
                        protocol=pickle.HIGHEST_PROTOCOL)

    def close(self) -> None:
        pass

    def exists(self) -> bool:
        return self.path.is_dir() and any(self.path.glob("part-*.pickle"))

    def __iter__(self) -> Iterator[tuple[list, list, list, list]]:
        if not self.path.is_dir():
            return
        for part in sorted(self.path.glob("part-*.pickle")):
            with part.open("rb") as spooled:
                yield pickle.load(spooled)

    def delete(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        self._next = 0


# ---------------------------------------------------------------- duplicates


class DuplicateIndex:
    """Rows' keys as 64-bit hashes (12 bytes a key a row, not the values): after the pass, rows
    whose key equals an earlier row's. A hash collision could pair two different values; with
    64-bit hashes the odds are about one in 10^7 for a million rows."""

    def __init__(self):
        self.hashes = {k: array("q") for k in _KEYS}
        self.rows = {k: array("l") for k in _KEYS}

    def add(self, key: str, pairs: list[tuple[int, str]]) -> None:
        if pairs:
            self.rows[key].extend(n for n, _ in pairs)
            self.hashes[key].extend(hash(v) for _, v in pairs)

    def duplicates(self) -> Iterator[tuple[int, str, int]]:
        """(row, key, first row with the same key), by key then row."""
        import numpy as np

        for key in _KEYS:
            if len(self.hashes[key]) < 2:
                continue
            hashes = np.frombuffer(self.hashes[key], dtype=np.int64)
            rows = np.frombuffer(self.rows[key], dtype=np.int64 if self.rows[key].itemsize == 8 else np.int32)
            order = np.argsort(hashes, kind="stable")
            ordered = hashes[order]
            same = np.empty(len(ordered), dtype=bool)
            same[0] = False
            same[1:] = ordered[1:] == ordered[:-1]
            if not same.any():
                continue
            starts = np.where(~same, np.arange(len(ordered)), 0)
            np.maximum.accumulate(starts, out=starts)
            found = np.nonzero(same)[0]
            pairs = sorted(zip(rows[order[found]].tolist(), rows[order[starts[found]]].tolist(), strict=True))
            for row, first in pairs:
                yield row, key, first
            del hashes, rows


# ---------------------------------------------------------------- existing customers


class ExistingMatcher:
    """Rows whose mobile, ID number or e-mail a live customer already has (as the field itself or
    as one of its contact points). One query per key and table for a chunk of rows (PostgreSQL:
    the values as one array parameter; elsewhere in batches)."""

    BATCH = 5000

    def matches(self, keys: dict[str, list[tuple[int, str]]]) -> list[tuple[int, str, tuple]]:
        """(row, key, (customer id, number, owner id, team id)), at most one per row and key."""
        found = []
        for key in _KEYS:
            pairs = keys.get(key) or []
            if not pairs:
                continue
            owners = self._owners(key, list({v for _, v in pairs}))
            if owners:
                found.extend((n, key, owners[v]) for n, v in pairs if v in owners)
        return found

    def _owners(self, key: str, values: list[str]) -> dict[str, tuple]:
        owners: dict[str, tuple] = {}
        with_points = key != "id_number"
        if connection.vendor == "postgresql":
            customers, points = Customer._meta.db_table, ContactPoint._meta.db_table
            # One text parameter split by the server: adapting a list of 20,000 strings as an
            # array costs more than the query. Normalised keys hold no control characters.
            joined = "\x1f".join(v for v in values if "\x1f" not in v)
            array = "string_to_array(%s, chr(31))::varchar[]"
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT {key}, id, code, owner_id, team_id FROM {customers} WHERE {key} = ANY({array}) "
                               "AND deleted_at IS NULL", (joined,))
                rows = cursor.fetchall()
                if with_points:
                    cursor.execute(f"SELECT p.normalized, c.id, c.code, c.owner_id, c.team_id FROM {points} p "
                                   f"JOIN {customers} c "
                                   f"ON c.id = p.customer_id WHERE p.normalized = ANY({array}) "
                                   "AND c.deleted_at IS NULL", (joined,))
                    rows += cursor.fetchall()
            for value, *owner in rows:
                owners.setdefault(value, tuple(owner))
            return owners
        for start in range(0, len(values), self.BATCH):
            batch = values[start:start + self.BATCH]
            for value, *owner in (Customer.objects.alive().filter(**{f"{key}__in": batch})
                                  .values_list(key, "id", "code", "owner_id", "team_id")):
                owners.setdefault(value, tuple(owner))
            if with_points:
                for value, *owner in (ContactPoint.objects.filter(normalized__in=batch,
                                                                  customer__deleted_at__isnull=True)
                                      .values_list("normalized", "customer_id", "customer__code",
                                                   "customer__owner_id", "customer__team_id")):
                    owners.setdefault(value, tuple(owner))
        return owners


# ---------------------------------------------------------------- report


class Report:
    """Every row error and warning, streamed to a CSV file (UTF-8 with BOM, for Excel) in the
    active language; the first ERROR_CAP errors and DUPLICATE_CAP duplicate findings are kept
    for the job's page and the API."""

    def __init__(self, path: Path | None, *, translate: bool = True):
        self.path = Path(path) if path else None
        self.translate = translate
        self.errors: list[dict] = []
        self.duplicates: list[dict] = []
        self.error_rows: set[int] = set()
        self.error_total = 0
        self.existing_rows: set[int] = set()
        self.file_duplicate_rows: set[int] = set()
        self._out = None
        self._writer = None
        if self.path:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._out = self.path.open("w", encoding="utf-8-sig", newline="")
            self._writer = csv.writer(self._out)
            self._writer.writerow(self._header())

    def _header(self) -> list[str]:
        if not self.translate:
            return ["row", "field", "reason", "level"]
        return [gettext("Row"), gettext("Field"), gettext("Reason"), gettext("Level")]

    def _write(self, row: int, name: str, code: str, params: dict | None, level: str) -> None:
        if self._writer is None:
            return
        label = field_label(name) if self.translate else name
        shown_level = gettext(level) if self.translate else level
        self._writer.writerow([row, label, spreadsheet_cell(message_text(code, params, translate=self.translate)),
                               shown_level])

    def error(self, row: int, name: str, code: str, params: dict | None = None) -> None:
        self.error_total += 1
        self.error_rows.add(row)
        if len(self.errors) < ERROR_CAP:
            self.errors.append({"row": row, "field": name, "code": code, "params": params or {},
                                "message": message_text(code, params)})
        self._write(row, name, code, params, "error")

    def duplicate(self, row: int, key: str, *, first_row: int | None = None, customer_id: int | None = None,
                  code: str = "", blocking: bool = False, visible: bool = True) -> None:
        """A row that repeats an earlier row's key (`first_row`) or an existing customer's."""
        if customer_id is not None:
            self.existing_rows.add(row)
            params = {"code": code, "field": KEY_NAMES[key]} if visible else {"field": KEY_NAMES[key]}
            message_code = "existing" if visible else "existing_hidden"
        else:
            self.file_duplicate_rows.add(row)
            params = {"row": first_row, "field": KEY_NAMES[key]}
            message_code = "duplicate"
        if blocking:
            self.error(row, key, message_code, params)
        else:
            self._write(row, key, message_code, params, "warning")
        if len(self.duplicates) < DUPLICATE_CAP:
            self.duplicates.append({"row": row, "field": key, "kind": "existing" if customer_id else "file",
                                    "first_row": first_row, "customer_id": customer_id, "code": code,
                                    "blocking": blocking, "reason": message_code, "params": params,
                                    "message": message_text(message_code, params)})

    def close(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None


# ---------------------------------------------------------------- validation


@dataclass
class Validation:
    """The outcome of the validation pass (the dry run)."""

    rows: int = 0
    customers: int = 0
    addresses: int = 0
    points: int = 0
    tag_rows: int = 0
    tag_names: set = field(default_factory=set)
    error_rows: int = 0
    error_total: int = 0
    existing_rows: int = 0
    file_duplicate_rows: int = 0
    errors: list = field(default_factory=list)
    duplicates: list = field(default_factory=list)
    seconds: float = 0.0
    workers: int = 0

    @property
    def is_valid(self) -> bool:
        return self.error_rows == 0 and self.rows > 0


def validate(*, rows: Iterable[tuple[int, dict]], actor: Actor, report: Report, spool: Spool | None,
             workers: int = 0, progress: Progress | None = None, total: int = 0,
             chunk_rows: int = 5000) -> Validation:
    """Check every row of `rows` ((row number, mapped row) pairs, e.g. a CustomerFileReader). A
    big CSV file read by a CustomerFileReader is parsed in blocks by `workers` forked processes
    (not from a daemon process such as a Celery worker's). Fills `report`; spools the valid rows
    to `spool` until the first error (a file with errors is never written). Raises
    ImportFileError when the file cannot be read on."""
    started = time.perf_counter()
    copy_text = connection.vendor == "postgresql"
    validator = RowValidator(actor=actor, lookups=Lookups.load(), copy_text=copy_text,
                             today=timezone.localdate())
    info = getattr(rows, "info", None)
    state = _State(report=report, spool=spool, progress=progress, total=total or getattr(rows, "total_hint", 0),
                   actor=actor)
    if info is not None and info.format == "csv" and workers > 0 \
            and info.total_hint >= PARALLEL_MIN_ROWS and not multiprocessing.current_process().daemon:
        state.workers = workers
        for chunk in _parallel_chunks(validator, info, rows.columns, workers, spool):
            state.take(chunk)
    else:
        chunk = Chunk()
        for number, row in rows:
            chunk.add(validator, number, row)
            if chunk.rows >= chunk_rows:
                state.take(chunk)
                chunk = Chunk()
        state.take(chunk)
    return state.finish(started)


@dataclass
class _State:
    report: Report
    spool: Spool | None
    progress: Progress | None
    total: int
    actor: Actor
    workers: int = 0
    result: Validation = field(default_factory=Validation)
    duplicates: DuplicateIndex = field(default_factory=DuplicateIndex)
    matcher: ExistingMatcher = field(default_factory=ExistingMatcher)

    def take(self, chunk: Chunk) -> None:
        result, report = self.result, self.report
        result.rows += chunk.rows
        for number, name, code, params in chunk.errors:
            report.error(number, name, code, params)
        for key in _KEYS:
            self.duplicates.add(key, chunk.keys[key])
        actor = self.actor
        for number, key, (customer_id, code, owner_id, team_id) in self.matcher.matches(chunk.keys):
            # The report names the customer only to an importer who may read it.
            visible = is_in_scope(actor.read, user=actor, owner_id=owner_id, team_id=team_id)
            report.duplicate(number, key, customer_id=customer_id, code=code, visible=visible)
        customers, addresses, points, tag_rows, tag_names = chunk.totals()
        result.customers += customers
        result.addresses += addresses
        result.points += points
        result.tag_rows += tag_rows
        result.tag_names.update(tag_names)
        if len(result.tag_names) > MAX_NEW_TAGS:
            raise ImportFileError(gettext_noop("The file has more than %(limit)s different tags."),
                                  code="too_many_tags", limit=MAX_NEW_TAGS)
        if self.spool is not None and chunk.customers and not report.error_rows:
            self.spool.write(chunk)
        if self.progress:
            self.progress(result.rows, max(self.total, result.rows))

    def finish(self, started: float) -> Validation:
        result, report = self.result, self.report
        for row, key, first in self.duplicates.duplicates():
            report.duplicate(row, key, first_row=first, blocking=key in _BLOCKING_KEYS)
        report.close()
        if self.spool is not None:
            self.spool.close()
        result.error_rows = len(report.error_rows)
        result.error_total = report.error_total
        result.errors = sorted(report.errors, key=lambda e: e["row"])
        result.duplicates = sorted(report.duplicates, key=lambda d: d["row"])
        result.existing_rows = len(report.existing_rows)
        result.file_duplicate_rows = len(report.file_duplicate_rows)
        result.seconds = time.perf_counter() - started
        result.workers = self.workers
        return result


def _parallel_chunks(validator: RowValidator, info: FileInfo, columns: list, workers: int,
                     spool: Spool | None) -> Iterator[Chunk]:
    """Chunks of a CSV file in order, parsed and validated by forked worker processes a few
    blocks ahead of the caller (which turns block-relative row numbers into file rows); the
    workers spool what they validated themselves."""
    global _WORKER
    encoding = "utf-8" if info.encoding.startswith("utf") else info.encoding
    _WORKER = (validator, encoding, info.delimiter, columns, spool)
    offset = 2  # the first data record is row 2 of the file
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            pending: deque = deque()
            blocks = enumerate(csv_blocks(info))
            for numbered in blocks:
                pending.append(pool.apply_async(_validate_block, (numbered,)))
                if len(pending) > workers + 1:
                    break
            while pending:
                chunk = pending.popleft().get()
                numbered = next(blocks, None)
                if numbered is not None:
                    pending.append(pool.apply_async(_validate_block, (numbered,)))
                if chunk.failure:
                    raise _block_failure(chunk.failure, info)
                chunk.shift(offset)
                offset += chunk.records
                yield chunk
    finally:
        _WORKER = None


def _block_failure(failure: str, info: FileInfo) -> ImportFileError:
    kind, _, detail = failure.partition(":")
    if kind == "decode":
        name = "UTF-8" if info.encoding.startswith("utf") else "GBK"
        return ImportFileError(gettext_noop("The file is not valid %(name)s text; save it as UTF-8 or GBK."),
                               code="encoding", name=name)
    return ImportFileError(gettext_noop("Not a readable CSV file: %(reason)s"), code="format", reason=detail)


# ---------------------------------------------------------------- writing


HISTORY_COLUMNS = ["history_date", "history_change_reason", "history_type", "history_user_id"]


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
    phases: dict = field(default_factory=dict)


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
        ids = self.reserve({"customer": v.customers, "customer_history": v.customers, "address": v.addresses,
                            "point": v.points, "tag_link": v.tag_rows})
        written = Written(first_id=ids["customer"] if v.customers else None)
        self.first_customer_id = ids["customer"]
        self.phases = written.phases
        t0 = time.perf_counter()
        self.prepare()
        written.rebuilt_tables = [table for table, _, _ in getattr(self, "dropped", [])]
        self.phases["prepare"] = time.perf_counter() - t0
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
        self.finish()
        written.customers = done
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


class _PostgresWriter(_Writer):
    """COPY into the tables (see the module docstring for the lock and the index rebuild)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.tables = _tables()
        self.cursor = connection.cursor()
        self.raw = self.cursor.cursor
        self.ts = self.now.isoformat()
        self.head_columns = ["id", "code", "created_at", "updated_at"]
        self.customer_columns = self.head_columns + [f.column for f in CUSTOMER_FIELDS]
        self.customer_history_columns = [*self.customer_columns, "history_id", *HISTORY_COLUMNS]
        child = ["id", "created_at", "updated_at", "customer_id"]
        self.address_columns = child + [f.column for f in ADDRESS_FIELDS]
        self.point_columns = child + [f.column for f in POINT_FIELDS]
        self.history_tail = f"\t{self.ts}\t{copy_field(self.reason)}\t+\t{self.actor_id}"
        self.dropped: list[tuple[str, list, list]] = []
        self.index_seconds: dict[str, float] = {}

    def reserve(self, counts: dict[str, int]) -> dict[str, int]:
        tables = self.tables
        self.raw.execute("LOCK TABLE " + ", ".join(tables.values()) + " IN SHARE ROW EXCLUSIVE MODE")
        ids = {}
        for name, n in counts.items():
            column = "history_id" if name.endswith("_history") else "id"
            self.raw.execute("SELECT pg_get_serial_sequence(%s, %s)", (tables[name], column))
            sequence = self.raw.fetchone()[0]
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
        v = self.validation
        rows = {"customer": v.customers, "customer_history": v.customers, "address": v.addresses,
                "address_history": v.addresses, "point": v.points, "point_history": v.points,
                "tag_link": v.tag_rows, "tag_link_history": v.tag_rows}
        minimum = int(getattr(settings, "IMPORT_BULK_MIN_ROWS", 100_000))
        bulk = []
        for name, table in self.tables.items():
            if rows[name] < minimum:
                continue
            self.raw.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", (table,))
            existing = max(self.raw.fetchone()[0], 0)
            if rows[name] * 2 >= existing:
                bulk.append(table)
        if bulk:
            # Altering a table needs its (and the referenced tables') deferred checks done first.
            self.raw.execute("SET CONSTRAINTS ALL IMMEDIATE")
            self.raw.execute("SET CONSTRAINTS ALL DEFERRED")
        for table in bulk:
            self._drop_indexes(table)

    def _drop_indexes(self, table: str) -> None:
        """Drop the foreign keys and the indexes no constraint needs (kept: primary keys, unique
        constraints); `finish` puts them back, checking every row at once."""
        self.raw.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
            "AND i.schemaname = current_schema() AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.schemaname) || '.' || "
            "quote_ident(i.indexname))::regclass)", (table,))
        indexes = self.raw.fetchall()
        # Foreign keys too: checking a million rows one by one costs more than one join at the end.
        self.raw.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                         "WHERE conrelid = %s::regclass AND contype = 'f'", (table,))
        foreign_keys = self.raw.fetchall()
        for name, _ in foreign_keys:
            self.raw.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            self.raw.execute(f'DROP INDEX "{name}"')
        self.dropped.append((table, indexes, foreign_keys))

    def finish(self) -> None:
        if not self.dropped:
            return
        self.raw.execute("SET LOCAL maintenance_work_mem = %s",
                         (getattr(settings, "IMPORT_INDEX_MEMORY", "256MB"),))
        self.raw.execute("SET LOCAL max_parallel_maintenance_workers = 2")
        t0 = time.perf_counter()
        for table, _, foreign_keys in self.dropped:
            for name, definition in foreign_keys:
                self.raw.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        # CREATE INDEX refuses a table with pending deferred foreign-key checks: run them now.
        self.raw.execute("SET CONSTRAINTS ALL IMMEDIATE")
        self.raw.execute("SET CONSTRAINTS ALL DEFERRED")
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

    def build(self, offsets, customers, addresses, points, tags) -> list[tuple[str, list[str], bytes]]:
        ts, tail, t = self.ts, self.history_tail, self.tables
        first, history_first = offsets["customer"], offsets["customer_history"]
        rows, history = [], []
        for i, rest in enumerate(customers):
            cid = first + i
            head = f"{cid}\tC{cid:09d}\t{ts}\t{ts}\t{rest}"
            rows.append(head)
            history.append(f"{head}\t{history_first + i}{tail}")
        payload = [(t["customer"], self.customer_columns, rows),
                   (t["customer_history"], self.customer_history_columns, history)]
        for table, history_table, columns, offset, children in (
                ("address", "address_history", self.address_columns, offsets["address"], addresses),
                ("point", "point_history", self.point_columns, offsets["point"], points)):
            if children:
                lines = [f"{offset + j}\t{ts}\t{ts}\t{first + i}\t{rest}" for j, (i, rest) in enumerate(children)]
                payload.append((t[table], columns, lines))
                payload.append((t[history_table], columns + HISTORY_COLUMNS, [r + tail for r in lines]))
        if tags:
            link, tag_ids = offsets["tag_link"], self.tag_ids
            payload.append((t["tag_link"], ["id", "customer_id", "tag_id"],
                            [f"{link + j}\t{first + i}\t{tag_ids[name]}" for j, (i, name) in enumerate(tags)]))
            payload.append((t["tag_link_history"], ["id", "customer_id", "history_id", "tag_id"],
                            [f"{link + j}\t{first + i}\t{history_first + i}\t{tag_ids[name]}"
                             for j, (i, name) in enumerate(tags)]))
        return [(table, columns, ("\n".join(lines) + "\n").encode()) for table, columns, lines in payload if lines]

    def send(self, payload) -> None:
        for table, columns, data in payload:
            with self.raw.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
                copy.write(data)


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
                cursor.execute(f'SELECT MAX("{pk}") FROM "{table}"')
                highest = cursor.fetchone()[0] or 0
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", (table,))
                row = cursor.fetchone()
                ids[name] = max(highest, row[0] if row else 0) + 1
        return ids

    def build(self, offsets, customers, addresses, points, tags) -> list[tuple[type, list]]:
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
        payload = [(Customer, objs), (history_model, history)]
        for model, fields, offset, children in ((Address, ADDRESS_FIELDS, offsets["address"], addresses),
                                                (ContactPoint, POINT_FIELDS, offsets["point"], points)):
            if not children:
                continue
            attnames = [f.attname for f in fields]
            rows = [(offset + j, first + i, dict(zip(attnames, values, strict=True)))
                    for j, (i, values) in enumerate(children)]
            payload.append((model, [model(id=pk, customer_id=cid, created_at=now, updated_at=now, **data)
                                    for pk, cid, data in rows]))
            payload.append((_history_model(model), [
                _history_model(model)(id=pk, customer_id=cid, created_at=now, updated_at=now, history_date=now,
                                      history_type="+", history_user_id=actor, history_change_reason=reason,
                                      **data) for pk, cid, data in rows]))
        if tags:
            link = offsets["tag_link"]
            through = Customer.tags.through
            tag_history = apps.get_model("customers", "HistoricalCustomer_tags")
            payload.append((through, [through(id=link + j, customer_id=first + i, tag_id=self.tag_ids[name])
                                      for j, (i, name) in enumerate(tags)]))
            payload.append((tag_history, [tag_history(id=link + j, customer_id=first + i,
                                                      history_id=history_first + i, tag_id=self.tag_ids[name])
                                          for j, (i, name) in enumerate(tags)]))
        return payload

    def send(self, payload) -> None:
        for model, objs in payload:
            model.objects.bulk_create(objs, batch_size=self.BATCH)


def work_base() -> Path:
    return Path(getattr(settings, "IMPORT_WORK_DIR", "") or (Path(settings.VAR_DIR) / "imports"))


def work_dir_for(job_id: int | str) -> Path:
    """Where a job keeps its spool while it waits to be committed."""
    path = work_base() / str(job_id)
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path
