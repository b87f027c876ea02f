"""Pages of the satisfaction analysis: the figures by period and group (ECharts trend, tables with
sample sizes and margins of error), satisfaction per value segment (SPEC G.5), the driver analysis
(started as a task, its status shown until done) and the period report as XLSX and PDF."""

from __future__ import annotations

import datetime as dt
import io

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.views import domain_errors_as_http

from . import analysis_selectors as selectors
from . import driver_runs, permissions
from .enums import Dimension
from .tasks import run_drivers

DEFAULT_MONTHS = 12


def _window(request) -> tuple[dt.datetime, dt.datetime, dict]:
    """since/until from the query (dates, until exclusive of the day after), by default the last 12
    whole months and the current one."""
    today = timezone.localdate()
    default_since = (today.replace(day=1) - dt.timedelta(days=31 * (DEFAULT_MONTHS - 1))).replace(day=1)
    try:
        since = dt.date.fromisoformat(request.GET.get("since", "")) if request.GET.get("since") else default_since
        until = dt.date.fromisoformat(request.GET.get("until", "")) if request.GET.get("until") else today
    except ValueError:
        since, until = default_since, today
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(since, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end, {"since": since, "until": until}


def _params(request) -> dict:
    period = request.GET.get("period", "month")
    by = request.GET.get("by", "segment")
    return {
        "period": period if period in selectors.PERIODS else "month",
        "by": by if by in selectors.GROUPS else "segment",
    }


def _dimensions():
    return [(d, label) for d, label in Dimension.choices]


def _measures():
    return [("csat", _("CSAT")), ("nps", _("NPS")), *_dimensions()]


def _trend_chart(cells) -> dict:
    def value(cell, measure):
        figure = cell.figures[measure]
        return round(figure.value, 1) if figure.is_shown else None

    return {
        "categories": [c.key for c in cells],
        "partial": None,
        "series": [
            {"name": _("CSAT"), "data": [value(c, "csat") for c in cells]},
            {"name": _("Overall satisfaction (0–100)"), "data": [value(c, "overall") for c in cells]},
        ],
    }


@login_required
@domain_errors_as_http
def analysis(request):
    permissions.require(request.user, "analysis", "read")
    since, until, dates = _window(request)
    params = _params(request)
    cells = selectors.trend(user=request.user, period=params["period"], since=since, until=until)
    rates = selectors.response_rates(user=request.user, period=params["period"], since=since, until=until)
    groups = selectors.breakdown(user=request.user, by=params["by"], since=since, until=until)
    measures = _measures()
    return render(
        request,
        "surveys/analysis.html",
        {
            **params,
            **dates,
            "cells": cells,
            "latest": cells[-1] if cells else None,
            "rates": rates,
            "latest_rate": rates[-1] if rates else None,
            "measures": measures,
            "period_rows": [(label, [(c.figures[m], c.changes.get(m)) for c in cells]) for m, label in measures],
            "group_rows": [(g.label, [g.figures[m] for m, _label in measures]) for g in groups],
            "group_label": selectors.GROUPS[params["by"]][0],
            "periods": selectors.PERIODS.items(),
            "group_choices": [(k, v[0]) for k, v in selectors.GROUPS.items()],
            "dimensions": _dimensions(),
            "chart": _trend_chart(cells),
            "min_n": selectors.min_sample(),
            "segments": selectors.segment_report(user=request.user, since=since, until=until),
            "may_export": permissions.can(request.user, "analysis", "export"),
            "query": request.GET.urlencode(),
        },
    )


@login_required
@domain_errors_as_http
def drivers(request):
    permissions.require(request.user, "analysis", "read")
    since, until, dates = _window(request)
    if request.method == "POST":
        run_id = driver_runs.run_start(user=request.user, since=since, until=until)
        run_drivers.delay(run_id)
        return redirect(
            f"{reverse('surveys:analysis_drivers')}?run={run_id}&since={dates['since']}&until={dates['until']}"
        )
    run = driver_runs.run_get(user=request.user, run_id=request.GET["run"]) if request.GET.get("run") else None
    labels = {**dict(Dimension.choices), **driver_runs.OPERATIONAL_LABELS}
    effects, chart = [], None
    if run and run["status"] == driver_runs.DONE and run["result"].get("drivers"):
        effects = [{**e, "label": str(labels.get(e["name"], e["name"]))} for e in run["result"]["drivers"]]
        shown = list(reversed(effects))
        chart = {
            "categories": [e["label"] for e in shown],
            "share": [round(100 * e["r2_share"], 1) for e in shown],
            "coef": [round(e["std_coef"], 3) for e in shown],
            "ci": [[round(e["std_ci_low"], 3), round(e["std_ci_high"], 3)] for e in shown],
            "share_name": _("Share of explained variance"),
            "coef_name": _("Standardised effect (95% CI)"),
        }
    return render(request, "surveys/analysis_drivers.html", {**dates, "run": run, "effects": effects, "chart": chart})


@login_required
@domain_errors_as_http
def export_xlsx(request):
    permissions.require(request.user, "analysis", "export")
    since, until, dates = _window(request)
    params = _params(request)
    content = report_xlsx(user=request.user, period=params["period"], by=params["by"], since=since, until=until)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="satisfaction-{dates["since"]}-{dates["until"]}.xlsx"'
    return response


@login_required
@domain_errors_as_http
def export_pdf(request):
    permissions.require(request.user, "analysis", "export")
    since, until, dates = _window(request)
    params = _params(request)
    from .analysis_report import report_pdf  # reportlab loads with the first report
    content = report_pdf(user=request.user, period=params["period"], by=params["by"], since=since, until=until)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="satisfaction-{dates["since"]}-{dates["until"]}.pdf"'
    return response


def _figure_cells(figure) -> list:
    if not figure.is_shown:
        return [figure.n, _("Sample too small (at least %(n)s)") % {"n": figure.min_n}, None]
    return [figure.n, round(figure.value, 1), round(figure.moe, 1)]


def report_xlsx(*, user, period: str, by: str, since, until) -> bytes:
    """The period report: one sheet per period, one per group, one of the response rates; each figure
    as n, value and ±margin (95 %), or the too-small note in place of the value."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = _("By period")
    measures = _measures()
    header = [_("Period")]
    for _m, label in measures:
        header += [f"{label} n", str(label), f"{label} ±"]
    sheet.append(header)
    for cell in selectors.trend(user=user, period=period, since=since, until=until):
        row = [cell.key]
        for measure, _label in measures:
            row += _figure_cells(cell.figures[measure])
        sheet.append(row)
    groups = book.create_sheet(_("By group"))
    groups.append([str(selectors.GROUPS[by][0]), *header[1:]])
    for cell in selectors.breakdown(user=user, by=by, since=since, until=until):
        row = [cell.label]
        for measure, _label in measures:
            row += _figure_cells(cell.figures[measure])
        groups.append(row)
    rates = book.create_sheet(_("Response rates"))
    rates.append([_("Period"), _("Sent"), _("Response rate (%)"), "±"])
    for cell in selectors.response_rates(user=user, period=period, since=since, until=until):
        rates.append([cell.key, *_figure_cells(cell.figures["response_rate"])])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
