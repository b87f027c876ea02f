"""Reads for merging duplicates (客户合并): who may merge, the review queue, merge history."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from guanxi.accounts.models import User
from guanxi.accounts.roles import Scope, is_in_scope, policy_for
from guanxi.core.errors import NotFound, PermissionDenied, ValidationFailed
from guanxi.core.pagination import Ordering

from ..models import Customer, CustomerMerge, MatchCandidate

CANDIDATE_ORDERING = Ordering(allowed=("probability", "created_at", "id"), default="-probability")


def customer_may_merge(*, user: User | None, customer: Customer) -> bool:
    """Merging changes one record and takes the other out of every list, as a delete does: the
    user needs write and delete scope over the customer (administrators and service managers for
    all customers, sales managers for their team's; not agents, who may edit but not delete)."""
    policy = policy_for(user)
    return all(
        is_in_scope(scope, user=user, owner_id=customer.owner_id, team_id=customer.team_id)
        for scope in (policy.read, policy.write, policy.delete)
    )


def can_review_duplicates(user: User | None) -> bool:
    """Whether the role may merge at all (some customers at least): shows the review queue."""
    policy = policy_for(user)
    return all(scope is not Scope.NONE for scope in (policy.read, policy.write, policy.delete))


def _scope_q(prefix: str, *, user: User, scope: Scope) -> Q:
    if scope is Scope.ALL:
        return Q()
    if scope is Scope.NONE:
        return Q(pk__in=[])
    own = Q(**{f"{prefix}__owner": user})
    if scope is Scope.TEAM and user.team_id:
        return own | Q(**{f"{prefix}__team_id": user.team_id})
    return own


def customer_get_any_for_user(*, user: User, customer_id: int) -> Customer:
    """One customer inside the user's read scope, whether live, deleted or merged away (merging
    and undoing need to see the merged record); 404 otherwise."""
    customer = Customer.objects.select_related("owner", "team", "brand", "merged_into").filter(pk=customer_id).first()
    if customer is None or not is_in_scope(policy_for(user).read, user=user, owner_id=customer.owner_id,
                                           team_id=customer.team_id):
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
    scope = policy_for(user).read
    qs = MatchCandidate.objects.filter(_scope_q("left", user=user, scope=scope),
                                       _scope_q("right", user=user, scope=scope))
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
    read = policy_for(user).read
    for customer in (merge.survivor, merge.merged):
        if not is_in_scope(read, user=user, owner_id=customer.owner_id, team_id=customer.team_id):
            raise NotFound("Merge not found.")
    return merge


def merge_blocker(merge: CustomerMerge) -> str:
    """Why this merge cannot be undone now, or "" when it can (see customer_unmerge)."""
    if merge.is_undone:
        return "already_undone"
    if merge.survivor.merged_into_id is not None:
        return "merge_depends"
    return ""


def require_may_merge(*, user: User | None, customers) -> None:
    """PermissionDenied unless the user may merge every one of `customers` (None: the system)."""
    if user is None:
        return
    for customer in customers:
        if not customer_may_merge(user=user, customer=customer):
            raise PermissionDenied(gettext("Your role cannot merge customer %(code)s.") % {
                "code": customer.code}, code="merge_forbidden")
