"""/api/v1/products: the catalogue — products and services, their list prices over time and their
parts — and /api/v1/products/categories, the category tree. Lists are paginated (`PageOut`)."""

from decimal import Decimal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Query, Status

from guanxi.core.api import PageOut, PageParams, paginate
from guanxi.core.errors import NotFound, ValidationFailed
from guanxi.core.routers import Router

from . import selectors, services
from .models import Category, Part, Price, Product
from .schemas import (
    CatalogCategoryIn,
    CatalogCategoryOut,
    CatalogPartIn,
    CatalogPartOut,
    CatalogPriceAtIn,
    CatalogPriceIn,
    CatalogPriceOut,
    CatalogProductDetailOut,
    CatalogProductFilterIn,
    CatalogProductIn,
    CatalogProductOut,
    CatalogProductUpdateIn,
)

CENT = Decimal("0.01")
router = Router(tags=["catalogue"], operation_prefix="guanxi_catalog_api")


def _money(amount: Decimal | None) -> Decimal | None:
    """Two decimals on every database (SQLite returns a subquery's decimal as it was stored)."""
    return None if amount is None else Decimal(amount).quantize(CENT)


def _product(product: Product) -> dict:
    category = product.category
    return {"id": product.pk, "model_code": product.model_code, "name": product.name, "kind": product.kind,
            "brand": product.brand, "description": product.description, "is_active": product.is_active,
            "category": {"id": category.pk, "code": category.code, "name": category.name} if category else None,
            "one_off_price": _money(product.one_off_price), "monthly_price": _money(product.monthly_price)}


def _price(price: Price) -> dict:
    return {"id": price.pk, "amount": price.amount, "currency": price.currency, "unit": price.unit,
            "effective_from": price.effective_from, "created_at": price.created_at}


def _part(part: Part) -> dict:
    return {"id": part.pk, "product": part.product_id, "code": part.code, "name": part.name}


def _detail(user, product_id: int) -> dict:
    product = selectors.product_with_parts(user=user, product_id=product_id)
    return {**_product(product), "parts": [_part(p) for p in product.parts.all()],
            "prices": [_price(p) for p in product.prices.all()]}


def _category(category_id: int | None, field: str = "category") -> Category | None:
    """A category id from the request: 422 (not 404) when it names none."""
    if category_id is None:
        return None
    category = selectors.category_get(category_id=category_id)
    if category is None:
        raise ValidationFailed(_("Unknown category."), fields={field: _("unknown category")})
    return category


@router.get("/products", response=PageOut[CatalogProductOut])
def list_products(request: HttpRequest, filters: Query[CatalogProductFilterIn], page: Query[PageParams]):
    """Products and services by model code, with today's list prices."""
    if filters.category is not None:
        _category(filters.category)
    query = selectors.ProductFilter(q=filters.q, brand=filters.brand, category_id=filters.category,
                                    kind=filters.kind, is_active=filters.active)
    return paginate(selectors.product_list(user=request.user, filters=query).order_by("model_code"), page, _product)


@router.post("/products", response={201: CatalogProductDetailOut})
def create_product(request: HttpRequest, payload: CatalogProductIn):
    """409 for a model code that exists; 422 for an unknown category."""
    data = payload.dict()
    data["category"] = _category(data["category"])
    product = services.product_create(actor=request.user, **data)
    return Status(201, _detail(request.user, product.pk))


@router.get("/products/categories", response=PageOut[CatalogCategoryOut])
def list_product_categories(request: HttpRequest, page: Query[PageParams]):
    rows = selectors.category_list(user=request.user).order_by("code")
    return paginate(rows, page, lambda c: {"id": c.pk, "code": c.code, "name": c.name, "parent": c.parent_id})


@router.post("/products/categories", response={201: CatalogCategoryOut})
def create_product_category(request: HttpRequest, payload: CatalogCategoryIn):
    category = services.category_create(actor=request.user, code=payload.code, name=payload.name,
                                        parent=_category(payload.parent, "parent"))
    return Status(201, {"id": category.pk, "code": category.code, "name": category.name,
                        "parent": category.parent_id})


