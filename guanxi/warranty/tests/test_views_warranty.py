import pytest
from django.urls import reverse

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.customers.tests.factories import make_customer
from guanxi.warranty.models import WarrantyDecision

from .factories import make_sale

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    return UserFactory(role=Role.AGENT)


def test_an_agent_looks_up_a_serial_and_gets_a_decision_with_its_rules(client, agent):
    make_sale(agent, serial="SN-UI-1")
    client.force_login(agent)
    found = client.get(reverse("warranty:home"), {"serial": " SN-UI-1 "})
    assert found.status_code == 302 and found["Location"] == reverse("warranty:serial", args=["SN-UI-1"])
    page = client.get(found["Location"])
    assert page.status_code == 200
    assert "智能手机 X1" in page.content.decode() and 'id="gx-decision-form"' in page.content.decode()
    response = client.post(found["Location"], {"part": "main_unit", "fault_date": "2025-03-10",
                                               "customer_wants": "refund", "stock_available": "on"})
    decision = WarrantyDecision.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("warranty:decision", args=[decision.pk])
    shown = client.get(response["Location"]).content.decode()
    assert decision.remedy == "refund_with_depreciation"
    assert "1910.00" in shown and "exchange_window" not in shown  # rules are named, not shown as codes
    assert str(decision.get_remedy_display()) in shown
    assert reverse("warranty:decision", args=[decision.pk]) in client.get(reverse("warranty:home")).content.decode()


def test_a_fault_before_the_sale_is_shown_on_the_form_and_nothing_is_stored(client, agent):
    make_sale(agent, serial="SN-UI-2")
    client.force_login(agent)
    response = client.post(reverse("warranty:serial", args=["SN-UI-2"]),
                           {"part": "main_unit", "fault_date": "2024-01-01"})
    assert response.status_code == 422
    assert not WarrantyDecision.objects.exists()
    unknown_part = client.post(reverse("warranty:serial", args=["SN-UI-2"]),
                               {"part": "engine", "fault_date": "2025-04-01"})
    assert unknown_part.status_code == 422 and not WarrantyDecision.objects.exists()


def test_another_reps_unit_and_decision_are_not_found(client, agent):
    other = UserFactory(role=Role.SALES_REP)
    sale = make_sale(other, customer=make_customer(other, name="王五"), serial="SN-UI-3")
    client.force_login(agent)
    client.post(reverse("warranty:serial", args=["SN-UI-3"]), {"part": "main_unit", "fault_date": "2025-04-01"})
    decision = WarrantyDecision.objects.get(sale=sale)
    rep = UserFactory(role=Role.SALES_REP)
    client.force_login(rep)
    assert client.get(reverse("warranty:serial", args=["SN-UI-3"])).status_code == 404
    response = client.post(reverse("warranty:serial", args=["SN-UI-3"]),
                           {"part": "main_unit", "fault_date": "2025-04-02"})
    assert response.status_code == 404 and WarrantyDecision.objects.count() == 1
    assert client.get(reverse("warranty:decision", args=[decision.pk])).status_code == 404
    assert "SN-UI-3" not in client.get(reverse("warranty:home")).content.decode()


def test_pages_need_a_login(client):
    response = client.get(reverse("warranty:home"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
