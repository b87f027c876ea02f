"""The satisfaction analysis: CSAT, NPS, dimension means and their margins of error against
hand-computed cases, the too-small-sample rule, quarters rolled up from months with the change from
the period before, response rates, scoping (a sales manager sees only their customers' figures), the
pages in Chinese, the API, the XLSX report and the driver analysis recovering planted effects."""

import datetime as dt
import io
import math
import random

import pytest
import time_machine
from django.test import Client
from openpyxl import load_workbook
from pypdf import PdfReader

from guanxi.accounts.enums import Role, TeamKind
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.core.testing import client_for
from guanxi.customers.models import Customer
from guanxi.servicedesk.models import Ticket

from .. import analysis_selectors as analysis
from ..analysis import snapshot
from ..enums import SurveyMode, SurveyStatus, SurveyTrigger
from ..models import Answer, Survey, SurveyResponse
from .factories import customer, published_version

pytestmark = pytest.mark.django_db
SH = dt.timezone(dt.timedelta(hours=8))
Z = 1.959963984540054
NOW = dt.datetime(2026, 7, 15, 10, tzinfo=SH)
SINCE, UNTIL = dt.datetime(2026, 1, 1, tzinfo=SH), dt.datetime(2026, 7, 1, tzinfo=SH)


def _answer(version, who, at, *, overall=None, timeliness=None, nps=None, ticket=None, mode=SurveyMode.WEB):
    questions = {q.order: q for q in version.questions.all()}
    survey = Survey.objects.create(
        version=version,
        customer=who,
        ticket=ticket,
        mode=mode,
        trigger=SurveyTrigger.MANUAL,
        status=SurveyStatus.ANSWERED,
        sent_at=at,
        expires_at=at + dt.timedelta(days=14),
        answered_at=at,
    )
    response = SurveyResponse.objects.create(survey=survey, answered_at=at, mode=mode)
    rows = []
    for order, value, pct in ((1, overall, None), (2, timeliness, None), (3, nps, "nps")):
        if value is None:
            continue
        q = questions[order]
        rows.append(
            Answer(
                response=response,
                question=q,
                raw=value,
                score=float(value),
                answered_at=at,
                score_pct=value * 10.0 if pct else (value - 1) * 25.0,
                dimension=q.dimension,
            )
        )
    Answer.objects.bulk_create(rows)
    return survey


def _sent(version, who, at, n):
    for _ in range(n):
        Survey.objects.create(
            version=version,
            customer=who,
            mode=SurveyMode.SMS,
            trigger=SurveyTrigger.MANUAL,
            status=SurveyStatus.EXPIRED,
            sent_at=at,
            expires_at=at + dt.timedelta(days=14),
        )


@pytest.fixture
def world():
    version = published_version()
    sales_team = TeamFactory(kind=TeamKind.SALES)
    manager = UserFactory(role=Role.SALES_MANAGER, team=sales_team)
    mine, other = customer("我的客户", mobile="13800138001"), customer("别人的客户", mobile="13800138002")
    Customer.objects.filter(pk=mine.pk).update(owner=manager, team=sales_team)
    march = dt.datetime(2026, 3, 10, 9, tzinfo=SH)
    # March, the manager's customer: 30 × (5, 10) and 10 × (2, 8) overall/NPS; timeliness 4 and 3.
    for i in range(40):
        _answer(
            version,
            mine,
            march,
            overall=5 if i < 30 else 2,
            timeliness=4 if i % 2 else 3,
            nps=10 if i < 20 else 8 if i < 30 else 3,
        )
    # April, the other customer: 10 answers only (too small a sample), all satisfied.
    for _ in range(10):
        _answer(version, other, dt.datetime(2026, 4, 2, 9, tzinfo=SH), overall=5, timeliness=5, nps=10)
    # May, the other customer: 50 answers, 40 satisfied; plus 50 sent and unanswered surveys.
    for i in range(50):
        _answer(version, other, dt.datetime(2026, 5, 20, 9, tzinfo=SH), overall=4 if i < 40 else 1, nps=9)
    _sent(version, other, dt.datetime(2026, 5, 21, 9, tzinfo=SH), 50)
    admin = UserFactory(role=Role.ANALYST)
    snapshot.rebuild()  # the answers above were stored directly, not through the answering services
    return {"version": version, "manager": manager, "analyst": admin, "mine": mine, "other": other}


