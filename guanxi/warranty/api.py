"""The 三包 API: ask for a decision, read one back, and see a unit's warranty status."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from guanxi.catalog.models import Product
from guanxi.core.api import CursorPageParams
from guanxi.core.errors import ValidationFailed, referenced
from guanxi.core.pagination import keyset_page
from guanxi.customers.selectors import customer_get_for_user
from guanxi.servicedesk.selectors.tickets import ticket_get_for_user

from . import engine, selectors, services
from .models import ExchangeRecord, Part, ProductSale, RepairRecord, SerialNumber, WarrantyDecision
from .reasons import rules_in_language
from .schemas import (
    DecisionFilterIn,
    DecisionIn,
    DecisionOut,
    DecisionPageOut,
    ExchangeFilterIn,
    ExchangeIn,
    ExchangeOut,
    ExchangePageOut,
    PartFilterIn,
    PartIn,
    PartOut,
    PartPageOut,
    ProductFilterIn,
    ProductIn,
    ProductOut,
    ProductPageOut,
    ProductUpdateIn,
    RepairFilterIn,
    RepairOut,
    RepairPageOut,
    RepairRecordIn,
    RepairUpdateIn,
    SaleFilterIn,
    SaleIn,
    SaleOut,
    SalePageOut,
    SaleUpdateIn,
    SerialFilterIn,
    SerialIn,
    SerialOut,
    SerialPageOut,
    SerialRowOut,
    SerialUpdateIn,
)

router = Router(tags=["warranty"])


def _sale(sale: ProductSale) -> dict:
    return {"id": sale.pk, "serial": sale.serial.serial, "product": str(sale.serial.product),
            "customer": sale.customer_id, "sold_at": sale.sold_at, "proof_kind": sale.proof_kind,
            "invoice_date": sale.invoice_date, "price": sale.price, "is_gift": sale.is_gift}


def _decision(decision: WarrantyDecision) -> dict:
    return {
        "id": decision.pk, "sale": _sale(decision.sale), "part": decision.part.code,
        "fault_date": decision.fault_date, "decided_on": decision.decided_on,
        "customer_wants": decision.customer_wants or None, "stock_available": decision.stock_available,
        "remedy": decision.remedy, "allowed": decision.allowed, "amount": decision.amount,
        "rules": rules_in_language(decision.rules),
        "start_date": decision.start_date, "end_date": decision.end_date, "is_in_period": decision.is_in_period,
        "asked_by": str(decision.asked_by), "created_at": decision.created_at,
    }


@router.post("/warranty/decisions", response={201: DecisionOut})
def create_warranty_decision(request: HttpRequest, payload: DecisionIn):
    if (payload.sale is None) == (not payload.serial):
        raise ValidationFailed("Give either the sale or the serial number.", fields={"sale": "sale or serial"})
    if payload.sale is not None:
        sale = selectors.sale_get_for_user(user=request.user, sale_id=payload.sale)
    else:
        sale = selectors.sale_get_by_serial_for_user(user=request.user, serial=payload.serial)
    repairs = None
    if payload.repairs is not None:
        repairs = [engine.Repair(r.started_on, r.finished_on) for r in payload.repairs]
    decision = services.warranty_decide(
        actor=request.user, sale=sale, part=payload.part, fault_date=payload.fault_date,
        customer_wants=payload.customer_wants or None, stock_available=payload.stock_available, repairs=repairs,
        as_of=payload.as_of,
    )
    return Status(201, _decision(selectors.decision_get_for_user(user=request.user, decision_id=decision.pk)))


@router.get("/warranty/decisions/{int:decision_id}", response=DecisionOut)
def get_warranty_decision(request: HttpRequest, decision_id: int):
    return _decision(selectors.decision_get_for_user(user=request.user, decision_id=decision_id))


@router.get("/warranty/serials/{serial}", response=SerialOut)
def get_serial_status(request: HttpRequest, serial: str):
    unit, sale = selectors.serial_get_for_user(user=request.user, serial=serial)
    return {"id": unit.pk, "serial": unit.serial, "product": str(unit.product), "factory_date": unit.factory_date,
            "sale": _sale(sale) if sale else None, "parts": selectors.serial_status(sale=sale, unit=unit)}


# --- products, parts, serials, sales, repairs and exchanges -------------------------------------
# Lists are keyset pages, newest first: pass `next_cursor` back as `cursor` until it is null.

def _page(queryset, params: CursorPageParams, row) -> dict:
    page = keyset_page(queryset.order_by("-id"), cursor=params.cursor, limit=params.limit)
    return {"items": [row(obj) for obj in page.rows], "next_cursor": page.next_cursor}


def _part(part: Part) -> dict:
    policy = part.policy
    return {"id": part.pk, "product": part.component.product_id, "code": policy.code, "name": policy.name,
            "period_value": policy.period_value, "period_unit": policy.period_unit,
            "is_main_unit": policy.is_main_unit}


def _product(product: Product) -> dict:
    return {"id": product.pk, "model_code": product.model_code, "name": product.name, "brand": product.brand,
            "category": product.category.code if product.category_id else "",
            "parts": [_part(p.coverage) for p in product.covered_parts]}


def _serial_row(unit: SerialNumber) -> dict:
    return {"id": unit.pk, "serial": unit.serial, "product": unit.product_id, "product_name": str(unit.product),
            "factory_date": unit.factory_date}


def _repair(repair: RepairRecord) -> dict:
    return {"id": repair.pk, "serial": repair.serial.serial, "part": repair.part.code,
            "started_at": repair.started_at, "finished_at": repair.finished_at, "outcome": repair.outcome,
            "ticket": repair.ticket_id, "note": repair.note, "created_at": repair.created_at}


def _exchange(record: ExchangeRecord) -> dict:
    return {"id": record.pk, "sale": record.sale_id, "serial": record.sale.serial.serial,
            "part": record.part.code if record.part_id else None, "exchanged_on": record.exchanged_on,
            "new_serial": record.new_serial, "decision": record.decision_id, "note": record.note,
            "created_at": record.created_at}


def _products(user, **filters):
    return selectors.product_list(user=user, with_parts=True, **filters)


@router.get("/warranty/products", response=ProductPageOut)
def list_warranty_products(request: HttpRequest, filters: Query[ProductFilterIn], params: Query[CursorPageParams]):
    """The 三包 catalogue with each product's parts and their periods."""
    return _page(_products(request.user, **filters.dict()), params, _product)


