"""Survey waves (调查批次): the sampling plan, the reproducible draw, launching in one transaction (a second
launch is a 409 that changes nothing), reminders once per member and round, response rates per stratum,
the API's refusals and the pages in Chinese."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test import Client

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.errors import Conflict, ValidationFailed
from guanxi.core.testing import assert_error_body, client_for, post_json, rows_of
from guanxi.integrations.messaging.models import OutboundMessage
from guanxi.segments.services import contact_profiles_refresh

from .. import selectors
from ..enums import SurveyStatus, SurveyTrigger, WaveStatus
from ..models import Survey, SurveyOptOut, SurveyWave, WaveMember, WaveReminder
from ..sampling import SamplingPlan
from ..sampling.sql import draw_sample
from ..services.surveys import survey_answer_by_token, survey_token
from ..services.waves import wave_close, wave_create, wave_draw, wave_launch, waves_send_reminders
from .factories import GOOD, customer, published_version

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def people():
    """30 individuals and 10 organisations, all reachable by SMS."""
    return [customer(f"个人{i}", mobile=f"138{i:08d}", arpu=10 + i) for i in range(30)] + [
        customer(f"公司{i}", mobile=f"139{i:08d}", kind="organisation", arpu=100 + i) for i in range(10)
    ]


@pytest.fixture
def version():
    return published_version(code="half-year", modes=["web", "phone"])


def _wave(version, **data):
    plan = {
        "name": "2026 上半年满意度调查",
        "version": version,
        "mode": "web",
        "sample_size": 8,
        "seed": 42,
        "dimensions": ["customer_type"],
        "reminder_count": 2,
        "reminder_interval_days": 3,
        **data,
    }
    return wave_create(actor=SYSTEM, **plan)


def _members(wave):
    return sorted(WaveMember.objects.filter(wave=wave).values_list("customer_id", "stratum"))


def test_the_draw_is_stratified_and_reproducible_by_seed(people, version):
    wave = wave_draw(actor=SYSTEM, wave=_wave(version), now=T0)
    first = _members(wave)
    assert wave.status == WaveStatus.SAMPLED and len(first) == 8
    assert sorted(s for _, s in first) == ["individual"] * 6 + ["organisation"] * 2  # 30:10 → 6:2
    assert {s["stratum"]: s["population"] for s in wave.strata} == {"individual": 30, "organisation": 10}
    assert _members(wave_draw(actor=SYSTEM, wave=wave, now=T0)) == first
    other = wave_draw(actor=SYSTEM, wave=_wave(version, seed=43), now=T0)
    assert _members(other) != first


def test_opted_out_and_recently_surveyed_customers_are_left_out(people, version):
    SurveyOptOut.objects.create(customer=people[0])
    SurveyOptOut.objects.create(customer=people[1])
    wave = wave_draw(actor=SYSTEM, wave=_wave(version, sample_size=28, dimensions=["arpu_band"]), now=T0)
    drawn = {c for c, _ in _members(wave)}
    assert people[0].pk not in drawn and people[1].pk not in drawn and len(drawn) == 28
    launched = wave_launch(actor=SYSTEM, wave=wave, now=T0)
    later = T0 + dt.timedelta(days=5)
    again = wave_draw(actor=SYSTEM, wave=_wave(version, sample_size=10, quiet_days=30), now=later)
    assert not {c for c, _ in _members(again)} & drawn
    assert launched.status == WaveStatus.RUNNING


def test_launch_sends_one_survey_per_member_in_one_go(people, version, django_capture_on_commit_callbacks):
    wave = wave_draw(actor=SYSTEM, wave=_wave(version), now=T0)
    with django_capture_on_commit_callbacks(execute=True):
        wave = wave_launch(actor=SYSTEM, wave=wave, now=T0)
    surveys = Survey.objects.filter(wave_id=wave.pk)
    assert surveys.count() == 8 and set(surveys.values_list("trigger", flat=True)) == {SurveyTrigger.WAVE}
    assert WaveMember.objects.filter(wave=wave, survey__isnull=True).count() == 0
    assert OutboundMessage.objects.filter(channel="sms").count() == 8
    before = rows_of("surveys", models=[OutboundMessage])
    with pytest.raises(Conflict):
        wave_launch(actor=SYSTEM, wave=wave, now=T0)
    assert rows_of("surveys", models=[OutboundMessage]) == before
    assert wave.history.count() == 3  # created, sampled, launched: each change audited
    wave_close(actor=SYSTEM, wave=wave, now=T0 + dt.timedelta(days=20))
    with pytest.raises(Conflict):
        wave_draw(actor=SYSTEM, wave=wave)


def test_a_sample_larger_than_the_customers_is_refused_and_nothing_written(people, version):
    wave = _wave(version, sample_size=41)
    with pytest.raises(ValidationFailed):
        wave_draw(actor=SYSTEM, wave=wave, now=T0)
    wave.refresh_from_db()
    assert wave.status == WaveStatus.DRAFT and not WaveMember.objects.exists()


def test_reminders_go_once_per_member_and_round_to_those_who_have_not_answered(
    people, version, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        wave = wave_launch(actor=SYSTEM, wave=wave_draw(actor=SYSTEM, wave=_wave(version), now=T0), now=T0)
    answered = [m.survey for m in WaveMember.objects.filter(wave=wave).select_related("survey")[:3]]
    with time_machine.travel(T0 + dt.timedelta(days=1), tick=False):
        for survey in answered:
            survey_answer_by_token(token=survey_token(survey), answers=GOOD)
        assert waves_send_reminders(actor=SYSTEM) == 0  # no round due yet
    with time_machine.travel(T0 + dt.timedelta(days=3, hours=1), tick=False):
        assert waves_send_reminders(actor=SYSTEM) == 5
        assert waves_send_reminders(actor=SYSTEM) == 0  # the same round again: nothing twice
    with time_machine.travel(T0 + dt.timedelta(days=6, hours=1), tick=False):
        assert waves_send_reminders(actor=SYSTEM) == 5
    with time_machine.travel(T0 + dt.timedelta(days=12), tick=False):
        assert waves_send_reminders(actor=SYSTEM) == 0  # two reminders configured
    assert WaveReminder.objects.count() == 10
    assert not WaveReminder.objects.filter(member__survey__in=answered).exists()
    wave_close(actor=SYSTEM, wave=wave, now=T0 + dt.timedelta(days=13))


def test_response_rates_per_stratum(people, version):
    wave = wave_launch(actor=SYSTEM, wave=wave_draw(actor=SYSTEM, wave=_wave(version), now=T0), now=T0)
    individuals = WaveMember.objects.filter(wave=wave, stratum="individual").select_related("survey")
    with time_machine.travel(T0 + dt.timedelta(days=1), tick=False):
        for member in individuals[:3]:
            survey_answer_by_token(token=survey_token(member.survey), answers=GOOD)
    rates = {r["stratum"]: r for r in selectors.wave_rates(wave)}
    assert rates["individual"] == {"stratum": "individual", "sampled": 6, "sent": 6, "answered": 3, "rate": 0.5}
    assert rates["organisation"]["rate"] == 0.0
    assert rates[""]["answered"] == 3 and rates[""]["rate"] == 0.375
    assert Survey.objects.filter(wave_id=wave.pk, status=SurveyStatus.ANSWERED).count() == 3


def test_api_waves_end_to_end_and_refusals(people, version, admin):
    client = client_for(admin)
    body = {
        "name": "半年度调查",
        "version": version.pk,
        "mode": "web",
        "sample_size": 8,
        "seed": 5,
        "dimensions": ["customer_type"],
    }
    assert_error_body(post_json(client, "/api/v1/survey-waves", {**body, "version": 999999}), 422, "version")
    draft = published_version(code="draft")
    draft.status = "draft"
    draft.save()
    assert_error_body(post_json(client, "/api/v1/survey-waves", {**body, "version": draft.pk}), 422, "version")
    assert_error_body(post_json(client, "/api/v1/survey-waves", {**body, "mode": "ivr"}), 422, "mode")
    assert not SurveyWave.objects.exists()
    big = post_json(client, "/api/v1/survey-waves", {**body, "sample_size": 500}).json()
    before = rows_of("surveys")
    refused = assert_error_body(client.post(f"/api/v1/survey-waves/{big['id']}/sample"), 422)
    assert "样本" in refused["message"] or refused["code"] == "sample_too_large"
    assert rows_of("surveys") == before
    created = post_json(client, "/api/v1/survey-waves", body)
    assert created.status_code == 201, created.content
    wave_id = created.json()["id"]
    assert_error_body(client.post(f"/api/v1/survey-waves/{wave_id}/launch"), 409)
    sampled = client.post(f"/api/v1/survey-waves/{wave_id}/sample").json()
    assert [r["sampled"] for r in sampled["rates"]] == [6, 2, 8]
    assert client.post(f"/api/v1/survey-waves/{wave_id}/launch").status_code == 200
    before = rows_of("surveys")
    assert_error_body(client.post(f"/api/v1/survey-waves/{wave_id}/launch"), 409)
    assert rows_of("surveys") == before
    seen, cursor = [], ""
    while True:
        page = client.get("/api/v1/survey-waves", {"limit": 1, "cursor": cursor}).json()
        seen += [w["id"] for w in page["items"]]
        if not page["next_cursor"]:
            break
        cursor = page["next_cursor"]
    assert sorted(seen) == sorted(SurveyWave.objects.values_list("pk", flat=True))
    analyst = client_for(UserFactory(role=Role.ANALYST))
    assert analyst.get(f"/api/v1/survey-waves/{wave_id}").json()["rates"][-1]["sent"] == 8
    assert_error_body(post_json(analyst, "/api/v1/survey-waves", body), 403)
    assert_error_body(client_for(UserFactory(role=Role.AGENT)).get("/api/v1/survey-waves"), 403)
    assert client.post(f"/api/v1/survey-waves/{wave_id}/close").json()["status"] == "closed"


def test_wave_pages_in_chinese(people, version, admin):
    wave = wave_launch(actor=SYSTEM, wave=wave_draw(actor=SYSTEM, wave=_wave(version), now=T0), now=T0)
    client = Client()
    client.force_login(admin)
    listing = client.get("/surveys/waves/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert listing.status_code == 200
    text = listing.content.decode()
    assert "调查批次" in text and "新建调查批次" in text and "2026 上半年满意度调查" in text
    page = client.get(f"/surveys/waves/{wave.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "各层回复率" in page and "gx-wave-chart" in page and "进行中" in page and "个人" in page
    for english in ("Response rate", "Stratum", "Sample size", "Running", "Launched at", ">individual<"):
        assert english not in page
    response = client.post(
        "/surveys/waves/",
        {
            "name": "第二批",
            "version": version.pk,
            "mode": "web",
            "sample_size": "4",
            "seed": "1",
            "quiet_days": "0",
            "reminder_count": "1",
            "reminder_interval_days": "2",
            "dimensions": ["customer_type"],
        },
    )
    assert response.status_code == 302 and SurveyWave.objects.filter(name="第二批").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL draw runs on PostgreSQL")
def test_the_sql_draw_is_reproducible_and_proportional(admin):
    from guanxi.customers.models import Customer

    Customer.objects.bulk_create(
        [
            Customer(code=f"T{i:08d}", name=f"c{i}", kind="individual" if i % 4 else "organisation", arpu=i % 97)
            for i in range(4000)
        ]
    )
    contact_profiles_refresh(actor=SYSTEM)
    plan = SamplingPlan(size=400, seed=9, dimensions=("customer_type", "arpu_band"))
    first, again = draw_sample(plan), draw_sample(plan)
    assert first.customer_ids == again.customer_ids and len(first.customer_ids) == 400
    assert draw_sample(SamplingPlan(size=400, seed=10, dimensions=plan.dimensions)).customer_ids != first.customer_ids
    shares = first.sample["stratum"].value_counts(normalize=True)
    total = sum(s["population"] for s in first.strata)
    for stratum in first.strata:
        assert abs(shares.get(stratum["stratum"], 0) - stratum["population"] / total) <= 0.01
        assert stratum["allocated"] == (first.sample["stratum"] == stratum["stratum"]).sum()
    SurveyOptOut.objects.create(customer_id=first.customer_ids[0])
    assert first.customer_ids[0] not in draw_sample(plan).customer_ids


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL draw runs on PostgreSQL")
def test_the_histogram_quantile_path_matches_the_pure_edges_and_the_configured_path(admin):
    from guanxi.customers.models import Customer
    from guanxi.surveys.sampling import arpu_edges, sampling_frame

    Customer.objects.bulk_create(
        [
            Customer(
                code=f"H{i:08d}", name=f"c{i}", kind="individual" if i % 3 else "organisation", arpu=(i * 37) % 500 / 3
            )
            for i in range(3000)
        ]
    )
    contact_profiles_refresh(actor=SYSTEM)
    plan = SamplingPlan(size=300, seed=4, method="neyman", sds={"individual|never|none|A1": 2.0})
    quantile = draw_sample(plan)
    assert quantile.arpu_band_edges == pytest.approx(arpu_edges(sampling_frame()["arpu"]))
    configured = draw_sample(
        SamplingPlan(size=300, seed=4, method="neyman", sds=plan.sds, arpu_band_edges=quantile.arpu_band_edges)
    )
    assert quantile.customer_ids == configured.customer_ids and quantile.strata == configured.strata


def test_the_launch_reports_its_progress_per_batch_to_the_caller_and_to_the_page(
    people, version, admin, settings, tmp_path, monkeypatch
):
    from ..services import waves

    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(waves, "BATCH", 3)
    wave = wave_draw(actor=SYSTEM, wave=_wave(version), now=T0)
    client = Client()
    client.force_login(admin)
    status_url = f"/surveys/waves/{wave.pk}/launch-status/"
    seen, polled = [], []

    def progress(done, total):
        seen.append((done, total))
        polled.append(client.get(status_url, HTTP_ACCEPT_LANGUAGE="zh-hans").json())

    wave_launch(actor=SYSTEM, wave=wave, now=T0, progress=progress)
    assert seen == [(0, 8), (3, 8), (6, 8), (8, 8)]
    assert [(p["launching"], p["done"], p["percent"]) for p in polled] == [
        (True, 0, 0), (True, 3, 38), (True, 6, 75), (True, 8, 100)]
    assert polled[1]["label"] == "已发送 3 / 8 份调查"
    after = client.get(status_url).json()
    assert after["launching"] is False and after["status"] == WaveStatus.RUNNING
    assert Survey.objects.filter(wave_id=wave.pk).count() == 8
    assert WaveMember.objects.filter(wave=wave, survey__isnull=True).count() == 0
    page = client.get(f"/surveys/waves/{wave.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'id="gx-wave-launch-progress" class="mb-3 d-none"' in page


def test_a_failed_launch_leaves_no_progress_behind(people, version, settings, tmp_path):
    from ..launch_progress import launch_progress_read

    settings.VAR_DIR = tmp_path
    wave = wave_draw(actor=SYSTEM, wave=_wave(version), now=T0)
    WaveMember.objects.filter(wave=wave).delete()
    with pytest.raises(Conflict):
        wave_launch(actor=SYSTEM, wave=wave, now=T0)
    assert launch_progress_read(wave.pk) is None and not Survey.objects.filter(wave_id=wave.pk).exists()


def test_the_launch_command_shows_a_bar_and_refuses_an_unknown_wave(people, version, settings, tmp_path):
    from io import StringIO

    from django.core.management import CommandError, call_command

    settings.VAR_DIR = tmp_path
    wave = wave_draw(actor=SYSTEM, wave=_wave(version), now=T0)
    out = StringIO()
    call_command("survey_wave_launch", str(wave.pk), stdout=out)
    assert f"wave {wave.pk} launched: 8 surveys sent" in out.getvalue()
    assert Survey.objects.filter(wave_id=wave.pk).count() == 8
    with pytest.raises(CommandError, match="no survey wave"):
        call_command("survey_wave_launch", str(wave.pk + 1000), stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("survey_wave_launch", str(wave.pk), stdout=StringIO())


def test_the_invitations_carry_the_same_link_as_survey_link(people, version):
    from ..services.surveys import invitation_messages, survey_link, survey_link_maker

    wave = wave_launch(actor=SYSTEM, wave=wave_draw(actor=SYSTEM, wave=_wave(version), now=T0), now=T0)
    surveys = list(Survey.objects.filter(wave_id=wave.pk).select_related("customer", "version"))
    make = survey_link_maker()
    for survey in surveys:
        assert make(survey_token(survey)) == survey_link(survey_token(survey))
    messages = invitation_messages([(s, s.customer, survey_token(s)) for s in surveys])
    for survey, message in zip(surveys, messages, strict=True):
        assert message["recipient"] == survey.customer.mobile
        assert message["body"].endswith(survey_link(survey_token(survey)))
        assert survey.customer.name in message["body"]
    queued = set(OutboundMessage.objects.values_list("body", flat=True))
    assert {m["body"] for m in messages} == queued
