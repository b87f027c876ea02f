"""A decision's reasons read in the reader's language, for decisions stored by any version."""

import re
from pathlib import Path

import pytest
from django.urls import reverse
from hypothesis import given, settings

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.testing import client_for
from guanxi.core.testing import post_json as post
from guanxi.warranty import engine
from guanxi.warranty.engine import decide
from guanxi.warranty.reasons import REASONS, reason_params, reason_text

from .factories import make_sale
from .test_engine_properties import claims


def test_every_rule_of_the_engine_has_a_form():
    source = Path(engine.__file__).read_text()
    codes = set(re.findall(r'AppliedRule\(\s*"(\w+)"', source))
    assert codes and codes == set(REASONS)


@given(claims())
@settings(max_examples=200, deadline=None)
def test_every_reason_the_engine_gives_is_read_back(claim):
    try:
        decision = decide(claim)
    except engine.InvalidClaim:
        return
    for rule in decision.rules:
        assert reason_params(rule.code, rule.reason) is not None, rule


def test_a_reason_in_chinese_and_in_english():
    from django.utils import translation

    stored = "A fault 9 days after the sale (at most 15): exchange or repair, as the customer chooses."
    with translation.override("zh-hans"):
        chinese = reason_text("exchange_window", stored)
    assert chinese == "售出后第 9 天出现故障（不超过 15 天）：由消费者选择换货或修理。"
    with translation.override("en"):
        assert reason_text("exchange_window", stored) == stored
    assert reason_text("exchange_window", "something else") == ""


@pytest.mark.django_db
def test_the_decision_page_and_the_api_speak_the_readers_language(client):
    agent = UserFactory(role=Role.AGENT)
    sale = make_sale(agent, serial="SN-I18N-1")
    api = client_for(agent)
    response = post(api, "/api/v1/warranty/decisions", {"sale": sale.pk, "part": "main_unit",
                                                         "fault_date": "2025-03-10", "customer_wants": "refund"})
    assert response.status_code == 201, response.content
    reasons = {r["code"]: r["reason"] for r in response.json()["rules"]}
    assert reasons["exchange_window"] == "售出后第 9 天出现故障（不超过 15 天）：由消费者选择换货或修理。"
    english = api.get(f"/api/v1/warranty/decisions/{response.json()['id']}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert {r["code"]: r["reason"] for r in english["rules"]}["exchange_window"].startswith("A fault 9 days")
    client.force_login(agent)
    page = client.get(reverse("warranty:decision", args=[response.json()["id"]])).content.decode()
    assert "由消费者选择换货或修理" in page and "as the customer chooses" not in page
