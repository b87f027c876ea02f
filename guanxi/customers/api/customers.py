from django.http import HttpRequest, HttpResponse
from django.utils import translation
from ninja import Query, Status

from guanxi.core.api import ListParams, PageOut, PageParams, cursor_list, paginate
from guanxi.core.audit import audit_trail
from guanxi.core.routers import Router
from guanxi.core.versioning import expected_version, if_match, set_etag

from .. import services
from ..exporting import customer_export_response
from ..models import Brand, Contact
from ..offers import customer_offers
from ..schemas.customers import (
    MASKED_AUDIT_FIELDS,
    AddressIn,
    AddressOut,
    AuditEntryOut,
    ContactIn,
    ContactOut,
    ContactPointIn,
    ContactPointOut,
    Customer360Out,
    CustomerFilterIn,
    CustomerIn,
    CustomerOut,
    CustomerPatch,
    CustomerRowOut,
    RefOut,
    customer_detail,
    customer_row,
)
from ..schemas.dedupe import CustomerCreatedOut, possible_duplicate_out
from ..selectors import customers as selectors
from ..selectors import history as selectors_history
from ..selectors.dedupe import customer_possible_duplicates
from ..timeline import customer_timeline_page
from ..value import value_tier

router = Router(tags=["customers"], operation_prefix="guanxi_customers_api")
# What a list row shows, checks (owner, team) and orders by: the rest of a customer and of its owner,
# team and brand (dozens of columns, a dozen of them dates) is not read for a list.
ROW_FIELDS = ("code", "kind", "name", "name_pinyin", "mobile", "email", "arpu", "lifecycle_stage", "created_at",
              "updated_at", "brand__name", "owner__username", "owner__display_name", "team__name")


def _detail(request, customer):
    unmasked = selectors.can_see_personal_data(user=request.user, customer=customer)
    return customer_detail(customer, selectors.customer_profile(customer=customer), unmasked=unmasked)


@router.get("/customers", response=PageOut[CustomerRowOut])
def list_customers(request: HttpRequest, filters: Query[CustomerFilterIn], page: Query[PageParams]):
    query = filters.to_filter()
    results = selectors.customer_results(user=request.user, filters=query, ordering=page.ordering)
    user = request.user

    def row(customer):
        return customer_row(customer, unmasked=selectors.can_see_personal_data(user=user, customer=customer))

    return paginate(results.rows.only(*ROW_FIELDS), page, row, cap=results.cap, count=results.capped_count)


@router.get("/customers/export", response={200: None})
def export_customers(request: HttpRequest, filters: Query[CustomerFilterIn]):
    """The filtered list as CSV (streamed), personal data masked as for the caller's role."""
    return customer_export_response(user=request.user, filters=filters.to_filter())


@router.post("/customers", response={201: CustomerCreatedOut})
def create_customer(request: HttpRequest, payload: CustomerIn):
    data = payload.dict(exclude={"tags"})
    customer = services.customer_create(actor=request.user, data=data, tags=payload.tags)
    # A new customer has no contacts, points, addresses or holdings yet: no need to read them back.
    # Its owner and team are usually the caller and the caller's team, already read with the credentials.
    if customer.owner_id is not None and customer.owner_id == request.user.pk:
        customer.owner = request.user
    if customer.team_id is not None and customer.team_id == request.user.team_id:
        customer.team = request.user.team
    profile = {"contacts": [], "contact_points": [], "addresses": [], "holdings": [],
               "tags": sorted(customer.tags.values_list("name", flat=True)) if payload.tags else []}
    unmasked = selectors.can_see_personal_data(user=request.user, customer=customer)
    detail = customer_detail(customer, profile, unmasked=unmasked)
    detail["possible_duplicates"] = [
        possible_duplicate_out(d)
        for d in customer_possible_duplicates(user=request.user, customer=customer, new=True)
    ]
    return Status(201, detail)


@router.get("/customers/{int:customer_id}", response=CustomerOut)
def get_customer(request: HttpRequest, response: HttpResponse, customer_id: int):
    """A record merged into another one is still returned, with `merged_into` naming the survivor.
    The ETag is the record's version (send it back as If-Match when changing it)."""
    customer = selectors.customer_get_for_user(user=request.user, customer_id=customer_id, include_merged=True)
    set_etag(response, customer)
    return _detail(request, customer)


@router.patch("/customers/{int:customer_id}", response=CustomerOut, openapi_extra=if_match())
def update_customer(request: HttpRequest, response: HttpResponse, customer_id: int, payload: CustomerPatch):
    """Only the fields sent change. With `If-Match: "<version>"` (or `version`) from an older read:
    409 `version_conflict` with the fields changed since and their current values; without: no check."""
    customer = selectors.customer_get_for_user(user=request.user, customer_id=customer_id, action="write")
    data = payload.dict(exclude_unset=True, exclude={"tags", "expected_updated_at", "version"})
    customer = services.customer_update(
        actor=request.user, customer=customer, data=data, tags=payload.tags,
        expected_updated_at=payload.expected_updated_at,
        expected_version=expected_version(request, payload.version),
    )
    customer = selectors.customer_get_for_user(user=request.user, customer_id=customer.pk)
    set_etag(response, customer)
    return _detail(request, customer)


