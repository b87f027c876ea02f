"""Training, the registry, offers with their reasons, feedback (through services, API and pages)."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.errors import ValidationFailed
from guanxi.core.testing import client_for, rows_of
from guanxi.customers.offers import customer_offers
from guanxi.offers import services, storage
from guanxi.offers.enums import ModelStatus
from guanxi.offers.models import OfferFeedback, OfferModel

from .factories import make_customer, offer_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(admin):
    return offer_world(admin)


@pytest.fixture
def trained(world):
    return services.offer_model_train(actor=SYSTEM, seed=3)


def test_a_training_is_registered_with_its_data_and_hit_rates(world):
    with time_machine.travel(timezone.now(), tick=False):  # the day cannot turn between training and checking
        model = services.offer_model_train(actor=SYSTEM, seed=3)
        assert model.data_until == timezone.localdate()
    assert (model.version, model.status, model.is_active) == (1, ModelStatus.DONE, True)
    assert model.customers == 25 and model.sample_size == 25
    assert model.data_from == dt.date(2025, 3, 1)
    assert set(model.metrics["hit_rates"]) == {"propensity", "rules", "popularity"}
    assert model.metrics["evaluated"] == 16  # the customers who took a second product
    assert model.algorithm == model.metrics["chosen"]
    assert bytes(OfferModel.objects.get(pk=model.pk).artefact)[:2] == b"PK"  # a NumPy archive, in the database
    again = services.offer_model_train(actor=SYSTEM, seed=3)
    assert again.version == 2 and list(OfferModel.objects.filter(is_active=True)) == [again]


def test_a_failed_training_is_recorded_and_keeps_the_active_model(trained, monkeypatch):
    def broken():
        raise RuntimeError("disk full")

    monkeypatch.setattr(storage, "read_holdings", broken)
    with pytest.raises(RuntimeError):
        services.offer_model_train(actor=SYSTEM)
    failed = OfferModel.objects.get(version=2)
    assert failed.status == ModelStatus.FAILED and "disk full" in failed.error and not failed.is_active
    assert OfferModel.objects.get(is_active=True) == trained


def test_the_offer_names_what_the_customer_holds_and_the_share(trained, world, admin):
    offers = customer_offers(customer=world["target"], user=admin)
    assert offers[0].title == "魔百和 IPTV" and offers[0].source == "offers"
    assert offers[0].reason.startswith("持有宽带 500M，未持有魔百和 IPTV：")
    assert offers[0].reason.endswith("持有") and "%" in offers[0].reason
    assert offers[0].feedback_url == f"/offers/customers/{world['target'].pk}/feedback/"


def test_the_api_answers_in_english_on_request(trained, world, admin):
    url = f"/api/v1/offers/customers/{world['target'].pk}"
    body = client_for(admin, HTTP_ACCEPT_LANGUAGE="en").get(url).json()
    assert body["model_version"] == 1 and body["offers"][0]["product"] == "魔百和 IPTV"
    assert body["offers"][0]["because"] == "宽带 500M"
    assert body["offers"][0]["reason"].startswith("Holds 宽带 500M, not 魔百和 IPTV: ")
    zh = client_for(admin).get(url).json()
    assert zh["offers"][0]["reason"].startswith("持有宽带 500M")


def test_no_model_no_offers(world, admin):
    assert customer_offers(customer=world["target"], user=admin) == []
    body = client_for(admin).get(f"/api/v1/offers/customers/{world['target'].pk}").json()
    assert body == {"customer_id": world["target"].pk, "model_version": None, "algorithm": "", "offers": []}


def test_a_declined_offer_is_not_shown_again_for_the_configured_days(trained, world, admin, settings):
    settings.OFFERS_DECLINE_DAYS = 30
    target = world["target"]
    feedback = services.offer_feedback_record(actor=admin, customer=target, product="魔百和 IPTV", outcome="declined")
    assert feedback.history.count() == 1 and feedback.recorded_by == admin and feedback.model == trained
    assert "魔百和 IPTV" not in [o.title for o in customer_offers(customer=target, user=admin)]
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        assert customer_offers(customer=target, user=admin)[0].title == "魔百和 IPTV"


def test_accepted_and_offered_are_recorded_and_the_offer_stays(trained, world, admin):
    target = world["target"]
    for outcome in ("offered", "accepted"):
        services.offer_feedback_record(actor=admin, customer=target, product="魔百和 IPTV", outcome=outcome)
    assert list(OfferFeedback.objects.values_list("outcome", flat=True)) == ["accepted", "offered"]
    assert customer_offers(customer=target, user=admin)[0].title == "魔百和 IPTV"


@pytest.mark.parametrize(("product", "outcome", "code"), [
    ("魔百和 IPTV", "maybe", "invalid_outcome"), ("", "declined", "invalid_product"),
    ("不存在的产品", "declined", "unknown_product"), ("x" * 101, "declined", "invalid_product")])
def test_bad_feedback_is_refused_and_nothing_is_written(trained, world, admin, product, outcome, code):
    before = rows_of("offers")
    with pytest.raises(ValidationFailed) as refused:
        services.offer_feedback_record(actor=admin, customer=world["target"], product=product, outcome=outcome)
    assert refused.value.code == code and rows_of("offers") == before


def test_bad_feedback_through_the_api_is_a_clear_422(trained, world, admin):
    url = f"/api/v1/offers/customers/{world['target'].pk}/feedback"
    client = client_for(admin)
    unknown = client.post(url, {"product": "不存在的产品", "outcome": "declined"}, content_type="application/json")
    assert unknown.status_code == 422 and "推荐模型" in unknown.json()["message"]
    bad = client.post(url, {"product": "魔百和 IPTV", "outcome": "maybe"}, content_type="application/json")
    assert bad.status_code == 422
    ok = client.post(url, {"product": "魔百和 IPTV", "outcome": "accepted"}, content_type="application/json")
    assert ok.status_code == 201 and ok.json()["outcome"] == "accepted"
    assert OfferFeedback.objects.count() == 1


def test_offers_follow_the_customers_visibility(trained, world):
    rep = UserFactory(role=Role.SALES_REP)
    client = client_for(rep)
    assert client.get(f"/api/v1/offers/customers/{world['target'].pk}").status_code == 404
    refused = client.post(f"/api/v1/offers/customers/{world['target'].pk}/feedback",
                          {"product": "魔百和 IPTV", "outcome": "declined"}, content_type="application/json")
    assert refused.status_code == 404 and OfferFeedback.objects.count() == 0
    own = make_customer(rep, name="自己的客户", owner=rep)
    assert client.get(f"/api/v1/offers/customers/{own.pk}").status_code == 200


def test_the_360_page_shows_offers_and_records_feedback_with_htmx(trained, world, admin):
    client = Client()
    client.force_login(admin)
    target = world["target"]
    page = client.get(f"/customers/{target.pk}/").content.decode()
    assert "魔百和 IPTV" in page and "持有宽带 500M，未持有魔百和 IPTV" in page and "gx-offer-feedback" in page
    answer = client.post(f"/offers/customers/{target.pk}/feedback/", {"product": "魔百和 IPTV", "outcome": "declined"},
                         HTTP_HX_REQUEST="true")
    assert answer.status_code == 200 and "gx-offer-recorded" in answer.content.decode()
    assert "魔百和 IPTV" not in answer.content.decode()
    bad = client.post(f"/offers/customers/{target.pk}/feedback/", {"product": "魔百和 IPTV", "outcome": "?"})
    assert bad.status_code == 422 and OfferFeedback.objects.count() == 1


def test_the_training_cli_prints_the_hit_rates(world, capsys):
    call_command("offers_train", "--seed", "3")
    out = capsys.readouterr().out
    assert "model v1" in out and "hit@3" in out and "popularity" in out
    assert OfferModel.objects.get().is_active


def test_the_model_page_shows_hit_rates_history_and_trains(trained, admin, django_capture_on_commit_callbacks):
    analyst = UserFactory(role=Role.ANALYST)
    client = Client()
    client.force_login(analyst)
    page = client.get("/offers/models/").content.decode()
    assert 'id="gx-data-hit-rates"' in page and 'id="gx-train"' in page and 'id="gx-active-version">1<' in page
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/offers/models/train/").status_code == 302  # inline without a broker
    assert OfferModel.objects.get(is_active=True).version == 2
    agent = UserFactory(role=Role.AGENT)
    client.force_login(agent)
    assert client.get("/offers/models/").status_code == 403
