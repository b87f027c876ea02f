"""A customer answers the post-case web survey on a phone (390 px wide) through the link of the SMS:
a missing answer is asked for again in Chinese, the answers are recorded once, the same link then
shows a clear page; nothing scrolls sideways. The English page carries the English wording."""

import pytest
from playwright.sync_api import Page, expect

from guanxi.integrations.messaging.models import OutboundMessage
from guanxi.surveys.models import Answer, Survey, SurveyResponse
from guanxi.surveys.tests.factories import closed_case, customer, published_version, service_team

from .test_customer_flow import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_customer_answers_a_web_survey_on_a_phone(page: Page, live_server):
    published_version()
    _team, agent, _manager = service_team()
    case = closed_case(agent, customer())
    survey = Survey.objects.get(ticket=case)
    link = OutboundMessage.objects.get(recipient=survey.customer.mobile).body.rsplit("/s/", 1)[1]
    url = f"{live_server.url}/s/{link}"
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(url + "?lang=en")
    expect(page.locator("#gx-question-1")).to_contain_text("Overall, how satisfied are you?")
    page.goto(url)
    expect(page.locator("h1")).to_have_text("服务满意度调查")
    assert _fits(page)
    page.locator("label[for=gx-q1-2]").click()
    page.locator("label[for=gx-q3-10]").click()
    page.locator("#gx-q4-phone").check()
    page.locator("#gx-survey-submit").click()
    expect(page.locator("#gx-survey-problem")).to_contain_text("有些题目未作答")
    expect(page.locator("#gx-question-2 .invalid-feedback")).to_be_visible()
    assert not SurveyResponse.objects.exists()
    expect(page.locator("#gx-q1-2")).to_be_checked()
    page.locator("label[for=gx-q2-3]").click()
    page.locator("#gx-q5").fill("上门师傅很专业，但等了两天")
    assert _fits(page)
    shot(page, "web-survey-390")
    page.locator("#gx-survey-submit").click()
    expect(page.locator("#gx-survey-thanks")).to_contain_text("感谢您的评价")
    assert _fits(page)
    response = SurveyResponse.objects.get()
    assert sorted(Answer.objects.filter(response=response).values_list("question__order", flat=True)) == [1, 2, 3, 4, 5]

    page.goto(url)
    expect(page.locator("#gx-survey-refused")).to_contain_text("已经提交过")
    assert _fits(page) and SurveyResponse.objects.count() == 1
