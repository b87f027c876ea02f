"""The 三包 coverage of catalogue parts: a warranty product is a catalogue product, a warranty part
covers the catalogue part of the policy's code, and a covered part or product cannot be deleted."""

import pytest

from guanxi.accounts.access import SYSTEM
from guanxi.catalog import services
from guanxi.catalog.models import Part
from guanxi.catalog.tests.factories import make_product
from guanxi.core.errors import Conflict
from guanxi.core.testing import rows_of
from guanxi.warranty import services as warranty_services

pytestmark = pytest.mark.django_db


def test_parts_are_unique_per_product_and_a_covered_part_cannot_go():
    product = warranty_services.product_create(actor=SYSTEM, model_code="HX-W", name="华星 W", category="phone",
                                               part_codes=["main_unit"])
    main = Part.objects.get(product=product, code="main_unit")
    assert main.name == "主机" and main.coverage.policy.code == "main_unit"
    with pytest.raises(Conflict):
        services.part_add(actor=SYSTEM, product=product, code="main_unit", name="主机")
    before = rows_of("catalog", "warranty")
    with pytest.raises(Conflict):
        services.part_delete(actor=SYSTEM, part=main)
    with pytest.raises(Conflict):
        services.product_delete(actor=SYSTEM, product=product)
    assert rows_of("catalog", "warranty") == before
    screen = services.part_add(actor=SYSTEM, product=product, code="screen", name="屏幕")
    services.part_delete(actor=SYSTEM, part=screen)
    assert not Part.objects.filter(pk=screen.pk).exists()


def test_a_warranty_coverage_reuses_the_catalogue_part():
    product = make_product("HX-C", parts=(("screen", "屏幕"), ("battery", "电池")))
    coverage = warranty_services.part_add(actor=SYSTEM, product=product, code="battery")
    assert coverage.component == Part.objects.get(product=product, code="battery")
    assert Part.objects.filter(product=product).count() == 2  # screen and battery: no copy made
