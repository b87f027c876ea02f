"""Reads for personal data requests; every read checks the privacy table first."""

from django.db.models import QuerySet

from guanxi.core.errors import NotFound
from guanxi.customers.models import Customer

from . import permissions
from .models import DataRequest

MAX_ID = 2**63 - 1  # larger ids exist in no table, and SQLite cannot even compare them


def privacy_customer_get(*, user, customer_id: int) -> Customer:
    """Any customer record, deleted or merged ones too (a person's data outlives its deletion)."""
    permissions.require(user, "export", "read")
    customer = Customer.objects.filter(pk=customer_id).first() if 0 < customer_id <= MAX_ID else None
    if customer is None:
        raise NotFound()
    return customer


def data_request_list(*, user, kind: str = "", status: str = "", customer_id: int | None = None) -> QuerySet:
    permissions.require(user, "export", "read")
    requests = DataRequest.objects.select_related("customer", "requested_by", "reviewed_by", "executed_by")
    if kind:
        requests = requests.filter(kind=kind)
    if status:
        requests = requests.filter(status=status)
    if customer_id is not None:
        requests = requests.filter(customer_id=customer_id)
    return requests.order_by("-created_at", "-id")


def data_request_get(*, user, request_id: int) -> DataRequest:
    request = data_request_list(user=user).filter(pk=request_id).first() if 0 < request_id <= MAX_ID else None
    if request is None:
        raise NotFound()
    return request
