"""Catalogue writes and the price lookup later modules price their lines with."""

import datetime as dt
from decimal import Decimal

import pytest

from guanxi.accounts.access import SYSTEM
from guanxi.catalog import selectors, services
from guanxi.catalog.models import Price, PriceUnit, Product
from guanxi.core.errors import Conflict, ValidationFailed

from .factories import make_product

pytestmark = pytest.mark.django_db


def test_a_price_change_keeps_the_history_and_the_price_at_a_date_follows_it():
    product = make_product(price="1999", since=dt.date(2026, 1, 1))
    services.price_set(actor=SYSTEM, product=product, amount=Decimal("1599"), effective_from=dt.date(2026, 6, 1))
    services.price_set(actor=SYSTEM, product=product, amount=Decimal("30"), unit=PriceUnit.MONTHLY,
                       effective_from=dt.date(2026, 3, 1))
    assert selectors.price_at(product=product, on=dt.date(2025, 12, 31)) is None
    assert selectors.price_at(product=product, on=dt.date(2026, 1, 1)).amount == Decimal("1999")
    assert selectors.price_at(product=product, on=dt.date(2026, 5, 31)).amount == Decimal("1999")
    assert selectors.price_at(product=product.pk, on=dt.date(2026, 6, 1)).amount == Decimal("1599")
    assert selectors.price_at(product=product, on=dt.date(2026, 6, 1), unit=PriceUnit.MONTHLY).amount == 30
    assert [p.amount for p in selectors.price_history(product=product, unit=PriceUnit.ONE_OFF)
            .order_by("-effective_from")] == [Decimal("1599"), Decimal("1999")]
    listed = selectors.product_list(user=SYSTEM, on=dt.date(2026, 4, 1)).get(pk=product.pk)
    assert (listed.one_off_price, listed.monthly_price) == (Decimal("1999"), Decimal("30"))


@pytest.mark.parametrize("amount", ["-1", "-0.01", "12.345", "NaN", "Infinity", "1e12", "abc"])
def test_a_bad_price_is_refused_and_nothing_is_written(amount):
    product = make_product(price=None)
    with pytest.raises(ValidationFailed) as refused:
        services.price_set(actor=SYSTEM, product=product, amount=amount, effective_from=dt.date(2026, 1, 1))
    assert "amount" in refused.value.fields
    assert not Price.objects.exists()


def test_one_price_per_product_unit_and_day():
    product = make_product(since=dt.date(2026, 1, 1))
    with pytest.raises(Conflict):
        services.price_set(actor=SYSTEM, product=product, amount=1, effective_from=dt.date(2026, 1, 1))
    services.price_set(actor=SYSTEM, product=product, amount=1, unit=PriceUnit.MONTHLY,
                       effective_from=dt.date(2026, 1, 1))


def test_a_model_code_is_unique_and_a_category_must_be_one():
    make_product("HX-DUP")
    with pytest.raises(Conflict) as taken:
        make_product("HX-DUP")
    assert "model_code" in taken.value.fields
    with pytest.raises(ValidationFailed):
        services.product_create(actor=SYSTEM, model_code="X", name="x", category="phone")
    with pytest.raises(ValidationFailed):
        services.product_create(actor=SYSTEM, model_code="X", name="x", kind="gadget")
    with pytest.raises(ValidationFailed):
        services.product_create(actor=SYSTEM, model_code="  ", name="x")
    assert Product.objects.count() == 1


def test_deactivating_keeps_prices_and_parts_and_is_audited():
    product = make_product()
    services.product_set_active(actor=SYSTEM, product=product, active=False)
    product.refresh_from_db()
    assert not product.is_active and product.prices.exists() and product.parts.exists()
    assert product.history.latest("history_date").is_active is False
    active = selectors.ProductFilter(is_active=True)
    assert not selectors.product_list(user=SYSTEM, filters=active).filter(pk=product.pk).exists()


def test_a_category_filter_matches_its_subtree():
    phone = make_product("P1", category="phone")
    broadband = make_product("B1", category="broadband", kind="service")
    terminals = selectors.category_by_label("terminals")
    found = selectors.product_list(user=SYSTEM, filters=selectors.ProductFilter(category_id=terminals.pk))
    assert list(found) == [phone]
    assert broadband not in found
