"""The executive dashboard page (领导驾驶舱, `/analytics/`) and the records behind a figure."""

from __future__ import annotations

import datetime as dt
import functools
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from guanxi.core.errors import ValidationFailed
from guanxi.core.views import domain_errors_as_http

from ..dashboard.periods import current_period
from ..dashboard.read import dashboard_built_at, dashboard_cards, dashboard_period, figure_records

PERIOD_KINDS = (("month", _("Month")), ("quarter", _("Quarter")), ("year", _("Year")))
TITLES = {
    "customers": _("Customers by stage and segment"), "churn": _("Customers lost"), "arpu": _("ARPU (monthly)"),
    "revenue": _("Revenue and receivables"), "pipeline": _("Pipeline and forecast"), "cases": _("Case volume"),
    "attainment": _("Service-standard attainment"), "satisfaction": _("Satisfaction and NPS"),
}
SERIES = {
    "customers": _("Live customers"), "churned": _("Customers lost"), "arpu": _("ARPU"), "revenue": _("Revenue"),
    "collected": _("Collected (回款)"), "receivables": _("Receivables"), "forecast": _("Forecast"),
    "pipeline": _("Open pipeline"), "won": _("Won"), "cases": _("All cases"),
    "attainment": _("Attainment"), "csat": _("CSAT"), "nps": _("NPS"),
}
RECORD_TITLES = {"customer": _("Customers"), "order": _("Orders"), "opportunity": _("Opportunities"),
                 "case": _("Cases"), "survey": _("Survey responses")}


def _impossible_as_400(view):
    """An impossible period or an unknown figure in the address: 400 with the reason."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ValidationFailed as exc:
            return HttpResponseBadRequest(escape(exc.message))

    return wrapper


def _parse_start(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return dt.date.min  # refused by dashboard_period as impossible


def _period(request):
    return dashboard_period(kind=request.GET.get("period") or "month",
                            start=_parse_start(request.GET.get("start", "")))


def _query(period, key: str = "") -> str:
    return urlencode({"period": period.kind, "start": period.start.isoformat(), **({"key": key} if key else {})})


def _labels():
    from guanxi.customers.enums import CustomerKind, LifecycleStage
    from guanxi.servicedesk.enums import TicketType

    return dict(LifecycleStage.choices), dict(CustomerKind.choices), dict(TicketType.choices)


def _chart(card, period) -> dict:
    """What the page's script draws: categories, series with their drill-down addresses."""
    stages, kinds, types = _labels()
    records = reverse("analytics:dashboard_records", args=[card.key])
    if card.key == "customers":
        customers = reverse("customers:list")
        stacks = sorted({row["segment"] for row in card.breakdown})
        order = [s for s in stages if any(r["stage"] == s for r in card.breakdown)]
        series = []
        for kind in stacks:
            counts = {r["stage"]: r["value"] for r in card.breakdown if r["segment"] == kind}
            series.append({"name": str(kinds.get(kind, kind)), "stack": "all",
                           "data": [counts.get(s, 0) for s in order],
                           "links": [f"{customers}?{urlencode({'lifecycle_stage': s, 'kind': kind})}" for s in order]})
        return {"type": "bar", "categories": [str(stages[s]) for s in order], "series": series}
    categories = [p.label for p in card.periods]
    series = []
    for name, values in card.series.items():
        if card.key == "cases" and name == "cases":
            continue
        key = name if card.key == "cases" else ""
        links = [f"{records}?{_query(p, key)}" for p in card.periods]
        series.append({"name": str(SERIES.get(name) or types.get(name, name)), "data": values, "links": links,
                       "stack": "all" if card.key == "cases" else None})
    kind = "line" if card.unit == "percent" or card.key == "arpu" else "bar"
    return {"type": kind, "categories": categories, "series": series, "unit": card.unit}


@login_required
@domain_errors_as_http
@_impossible_as_400
def dashboard_page(request):
    period = _period(request)
    cards = dashboard_cards(user=request.user, period=period)
    today = timezone.localdate()
    shown = [{"key": c.key, "title": TITLES[c.key], "unit": c.unit, "value": c.value, "previous": c.previous,
              "change": c.change, "trend": c.trend, "chart": _chart(c, period)} for c in cards]
    current = current_period(period.kind, today)
    choices = [current.shifted(-steps) for steps in range(0, 24 if period.kind == "month" else 12)]
    return render(request, "analytics/dashboard_page.html", {
        "cards": shown, "charts": {c["key"]: c["chart"] for c in shown}, "period": period,
        "running": period.is_running(today), "today": today,
        "kinds": PERIOD_KINDS, "starts": choices, "built_at": dashboard_built_at(),
    })


@login_required
@domain_errors_as_http
@_impossible_as_400
def dashboard_records(request, figure: str):
    period = _period(request)
    key = request.GET.get("key", "")[:30]
    kind, rows = figure_records(user=request.user, figure=figure, period=period, key=key)
    page = Paginator(rows, 50).get_page(request.GET.get("page") or 1)
    query = _query(period, key)
    return render(request, "analytics/dashboard_records.html", {
        "figure": figure, "title": TITLES.get(figure, figure), "kind": kind, "kind_title": RECORD_TITLES[kind],
        "page": page, "period": period, "key": key, "query": query,
    })
