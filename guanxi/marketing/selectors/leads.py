"""Reads of leads, scoped for the user by `permissions.lead_condition`, and the duplicate check
against leads and customers (the linkage model's cheap blocking keys: phone and e-mail exact, the
name by its comparison key)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_noop

from guanxi.core.errors import NotFound
from guanxi.customers import permissions as customer_permissions
from guanxi.customers.models import ContactPoint, Customer
from guanxi.customers.normalize import phone_normalize
from guanxi.customers.selectors import customer_visible_to

from .. import permissions
from ..enums import LeadStatus
from ..models import Lead, WebForm
from ..rules import name_key

DUPLICATE_LIMIT = 10
SEARCH_LIMIT = 100
MIN_COMPANY_KEY = 4  # shorter company names ("华星") would match half the customer base by prefix


def lead_list(*, user) -> QuerySet[Lead]:
    """Every lead the user may read, newest first."""
    return Lead.objects.filter(permissions.lead_condition(user)).order_by("-created_at", "-id")


def lead_get_for_user(*, user, lead_id: int, action: str = "read") -> Lead:
    """One lead; 404 outside the user's read scope, 403 when they may read but not `action` it."""
    lead = (Lead.objects.filter(pk=lead_id).select_related("owner", "team", "created_by", "customer", "web_form")
            .first())
    if lead is None or not permissions.lead_in_scope(user, lead):
        raise NotFound(gettext_noop("Lead not found."))
    if action != "read":
        permissions.require_lead(user, lead, action)
    return lead


@dataclass(frozen=True)
class LeadFilter:
    statuses: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    owner_id: int | None = None
    unowned: bool = False
    query: str = ""
    created_after: dt.datetime | None = None
    created_before: dt.datetime | None = None


def _query_condition(query: str) -> Q:
    """A search box query: a phone number or e-mail exactly, else the start of a name or company."""
    text = query.strip()[:SEARCH_LIMIT]
    phone = phone_normalize(text) if any(c.isdigit() for c in text) else None
    if phone:
        return Q(mobile=phone) | Q(phone=phone)
    if "@" in text:
        return Q(email=text.lower())
    return Q(person_name__startswith=text) | Q(company_name__startswith=text) | Q(
        name_key__startswith=name_key(person_name=text, company_name=""))


def lead_search(*, user, filters: LeadFilter) -> QuerySet[Lead]:
    """The user's leads narrowed by the filters, newest first."""
    qs = lead_list(user=user)
    if filters.statuses:
        qs = qs.filter(status__in=filters.statuses)
    if filters.sources:
        qs = qs.filter(source__in=filters.sources)
    if filters.unowned:
        qs = qs.filter(owner__isnull=True)
    elif filters.owner_id is not None:
        qs = qs.filter(owner_id=filters.owner_id)
    if filters.query.strip():
        qs = qs.filter(_query_condition(filters.query))
    if filters.created_after is not None:
        qs = qs.filter(created_at__gte=filters.created_after)
    if filters.created_before is not None:
        qs = qs.filter(created_at__lt=filters.created_before)
    return qs.select_related("owner", "customer")


def lead_counts_by_status(*, user) -> dict[str, int]:
    """How many of the user's leads are in each status (one GROUP BY)."""
    rows = lead_list(user=user).order_by().values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


# ---------------------------------------------------------------- duplicates


@dataclass
class Duplicates:
    """Leads and customers that look like the same person or company. `leads` and `customers` are
    those the user may read (with why they match); `hidden_*` count the matches the user may not see."""

    leads: list[tuple[Lead, list[str]]] = field(default_factory=list)
    customers: list[tuple[Customer, list[str]]] = field(default_factory=list)
    hidden_leads: int = 0
    hidden_customers: int = 0

    @property
    def any(self) -> bool:
        return bool(self.leads or self.customers or self.hidden_leads or self.hidden_customers)


# Why two records match, as shown (translated on the pages).
BY_MOBILE, BY_PHONE, BY_EMAIL, BY_NAME = (gettext_noop("same mobile"), gettext_noop("same phone"),
                                          gettext_noop("same e-mail"), gettext_noop("same name"))


def _keys(values: dict) -> dict[str, str]:
    return {"mobile": values.get("mobile") or "", "phone": values.get("phone") or "",
            "email": values.get("email") or "",
            "name_key": name_key(person_name=values.get("person_name") or "",
                                 company_name=values.get("company_name") or "")}


def _lead_reasons(lead: Lead, keys: dict) -> list[str]:
    found = []
    phones = {keys["mobile"], keys["phone"]} - {""}
    if lead.mobile and lead.mobile in phones:
        found.append(BY_MOBILE)
    if lead.phone and lead.phone in phones:
        found.append(BY_PHONE)
    if keys["email"] and lead.email == keys["email"]:
        found.append(BY_EMAIL)
    if keys["name_key"] and lead.name_key == keys["name_key"]:
        found.append(BY_NAME)
    return found


def _customer_reasons(customer: Customer, keys: dict, points: dict[int, set[str]]) -> list[str]:
    values = {customer.mobile, customer.email} | points.get(customer.pk, set())
    found = [reason for key, reason in (("mobile", BY_MOBILE), ("phone", BY_PHONE), ("email", BY_EMAIL))
             if keys[key] and keys[key] in values]
    if keys["name_key"] and name_key(person_name=customer.name if customer.kind == "individual" else "",
                                     company_name="" if customer.kind == "individual" else customer.name
                                     ) == keys["name_key"]:
        found.append(BY_NAME)
    return found


