import datetime
from decimal import Decimal

from pydantic import Field

from guanxi.core import personal_access
from guanxi.core.api import RefOut
from guanxi.core.masking import mask_address, mask_birth_date, mask_email, mask_id_number, mask_phone
from guanxi.core.schema import Schema
from guanxi.core.validators import SingleLine

from ..models import Customer
from ..permissions import PERSONAL_DATA_FIELDS
from ..selectors.customers import CustomerFilter
from .history import BillingSummaryOut, HistoryCountsOut, TimelineEventOut

# Audit-trail fields masked for roles that may not see personal data.
MASKED_AUDIT_FIELDS = PERSONAL_DATA_FIELDS
VERSION_HELP = "the version read (as If-Match); older than the record's: 409 with what changed"


class CustomerIn(Schema):
    kind: SingleLine = Field(..., max_length=20, examples=["individual"])
    name: SingleLine = Field(..., min_length=1, max_length=100, examples=["张三"])
    mobile: SingleLine = Field("", max_length=40, examples=["+86 138-0013-8000"])
    email: SingleLine = Field("", max_length=254)
    gender: SingleLine = Field("", max_length=10)
    birth_date: datetime.date | None = None
    id_type: SingleLine = Field("", max_length=20)
    id_number: SingleLine = Field("", max_length=30)
    occupation: SingleLine = Field("", max_length=50)
    industry: SingleLine = Field("", max_length=50)
    legal_representative: SingleLine = Field("", max_length=50)
    employee_count: int | None = Field(None, ge=0)
    annual_revenue: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    website: SingleLine = Field("", max_length=200)
    brand: int | None = None
    arpu: Decimal = Field(Decimal("0"), ge=0, max_digits=12, decimal_places=2)
    lifecycle_stage: SingleLine = Field("prospect", max_length=20)
    source: SingleLine = Field("call_center", max_length=20)
    owner: int | None = None
    team: int | None = None
    billing_account: SingleLine = Field("", max_length=30)
    billing_cycle_day: int | None = Field(None, ge=1, le=28)
    payment_method: SingleLine = Field("", max_length=20)
    bank_account: SingleLine = Field("", max_length=40)
    balance: Decimal = Field(Decimal("0"), max_digits=14, decimal_places=2)
    invoice_title: SingleLine = Field("", max_length=100)
    tax_number: SingleLine = Field("", max_length=30)
    credit_level: SingleLine = Field("", max_length=5)
    credit_limit: Decimal = Field(Decimal("0"), ge=0, max_digits=14, decimal_places=2)
    overdue_count: int = Field(0, ge=0)
    notes: str = Field("", max_length=5000)
    tags: list[str] = Field(default_factory=list, max_length=20)


class CustomerPatch(Schema):
    """Only the fields sent are changed."""

    kind: SingleLine | None = Field(None, max_length=20)
    name: SingleLine | None = Field(None, min_length=1, max_length=100)
    mobile: SingleLine | None = Field(None, max_length=40)
    email: SingleLine | None = Field(None, max_length=254)
    gender: SingleLine | None = Field(None, max_length=10)
    birth_date: datetime.date | None = None
    id_type: SingleLine | None = Field(None, max_length=20)
    id_number: SingleLine | None = Field(None, max_length=30)
    occupation: SingleLine | None = Field(None, max_length=50)
    industry: SingleLine | None = Field(None, max_length=50)
    brand: int | None = None
    arpu: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    lifecycle_stage: SingleLine | None = Field(None, max_length=20)
    owner: int | None = None
    team: int | None = None
    payment_method: SingleLine | None = Field(None, max_length=20)
    credit_level: SingleLine | None = Field(None, max_length=5)
    credit_limit: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    notes: str | None = Field(None, max_length=5000)
    tags: list[str] | None = Field(None, max_length=20)
    expected_updated_at: datetime.datetime | None = None
    version: int | None = Field(None, ge=1, le=2**31 - 1, description=VERSION_HELP)


class CustomerFilterIn(Schema):
    q: str = Field("", max_length=100, description="name, pinyin, initials, phone, e-mail, ID or number")
    kind: str = Field("", max_length=20)
    lifecycle_stage: str = Field("", max_length=20)
    brand: int | None = None
    owner: int | None = None
    team: int | None = None
    tag: str = Field("", max_length=30)
    province: str = Field("", max_length=20)
    arpu_min: float | None = Field(None, ge=0)
    arpu_max: float | None = Field(None, ge=0)

    def to_filter(self) -> CustomerFilter:
        return CustomerFilter(
            query=self.q, kind=self.kind, lifecycle_stage=self.lifecycle_stage, brand_id=self.brand,
            owner_id=self.owner, team_id=self.team, tag=self.tag, province=self.province,
            arpu_min=self.arpu_min, arpu_max=self.arpu_max,
        )



class CustomerRowOut(Schema):
    id: int
    code: str
    kind: str
    name: str
    mobile: str
    email: str
    brand: RefOut | None
    arpu: Decimal
    lifecycle_stage: str
    owner: RefOut | None
    team: RefOut | None
    updated_at: datetime.datetime
    personal_data_masked: bool


class ContactPointOut(Schema):
    id: int
    kind: str
    value: str
    label: str
    is_primary: bool
    contact_id: int | None


class AddressOut(Schema):
    id: int
    kind: str
    province: str
    city: str
    district: str
    street: str
    postcode: str
    is_default: bool


class ContactOut(Schema):
    id: int
    name: str
    title: str
    department: str
    is_key_person: bool


class HoldingOut(Schema):
    id: int
    product: str
    category: str
    started_on: datetime.date | None
    monthly_fee: Decimal
    status: str
    is_competitor: bool


