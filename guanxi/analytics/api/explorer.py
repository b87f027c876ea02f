"""`/api/v1/analytics/explorer/...`: the catalogue a role may use, a pivot query, its XLSX export, and
saved views (cursor-paged to the end, CRUD, run, export). Refusals: 422 with the field at fault
(unknown names, an impossible date range, too many cells), 403 for a measure or dimension the role
may not use, 404 for a view not shared with the caller, 410 for a deleted one."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from ninja import Query, Status
from pydantic import Field

from guanxi.core.api import CursorPageParams
from guanxi.core.pagination import keyset_page
from guanxi.core.routers import Router
from guanxi.core.schema import Schema

from ..explorer import saved
from ..explorer.catalogue import drill_down_of, drill_up_of
from ..explorer.export import XLSX, pivot_xlsx
from ..explorer.query import ExplorerQuery, Filter, Pivot, dimensions_for, explorer_run, measures_for
from ..permissions import permissions

router = Router(tags=["analytics"], operation_prefix="guanxi_analytics_api")
_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
GONE = {"responses": {410: {"description": "The saved view was deleted.", "content": _ERROR}}}
WORKBOOK = {"responses": {200: {"description": "An XLSX workbook.",
                                "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}}}}

Value = int | str | bool | None
NAME = Field(max_length=40)


class FilterIn(Schema):
    dimension: str = Field(max_length=40)
    values: list[Value] = Field(default_factory=list, max_length=500)
    exclude: bool = False


class QueryIn(Schema):
    measures: list[str] = Field(min_length=1, max_length=8)
    rows: list[str] = Field(default_factory=list, max_length=4)
    columns: list[str] = Field(default_factory=list, max_length=4)
    filters: list[FilterIn] = Field(default_factory=list, max_length=20)
    date_from: dt.date
    date_to: dt.date

    def to_query(self) -> ExplorerQuery:
        return ExplorerQuery(measures=tuple(self.measures), rows=tuple(self.rows), columns=tuple(self.columns),
                             date_from=self.date_from, date_to=self.date_to,
                             filters=tuple(Filter(f.dimension, tuple(f.values), f.exclude) for f in self.filters))


class MeasureOut(Schema):
    name: str
    label: str
    kind: str
    fact: str


class DimensionOut(Schema):
    name: str
    label: str
    hierarchy: str
    drill_down: str | None
    drill_up: str | None
    personal: bool


class CatalogueOut(Schema):
    measures: list[MeasureOut]
    dimensions: list[DimensionOut]


class HeaderOut(Schema):
    key: Value
    label: str


class PivotOut(Schema):
    measures: list[MeasureOut]
    rows: list[DimensionOut]
    columns: list[DimensionOut]
    row_headers: list[list[HeaderOut]]
    column_headers: list[list[HeaderOut]]
    values: list[list[list[float | None]]] = Field(description="[row][column][measure]")
    row_totals: list[list[float | None]]
    column_totals: list[list[float | None]]
    total: list[float | None]
    warehouse_refresh: int = Field(description="the warehouse refresh the figures come from")


class ViewIn(Schema):
    name: str = Field(max_length=100)
    sharing: str = Field("private", description="private, team or everyone", max_length=10)
    query: QueryIn


class ViewOut(Schema):
    id: int
    name: str
    owner: int
    owner_name: str
    sharing: str
    query: dict
    created_at: dt.datetime
    updated_at: dt.datetime


class ViewPageOut(Schema):
    items: list[ViewOut]
    next_cursor: str | None


def _measure(m) -> dict:
    return {"name": m.name, "label": str(m.label), "kind": m.kind, "fact": m.fact}


def _dimension(d) -> dict:
    down, up = drill_down_of(d), drill_up_of(d)
    return {"name": d.name, "label": str(d.label), "hierarchy": d.hierarchy, "personal": d.personal,
            "drill_down": down.name if down else None, "drill_up": up.name if up else None}


def pivot_out(pivot: Pivot) -> dict:
    def headers(rows):
        return [[{"key": h.key, "label": h.label} for h in row] for row in rows]

    return {"measures": [_measure(m) for m in pivot.measures], "rows": [_dimension(d) for d in pivot.rows],
            "columns": [_dimension(d) for d in pivot.columns], "row_headers": headers(pivot.row_headers),
            "column_headers": headers(pivot.column_headers), "values": pivot.values,
            "row_totals": pivot.row_totals, "column_totals": pivot.column_totals, "total": pivot.total,
            "warehouse_refresh": pivot.refreshed}


def _view_out(view) -> dict:
    return {"id": view.pk, "name": view.name, "owner": view.owner_id, "owner_name": str(view.owner),
            "sharing": view.sharing, "query": view.definition, "created_at": view.created_at,
            "updated_at": view.updated_at}


def xlsx_response(pivot: Pivot, *, title: str = "") -> HttpResponse:
    response = HttpResponse(pivot_xlsx(pivot, title=title), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="explorer-{pivot.query.date_from:%Y%m%d}.xlsx"'
    return response


@router.get("/analytics/explorer/catalogue", response=CatalogueOut)
def get_explorer_catalogue(request: HttpRequest):
    """The measures and dimensions your role may use (with each dimension's drill down and up)."""
    permissions.require(request.user, "explorer", "read")
    return {"measures": [_measure(m) for m in measures_for(request.user)],
            "dimensions": [_dimension(d) for d in dimensions_for(request.user)]}


@router.post("/analytics/explorer/query", response=PivotOut)
def query_explorer(request: HttpRequest, payload: QueryIn):
    """A pivot: measures by row and column dimensions over a period, filtered; only the rows within your
    scope count."""
    return pivot_out(explorer_run(user=request.user, query=payload.to_query()))


@router.post("/analytics/explorer/export", response={200: None}, openapi_extra=WORKBOOK)
def export_explorer(request: HttpRequest, payload: QueryIn):
    """The pivot as an XLSX workbook (roles that may export)."""
    permissions.require(request.user, "explorer", "export")
    return xlsx_response(explorer_run(user=request.user, query=payload.to_query()))


@router.get("/analytics/explorer/views", response=ViewPageOut)
def list_explorer_views(request: HttpRequest, page: Query[CursorPageParams]):
    """Saved views you may open: yours and those shared with your team or everyone, oldest first."""
    result = keyset_page(saved.explorer_view_list(user=request.user), cursor=page.cursor, limit=page.limit)
    return {"items": [_view_out(v) for v in result.rows], "next_cursor": result.next_cursor}


@router.post("/analytics/explorer/views", response={201: ViewOut})
def create_explorer_view(request: HttpRequest, payload: ViewIn):
    view = saved.explorer_view_save(actor=request.user, name=payload.name, query=payload.query.to_query(),
                                    sharing=payload.sharing)
    return Status(201, _view_out(view))


@router.get("/analytics/explorer/views/{view_id}", response=ViewOut, openapi_extra=GONE)
def get_explorer_view(request: HttpRequest, view_id: int):
    return _view_out(saved.explorer_view_get_for_user(user=request.user, view_id=view_id))


@router.put("/analytics/explorer/views/{view_id}", response=ViewOut, openapi_extra=GONE)
def update_explorer_view(request: HttpRequest, view_id: int, payload: ViewIn):
    view = saved.explorer_view_get_for_user(user=request.user, view_id=view_id, action="write")
    return _view_out(saved.explorer_view_update(actor=request.user, view=view, name=payload.name,
                                                query=payload.query.to_query(), sharing=payload.sharing))


@router.delete("/analytics/explorer/views/{view_id}", response={204: None}, openapi_extra=GONE)
def delete_explorer_view(request: HttpRequest, view_id: int):
    view = saved.explorer_view_get_for_user(user=request.user, view_id=view_id, action="delete")
    saved.explorer_view_delete(actor=request.user, view=view)
    return Status(204, None)


@router.post("/analytics/explorer/views/{view_id}/query", response=PivotOut, openapi_extra=GONE)
def query_explorer_view(request: HttpRequest, view_id: int):
    """Run a saved view as you: within your role and scope, whoever saved it."""
    view = saved.explorer_view_get_for_user(user=request.user, view_id=view_id)
    return pivot_out(explorer_run(user=request.user, query=ExplorerQuery.from_dict(view.definition)))


@router.get("/analytics/explorer/views/{view_id}/export", response={200: None},
            openapi_extra={"responses": {**GONE["responses"], **WORKBOOK["responses"]}})
def export_explorer_view(request: HttpRequest, view_id: int):
    permissions.require(request.user, "explorer", "export")
    view = saved.explorer_view_get_for_user(user=request.user, view_id=view_id)
    return xlsx_response(explorer_run(user=request.user, query=ExplorerQuery.from_dict(view.definition)),
                         title=view.name)
