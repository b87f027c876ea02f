"""API of a customer's history: interactions, transactions (one, or imported in batches), the
merged timeline page by page, and the billing summary. Every handler scopes through
`customer_get_for_user`; free text is masked for roles that may not see personal data."""

from django.http import HttpRequest
from ninja import Query, Status

from guanxi.core.api import PageOut, PageParams, paginate
from guanxi.core.routers import Router

from ..models import Interaction
from ..schemas.history import (
    BillingSummaryOut,
    HistoryFilterIn,
    InteractionIn,
    InteractionOut,
    TimelinePageOut,
    TimelineParams,
    TransactionImportIn,
    TransactionImportOut,
    TransactionIn,
    TransactionOut,
    interaction_out,
    transaction_out,
)
from ..selectors import customers as selectors
from ..selectors import history as selectors_history
from ..services.history import interaction_record, transaction_record, transactions_import
from ..timeline import TimelineCursor, customer_timeline_page

router = Router(tags=["customer history"], operation_prefix="guanxi_customers_api_history")


def _customer(request, customer_id: int, action: str = "read"):
    customer = selectors.customer_get_for_user(user=request.user, customer_id=customer_id, action=action)
    return customer, selectors.can_see_personal_data(user=request.user, customer=customer)


@router.get("/customers/{int:customer_id}/interactions", response=PageOut[InteractionOut])
def list_interactions(request: HttpRequest, customer_id: int, filters: Query[HistoryFilterIn],
                      page: Query[PageParams]):
    """The customer's contacts, newest first (ordering: occurred_at or id, '-' to reverse)."""
    customer, unmasked = _customer(request, customer_id)
    qs = selectors_history.interaction_list(customer=customer, filters=filters.to_filter(), ordering=page.ordering)
    return paginate(qs, page, lambda row: interaction_out(row, unmasked=unmasked))


@router.post("/customers/{int:customer_id}/interactions", response={201: InteractionOut, 200: InteractionOut})
def record_interaction(request: HttpRequest, customer_id: int, payload: InteractionIn):
    """Record a contact, by the caller; a replayed `external_id` returns the row recorded first (200)."""
    customer, unmasked = _customer(request, customer_id, action="write")
    data = payload.dict()
    replay = bool(data["external_id"]) and Interaction.objects.filter(external_id=data["external_id"]).exists()
    row = interaction_record(actor=request.user, customer=customer, **data)
    return Status(200 if replay else 201, interaction_out(row, unmasked=unmasked))


@router.get("/customers/{int:customer_id}/transactions", response=PageOut[TransactionOut])
def list_transactions(request: HttpRequest, customer_id: int, filters: Query[HistoryFilterIn],
                      page: Query[PageParams]):
    """The customer's orders, bills, payments and refunds, newest first."""
    customer, unmasked = _customer(request, customer_id)
    qs = selectors_history.transaction_list(customer=customer, filters=filters.to_filter(), ordering=page.ordering)
    return paginate(qs, page, lambda row: transaction_out(row, unmasked=unmasked))


@router.post("/customers/{int:customer_id}/transactions", response={201: TransactionOut, 200: TransactionOut})
def record_transaction(request: HttpRequest, customer_id: int, payload: TransactionIn):
    """Record an order, bill, payment or refund. 201 when recorded; 200 when the same `external_id`
    was recorded before with the same content; 409 when it was recorded with other content."""
    customer, unmasked = _customer(request, customer_id, action="write")
    recorded = transaction_record(actor=request.user, customer=customer, **payload.dict())
    return Status(201 if recorded.created else 200, transaction_out(recorded.transaction, unmasked=unmasked))


@router.post("/transactions/import", response={201: TransactionImportOut})
def import_transactions(request: HttpRequest, payload: TransactionImportIn):
    """Transactions from an outside system (billing, POS, ordering), all or nothing: every bad row is
    reported under `rows[i].field` and then nothing is written. Each row names its customer by
    `customer_id` or `customer_code`; customers outside the caller's write scope count as unknown."""
    refs = [(r.customer_id, (r.customer_code or "").strip().upper()) for r in payload.rows]
    found = selectors_history.customers_for_write(
        user=request.user, ids={i for i, _ in refs if i}, codes={c for _, c in refs if c})
    rows = []
    for (customer_id, code), row in zip(refs, payload.rows, strict=True):
        customer = found.get(customer_id) if customer_id else found.get(code) if code else None
        if customer is not None and customer_id and code and customer.code != code:
            customer = None  # the id and the number name different customers
        rows.append({**row.dict(exclude={"customer_id", "customer_code"}), "customer": customer})
    result = transactions_import(actor=request.user, rows=rows)
    return Status(201, {"created": result.created, "unchanged": result.unchanged})


@router.get("/customers/{int:customer_id}/timeline", response=TimelinePageOut)
def list_timeline(request: HttpRequest, customer_id: int, params: Query[TimelineParams]):
    """The merged timeline of every module, newest first, a page at a time: pass `next_cursor`
    back as `cursor` for the next page."""
    customer, unmasked = _customer(request, customer_id)
    cursor = TimelineCursor.decode(params.cursor) if params.cursor else None
    page = customer_timeline_page(customer=customer, limit=params.limit, cursor=cursor, masked=not unmasked)
    return {"items": [vars(e) for e in page.events],
            "next_cursor": page.next_cursor.encode() if page.next_cursor else None}


@router.get("/customers/{int:customer_id}/billing", response=BillingSummaryOut)
def get_billing_summary(request: HttpRequest, customer_id: int):
    """The account as the ledger tells it: billed, paid, outstanding, overdue, last payment."""
    customer, _ = _customer(request, customer_id)
    return selectors_history.billing_summary(customer=customer).as_dict()
