"""Writes of the catalogue: products and services, list prices, parts and categories. Every write
checks its actor against `permissions.py` and is kept in history."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.access import user_of
from guanxi.core.errors import Conflict, ValidationFailed

from . import permissions
from .models import Category, Currency, Kind, Part, Price, PriceUnit, Product

MAX_AMOUNT = Decimal("9999999999.99")


def _saved(instance, actor, fields: dict | None = None):
    for name, value in (fields or {}).items():
        setattr(instance, name, value)
    instance._history_user = user_of(actor)
    instance.save()
    return instance


def _deleted(instance, actor, in_use_message) -> None:
    instance._history_user = user_of(actor)
    try:
        with transaction.atomic():
            instance.delete()
    except ProtectedError as exc:
        raise Conflict(in_use_message, code="in_use") from exc


def _text(value: str, limit: int, field: str, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(fields={field: _("required")})
    if len(value) > limit:
        raise ValidationFailed(fields={field: _("too long")})
    return value


def _product_fields(*, name: str, kind: str, brand: str, category, description: str) -> dict:
    if kind not in Kind.values:
        raise ValidationFailed(fields={"kind": _("unknown kind")})
    if category is not None and not isinstance(category, Category):
        raise ValidationFailed(fields={"category": _("unknown category")})
    return {"name": _text(name, 100, "name", required=True), "kind": kind, "brand": _text(brand, 50, "brand"),
            "category": category, "description": _text(description, 2000, "description")}


@transaction.atomic
def product_create(*, actor, model_code: str, name: str, kind: str = Kind.PRODUCT, brand: str = "",
                   category: Category | None = None, description: str = "", is_active: bool = True) -> Product:
    """A new product or service; its model code is unique for good (orders and serials carry it)."""
    permissions.require(actor, "product", "write")
    model_code = _text(model_code, 50, "model_code", required=True)
    fields = _product_fields(name=name, kind=kind, brand=brand, category=category, description=description)
    if Product.objects.filter(model_code=model_code).exists():
        raise Conflict(_("A product with this model code exists."), code="exists", fields={"model_code": _("taken")})
    return _saved(Product(model_code=model_code, is_active=is_active, **fields), actor)


@transaction.atomic
def product_update(*, actor, product: Product, name: str, kind: str = Kind.PRODUCT, brand: str = "",
                   category: Category | None = None, description: str = "") -> Product:
    """Rename a product or change its kind, brand, category or description; the model code stays."""
    permissions.require(actor, "product", "write")
    fields = _product_fields(name=name, kind=kind, brand=brand, category=category, description=description)
    product = Product.objects.select_for_update().get(pk=product.pk)
    return _saved(product, actor, fields)


@transaction.atomic
def product_set_active(*, actor, product: Product, active: bool) -> Product:
    """Deactivate a product (no longer sold; its history, prices and serials stay) or sell it again."""
    permissions.require(actor, "product", "write")
    product = Product.objects.select_for_update().get(pk=product.pk)
    if product.is_active != active:
        _saved(product, actor, {"is_active": active})
    return product


@transaction.atomic
def product_delete(*, actor, product: Product) -> None:
    """Delete a product nothing else names (prices and parts go with it); otherwise 409: deactivate it."""
    permissions.require(actor, "product", "delete")
    for part in Part.objects.filter(product=product):
        _deleted(part, actor, _("Another record names a part of this product; it cannot be deleted."))
    for price in Price.objects.filter(product=product):
        _deleted(price, actor, _("This product is in use; deactivate it instead."))
    _deleted(product, actor, _("This product is in use; deactivate it instead."))


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise ValidationFailed(fields={"amount": _("not a number")}) from exc
    if not amount.is_finite() or amount < 0:
        raise ValidationFailed(_("A price cannot be negative."), fields={"amount": _("cannot be negative")})
    if amount > MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
        raise ValidationFailed(fields={"amount": _("at most 10 digits before the point and 2 after it")})
    return amount


@transaction.atomic
def price_set(*, actor, product: Product, amount, effective_from: dt.date, unit: str = PriceUnit.ONE_OFF,
              currency: str = Currency.CNY) -> Price:
    """A new list price from a day on; earlier prices stay as the product's price history. One price
    per product, unit and day (409 for a second one)."""
    permissions.require(actor, "product", "write")
    amount = _amount(amount)
    if unit not in PriceUnit.values:
        raise ValidationFailed(fields={"unit": _("one of: one_off, monthly")})
    if currency not in Currency.values:
        raise ValidationFailed(fields={"currency": _("only CNY")})
    product = Product.objects.select_for_update().get(pk=product.pk)
    if Price.objects.filter(product=product, unit=unit, effective_from=effective_from).exists():
        raise Conflict(_("This product already has a price of this unit from that day."), code="exists",
                       fields={"effective_from": _("taken")})
    return _saved(Price(product=product, amount=amount, currency=currency, unit=unit, effective_from=effective_from,
                        set_by=user_of(actor)), actor)


@transaction.atomic
def part_add(*, actor, product: Product, code: str, name: str) -> Part:
    """A component of a product (screen, battery …), by a code unique within the product."""
    permissions.require(actor, "product", "write")
    code = _text(code, 30, "code", required=True)
    if not all(c.isascii() and (c.isalnum() or c in "-_") for c in code):
        raise ValidationFailed(fields={"code": _("letters, digits, - and _ only")})
    name = _text(name, 50, "name", required=True)
    product = Product.objects.select_for_update().get(pk=product.pk)
    if Part.objects.filter(product=product, code=code).exists():
        raise Conflict(_("This product already has this part."), code="exists", fields={"code": _("taken")})
    return _saved(Part(product=product, code=code, name=name), actor)


@transaction.atomic
def part_delete(*, actor, part: Part) -> None:
    """Only a part no other record names (a warranty coverage, for one) can go."""
    permissions.require(actor, "product", "delete")
    _deleted(part, actor, _("Another record names this part; it cannot be deleted."))


@transaction.atomic
def category_create(*, actor, code: str, name: str, parent: Category | None = None) -> Category:
    permissions.require(actor, "category", "write")
    code = _text(code, 30, "code", required=True)
    if not all(c.isascii() and (c.isalnum() or c in "-_") for c in code):
        raise ValidationFailed(fields={"code": _("letters, digits, - and _ only")})
    name = _text(name, 50, "name", required=True)
    if Category.objects.filter(code=code).exists():
        raise Conflict(_("A category with this code exists."), code="exists", fields={"code": _("taken")})
    return _saved(Category(code=code, name=name, parent=parent), actor)
