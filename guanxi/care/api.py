"""`/api/v1/care-rules` (administrators configure, staff read; cursor-paged) and
`/api/v1/care-tasks` (the care tasks one may see, completed with an outcome)."""

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Status

from guanxi.accounts.models import User
from guanxi.core.api import CursorPageParams
from guanxi.core.errors import ValidationFailed
from guanxi.core.masking import mask_phone
from guanxi.core.pagination import keyset_page
from guanxi.core.routers import Router
from guanxi.segments.models import Segment

from . import permissions, selectors, services
from .schemas import (
    CareRuleIn,
    CareRuleOut,
    CareRulePageOut,
    CareRuleUpdateIn,
    CareTaskCompleteIn,
    CareTaskFilterIn,
    CareTaskOut,
    CareTaskPageOut,
)

router = Router(tags=["care"], operation_prefix="guanxi_care_api")


def _rule_out(rule) -> dict:
    return {**{f: getattr(rule, f) for f in ("id", "name", "occasion", "occasion_key", "lead_days", "action",
                                              "channel", "template", "subject", "budget", "cost_per_action",
                                              "is_enabled", "updated_at")},
            "segment": rule.segment_id, "assignee": rule.assignee_id,
            "spent_this_year": services.spent(rule, timezone.localdate().year)}


def _references(data: dict) -> dict:
    """Ids in the body → records; an unknown id is a 422 on its field."""
    if data.get("segment") is not None:
        segment = Segment.objects.filter(pk=data["segment"]).first()
        if segment is None:
            raise ValidationFailed(fields={"segment": _("does not exist")})
        data["segment"] = segment
    if data.get("assignee") is not None:
        assignee = User.objects.filter(pk=data["assignee"]).first()
        if assignee is None:
            raise ValidationFailed(fields={"assignee": _("does not exist")})
        data["assignee"] = assignee
    return data


@router.get("/care-rules", response=CareRulePageOut)
def list_care_rules(request: HttpRequest, page: Query[CursorPageParams]):
    """The care rules, oldest first, with what each spent this year."""
    result = keyset_page(selectors.rule_list(user=request.user), cursor=page.cursor, limit=page.limit)
    return {"items": [_rule_out(rule) for rule in result.rows], "next_cursor": result.next_cursor}


@router.get("/care-rules/{rule_id}", response=CareRuleOut)
def get_care_rule(request: HttpRequest, rule_id: int):
    return _rule_out(selectors.rule_get(user=request.user, rule_id=rule_id))


@router.post("/care-rules", response={201: CareRuleOut})
def create_care_rule(request: HttpRequest, payload: CareRuleIn):
    """A care rule (administrators)."""
    permissions.require(request.user, "rule", "configure")
    rule = services.care_rule_save(actor=request.user, data=_references(payload.dict()))
    return Status(201, _rule_out(rule))


@router.patch("/care-rules/{rule_id}", response=CareRuleOut)
def update_care_rule(request: HttpRequest, rule_id: int, payload: CareRuleUpdateIn):
    """Change a rule: the fields given (`is_enabled: false` switches it off)."""
    rule = selectors.rule_get(user=request.user, rule_id=rule_id)
    permissions.require(request.user, "rule", "configure")
    data = payload.dict(exclude_unset=True)
    data = {k: v for k, v in data.items() if v is not None or k in ("segment", "budget", "assignee")}
    return _rule_out(services.care_rule_save(actor=request.user, rule=rule, data=_references(data)))


@router.delete("/care-rules/{rule_id}", response={204: None})
def delete_care_rule(request: HttpRequest, rule_id: int):
    """Delete a rule without history (409 once it has cared for someone: switch it off)."""
    rule = selectors.rule_get(user=request.user, rule_id=rule_id)
    services.care_rule_delete(actor=request.user, rule=rule)
    return Status(204, None)


def _task_out(action, phone) -> dict:
    task = action.task
    return {"id": action.pk, "rule": action.rule_id, "rule_name": action.rule.name, "customer": action.customer_id,
            "customer_name": action.customer.name, "mobile": phone(action.customer.mobile),
            "occasion": action.occasion_label, "occasion_date": action.occasion_date, "action": action.action,
            "cost": action.cost, "task": task.pk, "status": task.status,
            "assignee": str(task.assignee) if task.assignee_id else "", "due_at": task.due_at,
            "outcome": task.outcome}


@router.get("/care-tasks", response=CareTaskPageOut)
def list_care_tasks(request: HttpRequest, filters: Query[CareTaskFilterIn], page: Query[CursorPageParams]):
    """Care tasks (yours; managers: everyone's), newest occasion first; phones masked unless your
    role needs them."""
    phone = (lambda v: v) if permissions.sees_personal_data(request.user) else mask_phone
    result = keyset_page(selectors.task_list(user=request.user, open_only=filters.open),
                         cursor=page.cursor, limit=page.limit)
    return {"items": [_task_out(a, phone) for a in result.rows], "next_cursor": result.next_cursor}


@router.post("/care-tasks/{action_id}/complete", response=CareTaskOut)
def complete_care_task(request: HttpRequest, action_id: int, payload: CareTaskCompleteIn):
    """Complete a care task with its outcome (409 when it is already done or cancelled)."""
    action = selectors.task_get(user=request.user, action_id=action_id)
    services.care_task_complete(actor=request.user, action=action, outcome=payload.outcome)
    phone = (lambda v: v) if permissions.sees_personal_data(request.user) else mask_phone
    return _task_out(selectors.task_get(user=request.user, action_id=action_id), phone)