@router.get("/products/{int:product_id}", response=CatalogProductDetailOut)
def get_product(request: HttpRequest, product_id: int):
    return _detail(request.user, product_id)


@router.put("/products/{int:product_id}", response=CatalogProductDetailOut)
def update_product(request: HttpRequest, product_id: int, payload: CatalogProductUpdateIn):
    product = selectors.product_get_for_user(user=request.user, product_id=product_id)
    data = payload.dict()
    data["category"] = _category(data["category"])
    services.product_update(actor=request.user, product=product, **data)
    return _detail(request.user, product_id)


@router.post("/products/{int:product_id}/deactivate", response=CatalogProductDetailOut)
def deactivate_product(request: HttpRequest, product_id: int):
    """No longer sold: it leaves the active catalogue; its prices, parts and history stay."""
    product = selectors.product_get_for_user(user=request.user, product_id=product_id)
    services.product_set_active(actor=request.user, product=product, active=False)
    return _detail(request.user, product_id)


@router.post("/products/{int:product_id}/activate", response=CatalogProductDetailOut)
def activate_product(request: HttpRequest, product_id: int):
    product = selectors.product_get_for_user(user=request.user, product_id=product_id)
    services.product_set_active(actor=request.user, product=product, active=True)
    return _detail(request.user, product_id)


@router.get("/products/{int:product_id}/prices", response=PageOut[CatalogPriceOut])
def list_product_prices(request: HttpRequest, product_id: int, page: Query[PageParams]):
    """The price history, newest first."""
    product = selectors.product_get_for_user(user=request.user, product_id=product_id)
    return paginate(selectors.price_history(product=product).order_by("-effective_from", "-id"), page, _price)


@router.post("/products/{int:product_id}/prices", response={201: CatalogPriceOut})
def create_product_price(request: HttpRequest, product_id: int, payload: CatalogPriceIn):
    """A new list price from `effective_from` on; 409 when one of the unit starts that day."""
    product = selectors.product_get_for_user(user=request.user, product_id=product_id)
    price = services.price_set(actor=request.user, product=product, **payload.dict())
    return Status(201, _price(price))


@router.get("/products/{int:product_id}/price", response=CatalogPriceOut)
def get_product_price_at(request: HttpRequest, product_id: int, query: Query[CatalogPriceAtIn]):
    """The list price in force on a day (404 when the product had none of that unit yet)."""
    product = selectors.product_get_for_user(user=request.user, product_id=product_id)
    price = selectors.price_at(product=product, on=query.on or timezone.localdate(), unit=query.unit)
    if price is None:
        raise NotFound(_("No price on that day."))
    return _price(price)


@router.get("/products/{int:product_id}/parts", response=PageOut[CatalogPartOut])
def list_product_parts(request: HttpRequest, product_id: int, page: Query[PageParams]):
    product = selectors.product_get_for_user(user=request.user, product_id=product_id)
    return paginate(selectors.part_list(user=request.user, product=product).order_by("code"), page, _part)


@router.post("/products/{int:product_id}/parts", response={201: CatalogPartOut})
def create_product_part(request: HttpRequest, product_id: int, payload: CatalogPartIn):
    """409 when the product has a part with this code."""
    product = selectors.product_get_for_user(user=request.user, product_id=product_id)
    return Status(201, _part(services.part_add(actor=request.user, product=product, **payload.dict())))


@router.delete("/products/{int:product_id}/parts/{int:part_id}", response={204: None})
def delete_product_part(request: HttpRequest, product_id: int, part_id: int):
    """409 while another record (a warranty coverage) names the part."""
    product = selectors.product_get_for_user(user=request.user, product_id=product_id)
    services.part_delete(actor=request.user, part=selectors.part_get_for_user(user=request.user, product=product,
                                                                             part_id=part_id))
    return Status(204, None)
