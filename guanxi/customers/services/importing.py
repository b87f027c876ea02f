"""Import customers from rows of an outside file (POS, call center, partners), all or nothing."""

import datetime
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction

from guanxi.accounts.models import User
from guanxi.core.errors import DomainError, ValidationFailed

from .. import normalize
from ..enums import AddressKind, CustomerKind, Gender, IdType, LifecycleStage, SourceChannel
from ..models import Brand
from ..regions import province_normalize
from .customers import customer_create
from .profile import address_add

KIND_VALUES = {
    "individual": CustomerKind.INDIVIDUAL, "个人": CustomerKind.INDIVIDUAL, "个人客户": CustomerKind.INDIVIDUAL,
    "organisation": CustomerKind.ORGANISATION, "organization": CustomerKind.ORGANISATION,
    "企业": CustomerKind.ORGANISATION, "单位": CustomerKind.ORGANISATION, "组织": CustomerKind.ORGANISATION,
    "机构": CustomerKind.ORGANISATION, "公司": CustomerKind.ORGANISATION, "政企": CustomerKind.ORGANISATION,
    "集团客户": CustomerKind.ORGANISATION,
}
ID_TYPE_VALUES = {
    "身份证": IdType.RESIDENT_ID, "居民身份证": IdType.RESIDENT_ID, "护照": IdType.PASSPORT,
    "统一社会信用代码": IdType.CREDIT_CODE, "信用代码": IdType.CREDIT_CODE, "营业执照": IdType.CREDIT_CODE,
    "其他": IdType.OTHER, "其它": IdType.OTHER,
}
LIFECYCLE_VALUES = {
    "潜在": LifecycleStage.PROSPECT, "潜在客户": LifecycleStage.PROSPECT, "新客户": LifecycleStage.NEW,
    "新": LifecycleStage.NEW, "成长": LifecycleStage.GROWING, "成长期": LifecycleStage.GROWING,
    "成熟": LifecycleStage.MATURE, "成熟期": LifecycleStage.MATURE, "风险": LifecycleStage.AT_RISK,
    "流失预警": LifecycleStage.AT_RISK, "有流失风险": LifecycleStage.AT_RISK, "流失": LifecycleStage.CHURNED,
    "已流失": LifecycleStage.CHURNED,
}
GENDER_VALUES = {"男": Gender.MALE, "女": Gender.FEMALE, "m": Gender.MALE, "f": Gender.FEMALE}
TAG_SEPARATORS = re.compile(r"[,，、;；|]")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")
# Passed to customer_create as they are; the service validates them.
PLAIN_FIELDS = ("name", "mobile", "email", "id_number", "industry", "notes")


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)

    @property
    def is_committed(self) -> bool:
        return not self.dry_run and not self.errors

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors})


def _choice(value: str, values: dict, enum) -> str:
    """An enum value from its code, English label or Chinese name; unknown text passes through so
    that the service reports it."""
    text = value.strip()
    key = text.lower().replace(" ", "_").replace("-", "_")
    if key in enum.values:
        return key
    labels = {str(label).lower(): code for code, label in enum.choices}
    return values.get(text) or values.get(text.lower()) or labels.get(text.lower()) or text


def _date(value: str) -> str:
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value.strip(), fmt).date().isoformat()
        except ValueError:
            continue
    return value  # the service says what is wrong with it


class _Lookups:
    """Brands and owners by name, loaded once per import."""

    def __init__(self):
        self.brands: dict[str, Brand] = {}
        for brand in Brand.objects.all():
            self.brands[brand.code.lower()] = brand
            self.brands[brand.name.lower()] = brand
        self.users: dict[str, User | None] = {}

    def user(self, username: str) -> User | None:
        if username not in self.users:
            self.users[username] = User.objects.select_related("team").filter(username=username).first()
        return self.users[username]


