"""The offers app's source in the customers offer registry (customers.offers): the 360 page, its
API and the case page show these offers."""

from django.urls import reverse

from guanxi.customers.offers import Offer

from . import permissions, selectors
from .reasons import reason_text

SOURCE = "offers"


def offers_for_customer(customer, user, limit: int) -> list:
    result = selectors.customer_suggestions(user=user, customer=customer, limit=limit)
    feedback_url = (reverse("offers:feedback", args=[customer.pk])
                    if result.suggestions and permissions.can(user, "offer", "write") else "")
    return [Offer(title=s.product, reason=reason_text(s), score=s.score, source=SOURCE, feedback_url=feedback_url)
            for s in result.suggestions]
