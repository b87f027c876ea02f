"""Warranty decisions on the customer's timeline."""

from django.urls import reverse
from django.utils.translation import gettext as _

from guanxi.customers.timeline import TimelineEvent

from .models import ProductSale, WarrantyDecision

WARRANTY_EVENTS_IN = ((ProductSale, "customer"),)  # decisions are of the customer's sales


def warranty_events(customer, limit: int, before=None) -> list[TimelineEvent]:
    decisions = WarrantyDecision.objects.filter(sale__customer=customer)
    if before is not None:
        decisions = decisions.filter(created_at__lte=before)
    decisions = (decisions
                 .select_related("sale__serial", "part").order_by("-created_at", "-id"))
    return [
        TimelineEvent(d.created_at, "warranty_decision", f"{_('Warranty decision')}: {d.get_remedy_display()}",
                      f"{d.sale.serial} · {d.part}", link=reverse("warranty:decision", args=[d.pk]),
                      extra={"remedy": d.remedy, "amount": str(d.amount or "")})
        for d in decisions[:limit]
    ]
