"""The case category tree (业务分类), kept by administrators and service managers."""

from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.access import user_of
from guanxi.core.errors import Conflict, ValidationFailed

from .. import permissions
from ..models import Ticket, TicketCategory

MAX_DEPTH = 4


def _require(actor, action: str) -> None:
    permissions.require(actor, "category", action,
                        message=_("Only administrators and service managers keep the case categories."))


def _ancestors(category: TicketCategory | None) -> list[TicketCategory]:
    chain = []
    while category is not None:
        chain.append(category)
        category = category.parent
    return chain


def _clean(*, name: str, parent: TicketCategory | None, category: TicketCategory | None = None) -> str:
    name = (name or "").strip()
    if not name or len(name) > 50:
        raise ValidationFailed(fields={"name": "required, at most 50 characters"})
    above = _ancestors(parent)
    if category is not None and category in above:
        raise ValidationFailed("A category cannot move under itself or one of its sub-categories.",
                               fields={"parent": "inside the category"})
    depth = len(above) + 1 + (_subtree_height(category) if category is not None else 0)
    if depth > MAX_DEPTH:
        raise ValidationFailed(gettext("The tree is at most %(MAX_DEPTH)s levels deep.") % {
            "MAX_DEPTH": MAX_DEPTH}, fields={"parent": "too deep"})
    siblings = TicketCategory.objects.filter(parent=parent, name=name)
    if category is not None:
        siblings = siblings.exclude(pk=category.pk)
    if siblings.exists():
        raise ValidationFailed(fields={"name": "a category of this name exists at this place"})
    return name


def _subtree_height(category: TicketCategory) -> int:
    height, level = 0, [category.pk]
    while level := list(TicketCategory.objects.filter(parent_id__in=level).values_list("pk", flat=True)):
        height += 1
    return height


@transaction.atomic
def category_create(*, actor, name: str, parent: TicketCategory | None = None) -> TicketCategory:
    """Add a category at the top or under `parent`; names are unique among siblings."""
    _require(actor, "configure")
    category = TicketCategory(name=_clean(name=name, parent=parent), parent=parent)
    category._history_user = user_of(actor)
    category.save()
    return category


@transaction.atomic
def category_update(*, actor, category: TicketCategory, name: str,
                    parent: TicketCategory | None) -> TicketCategory:
    """Rename or move a category with its sub-tree; cases keep their category."""
    _require(actor, "configure")
    category = TicketCategory.objects.select_for_update().get(pk=category.pk)
    category.name = _clean(name=name, parent=parent, category=category)
    category.parent = parent
    category._history_user = user_of(actor)
    category.save()
    return category


@transaction.atomic
def category_delete(*, actor, category: TicketCategory) -> None:
    """Delete an unused leaf; a category with sub-categories or cases is refused (rename or move it)."""
    _require(actor, "delete")
    if TicketCategory.objects.filter(parent=category).exists():
        raise Conflict("The category has sub-categories: delete or move them first.", code="category_has_children")
    if Ticket.objects.filter(category=category).exists():
        raise Conflict("Cases use this category: it can be renamed but not deleted.", code="category_in_use")
    category._history_user = user_of(actor)
    category.delete()