def test_csat_nps_and_margins_match_hand_computation(world):
    cells = {c.key: c for c in analysis.trend(user=world["analyst"], period="month", since=SINCE, until=UNTIL)}
    march = cells["2026-03"].figures
    assert march["csat"].n == 40 and march["csat"].value == pytest.approx(75.0)
    assert march["csat"].moe == pytest.approx(100 * Z * math.sqrt(0.75 * 0.25 / 40))
    # NPS: 50 % promoters − 25 % detractors; variance p₊ + p₋ − NPS²
    assert march["nps"].value == pytest.approx(25.0)
    assert march["nps"].moe == pytest.approx(100 * Z * math.sqrt((0.5 + 0.25 - 0.0625) / 40))
    # timeliness 3 and 4 → 50 and 75 on 0–100, half each: mean 62.5, s = 12.66 (t with 39 df)
    tl = march["timeliness"]
    assert tl.n == 40 and tl.value == pytest.approx(62.5)
    s = math.sqrt(sum((x - 62.5) ** 2 for x in [50] * 20 + [75] * 20) / 39)
    assert tl.moe == pytest.approx(2.0226909 * s / math.sqrt(40), rel=1e-5)
    # overall mean 0–100: 30 × 100 and 10 × 25
    assert march["overall"].value == pytest.approx((30 * 100 + 10 * 25) / 40)


def test_too_small_a_sample_shows_no_number(world):
    april = {c.key: c for c in analysis.trend(user=world["analyst"], since=SINCE, until=UNTIL)}["2026-04"]
    assert april.figures["csat"].n == 10
    assert april.figures["csat"].value is None and april.figures["csat"].reason == "sample_too_small"
    assert april.changes["csat"].delta is None  # no comparison with a figure not shown
    # a stricter minimum from the settings refuses March's 40 answers too
    strict = {c.key: c for c in analysis.trend(user=world["analyst"], since=SINCE, until=UNTIL, min_n=97)}
    assert strict["2026-03"].figures["csat"].value is None


def test_quarters_roll_up_months_and_compare(world):
    cells = analysis.trend(user=world["analyst"], period="quarter", since=SINCE, until=UNTIL)
    q1, q2 = cells
    assert (q1.key, q2.key) == ("2026-Q1", "2026-Q2")
    assert q2.figures["csat"].n == 60 and q2.figures["csat"].value == pytest.approx(50 / 60 * 100)
    delta = q2.changes["csat"]
    assert delta.delta == pytest.approx(50 / 60 * 100 - 75)
    assert delta.significant is False  # 8.3 points is within the combined margin of about 16
    half = analysis.trend(user=world["analyst"], period="half", since=SINCE, until=UNTIL)
    assert [c.key for c in half] == ["2026-H1"] and half[0].figures["csat"].n == 100


def test_response_rates_count_the_unanswered(world):
    rates = {
        c.key: c.figures["response_rate"]
        for c in analysis.response_rates(user=world["analyst"], since=SINCE, until=UNTIL)
    }
    assert rates["2026-05"].n == 100 and rates["2026-05"].value == pytest.approx(50.0)
    assert rates["2026-03"].value == pytest.approx(100.0)


def test_breakdown_by_channel_and_segment_report(world):
    groups = analysis.breakdown(user=world["analyst"], by="channel", since=SINCE, until=UNTIL)
    assert [(g.key, g.figures["csat"].n) for g in groups] == [("web", 100)]
    assert str(groups[0].label) == "网页" or groups[0].label  # a label, not the raw value
    segments = analysis.segment_report(user=world["analyst"], since=SINCE, until=UNTIL)
    assert sum(row["figures"]["csat"].n for row in segments if row["figures"]) == 100


def test_a_sales_manager_sees_only_their_customers(world):
    cells = analysis.trend(user=world["manager"], since=SINCE, until=UNTIL)
    assert [c.key for c in cells] == ["2026-03"]
    assert cells[0].figures["csat"].n == 40
    assert {c.key for c in analysis.response_rates(user=world["manager"], since=SINCE, until=UNTIL)} == {"2026-03"}
    key_account = UserFactory(role=Role.KEY_ACCOUNT_MANAGER)
    assert analysis.trend(user=key_account, since=SINCE, until=UNTIL) == []


