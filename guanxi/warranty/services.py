"""Writes of the warranty app: products, serials, sales, repairs, exchanges and decisions."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from guanxi.accounts.access import is_system, user_of
from guanxi.catalog import selectors as catalog_selectors
from guanxi.catalog import services as catalog_services
from guanxi.catalog.models import Product
from guanxi.core.errors import Conflict, ValidationFailed
from guanxi.customers.models import Customer
from guanxi.customers.selectors import customer_get_for_user

from . import engine, permissions, selectors
from .models import (
    ExchangeRecord,
    Part,
    ProductSale,
    ProofKind,
    RepairRecord,
    SerialNumber,
    WarrantyDecision,
    WarrantyPolicy,
)

# What a customer may ask for; loaners and paid repairs are not a customer's choice.
CUSTOMER_CHOICES = ("refund", "exchange", "repair", "refund_with_depreciation")


def _category(label: str):
    """The catalogue category a free-text label names (by code, then by name); none for ""."""
    label = (label or "").strip()
    if not label:
        return None
    category = catalog_selectors.category_by_label(label)
    if category is None:
        raise ValidationFailed(fields={"category": _("unknown category")})
    return category


def _cover(actor, product: Product, policy: WarrantyPolicy) -> Part:
    """Cover the catalogue part named by the policy's code (made when the product lacks it)."""
    if Part.objects.filter(component__product=product, policy=policy).exists():
        raise Conflict(_("This product already has this part."), code="exists")
    component = catalog_selectors.part_get(product=product, code=policy.code) or catalog_services.part_add(
        actor=actor, product=product, code=policy.code, name=policy.name)
    if Part.objects.filter(component=component).exists():
        raise Conflict(_("This product already has this part."), code="exists")
    part = Part(component=component, policy=policy)
    part._history_user = user_of(actor)
    part.save()
    return part


@transaction.atomic
def product_create(*, actor, model_code: str, name: str, brand: str = "", category: str = "",
                   part_codes: list[str] | None = None) -> Product:
    """A catalogue product and the 三包 coverage of its parts, one per policy code (every policy
    when none are given)."""
    permissions.require(actor, "product", "configure")
    model_code = (model_code or "").strip()
    if not model_code or catalog_selectors.product_by_code(model_code=model_code) is not None:
        raise ValidationFailed(fields={"model_code": "required and unique"})
    if not (name or "").strip():
        raise ValidationFailed(fields={"name": _("required")})
    policies = WarrantyPolicy.objects.all()
    policies = list(policies if part_codes is None else policies.filter(code__in=part_codes))
    if part_codes is not None and len(policies) != len(set(part_codes)):
        raise ValidationFailed(fields={"part_codes": "unknown part code"})
    product = catalog_services.product_create(actor=actor, model_code=model_code, name=name.strip(), brand=brand,
                                              category=_category(category))
    for policy in policies:
        _cover(actor, product, policy)
    return product


@transaction.atomic
def serial_register(*, actor, product: Product, serial: str, factory_date: dt.date | None = None) -> SerialNumber:
    permissions.require(actor, "serial", "write")
    serial = (serial or "").strip()
    if not serial or len(serial) > 50 or SerialNumber.objects.filter(serial=serial).exists():
        raise ValidationFailed(fields={"serial": "required, unique, at most 50 characters"})
    unit = SerialNumber(serial=serial, product=product, factory_date=factory_date)
    unit._history_user = user_of(actor)
    unit.save()
    return unit


