"""Labelled duplicate customers and the accuracy and speed of the duplicate scan (`guanxi bench dedupe`).

`generate_labelled` loads N customers of which a share are second records of another one: the
originals come from the bench generator (`bench.generate.Generator`: realistic name frequencies,
phones, resident IDs, e-mail, addresses), the duplicates from `guanxi.customers.linkage.variants`
(homophones, traditional characters, pinyin-only names, swapped given names, typos, phones in
other formats or with a wrong digit, e-mail case, 15-digit or mistyped IDs, address spellings,
missing fields). It knows the true clusters. `run` then scans with the production service and
compares the predicted pairs with the truth: precision, recall, seconds.
"""

from __future__ import annotations

import datetime
import random
import time
from dataclasses import dataclass, field

import numpy as np
from django.db import connection, transaction

from guanxi.core.copy import copy_text
from guanxi.customers import normalize
from guanxi.customers.linkage import variants
from guanxi.customers.models import Address, ContactPoint, Customer, MatchCandidate

from .generate import (
    ADDRESS_COLUMNS,
    CUSTOMER_COLUMNS,
    Generator,
    _copy,
    _insert_sql,
    _next_id,
    _reset_sequences,
    ensure_brands,
    ensure_staff,
)

C = {name: i for i, name in enumerate(CUSTOMER_COLUMNS)}
A = {name: i for i, name in enumerate(ADDRESS_COLUMNS)}
BATCH = 20_000


@dataclass
class Labelled:
    records: int = 0
    duplicates: int = 0
    first_id: int = 0
    last_id: int = 0
    clusters: dict[int, int] = field(default_factory=dict)  # customer id -> id of its original
    load_seconds: float = 0.0

    def truth(self) -> set[tuple[int, int]]:
        ids = list(range(self.first_id, self.last_id + 1))
        return variants.true_pairs([self.clusters.get(i, i) for i in ids], ids)


def _fields(row: tuple, address: tuple | None) -> dict:
    birth = row[C["birth_date"]]
    return {
        "kind": row[C["kind"]], "name": row[C["name"]], "mobile": row[C["mobile"]] or "",
        "email": row[C["email"]] or "", "id_number": row[C["id_number"]] or "",
        "birth_date": datetime.date.fromisoformat(birth) if birth else None, "gender": row[C["gender"]] or "",
        "province": address[A["province"]] if address else "", "city": address[A["city"]] if address else "",
        "district": address[A["district"]] if address else "",
    }


def _duplicate_rows(source_row: tuple, source_address: tuple | None, *, new_id: int, address_id: int,
                    rng: random.Random) -> tuple[tuple, tuple | None]:
    original = _fields(source_row, source_address)
    dup = variants.duplicate_of(original, rng)
    row = list(source_row)
    row[C["id"]] = new_id
    row[C["code"]] = f"C{new_id:09d}"
    row[C["name"]] = dup["name"][:100]
    row[C["name_pinyin"]] = normalize.name_pinyin(dup["name"])[:300]
    row[C["name_initials"]] = normalize.name_initials(dup["name"])[:100]
    row[C["name_terms"]] = normalize.name_terms(dup["name"], organisation=row[C["kind"]] == "organisation")
    row[C["mobile"]] = dup["mobile"][:20]
    row[C["email"]] = dup["email"][:254]
    row[C["id_number"]] = dup["id_number"][:30]
    row[C["id_type"]] = row[C["id_type"]] if dup["id_number"] else ""
    row[C["birth_date"]] = dup["birth_date"].isoformat() if dup["birth_date"] else None
    row[C["gender"]] = dup["gender"]
    row[C["billing_account"]] = f"BA{new_id:012d}"
    address = None
    if dup.get("province"):
        base = list(source_address) if source_address else None
        if base is None:
            return tuple(row), None
        base[A["id"]] = address_id
        base[A["customer_id"]] = new_id
        base[A["province"]], base[A["city"]], base[A["district"]] = dup["province"], dup["city"], dup["district"]
        address = tuple(base)
    return tuple(row), address


