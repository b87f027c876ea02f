"""Bulk generator of realistic Chinese customers for benchmarks (`guanxi bench generate`).

Sampling is vectorised with numpy; pinyin and initials come from the project's normalisers,
computed once per distinct name of a precomputed pool. PostgreSQL loads with COPY: forked workers build each batch's
COPY text while the main process streams the previous ones to the server. SQLite loads with
executemany in one process (its FTS5 triggers keep the organisation-name index in step). Each batch draws
from its own generator seeded with (seed, batch number). No audit history rows are written: it is
a bulk load.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import hashlib
import inspect
import os
import pickle
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connection, transaction

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role, TeamKind
from guanxi.accounts.models import Team, User
from guanxi.accounts.services import team_create, user_create
from guanxi.core.copy import COPY_NULL, copy_form_text
from guanxi.customers import normalize
from guanxi.customers.models import Address, Brand, ContactPoint, Customer

from . import data

# `version` takes its database default (1).
CUSTOMER_COLUMNS = [f.column for f in Customer._meta.concrete_fields if f.name != "version"]
POINT_COLUMNS = [f.column for f in ContactPoint._meta.concrete_fields]
ADDRESS_COLUMNS = [f.column for f in Address._meta.concrete_fields]

BENCH_ADMIN = "bench_admin"
BENCH_TEAMS = (("Bench Sales North", TeamKind.SALES), ("Bench Sales South", TeamKind.SALES),
               ("Bench Service", TeamKind.SERVICE))
# username, role, team index (None: no team)
BENCH_USERS = (
    (BENCH_ADMIN, Role.ADMIN, None),
    ("bench_sales_1", Role.SALES_REP, 0), ("bench_sales_2", Role.SALES_REP, 0),
    ("bench_sales_3", Role.SALES_REP, 1), ("bench_sales_4", Role.SALES_REP, 1),
    ("bench_manager", Role.SALES_MANAGER, 0), ("bench_agent", Role.AGENT, 2),
)
# The cache is invalidated whenever the normalisers change.
_CACHE_VERSION = hashlib.sha256(
    inspect.getsource(normalize).encode()
).hexdigest()[:16]
NOW = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
# maintenance_work_mem of the sessions that rebuild indexes after a bulk load.
INDEX_MEMORY = "512MB"


@dataclass
class GenerateResult:
    customers: int = 0
    contact_points: int = 0
    addresses: int = 0
    load_seconds: float = 0.0
    index_seconds: float = 0.0
    first_id: int = 0
    last_id: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return self.load_seconds + self.index_seconds

    @property
    def rate(self) -> float:
        return self.customers / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict:
        return {"customers": self.customers, "contact_points": self.contact_points,
                "addresses": self.addresses, "load_seconds": round(self.load_seconds, 2),
                "index_seconds": round(self.index_seconds, 2), "seconds": round(self.seconds, 2),
                "customers_per_second": round(self.rate), "first_id": self.first_id,
                "last_id": self.last_id, **self.extra}


def ensure_staff() -> dict:
    """Bench teams and users (bench_admin, sales reps, a manager, an agent), created if missing."""
    teams = []
    for name, kind in BENCH_TEAMS:
        team = Team.objects.filter(name=name).first() or team_create(actor=SYSTEM, name=name, kind=kind)
        teams.append(team)
    users = {}
    for username, role, team_index in BENCH_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                actor=SYSTEM,
                username=username, password=f"{username}-Bench-2026!", role=role, validate=False,
                team=teams[team_index] if team_index is not None else None, display_name=username,
            )
        users[username] = user
    return {"teams": teams, "users": users, "admin": users[BENCH_ADMIN],
            "reps": [u for u in users.values() if u.role == Role.SALES_REP]}


def ensure_brands() -> list[Brand]:
    brands = []
    for code, name in data.BRANDS:
        brand = Brand.objects.filter(code=code).first()
        if brand is None:
            brand = Brand.objects.create(code=code, name=name)
        brands.append(brand)
    return brands


class NamePool:
    """Distinct names with their pinyin, initials and words (`name_terms`).

    Drawn with realistic frequencies: each distinct name keeps the count it was drawn with,
    so common names stay common when customers sample from the pool.
    """

    def __init__(self, names: list[str], weights: np.ndarray, *, organisation: bool = False):
        self.names = names
        keys = _name_keys(names, organisation=organisation)
        self.pinyin = [keys[n][0] for n in names]
        self.initials = [keys[n][1] for n in names]
        self.terms = [keys[n][2] for n in names]
        self.p = weights / weights.sum()

    @classmethod
    def people(cls, rng: np.random.Generator, draws: int) -> NamePool:
        surnames = [s for s, _ in data.SURNAMES]
        sp = np.array([w for _, w in data.SURNAMES])
        chars = list(dict.fromkeys(data.GIVEN_CHARS))
        cp = 1.0 / (np.arange(len(chars)) + 8.0)
        s_idx = rng.choice(len(surnames), draws, p=sp / sp.sum())
        g1 = rng.choice(len(chars), draws, p=cp / cp.sum())
        g2 = rng.choice(len(chars), draws, p=cp / cp.sum())
        single = rng.random(draws) < 0.25
        counts: dict[str, int] = {}
        for s, a, b, one in zip(s_idx.tolist(), g1.tolist(), g2.tolist(), single.tolist(), strict=True):
            name = surnames[s] + chars[a] + ("" if one else chars[b])
            counts[name] = counts.get(name, 0) + 1
        return cls(list(counts), np.array(list(counts.values()), dtype=float))

    @classmethod
    def organisations(cls, rng: np.random.Generator, size: int) -> NamePool:
        cities = sorted({p[1].removesuffix("市") for p in data.PLACES})
        names = set()
        while len(names) < size:
            names.add(cities[rng.integers(len(cities))] + data.ORG_WORDS[rng.integers(len(data.ORG_WORDS))]
                      + data.ORG_TRADES[rng.integers(len(data.ORG_TRADES))]
                      + data.ORG_FORMS[rng.integers(len(data.ORG_FORMS))])
        names_list = sorted(names)
        return cls(names_list, np.ones(len(names_list)), organisation=True)


def _keys_of(names: list[str], organisation: bool = False) -> list[tuple[str, str, str]]:
    """Pinyin, initials and words, as the services compute them (services.customers.refresh_name_keys)."""
    return [(normalize.name_pinyin(name)[:300], normalize.name_initials(name)[:100],
             normalize.name_terms(name, organisation=organisation)) for name in names]


def _name_keys(names: list[str], *, organisation: bool = False) -> dict[str, tuple[str, str, str]]:
    """Keys per distinct name: from the cache file in var/bench when known, else computed on every
    core (pypinyin costs ~0.1 ms a name) and added to the cache."""
    cache_file = Path(settings.VAR_DIR) / "bench" / "name_keys.pickle"
    cache: dict = {}
    with contextlib.suppress(OSError, pickle.UnpicklingError, EOFError):
        cache = pickle.loads(cache_file.read_bytes())
    if cache.get("version") != _CACHE_VERSION:
        cache = {"version": _CACHE_VERSION, "keys": {}}
    known = cache["keys"].setdefault(organisation, {})
    missing = [n for n in names if n not in known]
    if missing:
        workers = min(os.cpu_count() or 1, 4)
        if len(missing) < 5_000 or workers < 2:
            computed = _keys_of(missing, organisation)
        else:
            import multiprocessing

            chunks = [missing[i::workers] for i in range(workers)]
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                parts = pool.map(functools.partial(_keys_of, organisation=organisation), chunks)
            missing = [n for chunk in chunks for n in chunk]
            computed = [k for part in parts for k in part]
        known.update(zip(missing, computed, strict=True))
        with contextlib.suppress(OSError):
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache_file.with_suffix(".tmp")
            tmp.write_bytes(pickle.dumps(cache, protocol=pickle.HIGHEST_PROTOCOL))
            tmp.replace(cache_file)
    return {n: known[n] for n in names}


def _choice(rng, pairs, size):
    values = [v for v, _ in pairs]
    p = np.array([w for _, w in pairs])
    return [values[i] for i in rng.choice(len(values), size, p=p / p.sum()).tolist()]


def _timestamps(seconds: np.ndarray, vendor: str) -> list[str]:
    text = np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s")
    if vendor == "postgresql":
        return [t + "+00" for t in text.tolist()]
    return [t.replace("T", " ") for t in text.tolist()]


def _copy_bool(value) -> str:
    return "t" if value else "f"


class Generator:
    """Builds batches of rows (tuples in table column order) for customers and related tables.

    The name pools come from `seed`; each batch draws from its own generator seeded with
    (seed, batch number), so batches can be built in any order, in any process. Every customer
    has at most one contact point and one address, whose ids follow from the customer id
    (`point_offset`, `address_offset`), so no batch depends on another.
    """

    def __init__(self, *, seed: int, total: int, vendor: str, staff: dict, brands: list[Brand],
                 point_offset: int = 0, address_offset: int = 0):
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.vendor = vendor
        self.people = NamePool.people(self.rng, draws=int(min(max(total // 4, 2_000), 80_000)))
        self.orgs = NamePool.organisations(self.rng, size=int(min(max(total // 200, 50), 3_000)))
        reps = staff["reps"]
        self.owner_ids = [u.pk for u in reps]
        self.owner_team_ids = [u.team_id for u in reps]
        self.brand_ids = [b.pk for b in brands]
        self.org_brand_id = brands[-1].pk
        self.now = int(NOW.timestamp())
        self.bool = (lambda v: v) if vendor == "postgresql" else int
        self.point_offset, self.address_offset = point_offset, address_offset

    def copy_payload(self, number: int, first_id: int, size: int) -> tuple[bytes, bytes, bytes, int, int]:
        """One batch as COPY text (customers, contact points, addresses) and the two row counts."""
        customers, points, addresses = self.batch(number, first_id, size, copy=True)
        return (copy_form_text(customers), copy_form_text(points), copy_form_text(addresses),
                len(points), len(addresses))

    def batch(self, number: int, first_id: int, size: int, *, copy: bool = False):
        """Rows of batch `number` (customer ids from `first_id`): tuples of Python values, or with
        `copy`, of COPY text fields (COPY_NULL for NULL, t/f for booleans) for `copy_form_text`."""
        rng, n = np.random.default_rng([self.seed, number]), size
        ids = list(range(first_id, first_id + n))
        is_org = (rng.random(n) < 0.05).tolist()
        person_idx = rng.choice(len(self.people.names), n, p=self.people.p).tolist()
        org_idx = rng.integers(0, len(self.orgs.names), n).tolist()
        male = (rng.random(n) < 0.5).tolist()
        birth_days = rng.integers(-12_000, 11_500, n)  # days since 1970: born 1937-2001
        births = np.datetime_as_string(birth_days.astype("datetime64[D]")).tolist()
        has_id = (rng.random(n) < 0.75).tolist()
        place_idx = rng.integers(0, len(data.PLACES), n).tolist()
        id_seq = rng.integers(0, 500, n).tolist()
        has_mobile = (rng.random(n) < 0.92).tolist()
        prefixes = rng.integers(0, len(data.MOBILE_PREFIXES), n).tolist()
        subscriber = rng.integers(0, 100_000_000, n).tolist()
        email_kind = rng.random(n).tolist()
        email_num = rng.integers(1, 10_000, n).tolist()
        qq = rng.integers(100_000, 3_000_000_000, n).tolist()
        domains = rng.integers(0, len(data.EMAIL_DOMAINS), n).tolist()
        brand = rng.integers(0, len(self.brand_ids) - 1, n).tolist()
        arpu = np.round(np.clip(rng.lognormal(np.log(58.0), 0.75, n), 0, 99_999), 2).tolist()
        stage = _choice(rng, data.LIFECYCLE_WEIGHTS, n)
        source = _choice(rng, data.SOURCE_WEIGHTS, n)
        payment = _choice(rng, data.PAYMENT_WEIGHTS, n)
        credit = _choice(rng, data.CREDIT_WEIGHTS, n)
        owned = (rng.random(n) < 0.7).tolist()
        owner = rng.integers(0, len(self.owner_ids), n).tolist()
        created = self.now - rng.integers(86_400, 3 * 365 * 86_400, n)
        updated = created + (rng.random(n) * (self.now - created)).astype(np.int64)
        created_s, updated_s = _timestamps(created, self.vendor), _timestamps(updated, self.vendor)
        cycle = rng.integers(1, 29, n).tolist()
        balance = np.round(rng.normal(30, 80, n), 2).tolist()
        limits = (rng.integers(0, 50, n) * 100).tolist()
        overdue = rng.poisson(0.3, n).tolist()
        occupation = rng.integers(0, len(data.OCCUPATIONS), n).tolist()
        industry = rng.integers(0, len(data.INDUSTRIES), n).tolist()
        employees = rng.integers(5, 5_000, n).tolist()
        point_roll = rng.random(n).tolist()
        point_num = rng.integers(10_000_000, 99_999_999, n).tolist()
        area_idx = rng.integers(0, len(data.LANDLINE_AREAS), n).tolist()
        has_address = (rng.random(n) < 0.4).tolist()
        street_idx = rng.integers(0, len(data.STREETS), n).tolist()
        house = rng.integers(1, 999, n).tolist()

        customers, points, addresses = [], [], []
        b, null = (_copy_bool, COPY_NULL) if copy else (self.bool, None)
        point_offset, address_offset = self.point_offset, self.address_offset
        for i in range(n):
            cid = ids[i]
            code = f"C{cid:09d}"
            org = is_org[i]
            pool, k = (self.orgs, org_idx[i]) if org else (self.people, person_idx[i])
            name = pool.names[k]
            place = data.PLACES[place_idx[i]]
            gender = "" if org else ("male" if male[i] else "female")
            birth = null if org else births[i]
            if not org and has_id[i]:
                seq = id_seq[i] * 2 + (1 if male[i] else 0)
                first17 = f"{place[3]}{birth.replace('-', '')}{seq:03d}"
                id_type, id_number = "resident_id", first17 + normalize.resident_id_check_digit(first17)
            else:
                id_type, id_number = "", ""
            mobile_digits = f"{data.MOBILE_PREFIXES[prefixes[i]]}{subscriber[i]:08d}"
            mobile = "+86" + mobile_digits if has_mobile[i] or (org and email_kind[i] < 0.6) else ""
            ek = email_kind[i]
            if ek < 0.25:
                email = f"{pool.pinyin[k][:20] or 'user'}{email_num[i]}@{data.EMAIL_DOMAINS[domains[i]]}"
            elif ek < 0.45:
                email = f"{qq[i]}@qq.com"
            else:
                email = ""
            owner_id = self.owner_ids[owner[i]] if owned[i] else null
            team_id = self.owner_team_ids[owner[i]] if owned[i] else null
            roll = point_roll[i]
            if roll < 0.2:
                ts = updated_s[i]
                if roll < 0.1:
                    area, _ = data.LANDLINE_AREAS[area_idx[i]]
                    value, normalized, kind = f"{area}-{point_num[i]}", f"+86{area[1:]}{point_num[i]}", "phone"
                elif roll < 0.16:
                    value = f"{pool.pinyin[k][:20] or 'office'}.{email_num[i]}@Work-Mail.CN"
                    normalized, kind = value.lower(), "email"
                else:
                    m = f"1{'3589'[point_num[i] % 4]}{point_num[i] % 10}{point_num[i]:08d}"
                    value, normalized, kind = f"{m[:3]} {m[3:7]} {m[7:]}", "+86" + m, "mobile"
                points.append((cid + point_offset, ts, ts, cid, null, kind, value, normalized, "", b(False)))
            if has_address[i]:
                ts = updated_s[i]
                addresses.append((cid + address_offset, ts, ts, cid, "office" if org else "home", place[0],
                                  place[1], place[2], f"{data.STREETS[street_idx[i]]}{house[i]}号", place[4],
                                  b(True)))
            customers.append((
                cid, created_s[i], updated_s[i], code, "organisation" if org else "individual", name,
                pool.pinyin[k], pool.initials[k], gender, birth, id_type, id_number, mobile, email,
                "" if org else data.OCCUPATIONS[occupation[i]], data.INDUSTRIES[industry[i]] if org else "",
                self.people.names[person_idx[i]] if org else "", employees[i] if org else null,
                f"{employees[i] * 310_000}.00" if org else null, "",
                self.org_brand_id if org else self.brand_ids[brand[i]], f"{arpu[i]:.2f}", stage[i], source[i],
                owner_id, team_id, f"BA{cid:012d}", cycle[i], payment[i], "", f"{balance[i]:.2f}",
                name if org else "", "", credit[i], f"{limits[i]}.00", overdue[i], "", null,
                null,  # merged_into: not merged
                pool.terms[k],
            ))
        return customers, points, addresses


def _insert_sql(table: str, columns: list[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"


def _copy(cursor, table: str, columns: list[str], payload: bytes) -> None:
    if payload:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            copy.write(payload)


def _next_id(model) -> int:
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def _reset_sequences() -> None:
    with connection.cursor() as cursor:
        for model in (Customer, ContactPoint, Address):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
            )


def _secondary_indexes() -> list[tuple[str, str]]:
    """Indexes of the customer table that no constraint needs (safe to drop and rebuild)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = 'customers_customer' "
            "AND i.schemaname = current_schema() AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
        )
        return cursor.fetchall()


