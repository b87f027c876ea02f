"""Reads for merging duplicates (客户合并): who may merge, the review queue, merge history."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from guanxi.accounts.models import User
from guanxi.accounts.roles import Scope
from guanxi.core.errors import NotFound, ValidationFailed
from guanxi.core.pagination import Ordering

from .. import permissions
from ..models import Customer, CustomerMerge, MatchCandidate

CANDIDATE_ORDERING = Ordering(allowed=("probability", "created_at", "id"), default="-probability")


def customer_may_merge(*, user: User | None, customer: Customer) -> bool:
    """Merging changes one record and takes the other out of every list, as a delete does: the
    user needs write and delete scope over the customer (administrators and service managers for
    all customers, sales managers for their team's; not agents, who may edit but not delete)."""
    return permissions.customer_in_scope(user, customer, "write", "merge")


def can_review_duplicates(user: User | None) -> bool:
    """Whether the role may merge at all (some customers at least): shows the review queue."""
    return permissions.can(user, "merge", "write")


def _scope_q(prefix: str, *, user: User) -> Q:
    if permissions.scope(user, "customer", "read") is Scope.NONE:
        return Q(pk__in=[])
    return permissions.customer_condition(user, prefix=f"{prefix}__")


def customer_get_any_for_user(*, user: User, customer_id: int) -> Customer:
    """One customer inside the user's read scope, whether live, deleted or merged away (merging
    and undoing need to see the merged record); 404 otherwise."""
    customer = Customer.objects.select_related("owner", "team", "brand", "merged_into").filter(pk=customer_id).first()
    if customer is None or not permissions.customer_in_scope(user, customer):
        raise NotFound("Customer not found.")
    return customer


def match_candidate_list(*, user: User, status: str | None = MatchCandidate.Status.PENDING,
                         min_probability: float | None = None, ordering: str | None = None,
                         ) -> QuerySet[MatchCandidate]:
    """Duplicate pairs where the user may read both customers, most probable first. Pending pairs
    are shown only while both customers are live (a pair whose customer was merged or deleted
    since the scan is stale). `status` None or "" lists every status."""
    if status and status not in MatchCandidate.Status.values:
        raise ValidationFailed(fields={"status": gettext("one of: %(values)s") % {
            "values": ', '.join(MatchCandidate.Status.values)}})
    if min_probability is not None and not 0 <= min_probability <= 1:
        raise ValidationFailed(fields={"min_probability": "between 0 and 1"})
    qs = MatchCandidate.objects.filter(_scope_q("left", user=user), _scope_q("right", user=user))
    if status:
        qs = qs.filter(status=status)
    if status == MatchCandidate.Status.PENDING:
        qs = qs.filter(left__deleted_at__isnull=True, right__deleted_at__isnull=True)
    if min_probability is not None:
        qs = qs.filter(probability__gte=min_probability)
    return (qs.select_related("left", "right", "decided_by")
            .order_by(*CANDIDATE_ORDERING.resolve(ordering)))


def match_candidate_get_for_user(*, user: User, candidate_id: int) -> MatchCandidate:
    """One pair; 404 unless the user may read both customers."""
    candidate = match_candidate_list(user=user, status=None).filter(pk=candidate_id).first()
    if candidate is None:
        raise NotFound("Duplicate pair not found.")
    return candidate


def customer_merge_history(*, customer: Customer, limit: int = 100) -> list[CustomerMerge]:
    """Merges into and out of this customer, newest first (the newest `limit`)."""
    return list(customer_merges(customer=customer)[:limit])


def customer_merges(*, customer: Customer) -> QuerySet[CustomerMerge]:
    """Merges into and out of this customer, newest first."""
    return (CustomerMerge.objects.filter(Q(survivor=customer) | Q(merged=customer))
            .select_related("survivor", "merged", "merged_by", "undone_by").order_by("-merged_at", "-id"))


def customer_merge_get_for_user(*, user: User, merge_id: int) -> CustomerMerge:
    merge = CustomerMerge.objects.select_related("survivor", "merged").filter(pk=merge_id).first()
    if merge is None:
        raise NotFound("Merge not found.")
    for customer in (merge.survivor, merge.merged):
        if not permissions.customer_in_scope(user, customer):
            raise NotFound("Merge not found.")
    return merge


def merge_blocker(merge: CustomerMerge) -> str:
    """Why this merge cannot be undone now, or "" when it can (see customer_unmerge)."""
    if merge.is_undone:
        return "already_undone"
    if merge.survivor.merged_into_id is not None:
        return "merge_depends"
    return ""
