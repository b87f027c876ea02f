"""A catalogue product with prices and parts, made through the services."""

import datetime as dt
from decimal import Decimal

from guanxi.accounts.access import SYSTEM
from guanxi.catalog import selectors, services
from guanxi.catalog.models import Kind, PriceUnit, Product


def make_product(model_code: str = "HX-T1", *, name: str = "华星 T1 手机", category: str = "phone",
                 kind: str = Kind.PRODUCT, brand: str = "华星", price: str | None = "1999",
                 since: dt.date = dt.date(2026, 1, 1), parts=(("screen", "屏幕"),)) -> Product:
    product = services.product_create(actor=SYSTEM, model_code=model_code, name=name, kind=kind, brand=brand,
                                      category=selectors.category_by_label(category))
    if price is not None:
        unit = PriceUnit.ONE_OFF if kind == Kind.PRODUCT else PriceUnit.MONTHLY
        services.price_set(actor=SYSTEM, product=product, amount=Decimal(price), unit=unit, effective_from=since)
    for code, part_name in parts:
        services.part_add(actor=SYSTEM, product=product, code=code, name=part_name)
    return product
