"""`/api/v1/orders`: orders the caller may read, a page at a time; create, change the lines of a
draft, confirm, deliver, cancel, set the payment plan."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Status
from pydantic import Field

from guanxi.core.api import CursorPageParams
from guanxi.core.errors import ValidationFailed, referenced
from guanxi.core.pagination import keyset_page
from guanxi.core.routers import Router
from guanxi.core.schema import Schema
from guanxi.sales.selectors.opportunities import opportunity_get_for_user

from .. import selectors, services
from ..models import Order
from ..schemas import (
    MAX_ID,
    OrdersCancelIn,
    OrdersLinesIn,
    OrdersOrderDetailOut,
    OrdersOrderIn,
    OrdersOrderPageOut,
    OrdersPlanIn,
)
from . import common

router = Router(tags=["orders"], operation_prefix="guanxi_orders_api")


class OrdersOrderFilterIn(Schema):
    status: str = Field("", max_length=10, description=", ".join(Order.Status.values))
    customer: int | None = Field(None, ge=1, le=MAX_ID)
    owner: int | None = Field(None, ge=1, le=MAX_ID)
    contract: int | None = Field(None, ge=1, le=MAX_ID)
    open: bool = Field(False, description="only orders with money outstanding")


def out(user, order: Order, *, detail: bool = False) -> dict:
    text = common.text_for(user, order.customer)
    body = {
        "id": order.pk, "number": order.number, "customer": common.ref(order.customer),
        "owner": common.ref(order.owner), "status": order.status, "order_date": order.order_date,
        "due_on": order.due_on, "total": order.total, "received": order.received, "outstanding": order.outstanding,
        "opportunity": common.ref(order.opportunity, text(order.opportunity.name)) if order.opportunity_id else None,
        "contract": common.ref(order.contract, order.contract.number) if order.contract_id else None,
        "note": text(order.note),
    }
    if detail:
        body["lines"] = [{"id": line.pk, "product": common.ref(line.product), "quantity": line.quantity,
                          "list_price": line.list_price, "unit_price": line.unit_price, "discount": line.discount,
                          "line_total": line.line_total, "serial": line.serial}
                         for line in selectors.order_lines(order=order)]
        body["installments"] = [{"id": i.pk, "due_on": i.due_on, "amount": i.amount, "received": i.received}
                                for i in selectors.plan_of(order=order)]
    return body


def _detail(request, order_id: int) -> dict:
    return out(request.user, selectors.order_get_for_user(user=request.user, order_id=order_id), detail=True)


def _order(request, order_id: int) -> Order:
    return selectors.order_get_for_user(user=request.user, order_id=order_id)


@router.get("/orders", response=OrdersOrderPageOut)
def list_orders(request: HttpRequest, filters: Query[OrdersOrderFilterIn], page: Query[CursorPageParams]):
    """Orders the caller may read, newest first: pass `next_cursor` back as `cursor` until it is null."""
    if filters.status and filters.status not in Order.Status.values:
        raise ValidationFailed(fields={"status": _("one of: %(values)s") % {"values": ", ".join(Order.Status.values)}})
    query = selectors.OrderFilter(status=filters.status, customer_id=filters.customer, owner_id=filters.owner,
                                  contract_id=filters.contract, open_only=filters.open)
    result = keyset_page(selectors.order_search(user=request.user, filters=query).select_related(
        "opportunity", "contract"), cursor=page.cursor, limit=page.limit)
    return {"items": [out(request.user, o) for o in result.rows], "next_cursor": result.next_cursor}


@router.post("/orders", response={201: OrdersOrderDetailOut})
def create_order(request: HttpRequest, payload: OrdersOrderIn):
    """A draft order of a customer you may read; lines priced from the catalogue unless a unit price is given."""
    user = request.user
    customer = common.customer(user, payload.customer)
    opportunity = referenced(opportunity_get_for_user, field="opportunity", reason=common.UNKNOWN, user=user,
                             opportunity_id=payload.opportunity) if payload.opportunity else None
    contract = referenced(selectors.contract_get_for_user, field="contract", reason=common.UNKNOWN, user=user,
                          contract_id=payload.contract) if payload.contract else None
    order = services.order_create(actor=user, customer=customer, order_date=payload.order_date,
                                  due_on=payload.due_on, lines=common.lines(user, payload.lines),
                                  owner=common.owner(payload.owner), opportunity=opportunity, contract=contract,
                                  note=payload.note)
    return Status(201, _detail(request, order.pk))


@router.get("/orders/{order_id}", response=OrdersOrderDetailOut)
def get_order(request: HttpRequest, order_id: int):
    """One order with its lines and payment plan."""
    return _detail(request, order_id)


@router.put("/orders/{order_id}/lines", response=OrdersOrderDetailOut)
def replace_order_lines(request: HttpRequest, order_id: int, payload: OrdersLinesIn):
    """Replace the lines of a draft order."""
    order = _order(request, order_id)
    services.order_update_lines(actor=request.user, order=order, lines=common.lines(request.user, payload.lines))
    return _detail(request, order_id)


@router.post("/orders/{order_id}/confirm", response=OrdersOrderDetailOut)
def confirm_order(request: HttpRequest, order_id: int):
    """Confirm a draft order: it is recorded in the customer's ledger and money is due on it."""
    services.order_confirm(actor=request.user, order=_order(request, order_id))
    return _detail(request, order_id)


@router.post("/orders/{order_id}/deliver", response=OrdersOrderDetailOut)
def deliver_order(request: HttpRequest, order_id: int):
    """Mark a confirmed order delivered (units with serials are registered for warranty)."""
    services.order_deliver(actor=request.user, order=_order(request, order_id))
    return _detail(request, order_id)


@router.post("/orders/{order_id}/cancel", response=OrdersOrderDetailOut)
def cancel_order(request: HttpRequest, order_id: int, payload: OrdersCancelIn):
    """Cancel a draft or confirmed order holding no money; the ledger gets the compensating entry."""
    services.order_cancel(actor=request.user, order=_order(request, order_id), reason=payload.reason)
    return _detail(request, order_id)


@router.put("/orders/{order_id}/plan", response=OrdersOrderDetailOut)
def set_order_plan(request: HttpRequest, order_id: int, payload: OrdersPlanIn):
    """Replace the order's payment plan; the installments add up to its total."""
    services.plan_set(actor=request.user, order=_order(request, order_id),
                      installments=[row.dict() for row in payload.installments])
    return _detail(request, order_id)
