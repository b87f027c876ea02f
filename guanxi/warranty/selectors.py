"""Reads of warranty records, scoped by who may read the sale's customer."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import User
from guanxi.catalog.models import Part as CatalogPart
from guanxi.catalog.models import Product
from guanxi.core.errors import NotFound, ValidationFailed
from guanxi.customers.selectors import customer_visible_to

from . import engine, permissions
from .engine import Period, RuleParameters
from .models import (
    ExchangeRecord,
    Part,
    PeriodUnit,
    ProductSale,
    RepairRecord,
    SerialNumber,
    WarrantyDecision,
    WarrantyPolicy,
    WarrantyRule,
)


def sale_list(*, user: User) -> QuerySet[ProductSale]:
    """Sales of customers the user may read."""
    return ProductSale.objects.filter(customer__in=customer_visible_to(user=user)).select_related(
        "serial__product", "customer")


def sale_get_for_user(*, user: User, sale_id: int) -> ProductSale:
    """404 for a sale that does not exist and for one of a customer the user may not read."""
    sale = sale_list(user=user).filter(pk=sale_id).first()
    if sale is None:
        raise NotFound("Sale not found.")
    return sale


def sale_get_by_serial_for_user(*, user: User, serial: str) -> ProductSale:
    """The latest sale of a serial number, if its customer is readable by the user."""
    sale = sale_list(user=user).filter(serial__serial=serial.strip()).order_by("-sold_at", "-id").first()
    if sale is None:
        raise NotFound("No sale of this serial number found.")
    return sale


def serial_by_number(*, serial: str) -> SerialNumber | None:
    """The unit with this serial number, whoever may see it (for services acting as the system)."""
    return SerialNumber.objects.filter(serial=serial.strip()).first()


def serial_get_for_user(*, user: User, serial: str) -> tuple[SerialNumber, ProductSale | None]:
    """A serial and its latest sale. An unsold serial is shown only to roles that read every customer;
    a sold one only to those who may read its customer."""
    unit = SerialNumber.objects.select_related("product").filter(serial=serial.strip()).first()
    if unit is None:
        raise NotFound("Serial number not found.")
    sale = unit.sales.select_related("customer").order_by("-sold_at", "-id").first()
    if sale is None:
        if not permissions.reads_every_unit(user):
            raise NotFound("Serial number not found.")
        return unit, None
    if not customer_visible_to(user=user).filter(pk=sale.customer_id).exists():
        raise NotFound("Serial number not found.")
    return unit, sale


def decision_get_for_user(*, user: User, decision_id: int) -> WarrantyDecision:
    decision = (WarrantyDecision.objects.select_related("sale__serial__product", "part__policy", "asked_by")
                .filter(pk=decision_id, sale__customer__in=customer_visible_to(user=user)).first())
    if decision is None:
        raise NotFound("Warranty decision not found.")
    return decision


def part_of_product(*, product_id: int, code: str) -> Part | None:
    return (Part.objects.select_related("policy", "component")
            .filter(component__product_id=product_id, policy__code=code).first())


def rule_parameters() -> RuleParameters:
    """The rules' numbers as the administrator set them (defaults for rows that are missing)."""
    return RuleParameters.from_values(dict(WarrantyRule.objects.values_list("code", "value")))


def part_period(part: Part) -> Period:
    policy = part.policy
    if policy.period_unit == PeriodUnit.DAYS:
        return Period(days=policy.period_value)
    return Period(months=policy.period_value)


def repairs_of(*, sale: ProductSale, part: Part) -> QuerySet[RepairRecord]:
    return RepairRecord.objects.filter(serial_id=sale.serial_id, part=part).order_by("started_at", "id")


def exchange_dates(*, sale: ProductSale, part: Part) -> list:
    """Days the part, or the whole product, was exchanged."""
    return list(ExchangeRecord.objects.filter(Q(part__isnull=True) | Q(part=part), sale=sale)
                .order_by("exchanged_on").values_list("exchanged_on", flat=True))


@dataclass(frozen=True)
class DecisionFilter:
    sale_id: int | None = None
    serial: str = ""
    remedy: str = ""


def decision_list(*, user: User, filters: DecisionFilter = DecisionFilter()) -> QuerySet[WarrantyDecision]:
    """Decisions on customers the user may read, newest first."""
    qs = WarrantyDecision.objects.filter(sale__customer__in=customer_visible_to(user=user))
    if filters.sale_id is not None:
        qs = qs.filter(sale_id=filters.sale_id)
    if filters.serial.strip():
        qs = qs.filter(sale__serial__serial=filters.serial.strip())
    if filters.remedy.strip():
        qs = qs.filter(remedy=filters.remedy.strip())
    return (qs.select_related("sale__serial__product", "sale__customer", "part__policy", "asked_by")
            .order_by("-created_at", "-id"))


def _reads_customers(user: User) -> bool:
    return permissions.can(user, "product", "read")