@transaction.atomic
def sale_record(*, actor, serial: SerialNumber, customer: Customer, sold_at: dt.date, price: Decimal,
                proof_kind: str = ProofKind.INVOICE, invoice_date: dt.date | None = None,
                is_gift: bool = False) -> ProductSale:
    """Record the sale of one unit to a customer `actor` may write (the roles that sell); the invoice
    (or other proof) date starts its warranty."""
    permissions.require(actor, "sale", "write")
    _require_customer_write(actor, customer.pk)
    errors = {}
    if proof_kind not in ProofKind.values:
        errors["proof_kind"] = f"one of: {', '.join(ProofKind.values)}"
    elif proof_kind != ProofKind.NONE and invoice_date is None:
        errors["invoice_date"] = "required with an invoice or other proof"
    if Decimal(price) < 0:
        errors["price"] = "cannot be negative"
    if serial.factory_date and sold_at < serial.factory_date:
        errors["sold_at"] = "before the factory date"
    if sold_at > timezone.localdate():
        errors["sold_at"] = _("in the future")
    if errors:
        raise ValidationFailed(fields=errors)
    sale = ProductSale(serial=serial, customer=customer, sold_at=sold_at, price=Decimal(price), proof_kind=proof_kind,
                       invoice_date=invoice_date if proof_kind != ProofKind.NONE else None, is_gift=is_gift,
                       sold_by=user_of(actor))
    sale._history_user = user_of(actor)
    sale.save()
    return sale


def _require_customer_write(actor, customer_id: int) -> None:
    """A sale belongs to its customer: staff change it only on customers they may write (NotFound
    outside what they read, PermissionDenied where they only read)."""
    if not is_system(actor):
        customer_get_for_user(user=actor, customer_id=customer_id, action="write")


def _part_of(serial: SerialNumber, part: Part | str) -> Part:
    if isinstance(part, Part):
        if part.product_id != serial.product_id:
            raise ValidationFailed(fields={"part": "not a part of this product"})
        return part
    found = selectors.part_of_product(product_id=serial.product_id, code=part)
    if found is None:
        raise ValidationFailed(fields={"part": gettext("this product has no part %(part)s") % {"part": repr(part)}})
    return found


@transaction.atomic
def repair_start(*, actor, serial: SerialNumber, part: Part | str, started_at: dt.date,
                 ticket=None, note: str = "") -> RepairRecord:
    """Put a part of a unit into repair, usually as the work of a fault case. A repair is of a sold
    unit and never dated before its (first) sale or in the future: it counts in the 三包 period."""
    permissions.require(actor, "repair", "write")
    _check_repair_day(serial, started_at)
    repair = RepairRecord(serial=serial, part=_part_of(serial, part), started_at=started_at, ticket=ticket,
                          note=note[:200])
    repair._history_user = user_of(actor)
    repair.save()
    return repair


@transaction.atomic
def repair_finish(*, actor, repair: RepairRecord, finished_at: dt.date,
                  outcome: str = RepairRecord.Outcome.REPAIRED) -> RepairRecord:
    permissions.require(actor, "repair", "write")
    repair = RepairRecord.objects.select_for_update().get(pk=repair.pk)
    if finished_at > timezone.localdate():
        raise ValidationFailed(_("A repair cannot finish in the future."),
                               fields={"finished_at": _("in the future")})
    if repair.finished_at is not None:
        raise ValidationFailed(fields={"finished_at": "this repair is already finished"})
    if finished_at < repair.started_at:
        raise ValidationFailed(fields={"finished_at": "before the repair started"})
    if outcome not in RepairRecord.Outcome.values:
        raise ValidationFailed(fields={"outcome": gettext("one of: %(values)s") % {
            "values": ', '.join(RepairRecord.Outcome.values)}})
    repair.finished_at, repair.outcome = finished_at, outcome
    repair._history_user = user_of(actor)
    repair.save()
    return repair


@transaction.atomic
def exchange_record(*, actor, sale: ProductSale, exchanged_on: dt.date, part: Part | str | None = None,
                    new_serial: str = "", decision: WarrantyDecision | None = None, note: str = "") -> ExchangeRecord:
    """Record an exchange of a part or (without a part) of the whole product; it restarts the period."""
    permissions.require(actor, "exchange", "write")
    if exchanged_on > timezone.localdate():
        raise ValidationFailed(_("An exchange cannot be dated in the future."),
                               fields={"exchanged_on": _("in the future")})
    if exchanged_on < sale.sold_at:
        raise ValidationFailed(fields={"exchanged_on": "before the sale"})
    record = ExchangeRecord(sale=sale, part=_part_of(sale.serial, part) if part is not None else None,
                            exchanged_on=exchanged_on, new_serial=new_serial.strip()[:50], decision=decision,
                            note=note[:200])
    record._history_user = user_of(actor)
    record.save()
    return record


