"""The validation pass of an import (the dry run): read the file once — in parallel for big CSV
files — check every row (`rows`), find duplicate rows inside the file and rows that match existing
customers (`matching`), write the report (`report`), and spool the rows ready to write (`spool`).
The commit (`writers`) then streams the spool into the database; or, importing at once, a sink
(`writers.ChunkStream`) writes each chunk as soon as it is validated.
"""

from __future__ import annotations

import csv
import io
import logging
import multiprocessing
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_noop

from .. import permissions
from .files import FileInfo, ImportFileError, csv_blocks, row_from_cells
from .matching import BLOCKING_KEYS, KEYS, DuplicateIndex, ExistingMatcher
from .report import Report
from .rows import Actor, Lookups, RowValidator
from .spool import Spool

logger = logging.getLogger("guanxi.imports")

MAX_NEW_TAGS = 10_000
PARALLEL_MIN_ROWS = 20_000

Progress = Callable[[int, int], None]


@dataclass
class Chunk:
    """The validated output of consecutive rows. Children name their customer by its index in
    `customers`; errors and keys name their row by number (relative to the block in workers)."""

    customers: list = field(default_factory=list)
    addresses: list = field(default_factory=list)
    points: list = field(default_factory=list)
    tags: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    keys: dict = field(default_factory=lambda: {k: [] for k in KEYS})
    rows: int = 0
    records: int = 0
    failure: str = ""
    spooled: tuple | None = None  # (customers, addresses, points, tag rows, tag names) once on disk
    part: int | None = None  # its spool part, once on disk

    def add(self, validator: RowValidator, number: int, row: dict) -> None:
        valid, errors = validator.validate(row)
        self.rows += 1
        keys = validator.last_keys
        for key, value in zip(KEYS, keys, strict=True):
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
        chunk.spooled, chunk.part = totals, part
    return chunk


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
    written: object = None  # what the sink wrote (`writers.Written`), once it finished

    @property
    def is_valid(self) -> bool:
        return self.error_rows == 0 and self.rows > 0


class ChunkSink(Protocol):
    """Where a validation that writes as it goes sends its valid chunks (`writers.ChunkStream`)."""

    first_customer_id: int | None  # the customers from this id on are the sink's own, not existing ones

    def write(self, chunk: tuple[list, list, list, list]) -> None: ...

    def finish(self) -> object:
        """After the last chunk: what the sink defers to the end (indexes, keys); what it wrote."""


def validate(*, rows: Iterable[tuple[int, dict]], actor: Actor, report: Report, spool: Spool | None,
             workers: int = 0, progress: Progress | None = None, total: int = 0,
             chunk_rows: int = 5000, sink: ChunkSink | None = None) -> Validation:
    """Check every row of `rows` ((row number, mapped row) pairs, e.g. a CustomerFileReader). A
    big CSV file read by a CustomerFileReader is parsed in blocks by `workers` forked processes
    (not from a daemon process such as a Celery worker's). Fills `report`; spools the valid rows
    to `spool` until the first error (a file with errors is never written), and hands them to
    `sink` chunk by chunk, in file order, until the first error (the caller's transaction then rolls
    back what the sink wrote). Raises ImportFileError when the file cannot be read on."""
    started = time.perf_counter()
    copy_text = connection.vendor == "postgresql"
    validator = RowValidator(actor=actor, lookups=Lookups.load(), copy_text=copy_text,
                             today=timezone.localdate())
    info = getattr(rows, "info", None)
    state = _State(report=report, spool=spool, progress=progress, total=total or getattr(rows, "total_hint", 0),
                   actor=actor, sink=sink)
    state.matcher = ExistingMatcher(expected_rows=state.total)
    state.matcher.deferred = sink is not None
    if info is not None and info.format == "csv" and workers > 0 \
            and info.total_hint >= PARALLEL_MIN_ROWS and not multiprocessing.current_process().daemon:
        state.workers = workers
        # Writing as it goes, this process would otherwise wait on its first chunk for the existing keys.
        preload = state.matcher.preload if sink is not None else None
        for chunk in _parallel_chunks(validator, info, rows.columns, workers, spool, started=preload):
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
    sink: ChunkSink | None = None
    workers: int = 0
    result: Validation = field(default_factory=Validation)
    duplicates: DuplicateIndex = field(default_factory=DuplicateIndex)
    matcher: ExistingMatcher = field(default_factory=ExistingMatcher)

    def take(self, chunk: Chunk) -> None:
        result, report = self.result, self.report
        result.rows += chunk.rows
        for number, name, code, params in chunk.errors:
            report.error(number, name, code, params)
        for key in KEYS:
            self.duplicates.add(key, chunk.keys[key])
        self._report_existing(self.matcher.matches(chunk.keys))
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
        if self.sink is not None and customers and not report.error_rows:
            self.sink.write((chunk.customers, chunk.addresses, chunk.points, chunk.tags) if chunk.part is None
                            else self.spool.read(chunk.part))
        if self.progress:
            self.progress(result.rows, max(self.total, result.rows))

    def _report_existing(self, found: list) -> None:
        actor = self.actor
        for number, key, (customer_id, code, owner_id, team_id) in found:
            # The report names the customer only to an importer who may read it.
            visible = permissions.is_in_scope(actor.read, user=actor, owner_id=owner_id, team_id=team_id)
            self.report.duplicate(number, key, customer_id=customer_id, code=code, visible=visible)

    def finish(self, started: float) -> Validation:
        result, report = self.result, self.report
        for row, key, first in self.duplicates.duplicates():
            report.duplicate(row, key, first_row=first, blocking=key in BLOCKING_KEYS)
        if self.sink is not None:
            if result.customers and not report.error_rows:
                # Before asking which rows match existing customers: the sink rebuilds the indexes
                # those questions use (and it is not finished for a file with errors: none is written).
                result.written = self.sink.finish()
            self.matcher.own_from_id = self.sink.first_customer_id
            self._report_existing(self.matcher.resolve())
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
                     spool: Spool | None, started: Callable[[], None] | None = None) -> Iterator[Chunk]:
    """Chunks of a CSV file in order, parsed and validated by forked worker processes a few
    blocks ahead of the caller (which turns block-relative row numbers into file rows); the
    workers spool what they validated themselves. `started` runs once they have their first blocks."""
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
            if started is not None:
                started()
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