def _lead_matches(keys: dict, exclude: int | None) -> QuerySet[Lead]:
    condition = Q(pk__in=[])
    for value in {keys["mobile"], keys["phone"]} - {""}:
        condition |= Q(mobile=value) | Q(phone=value)
    if keys["email"]:
        condition |= Q(email=keys["email"])
    if keys["name_key"]:
        condition |= Q(name_key=keys["name_key"])
    qs = Lead.objects.filter(condition)
    return qs.exclude(pk=exclude) if exclude else qs


def _customer_matches(keys: dict) -> tuple[QuerySet[Customer], dict[int, set[str]]]:
    """Live customers sharing a phone or e-mail (their own or a contact point's) or the name."""
    contacts = [v for v in (keys["mobile"], keys["phone"], keys["email"]) if v]
    points: dict[int, set[str]] = {}
    for customer_id, value in (ContactPoint.objects.filter(normalized__in=contacts)
                               .values_list("customer_id", "normalized")[:DUPLICATE_LIMIT * 5] if contacts else ()):
        points.setdefault(customer_id, set()).add(value)
    condition = Q(pk__in=list(points))
    for value in {keys["mobile"], keys["phone"]} - {""}:
        condition |= Q(mobile=value)
    if keys["email"]:
        condition |= Q(email=keys["email"])
    return Customer.objects.alive().filter(condition), points


def _customers_named(values: dict, key: str) -> QuerySet[Customer]:
    """Live customers of the same name: a person's exactly, a company's by its name without the legal
    form (深圳华星科技 finds 深圳华星科技有限公司); both b-tree lookups on the name."""
    company = values.get("company_name") or ""
    if company:
        condition = Q(name=company) | (Q(name__startswith=key) if len(key) >= MIN_COMPANY_KEY else Q(pk__in=[]))
        return Customer.objects.alive().filter(condition, kind="organisation").order_by("-updated_at")
    return Customer.objects.alive().filter(name=values.get("person_name") or "").order_by("-updated_at")


def customer_is_visible(*, user, customer: Customer | None) -> bool:
    """Whether `user` may read the customer a lead is linked to (else it is not named): the
    customers' own scope rule on the loaded record, no query."""
    return customer is not None and customer.deleted_at is None and customer_permissions.customer_in_scope(
        user, customer)


def customer_matching(*, values: dict) -> Customer | None:
    """The live customer a lead's phone or e-mail belongs to (the primary mobile first, then the most
    recently updated), for linking a new lead to the customer it already is."""
    keys = {**_keys(values), "name_key": ""}
    customers, _points = _customer_matches(keys)
    return customers.order_by("-updated_at", "-id").first()


def lead_duplicates(*, user, values: dict, exclude: int | None = None) -> Duplicates:
    """Leads and customers that share a mobile, phone or e-mail with `values`, or the name (a
    company's without its legal form). Bounded: a few index lookups, at most DUPLICATE_LIMIT rows of each."""
    keys = _keys(values)
    found = Duplicates()
    leads = list(_lead_matches(keys, exclude).select_related("owner").order_by("-created_at", "-id")
                 [:DUPLICATE_LIMIT])
    for lead in leads:
        if permissions.lead_in_scope(user, lead):
            found.leads.append((lead, _lead_reasons(lead, keys)))
        else:
            found.hidden_leads += 1
    customers, points = _customer_matches(keys)
    rows = list(customers.order_by("-updated_at")[:DUPLICATE_LIMIT])
    if keys["name_key"] and len(rows) < DUPLICATE_LIMIT:
        rows += [c for c in _customers_named(values, keys["name_key"])[:DUPLICATE_LIMIT - len(rows)]
                 if c not in rows]
    visible = set(customer_visible_to(user=user).filter(pk__in=[c.pk for c in rows]).values_list("pk", flat=True))
    for customer in rows:
        if customer.pk in visible:
            found.customers.append((customer, _customer_reasons(customer, keys, points)))
        else:
            found.hidden_customers += 1
    return found


def partner_lead_counts(*, since: dt.datetime, until: dt.datetime,
                        partner_ids: list[int] | None = None) -> dict[int, tuple[int, int]]:
    """Per partner organisation: (leads it submitted in [since, until), those converted since), for
    the partners' performance (the caller checks its reach)."""
    rows = Lead.objects.filter(partner__isnull=False, created_at__gte=since, created_at__lt=until)
    if partner_ids is not None:
        rows = rows.filter(partner_id__in=partner_ids)
    return {r["partner_id"]: (r["n"], r["converted"]) for r in rows.values("partner_id").annotate(
        n=Count("id"), converted=Count("id", filter=Q(status=LeadStatus.CONVERTED))).order_by()}


def web_form_list() -> QuerySet[WebForm]:
    """The public lead forms with the number of leads each brought (those who configure them see them)."""
    return WebForm.objects.select_related("owner", "campaign").annotate(lead_count=Count("leads")).order_by(
        "title", "id")


def web_form_get(*, web_form_id: int) -> WebForm:
    form = WebForm.objects.select_related("owner", "campaign").filter(pk=web_form_id).first()
    if form is None:
        raise NotFound(gettext_noop("Web form not found."))
    return form