def _jsonable(claim: engine.Claim, params: engine.RuleParameters) -> dict:
    def iso(day):
        return day.isoformat() if day else None
    return {
        "sold_on": iso(claim.sold_on), "fault_date": iso(claim.fault_date), "as_of": iso(claim.as_of),
        "period": {"months": claim.period.months, "days": claim.period.days}, "price": str(claim.price),
        "proof_kind": str(claim.proof_kind), "proof_date": iso(claim.proof_date),
        "factory_date": iso(claim.factory_date), "is_main_unit": claim.is_main_unit, "is_gift": claim.is_gift,
        "customer_wants": str(claim.customer_wants) if claim.customer_wants else None,
        "stock_available": claim.stock_available,
        "repairs": [{"started_on": iso(r.started_on), "finished_on": iso(r.finished_on)} for r in claim.repairs],
        "exchanges": [iso(d) for d in claim.exchanges],
        "parameters": {k: str(v) for k, v in params.__dict__.items()},
    }


@transaction.atomic
def warranty_decide(*, actor, sale: ProductSale, part: Part | str, fault_date: dt.date,
                    customer_wants: str | None, stock_available: bool,
                    repairs: list[engine.Repair] | None = None, as_of: dt.date | None = None) -> WarrantyDecision:
    """Apply the 三包 rules to a fault of one part of a sold unit and store the decision. The repair
    history comes from the repair records unless given. Asked by anyone who may read the sale's
    customer; nothing is stored when the request is refused."""
    permissions.require(actor, "decision", "write")
    if not is_system(actor):
        customer_get_for_user(user=actor, customer_id=sale.customer_id)
    part = _part_of(sale.serial, part)
    as_of = as_of or timezone.localdate()
    if customer_wants and customer_wants not in CUSTOMER_CHOICES:
        raise ValidationFailed(fields={"customer_wants": gettext("one of: %(values)s") % {
            "values": ', '.join(CUSTOMER_CHOICES)}})
    if fault_date < sale.sold_at:
        raise ValidationFailed(gettext("The fault date %(fault_date)s is before the sale on %(sold_at)s.") % {
            "fault_date": fault_date, "sold_at": sale.sold_at},
                               fields={"fault_date": "before the sale"})
    if fault_date > as_of:
        raise ValidationFailed("The fault date is in the future.", fields={"fault_date": "in the future"})
    if as_of > timezone.localdate():
        raise ValidationFailed(_("A decision cannot be made as of a future day."), fields={"as_of": _("in the future")})
    if repairs is None:
        repairs = selectors.repairs_as_of(sale=sale, part=part, as_of=as_of)
    for index, repair in enumerate(repairs):
        if repair.finished_on is not None and repair.finished_on < repair.started_on:
            raise ValidationFailed(fields={f"repairs.{index}": "finishes before it starts"})
    params = selectors.rule_parameters()
    claim = selectors.claim_of(sale=sale, part=part, fault_date=fault_date, as_of=as_of, customer_wants=customer_wants,
                   stock_available=stock_available, repairs=repairs)
    try:
        result = engine.decide(claim, params)
    except engine.InvalidClaim as exc:
        raise ValidationFailed(exc.message, fields={exc.field: exc.message}) from exc
    return WarrantyDecision.objects.create(
        sale=sale, part=part, fault_date=fault_date, decided_on=as_of, customer_wants=customer_wants or "",
        stock_available=stock_available, inputs=_jsonable(claim, params), remedy=result.remedy.value,
        allowed=[r.value for r in result.allowed], amount=result.amount,
        rules=[{"code": r.code, "reason": r.reason} for r in result.rules], start_date=result.start_date,
        end_date=result.end_date, is_in_period=result.is_in_period, asked_by=user_of(actor),
    )


