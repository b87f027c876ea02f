"""Personal data rights API (/api/v1/privacy/...): the export file of a customer, and erasure requests
filed, reviewed and executed."""

from typing import Literal

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from ninja import Query, Router, Status

from guanxi.core.api import paginate
from guanxi.core.db_routing import report_alias

from . import access_report, permissions, retention, selectors, services
from .models import MAX_DAYS, DataRequest, RetentionRule, RetentionRun
from .schemas import (
    AccessLogFilterIn,
    AccessLogPageOut,
    DataRequestFilterIn,
    DataRequestIn,
    DataRequestOut,
    DataRequestPageOut,
    RetentionRuleListOut,
    RetentionRuleOut,
    RetentionRuleUpdateIn,
    RetentionRunFilterIn,
    RetentionRunPageOut,
    ReviewIn,
)

router = Router(tags=["privacy"])


def _user(user) -> str | None:
    return str(user) if user else None


def _request(request: DataRequest) -> dict:
    return {"id": request.pk, "kind": request.kind, "status": request.status, "customer": request.customer_id,
            "note": request.note, "requested_by": _user(request.requested_by),
            "reviewed_by": _user(request.reviewed_by), "reviewed_at": request.reviewed_at,
            "review_note": request.review_note, "executed_by": _user(request.executed_by),
            "executed_at": request.executed_at, "result": request.result, "created_at": request.created_at}


def export_response(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = selectors.privacy_customer_get(user=request.user, customer_id=customer_id)
    export, content = services.customer_data_export(actor=request.user, customer=customer)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="personal-data-{customer.pk}-{export.pk}.zip"'
    return response


@router.get("/privacy/customers/{customer_id}/export", response={200: None},
            openapi_extra={"responses": {200: {"description": "A zip: data.json and one CSV per section",
                                               "content": {"application/zip": {}}}}})
def export_customer_data(request: HttpRequest, customer_id: int):
    return export_response(request, customer_id)


@router.get("/privacy/requests", response=DataRequestPageOut)
def list_data_requests(request: HttpRequest, params: Query[DataRequestFilterIn]):
    requests = selectors.data_request_list(user=request.user, kind=params.kind, status=params.status,
                                           customer_id=params.customer)
    return paginate(requests, params, _request)


@router.post("/privacy/requests", response={201: DataRequestOut})
def create_erasure_request(request: HttpRequest, payload: DataRequestIn):
    customer = selectors.privacy_customer_get(user=request.user, customer_id=payload.customer)
    return Status(201, _request(services.erasure_request(actor=request.user, customer=customer, note=payload.note)))


@router.get("/privacy/requests/{request_id}", response=DataRequestOut)
def get_data_request(request: HttpRequest, request_id: int):
    return _request(selectors.data_request_get(user=request.user, request_id=request_id))


@router.post("/privacy/requests/{request_id}/review", response=DataRequestOut)
def review_erasure_request(request: HttpRequest, request_id: int, payload: ReviewIn):
    data_request = selectors.data_request_get(user=request.user, request_id=request_id)
    return _request(services.erasure_review(actor=request.user, request=data_request, approve=payload.approve,
                                            note=payload.note))


@router.post("/privacy/requests/{request_id}/execute", response=DataRequestOut)
def execute_erasure_request(request: HttpRequest, request_id: int):
    data_request = selectors.data_request_get(user=request.user, request_id=request_id)
    return _request(services.erasure_execute(actor=request.user, request=data_request))


def _access_log(request: HttpRequest, params):
    return selectors.access_log(user=request.user, staff=params.staff, customer_id=params.customer,
                                date_from=params.date_from, date_to=params.date_to, channel=params.channel)


@router.get("/privacy/access-log", response=AccessLogPageOut)
def list_personal_data_access(request: HttpRequest, params: Query[AccessLogFilterIn]):
    """Who was shown which customer's unmasked personal data, newest first (privacy officer)."""
    return paginate(_access_log(request, params), params, access_report.access_row)


XLSX_MAX_ROWS = 1_000_000  # a worksheet holds 1,048,576 rows; CSV has no limit


def access_log_file(request: HttpRequest, rows, file_format: str) -> HttpResponse:
    permissions.require(request.user, "access_log", "export")
    rows = rows.using(report_alias())  # a report read: on the replica when there is one
    if file_format == "xlsx":
        response = HttpResponse(access_report.access_xlsx(rows[:XLSX_MAX_ROWS]), content_type=access_report.XLSX)
    else:
        response = StreamingHttpResponse(access_report.access_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="personal-data-access.{file_format}"'
    return response


@router.get("/privacy/access-log/export", response={200: None},
            openapi_extra={"responses": {200: {"description": "The filtered log as CSV or XLSX",
                                               "content": {"text/csv": {}, access_report.XLSX: {}}}}})
def export_personal_data_access(request: HttpRequest, params: Query[AccessLogFilterIn],
                                format: Literal["csv", "xlsx"] = "csv"):
    return access_log_file(request, _access_log(request, params), format)


def retention_run_row(run: RetentionRun) -> dict:
    return {"id": run.pk, "kind": run.kind, "action": run.action, "period_days": run.period_days,
            "cutoff": run.cutoff, "status": run.status, "run_by": _user(run.actor) if run.actor_id else None,
            "started_at": run.started_at, "finished_at": run.finished_at, "expired": run.expired,
            "processed": run.processed, "kept": run.kept, "changed": run.changed, "error": run.error}


def _rule(rule: RetentionRule) -> dict:
    last = getattr(rule, "last_run", None)
    return {"id": rule.pk, "kind": rule.kind, "kind_label": str(rule.get_kind_display()),
            "period_days": rule.period_days, "min_days": rule.min_days, "max_days": MAX_DAYS, "action": rule.action,
            "allowed_actions": list(rule.allowed_actions), "is_enabled": rule.is_enabled,
            "updated_by": _user(rule.updated_by), "updated_at": rule.updated_at,
            "last_run": retention_run_row(last) if last else None}


@router.get("/privacy/retention-rules", response=RetentionRuleListOut)
def list_retention_rules(request: HttpRequest):
    """Every retention rule (one per kind of personal data) with its last run."""
    return {"items": [_rule(rule) for rule in selectors.retention_rule_list(user=request.user)]}


@router.get("/privacy/retention-rules/{retention_rule_id}", response=RetentionRuleOut)
def get_retention_rule(request: HttpRequest, retention_rule_id: int):
    return _rule(selectors.retention_rule_get(user=request.user, rule_id=retention_rule_id))


@router.patch("/privacy/retention-rules/{retention_rule_id}", response=RetentionRuleOut)
def update_retention_rule(request: HttpRequest, retention_rule_id: int, payload: RetentionRuleUpdateIn):
    """Change a rule's period, action or switch: the fields given (privacy officer). 422, nothing
    changed, for a period outside the kind's bounds or an action the kind does not allow."""
    rule = selectors.retention_rule_get(user=request.user, rule_id=retention_rule_id)
    retention.retention_rule_update(actor=request.user, rule=rule, **payload.dict(exclude_unset=True))
    return _rule(selectors.retention_rule_get(user=request.user, rule_id=retention_rule_id))


@router.get("/privacy/retention-runs", response=RetentionRunPageOut)
def list_retention_runs(request: HttpRequest, params: Query[RetentionRunFilterIn]):
    """The retention sweeps, one run per kind, newest first."""
    runs = selectors.retention_run_list(user=request.user, kind=params.kind, status=params.status)
    return paginate(runs, params, retention_run_row)
