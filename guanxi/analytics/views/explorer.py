"""The OLAP explorer page (多维分析, `/analytics/explorer/`): measures and dimensions picked in a form
(the query lives in the address, so a view is a link), filters, a pivot table with drill down and up
along a hierarchy, an ECharts chart (static/js/analytics_explorer.js), saved views and XLSX export.

Address parameters: `m` measures, `r` row and `c` column dimensions (repeated), `from`/`to` the period,
`f` filters as `dimension:value` (`dimension:` for no value), `x` exclusions likewise, `view` a saved
view, `format=xlsx` the export."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.errors import DomainError, ValidationFailed
from guanxi.core.views import domain_errors_as_http

from ..explorer import saved
from ..explorer.catalogue import DIMENSIONS, drill_down_of, drill_up_of, hierarchy_of
from ..explorer.export import XLSX, pivot_xlsx
from ..explorer.query import ExplorerQuery, Filter, Pivot, dimensions_for, explorer_run, measures_for
from ..models import ExplorerView
from ..permissions import permissions

DEFAULT_MEASURES = ("cases", "revenue", "interactions")


def _default_query(user) -> QueryDict:
    today = timezone.localdate()
    allowed = [m.name for m in measures_for(user)]
    query = QueryDict(mutable=True)
    query.setlist("m", [m for m in DEFAULT_MEASURES if m in allowed][:1] or allowed[:1])
    query.setlist("r", ["month"])
    query["from"], query["to"] = dt.date(today.year, 1, 1).isoformat(), dt.date(today.year, 12, 31).isoformat()
    return query


def _filter_value(name: str, raw: str):
    dimension = DIMENSIONS.get(name)
    if raw == "" or dimension is None:
        return None
    if dimension.value_type == "bool":
        return raw in ("1", "true", "True")
    return raw


def _filters(values: list[str], *, exclude: bool) -> dict[str, list]:
    found: dict[str, list] = {}
    for item in values:
        name, _sep, raw = item.partition(":")
        found.setdefault(name, []).append(_filter_value(name, raw))
    return found


def query_from_params(params: QueryDict) -> ExplorerQuery:
    try:
        date_from = dt.date.fromisoformat(params.get("from", ""))
        date_to = dt.date.fromisoformat(params.get("to", ""))
    except ValueError as exc:
        raise ValidationFailed(fields={"from": _("enter the period's first and last day")}) from exc
    filters = [Filter(name, tuple(values)) for name, values in _filters(params.getlist("f"), exclude=False).items()]
    filters += [Filter(name, tuple(values), exclude=True)
                for name, values in _filters(params.getlist("x"), exclude=True).items()]
    names = {key: tuple(v for v in params.getlist(key) if v) for key in ("m", "r", "c")}
    return ExplorerQuery(measures=names["m"], rows=names["r"], columns=names["c"], date_from=date_from,
                         date_to=date_to, filters=tuple(filters))


def params_from_query(query: ExplorerQuery) -> QueryDict:
    params = QueryDict(mutable=True)
    params.setlist("m", list(query.measures))
    params.setlist("r", list(query.rows))
    params.setlist("c", list(query.columns))
    params["from"], params["to"] = query.date_from.isoformat(), query.date_to.isoformat()
    for key, exclude in (("f", False), ("x", True)):
        params.setlist(key, [f"{flt.dimension}:{'' if v is None else _raw(v)}" for flt in query.filters
                             if flt.exclude is exclude for v in flt.values])
    return params


def _raw(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _link(params: QueryDict, **changes) -> str:
    query = params.copy()
    query.pop("format", None)
    for key, value in changes.items():
        query.setlist(key, value)
    return "?" + query.urlencode()


def _drills(params: QueryDict, pivot: Pivot) -> dict:
    """For each row header cell: the link that drills into it (filter on its key, next level down);
    for each row dimension: the link one level up (its filters along the hierarchy dropped)."""
    rows = list(pivot.query.rows)
    down, up = [], []
    for dimension in pivot.rows:
        lower = drill_down_of(dimension)
        upper = drill_up_of(dimension)
        if upper is not None:
            names = {d.name for d in hierarchy_of(dimension)}
            kept = [f for f in params.getlist("f") if f.partition(":")[0] not in names - {upper.name}]
            kept = [f for f in kept if f.partition(":")[0] != upper.name]
            up.append(_link(params, r=[upper.name if r == dimension.name else r for r in rows], f=kept))
        else:
            up.append("")
        down.append(lower)
    links = []
    for header in pivot.row_headers:
        cells = []
        for index, cell in enumerate(header):
            lower = down[index]
            if lower is None or cell.key is None or lower.name in rows or lower.name in pivot.query.columns:
                cells.append("")
                continue
            value = _raw(cell.key)
            replaced = [lower.name if r == pivot.rows[index].name else r for r in rows]
            kept = [f for f in params.getlist("f") if f.partition(":")[0] != pivot.rows[index].name]
            cells.append(_link(params, r=replaced, f=[*kept, f"{pivot.rows[index].name}:{value}"]))
        links.append(cells)
    return {"cells": links, "up": up}


def _chart(pivot: Pivot) -> dict:
    """What the chart draws: the first measure by row (bars), one series per column header, or one
    series per measure when there are no columns."""
    categories = [" / ".join(h.label for h in header) or _("Total") for header in pivot.row_headers]
    if pivot.columns:
        series = [{"name": " / ".join(h.label for h in header),
                   "data": [pivot.values[r][c][0] for r in range(len(pivot.row_headers))]}
                  for c, header in enumerate(pivot.column_headers[:12])]
    else:
        series = [{"name": str(m.label), "data": [pivot.values[r][0][i] for r in range(len(pivot.row_headers))]}
                  for i, m in enumerate(pivot.measures)]
    return {"categories": categories, "series": series, "line": bool(pivot.rows and pivot.rows[0].hierarchy == "date")}


def _table(pivot: Pivot) -> dict:
    """The pivot as the template walks it: header rows, body rows (header cells with drill links,
    values), totals."""
    return {"measures": pivot.measures, "columns": pivot.column_headers, "rows": [
        {"headers": header, "values": [v for cell in pivot.values[i] for v in cell],
         "total": pivot.row_totals[i] if pivot.columns else []}
        for i, header in enumerate(pivot.row_headers)],
        "column_totals": [v for cell in pivot.column_totals for v in cell], "total": pivot.total}


def _filter_badges(params: QueryDict) -> list[dict]:
    badges = []
    for key in ("f", "x"):
        values = params.getlist(key)
        for index, raw in enumerate(values):
            name, _sep, value = raw.partition(":")
            dimension = DIMENSIONS.get(name)
            badges.append({"param": key, "raw": raw, "label": dimension.label if dimension else name,
                           "value": value or "—",
                           "remove": _link(params, **{key: values[:index] + values[index + 1:]})})
    return badges


@login_required
@domain_errors_as_http
def explorer_page(request):
    permissions.require(request.user, "explorer", "read")
    user = request.user
    view = None
    if "view" in request.GET:
        try:
            view = saved.explorer_view_get_for_user(user=user, view_id=int(request.GET["view"]))
        except (ValueError, saved.ViewDeleted) as exc:
            message = exc.message if isinstance(exc, DomainError) else _("No such saved view.")
            return render(request, "refused.html", {"message": message}, status=410 if isinstance(exc, DomainError)
                          else 404)
        params = params_from_query(ExplorerQuery.from_dict(view.definition))
        if request.GET.get("format"):
            params["format"] = request.GET["format"]
    elif request.GET.get("m"):
        params = request.GET.copy()
    else:
        params = _default_query(user)
    pivot, error = None, ""
    try:
        query = query_from_params(params)
        pivot = explorer_run(user=user, query=query)
    except DomainError as exc:
        error = "; ".join([exc.message, *exc.fields.values()]) if exc.fields else exc.message
        status = exc.status
    if pivot is not None and params.get("format") == "xlsx":
        permissions.require(user, "explorer", "export")
        response = HttpResponse(pivot_xlsx(pivot, title=view.name if view else ""), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="explorer-{pivot.query.date_from:%Y%m%d}.xlsx"'
        return response
    export = params.copy()
    export["format"] = "xlsx"
    context = {
        "params": params, "pivot": pivot, "error": error, "view": view,
        "measures": measures_for(user), "dimensions": dimensions_for(user),
        "chosen_measures": params.getlist("m"), "chosen_rows": [*params.getlist("r"), "", ""][:2],
        "chosen_columns": [*params.getlist("c"), ""][:1],
        "filters": _filter_badges(params),
        "views": saved.explorer_view_list(user=user)[:50], "sharing": ExplorerView.Sharing.choices,
        "export_url": "?" + export.urlencode(), "may_export": permissions.can(user, "explorer", "export"),
        "query_string": params.urlencode(),
        "date_from": params.get("from", ""), "date_to": params.get("to", ""),
    }
    if pivot is not None:
        context |= {"table": _table(pivot), "drills": _drills(params, pivot), "chart": _chart(pivot)}
    return render(request, "analytics/explorer_page.html", context, status=400 if error and status < 403 else
                  (status if error else 200))


@login_required
@require_POST
@domain_errors_as_http
def explorer_view_save(request):
    """Save the page's current query as a view (name and sharing from the form)."""
    params = QueryDict(request.POST.get("query", ""))
    try:
        view = saved.explorer_view_save(actor=request.user, name=request.POST.get("name", ""),
                                        query=query_from_params(params),
                                        sharing=request.POST.get("sharing", "private"))
    except ValidationFailed as exc:
        messages.error(request, "; ".join([exc.message, *exc.fields.values()]))
        return redirect(reverse("analytics:explorer") + "?" + params.urlencode())
    messages.success(request, _("Saved view “%(name)s”.") % {"name": view.name})
    return redirect(reverse("analytics:explorer") + f"?view={view.pk}")


@login_required
@require_POST
@domain_errors_as_http
def explorer_view_delete(request, explorer_view_id: int):
    try:
        view = saved.explorer_view_get_for_user(user=request.user, view_id=explorer_view_id, action="delete")
    except saved.ViewDeleted:
        messages.info(request, _("This saved view was deleted."))
        return redirect("analytics:explorer")
    saved.explorer_view_delete(actor=request.user, view=view)
    messages.success(request, _("Deleted view “%(name)s”.") % {"name": view.name})
    return redirect("analytics:explorer")

