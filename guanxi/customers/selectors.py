"""Reads of customers, always scoped to what the caller's role may see."""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.expressions import RawSQL

from guanxi.accounts.models import User
from guanxi.accounts.roles import Scope, is_in_scope, policy_for
from guanxi.core.errors import NotFound, PermissionDenied
from guanxi.core.pagination import Ordering

from . import normalize
from .models import ContactPoint, Customer
from .search_index import FTS_TABLE

CUSTOMER_ORDERING = Ordering(
    allowed=("name", "name_pinyin", "code", "arpu", "created_at", "updated_at", "lifecycle_stage", "id"),
    default="-updated_at",
)
MIN_SUBSTRING = 3  # trigram indexes (pg_trgm, FTS5 trigram) need three characters


@dataclass(frozen=True)
class CustomerFilter:
    query: str = ""
    kind: str = ""
    lifecycle_stage: str = ""
    brand_id: int | None = None
    owner_id: int | None = None
    team_id: int | None = None
    tag: str = ""
    province: str = ""
    arpu_min: float | None = None
    arpu_max: float | None = None


def _scoped(qs: QuerySet, *, user: User, scope: Scope) -> QuerySet:
    if scope is Scope.ALL:
        return qs
    if scope is Scope.NONE:
        return qs.none()
    if scope is Scope.TEAM and user.team_id:
        return qs.filter(Q(owner=user) | Q(team_id=user.team_id))
    return qs.filter(owner=user)


def customer_list(
    *, user: User, filters: CustomerFilter | None = None, ordering: str | None = None
) -> QuerySet[Customer]:
    """Live customers the user may read, filtered, searched and ordered."""
    filters = filters or CustomerFilter()
    qs = _scoped(Customer.objects.alive(), user=user, scope=policy_for(user).read)
    if filters.query.strip():
        qs = qs.filter(customer_search_condition(filters.query))
    simple = {"kind": filters.kind, "lifecycle_stage": filters.lifecycle_stage,
              "brand_id": filters.brand_id, "owner_id": filters.owner_id, "team_id": filters.team_id,
              "arpu__gte": filters.arpu_min, "arpu__lte": filters.arpu_max}
    qs = qs.filter(**{k: v for k, v in simple.items() if v not in (None, "")})
    if filters.tag:
        qs = qs.filter(tags__name=filters.tag)
    if filters.province:
        qs = qs.filter(addresses__province__startswith=filters.province).distinct()
    return qs.select_related("owner", "team", "brand").order_by(*CUSTOMER_ORDERING.resolve(ordering))


def customer_search_condition(query: str) -> Q:
    """What a search box query matches: phone in any format, e-mail, ID, customer number,
    name prefix, full pinyin or initials prefix, and any substring of three characters or more."""
    key = normalize.search_key(query)[:100]
    condition = Q(pk__in=[])
    phone = normalize.phone_normalize(query) if normalize.looks_like_phone(query) else None
    if phone:
        condition |= Q(mobile=phone) | Q(pk__in=_customers_with_point(phone))
    if "@" in key:
        condition |= Q(email=key) | Q(pk__in=_customers_with_point(key))
    if key.replace("x", "").isdigit() and len(key) >= 6:
        condition |= Q(id_number=key.upper())
    condition |= Q(code=query.strip().upper()) | Q(name__startswith=normalize.to_simplified(query))
    if key.isascii() and key.isalpha():
        condition |= Q(name_initials__startswith=key) | Q(name_pinyin__startswith=key)
    if len(key) >= MIN_SUBSTRING:
        condition |= _substring_condition(key)
    return condition


def _customers_with_point(normalized: str) -> list[int]:
    # Fetched first, as literal ids: PostgreSQL cannot combine an IN (subquery) inside an OR
    # with the other index scans (BitmapOr), and falls back to scanning every customer.
    return list(ContactPoint.objects.filter(normalized=normalized).values_list("customer_id", flat=True).distinct())


def _substring_condition(key: str) -> Q:
    if connection.vendor == "sqlite":
        phrase = '"' + key.replace('"', '""') + '"'
        return Q(pk__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", (phrase,)))
    return Q(search_document__contains=key)


def customer_get_for_user(*, user: User, customer_id: int, action: str = "read") -> Customer:
    """One live customer; 404 when the user may not read it, 403 when they may read but not
    `action` ("read", "write" or "delete") it."""
    policy = policy_for(user)
    customer = (
        Customer.objects.alive().select_related("owner", "team", "brand").filter(pk=customer_id).first()
    )
    if customer is None or not _allows(policy.read, user, customer):
        raise NotFound("Customer not found.")
    if action != "read" and not _allows(getattr(policy, action), user, customer):
        raise PermissionDenied(f"Your role cannot {action} this customer.")
    return customer


def _allows(scope: Scope, user: User, customer: Customer) -> bool:
    return is_in_scope(scope, user=user, owner_id=customer.owner_id, team_id=customer.team_id)


def can_see_personal_data(*, user: User, customer: Customer) -> bool:
    return _allows(policy_for(user).personal_data, user, customer)


def customer_profile(*, customer: Customer) -> dict:
    """Contacts, contact points, addresses and holdings of one customer, four queries."""
    return {
        "contacts": list(customer.contacts.all()),
        "contact_points": list(customer.contact_points.select_related("contact")),
        "addresses": list(customer.addresses.all()),
        "holdings": list(customer.holdings.all()),
        "tags": [t.name for t in customer.tags.all()],
    }


COUNTABLE_FIELDS = {"lifecycle_stage": "lifecycle_stage", "brand": "brand__name", "kind": "kind"}


def customer_counts_by(*, user: User, field: str) -> list[tuple[str | None, int]]:
    """How many live customers the user may read fall under each value of `field`
    ("lifecycle_stage", "brand" or "kind"), largest first; one GROUP BY query."""
    column = COUNTABLE_FIELDS[field]
    rows = (
        customer_list(user=user).order_by().values(column).annotate(n=Count("id")).order_by("-n", column)
    )
    return [(row[column], row["n"]) for row in rows]


def customer_visible_to(*, user: User) -> QuerySet[Customer]:
    """Every customer (live or not) inside the user's read scope; for other apps' scoping."""
    return _scoped(Customer.objects.all(), user=user, scope=policy_for(user).read)
