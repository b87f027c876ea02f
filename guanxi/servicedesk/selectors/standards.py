"""Reads of service standards (服务标准): configuration every role reads."""

from django.db.models import QuerySet

from guanxi.core.errors import NotFound

from ..models import ServiceStandard


def standard_list() -> QuerySet[ServiceStandard]:
    return ServiceStandard.objects.all()


def standard_get(*, standard_id: int) -> ServiceStandard:
    standard = ServiceStandard.objects.filter(pk=standard_id).first()
    if standard is None:
        raise NotFound()
    return standard
