"""API shapes of customer merges and the duplicate review queue."""

import datetime

from pydantic import Field

from guanxi.core.masking import mask_email, mask_phone
from guanxi.core.schema import Schema

from ..models import Customer, CustomerMerge, MatchCandidate
from ..selectors.customers import can_see_personal_data
from ..selectors.merging import merge_blocker
from .dedupe import ReasonOut


class MergeIn(Schema):
    survivor_id: int = Field(..., description="the record that stays (its number is kept)")
    merged_id: int = Field(..., description="the duplicate merged into it, then hidden from lists")
    candidate_id: int | None = Field(None, description="the duplicate pair from the review queue, if any")
    field_choices: dict[str, str] | None = Field(
        None, description='per field, "survivor" or "merged": where its value comes from; other fields '
        "follow the survivorship rules", examples=[{"mobile": "merged", "name": "survivor"}],
    )


class CustomerRefOut(Schema):
    id: int
    code: str
    name: str


class MergeOut(Schema):
    id: int
    survivor: CustomerRefOut
    merged: CustomerRefOut
    candidate_id: int | None
    merged_by: str | None
    merged_at: datetime.datetime
    field_sources: dict[str, str] = Field(description="where each field of the golden record came from")
    moved: dict[str, list] = Field(description='ids of the rows re-pointed, per relation "app.model.field"')
    kept: dict[str, list] = Field(description="rows left on the merged record (the survivor already had one)")
    undone_at: datetime.datetime | None
    undone_by: str | None
    can_undo: bool
    undo_blocked_by: str = Field(description='"", "already_undone" or "merge_depends" (undo the later merge first)')


class CandidateCustomerOut(Schema):
    id: int
    code: str
    name: str
    mobile: str
    email: str
    merged_into: int | None
    personal_data_masked: bool


class CandidateOut(Schema):
    id: int
    left: CandidateCustomerOut
    right: CandidateCustomerOut
    probability: float
    match_weight: float
    reasons: list[ReasonOut]
    status: str
    decided_by: str | None
    decided_at: datetime.datetime | None
    created_at: datetime.datetime


def _ref(customer: Customer) -> dict:
    return {"id": customer.pk, "code": customer.code, "name": customer.name}


def merge_out(merge: CustomerMerge) -> dict:
    blocker = merge_blocker(merge)
    return {
        "id": merge.pk, "survivor": _ref(merge.survivor), "merged": _ref(merge.merged),
        "candidate_id": merge.candidate_id, "merged_by": str(merge.merged_by) if merge.merged_by else None,
        "merged_at": merge.merged_at, "field_sources": (merge.field_choices or {}).get("sources", {}),
        "moved": merge.moved, "kept": merge.kept, "undone_at": merge.undone_at,
        "undone_by": str(merge.undone_by) if merge.undone_by else None,
        "can_undo": not blocker, "undo_blocked_by": blocker,
    }


def candidate_customer(customer: Customer, *, user) -> dict:
    unmasked = can_see_personal_data(user=user, customer=customer)
    return {
        "id": customer.pk, "code": customer.code, "name": customer.name,
        "mobile": customer.mobile if unmasked else mask_phone(customer.mobile),
        "email": customer.email if unmasked else mask_email(customer.email),
        "merged_into": customer.merged_into_id, "personal_data_masked": not unmasked,
    }


def _reason(item) -> dict:
    item = item if isinstance(item, dict) else {}
    return {"field": str(item.get("field", "")), "label": str(item.get("label", "")),
            "level": str(item.get("level", "")), "weight": float(item.get("weight") or 0)}


def candidate_out(candidate: MatchCandidate, *, user) -> dict:
    return {
        "id": candidate.pk, "left": candidate_customer(candidate.left, user=user),
        "right": candidate_customer(candidate.right, user=user), "probability": candidate.probability,
        "match_weight": candidate.match_weight, "reasons": [_reason(r) for r in candidate.reasons or []],
        "status": candidate.status, "decided_by": str(candidate.decided_by) if candidate.decided_by else None,
        "decided_at": candidate.decided_at, "created_at": candidate.created_at,
    }


class CandidateFilterIn(Schema):
    status: str = Field("pending", max_length=10, description='pending, merged, dismissed, or "" for all')
    min_probability: float | None = Field(None, ge=0, le=1)
