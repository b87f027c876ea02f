"""Reads of customers, always scoped to what the caller's role may see."""

import functools
import operator
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import BooleanField, Count, Q, QuerySet
from django.db.models.expressions import RawSQL

from guanxi.accounts.models import User
from guanxi.accounts.roles import Scope
from guanxi.core.errors import NotFound
from guanxi.core.pagination import COUNT_CAP, Ordering

from .. import normalize, permissions
from ..enums import CustomerKind
from ..models import ContactPoint, Customer
from ..search_index import FTS_TABLE, TERMS_FTS_TABLE, TERMS_NOT_SAMPLE, TERMS_SAMPLE, TERMS_TSVECTOR

CUSTOMER_ORDERING = Ordering(
    allowed=("name", "name_pinyin", "code", "arpu", "created_at", "updated_at", "lifecycle_stage", "id"),
    default="-updated_at",
)
MIN_SUBSTRING = 3  # trigram indexes (pg_trgm, FTS5 trigram) need three characters
SEARCH_CAP = 200  # matches kept before ordering; a broader query is told to narrow down
SEARCH_WORK_MEM = "16MB"  # PostgreSQL's memory for a search's bitmaps (see _search_ids)


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


def _scoped(qs: QuerySet, *, user: User, action: str = "read") -> QuerySet:
    if permissions.scope(user, "customer", action) is Scope.NONE:
        return qs.none()
    return qs.filter(permissions.customer_condition(user, action))


@dataclass(frozen=True)
class CustomerResults:
    """What customer_results found: the rows (a queryset, for any pager) and, for a search, the
    count already in hand (its ids were read once), so that no page asks the database again."""

    rows: QuerySet[Customer]
    cap: int
    found: int | None = None  # a search's matches, at most cap + 1 (one more tells of more)

    @property
    def capped_count(self) -> tuple[int, bool] | None:
        """(count up to the cap, whether it is exact), or None when the rows must be counted."""
        return None if self.found is None else (min(self.found, self.cap), self.found <= self.cap)


def customer_list(
    *, user: User, filters: CustomerFilter | None = None, ordering: str | None = None
) -> QuerySet[Customer]:
    """Live customers the user may read, filtered, searched and ordered (see customer_results)."""
    return customer_results(user=user, filters=filters, ordering=ordering).rows


def customer_results(
    *, user: User, filters: CustomerFilter | None = None, ordering: str | None = None
) -> CustomerResults:
    """Live customers the user may read, filtered, searched and ordered.

    A search keeps at most SEARCH_CAP (+1, to tell that there are more) matches before
    ordering (one query, when this is called), so that a broad query ("zh") costs the
    same as a narrow one whatever plan the database picks; the page then says "more than 200"
    and the user narrows the search.
    """
    filters = filters or CustomerFilter()
    qs = _scoped(Customer.objects.alive(), user=user)
    simple = {"kind": filters.kind, "lifecycle_stage": filters.lifecycle_stage,
              "brand_id": filters.brand_id, "owner_id": filters.owner_id, "team_id": filters.team_id,
              "arpu__gte": filters.arpu_min, "arpu__lte": filters.arpu_max}
    qs = qs.filter(**{k: v for k, v in simple.items() if v not in (None, "")})
    if filters.tag:
        qs = qs.filter(tags__name=filters.tag)
    if filters.province:
        qs = qs.filter(addresses__province__startswith=filters.province).distinct()
    found = None
    if filters.query.strip():
        # Fetched once, as literal ids: the page reads them by primary key instead of running the
        # search again, and their number is the count.
        ids = _search_ids(qs, customer_search_branches(filters.query, user=user))
        qs, found = Customer.objects.filter(pk__among=ids), len(ids)
    rows = qs.select_related("owner", "team", "brand").order_by(*CUSTOMER_ORDERING.resolve(ordering))
    return CustomerResults(rows=rows, cap=SEARCH_CAP if found is not None else COUNT_CAP, found=found)


def _search_ids(qs: QuerySet, branches: list[Q]) -> list[int]:
    """The ids of at most SEARCH_CAP + 1 customers of `qs` matching any branch.

    On PostgreSQL each branch is its own query stopped at the cap, in the order given (b-tree
    lookups before the word index), and their results are read in that order until the cap is
    reached: a broad query ("ly": 340,000 initials and 95,000 name words at 10,000,000 customers)
    stops after its first branch instead of gathering every match of every branch first. A customer
    can match several branches: when repeats among what was read leave fewer than the cap while
    more may follow, the union is asked again without repeats."""
    limit = SEARCH_CAP + 1
    if len(branches) == 1 or not connection.features.supports_slicing_ordering_in_compound:
        return list(qs.filter(functools.reduce(operator.or_, branches)).order_by()
                    .values_list("pk", flat=True)[:limit])
    matching = qs.order_by().values_list("pk", flat=True)  # cloned once, not once per branch
    parts = [matching.filter(branch)[:limit] for branch in branches]
    with transaction.atomic(), connection.cursor() as cursor:
        # A common word's bitmap (芳: 86,000 of 10,000,000 names) outgrows the default 4 MB and
        # turns lossy, and then every row of its pages is checked again: 105 ms, 65 ms with 16 MB.
        cursor.execute("SELECT set_config('work_mem', %s, true)", [SEARCH_WORK_MEM])
        read = list(parts[0].union(*parts[1:], all=True)[:limit])
        ids = list(dict.fromkeys(read))
        if len(ids) < len(read) == limit:
            ids = list(parts[0].union(*parts[1:])[:limit])
    return ids