def product_list(*, user: User, q: str = "", brand: str = "", category: str = "",
                 with_parts: bool = False) -> QuerySet[Product]:
    """The catalogue's products, for every role that reads customers; `q` matches the model code or
    the name, `category` a category's code or name; `with_parts` fetches the 三包 coverage of each
    product's parts (`covered_parts`: catalogue parts with their coverage and policy), by code."""
    qs = Product.objects.select_related("category") if _reads_customers(user) else Product.objects.none()
    if with_parts:
        qs = qs.prefetch_related(Prefetch(
            "parts", queryset=CatalogPart.objects.filter(coverage__isnull=False)
            .select_related("coverage__policy").order_by("coverage__policy__code"), to_attr="covered_parts"))
    if q.strip():
        qs = qs.filter(Q(model_code__icontains=q.strip()) | Q(name__icontains=q.strip()))
    if brand.strip():
        qs = qs.filter(brand=brand.strip())
    if category.strip():
        qs = qs.filter(Q(category__code=category.strip()) | Q(category__name=category.strip()))
    return qs


def product_get_for_user(*, user: User, product_id: int) -> Product:
    product = product_list(user=user).filter(pk=product_id).first()
    if product is None:
        raise NotFound(_("Product not found."))
    return product


def coverages_of(*, product_id: int) -> QuerySet[Part]:
    """The 三包 coverage of a product's parts, by policy code."""
    return (Part.objects.filter(component__product_id=product_id).select_related("policy", "component")
            .order_by("policy__code"))


def part_list(*, user: User, product_id: int | None = None, code: str = "") -> QuerySet[Part]:
    qs = Part.objects.select_related("component", "policy") if _reads_customers(user) else Part.objects.none()
    if product_id is not None:
        qs = qs.filter(component__product_id=product_id)
    if code.strip():
        qs = qs.filter(policy__code=code.strip())
    return qs


def part_get_for_user(*, user: User, part_id: int) -> Part:
    part = part_list(user=user).filter(pk=part_id).first()
    if part is None:
        raise NotFound(_("Part not found."))
    return part


def policy_get(*, code: str) -> WarrantyPolicy | None:
    return WarrantyPolicy.objects.filter(code=code.strip()).first()


def _sold_to_visible(user: User, serial_ref: str = "pk") -> Exists:
    return Exists(ProductSale.objects.filter(serial_id=OuterRef(serial_ref),
                                             customer__in=customer_visible_to(user=user)))


def serial_list(*, user: User, product_id: int | None = None, q: str = "", sold: bool | None = None
                ) -> QuerySet[SerialNumber]:
    """Units the user may see: sold ones by their customers; unsold ones only for roles that read
    every customer. `q` matches the start of the serial number."""
    qs = SerialNumber.objects.select_related("product")
    if not _reads_customers(user):
        return qs.none()
    if not permissions.reads_every_unit(user):
        qs = qs.filter(_sold_to_visible(user))
    if product_id is not None:
        qs = qs.filter(product_id=product_id)
    if q.strip():
        qs = qs.filter(serial__startswith=q.strip())
    if sold is not None:
        has_sale = Exists(ProductSale.objects.filter(serial_id=OuterRef("pk")))
        qs = qs.filter(has_sale if sold else ~has_sale)
    return qs


def serial_get_for_update(*, user: User, serial: str) -> SerialNumber:
    """A serial the user may see, by its number (404 otherwise)."""
    unit = serial_list(user=user).filter(serial=serial.strip()).first()
    if unit is None:
        raise NotFound(_("Serial number not found."))
    return unit


@dataclass(frozen=True)
class SaleFilter:
    customer_id: int | None = None
    serial: str = ""
    product_id: int | None = None
    sold_from: dt.date | None = None
    sold_to: dt.date | None = None


def sale_list_filtered(*, user: User, filters: SaleFilter) -> QuerySet[ProductSale]:
    qs = sale_list(user=user)
    if filters.customer_id is not None:
        qs = qs.filter(customer_id=filters.customer_id)
    if filters.serial.strip():
        qs = qs.filter(serial__serial=filters.serial.strip())
    if filters.product_id is not None:
        qs = qs.filter(serial__product_id=filters.product_id)
    if filters.sold_from:
        qs = qs.filter(sold_at__gte=filters.sold_from)
    if filters.sold_to:
        qs = qs.filter(sold_at__lte=filters.sold_to)
    return qs


@dataclass(frozen=True)
class RepairFilter:
    serial: str = ""
    part: str = ""
    is_open: bool | None = None
    ticket_id: int | None = None
    started_from: dt.date | None = None
    started_to: dt.date | None = None


def repair_list(*, user: User, filters: RepairFilter = RepairFilter()) -> QuerySet[RepairRecord]:
    """Repairs of units sold to customers the user may read (every repair for roles that read all)."""
    qs = RepairRecord.objects.select_related("serial__product", "part__policy")
    if not _reads_customers(user):
        return qs.none()
    if not permissions.reads_every_unit(user):
        qs = qs.filter(_sold_to_visible(user, "serial_id"))
    if filters.serial.strip():
        qs = qs.filter(serial__serial=filters.serial.strip())
    if filters.part.strip():
        qs = qs.filter(part__policy__code=filters.part.strip())
    if filters.is_open is not None:
        qs = qs.filter(finished_at__isnull=filters.is_open)
    if filters.ticket_id is not None:
        qs = qs.filter(ticket_id=filters.ticket_id)
    if filters.started_from:
        qs = qs.filter(started_at__gte=filters.started_from)
    if filters.started_to:
        qs = qs.filter(started_at__lte=filters.started_to)
    return qs


