"""/api/v1/segments: rule segments, members, previews, value reports, value runs; and
/api/v1/customers/{id}/value with the customer's strategic weight."""

import json

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from guanxi.core.api import ListParams, PageOut, PageParams, cursor_list, paginate
from guanxi.core.errors import ValidationFailed
from guanxi.customers.schemas import customer_row
from guanxi.customers.selectors import can_see_personal_data, customer_get_for_user

from . import permissions, rules, selectors, services
from .exporting import segment_export_response
from .models import Segment
from .naming import segment_display_name
from .schemas import (
    FieldOut,
    MemberOut,
    PreviewIn,
    PreviewOut,
    RecomputeOut,
    ReportOut,
    RunOut,
    SegmentIn,
    SegmentOut,
    SegmentPatch,
    StrategicWeightIn,
    StrategicWeightOut,
    ValueOut,
)

router = Router(tags=["segments"])


def _ref(obj):
    return {"id": obj.pk, "name": str(obj)} if obj is not None else None


def _segment_out(segment: Segment, user, clusters=None) -> dict:
    data = {name: getattr(segment, name) for name in (
        "id", "name", "description", "kind", "system_key", "definition", "is_shared", "member_count",
        "member_count_at", "service_priority", "service_level", "service_hours", "service_mode",
        "service_content", "created_at", "updated_at")}
    data.update(display_name=segment_display_name(segment, clusters=clusters), owner=_ref(segment.owner),
                service_team=_ref(segment.service_team), can_edit=permissions.can_edit_segment(user, segment))
    return data


def _clusters() -> dict[int, dict]:
    run = selectors.latest_run()
    return {c["id"]: c for c in run.clusters} if run else {}


def _segment_data(payload) -> dict:
    data = payload.dict(exclude_unset=True)
    if "service_team_id" in data:
        data["service_team"] = data.pop("service_team_id")
    return data


@router.get("/segments", response=list[SegmentOut])
def list_segments(request: HttpRequest, response: HttpResponse, params: Query[ListParams]):
    clusters = _clusters()
    return cursor_list(request, response, selectors.segment_list(user=request.user), params,
                       lambda s: _segment_out(s, request.user, clusters))


@router.post("/segments", response={201: SegmentOut})
def create_segment(request: HttpRequest, payload: SegmentIn):
    segment = services.segment_create(actor=request.user, data=_segment_data(payload))
    return Status(201, _segment_out(segment, request.user))


@router.get("/segments/fields", response=list[FieldOut])
def list_segment_fields(request: HttpRequest):
    """The fields a definition may filter on, with their operators and choices."""
    return rules.field_catalogue()


def _preview(request, definition) -> dict:
    clean = rules.validate(definition)
    return {"count": selectors.definition_count(user=request.user, definition=clean), "definition": clean}


@router.get("/segments/preview", response=PreviewOut)
def preview_segment(request: HttpRequest, definition: str):
    """How many customers you may read match an unsaved definition (JSON in the query string)."""
    try:
        parsed = json.loads(definition)
    except ValueError as exc:
        raise ValidationFailed(fields={"definition": "not valid JSON"}) from exc
    return _preview(request, parsed)


@router.post("/segments/preview", response=PreviewOut)
def preview_segment_body(request: HttpRequest, payload: PreviewIn):
    return _preview(request, payload.definition)


@router.get("/segments/reports/{name}", response=ReportOut)
def get_value_report(request: HttpRequest, name: str):
    """pyramid, abc, rfm, brand-arpu, portfolio or clusters, over the customers you may read."""
    return selectors.value_report(user=request.user, name=name)


@router.get("/segments/runs", response=list[RunOut])
def list_value_runs(request: HttpRequest, response: HttpResponse, params: Query[ListParams]):
    """Value runs, newest first."""
    return cursor_list(request, response, selectors.value_run_list(user=request.user), params)


@router.post("/segments/runs", response={202: RecomputeOut})
def start_value_run(request: HttpRequest):
    """Recompute every customer's value now (a background task; inline without a broker)."""
    run = services.value_run_start(actor=request.user)
    return Status(202, {"queued": run is None, "run": run})


@router.get("/segments/{int:segment_id}", response=SegmentOut)
def get_segment(request: HttpRequest, segment_id: int):
    segment = selectors.segment_get_for_user(user=request.user, segment_id=segment_id)
    return _segment_out(segment, request.user, _clusters())