def test_roles_without_the_right_are_refused(world):
    rep = UserFactory(role=Role.SALES_REP)
    client = Client()
    client.force_login(rep)
    assert client.get("/surveys/analysis/").status_code == 403
    response = client_for(rep).get("/api/v1/survey-analysis/trend")
    assert response.status_code == 403 and response.json()["message"] == "您的角色无权查看满意度分析。"


@time_machine.travel(NOW, tick=False)
def test_page_renders_in_chinese_with_sizes_and_too_small_note(world):
    client = Client()
    client.force_login(world["analyst"])
    page = client.get("/surveys/analysis/?since=2026-01-01&until=2026-06-30&by=team").content.decode()
    assert "满意度分析" in page and "样本不足（n=10）" in page and "n=40" in page and "±13.4" in page
    assert "CSAT and" not in page and "Sample too small" not in page
    mine = Client()
    mine.force_login(world["manager"])
    page = mine.get("/surveys/analysis/?since=2026-01-01&until=2026-06-30").content.decode()
    assert "n=40" in page and "n=50" not in page


@time_machine.travel(NOW, tick=False)
def test_api_figures_paged_and_bad_input(world):
    api = client_for(world["analyst"])
    body = api.get("/api/v1/survey-analysis/trend?since=2026-01-01&until=2026-06-30&limit=2").json()
    assert [c["key"] for c in body["items"]] == ["2026-03", "2026-04"] and body["next_cursor"] == "2"
    rest = api.get(f"/api/v1/survey-analysis/trend?since=2026-01-01&until=2026-06-30&cursor={body['next_cursor']}")
    assert [c["key"] for c in rest.json()["items"]] == ["2026-05"] and rest.json()["next_cursor"] is None
    march = body["items"][0]["figures"]["csat"]
    assert march["n"] == 40 and march["value"] == pytest.approx(75.0) and march["moe"] == pytest.approx(13.42, abs=0.01)
    assert body["items"][1]["figures"]["csat"]["value"] is None
    assert body["items"][1]["figures"]["csat"]["reason"] == "sample_too_small"
    bad = api.get("/api/v1/survey-analysis/trend?period=week")
    assert bad.status_code == 422 and "period" in bad.json()["fields"]
    assert api.get("/api/v1/survey-analysis/breakdown?by=case_type").status_code == 200
    assert api.get("/api/v1/survey-analysis/response-rates").status_code == 200
    assert api.get("/api/v1/survey-analysis/segments").status_code == 200


@time_machine.travel(NOW, tick=False)
def test_xlsx_report_opens(world):
    client = Client()
    client.force_login(world["analyst"])
    response = client.get("/surveys/analysis/report.xlsx?since=2026-01-01&until=2026-06-30&period=quarter")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["按期间", "按分组", "回复率"]
    rows = list(book["按期间"].iter_rows(values_only=True))
    assert rows[1][:4] == ("2026-Q1", 40, 75.0, 13.4)


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@time_machine.travel(NOW, tick=False)
def test_pdf_report_has_the_chinese_title_and_figures_in_scope(world):
    client = Client()
    client.force_login(world["analyst"])
    page = client.get("/surveys/analysis/?since=2026-01-01&until=2026-06-30").content.decode()
    assert "/surveys/analysis/report.pdf?since=2026-01-01" in page and "期间报告（PDF）" in page
    response = client.get("/surveys/analysis/report.pdf?since=2026-01-01&until=2026-06-30&by=channel")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith('satisfaction-2026-01-01-2026-06-30.pdf"')
    text = _pdf_text(response.content)
    assert "客户满意度报告 2026-01-01 – 2026-06-30" in text and "按期间" in text and "服务态度" in text
    assert "2026-03" in text and "75.0 ±13.4 (n=40)" in text and "样本不足（n=10）" in text
    assert "80.0 ±11.1 (n=50)" in text  # May: 40 of 50 satisfied
    assert "Sample too small" not in text and "By period" not in text
    scoped = client_for(world["manager"]).get("/api/v1/survey-analysis/report.pdf?since=2026-01-01&until=2026-06-30")
    assert scoped.status_code == 200 and scoped["Content-Type"] == "application/pdf"
    mine = _pdf_text(scoped.content)
    assert "75.0 ±13.4 (n=40)" in mine and "n=50" not in mine
    agent = client_for(UserFactory(role=Role.AGENT)).get("/api/v1/survey-analysis/report.pdf")
    assert agent.status_code == 403 and agent.json()["code"]
    bad = client_for(world["analyst"]).get("/api/v1/survey-analysis/report.pdf?by=colour")
    assert bad.status_code == 422 and "by" in bad.json()["fields"]