def repair_get_for_user(*, user: User, repair_id: int) -> RepairRecord:
    repair = repair_list(user=user).filter(pk=repair_id).first()
    if repair is None:
        raise NotFound(_("Repair not found."))
    return repair


@dataclass(frozen=True)
class ExchangeFilter:
    sale_id: int | None = None
    serial: str = ""
    exchanged_from: dt.date | None = None
    exchanged_to: dt.date | None = None


def exchange_list(*, user: User, filters: ExchangeFilter = ExchangeFilter()) -> QuerySet[ExchangeRecord]:
    qs = (ExchangeRecord.objects.filter(sale__customer__in=customer_visible_to(user=user))
          .select_related("sale__serial", "part__policy"))
    if filters.sale_id is not None:
        qs = qs.filter(sale_id=filters.sale_id)
    if filters.serial.strip():
        qs = qs.filter(sale__serial__serial=filters.serial.strip())
    if filters.exchanged_from:
        qs = qs.filter(exchanged_on__gte=filters.exchanged_from)
    if filters.exchanged_to:
        qs = qs.filter(exchanged_on__lte=filters.exchanged_to)
    return qs


def exchange_get_for_user(*, user: User, exchange_id: int) -> ExchangeRecord:
    record = exchange_list(user=user).filter(pk=exchange_id).first()
    if record is None:
        raise NotFound(_("Exchange not found."))
    return record


def first_sale_day(*, serial: SerialNumber) -> dt.date | None:
    """The day the unit was first sold: no repair or exchange of it can be older."""
    return serial.sales.order_by("sold_at").values_list("sold_at", flat=True).first()


def serial_for_sale(*, user: User, serial: str) -> SerialNumber:
    """The unit a new sale is of: an unsold one by its number (it is on the box), or a sold one the
    user may see (a resale); anything else reads as unknown."""
    unit = SerialNumber.objects.select_related("product").filter(serial=serial.strip()).first()
    if unit is not None and unit.sales.exists() and not serial_list(user=user).filter(pk=unit.pk).exists():
        unit = None
    if unit is None:
        raise ValidationFailed(fields={"serial": _("unknown serial number")})
    return unit


# ---------------------------------------------------------------- the 三包 engine's inputs and a unit's status


def claim_of(*, sale: ProductSale, part: Part, fault_date, as_of, customer_wants, stock_available,
             repairs) -> engine.Claim:
    """The 三包 engine's view of a fault of one part of a sold unit."""
    return engine.Claim(
        sold_on=sale.sold_at, fault_date=fault_date, as_of=as_of, period=part_period(part),
        price=sale.price, proof_kind=engine.ProofKind(sale.proof_kind), proof_date=sale.invoice_date,
        factory_date=sale.serial.factory_date, is_main_unit=part.policy.is_main_unit, is_gift=sale.is_gift,
        customer_wants=engine.Remedy(customer_wants) if customer_wants else None, stock_available=stock_available,
        repairs=tuple(repairs), exchanges=tuple(exchange_dates(sale=sale, part=part)),
    )


def repairs_as_of(*, sale: ProductSale, part: Part, as_of: dt.date) -> list[engine.Repair]:
    """The part's repair records as they stood on `as_of`: later repairs left out, repairs finished
    after it still open."""
    return [engine.Repair(r.started_at, r.finished_at if r.finished_at and r.finished_at <= as_of else None)
            for r in repairs_of(sale=sale, part=part) if r.started_at <= as_of]


def serial_status(*, sale: ProductSale | None, unit: SerialNumber, as_of: dt.date | None = None) -> list[dict]:
    """Each part of a unit with the start and end of its period as of a day (today by default): the
    三包 engine run on a fault of that day, nothing stored."""
    as_of = as_of or timezone.localdate()
    rows = []
    params = rule_parameters()
    for part in coverages_of(product_id=unit.product_id):
        row = {"code": part.code, "name": part.policy.name, "start_date": None, "end_date": None,
               "is_in_period": None}
        if sale is not None:
            repairs = [engine.Repair(r.started_at, r.finished_at) for r in repairs_of(sale=sale, part=part)]
            day = max(as_of, sale.sold_at)
            claim = claim_of(sale=sale, part=part, fault_date=day, as_of=day, customer_wants=None,
                             stock_available=True, repairs=repairs)
            try:
                result = engine.decide(claim, params)
            except engine.InvalidClaim:
                result = None
            if result is not None:
                row.update(start_date=result.start_date, end_date=result.end_date, is_in_period=result.is_in_period)
        rows.append(row)
    return rows
