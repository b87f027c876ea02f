"""Reads of the catalogue: every role that reads it sees all of it."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.errors import NotFound

from . import permissions
from .models import Category, Part, Price, PriceUnit, Product


def _reads(user) -> bool:
    return permissions.can(user, "product", "read")


@dataclass(frozen=True)
class ProductFilter:
    q: str = ""
    brand: str = ""
    category_id: int | None = None
    kind: str = ""
    is_active: bool | None = None


def category_subtree_ids(category_id: int) -> list[int]:
    """A category and every category under it (the tree is small: read once, walked in memory)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in Category.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, todo = [], [category_id]
    while todo:
        pk = todo.pop()
        found.append(pk)
        todo.extend(children.get(pk, []))
    return found


def _current_amount(unit: str, on: dt.date) -> Subquery:
    return Subquery(Price.objects.filter(product=OuterRef("pk"), unit=unit, effective_from__lte=on)
                    .order_by("-effective_from").values("amount")[:1])


def product_list(*, user, filters: ProductFilter = ProductFilter(), on: dt.date | None = None
                 ) -> QuerySet[Product]:
    """Products and services matching the filters, with their category and their one-off and monthly
    list prices on `on` (today by default) as `one_off_price` and `monthly_price`. `q` matches the
    model code, the name or the brand; a category matches its whole subtree."""
    if not _reads(user):
        return Product.objects.none()
    on = on or timezone.localdate()
    qs = Product.objects.select_related("category").annotate(
        one_off_price=_current_amount(PriceUnit.ONE_OFF, on), monthly_price=_current_amount(PriceUnit.MONTHLY, on))
    words = filters.q.strip()
    if words:
        qs = qs.filter(Q(model_code__icontains=words) | Q(name__icontains=words) | Q(brand__icontains=words))
    if filters.brand.strip():
        qs = qs.filter(brand=filters.brand.strip())
    if filters.category_id is not None:
        qs = qs.filter(category_id__in=category_subtree_ids(filters.category_id))
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.is_active is not None:
        qs = qs.filter(is_active=filters.is_active)
    return qs


def product_get_for_user(*, user, product_id: int) -> Product:
    product = product_list(user=user).filter(pk=product_id).first()
    if product is None:
        raise NotFound(_("Product not found."))
    return product


def product_by_code(*, model_code: str) -> Product | None:
    return Product.objects.filter(model_code=model_code.strip()).first()


def product_with_parts(*, user, product_id: int) -> Product:
    """A product with its parts and its price history prefetched (the detail page and API)."""
    product = product_get_for_user(user=user, product_id=product_id)
    return (product_list(user=user).filter(pk=product.pk)
            .prefetch_related(Prefetch("parts", queryset=Part.objects.order_by("code")),
                              Prefetch("prices", queryset=Price.objects.order_by("-effective_from", "unit", "-id")))
            .get())


def price_history(*, product: Product, unit: str = "") -> QuerySet[Price]:
    """Every list price the product has had, newest first."""
    qs = Price.objects.filter(product=product)
    return qs.filter(unit=unit) if unit else qs


def price_at(*, product: Product | int, on: dt.date, unit: str = PriceUnit.ONE_OFF) -> Price | None:
    """The list price in force on a day (the latest one effective on or before it), or None when the
    product had no price of that unit yet. Orders and offers price their lines with it."""
    product_id = product if isinstance(product, int) else product.pk
    return (Price.objects.filter(product_id=product_id, unit=unit, effective_from__lte=on)
            .order_by("-effective_from").first())


def part_list(*, user, product: Product) -> QuerySet[Part]:
    return Part.objects.filter(product=product) if _reads(user) else Part.objects.none()


def part_get(*, product: Product, code: str) -> Part | None:
    return Part.objects.filter(product=product, code=code.strip()).first()


def part_get_for_user(*, user, product: Product, part_id: int) -> Part:
    part = part_list(user=user, product=product).filter(pk=part_id).first()
    if part is None:
        raise NotFound(_("Part not found."))
    return part


def category_list(*, user) -> QuerySet[Category]:
    return Category.objects.select_related("parent") if permissions.can(user, "category", "read") \
        else Category.objects.none()


def category_get(*, category_id: int) -> Category | None:
    return Category.objects.filter(pk=category_id).first()


def category_by_label(label: str) -> Category | None:
    """A category by its code, else by its name (how the warranty app's free-text category reads)."""
    label = label.strip()
    return Category.objects.filter(code=label).first() or Category.objects.filter(name=label).first()


def category_choices() -> list[tuple[int, str]]:
    """The tree flattened for a select box, parents before children ("家庭业务 › 宽带")."""
    rows = list(Category.objects.values_list("pk", "name", "parent_id"))
    children: dict[int | None, list[tuple[int, str]]] = {}
    for pk, name, parent in rows:
        children.setdefault(parent, []).append((pk, name))
    out: list[tuple[int, str]] = []

    def walk(parent, prefix):
        for pk, name in sorted(children.get(parent, []), key=lambda r: r[1]):
            label = f"{prefix} › {name}" if prefix else name
            out.append((pk, label))
            walk(pk, label)

    walk(None, "")
    return out


def brand_list(*, user) -> list[str]:
    if not _reads(user):
        return []
    return list(Product.objects.exclude(brand="").order_by("brand").values_list("brand", flat=True).distinct())
