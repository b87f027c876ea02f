"""`/api/v1/ticket-categories`: the case category tree (业务分类)."""

from django.http import HttpRequest
from ninja import Status

from guanxi.core.errors import NotFound, ValidationFailed
from guanxi.core.routers import Router

from ..schemas.categories import CategoryIn, CategoryOut
from ..selectors import categories as category_selectors
from ..services import categories as category_services

router = Router(tags=["service desk"], operation_prefix="guanxi_servicedesk_api")


def _category_out(node: category_selectors.CategoryNode) -> dict:
    return {"id": node.category.pk, "name": node.category.name, "parent": node.category.parent_id,
            "path": node.path, "depth": node.depth, "is_used": node.is_used}


def _tree_row(category_id: int) -> dict:
    return next(_category_out(n) for n in category_selectors.category_tree() if n.category.pk == category_id)


def _parent(parent_id: int | None):
    if parent_id is None:
        return None
    try:
        return category_selectors.category_get(category_id=parent_id)
    except NotFound:
        raise ValidationFailed(fields={"parent": "unknown category"}) from None


@router.get("/ticket-categories", response=list[CategoryOut])
def list_ticket_categories(request: HttpRequest):
    """The case category tree in order, parents before their children."""
    return [_category_out(node) for node in category_selectors.category_tree()]


@router.post("/ticket-categories", response={201: CategoryOut})
def create_ticket_category(request: HttpRequest, payload: CategoryIn):
    category = category_services.category_create(actor=request.user, name=payload.name,
                                                 parent=_parent(payload.parent))
    return Status(201, _tree_row(category.pk))


@router.put("/ticket-categories/{int:category_id}", response=CategoryOut)
def update_ticket_category(request: HttpRequest, category_id: int, payload: CategoryIn):
    category = category_selectors.category_get(category_id=category_id)
    category_services.category_update(actor=request.user, category=category, name=payload.name,
                                      parent=_parent(payload.parent))
    return _tree_row(category_id)


@router.delete("/ticket-categories/{int:category_id}", response={204: None})
def delete_ticket_category(request: HttpRequest, category_id: int):
    category = category_selectors.category_get(category_id=category_id)
    category_services.category_delete(actor=request.user, category=category)
    return Status(204, None)
