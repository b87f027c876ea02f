"""`/api/v1/contracts`: sales contracts (销售合同) the caller may read; create (a renewal names the
contract it renews), activate, terminate, set the payment plan."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Status
from pydantic import Field

from guanxi.core.api import CursorPageParams
from guanxi.core.errors import ValidationFailed, referenced
from guanxi.core.pagination import keyset_page
from guanxi.core.routers import Router
from guanxi.core.schema import Schema

from .. import selectors, services
from ..models import Contract
from ..schemas import MAX_ID, OrdersContractIn, OrdersContractOut, OrdersContractPageOut, OrdersPlanIn
from . import common

router = Router(tags=["contracts"], operation_prefix="guanxi_orders_api")


class OrdersContractFilterIn(Schema):
    status: str = Field("", max_length=12, description=", ".join(Contract.Status.values))
    customer: int | None = Field(None, ge=1, le=MAX_ID)


def out(user, contract: Contract) -> dict:
    return {"id": contract.pk, "number": contract.number, "title": common.text_for(user, contract.customer)(
        contract.title), "customer": common.ref(contract.customer), "owner": common.ref(contract.owner),
        "status": contract.status, "amount": contract.amount, "signed_on": contract.signed_on,
        "starts_on": contract.starts_on, "ends_on": contract.ends_on,
        "renews": common.ref(contract.renews, contract.renews.number) if contract.renews_id else None,
        "reminder_days": contract.reminder_days}


def _contract(request, contract_id: int) -> Contract:
    return selectors.contract_get_for_user(user=request.user, contract_id=contract_id)


@router.get("/contracts", response=OrdersContractPageOut)
def list_contracts(request: HttpRequest, filters: Query[OrdersContractFilterIn], page: Query[CursorPageParams]):
    """Contracts the caller may read, newest start first: pass `next_cursor` back as `cursor`."""
    if filters.status and filters.status not in Contract.Status.values:
        raise ValidationFailed(fields={"status": _("one of: %(values)s") % {
            "values": ", ".join(Contract.Status.values)}})
    qs = selectors.contract_search(user=request.user, status=filters.status, customer_id=filters.customer)
    result = keyset_page(qs, cursor=page.cursor, limit=page.limit)
    return {"items": [out(request.user, c) for c in result.rows], "next_cursor": result.next_cursor}


@router.post("/contracts", response={201: OrdersContractOut})
def create_contract(request: HttpRequest, payload: OrdersContractIn):
    """A draft contract of a customer you may read; `renews` makes it the renewal of an earlier one."""
    user = request.user
    renews = referenced(selectors.contract_get_for_user, field="renews", reason=common.UNKNOWN, user=user,
                        contract_id=payload.renews) if payload.renews else None
    contract = services.contract_create(
        actor=user, customer=common.customer(user, payload.customer), title=payload.title, amount=payload.amount,
        starts_on=payload.starts_on, ends_on=payload.ends_on, signed_on=payload.signed_on,
        owner=common.owner(payload.owner), reminder_days=payload.reminder_days, renews=renews)
    return Status(201, out(user, _contract(request, contract.pk)))


@router.get("/contracts/{contract_id}", response=OrdersContractOut)
def get_contract(request: HttpRequest, contract_id: int):
    return out(request.user, _contract(request, contract_id))


@router.post("/contracts/{contract_id}/activate", response=OrdersContractOut)
def activate_contract(request: HttpRequest, contract_id: int):
    """A draft contract comes into force; the one it renews is marked renewed."""
    services.contract_activate(actor=request.user, contract=_contract(request, contract_id))
    return out(request.user, _contract(request, contract_id))


@router.post("/contracts/{contract_id}/terminate", response=OrdersContractOut)
def terminate_contract(request: HttpRequest, contract_id: int):
    services.contract_terminate(actor=request.user, contract=_contract(request, contract_id))
    return out(request.user, _contract(request, contract_id))


@router.put("/contracts/{contract_id}/plan", response=OrdersContractOut)
def set_contract_plan(request: HttpRequest, contract_id: int, payload: OrdersPlanIn):
    """Replace the contract's payment plan; the installments add up to at most its amount."""
    services.plan_set(actor=request.user, contract=_contract(request, contract_id),
                      installments=[row.dict() for row in payload.installments])
    return out(request.user, _contract(request, contract_id))