def customer_search_branches(query: str, *, user: User) -> list[Q]:
    """What a search box query matches, as conditions any of which a customer meets, every one a
    b-tree prefix or exact lookup or a word-index lookup: customer
    number, name, full pinyin or initials, a phone number in any format (or its first digits),
    e-mail, ID number; part of an organisation's name (three characters or more); and the start
    of any word of a name, of its pinyin or initials (a word index).

    Phone, e-mail and ID number match by their first characters only on records whose personal
    data `user` sees unmasked; elsewhere only the full value matches (else a masked number could
    be read back digit by digit, see `_unmasked_condition`)."""
    unmasked = _unmasked_condition(user)
    key = normalize.search_key(query)[:100]
    name = normalize.to_simplified(query)[:100]
    branches = [Q(code=query.strip().upper()), Q(name__startswith=name)]
    phone = normalize.phone_normalize(query) if normalize.looks_like_phone(query) else None
    if phone:
        branches += [Q(mobile=phone), Q(pk__in=_customers_with_point(phone))]
    digits = key.removeprefix("+86").removeprefix("0086")
    if digits.isdigit() and len(digits) >= 3 and digits.startswith("1") and unmasked is not None:
        branches.append(Q(mobile__startswith="+86" + digits) & unmasked)
    if "@" in key:
        email = normalize.email_normalize(query)
        branches += [Q(email=email), Q(pk__in=_customers_with_point(email))]
        if unmasked is not None:
            branches.append(Q(email__startswith=key) & unmasked)
    if key.replace("x", "").isdigit() and len(key) >= 6:
        branches.append(Q(id_number=normalize.id_number_normalize(query)))
        if unmasked is not None:
            branches.append(Q(id_number__startswith=key.upper()) & unmasked)
    if key.isascii() and key.isalpha():
        branches += [Q(name_initials__startswith=key), Q(name_pinyin__startswith=key)]
    if len(name) >= MIN_SUBSTRING and not key.isascii():
        branches.append(_organisation_name_condition(name))
    words = normalize.query_words(query)[:5]
    if words and not key.lstrip("+").isdigit():  # numbers are phones, IDs and codes, matched above
        if connection.vendor == "postgresql" and any(_prefix(word, "*") for word in words):
            # Whole words first: a common syllable is cheap as a word and dear as a prefix
            # ("chao" at 10,000,000 customers: 31,700 names 21 ms, 'chao':* 113,800 names 180 ms),
            # and when its names fill the cap the prefix branch is never run.
            branches += _sampled(_name_words_condition(words, prefixes=False))
        branches += _sampled(_name_words_condition(words))
    return branches


def _sampled(condition: Q) -> list[Q]:
    """PostgreSQL: a word-index condition as two branches read in turn, the customers of the word
    index's sample first (migration 0020: one in 64), then the others. The index gathers every match
    before the cap is applied, so a common word (芳: 86,000 of 10,000,000 names) costs its number of
    names; its sample alone fills the cap at 1/64 of that. A rarer word reads both, disjoint."""
    if connection.vendor != "postgresql":
        return [condition]
    return [condition & _raw_condition(TERMS_SAMPLE), condition & _raw_condition(TERMS_NOT_SAMPLE)]


def _raw_condition(sql: str) -> Q:
    return Q(RawSQL(sql, (), output_field=BooleanField()))  # nosec B611  # code-defined SQL, no input


def _unmasked_condition(user: User) -> Q | None:
    """The records whose personal data `user` sees unmasked, as a condition to AND with a prefix
    search of phone, e-mail or ID number; Q() when that is every record the user reads, None when
    it is none of them (search those fields by their full value only)."""
    scope = permissions.personal_data_scope(user)
    if scope is Scope.NONE:
        return None
    if scope is Scope.ALL or scope is permissions.scope(user, "customer", "read"):
        return Q()
    return permissions.customer_condition(user, "read", "personal_data")