@router.delete("/customers/{int:customer_id}", response={204: None})
def delete_customer(request: HttpRequest, customer_id: int):
    customer = selectors.customer_get_for_user(user=request.user, customer_id=customer_id, action="delete")
    services.customer_delete(actor=request.user, customer=customer)
    return Status(204, None)


@router.get("/customers/{int:customer_id}/360", response=Customer360Out)
def get_customer_360(request: HttpRequest, customer_id: int, timeline_limit: int = 50):
    """Customer 360: profile, value, billing from the ledger, history counts, the newest page of the merged
    timeline of every module (older pages: /customers/{id}/timeline?cursor=…) and next-best offers."""
    customer = selectors.customer_get_for_user(user=request.user, customer_id=customer_id)
    unmasked = selectors.can_see_personal_data(user=request.user, customer=customer)
    detail = customer_detail(customer, selectors.customer_profile(customer=customer), unmasked=unmasked)
    held = [h for h in detail["holdings"] if h.status == "active"]
    page = customer_timeline_page(customer=customer, limit=max(1, min(timeline_limit, 200)), masked=not unmasked)
    return {
        "customer": detail,
        "value": {"tier": value_tier(customer.arpu), "arpu": customer.arpu,
                  "products_held": sum(not h.is_competitor for h in held),
                  "competitor_products": sum(h.is_competitor for h in held)},
        "billing": selectors_history.billing_summary(customer=customer).as_dict(),
        "history": vars(selectors_history.history_counts(customer=customer)),
        "timeline": [vars(e) for e in page.events],
        "timeline_next_cursor": page.next_cursor.encode() if page.next_cursor else None,
        "next_best_offers": [vars(o) for o in customer_offers(customer=customer, user=request.user)],
    }


@router.get("/customers/{int:customer_id}/history", response=list[AuditEntryOut])
def list_customer_history(request: HttpRequest, customer_id: int):
    customer = selectors.customer_get_for_user(user=request.user, customer_id=customer_id)
    unmasked = selectors.can_see_personal_data(user=request.user, customer=customer)
    with translation.override("en"):  # field labels in the API do not follow the UI language
        entries = audit_trail(customer, masked_fields=frozenset() if unmasked else MASKED_AUDIT_FIELDS,
                              readable=False)
    return [
        {"when": e.when, "who": e.who, "action": e.action, "reason": e.reason,
         "changes": [{"field": f, "before": b, "after": a} for f, b, a in e.changes]}
        for e in entries
    ]


@router.post("/customers/{int:customer_id}/contact-points", response={201: ContactPointOut})
def add_contact_point(request: HttpRequest, customer_id: int, payload: ContactPointIn):
    customer = selectors.customer_get_for_user(user=request.user, customer_id=customer_id, action="write")
    contact = Contact.objects.filter(customer=customer, pk=payload.contact_id).first() if payload.contact_id else None
    point = services.contact_point_add(
        actor=request.user, customer=customer, kind=payload.kind, value=payload.value,
        label=payload.label, contact=contact, is_primary=payload.is_primary,
    )
    return Status(201, point)


@router.delete("/customers/{int:customer_id}/contact-points/{int:point_id}", response={204: None})
def remove_contact_point(request: HttpRequest, customer_id: int, point_id: int):
    return _remove_part(request, customer_id, services.contact_point_remove, point_id=point_id)


@router.post("/customers/{int:customer_id}/addresses", response={201: AddressOut})
def add_address(request: HttpRequest, customer_id: int, payload: AddressIn):
    customer = selectors.customer_get_for_user(user=request.user, customer_id=customer_id, action="write")
    return Status(201, services.address_add(actor=request.user, customer=customer, **payload.dict()))


@router.delete("/customers/{int:customer_id}/addresses/{int:address_id}", response={204: None})
def remove_address(request: HttpRequest, customer_id: int, address_id: int):
    return _remove_part(request, customer_id, services.address_remove, address_id=address_id)


def _remove_part(request: HttpRequest, customer_id: int, remove, **part_id):
    """Remove one part of a customer the caller may change (a contact point, an address): 204."""
    customer = selectors.customer_get_for_user(user=request.user, customer_id=customer_id, action="write")
    remove(actor=request.user, customer=customer, **part_id)
    return Status(204, None)


@router.post("/customers/{int:customer_id}/contacts", response={201: ContactOut})
def add_contact(request: HttpRequest, customer_id: int, payload: ContactIn):
    customer = selectors.customer_get_for_user(user=request.user, customer_id=customer_id, action="write")
    return Status(201, services.contact_add(actor=request.user, customer=customer, **payload.dict()))


@router.get("/brands", response=list[RefOut])
def list_brands(request: HttpRequest, response: HttpResponse, params: Query[ListParams]):
    return cursor_list(request, response, Brand.objects.all(), params)
