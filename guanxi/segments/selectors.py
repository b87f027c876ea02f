"""Reads of segments and customer value, scoped to what the caller may see (see permissions.py).

Other modules use segments through four functions: `segment_queryset` (every live member, for
background jobs such as campaigns, surveys and care), `segment_members` (the members a user may
read), `segment_contains` and `customer_segments`.
"""

from __future__ import annotations

import copy
import json

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import Avg, Count, Max, Q, QuerySet, Sum
from django.utils.translation import gettext

from guanxi.accounts.models import User
from guanxi.accounts.roles import Scope
from guanxi.core.errors import NotFound, PermissionDenied
from guanxi.core.pagination import Ordering
from guanxi.customers.models import Customer
from guanxi.customers.permissions import customer_read_scope
from guanxi.customers.selectors import customer_get_for_user, customer_visible_to

from . import permissions, rules
from .clusters import describe
from .enums import RunStatus, SegmentKind
from .models import CustomerValueSnapshot, Segment, StrategicWeight, ValueRun, ValueSettings

MEMBER_ORDERING = Ordering(
    allowed=("name", "code", "arpu", "updated_at", "id", "value_snapshot__clv_36m",
             "value_snapshot__revenue_12m", "value_snapshot__key_account_score"),
    default="name",
)
REPORTS = ("pyramid", "abc", "rfm", "brand-arpu", "portfolio", "clusters")
REPORT_CACHE_SECONDS = 600
PARETO_POINTS = 50
PORTFOLIO_POINTS = 300


def latest_run() -> ValueRun | None:
    return ValueRun.objects.filter(status=RunStatus.DONE).order_by("-finished_at", "-id").first()


def value_run_list(*, user: User) -> QuerySet[ValueRun]:
    """Value runs, newest first, for the roles that see the value reports."""
    permissions.require(user, "report", "read", message="Your role cannot see value runs.")
    return ValueRun.objects.order_by("-started_at", "-id")


def value_run_get(*, run_id: int) -> ValueRun | None:
    return ValueRun.objects.filter(pk=run_id).first()


def last_failed_run() -> ValueRun | None:
    """The newest run when it failed (shown on the analysis page), else None."""
    newest = ValueRun.objects.order_by("-started_at", "-id").first()
    return newest if newest and newest.status == RunStatus.FAILED else None


def value_settings() -> ValueSettings:
    """The settings row (defaults until an administrator saves it)."""
    return ValueSettings.objects.filter(pk=1).first() or ValueSettings(pk=1)


# ---------------------------------------------------------------- segments


def segment_list(*, user: User) -> QuerySet[Segment]:
    """System segments, shared segments and the user's own; administrators see every segment."""
    qs = Segment.objects.select_related("owner", "service_team")
    reach = permissions.scope(user, "segment", "read")
    if reach is Scope.ALL:
        return qs
    if reach is Scope.NONE:
        return qs.none()
    return qs.filter(~Q(kind=SegmentKind.RULE) | Q(is_shared=True) | Q(owner_id=user.pk))


def segment_get_for_user(*, user: User, segment_id: int, action: str = "read") -> Segment:
    """One segment; 404 when the user may not see it, 403 when they may see but not `action`
    ("read", "write" or "service") it."""
    segment = segment_list(user=user).filter(pk=segment_id).first()
    if segment is None:
        raise NotFound("Segment not found.")
    if action == "write" and not permissions.can_edit_segment(user, segment):
        raise PermissionDenied("You cannot change this segment.")
    if action == "service" and not (segment.is_system and permissions.can_edit_service_tier(user, segment)):
        raise PermissionDenied("You cannot change this segment's service.")
    return segment


def segment_queryset(*, segment: Segment) -> QuerySet[Customer]:
    """Every live customer in the segment, unscoped: for background jobs (campaigns, surveys,
    care) that act for the company rather than for one user."""
    return Customer.objects.alive().filter(rules.to_q(segment.definition))


