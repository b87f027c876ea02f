"""Input and output shapes of /api/v1/products."""

import datetime as dt
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from .models import Kind, PriceUnit

KINDS = "|".join(Kind.values)
UNITS = "|".join(PriceUnit.values)


class ProductFilterIn(Schema):
    q: str = Field("", max_length=50, description="words of the model code, name or brand")
    category: int | None = Field(None, ge=1, description="a category id; its subcategories match too")
    brand: str = Field("", max_length=50)
    kind: str = Field("", pattern=f"^({KINDS})?$")
    active: bool | None = None


class ProductIn(Schema):
    model_code: str = Field(..., min_length=1, max_length=50)
    name: str = Field(..., min_length=1, max_length=100)
    kind: str = Field(Kind.PRODUCT, pattern=f"^({KINDS})$")
    brand: str = Field("", max_length=50, description="the maker's brand (华星, 华为 …)")
    category: int | None = Field(None, ge=1, description="a category id")
    description: str = Field("", max_length=2000)


class ProductUpdateIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    kind: str = Field(Kind.PRODUCT, pattern=f"^({KINDS})$")
    brand: str = Field("", max_length=50)
    category: int | None = Field(None, ge=1)
    description: str = Field("", max_length=2000)


class CategoryRefOut(Schema):
    id: int
    code: str
    name: str


class ProductOut(Schema):
    id: int
    model_code: str
    name: str
    kind: str
    brand: str
    category: CategoryRefOut | None
    description: str
    is_active: bool
    one_off_price: Decimal | None = Field(description="the one-off list price today (CNY)")
    monthly_price: Decimal | None = Field(description="the monthly list price today (CNY)")


class PriceIn(Schema):
    amount: Decimal = Field(..., ge=0, max_digits=12, decimal_places=2)
    unit: str = Field(PriceUnit.ONE_OFF, pattern=f"^({UNITS})$")
    currency: str = Field("CNY", pattern="^CNY$")
    effective_from: dt.date


class PriceOut(Schema):
    id: int
    amount: Decimal
    currency: str
    unit: str
    effective_from: dt.date
    created_at: dt.datetime


class PriceAtIn(Schema):
    on: dt.date | None = Field(None, description="the day (today by default)")
    unit: str = Field(PriceUnit.ONE_OFF, pattern=f"^({UNITS})$")


class PartIn(Schema):
    code: str = Field(..., min_length=1, max_length=30, pattern=r"^[A-Za-z0-9_-]+$")
    name: str = Field(..., min_length=1, max_length=50)


class PartOut(Schema):
    id: int
    product: int
    code: str
    name: str


class ProductDetailOut(ProductOut):
    parts: list[PartOut]
    prices: list[PriceOut] = Field(description="the price history, newest first")


class CategoryIn(Schema):
    code: str = Field(..., min_length=1, max_length=30, pattern=r"^[A-Za-z0-9_-]+$")
    name: str = Field(..., min_length=1, max_length=50)
    parent: int | None = Field(None, ge=1)


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    parent: int | None