def test_response_list_shows_the_score(world):
    client = Client()
    client.force_login(UserFactory(role=Role.SERVICE_MANAGER))
    page = client.get("/surveys/").content.decode()
    # the newest page: May's answers, 4 of 5 or 1 of 5 overall and 9 on the NPS question
    assert "4/5 · NPS 9" in page and "1/5 · NPS 9" in page


@time_machine.travel(NOW, tick=False)
def test_driver_analysis_recovers_planted_effects(django_capture_on_commit_callbacks):
    """Planted: overall = timeliness strongly, waiting time (minutes to the first response) against;
    the quality of the noise-only NPS answer plays no part. The run (inline, as Celery is eager)
    ranks timeliness first and finds waiting time negative with an interval excluding zero."""
    version = published_version()
    who = customer()
    rng = random.Random(7)
    at = dt.datetime(2026, 5, 1, 9, tzinfo=SH)
    for i in range(400):
        ticket = Ticket.objects.create(
            number=f"T{i:05d}", subject="宽带", type="query", channel="hotline", customer=who
        )
        waiting = rng.uniform(0, 60)
        Ticket.objects.filter(pk=ticket.pk).update(created_at=at, first_responded_at=at + dt.timedelta(minutes=waiting))
        timeliness = rng.randint(1, 5)
        overall = max(1, min(5, round(0.9 * timeliness + 1.5 - 0.03 * waiting + rng.gauss(0, 0.4))))
        _answer(version, who, at, overall=overall, timeliness=timeliness, nps=rng.randint(0, 10), ticket=ticket)
    analyst = UserFactory(role=Role.ANALYST)
    client = Client()
    client.force_login(analyst)
    started = client.post("/surveys/analysis/drivers/?since=2026-01-01&until=2026-06-30")
    assert started.status_code == 302
    page = client.get(started["Location"]).content.decode()
    assert "驱动因素" in page and "gx-drivers-chart" in page
    run_id = started["Location"].split("run=")[1].split("&")[0]
    api = client_for(analyst).get(f"/api/v1/survey-analysis/driver-runs/{run_id}")
    # another user cannot read the run
    assert (
        client_for(UserFactory(role=Role.ANALYST)).get(f"/api/v1/survey-analysis/driver-runs/{run_id}").status_code
        == 404
    )
    result = api.json()["result"]
    assert api.json()["status"] == "done" and result["n"] == 400
    drivers = {d["name"]: d for d in result["drivers"]}
    assert result["drivers"][0]["name"] == "timeliness"
    assert drivers["timeliness"]["ci_low"] > 0
    assert drivers["waiting_time"]["ci_high"] < 0
    # above `sample` responses a systematic sample by response id is read
    frame, population = analysis.driver_frame(user=analyst, sample=100)
    assert population == 400 and len(frame) == 100
    # per minute on the 1–5 scale: planted −0.03, attenuated a little by rounding to whole points and
    # clipping at 1 and 5 (the planted value falls just outside the interval for that reason)
    assert -0.045 < drivers["waiting_time"]["coef"] < -0.015


def test_driver_regression_samples_large_frames_and_still_recovers_the_planted_effects():
    from ..analysis.drivers import driver_analysis
    from ..analysis.synthetic import PLANTED, generate_responses

    frame = generate_responses(40_000, seed=3)
    result = driver_analysis(frame, drivers=list(PLANTED), max_rows=10_000, seed=1, confidence=0.999)
    assert result.n == 10_000 and result.sampled_from == 40_000
    again = driver_analysis(frame, drivers=list(PLANTED), max_rows=10_000, seed=1, confidence=0.999)
    assert [e.coef for e in again.drivers] == [e.coef for e in result.drivers]  # reproducible by seed
    for effect in result.drivers:
        assert effect.ci_low <= PLANTED[effect.name] <= effect.ci_high, effect.name