def segment_members(*, segment: Segment, user: User, ordering: str | None = None) -> QuerySet[Customer]:
    """The segment's live members that the user may read, ordered (MEMBER_ORDERING)."""
    qs = customer_visible_to(user=user).alive().filter(rules.to_q(segment.definition))
    return qs.select_related("brand", "owner", "team", "value_snapshot").order_by(*MEMBER_ORDERING.resolve(ordering))


def segment_contains(*, segment: Segment, customer_id: int) -> bool:
    return segment_queryset(segment=segment).filter(pk=customer_id).exists()


def _membership(customer_id: int, segments: list[Segment]) -> dict[int, bool]:
    """Which of `segments` contain the customer, in one query (one FILTER clause per segment)."""
    if not segments:
        return {}
    checks = {}
    for segment in segments:
        condition = rules.to_q(segment.definition)
        checks[f"s{segment.pk}"] = Count("pk", filter=condition) if condition else Count("pk")
    row = Customer.objects.alive().filter(pk=customer_id).aggregate(**checks)
    return {segment.pk: bool(row[f"s{segment.pk}"]) for segment in segments}


def customer_segments(*, customer: Customer, user: User | None = None) -> list[Segment]:
    """The segments (visible to `user`, or all) that contain the customer."""
    segments = list((segment_list(user=user) if user is not None else Segment.objects.all()).order_by(
        "kind", "name", "id"))
    member_of = _membership(customer.pk, segments)
    return [segment for segment in segments if member_of[segment.pk]]


def customer_service_plan(*, customer: Customer) -> Segment | None:
    """The tiered service (分层服务) that applies: the containing segment with the highest service
    priority (1 first), or None."""
    candidates = list(Segment.objects.filter(service_priority__isnull=False).select_related("service_team")
                      .order_by("service_priority", "id"))
    member_of = _membership(customer.pk, candidates)
    return next((segment for segment in candidates if member_of[segment.pk]), None)


def definition_count(*, user: User, definition: dict) -> int:
    """How many live customers the user may read match a (validated) definition."""
    return customer_visible_to(user=user).alive().filter(rules.to_q(definition)).count()


# ---------------------------------------------------------------- value of one customer


def value_get_for_user(*, user: User, customer_id: int) -> dict:
    """A customer's value snapshot (None before the first run that included it), its strategic
    weight and the segments it belongs to; 404 when the user may not read the customer."""
    customer = customer_get_for_user(user=user, customer_id=customer_id)
    snapshot = CustomerValueSnapshot.objects.filter(customer_id=customer.pk).first()
    run = ValueRun.objects.filter(pk=snapshot.run_id).first() if snapshot else None
    cluster = None
    if snapshot and snapshot.cluster and run:
        cluster = next((c for c in run.clusters if c["id"] == snapshot.cluster), None)
    weight = StrategicWeight.objects.filter(customer=customer).first()
    return {
        "customer": customer, "snapshot": snapshot, "run": run,
        "cluster_description": describe(cluster["traits"]) if cluster else "",
        "strategic_weight": weight,
        "segments": customer_segments(customer=customer, user=user),
        "service_plan": customer_service_plan(customer=customer),
        "key_account_threshold": value_settings().key_account_threshold,
    }


# ---------------------------------------------------------------- reports


def _visible_snapshots(user: User) -> QuerySet[CustomerValueSnapshot]:
    qs = CustomerValueSnapshot.objects.filter(customer__deleted_at__isnull=True)
    scope = customer_read_scope(user)
    if scope is Scope.ALL:
        return qs
    return qs.filter(customer__in=customer_visible_to(user=user))


def _scope_key(user: User) -> str:
    scope = customer_read_scope(user)
    if scope is Scope.ALL:
        return "all"
    return f"{scope.value}:{user.pk}:{user.team_id or 0}"


