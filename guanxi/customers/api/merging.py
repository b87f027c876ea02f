"""API of customer merges (客户合并) and the duplicate review queue (重复客户复核)."""

from django.http import HttpRequest, HttpResponse
from ninja import Query, Status

from guanxi.core.api import ListParams, PageOut, PageParams, cursor_list, paginate
from guanxi.core.routers import Router

from ..schemas.merging import CandidateFilterIn, CandidateOut, MergeIn, MergeOut, candidate_out, merge_out
from ..selectors.merging import (
    customer_get_any_for_user,
    customer_merges,
    match_candidate_get_for_user,
    match_candidate_list,
)
from ..services.merging import customer_merge, customer_unmerge, match_candidate_dismiss

router = Router(tags=["customer merges"], operation_prefix="guanxi_customers_api_merge")


@router.post("/customers/merge", response={201: MergeOut})
def merge_customers(request: HttpRequest, payload: MergeIn):
    """Merge `merged_id` into `survivor_id`: every related record moves to the survivor, the merged
    record is hidden from lists and search and points at the survivor. Needs write and delete rights
    over both customers (403 otherwise); 409 when either is already merged or deleted."""
    survivor = customer_get_any_for_user(user=request.user, customer_id=payload.survivor_id)
    merged = customer_get_any_for_user(user=request.user, customer_id=payload.merged_id)
    candidate = (match_candidate_get_for_user(user=request.user, candidate_id=payload.candidate_id)
                 if payload.candidate_id is not None else None)
    merge = customer_merge(survivor=survivor, merged=merged, actor=request.user, candidate=candidate,
                           field_choices=payload.field_choices)
    return Status(201, merge_out(merge))


@router.post("/customers/{int:customer_id}/unmerge", response=MergeOut)
def unmerge_customer(request: HttpRequest, customer_id: int):
    """Undo the merge of this customer (the id of the merged record, not of the survivor) into
    another: exactly the rows that merge moved come back, both records get their fields back.
    409 when it is not merged, or when its survivor has since been merged further (undo that first)."""
    customer = customer_get_any_for_user(user=request.user, customer_id=customer_id)
    return merge_out(customer_unmerge(merge=customer, actor=request.user))


@router.get("/customers/{int:customer_id}/merges", response=list[MergeOut])
def list_customer_merges(request: HttpRequest, response: HttpResponse, customer_id: int,
                         params: Query[ListParams]):
    """Merges into and out of this customer, newest first."""
    customer = customer_get_any_for_user(user=request.user, customer_id=customer_id)
    return cursor_list(request, response, customer_merges(customer=customer), params, merge_out)


@router.get("/customers/duplicates", response=PageOut[CandidateOut])
def list_duplicates(request: HttpRequest, filters: Query[CandidateFilterIn], page: Query[PageParams]):
    """Duplicate pairs found by the scans where the caller may read both customers, most probable
    first; phone and e-mail masked as for the caller's role."""
    qs = match_candidate_list(user=request.user, status=filters.status or None,
                              min_probability=filters.min_probability, ordering=page.ordering)
    return paginate(qs, page, lambda c: candidate_out(c, user=request.user))


@router.post("/customers/duplicates/{int:candidate_id}/dismiss", response=CandidateOut)
def dismiss_duplicate(request: HttpRequest, candidate_id: int):
    """Mark a pair "not a duplicate"; later scans leave it dismissed."""
    candidate = match_candidate_get_for_user(user=request.user, candidate_id=candidate_id)
    candidate = match_candidate_dismiss(candidate=candidate, actor=request.user)
    return candidate_out(candidate, user=request.user)
