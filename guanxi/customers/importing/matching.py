"""Duplicates: rows of the file that repeat an earlier row's mobile, ID number or e-mail, and rows
whose key a live customer already has."""

from __future__ import annotations

from array import array
from collections.abc import Iterator

from django.db import connection

from ..models import ContactPoint, Customer

KEYS = ("mobile", "id_number", "email")
# In-file duplicates of these keys are errors; of the others, warnings.
BLOCKING_KEYS = ("mobile", "id_number")


class DuplicateIndex:
    """Rows' keys as 64-bit hashes (12 bytes a key a row, not the values): after the pass, rows
    whose key equals an earlier row's. A hash collision could pair two different values; with
    64-bit hashes the odds are about one in 10^7 for a million rows."""

    def __init__(self):
        self.hashes = {k: array("q") for k in KEYS}
        self.rows = {k: array("l") for k in KEYS}

    def add(self, key: str, pairs: list[tuple[int, str]]) -> None:
        if pairs:
            self.rows[key].extend(n for n, _ in pairs)
            self.hashes[key].extend(hash(v) for _, v in pairs)

    def duplicates(self) -> Iterator[tuple[int, str, int]]:
        """(row, key, first row with the same key), by key then row."""
        import numpy as np

        for key in KEYS:
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


class ExistingMatcher:
    """Rows whose mobile, ID number or e-mail a live customer already has (as the field itself or
    as one of its contact points). One query per key and table for a chunk of rows (PostgreSQL:
    the values as one array parameter; elsewhere in batches).

    A big file (`expected_rows` at least PREFILTER_MIN_ROWS and a tenth of the customers) on
    PostgreSQL first reads every live customer's keys once, as 64-bit hashes, and asks the
    database only about the values whose hash is among them: probing the indexes for a million
    values costs the server far more than one scan of the table. Only a value the queries find is
    a match, so the result is the same."""

    BATCH = 5000
    PREFILTER_MIN_ROWS = 20_000

    def __init__(self, expected_rows: int = 0):
        self.expected_rows = expected_rows
        self._known: dict | None = None  # key → sorted hashes of the live customers' values
        # An import that writes as it validates: its own customers (ids from this one on) are not existing ones,
        # and the database is asked once at the end (`resolve`): meanwhile the import may have dropped the
        # indexes a question needs.
        self.own_from_id: int | None = None
        self.deferred = False
        self._pending: dict[str, list[tuple[int, str]]] = {k: [] for k in KEYS}

    def matches(self, keys: dict[str, list[tuple[int, str]]]) -> list[tuple[int, str, tuple]]:
        """(row, key, (customer id, number, owner id, team id)), at most one per row and key; none
        when `deferred` (the rows that may match are kept for `resolve`)."""
        found = []
        known = self._known_hashes(keys)
        for key in KEYS:
            pairs = keys.get(key) or []
            if not pairs:
                continue
            values = list({v for _, v in pairs})
            if known is not None:
                values = _among(values, known[key])
                if not values:
                    continue
            if self.deferred:
                maybe = set(values)
                self._pending[key].extend((n, v) for n, v in pairs if v in maybe)
                continue
            owners = self._owners(key, values)
            if owners:
                found.extend((n, key, owners[v]) for n, v in pairs if v in owners)
        return found

    def resolve(self) -> list[tuple[int, str, tuple]]:
        """The matches of the rows kept while `deferred`, as `matches` gives them."""
        found = []
        for key in KEYS:
            pairs, self._pending[key] = self._pending[key], []
            if pairs:
                owners = self._owners(key, list({v for _, v in pairs}))
                found.extend((n, key, owners[v]) for n, v in pairs if v in owners)
        return found

    def preload(self) -> None:
        """Load the live customers' key hashes now, while the workers check the first blocks, instead
        of on the first chunk that has keys (which would then wait for them)."""
        self._known_hashes(None)

    def _known_hashes(self, keys: dict | None) -> dict | None:
        """The hashes of the live customers' keys (loaded on the first chunk that has keys, or by
        `preload`), or None when this import asks the database about every value."""
        if self._known is not None:
            return self._known
        if (connection.vendor != "postgresql" or self.expected_rows < self.PREFILTER_MIN_ROWS
                or (keys is not None and not any(keys.get(k) for k in KEYS))):
            return None
        import numpy as np

        customers, points = Customer._meta.db_table, ContactPoint._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", (customers,))
            if self.expected_rows * 10 < cursor.fetchone()[0]:
                self.expected_rows = 0  # a small file for this table: probe the indexes
                return None
            # One text per key, the values split by the unit separator (chr(31)): a value holding
            # one would only split into more hashes, that is more values to ask about.
            cursor.execute(
                "SELECT " + ", ".join(f"string_agg({k}, chr(31)) FILTER (WHERE {k} <> '')" for k in KEYS)  # nosec B608  # SQL built from code-defined column names
                + f" FROM {customers} WHERE deleted_at IS NULL")
            texts = dict(zip(KEYS, cursor.fetchone(), strict=True))
            cursor.execute(f"SELECT string_agg(p.normalized, chr(31)) FROM {points} p JOIN {customers} c "  # nosec B608  # SQL built from code-defined table names
                           "ON c.id = p.customer_id WHERE c.deleted_at IS NULL AND p.normalized <> ''")
            point_values = (cursor.fetchone()[0] or "").split("\x1f")
        known = {}
        for key in KEYS:
            values = (texts[key] or "").split("\x1f")
            if key != "id_number":
                values += point_values
            known[key] = np.sort(np.fromiter((hash(v) for v in values if v), dtype=np.int64))
            texts[key] = None
        self._known = known
        return known

    def _owners(self, key: str, values: list[str]) -> dict[str, tuple]:
        owners: dict[str, tuple] = {}
        with_points = key != "id_number"
        if connection.vendor == "postgresql":
            customers, points = Customer._meta.db_table, ContactPoint._meta.db_table
            # One text parameter split by the server: adapting a list of 20,000 strings as an
            # array costs more than the query. Normalised keys hold no control characters.
            joined = "\x1f".join(v for v in values if "\x1f" not in v)
            array = "string_to_array(%s, chr(31))::varchar[]"
            below = self.own_from_id or 2**63 - 1
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT {key}, id, code, owner_id, team_id FROM {customers} WHERE {key} = ANY({array}) "  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
                               "AND deleted_at IS NULL AND id < %s", (joined, below))
                rows = cursor.fetchall()
                if with_points:
                    cursor.execute(f"SELECT p.normalized, c.id, c.code, c.owner_id, c.team_id FROM {points} p "  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
                                   f"JOIN {customers} c "
                                   f"ON c.id = p.customer_id WHERE p.normalized = ANY({array}) "
                                   "AND c.deleted_at IS NULL AND c.id < %s", (joined, below))
                    rows += cursor.fetchall()
            for value, *owner in rows:
                owners.setdefault(value, tuple(owner))
            return owners
        own = {"pk__lt": self.own_from_id} if self.own_from_id else {}
        own_points = {"customer_id__lt": self.own_from_id} if self.own_from_id else {}
        for start in range(0, len(values), self.BATCH):
            batch = values[start:start + self.BATCH]
            for value, *owner in (Customer.objects.alive().filter(**{f"{key}__in": batch}, **own)
                                  .values_list(key, "id", "code", "owner_id", "team_id")):
                owners.setdefault(value, tuple(owner))
            if with_points:
                for value, *owner in (ContactPoint.objects.filter(normalized__in=batch,
                                                                  customer__deleted_at__isnull=True, **own_points)
                                      .values_list("normalized", "customer_id", "customer__code",
                                                   "customer__owner_id", "customer__team_id")):
                    owners.setdefault(value, tuple(owner))
        return owners


def _among(values: list[str], known) -> list[str]:
    """The values whose hash is in `known` (sorted hashes)."""
    import numpy as np

    if not len(known):
        return []
    hashes = np.fromiter((hash(v) for v in values), dtype=np.int64, count=len(values))
    at = np.searchsorted(known, hashes).clip(max=len(known) - 1)
    return [values[i] for i in np.flatnonzero(known[at] == hashes).tolist()]
