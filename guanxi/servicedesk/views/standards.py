"""Service-standard attainment (服务指标达成率)."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions
from ..enums import CustomerTier, Metric
from ..selectors import reports as report_selectors


def _attainment_context(months: int) -> dict:
    """Monthly attainment per metric (the trend) and per standard and tier (the table)."""
    zone = timezone.get_current_timezone()
    today = timezone.localdate()
    first = (today.replace(day=1) - dt.timedelta(days=31 * (months - 1))).replace(day=1)
    since = dt.datetime.combine(first, dt.time(), tzinfo=zone)
    until = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    trend = report_selectors.standard_attainment(since=since, until=until, group_by=("metric",), period="month")
    categories = sorted({r.period.astimezone(zone).strftime("%Y-%m") for r in trend})
    by_metric: dict[str, dict[str, float]] = {}
    for row in trend:
        by_metric.setdefault(row.group["metric"], {})[row.period.astimezone(zone).strftime("%Y-%m")] = round(
            row.rate * 100, 1)
    labels = dict(Metric.choices)
    current = today.strftime("%Y-%m")
    chart = {"categories": [_("%(month)s (so far)") % {"month": c} if c == current else c for c in categories],
             "series": [{"name": str(labels.get(metric, metric)), "data": [values.get(c) for c in categories]}
                        for metric, values in sorted(by_metric.items())],
             # The month still running counts only the clocks finished or breached so far: drawn apart.
             "partial": categories.index(current) if current in categories else None}
    table = report_selectors.standard_attainment(since=since, until=until, group_by=("standard", "tier"), period=None)
    tiers = dict(CustomerTier.choices)
    return {"chart": chart, "months": months, "month_choices": (3, 6, 12, 24, 36), "since": first, "rows": [
        {"standard": r.group["standard"], "tier": tiers.get(r.group["tier"] or "", r.group["tier"]),
         "total": r.total, "met": r.met, "breached": r.breached, "rate": round(r.rate * 100, 1)} for r in table]}


@login_required
def attainment(request):
    """Service-standard attainment (服务指标达成率): trend per metric and a table per standard and tier."""
    user = request.user
    if not permissions.can(user, "report", "read"):
        raise DjangoPermissionDenied(_("Attainment reports are for managers, team leads and analysts."))
    try:
        months = min(max(int(request.GET.get("months", 12)), 1), 36)
    except ValueError:
        months = 12
    return render(request, "servicedesk/attainment.html", _attainment_context(months))