def _customer_data(row: dict[str, str], lookups: _Lookups) -> tuple[dict, list[str], dict, dict[str, str]]:
    """Service arguments from one file row: (customer data, tags, address, errors found here)."""
    errors: dict[str, str] = {}
    data: dict = {f: row[f] for f in PLAIN_FIELDS if row.get(f)}
    data["name"] = row.get("name", "")
    data["kind"] = _choice(row.get("kind", ""), KIND_VALUES, CustomerKind)
    data["source"] = SourceChannel.IMPORT
    if row.get("gender"):
        data["gender"] = _choice(row["gender"], GENDER_VALUES, Gender)
    if row.get("lifecycle_stage"):
        data["lifecycle_stage"] = _choice(row["lifecycle_stage"], LIFECYCLE_VALUES, LifecycleStage)
    if row.get("arpu"):
        data["arpu"] = row["arpu"].replace("¥", "").replace("￥", "").replace(",", "").strip()
    if row.get("birth_date"):
        data["birth_date"] = _date(row["birth_date"])
    if row.get("id_type"):
        data["id_type"] = _choice(row["id_type"], ID_TYPE_VALUES, IdType)
    elif row.get("id_number"):
        data["id_type"] = IdType.CREDIT_CODE if data["kind"] == CustomerKind.ORGANISATION else (
            IdType.RESIDENT_ID if len(normalize.id_number_normalize(row["id_number"])) == 18 else IdType.OTHER)
    if row.get("brand"):
        brand = lookups.brands.get(row["brand"].strip().lower())
        if brand is None:
            errors["brand"] = f"unknown brand {row['brand']!r}"
        data["brand"] = brand
    if row.get("owner"):
        owner = lookups.user(row["owner"].strip())
        if owner is None:
            errors["owner"] = f"unknown user {row['owner']!r}"
        data["owner"] = owner
    if row.get("_extra"):
        errors["row"] = row["_extra"]
    tags = [t.strip() for t in TAG_SEPARATORS.split(row.get("tags", "")) if t.strip()]
    address = {k: row[k] for k in ("province", "city", "district", "street") if row.get(k)}
    if address and province_normalize(address.get("province", "")) is None:
        # address_add says the same, but only once the customer exists; say it in any case.
        errors["province"] = "not a province of China"
    return data, tags, address, errors


def _duplicate_keys(row: dict[str, str]) -> dict[str, str]:
    keys = {}
    if row.get("mobile") and (phone := normalize.phone_normalize(row["mobile"])):
        keys["mobile"] = phone
    if row.get("id_number"):
        keys["id_number"] = normalize.id_number_normalize(row["id_number"])
    return keys


def customer_import(
    *, actor: User, rows: Iterable[tuple[int, dict[str, str]]], dry_run: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Create one customer (and its address) per row through `customer_create` and `address_add`,
    in one transaction. Every row is checked; if any fails, or on a dry run, nothing is kept.
    Rows are consumed one at a time, so memory stays flat however long the file."""
    report = ImportReport(dry_run=dry_run)
    lookups = _Lookups()
    seen: dict[tuple[str, str], int] = {}
    with transaction.atomic():
        for number, row in rows:
            report.rows += 1
            row_errors = _import_row(actor=actor, number=number, row=row, lookups=lookups, seen=seen)
            if row_errors:
                report.errors += row_errors
            else:
                report.created += 1
            if on_progress:
                on_progress(1)
        if report.errors or dry_run:
            transaction.set_rollback(True)
    if report.errors:
        report.created = 0  # rolled back
    return report


def _import_row(*, actor, number: int, row: dict, lookups: _Lookups, seen: dict) -> list[RowError]:
    data, tags, address, errors = _customer_data(row, lookups)
    for key, value in _duplicate_keys(row).items():
        first = seen.setdefault((key, value), number)
        if first != number:
            errors[key] = f"same {key.replace('_', ' ')} as row {first}"
    # Fields already found bad are left out so that the service reports everything else.
    data = {k: v for k, v in data.items() if k not in errors}
    service_errors = _create(actor=actor, data=data, tags=tags, address=address)
    return [RowError(number, f, m) for f, m in {**service_errors, **errors}.items()]


def _create(*, actor, data: dict, tags: list[str], address: dict) -> dict[str, str]:
    try:
        # A savepoint per row: a row whose address fails leaves no customer behind, and the
        # following rows are still checked against a consistent database.
        with transaction.atomic():
            customer = customer_create(actor=actor, data=data, tags=tags)
            if address:
                kind = AddressKind.OFFICE if customer.is_organisation else AddressKind.HOME
                address_add(actor=actor, customer=customer, kind=kind, is_default=True,
                            province=address.get("province", ""), city=address.get("city", ""),
                            district=address.get("district", ""), street=address.get("street", ""))
    except ValidationFailed as exc:
        return {f: str(m) for f, m in (exc.fields or {"row": exc.message}).items()}
    except DomainError as exc:
        return {"row": exc.message}
    return {}
