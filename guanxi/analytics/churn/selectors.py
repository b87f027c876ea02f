"""Reads of churn early warning: the models and their quality (analysts), the scores of the
customers a user may read (their scope in customers), and the selector the key-account dashboard
and the 360 use."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from guanxi.core.errors import NotFound
from guanxi.customers import permissions as customer_permissions
from guanxi.customers.selectors import customer_get_for_user, customer_visible_to

from ..models import ChurnModel, ChurnScore
from ..permissions import permissions
from .reasons import reason_text


def churn_model_active() -> ChurnModel | None:
    return ChurnModel.objects.filter(status=ChurnModel.Status.ACTIVE).order_by("-version").first()


def churn_model_list(*, user) -> QuerySet[ChurnModel]:
    """Every training, newest first (refused ones with their reason); analysts and managers."""
    permissions.require(user, "churn_model", "read")
    return ChurnModel.objects.defer("booster").order_by("-version")


def churn_score_list(*, user, min_probability: float = 0.0) -> QuerySet[ChurnScore]:
    """The scores of the customers `user` may read, riskiest first (ordered for keyset paging)."""
    permissions.require(user, "churn_score", "read")
    qs = ChurnScore.objects.filter(customer__in=customer_visible_to(user=user).filter(deleted_at__isnull=True))
    if min_probability:
        qs = qs.filter(probability__gte=min_probability)
    return qs.select_related("customer").order_by("-probability", "customer_id")


def churn_score_get_for_user(*, user, customer_id: int) -> ChurnScore:
    """One customer's score; not found when the user may not read the customer or it has no score."""
    permissions.require(user, "churn_score", "read")
    customer = customer_get_for_user(user=user, customer_id=customer_id)
    score = ChurnScore.objects.filter(customer=customer).select_related("customer", "model").first()
    if score is None:
        raise NotFound(_("This customer has no churn score yet."))
    return score


def reasons_in_words(score: ChurnScore) -> list[str]:
    return [reason_text(r["feature"], r["value"]) for r in score.reasons]


def customer_name_for(user, customer) -> str:
    """The customer's name, masked (first character kept) where the user may not see personal data."""
    if customer_permissions.can_see_personal_data(user=user, customer=customer) or customer.kind != "individual":
        return customer.name
    return customer.name[:1] + "*" * max(len(customer.name) - 1, 1)


def churn_scores_for_customers(customer_ids, *, user=None) -> dict[int, dict]:
    """The latest churn score of each given customer that has one (for the key-account dashboard
    and the 360): probability, decile, reasons in words, model version, scored at. With `user`,
    only the customers that user may read. One query."""
    qs = ChurnScore.objects.filter(customer_id__in=list(customer_ids))
    if user is not None:
        if not permissions.can(user, "churn_score", "read"):
            return {}
        qs = qs.filter(customer__in=customer_visible_to(user=user))
    return {s.customer_id: {"probability": s.probability, "decile": s.decile, "reasons": reasons_in_words(s),
                            "model_version": s.model_version, "scored_at": s.scored_at} for s in qs}


def churn_risk_percent(customer_ids) -> dict[int, float]:
    """Each given customer's latest churn probability in per cent, for the key-account dashboard (which
    scopes its own readers to their accounts): one indexed query, no reasons. `customer_ids` may be a
    query of ids (kept a subquery: thousands of ids as parameters cost more to send than to look up)."""
    rows = ChurnScore.objects.filter(customer_id__in=customer_ids).values_list("customer_id", "probability")
    return {customer_id: round(probability * 100, 1) for customer_id, probability in rows}