def _check_repair_day(serial: SerialNumber, started_at: dt.date) -> None:
    first_sale = selectors.first_sale_day(serial=serial)
    if first_sale is None:
        raise ValidationFailed(_("This unit has not been sold: record its sale first."),
                               fields={"serial": _("not sold")})
    if started_at < first_sale:
        raise ValidationFailed(
            _("The repair is dated %(day)s, before the sale on %(sale)s.") % {"day": started_at, "sale": first_sale},
            fields={"started_at": _("before the sale")})
    if started_at > timezone.localdate():
        raise ValidationFailed(_("A repair cannot start in the future."), fields={"started_at": _("in the future")})


def _audited_save(instance, actor, fields: dict) -> None:
    for name, value in fields.items():
        setattr(instance, name, value)
    instance._history_user = user_of(actor)
    instance.save()


def _audited_delete(instance, actor) -> None:
    instance._history_user = user_of(actor)
    instance.delete()


def _refuse_delete(reason: str) -> None:
    raise Conflict(reason, code="in_use")


@transaction.atomic
def product_update(*, actor, product: Product, name: str, brand: str = "", category: str = "") -> Product:
    """Rename a product or change its brand or category; the model code stays (serials carry it)."""
    permissions.require(actor, "product", "configure")
    if not name.strip():
        raise ValidationFailed(fields={"name": _("required")})
    return catalog_services.product_update(actor=actor, product=product, name=name.strip()[:100], kind=product.kind,
                                           brand=brand.strip()[:50], category=_category(category),
                                           description=product.description)


@transaction.atomic
def product_delete(*, actor, product: Product) -> None:
    """Only a product without serial numbers can go (its parts and their coverage go with it)."""
    permissions.require(actor, "product", "configure")
    if SerialNumber.objects.filter(product=product).exists():
        _refuse_delete(_("Units of this product are registered; it cannot be deleted."))
    for part in Part.objects.filter(component__product=product):
        _audited_delete(part, actor)
    catalog_services.product_delete(actor=actor, product=product)


@transaction.atomic
def part_add(*, actor, product: Product, code: str) -> Part:
    """Cover one more kind of part (by its warranty policy's code) on a product."""
    permissions.require(actor, "product", "configure")
    policy = selectors.policy_get(code=code)
    if policy is None:
        raise ValidationFailed(fields={"code": _("unknown part code")})
    return _cover(actor, product, policy)


@transaction.atomic
def part_delete(*, actor, part: Part) -> None:
    """Only a part that no repair, exchange or decision names can go; the catalogue part itself
    stays (the product still has it, without a 三包 period of its own)."""
    permissions.require(actor, "product", "configure")
    if (part.repairs.exists() or part.exchanges.exists() or part.decisions.exists()):
        _refuse_delete(_("Repairs, exchanges or decisions name this part; it cannot be deleted."))
    _audited_delete(part, actor)


@transaction.atomic
def serial_update(*, actor, unit: SerialNumber, factory_date: dt.date | None) -> SerialNumber:
    """Correct a unit's factory date; it cannot be after the unit was sold."""
    permissions.require(actor, "serial", "write")
    first_sale = selectors.first_sale_day(serial=unit)
    if factory_date and first_sale and factory_date > first_sale:
        raise ValidationFailed(fields={"factory_date": _("after the sale")})
    if factory_date and factory_date > timezone.localdate():
        raise ValidationFailed(fields={"factory_date": _("in the future")})
    unit = SerialNumber.objects.select_for_update().get(pk=unit.pk)
    _audited_save(unit, actor, {"factory_date": factory_date})
    return unit


@transaction.atomic
def serial_delete(*, actor, unit: SerialNumber) -> None:
    """Only a unit never sold nor repaired can go."""
    permissions.require(actor, "serial", "delete")
    if unit.sales.exists() or unit.repairs.exists():
        _refuse_delete(_("This unit was sold or repaired; it cannot be deleted."))
    _audited_delete(unit, actor)