def _is_superuser() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
        return bool(row and row[0])


def _rebuild_indexes(definitions: list[tuple[str, str]], *, memory: str = INDEX_MEMORY,
                     connections_: int = 2) -> dict[str, float]:
    """Re-create dropped indexes, the slow GIN first, two at a time (the machine has two cores).
    Returns each index's build time in seconds."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    def build(item: tuple[str, str]) -> tuple[str, float]:
        name, definition = item
        try:
            t0 = time.perf_counter()
            with connections["default"].cursor() as cursor:
                cursor.execute(f"SET maintenance_work_mem = '{memory}'")
                cursor.execute(definition)
            return name, time.perf_counter() - t0
        finally:
            connections["default"].close()

    ordered = sorted(definitions, key=lambda d: "gin" not in d[1].lower())  # the slow GIN work first
    with ThreadPoolExecutor(max_workers=connections_) as pool:
        return {name: round(seconds, 2) for name, seconds in pool.map(build, ordered)}


# The generator of the worker processes (inherited through fork, never pickled).
_WORKER_GENERATOR: Generator | None = None


def _worker_payload(spec: tuple[int, int, int]) -> tuple[bytes, bytes, bytes, int, int]:
    return _WORKER_GENERATOR.copy_payload(*spec)


@contextlib.contextmanager
def _payloads(gen: Generator, specs: list[tuple[int, int, int]], processes: int):
    """Yields an iterator of the batches' COPY payloads, in order. With `processes` > 0 they are
    built by that many forked workers, a few batches ahead of the caller, while it loads."""
    global _WORKER_GENERATOR
    if processes <= 0:
        yield (gen.copy_payload(*spec) for spec in specs)
        return
    import multiprocessing
    from collections import deque

    _WORKER_GENERATOR = gen
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            def ordered():
                todo, pending = iter(specs), deque()
                for spec in todo:
                    pending.append(pool.apply_async(_worker_payload, (spec,)))
                    if len(pending) > processes + 1:
                        break
                while pending:
                    payload = pending.popleft().get()
                    spec = next(todo, None)
                    if spec is not None:
                        pending.append(pool.apply_async(_worker_payload, (spec,)))
                    yield payload

            yield ordered()
    finally:
        _WORKER_GENERATOR = None


def default_processes() -> int:
    """Worker processes for PostgreSQL loads: one per core, at most four (the main process mostly
    waits on the server while they work)."""
    return max(1, min(4, (os.cpu_count() or 1)))


def generate(*, customers: int, batch: int = 50_000, seed: int = 1, progress: bool = True,
             rebuild_indexes: bool | None = None, processes: int | None = None,
             index_memory: str = INDEX_MEMORY, keep_indexes: str = "") -> GenerateResult:
    """Insert `customers` synthetic customers (with contact points and addresses) after the last id.

    On PostgreSQL, batches are built as COPY text by `processes` forked workers (default
    `default_processes()`, 0: in the main process) while the main process streams them to the
    server. Big loads drop the customer table's secondary indexes and rebuild them after the COPY
    (`rebuild_indexes`, default: when loading 100,000 or more; `keep_indexes`: a comma list of
    index names to keep in place instead) and skip FK triggers (session_replication_role) when
    the role is a superuser; every FK value comes from existing rows. The values depend on
    `seed` and `batch` only, not on `processes`.
    """
    vendor = connection.vendor
    postgres = vendor == "postgresql"
    staff, brands = ensure_staff(), ensure_brands()
    started = time.perf_counter()
    first = _next_id(Customer)
    point_id, address_id = _next_id(ContactPoint), _next_id(Address)
    gen = Generator(seed=seed, total=customers, vendor=vendor, staff=staff, brands=brands,
                    point_offset=point_id - first, address_offset=address_id - first)
    if processes is None:
        processes = default_processes() if postgres else 0
    if not postgres:
        processes = 0  # SQLite loads with executemany of tuples, in this process
    result = GenerateResult(extra={"vendor": vendor, "batch": batch, "seed": seed, "processes": processes,
                                   "distinct_names": len(gen.people.names),
                                   "pool_seconds": round(time.perf_counter() - started, 2)})
    if rebuild_indexes is None:
        rebuild_indexes = postgres and customers >= 100_000
    dropped = []
    if postgres and rebuild_indexes:
        keep = {k.strip() for k in keep_indexes.split(",") if k.strip()}
        dropped = [(n, d) for n, d in _secondary_indexes() if n not in keep]
        with connection.cursor() as cursor:
            for name, _ in dropped:
                cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    skip_triggers = postgres and rebuild_indexes and _is_superuser()
    specs, cid = [], first
    for number, offset in enumerate(range(0, customers, batch)):
        size = min(batch, customers - offset)
        specs.append((number, cid, size))
        cid += size

    wait = 0.0
    try:
        with _payloads(gen, specs, processes) as payloads, _progress(progress, customers) as task_bar:
            task = task_bar.add_task("customers", total=customers) if task_bar else None
            for number, first_id, size in specs:
                if postgres:
                    t0 = time.perf_counter()
                    rows, points, addresses, n_points, n_addresses = next(payloads)
                    wait += time.perf_counter() - t0
                else:
                    rows, points, addresses = gen.batch(number, first_id, size)
                    n_points, n_addresses = len(points), len(addresses)
                with transaction.atomic(), connection.cursor() as cursor:
                    if postgres:
                        if skip_triggers:
                            cursor.execute("SET LOCAL session_replication_role = replica")
                        raw = cursor.cursor
                        _copy(raw, "customers_customer", CUSTOMER_COLUMNS, rows)
                        _copy(raw, "customers_contactpoint", POINT_COLUMNS, points)
                        _copy(raw, "customers_address", ADDRESS_COLUMNS, addresses)
                    else:
                        cursor.executemany(_insert_sql("customers_customer", CUSTOMER_COLUMNS), rows)
                        cursor.executemany(_insert_sql("customers_contactpoint", POINT_COLUMNS), points)
                        cursor.executemany(_insert_sql("customers_address", ADDRESS_COLUMNS), addresses)
                result.customers += size
                result.contact_points += n_points
                result.addresses += n_addresses
                if task_bar:
                    task_bar.advance(task, size)
    finally:
        result.load_seconds = time.perf_counter() - started
        result.extra["wait_for_workers_seconds"] = round(wait, 2)
        if dropped:
            t0 = time.perf_counter()
            result.extra["index_build_seconds"] = _rebuild_indexes(dropped, memory=index_memory)
            result.index_seconds = time.perf_counter() - t0
    if postgres:
        _reset_sequences()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE customers_customer")
            cursor.execute("ANALYZE customers_contactpoint")
            cursor.execute("ANALYZE customers_address")
    result.first_id, result.last_id = first, first + result.customers - 1
    return result


def _progress(enabled: bool, total: int):
    if not enabled:
        return contextlib.nullcontext(None)
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(TextColumn("[bold]generate"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    TimeRemainingColumn())