@router.patch("/segments/{int:segment_id}", response=SegmentOut)
def update_segment(request: HttpRequest, segment_id: int, payload: SegmentPatch):
    segment = selectors.segment_get_for_user(user=request.user, segment_id=segment_id)
    segment = services.segment_update(actor=request.user, segment=segment, data=_segment_data(payload))
    return _segment_out(segment, request.user, _clusters())


@router.delete("/segments/{int:segment_id}", response={204: None})
def delete_segment(request: HttpRequest, segment_id: int):
    segment = selectors.segment_get_for_user(user=request.user, segment_id=segment_id)
    services.segment_delete(actor=request.user, segment=segment)
    return Status(204, None)


def member_row(customer, *, user) -> dict:
    row = customer_row(customer, unmasked=can_see_personal_data(user=user, customer=customer))
    snapshot = getattr(customer, "value_snapshot", None)
    for name in ("value_level", "abc_class", "rfm_segment", "clv_36m", "key_account_score"):
        row[name] = getattr(snapshot, name) if snapshot else None
    return row


@router.get("/segments/{int:segment_id}/members", response=PageOut[MemberOut])
def list_segment_members(request: HttpRequest, segment_id: int, page: Query[PageParams]):
    """The members you may read, personal data masked as in the customer list."""
    segment = selectors.segment_get_for_user(user=request.user, segment_id=segment_id)
    members = selectors.segment_members(segment=segment, user=request.user, ordering=page.ordering)
    return paginate(members, page, lambda c: member_row(c, user=request.user))


@router.get("/segments/{int:segment_id}/export", response={200: None})
def export_segment_members(request: HttpRequest, segment_id: int):
    segment = selectors.segment_get_for_user(user=request.user, segment_id=segment_id)
    return segment_export_response(user=request.user, segment=segment)


# ---------------------------------------------------------------- one customer's value

VALUE_FIELDS = ("arpu_band", "value_level", "abc_class", "revenue_12m", "revenue_prev_12m", "revenue_total",
                "contribution_share", "purchase_days", "first_purchase_on", "last_purchase_on", "recency_days",
                "rfm_r", "rfm_f", "rfm_m", "rfm_segment", "expected_purchases_12m", "p_alive",
                "expected_avg_value", "clv_12m", "clv_36m", "loyalty_index", "credit_score", "retention_index",
                "ka_profit", "ka_strategic", "ka_loss", "ka_relationship", "ka_growth", "ka_time",
                "key_account_score", "growth_rate", "segment_growth_rate", "portfolio", "cluster", "product_kinds",
                "competitor_products", "tenure_days", "contacts_12m", "contact_minutes_12m", "outlet_visits_12m")


def value_out(value: dict) -> dict:
    snapshot, weight, plan = value["snapshot"], value["strategic_weight"], value["service_plan"]
    return {
        "customer_id": value["customer"].pk, "computed": snapshot is not None,
        "computed_at": snapshot.computed_at if snapshot else None,
        "as_of": value["run"].as_of if value["run"] else None,
        "values": {name: getattr(snapshot, name) for name in VALUE_FIELDS} if snapshot else None,
        "cluster_description": value["cluster_description"],
        "is_key_account": snapshot.key_account_score >= value["key_account_threshold"] if snapshot else None,
        "strategic_weight": {"weight": weight.weight, "reason": weight.reason} if weight else None,
        "segments": [{"id": s.pk, "name": segment_display_name(s), "kind": s.kind} for s in value["segments"]],
        "service_plan": {"segment": {"id": plan.pk, "name": segment_display_name(plan), "kind": plan.kind},
                         "level": plan.service_level, "team": _ref(plan.service_team), "hours": plan.service_hours,
                         "mode": plan.service_mode, "content": plan.service_content} if plan else None,
    }


@router.get("/customers/{int:customer_id}/value", response=ValueOut, tags=["segments"])
def get_customer_value(request: HttpRequest, customer_id: int):
    """The customer's latest value figures (客户价值), segments and tiered service; for anyone who
    may read the customer."""
    return value_out(selectors.value_get_for_user(user=request.user, customer_id=customer_id))


@router.put("/customers/{int:customer_id}/strategic-weight", response=StrategicWeightOut, tags=["segments"])
def set_strategic_weight(request: HttpRequest, customer_id: int, payload: StrategicWeightIn):
    """Administrators: how crucial the customer is to the company's goals (0–100; null clears)."""
    customer = customer_get_for_user(user=request.user, customer_id=customer_id)
    weight = services.strategic_weight_set(actor=request.user, customer=customer, weight=payload.weight,
                                           reason=payload.reason)
    return {"weight": weight.weight if weight else None, "reason": weight.reason if weight else ""}
