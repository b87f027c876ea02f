"""The churn risk on the customer 360, through customers' fact registry."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .selectors import churn_scores_for_customers


def churn_fact(customer, user) -> list:
    from guanxi.customers.facts import Fact

    score = churn_scores_for_customers([customer.pk], user=user).get(customer.pk)
    if score is None:
        return []
    tone = "danger" if score["decile"] == 1 else "warning" if score["decile"] <= 3 else "secondary"
    return [Fact(label=_("Churn risk"), value=f"{round(score['probability'] * 100)}%",
                 detail="；".join(score["reasons"]), link=f"/analytics/churn/customers/{customer.pk}/", tone=tone)]