class CustomerOut(CustomerRowOut):
    gender: str
    birth_date: datetime.date | str | None = Field(
        ..., description="YYYY-MM-DD, or ****-**-** when personal data is masked (it is part of the ID number)")
    id_type: str
    id_number: str
    occupation: str
    industry: str
    legal_representative: str
    employee_count: int | None
    annual_revenue: Decimal | None
    website: str
    source: str
    billing_account: str
    billing_cycle_day: int | None
    payment_method: str
    bank_account: str
    balance: Decimal
    invoice_title: str
    tax_number: str
    credit_level: str
    credit_limit: Decimal
    overdue_count: int
    notes: str
    created_at: datetime.datetime
    merged_into: int | None = Field(None, description="set when this record was merged into another customer")
    version: int = Field(..., description="counts the record's saves; also its ETag, for If-Match")
    tags: list[str]
    contacts: list[ContactOut]
    contact_points: list[ContactPointOut]
    addresses: list[AddressOut]
    holdings: list[HoldingOut]


class ContactPointIn(Schema):
    kind: SingleLine = Field(..., max_length=10)
    value: SingleLine = Field(..., min_length=1, max_length=254)
    label: SingleLine = Field("", max_length=30)
    contact_id: int | None = None
    is_primary: bool = False


class AddressIn(Schema):
    kind: SingleLine = Field(..., max_length=20)
    province: SingleLine = Field(..., min_length=2, max_length=20)
    city: SingleLine = Field("", max_length=30)
    district: SingleLine = Field("", max_length=30)
    street: SingleLine = Field("", max_length=200)
    postcode: SingleLine = Field("", max_length=6)
    is_default: bool = False


class ContactIn(Schema):
    name: SingleLine = Field(..., min_length=1, max_length=50)
    title: SingleLine = Field("", max_length=50)
    department: SingleLine = Field("", max_length=50)
    is_key_person: bool = False
    birth_date: datetime.date | None = None


class AuditChangeOut(Schema):
    field: str
    before: str
    after: str


class AuditEntryOut(Schema):
    when: datetime.datetime
    who: str
    action: str
    reason: str
    changes: list[AuditChangeOut]


def _ref(obj) -> dict | None:
    return {"id": obj.pk, "name": str(obj)} if obj is not None else None


def customer_row(customer: Customer, *, unmasked: bool) -> dict:
    """The list-row representation, with personal data masked unless `unmasked` (then the access
    is noted for the privacy officer's log)."""
    if unmasked:
        personal_access.note(customer.pk, personal_access.shown({"mobile": customer.mobile, "email": customer.email}))
    return {
        "id": customer.pk, "code": customer.code, "kind": customer.kind, "name": customer.name,
        "mobile": customer.mobile if unmasked else mask_phone(customer.mobile),
        "email": customer.email if unmasked else mask_email(customer.email),
        "brand": _ref(customer.brand), "arpu": customer.arpu,
        "lifecycle_stage": customer.lifecycle_stage, "owner": _ref(customer.owner),
        "team": _ref(customer.team), "updated_at": customer.updated_at,
        "personal_data_masked": not unmasked,
    }


def customer_detail(customer: Customer, profile: dict, *, unmasked: bool) -> dict:
    data = customer_row(customer, unmasked=unmasked)
    plain = ("gender", "id_type", "occupation", "industry", "legal_representative",
             "employee_count", "annual_revenue", "website", "source", "billing_account",
             "billing_cycle_day", "payment_method", "balance", "invoice_title", "tax_number",
             "credit_level", "credit_limit", "overdue_count", "notes", "created_at")
    data.update({name: getattr(customer, name) for name in plain})
    data["id_number"] = customer.id_number if unmasked else mask_id_number(customer.id_number)
    data["birth_date"] = customer.birth_date if unmasked else (mask_birth_date(customer.birth_date) or None)
    data["bank_account"] = customer.bank_account if unmasked else mask_id_number(customer.bank_account)
    data["merged_into"] = customer.merged_into_id
    data["version"] = customer.version
    data["tags"] = profile["tags"]
    data["contacts"] = profile["contacts"]
    data["holdings"] = profile["holdings"]
    data["contact_points"] = [
        {"id": p.pk, "kind": p.kind, "label": p.label, "is_primary": p.is_primary,
         "contact_id": p.contact_id, "value": p.value if unmasked else _mask_point(p)}
        for p in profile["contact_points"]
    ]
    data["addresses"] = [
        {"id": a.pk, "kind": a.kind, "province": a.province, "city": a.city,
         "district": a.district, "street": a.street if unmasked else mask_address(a.street),
         "postcode": a.postcode, "is_default": a.is_default}
        for a in profile["addresses"]
    ]
    if unmasked:
        personal_access.note(customer.pk, [
            *personal_access.shown({"id_number": customer.id_number, "birth_date": customer.birth_date,
                                    "bank_account": customer.bank_account}),
            *sorted({f"contact_point:{p.kind}" for p in profile["contact_points"] if p.value}),
            *(["street"] if any(a.street for a in profile["addresses"]) else [])])
    return data


def _mask_point(point) -> str:
    if point.kind in ("mobile", "phone"):
        return mask_phone(point.value)
    if point.kind == "email":
        return mask_email(point.value)
    return mask_id_number(point.value)




class CustomerValueOut(Schema):
    tier: str
    arpu: Decimal
    products_held: int
    competitor_products: int


class Customer360Out(Schema):
    customer: CustomerOut
    value: CustomerValueOut
    billing: BillingSummaryOut
    history: HistoryCountsOut
    timeline: list[TimelineEventOut]
    timeline_next_cursor: str | None = Field(None, description="GET /customers/{id}/timeline?cursor=… for more")
    next_best_offers: list[dict] = Field(default_factory=list, description="filled by the marketing module")
