"""Reads of the case category tree (业务分类)."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from guanxi.core.errors import NotFound

from ..models import Ticket, TicketCategory


@dataclass(frozen=True)
class CategoryNode:
    category: TicketCategory
    depth: int
    path: str
    is_used: bool
    has_children: bool


def category_tree() -> list[CategoryNode]:
    """Every case category in tree order (parents before their children, siblings by name), with
    whether cases use it — one query, an EXISTS per row over the ticket category index."""
    rows = list(TicketCategory.objects.annotate(
        is_used=Exists(Ticket.objects.filter(category=OuterRef("pk")))).order_by("name"))
    children: dict[int | None, list[TicketCategory]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    nodes: list[CategoryNode] = []

    def walk(parent_id, depth, prefix):
        for row in children.get(parent_id, []):
            path = f"{prefix} / {row.name}" if prefix else row.name
            nodes.append(CategoryNode(row, depth, path, row.is_used, row.pk in children))
            walk(row.pk, depth + 1, path)

    walk(None, 0, "")
    return nodes


def category_get(*, category_id: int) -> TicketCategory:
    category = TicketCategory.objects.filter(pk=category_id).first()
    if category is None:
        raise NotFound("Category not found.")
    return category
