"""Test worlds for surveys: a published post-case questionnaire, a service team, closed cases."""

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role, TeamKind
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.customers.tests.factories import make_customer
from guanxi.servicedesk.services.tickets import ticket_create, ticket_transition

from ..enums import Dimension, QuestionType
from ..services.questionnaires import questionnaire_create, version_create, version_publish

QUESTIONS = [
    {"type": QuestionType.RATING_5, "dimension": Dimension.OVERALL, "text_zh": "您对本次服务总体满意吗？",
     "text_en": "Overall, how satisfied are you?"},
    {"type": QuestionType.RATING_5, "dimension": Dimension.TIMELINESS, "text_zh": "问题解决得及时吗？",
     "text_en": "Was the problem solved in time?"},
    {"type": QuestionType.NPS, "dimension": Dimension.OVERALL, "text_zh": "您有多大可能推荐我们？",
     "text_en": "How likely are you to recommend us?"},
    {"type": QuestionType.SINGLE, "text_zh": "您通过哪种方式联系我们？", "text_en": "How did you contact us?",
     "options": [{"value": "phone", "zh": "电话", "en": "Phone"}, {"value": "web", "zh": "网站", "en": "Web"}]},
    {"type": QuestionType.TEXT, "text_zh": "其他意见", "text_en": "Anything else?", "is_required": False},
]
GOOD = {1: "5", 2: "4", 3: "9", 4: "phone", 5: "很好"}


def version_data(**data):
    return {"title_zh": "服务满意度调查", "title_en": "Service survey", "modes": ["web", "phone"],
            "questions": QUESTIONS, **data}


def published_version(code="post-case", **data):
    questionnaire = questionnaire_create(actor=SYSTEM, code=code, name="服务回访")
    version = version_create(actor=SYSTEM, questionnaire=questionnaire, data=version_data(**data))
    return version_publish(actor=SYSTEM, version=version)


def service_team():
    team = TeamFactory(kind=TeamKind.SERVICE)
    return team, UserFactory(role=Role.AGENT, team=team), UserFactory(role=Role.SERVICE_MANAGER, team=team)


def customer(name="李四", mobile="13800138000", **data):
    return make_customer(SYSTEM, name=name, mobile=mobile, **data)


def closed_case(agent, who, subject="宽带无法上网"):
    case = ticket_create(actor=agent, customer=who, data={"subject": subject, "type": "query",
                                                          "channel": "hotline"})
    ticket_transition(actor=agent, ticket=case, status="resolved")
    return ticket_transition(actor=agent, ticket=case, status="closed")