def value_report(*, user: User, name: str) -> dict:
    """One analysis report over the customers the user may read; cached per run, scope and
    language for REPORT_CACHE_SECONDS."""
    permissions.require(user, "report", "read", message="Your role cannot see customer-value reports.")
    if name not in REPORTS:
        raise NotFound(gettext("Unknown report '%(name)s'.") % {"name": name})
    run = latest_run()
    if run is None:
        return {"report": name, "run": None, "data": None}
    scope = _scope_key(user)
    data = run.reports.get(name) if scope == "all" else None  # computed by the run for everyone
    if data is None:
        key = f"segments:report:{run.pk}:{name}:{scope}"
        data = cache.get(key)
        if data is None:
            data = REPORT_BUILDERS[name](_visible_snapshots(user), run)
            cache.set(key, data, REPORT_CACHE_SECONDS)
    return {"report": name, "run": {"id": run.pk, "as_of": run.as_of, "finished_at": run.finished_at},
            "data": _labelled(name, copy.deepcopy(data))}


def reports_for_everyone(run: ValueRun) -> dict:
    """Every report over all live customers, as the run stores it (codes, no labels)."""
    qs = CustomerValueSnapshot.objects.filter(customer__deleted_at__isnull=True)
    return {name: json.loads(json.dumps(builder(qs, run), cls=DjangoJSONEncoder))
            for name, builder in REPORT_BUILDERS.items()}


def _labelled(name: str, data: dict) -> dict:
    """The report with its labels in the active language."""
    from .enums import Portfolio, RfmSegment, ValueLevel

    if name == "pyramid":
        for level in data["levels"]:
            level["label"] = str(ValueLevel(level["level"]).label)
    elif name == "rfm":
        for cell in data["cells"]:
            cell["label"] = str(RfmSegment(cell["cell"]).label)
    elif name == "portfolio":
        for quadrant in data["quadrants"]:
            quadrant["label"] = str(Portfolio(quadrant["quadrant"]).label)
    elif name == "clusters":
        for cluster in data["clusters"]:
            cluster["description"] = describe(cluster["traits"])
    return data


def _f(value) -> float:
    return round(float(value or 0), 2)


def _pyramid(qs, run) -> dict:
    from .enums import ValueLevel

    rows = {r["value_level"]: r for r in qs.values("value_level").annotate(
        customers=Count("pk"), revenue=Sum("revenue_12m"), arpu=Avg("customer__arpu"),
        contacts=Avg("contacts_12m"), minutes=Avg("contact_minutes_12m"), visits=Avg("outlet_visits_12m"),
    ).order_by()}
    levels = []
    for value in ValueLevel.values:
        row = rows.get(value, {})
        levels.append({"level": value, "customers": row.get("customers", 0),
                       "revenue_12m": _f(row.get("revenue")), "avg_arpu": _f(row.get("arpu")),
                       "avg_contacts_12m": _f(row.get("contacts")), "avg_contact_minutes_12m": _f(row.get("minutes")),
                       "avg_outlet_visits_12m": _f(row.get("visits"))})
    return {"levels": levels}


def _abc(qs, run) -> dict:
    rows = {r["abc_class"]: r for r in qs.values("abc_class").annotate(
        customers=Count("pk"), revenue=Sum("revenue_12m")).order_by()}
    classes = [{"class": c, "customers": rows.get(c, {}).get("customers", 0),
                "revenue_12m": _f(rows.get(c, {}).get("revenue"))} for c in ("A", "B", "C")]
    return {"classes": classes, "pareto": _pareto(qs)}


def _pareto(qs) -> list[dict]:
    """The Pareto curve: cumulative share of revenue over cumulative share of customers, in
    PARETO_POINTS buckets of customers ranked by revenue (one window query)."""
    sql, params = qs.values("revenue_12m").query.sql_with_params()
    wrapped = (f"SELECT bucket, COUNT(*), SUM(r) FROM (SELECT s.revenue_12m AS r, "  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
               f"NTILE({PARETO_POINTS}) OVER (ORDER BY s.revenue_12m DESC) AS bucket FROM ({sql}) s) t "
               f"GROUP BY bucket ORDER BY bucket")
    with connection.cursor() as cursor:
        cursor.execute(wrapped, params)
        buckets = cursor.fetchall()
    total_customers = sum(n for _, n, _ in buckets)
    total_revenue = sum(max(float(r or 0), 0) for _, _, r in buckets)
    points, customers, revenue = [{"customers": 0.0, "revenue": 0.0}], 0, 0.0
    for _, n, r in buckets:
        customers += n
        revenue += max(float(r or 0), 0)
        points.append({"customers": round(100 * customers / total_customers, 2),
                       "revenue": round(100 * revenue / total_revenue, 2) if total_revenue else 0.0})
    return points