@router.post("/warranty/products", response={201: ProductOut})
def create_warranty_product(request: HttpRequest, payload: ProductIn):
    product = services.product_create(actor=request.user, **payload.dict())
    return Status(201, _product(_products(request.user).get(pk=product.pk)))


@router.get("/warranty/products/{int:product_id}", response=ProductOut)
def get_warranty_product(request: HttpRequest, product_id: int):
    selectors.product_get_for_user(user=request.user, product_id=product_id)
    return _product(_products(request.user).get(pk=product_id))


@router.put("/warranty/products/{int:product_id}", response=ProductOut)
def update_warranty_product(request: HttpRequest, product_id: int, payload: ProductUpdateIn):
    product = selectors.product_get_for_user(user=request.user, product_id=product_id)
    services.product_update(actor=request.user, product=product, **payload.dict())
    return _product(_products(request.user).get(pk=product_id))


@router.delete("/warranty/products/{int:product_id}", response={204: None})
def delete_warranty_product(request: HttpRequest, product_id: int):
    """409 while units of the product are registered."""
    product = selectors.product_get_for_user(user=request.user, product_id=product_id)
    services.product_delete(actor=request.user, product=product)
    return Status(204, None)


@router.get("/warranty/parts", response=PartPageOut)
def list_warranty_parts(request: HttpRequest, filters: Query[PartFilterIn], params: Query[CursorPageParams]):
    return _page(selectors.part_list(user=request.user, product_id=filters.product, code=filters.code), params,
                 _part)


@router.post("/warranty/parts", response={201: PartOut})
def create_warranty_part(request: HttpRequest, payload: PartIn):
    """Cover one more kind of part on a product (`code`: a warranty policy's code)."""
    product = referenced(selectors.product_get_for_user, field="product", reason=_("unknown product"),
                         user=request.user, product_id=payload.product)
    part = services.part_add(actor=request.user, product=product, code=payload.code)
    return Status(201, _part(part))


@router.get("/warranty/parts/{int:part_id}", response=PartOut)
def get_warranty_part(request: HttpRequest, part_id: int):
    return _part(selectors.part_get_for_user(user=request.user, part_id=part_id))


@router.delete("/warranty/parts/{int:part_id}", response={204: None})
def delete_warranty_part(request: HttpRequest, part_id: int):
    """409 while repairs, exchanges or decisions name the part."""
    services.part_delete(actor=request.user, part=selectors.part_get_for_user(user=request.user, part_id=part_id))
    return Status(204, None)


