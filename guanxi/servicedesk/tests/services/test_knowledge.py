import pytest

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.errors import Conflict, PermissionDenied, ValidationFailed
from guanxi.servicedesk.enums import ArticleStatus
from guanxi.servicedesk.models import Article
from guanxi.servicedesk.selectors.knowledge import article_list, article_search, article_suggestions
from guanxi.servicedesk.services.knowledge import (
    article_create,
    article_edit,
    article_review,
    article_submit,
    article_use,
)
from guanxi.servicedesk.services.tickets import ticket_create

pytestmark = pytest.mark.django_db

ARTICLES = {
    "光猫红灯处理": "宽带无法上网时，先看光猫指示灯。LOS 灯闪红灯说明光纤断开，请预约上门维修。",
    "手机无法开机": "长按电源键十秒强制重启；仍无法开机请到营业厅检测，保修期内免费维修。",
    "话费账单查询": "登录网上营业厅或拨打客服热线查询本月话费账单和套餐余量。",
}


@pytest.fixture
def people():
    return UserFactory(role=Role.AGENT), UserFactory(role=Role.TEAM_LEAD)


def publish(author, reviewer, title, body):
    article = article_create(actor=author, title=title, body=body)
    article_submit(actor=author, article=article)
    return article_review(actor=reviewer, article=article, approve=True)


@pytest.fixture
def library(people):
    return {title: publish(*people, title, body) for title, body in ARTICLES.items()}


def test_chinese_full_text_search_finds_by_words_inside_sentences(library):
    assert article_search(query="光猫闪红灯")[0][0].title == "光猫红灯处理"
    assert [a.title for a, _ in article_search(query="查询话费")] == ["话费账单查询"]
    assert article_search(query="完全无关的内容比如火星天气") == []


def test_suggestions_for_a_case_come_from_its_text(people, library):
    agent, _ = people
    case = ticket_create(actor=agent, customer=None, data={
        "subject": "手机开不了机", "description": "客户说手机无法开机，已经充电", "type": "fault", "channel": "outlet"})
    assert article_suggestions(ticket=case)[0][0].title == "手机无法开机"


def test_review_publishes_numbered_versions_and_drafts_stay_private(people):
    author, reviewer = people
    article = article_create(actor=author, title="草稿", body="内部处理流程")
    other_agent = UserFactory(role=Role.AGENT)
    assert article not in article_list(user=other_agent)
    assert article_search(query="处理流程") == []
    with pytest.raises(Conflict):
        article_review(actor=reviewer, article=article, approve=True)  # not submitted
    article_submit(actor=author, article=article)
    with pytest.raises(PermissionDenied):
        article_review(actor=UserFactory(role=Role.AGENT), article=article, approve=True)
    article = article_review(actor=reviewer, article=article, approve=True)
    assert (article.status, article.version) == (ArticleStatus.PUBLISHED, 1)
    article = article_edit(actor=author, article=article, title="草稿", body="新的内部处理流程")
    article_submit(actor=author, article=article)
    article = article_review(actor=reviewer, article=article, approve=True)
    assert list(article.versions.values_list("version", "body")) == [(2, "新的内部处理流程"), (1, "内部处理流程")]


def test_usage_is_counted_once_per_case(people, library):
    agent, _ = people
    article = library["光猫红灯处理"]
    case = ticket_create(actor=agent, customer=None, data={"subject": "断网", "type": "fault", "channel": "hotline"})
    assert article_use(actor=agent, article=article, ticket=case) is True
    assert article_use(actor=agent, article=article, ticket=case) is False
    assert Article.objects.get(pk=article.pk).usage_count == 1


def test_bad_articles_are_refused(people):
    with pytest.raises(ValidationFailed):
        article_create(actor=people[0], title="", body="")
    with pytest.raises(PermissionDenied):
        article_create(actor=UserFactory(role=Role.ANALYST), title="t", body="b")
    assert not Article.objects.exists()


def test_case_page_suggests_articles_and_records_their_use(people, library):
    from django.test import Client

    agent, _ = people
    case = ticket_create(actor=agent, customer=None, data={"subject": "光猫红灯，宽带断网", "type": "fault",
                                                           "channel": "hotline"})
    client = Client()
    client.force_login(agent)
    page = client.get(f"/service/{case.pk}/").content.decode()
    article = library["光猫红灯处理"]
    assert "gx-suggestion" in page and article.title in page
    found = client.get("/service/knowledge/", {"q": "光猫闪红灯"}).content.decode()
    assert article.title in found
    response = client.post(f"/service/knowledge/{article.pk}/use/{case.pk}/")
    assert response.status_code == 302
    assert Article.objects.get(pk=article.pk).usage_count == 1
