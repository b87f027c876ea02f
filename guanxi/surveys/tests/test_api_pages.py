"""The API and the pages: questionnaires and publishing (400 in Chinese with the reasons), responses
scoped to the caller's cases with phones masked and paged to the end, improvement actions CRUD, the
staff pages, and the customer's web page for a good, used, expired or forged link."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.testing import assert_error_body, client_for, post_json, rows_of
from guanxi.integrations.messaging.models import OutboundMessage

from ..models import ImprovementAction, Survey, SurveyOptOut, SurveyResponse
from .factories import GOOD, closed_case, customer, published_version, service_team, version_data

pytestmark = pytest.mark.django_db
SH = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    _team, agent, manager = service_team()
    version = published_version()
    with django_capture_on_commit_callbacks(execute=True):
        cases = [closed_case(agent, customer(f"客户{i}", mobile=f"1380013800{i}")) for i in range(3)]
    _t2, stranger, _m2 = service_team()
    return {"agent": agent, "manager": manager, "stranger": stranger, "version": version, "cases": cases}


def _token(case) -> str:
    survey = Survey.objects.get(ticket=case)
    body = OutboundMessage.objects.filter(recipient=survey.customer.mobile).latest("id").body
    return body.rsplit("/s/", 1)[1].strip("/")


def _answer_all(world):
    for case in world["cases"]:
        Client().post(f"/s/{_token(case)}/", {f"q{k}": v for k, v in GOOD.items()})


def test_publishing_a_failing_version_answers_400_in_chinese(world):
    client = client_for(world["manager"])
    q = world["version"].questionnaire_id
    bad = version_data(modes=["ivr"], questions=[{"type": "text", "text_zh": "您一定很满意吧？请说明"}])
    created = post_json(client, f"/api/v1/surveys/{q}/versions", bad)
    assert created.status_code == 201 and created.json()["checks"]["is_publishable"] is False
    vid = created.json()["id"]
    body = assert_error_body(post_json(client, f"/api/v1/surveys/versions/{vid}/publish", {}), 400)
    assert body["code"] == "design_check_failed" and "语音" in body["message"] and "诱导" in body["message"]
    english = post_json(client_for(world["manager"], HTTP_ACCEPT_LANGUAGE="en"),
                        f"/api/v1/surveys/versions/{vid}/publish", {})
    assert "IVR" in english.json()["message"]
    fixed = post_json(client, f"/api/v1/surveys/{q}/versions", version_data())
    published = post_json(client, f"/api/v1/surveys/versions/{fixed.json()['id']}/publish", {})
    assert published.status_code == 200 and published.json()["status"] == "published"
    frozen = client.put(f"/api/v1/surveys/versions/{fixed.json()['id']}", version_data(),
                        content_type="application/json")
    assert_error_body(frozen, 409)


def test_agents_cannot_design_and_bad_questions_are_422(world):
    q = world["version"].questionnaire_id
    assert_error_body(post_json(client_for(world["agent"]), f"/api/v1/surveys/{q}/versions", version_data()), 403)
    bad = version_data(questions=[{"type": "slider", "text_zh": "？"}])
    assert_error_body(post_json(client_for(world["manager"]), f"/api/v1/surveys/{q}/versions", bad), 422,
                      "questions[1]")
    assert_error_body(post_json(client_for(world["manager"]), "/api/v1/surveys", {"code": "a b", "name": "x"}),
                      422, "code")


def test_responses_are_scoped_masked_and_paged_to_the_end(world):
    _answer_all(world)
    seen, cursor = [], ""
    while True:
        page = client_for(world["manager"]).get("/api/v1/survey-responses", {"limit": 2, "cursor": cursor}).json()
        seen += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 3 and all("*" not in row["mobile"] for row in seen)
    agent_view = client_for(world["agent"]).get("/api/v1/survey-responses").json()["items"]
    assert len(agent_view) == 3 and all("*" in row["mobile"] for row in agent_view)
    assert client_for(world["stranger"]).get("/api/v1/survey-responses").json()["items"] == []
    detail = client_for(world["agent"]).get(f"/api/v1/survey-responses/{seen[0]['id']}").json()
    assert [a["score"] for a in detail["answers"]][:3] == [5, 4, 9]
    assert client_for(world["stranger"]).get(f"/api/v1/survey-responses/{seen[0]['id']}").status_code == 404
    sales = UserFactory(role=Role.SALES_REP)
    assert client_for(sales).get("/api/v1/survey-responses").status_code == 403
    assert_error_body(client_for(world["manager"]).get("/api/v1/survey-responses", {"status": "x"}), 422, "status")


def test_improvement_actions_crud(world):
    client = client_for(world["manager"])
    created = post_json(client, "/api/v1/improvement-actions",
                        {"title": "缩短上门时间", "dimension": "timeliness", "due_date": "2026-09-01"})
    assert created.status_code == 201 and created.json()["owner"]["id"] == world["manager"].pk
    assert created.json()["before"]["mean"] is None
    aid = created.json()["id"]
    refused = client.patch(f"/api/v1/improvement-actions/{aid}", {"status": "done"}, content_type="application/json")
    assert_error_body(refused, 422, "closure")
    done = client.patch(f"/api/v1/improvement-actions/{aid}", {"status": "done", "closure": "完成"},
                        content_type="application/json")
    assert done.status_code == 200 and done.json()["closed_at"]
    before = rows_of("surveys")
    assert client_for(world["agent"]).delete(f"/api/v1/improvement-actions/{aid}").status_code == 403
    assert rows_of("surveys") == before
    assert client.get("/api/v1/improvement-actions").json()["items"][0]["id"] == aid
    assert client.delete(f"/api/v1/improvement-actions/{aid}").status_code == 204
    assert not ImprovementAction.objects.exists()
    assert_error_body(post_json(client, "/api/v1/improvement-actions", {
        "title": "x", "dimension": "nope", "due_date": "2026-09-01"}), 422, "dimension")


def test_the_staff_pages(world):
    _answer_all(world)
    client = Client()
    client.force_login(world["manager"])
    survey = Survey.objects.filter(status="answered").first()
    for url in ("/surveys/", "/surveys/?status=", f"/surveys/{survey.pk}/", "/surveys/questionnaires/",
                f"/surveys/versions/{world['version'].pk}/", "/surveys/actions/",
                f"/surveys/questionnaires/{world['version'].questionnaire_id}/versions/new/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "满意度" in response.content.decode() or "问卷" in response.content.decode(), url
    page = client.get(f"/surveys/versions/{world['version'].pk}/").content.decode()
    assert "分钟" in page
    stranger = Client()
    stranger.force_login(world["stranger"])
    assert stranger.get(f"/surveys/{survey.pk}/").status_code == 404
    assert stranger.post(f"/surveys/{survey.pk}/opt-out/").status_code == 404
    assert not SurveyOptOut.objects.exists()
    agent = Client()
    agent.force_login(world["agent"])
    assert agent.post(f"/surveys/{survey.pk}/opt-out/").status_code == 302
    assert SurveyOptOut.objects.get().customer == survey.customer
    assert "gx-survey-opted-out" in agent.get(f"/surveys/{survey.pk}/").content.decode()


def test_designing_a_version_on_the_page_shows_its_checks(world):
    client = Client()
    client.force_login(world["manager"])
    q = world["version"].questionnaire_id
    response = client.post(f"/surveys/questionnaires/{q}/versions/new/", {
        "title_zh": "短信调查", "modes": ["sms"], "type": ["rating_5", "text"], "dimension": ["overall", ""],
        "text_zh": ["您满意吗？", "难道不满意吗？"], "text_en": ["", ""], "options": ["", ""],
        "required": ["yes", "no"]})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "短信" in page and "诱导" in page
    published = client.post(response["Location"] + "publish/")
    assert published.status_code == 302 and world["version"].questionnaire.versions.count() == 2
    assert world["version"].questionnaire.versions.filter(status="draft").count() == 1


def test_the_web_survey_page_answers_once(world):
    token = _token(world["cases"][0])
    page = Client().get(f"/s/{token}/")
    assert page.status_code == 200 and "您对本次服务总体满意吗" in page.content.decode()
    english = Client().get(f"/s/{token}/?lang=en").content.decode()
    assert "Overall, how satisfied are you?" in english and "Submit" in english
    refused = Client().post(f"/s/{token}/", {"q1": "9"})
    assert refused.status_code == 422 and not SurveyResponse.objects.exists()
    done = Client().post(f"/s/{token}/", {f"q{k}": v for k, v in GOOD.items()})
    assert done.status_code == 200 and "感谢" in done.content.decode()
    again = Client().post(f"/s/{token}/", {f"q{k}": v for k, v in GOOD.items()})
    assert again.status_code == 410 and "已经" in again.content.decode() and SurveyResponse.objects.count() == 1
    assert Client().get("/s/forged-token/").status_code == 410


def test_an_expired_link_shows_a_clear_page(world):
    token = _token(world["cases"][1])
    with time_machine.travel(dt.datetime.now(SH) + dt.timedelta(days=30)):
        response = Client().get(f"/s/{token}/")
    assert response.status_code == 410 and "过期" in response.content.decode()
