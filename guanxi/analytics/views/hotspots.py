"""Hotspot analysis pages: the newest analysis with ECharts (top keywords, topic trend with the
spikes marked, what each topic concentrates on) by day, week or month, and the drill-down from a
topic, keyword or spike to the cases the viewer may read (each linking to its own page)."""

from __future__ import annotations

import datetime as dt
import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.errors import ValidationFailed
from guanxi.core.pagination import keyset_page
from guanxi.core.views import domain_errors_as_http

from ..hotspot import selectors
from ..permissions import permissions

PER_PAGE = 50
TOP_KEYWORDS = 20
UNIT_CHOICES = (("day", _("Day")), ("week", _("Week")), ("month", _("Month")))
CONCENTRATION_TITLES = (("category", _("Business")), ("type", _("Case type")), ("tier", _("Customer tier")),
                        ("team", _("Department")))


def _invalid_as_400(view):
    """Impossible input in the address or the form (a period, a number, a cursor): 400 with the reason."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ValidationFailed as exc:
            return HttpResponseBadRequest(escape(exc.message))

    return wrapper


@login_required
@domain_errors_as_http
def hotspot_page(request):
    run = selectors.hotspot_run_latest(user=request.user)
    unit = request.GET.get("unit", "week")
    unit = unit if unit in selectors.UNITS else "week"
    context = {"run": run, "unit": unit, "units": [(u, str(label)) for u, label in UNIT_CHOICES],
               "can_run": permissions.can(request.user, "hotspot", "write")}
    if run is not None:
        series = selectors.hotspot_series(run=run, unit=unit)
        spikes = selectors.hotspot_spikes(run=run)
        topics = [{**t, "cells": [t["concentration"].get(key, []) for key, _title in CONCENTRATION_TITLES]}
                  for t in series["topics"]]
        context |= {
            "series": series, "spikes": spikes[:30], "topics": topics,
            "concentration_titles": [(key, str(title)) for key, title in CONCENTRATION_TITLES],
            "chart": {**_chart(series, spikes, unit), "run": run.pk},
        }
    return render(request, "analytics/hotspot_page.html", context)


def _chart(series: dict, spikes: list[dict], unit: str) -> dict:
    """What the page's charts draw: the top keywords, each topic's series and its spikes' buckets."""
    buckets = series["buckets"]
    marks = []
    for spike in spikes:
        if spike["kind"] != "topic":
            continue
        # A week's spike is marked on the bucket holding its Monday (by day: the Monday itself).
        bucket = selectors.bucket_start(dt.date.fromisoformat(spike["week"]), unit).isoformat()
        if bucket in buckets:
            marks.append({"topic": spike["key"], "bucket": bucket, "z": spike["z"]})
    return {
        "buckets": buckets, "totals": series["totals"],
        "keywords": [{"term": k["term"], "count": k["count"]} for k in series["keywords"][:TOP_KEYWORDS]],
        "topics": [{"id": t["id"], "label": t["label"], "counts": t["counts"]} for t in series["topics"]],
        "spikes": marks, "unit": unit,
        "labels": {"cases": _("Cases"), "spike": _("Spike"), "all": _("All cases")},
    }


@login_required
@domain_errors_as_http
@_invalid_as_400
def hotspot_cases(request):
    """The cases behind a topic or keyword, in the analysis' period or the part asked for."""
    run = selectors.hotspot_run_get(user=request.user, run_id=_int(request.GET.get("run")))
    topic = _int(request.GET.get("topic"))
    keyword = request.GET.get("keyword", "").strip()[:50]
    start, end = _date(request.GET.get("start")), _date(request.GET.get("end"))
    qs = selectors.hotspot_case_list(user=request.user, run=run, topic=topic, keyword=keyword, start=start, end=end)
    page = keyset_page(qs, cursor=request.GET.get("cursor", "")[:500], limit=PER_PAGE)
    topic_label = next((t["label"] for t in run.result.get("topics", []) if t["id"] == topic), "")
    query = request.GET.copy()
    query.pop("cursor", None)
    icursor = query.pop("icursor", [""])[0]
    contacts = None
    if (run.params or {}).get("source", "cases") != "cases":
        found = keyset_page(selectors.hotspot_interaction_list(user=request.user, run=run, topic=topic, keyword=keyword,
                                                               start=start, end=end),
                            cursor=icursor[:500], limit=PER_PAGE)
        contacts = {"rows": selectors.hotspot_interaction_rows(user=request.user, interactions=found.rows),
                    "next_cursor": found.next_cursor}
    return render(request, "analytics/hotspot_cases.html", {
        "run": run, "rows": selectors.hotspot_case_rows(user=request.user, tickets=page.rows),
        "next_cursor": page.next_cursor, "topic_label": topic_label, "keyword": keyword,
        "start": start or run.period_start, "end": end or run.period_end, "query": query.urlencode(),
        "contacts": contacts,
    })


def _int(value: str | None) -> int | None:
    if value in (None, ""):
        return None
    if not value.isdigit() or len(value) > 9:
        raise ValidationFailed(_("Invalid number."), code="bad_number")
    return int(value)


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError as exc:
        raise ValidationFailed(_("Invalid date."), code="bad_date") from exc


@login_required
@require_POST
@domain_errors_as_http
@_invalid_as_400
def hotspot_run(request):
    from ..hotspot.services import hotspot_run_create  # jieba and scikit-learn load when an analysis runs

    run = hotspot_run_create(actor=request.user, source=request.POST.get("source", "cases")[:20])
    messages.success(request, _("Hotspot analysis done: %(cases)s cases.") % {"cases": run.documents})
    return redirect("analytics:hotspots")