def _name_words_condition(words: list[str], *, prefixes: bool = True) -> Q:
    """Every word of the query starts a word of the name, of its pinyin or of its initials
    (Lovelace → Ada Lovelace; 华星, huaxing or hx → 深圳华星科技有限公司): one word-index lookup.
    Without `prefixes` (PostgreSQL only), every word of the query is a whole word of the name."""
    groups = [_word_alternatives(word) for word in words]
    if connection.vendor == "sqlite":
        match = " AND ".join("(" + " OR ".join(" AND ".join(f'"{p}"' + _prefix(p, "*") for p in alt)
                                               for alt in group) + ")" for group in groups)
        return Q(pk__in=RawSQL(f"SELECT rowid FROM {TERMS_FTS_TABLE} WHERE {TERMS_FTS_TABLE} MATCH %s", (match,)))  # nosec B608, B611  # SQL built from code-defined table/column names; values are bound parameters; RawSQL of code-defined FTS names; the search text is a bound parameter
    query = " & ".join("(" + " | ".join(" & ".join(f"'{p}'" + (_prefix(p, ":*") if prefixes else "") for p in alt)
                                        for alt in group) + ")" for group in groups)
    return Q(RawSQL(f"{TERMS_TSVECTOR} @@ %s::tsquery", (query,), output_field=BooleanField()))  # nosec B611  # RawSQL of code-defined FTS names; the search text is a bound parameter


PREFIX_MIN = {True: 2, False: 4}  # has hanzi → shortest word matched as a prefix


def _prefix(word: str, operator: str) -> str:
    """Short words match only themselves: as prefixes they would match a good part of all
    customers (伟 → 伟, 伟明, 伟华…; wei → wei, weiming, weihua…) and cost a scan of that many
    index entries (measured at 1,000,000 customers: wei:* 120 ms, wei 30 ms, huax:* 25 ms)."""
    return operator if len(word) >= PREFIX_MIN[normalize.has_han(word)] else ""


def _word_alternatives(word: str) -> list[list[str]]:
    """A query word as one word, or — a run of hanzi typed without spaces (华星科技) — as the
    words jieba cuts it into, all of which must match."""
    alternatives = [[word]]
    if normalize.has_han(word) and len(word) >= 3:
        parts = [p for p in normalize.organisation_words(word) if p != word]
        cut = [p for p in parts if not any(p != q and p in q for q in parts)]
        if len(cut) > 1:
            alternatives.append(cut)
    return alternatives


def _customers_with_point(normalized: str) -> list[int]:
    # Fetched first, as literal ids: PostgreSQL cannot combine an IN (subquery) inside an OR
    # with the other index scans (BitmapOr), and falls back to scanning every customer.
    return list(ContactPoint.objects.filter(normalized=normalized).values_list("customer_id", flat=True).distinct())


def _organisation_name_condition(name: str) -> Q:
    if connection.vendor == "sqlite":
        phrase = '"' + name.replace('"', '""') + '"'
        return Q(pk__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", (phrase,)))  # nosec B608, B611  # SQL built from code-defined table/column names; values are bound parameters; RawSQL of code-defined FTS names; the search text is a bound parameter
    # Spelled like the partial index's predicate so that PostgreSQL uses it.
    return Q(kind=CustomerKind.ORGANISATION, name__contains=name)


def customer_get_for_user(
    *, user: User, customer_id: int, action: str = "read", include_merged: bool = False
) -> Customer:
    """One live customer; 404 when the user may not read it, 403 when they may read but not
    `action` ("read", "write" or "delete") it. `include_merged` also returns, for reading, a
    record merged into another one (its `merged_into` names the survivor)."""
    alive = Q(deleted_at__isnull=True)
    if include_merged and action == "read":
        alive |= Q(merged_into__isnull=False)
    customer = (
        Customer.objects.filter(alive).select_related("owner", "team", "brand").filter(pk=customer_id).first()
    )
    if customer is None or not permissions.customer_in_scope(user, customer):
        raise NotFound("Customer not found.")
    if action != "read":
        permissions.require_customer(user, customer, action)
    return customer


def can_see_personal_data(*, user: User, customer: Customer) -> bool:
    """Kept for callers inside customers; the rule is `permissions.can_see_personal_data`."""
    return permissions.can_see_personal_data(user=user, customer=customer)


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
    return _scoped(Customer.objects.all(), user=user)


def customer_match_phone(*, phone: str) -> Customer | None:
    """The live customer a phone number (any format) belongs to, for matching inbound calls; the
    primary mobile wins over secondary contact points, then the most recently updated."""
    normalized = normalize.phone_normalize(phone)
    if not normalized:
        return None
    customer = Customer.objects.alive().filter(mobile=normalized).order_by("-updated_at").first()
    if customer is None:
        customer = (Customer.objects.alive().filter(pk__in=_customers_with_point(normalized))
                    .order_by("-updated_at").first())
    return customer