def _rfm(qs, run) -> dict:
    from .enums import RfmSegment

    grid = [{"r": r["rfm_r"], "f": r["rfm_f"], "customers": r["n"], "avg_revenue": _f(r["m"])}
            for r in qs.filter(rfm_r__isnull=False).values("rfm_r", "rfm_f").annotate(
                n=Count("pk"), m=Avg("revenue_total")).order_by("rfm_r", "rfm_f")]
    counts = dict(qs.values_list("rfm_segment").annotate(n=Count("pk")).order_by())
    cells = [{"cell": value, "customers": counts.get(value, 0)} for value in RfmSegment.values]
    return {"grid": grid, "cells": cells}


def _brand_arpu(qs, run) -> dict:
    from .compute import arpu_band_labels

    bands = arpu_band_labels(_band_edges(value_settings().arpu_bands))
    rows = qs.values("customer__brand__name", "arpu_band").annotate(
        n=Count("pk"), revenue=Sum("revenue_12m"), arpu=Avg("customer__arpu")).order_by()
    brands: dict[str, dict] = {}
    for row in rows:
        brand = row["customer__brand__name"] or ""
        entry = brands.setdefault(brand, {"brand": brand, "cells": {}, "customers": 0})
        entry["cells"][row["arpu_band"]] = {"customers": row["n"], "revenue_12m": _f(row["revenue"]),
                                             "avg_arpu": _f(row["arpu"])}
        entry["customers"] += row["n"]
        if row["arpu_band"] not in bands:
            bands.append(row["arpu_band"])
    return {"bands": bands, "brands": sorted(brands.values(), key=lambda b: (b["brand"] == "", b["brand"]))}


def _band_edges(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(x) for x in text.split(",") if x.strip())
    except ValueError:
        return (30.0, 80.0, 150.0, 300.0)


def _portfolio(qs, run) -> dict:
    from .enums import Portfolio

    counts = dict(qs.values_list("portfolio").annotate(n=Count("pk")).order_by())
    quadrants = [{"quadrant": value, "customers": counts.get(value, 0)} for value in Portfolio.values]
    brands = [{"brand": r["customer__brand__name"] or "", "segment_growth": r["g"], "customers": r["n"]}
              for r in qs.values("customer__brand__name").annotate(g=Max("segment_growth_rate"), n=Count("pk"))
              .order_by("customer__brand__name")]
    points = [{"customer_id": r["customer_id"], "code": r["customer__code"], "name": r["customer__name"],
               "growth": r["growth_rate"], "segment_growth": r["segment_growth_rate"],
               "revenue_12m": _f(r["revenue_12m"]), "quadrant": r["portfolio"]}
              for r in qs.exclude(portfolio="").order_by("-revenue_12m", "customer_id").values(
                  "customer_id", "customer__code", "customer__name", "growth_rate", "segment_growth_rate",
                  "revenue_12m", "portfolio")[:PORTFOLIO_POINTS]]
    settings_row = value_settings()
    return {"quadrants": quadrants, "brands": brands, "points": points,
            "thresholds": {"segment": float(settings_row.segment_growth_threshold),
                           "customer": float(settings_row.customer_growth_threshold)}}


def _clusters(qs, run) -> dict:
    counts = dict(qs.filter(cluster__isnull=False).values_list("cluster").annotate(n=Count("pk")).order_by())
    clusters = [{"id": c["id"], "traits": c["traits"],
                 "averages": c["averages"], "size_in_run": c["size"], "customers": counts.get(c["id"], 0)}
                for c in run.clusters]
    meta = {"k": run.clusters[0]["k"], "silhouette": run.clusters[0]["silhouette"]} if run.clusters else {}
    return {"clusters": clusters, **meta}


REPORT_BUILDERS = {"pyramid": _pyramid, "abc": _abc, "rfm": _rfm, "brand-arpu": _brand_arpu,
                   "portfolio": _portfolio, "clusters": _clusters}