@transaction.atomic
def sale_update(*, actor, sale: ProductSale, price: Decimal, proof_kind: str,
                invoice_date: dt.date | None, is_gift: bool) -> ProductSale:
    """Correct the proof of purchase, price or gift flag of a sale. Decisions already taken keep the
    inputs they were taken with. `actor` may write the sale's customer."""
    permissions.require(actor, "sale", "write")
    _require_customer_write(actor, sale.customer_id)
    errors = {}
    if proof_kind not in ProofKind.values:
        errors["proof_kind"] = _("one of: %(values)s") % {"values": ", ".join(ProofKind.values)}
    elif proof_kind != ProofKind.NONE and invoice_date is None:
        errors["invoice_date"] = _("required with an invoice or other proof")
    if Decimal(price) < 0:
        errors["price"] = _("cannot be negative")
    if errors:
        raise ValidationFailed(fields=errors)
    sale = ProductSale.objects.select_for_update().get(pk=sale.pk)
    _audited_save(sale, actor, {"price": Decimal(price), "proof_kind": proof_kind, "is_gift": is_gift,
                                "invoice_date": invoice_date if proof_kind != ProofKind.NONE else None})
    return sale


@transaction.atomic
def sale_delete(*, actor, sale: ProductSale) -> None:
    """A sale recorded by mistake can go while nothing rests on it: no decision, no exchange, and no
    repair of the unit since it was sold. `actor` may write the sale's customer."""
    permissions.require(actor, "sale", "delete")
    _require_customer_write(actor, sale.customer_id)
    if sale.decisions.exists() or sale.exchanges.exists():
        _refuse_delete(_("Decisions or exchanges rest on this sale; it cannot be deleted."))
    if sale.serial.repairs.filter(started_at__gte=sale.sold_at).exists():
        _refuse_delete(_("The unit was repaired after this sale; it cannot be deleted."))
    _audited_delete(sale, actor)


@transaction.atomic
def repair_update(*, actor, repair: RepairRecord, note: str) -> RepairRecord:
    permissions.require(actor, "repair", "write")
    repair = RepairRecord.objects.select_for_update().get(pk=repair.pk)
    _audited_save(repair, actor, {"note": note.strip()[:200]})
    return repair


@transaction.atomic
def repair_change(*, actor, repair: RepairRecord, note: str | None = None, finished_at: dt.date | None = None,
                  outcome: str = RepairRecord.Outcome.REPAIRED) -> RepairRecord:
    """Change a repair's note and/or finish it, in one transaction (the API's PATCH)."""
    if note is not None:
        repair = repair_update(actor=actor, repair=repair, note=note)
    if finished_at is not None:
        repair = repair_finish(actor=actor, repair=repair, finished_at=finished_at, outcome=outcome)
    return repair


@transaction.atomic
def repair_delete(*, actor, repair: RepairRecord) -> None:
    """A repair recorded by mistake can go unless a decision on that part was taken since the repair
    started (the decision counted it)."""
    permissions.require(actor, "repair", "delete")
    if WarrantyDecision.objects.filter(sale__serial_id=repair.serial_id, part_id=repair.part_id,
                                       decided_on__gte=repair.started_at).exists():
        _refuse_delete(_("A decision counted this repair; it cannot be deleted."))
    _audited_delete(repair, actor)


@transaction.atomic
def exchange_delete(*, actor, exchange: ExchangeRecord) -> None:
    """An exchange recorded by mistake can go unless a decision on the sale was taken since (the
    exchange restarted the period it used)."""
    permissions.require(actor, "exchange", "delete")
    if WarrantyDecision.objects.filter(sale_id=exchange.sale_id, decided_on__gte=exchange.exchanged_on).exists():
        _refuse_delete(_("A decision counted this exchange; it cannot be deleted."))
    _audited_delete(exchange, actor)