@router.get("/warranty/serials", response=SerialPageOut)
def list_warranty_serials(request: HttpRequest, filters: Query[SerialFilterIn], params: Query[CursorPageParams]):
    """Units the caller may see: sold ones by their customer; unsold ones for roles that read every customer."""
    qs = selectors.serial_list(user=request.user, product_id=filters.product, q=filters.q, sold=filters.sold)
    return _page(qs, params, _serial_row)


@router.post("/warranty/serials", response={201: SerialRowOut})
def create_warranty_serial(request: HttpRequest, payload: SerialIn):
    product = referenced(selectors.product_get_for_user, field="product", reason=_("unknown product"),
                         user=request.user, product_id=payload.product)
    unit = services.serial_register(actor=request.user, product=product, serial=payload.serial,
                                    factory_date=payload.factory_date)
    return Status(201, _serial_row(unit))


@router.patch("/warranty/serials/{serial}", response=SerialRowOut)
def update_warranty_serial(request: HttpRequest, serial: str, payload: SerialUpdateIn):
    unit = selectors.serial_get_for_update(user=request.user, serial=serial)
    return _serial_row(services.serial_update(actor=request.user, unit=unit, factory_date=payload.factory_date))


@router.delete("/warranty/serials/{serial}", response={204: None})
def delete_warranty_serial(request: HttpRequest, serial: str):
    """409 once the unit was sold or repaired."""
    services.serial_delete(actor=request.user, unit=selectors.serial_get_for_update(user=request.user, serial=serial))
    return Status(204, None)


@router.get("/warranty/sales", response=SalePageOut)
def list_warranty_sales(request: HttpRequest, filters: Query[SaleFilterIn], params: Query[CursorPageParams]):
    """Sales to customers the caller may read (a sales rep: their own customers)."""
    query = selectors.SaleFilter(customer_id=filters.customer, serial=filters.serial, product_id=filters.product,
                                 sold_from=filters.sold_from, sold_to=filters.sold_to)
    return _page(selectors.sale_list_filtered(user=request.user, filters=query), params, _sale)


@router.post("/warranty/sales", response={201: SaleOut})
def create_warranty_sale(request: HttpRequest, payload: SaleIn):
    """Record the sale of a unit to a customer the caller may write."""
    customer = referenced(customer_get_for_user, field="customer", reason=_("unknown customer"),
                          user=request.user, customer_id=payload.customer, action="write")
    unit = selectors.serial_for_sale(user=request.user, serial=payload.serial)
    sale = services.sale_record(actor=request.user, serial=unit, customer=customer, **payload.dict(
        exclude={"serial", "customer"}))
    return Status(201, _sale(selectors.sale_get_for_user(user=request.user, sale_id=sale.pk)))


@router.get("/warranty/sales/{int:sale_id}", response=SaleOut)
def get_warranty_sale(request: HttpRequest, sale_id: int):
    return _sale(selectors.sale_get_for_user(user=request.user, sale_id=sale_id))


def _sale_for_write(request, sale_id: int) -> ProductSale:
    sale = selectors.sale_get_for_user(user=request.user, sale_id=sale_id)
    customer_get_for_user(user=request.user, customer_id=sale.customer_id, action="write")
    return sale


@router.put("/warranty/sales/{int:sale_id}", response=SaleOut)
def update_warranty_sale(request: HttpRequest, sale_id: int, payload: SaleUpdateIn):
    """Correct the proof, price or gift flag; decisions already taken keep their inputs."""
    sale = services.sale_update(actor=request.user, sale=_sale_for_write(request, sale_id), **payload.dict())
    return _sale(selectors.sale_get_for_user(user=request.user, sale_id=sale.pk))


@router.delete("/warranty/sales/{int:sale_id}", response={204: None})
def delete_warranty_sale(request: HttpRequest, sale_id: int):
    """409 once a decision, an exchange or a later repair rests on the sale."""
    services.sale_delete(actor=request.user, sale=_sale_for_write(request, sale_id))
    return Status(204, None)


@router.get("/warranty/repairs", response=RepairPageOut)
def list_warranty_repairs(request: HttpRequest, filters: Query[RepairFilterIn], params: Query[CursorPageParams]):
    query = selectors.RepairFilter(serial=filters.serial, part=filters.part, is_open=filters.open,
                                   ticket_id=filters.ticket, started_from=filters.started_from,
                                   started_to=filters.started_to)
    return _page(selectors.repair_list(user=request.user, filters=query), params, _repair)


