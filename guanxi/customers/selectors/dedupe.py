"""Reads for duplicate detection (一客一档): who may run scans, the latest scan, possible duplicates of
a customer being created."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import lru_cache

from django.db import connection

from guanxi.accounts.models import User
from guanxi.core.errors import NotFound
from guanxi.core.masking import mask_phone

from .. import normalize, permissions
from ..enums import ContactPointKind
from ..linkage.model import LevelWeights, score_pairs
from ..linkage.records import prepare_record
from ..models import Address, ContactPoint, Customer, DedupeModel, DedupeScan

# Possible duplicates shown when a customer is created: at least this probable, at most this many.
POSSIBLE_DUPLICATE_MIN_PROBABILITY = 0.5
POSSIBLE_DUPLICATE_LIMIT = 5
_PER_KEY = 20  # candidates read per shared key before scoring


def can_run_dedupe(user) -> bool:
    """Scans and merges act on the whole customer base: only roles that may change and delete
    every customer (administrators, service managers) run them."""
    return permissions.can(user, "dedupe", "write")


def dedupe_scan_latest() -> DedupeScan | None:
    return DedupeScan.objects.select_related("requested_by").order_by("-created_at", "-id").first()


def dedupe_scan_get_for_user(*, user: User, scan_id: int) -> DedupeScan:
    permissions.require(user, "dedupe", "write")
    scan = DedupeScan.objects.select_related("requested_by").filter(pk=scan_id).first()
    if scan is None:
        raise NotFound("Scan not found.")
    return scan


def dedupe_weights() -> LevelWeights:
    """The level weights of the latest trained model, else the defaults."""
    latest = DedupeModel.objects.order_by("-created_at", "-id").values_list("pk", flat=True).first()
    return _weights_of(latest) if latest else LevelWeights.defaults()


@lru_cache(maxsize=4)
def _weights_of(model_id: int) -> LevelWeights:
    settings = DedupeModel.objects.filter(pk=model_id).values_list("settings", flat=True).first()
    return LevelWeights.from_settings(settings or {})


@dataclass(frozen=True)
class PossibleDuplicate:
    customer_id: int
    code: str
    name_masked: str
    mobile_masked: str
    probability: float
    reasons: list[dict]
    is_visible: bool

    @property
    def percent(self) -> int:
        return round(self.probability * 100)


def mask_name(name: str) -> str:
    """张三 → 张*, 张三丰 → 张*丰, Zhang Wei → Z*** W**: enough to recognise, not to copy."""
    name = (name or "").strip()
    if not name:
        return ""
    if name.isascii():
        return " ".join(word[:1] + "*" * (len(word) - 1) for word in name.split())
    if len(name) <= 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def _raw_of(customer: Customer, address: Address | None, points: dict) -> dict:
    return {
        "id": customer.pk, "kind": customer.kind, "name": customer.name,
        "birth_date": customer.birth_date.isoformat() if customer.birth_date else None,
        "gender": customer.gender, "id_number": customer.id_number, "mobile": customer.mobile,
        "email": customer.email, "province": address.province if address else None,
        "city": address.city if address else None, "district": address.district if address else None,
        "point_phone": points.get("phone"), "point_email": points.get("email"),
    }


def _raw_of_data(data: dict) -> dict:
    birth = data.get("birth_date")
    if isinstance(birth, datetime.date):
        birth = birth.isoformat()
    return {
        "id": None, "kind": data.get("kind") or "individual", "name": data.get("name") or "",
        "birth_date": birth or None, "gender": data.get("gender") or "", "id_number": data.get("id_number") or "",
        "mobile": data.get("mobile") or "", "email": data.get("email") or "",
        "province": data.get("province"), "city": data.get("city"), "district": data.get("district"),
        "point_phone": None, "point_email": None,
    }


def _candidate_ids(record: dict, *, name: str, exclude: int | None) -> list[int]:
    """Live customers sharing a key with the record: phone, ID number (first 17 characters),
    e-mail, or name (pinyin) with birth date or with province. At most `_PER_KEY` per key, read
    in ONE statement (a UNION ALL of one indexed look-up per key): a customer's creation waits
    for one round trip, not seven."""
    customers, points = Customer._meta.db_table, ContactPoint._meta.db_table
    addresses = Address._meta.db_table
    # A person is never an organisation; a merged or deleted record is no candidate.
    live = f"c.deleted_at IS NULL AND c.kind = %s{' AND c.id <> %s' if exclude else ''}"
    base = [record["kind"], *([exclude] if exclude else [])]
    parts: list[tuple[str, list]] = []

    def take(where: str, params: list, join: str = "") -> None:
        parts.append((f"SELECT c.id FROM {customers} c {join}WHERE {live} AND {where} LIMIT {_PER_KEY}",  # nosec B608  # identifiers from code (catalogue/table definitions), values bound as parameters
                      [*base, *params]))

    def via_points(kinds: tuple[str, ...], value: str) -> None:
        marks = ", ".join(["%s"] * len(kinds))
        take(f"c.id IN (SELECT p.customer_id FROM {points} p WHERE p.normalized = %s AND p.kind IN ({marks}) "  # nosec B608  # identifiers from code (catalogue/table definitions), values bound as parameters
             f"LIMIT {_PER_KEY})", [value, *kinds])

    if record["phone"]:
        take("c.mobile = %s", [record["phone"]])
        via_points((ContactPointKind.MOBILE, ContactPointKind.PHONE), record["phone"])
    if record["id17"]:
        # A normalised resident ID is digits (and a final X): no LIKE wildcard in it.
        take("c.id_number LIKE %s", [record["id17"] + "%"])
        number = record["id_number"]
        if len(number) == 18 and number[6:8] == "19":  # stored in its old 15-digit form
            take("c.id_number = %s", [number[:6] + number[8:17]])
    if record["email"]:
        take("c.email = %s", [record["email"]])
        via_points((ContactPointKind.EMAIL,), record["email"])
    pinyin = normalize.name_pinyin(name or "")[:300]
    if pinyin:
        if record["dob"]:
            take("c.name_pinyin = %s AND c.birth_date = %s", [pinyin, record["dob"]])
        if record["province"]:
            take("c.name_pinyin = %s AND a.province = %s", [pinyin, record["province"]],
                 join=f"JOIN {addresses} a ON a.customer_id = c.id ")
    if not parts:
        return []
    sql = " UNION ALL ".join(f"SELECT * FROM ({part}) k{i}" for i, (part, _) in enumerate(parts))  # nosec B608  # identifiers from code (catalogue/table definitions), values bound as parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [p for _, params in parts for p in params])
        return list(dict.fromkeys(row[0] for row in cursor.fetchall()))


def customer_possible_duplicates(*, user: User, data: dict | None = None, customer: Customer | None = None,
                                 limit: int = POSSIBLE_DUPLICATE_LIMIT, new: bool = False) -> list[PossibleDuplicate]:
    """Existing live customers that may be the same as `customer` (or the unsaved `data`), scored
    with the latest trained duplicate model (else the model's defaults), most probable first.
    Names and phones are masked; `is_visible` says whether the user may open the record.
    `has_address=False`: the customer was just created without an address (nothing to read)."""
    if customer is not None:
        # A customer `new`ly created has no address yet: nothing to read.
        address = None if new else customer.addresses.order_by("-is_default", "id").first()
        raw = _raw_of(customer, address, {})
        exclude = customer.pk
    else:
        raw = _raw_of_data(data or {})
        exclude = None
    record = prepare_record(raw)
    if not record["name_py"] and not record["phone"] and not record["id17"] and not record["email"]:
        return []
    ids = _candidate_ids(record, name=raw["name"], exclude=exclude)
    if not ids:
        return []
    candidates = list(Customer.objects.filter(pk__in=ids))
    addresses: dict[int, Address] = {}
    for address in Address.objects.filter(customer_id__in=ids).order_by("customer_id", "-is_default", "id"):
        addresses.setdefault(address.customer_id, address)
    points: dict[int, dict] = {}
    for point in ContactPoint.objects.filter(customer_id__in=ids, contact__isnull=True).order_by("id"):
        kind = "email" if point.kind == ContactPointKind.EMAIL else (
            "phone" if point.kind in (ContactPointKind.MOBILE, ContactPointKind.PHONE) else None)
        if kind:
            points.setdefault(point.customer_id, {}).setdefault(kind, point.normalized)
    weights = dedupe_weights()
    others = [prepare_record(_raw_of(c, addresses.get(c.pk), points.get(c.pk, {}))) for c in candidates]
    found = []
    for other, score in zip(candidates, score_pairs(record, others, weights), strict=True):
        if score.probability < POSSIBLE_DUPLICATE_MIN_PROBABILITY:
            continue
        found.append(PossibleDuplicate(
            customer_id=other.pk, code=other.code, name_masked=mask_name(other.name),
            mobile_masked=mask_phone(other.mobile), probability=round(score.probability, 4),
            reasons=[r for r in score.reasons if r["weight"] > 0][:4],
            is_visible=permissions.customer_in_scope(user, other),
        ))
    found.sort(key=lambda d: (-d.probability, d.customer_id))
    return found[:limit]
