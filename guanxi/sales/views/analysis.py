"""The sales analysis page (SPEC C.4): one report at a time over a year, quarter or month, with its
chart (static/js/sales_analysis.js), its table, a drill-down to the deals behind each figure and an
XLSX export."""

from io import BytesIO

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from guanxi.core.views import domain_errors_as_http, list_page

from .. import permissions
from ..forms.analysis import AnalysisForm, DrillForm
from ..selectors import analysis as selectors
from .board import board_teams

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _float(value) -> float | None:
    return None if value is None else float(value)


def _drill_url(drill: dict) -> str:
    return reverse("sales:analysis_deals") + "?" + urlencode(drill)


def _chart(data: dict) -> dict:
    """What the page's chart draws: categories with the won amount and the win rate, the funnel's
    entries and conversions, the reasons' counts, or each representative's won amount and quota."""
    if data["rows"]:
        return {"kind": "bars", "categories": [r.label for r in data["rows"]],
                "won": [_float(r.won_amount) for r in data["rows"]],
                "rate": [round(r.win_rate * 100, 1) if r.win_rate is not None else None for r in data["rows"]],
                "links": [_drill_url(r.drill) for r in data["rows"]],
                "names": {"won": _("Won amount"), "rate": _("Win rate (%)")}}
    if data["funnel"]:
        return {"kind": "funnel", "steps": [{"name": s.name, "value": s.entered} for s in data["funnel"]]}
    if data["reasons"]:
        return {"kind": "pie", "items": [{"name": f"{_('Won') if r.status == 'won' else _('Lost')} · {r.name}",
                                          "value": r.count, "link": _drill_url(r.drill)} for r in data["reasons"]]}
    if data["behaviour"]:
        return {"kind": "bars", "categories": [b.name for b in data["behaviour"]],
                "won": [_float(b.won_amount) for b in data["behaviour"]],
                "quota": [_float(b.quota) for b in data["behaviour"]],
                "links": [_drill_url(b.drill) for b in data["behaviour"]],
                "names": {"won": _("Won amount"), "quota": _("Quota")}}
    return {"kind": "none"}


@login_required
@domain_errors_as_http
def analysis_page(request):
    permissions.require(request.user, "analysis", "read", message=permissions.ANALYSIS_DENIED)
    form = AnalysisForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    report, period = params.get("report") or "product", params.get("period") or "year"
    data = selectors.analysis_report(user=request.user, report=report, period=period,
                                     day=params.get("start") or timezone.localdate(), team_id=params.get("team"))
    for row in data["rows"] + data["behaviour"] + data["reasons"]:
        row.url = _drill_url(row.drill)
    if request.GET.get("format") == "xlsx":
        permissions.require(request.user, "analysis", "export", message=permissions.ANALYSIS_DENIED)
        return _xlsx(data)
    query = request.GET.copy()
    query["format"] = "xlsx"
    return render(request, "sales/analysis.html", {
        "form": form, "data": data, "report": report, "period": period, "reports": selectors.REPORTS.items(),
        "chart": _chart(data), "teams": board_teams(request.user), "team_id": params.get("team"),
        "export_url": "?" + query.urlencode(), "may_export": permissions.can(request.user, "analysis", "export"),
        "start_value": (params.get("start") or data["start"]).isoformat(),
    })


def _xlsx_rows(data: dict) -> tuple[list[str], list[list]]:
    if data["rows"]:
        head = [_("Name"), _("Closed"), _("Won"), _("Lost"), _("Won amount"), _("Win rate"), _("Average deal"),
                _("Cycle (days)"), _("Cost"), _("Cost per won deal"), _("Strengths"), _("Weaknesses")]
        return head, [[r.label, r.closed, r.won, r.lost, _float(r.won_amount), r.win_rate, _float(r.average_deal),
                       r.cycle_days, _float(r.cost), _float(r.cost_per_won), "、".join(r.strengths),
                       "、".join(r.weaknesses)] for r in data["rows"]]
    if data["funnel"]:
        return [_("Stage"), _("Entered"), _("Conversion to the next stage"), _("Days in stage")], \
            [[s.name, s.entered, s.conversion, s.average_days] for s in data["funnel"]]
    if data["reasons"]:
        return [_("Outcome"), _("Reason"), _("Deals"), _("Amount")], \
            [[_("Won") if r.status == "won" else _("Lost"), r.name, r.count, _float(r.amount)]
             for r in data["reasons"]]
    return [_("Representative"), _("Deals created"), _("Stage moves"), _("Tasks done"), _("Won"),
            _("Won amount"), _("Quota"), _("Attainment")], \
        [[b.name, b.created, b.touched, b.tasks_done, b.won, _float(b.won_amount), _float(b.quota), b.attainment]
         for b in data["behaviour"]]


def _xlsx(data: dict) -> HttpResponse:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = data["title"][:31]
    head, rows = _xlsx_rows(data)
    sheet.append([f"{data['title']} {data['start']:%Y-%m-%d} – {data['end']:%Y-%m-%d}"])
    sheet.append(head)
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="sales-{data["report"]}-{data["start"]:%Y%m%d}.xlsx"'
    return response


@login_required
@domain_errors_as_http
def analysis_deals(request):
    """The deals behind a figure of the analysis (the drill-down), within what the user reads."""
    form = DrillForm(request.GET)
    if not form.is_valid():
        return render(request, "sales/analysis_deals.html", {"page": None, "invalid": True}, status=400)
    data = form.cleaned_data
    filters = selectors.DrillFilter(closed_after=data["closed_after"], closed_before=data["closed_before"],
                                    team_id=data.get("team"), owner_id=data.get("owner"),
                                    status=data.get("status") or "", values=form.dimension_values(request.GET))
    page, query = list_page(request, selectors.drill_down(user=request.user, filters=filters), per_page=50)
    return render(request, "sales/analysis_deals.html", {"page": page, "query": query, "filters": filters})