@router.post("/warranty/repairs", response={201: RepairOut})
def create_warranty_repair(request: HttpRequest, payload: RepairRecordIn):
    """Put a part of a sold unit into repair; 422 when dated before the sale or in the future."""
    unit = referenced(selectors.serial_get_for_update, field="serial", reason=_("unknown serial number"),
                      user=request.user, serial=payload.serial)
    ticket = None
    if payload.ticket is not None:
        ticket = referenced(ticket_get_for_user, field="ticket", reason=_("unknown case"), user=request.user,
                            ticket_id=payload.ticket)
    repair = services.repair_start(actor=request.user, serial=unit, part=payload.part, started_at=payload.started_at,
                                   ticket=ticket, note=payload.note)
    return Status(201, _repair(selectors.repair_get_for_user(user=request.user, repair_id=repair.pk)))


@router.get("/warranty/repairs/{int:repair_id}", response=RepairOut)
def get_warranty_repair(request: HttpRequest, repair_id: int):
    return _repair(selectors.repair_get_for_user(user=request.user, repair_id=repair_id))


@router.patch("/warranty/repairs/{int:repair_id}", response=RepairOut)
def update_warranty_repair(request: HttpRequest, repair_id: int, payload: RepairUpdateIn):
    """Finish a repair (`finished_at`, `outcome`) and/or change its note."""
    repair = selectors.repair_get_for_user(user=request.user, repair_id=repair_id)
    services.repair_change(actor=request.user, repair=repair, note=payload.note, finished_at=payload.finished_at,
                           outcome=payload.outcome)
    return _repair(selectors.repair_get_for_user(user=request.user, repair_id=repair_id))


@router.delete("/warranty/repairs/{int:repair_id}", response={204: None})
def delete_warranty_repair(request: HttpRequest, repair_id: int):
    """409 once a decision counted the repair."""
    services.repair_delete(actor=request.user,
                           repair=selectors.repair_get_for_user(user=request.user, repair_id=repair_id))
    return Status(204, None)


@router.get("/warranty/exchanges", response=ExchangePageOut)
def list_warranty_exchanges(request: HttpRequest, filters: Query[ExchangeFilterIn], params: Query[CursorPageParams]):
    query = selectors.ExchangeFilter(sale_id=filters.sale, serial=filters.serial,
                                     exchanged_from=filters.exchanged_from, exchanged_to=filters.exchanged_to)
    return _page(selectors.exchange_list(user=request.user, filters=query), params, _exchange)


@router.post("/warranty/exchanges", response={201: ExchangeOut})
def create_warranty_exchange(request: HttpRequest, payload: ExchangeIn):
    """Record an exchange of a part, or without `part` of the whole product; it restarts the period."""
    sale = referenced(selectors.sale_get_for_user, field="sale", reason=_("unknown sale"), user=request.user,
                      sale_id=payload.sale)
    decision = None
    if payload.decision is not None:
        decision = sale.decisions.filter(pk=payload.decision).first()
        if decision is None:
            raise ValidationFailed(fields={"decision": _("not a decision on this sale")})
    record = services.exchange_record(actor=request.user, sale=sale, exchanged_on=payload.exchanged_on,
                                      part=payload.part or None, new_serial=payload.new_serial, decision=decision,
                                      note=payload.note)
    return Status(201, _exchange(selectors.exchange_get_for_user(user=request.user, exchange_id=record.pk)))


@router.get("/warranty/exchanges/{int:exchange_id}", response=ExchangeOut)
def get_warranty_exchange(request: HttpRequest, exchange_id: int):
    return _exchange(selectors.exchange_get_for_user(user=request.user, exchange_id=exchange_id))


@router.delete("/warranty/exchanges/{int:exchange_id}", response={204: None})
def delete_warranty_exchange(request: HttpRequest, exchange_id: int):
    """409 once a decision counted the exchange."""
    services.exchange_delete(actor=request.user,
                             exchange=selectors.exchange_get_for_user(user=request.user, exchange_id=exchange_id))
    return Status(204, None)


@router.get("/warranty/decisions", response=DecisionPageOut)
def list_warranty_decisions(request: HttpRequest, filters: Query[DecisionFilterIn], params: Query[CursorPageParams]):
    query = selectors.DecisionFilter(sale_id=filters.sale, serial=filters.serial, remedy=filters.remedy)
    return _page(selectors.decision_list(user=request.user, filters=query), params, _decision)
