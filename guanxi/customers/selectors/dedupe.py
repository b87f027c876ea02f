"""Reads for duplicate detection (一客一档): who may run scans, the latest scan, possible duplicates of
a customer being created."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, fields, replace
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


@dataclass(frozen=True)
class _Candidate:
    """A possible duplicate as scoring and the answer read it: the customer's own fields, the place
    of its default address and its first phone and e-mail contact points."""
    pk: int
    code: str
    kind: str
    name: str
    birth_date: datetime.date | None
    gender: str
    id_number: str
    mobile: str
    email: str
    owner_id: int | None
    team_id: int | None
    province: str | None
    city: str | None
    district: str | None
    point_phone: str | None
    point_email: str | None


def _raw_of(customer: Customer | _Candidate, place: Address | _Candidate | None = None, *,
            point_phone: str | None = None, point_email: str | None = None) -> dict:
    return {
        "id": customer.pk, "kind": customer.kind, "name": customer.name,
        "birth_date": customer.birth_date.isoformat() if customer.birth_date else None,
        "gender": customer.gender, "id_number": customer.id_number, "mobile": customer.mobile,
        "email": customer.email, "province": place.province if place else None,
        "city": place.city if place else None, "district": place.district if place else None,
        "point_phone": point_phone, "point_email": point_email,
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


def _candidates(record: dict, *, name: str, exclude: int | None) -> list[_Candidate]:
    """Live customers sharing a key with the record: phone, ID number (first 17 characters),
    e-mail, or name (pinyin) with birth date or with province. At most `_PER_KEY` per key, found by
    a UNION ALL of one indexed look-up per key and read with their default address's place and first
    phone and e-mail points in ONE statement: a customer's creation waits for one round trip, not
    seven, and builds no Customer, Address or ContactPoint objects."""
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
    union = " UNION ALL ".join(f"SELECT * FROM ({part}) k{i}" for i, (part, _) in enumerate(parts))  # nosec B608  # identifiers from code (catalogue/table definitions), values bound as parameters
    place = [f"(SELECT a.{column} FROM {addresses} a WHERE a.customer_id = c.id "  # nosec B608  # identifiers from code (catalogue/table definitions), values bound as parameters
             f"ORDER BY a.is_default DESC, a.id LIMIT 1)" for column in _PLACE_COLUMNS]
    point = (f"(SELECT p.normalized FROM {points} p WHERE p.customer_id = c.id AND p.contact_id IS NULL "  # nosec B608  # identifiers from code (catalogue/table definitions), values bound as parameters
             f"AND p.kind IN (%s, %s) ORDER BY p.id LIMIT 1)")
    columns = ", ".join(f"c.{column}" for column in _CUSTOMER_COLUMNS)
    sql = (f"SELECT {columns}, {', '.join(place)}, {point}, {point} FROM {customers} c "  # nosec B608  # identifiers from code (catalogue/table definitions), values bound as parameters
           f"WHERE c.id IN ({union})")
    params = [ContactPointKind.MOBILE, ContactPointKind.PHONE, ContactPointKind.EMAIL, ContactPointKind.EMAIL,
              *(p for _, part_params in parts for p in part_params)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [_candidate_of(row) for row in cursor.fetchall()]


# The statement's columns in the order of _Candidate's fields: the customer's own, then the look-ups.
_PLACE_COLUMNS = ("province", "city", "district")
_CUSTOMER_COLUMNS = tuple("id" if field.name == "pk" else field.name for field in fields(_Candidate)
                          if field.name not in {*_PLACE_COLUMNS, "point_phone", "point_email"})


def _candidate_of(row: tuple) -> _Candidate:
    candidate = _Candidate(*row)
    if isinstance(candidate.birth_date, str):  # SQLite hands dates back as text
        return replace(candidate, birth_date=datetime.date.fromisoformat(candidate.birth_date))
    return candidate


def customer_possible_duplicates(*, user: User, data: dict | None = None, customer: Customer | None = None,
                                 limit: int = POSSIBLE_DUPLICATE_LIMIT, new: bool = False) -> list[PossibleDuplicate]:
    """Existing live customers that may be the same as `customer` (or the unsaved `data`), scored
    with the latest trained duplicate model (else the model's defaults), most probable first.
    Names and phones are masked; `is_visible` says whether the user may open the record.
    `has_address=False`: the customer was just created without an address (nothing to read)."""
    if customer is not None:
        # A customer `new`ly created has no address yet: nothing to read.
        address = None if new else customer.addresses.order_by("-is_default", "id").first()
        raw = _raw_of(customer, address)
        exclude = customer.pk
    else:
        raw = _raw_of_data(data or {})
        exclude = None
    record = prepare_record(raw)
    if not record["name_py"] and not record["phone"] and not record["id17"] and not record["email"]:
        return []
    candidates = _candidates(record, name=raw["name"], exclude=exclude)
    if not candidates:
        return []
    weights = dedupe_weights()
    others = [prepare_record(_raw_of(c, c, point_phone=c.point_phone, point_email=c.point_email)) for c in candidates]
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
