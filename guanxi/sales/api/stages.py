"""`/api/v1/opportunity-stages`, `/api/v1/deal-reasons`, `/api/v1/sales-channels`: the pipeline's
configuration, read by every member of staff; stages are changed by sales managers and
administrators."""

from django.http import HttpRequest
from ninja import Query, Status

from guanxi.core.api import CursorPageParams
from guanxi.core.pagination import keyset_page
from guanxi.core.routers import Router

from .. import permissions
from ..schemas.opportunities import (
    ChannelPageOut,
    DealReasonPageOut,
    StageIn,
    StageOut,
    StagePageOut,
)
from ..selectors import configuration as selectors
from ..services import configuration as services

router = Router(tags=["opportunities"], operation_prefix="guanxi_sales_api_stages")


def _stage(stage) -> dict:
    return {"id": stage.pk, "name": stage.name, "order": stage.order, "probability": stage.probability,
            "is_won": stage.is_won, "is_lost": stage.is_lost, "is_active": stage.is_active}


def _page(request, queryset, params: CursorPageParams, row) -> dict:
    permissions.require(request.user, "configuration", "read")
    page = keyset_page(queryset, cursor=params.cursor, limit=params.limit)
    return {"items": [row(obj) for obj in page.rows], "next_cursor": page.next_cursor}


@router.get("/opportunity-stages", response=StagePageOut)
def list_opportunity_stages(request: HttpRequest, params: Query[CursorPageParams]):
    """The pipeline's stages in order, with their default win probability."""
    return _page(request, selectors.stage_list(), params, _stage)


@router.post("/opportunity-stages", response={201: StageOut})
def create_opportunity_stage(request: HttpRequest, payload: StageIn):
    """A new stage (sales managers and administrators)."""
    stage = services.stage_save(actor=request.user, **payload.dict())
    return Status(201, _stage(stage))


@router.put("/opportunity-stages/{opportunity_stage_id}", response=StageOut)
def update_opportunity_stage(request: HttpRequest, opportunity_stage_id: int, payload: StageIn):
    """Rename, reorder, change the default probability or deactivate a stage."""
    permissions.require_configure(request.user)
    stage = selectors.stage_get(stage_id=opportunity_stage_id)
    return _stage(services.stage_save(actor=request.user, stage=stage, **payload.dict()))


@router.delete("/opportunity-stages/{opportunity_stage_id}", response={204: None})
def delete_opportunity_stage(request: HttpRequest, opportunity_stage_id: int):
    """Delete a stage no deal has ever been in (409 for one in use: deactivate it instead)."""
    permissions.require_configure(request.user)
    services.stage_delete(actor=request.user, stage=selectors.stage_get(stage_id=opportunity_stage_id))
    return Status(204, None)


@router.get("/deal-reasons", response=DealReasonPageOut)
def list_deal_reasons(request: HttpRequest, params: Query[CursorPageParams]):
    """The reasons deals are won and lost."""
    return _page(request, selectors.reason_list(), params,
                 lambda r: {"id": r.pk, "kind": r.kind, "name": r.name, "is_active": r.is_active})


@router.get("/sales-channels", response=ChannelPageOut)
def list_sales_channels(request: HttpRequest, params: Query[CursorPageParams]):
    """The sales methods and channels (销售方式)."""
    return _page(request, selectors.channel_list(), params,
                 lambda c: {"id": c.pk, "code": c.code, "name": c.name, "is_active": c.is_active})