def generate_labelled(*, records: int, duplicates: float = 0.1, seed: int = 7) -> Labelled:
    """Insert `records` customers after the last id, a share `duplicates` of them duplicates."""
    if not 0 <= duplicates < 1:
        raise ValueError("duplicates must be a share in [0, 1)")
    vendor = connection.vendor
    postgres = vendor == "postgresql"
    staff, brands = ensure_staff(), ensure_brands()
    started = time.perf_counter()
    dup_count = int(records * duplicates)
    originals = records - dup_count
    first = _next_id(Customer)
    point_id, address_id = _next_id(ContactPoint), _next_id(Address)
    gen = Generator(seed=seed, total=originals, vendor=vendor, staff=staff, brands=brands,
                    point_offset=point_id - first, address_offset=address_id - first)
    rng = random.Random(seed)
    np_rng = np.random.default_rng(seed)
    # Which originals get a duplicate (a few get two or three: clusters larger than pairs).
    sources = np.sort(np_rng.integers(first, first + originals, dup_count)).tolist()
    wanted = set(sources)
    kept: dict[int, tuple[tuple, tuple | None]] = {}
    result = Labelled(records=records, duplicates=dup_count, first_id=first)
    next_address = address_id + originals  # generator addresses use id = customer id + offset
    for number, offset in enumerate(range(0, originals, BATCH)):
        size = min(BATCH, originals - offset)
        rows, points, addresses = gen.batch(number, first + offset, size)
        by_customer = {a[A["customer_id"]]: a for a in addresses}
        for row in rows:
            if row[C["id"]] in wanted:
                kept[row[C["id"]]] = (row, by_customer.get(row[C["id"]]))
        _load(postgres, rows, points, addresses)
    dup_rows, dup_addresses = [], []
    order = list(range(dup_count))
    rng.shuffle(order)  # duplicates do not follow their originals' order
    new_id = first + originals
    for index in order:
        source = sources[index]
        row, address = _duplicate_rows(*kept[source], new_id=new_id, address_id=next_address, rng=rng)
        dup_rows.append(row)
        if address:
            dup_addresses.append(address)
            next_address += 1
        result.clusters[new_id] = source
        new_id += 1
        if len(dup_rows) >= BATCH:
            _load(postgres, dup_rows, [], dup_addresses)
            dup_rows, dup_addresses = [], []
    if dup_rows:
        _load(postgres, dup_rows, [], dup_addresses)
    if postgres:
        _reset_sequences()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE customers_customer")
            cursor.execute("ANALYZE customers_address")
    result.last_id = new_id - 1
    result.load_seconds = time.perf_counter() - started
    return result


def _load(postgres: bool, customers: list, points: list, addresses: list) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        if postgres:
            raw = cursor.cursor
            _copy(raw, "customers_customer", CUSTOMER_COLUMNS, copy_text(customers))
            _copy(raw, "customers_contactpoint", [f.column for f in ContactPoint._meta.concrete_fields],
                  copy_text(points))
            _copy(raw, "customers_address", ADDRESS_COLUMNS, copy_text(addresses))
        else:
            cursor.executemany(_insert_sql("customers_customer", CUSTOMER_COLUMNS), customers)
            if points:
                columns = [f.column for f in ContactPoint._meta.concrete_fields]
                cursor.executemany(_insert_sql("customers_contactpoint", columns), points)
            if addresses:
                cursor.executemany(_insert_sql("customers_address", ADDRESS_COLUMNS), addresses)


def evaluate(labelled: Labelled, scan) -> dict:
    """Precision and recall of the scan's pairs among the labelled customers."""
    low, high = labelled.first_id, labelled.last_id
    predicted = set(
        MatchCandidate.objects.filter(scan=scan, left_id__gte=low, left_id__lte=high, right_id__gte=low,
                                      right_id__lte=high).values_list("left_id", "right_id")
    )
    truth = labelled.truth()
    precision, recall = variants.precision_recall(predicted, truth)
    return {"predicted_pairs": len(predicted), "true_pairs": len(truth),
            "correct_pairs": len(predicted & truth), "precision": round(precision, 4), "recall": round(recall, 4)}


def run(*, records: int, duplicates: float = 0.1, seed: int = 7, threshold: float | None = None,
        on_progress=None) -> dict:
    """Load labelled customers, scan them with the production service, score the result."""
    from guanxi.accounts.access import SYSTEM
    from guanxi.customers.services.dedupe import dedupe_scan_create, dedupe_scan_run

    scan = dedupe_scan_create(actor=SYSTEM, threshold=threshold)  # checks the arguments before loading
    labelled = generate_labelled(records=records, duplicates=duplicates, seed=seed)
    t0 = time.perf_counter()
    scan = dedupe_scan_run(actor=SYSTEM, scan=scan, on_progress=on_progress)
    scan_seconds = time.perf_counter() - t0
    if scan.status != scan.Status.DONE:
        raise RuntimeError(f"the scan failed: {scan.error}")
    return {"vendor": connection.vendor, "records": labelled.records, "duplicates": labelled.duplicates,
            "customers_scanned": scan.total, "threshold": scan.threshold,
            "load_seconds": round(labelled.load_seconds, 2), "scan_seconds": round(scan_seconds, 2),
            **evaluate(labelled, scan)}
