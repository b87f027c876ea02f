"""The customer edit page carries the version it showed: saving over someone else's newer edit shows
the conflict with the current values (masked for roles that do not see personal data) and keeps the
record; saving again from there is a deliberate overwrite."""

import pytest
from django.urls import reverse

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.customers.models import Customer
from guanxi.customers.services import customer_update

from ..factories import make_customer

pytestmark = pytest.mark.django_db
FORM = {"kind": "individual", "lifecycle_stage": "prospect", "source": "web"}


def test_the_edit_page_carries_the_version_and_a_stale_save_shows_the_current_values(client, admin):
    customer = make_customer(admin, name="张三丰", mobile="13800138000")
    agent = UserFactory(role=Role.AGENT)
    client.force_login(agent)
    url = reverse("customers:edit", args=[customer.pk])
    page = client.get(url)
    assert page.context["form"]["version"].value() == 1
    assert 'type="hidden" name="version" value="1"' in page.content.decode()
    customer_update(actor=admin, customer=customer, data={"name": "张三", "mobile": "13900139000"})

    response = client.post(url, {**FORM, "name": "张君宝", "version": 1})
    body = response.content.decode()
    assert response.status_code == 200
    assert "已被他人修改" in body and "张三" in body and "+86139****9000" in body and "13900139000" not in body
    assert 'name="version" value="2"' in body  # saving again is an informed overwrite
    assert Customer.objects.get(pk=customer.pk).name == "张三"

    again = client.post(url, {**FORM, "name": "张君宝", "version": 2})
    assert again.status_code == 302
    assert Customer.objects.get(pk=customer.pk).name == "张君宝"
