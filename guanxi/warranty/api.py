"""The 三包 API: ask for a decision, read one back, and see a unit's warranty status."""

from django.http import HttpRequest
from ninja import Router, Status

from guanxi.core.errors import ValidationFailed

from . import engine, selectors, services
from .models import ProductSale, WarrantyDecision
from .reasons import rules_in_language
from .schemas import DecisionIn, DecisionOut, SerialOut

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
    )
    return Status(201, _decision(selectors.decision_get_for_user(user=request.user, decision_id=decision.pk)))


@router.get("/warranty/decisions/{int:decision_id}", response=DecisionOut)
def get_warranty_decision(request: HttpRequest, decision_id: int):
    return _decision(selectors.decision_get_for_user(user=request.user, decision_id=decision_id))


@router.get("/warranty/serials/{serial}", response=SerialOut)
def get_serial_status(request: HttpRequest, serial: str):
    unit, sale = selectors.serial_get_for_user(user=request.user, serial=serial)
    return {"serial": unit.serial, "product": str(unit.product), "factory_date": unit.factory_date,
            "sale": _sale(sale) if sale else None, "parts": services.serial_status(sale=sale, unit=unit)}
