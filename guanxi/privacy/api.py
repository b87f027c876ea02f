"""Personal data rights API (/api/v1/privacy/...): the export file of a customer, and erasure requests
filed, reviewed and executed."""

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from guanxi.core.api import paginate

from . import selectors, services
from .models import DataRequest
from .schemas import DataRequestFilterIn, DataRequestIn, DataRequestOut, DataRequestPageOut, ReviewIn

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
