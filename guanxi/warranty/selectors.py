"""Reads of warranty records, scoped by who may read the sale's customer."""

from django.db.models import Q, QuerySet

from guanxi.accounts.models import User
from guanxi.accounts.roles import Scope, policy_for
from guanxi.core.errors import NotFound
from guanxi.customers.selectors import customer_visible_to

from .engine import Period, RuleParameters
from .models import (
    ExchangeRecord,
    Part,
    PeriodUnit,
    ProductSale,
    RepairRecord,
    SerialNumber,
    WarrantyDecision,
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


def serial_get_for_user(*, user: User, serial: str) -> tuple[SerialNumber, ProductSale | None]:
    """A serial and its latest sale. An unsold serial is shown only to roles that read every customer;
    a sold one only to those who may read its customer."""
    unit = SerialNumber.objects.select_related("product").filter(serial=serial.strip()).first()
    if unit is None:
        raise NotFound("Serial number not found.")
    sale = unit.sales.select_related("customer").order_by("-sold_at", "-id").first()
    if sale is None:
        if policy_for(user).read is not Scope.ALL:
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
    return Part.objects.select_related("policy").filter(product_id=product_id, policy__code=code).first()


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


def decision_list(*, user: User) -> QuerySet[WarrantyDecision]:
    """Decisions on customers the user may read, newest first."""
    return (WarrantyDecision.objects.filter(sale__customer__in=customer_visible_to(user=user))
            .select_related("sale__serial__product", "sale__customer", "part__policy", "asked_by")
            .order_by("-created_at", "-id"))
