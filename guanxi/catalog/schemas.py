"""Input and output shapes of /api/v1/products."""

import datetime as dt
from decimal import Decimal

from pydantic import Field

from guanxi.core.schema import Schema

from .models import Kind, PriceUnit

KINDS = "|".join(Kind.values)
MAX_ID = 2**63 - 1  # larger ids exist in no table, and SQLite cannot even compare them
UNITS = "|".join(PriceUnit.values)


class CatalogProductFilterIn(Schema):
    q: str = Field("", max_length=50, description="words of the model code, name or brand")
    category: int | None = Field(None, ge=1, le=MAX_ID, description="a category id; its subcategories match too")
    brand: str = Field("", max_length=50)
    kind: str = Field("", pattern=f"^({KINDS})?$")
    active: bool | None = None


class CatalogProductIn(Schema):
    model_code: str = Field(..., min_length=1, max_length=50)
    name: str = Field(..., min_length=1, max_length=100)
    kind: str = Field(Kind.PRODUCT, pattern=f"^({KINDS})$")
    brand: str = Field("", max_length=50, description="the maker's brand (华星, 华为 …)")
    category: int | None = Field(None, ge=1, le=MAX_ID, description="a category id")
    description: str = Field("", max_length=2000)


class CatalogProductUpdateIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    kind: str = Field(Kind.PRODUCT, pattern=f"^({KINDS})$")
    brand: str = Field("", max_length=50)
    category: int | None = Field(None, ge=1, le=MAX_ID)
    description: str = Field("", max_length=2000)


class CatalogCategoryRefOut(Schema):
    id: int
    code: str
    name: str


class CatalogProductOut(Schema):
    id: int
    model_code: str
    name: str
    kind: str
    brand: str
    category: CatalogCategoryRefOut | None
    description: str
    is_active: bool
    one_off_price: Decimal | None = Field(description="the one-off list price today (CNY)")
    monthly_price: Decimal | None = Field(description="the monthly list price today (CNY)")


class CatalogPriceIn(Schema):
    amount: Decimal = Field(..., ge=0, max_digits=12, decimal_places=2)
    unit: str = Field(PriceUnit.ONE_OFF, pattern=f"^({UNITS})$")
    currency: str = Field("CNY", pattern="^CNY$")
    effective_from: dt.date


class CatalogPriceOut(Schema):
    id: int
    amount: Decimal
    currency: str
    unit: str
    effective_from: dt.date
    created_at: dt.datetime


class CatalogPriceAtIn(Schema):
    on: dt.date | None = Field(None, description="the day (today by default)")
    unit: str = Field(PriceUnit.ONE_OFF, pattern=f"^({UNITS})$")


class CatalogPartIn(Schema):
    code: str = Field(..., min_length=1, max_length=30, pattern=r"^[A-Za-z0-9_-]+$")
    name: str = Field(..., min_length=1, max_length=50)


class CatalogPartOut(Schema):
    id: int
    product: int
    code: str
    name: str


class CatalogProductDetailOut(CatalogProductOut):
    parts: list[CatalogPartOut]
    prices: list[CatalogPriceOut] = Field(description="the price history, newest first")


class CatalogCategoryIn(Schema):
    code: str = Field(..., min_length=1, max_length=30, pattern=r"^[A-Za-z0-9_-]+$")
    name: str = Field(..., min_length=1, max_length=50)
    parent: int | None = Field(None, ge=1, le=MAX_ID)


class CatalogCategoryOut(Schema):
    id: int
    code: str
    name: str
    parent: int | None
