"""The API speaks the caller's language: Simplified Chinese by default, English with
`Accept-Language: en` — the message and every field reason, including request-shape errors."""

import pytest
from django.test import Client

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.testing import client_for, post_json

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def admin_api():
    return client_for(UserFactory(role=Role.ADMIN))


def test_a_domain_error_in_chinese_by_default_and_in_english_on_request(admin_api):
    zh = post_json(admin_api, "/api/v1/customers", {"kind": "robot", "name": "张三"})
    en = post_json(admin_api, "/api/v1/customers", {"kind": "robot", "name": "张三"}, **EN)
    assert zh.status_code == en.status_code == 422
    assert zh.json()["message"] == "部分字段无效。" and en.json()["message"] == "Some fields are not valid."
    assert zh.json()["fields"].keys() == en.json()["fields"].keys()


def test_a_not_found_in_both_languages(admin_api):
    assert admin_api.get("/api/v1/customers/999999").json()["message"] == "未找到该客户。"
    assert admin_api.get("/api/v1/customers/999999", **EN).json()["message"] == "Customer not found."


def test_a_conflict_with_parameters_in_both_languages(admin_api):
    ticket = post_json(admin_api, "/api/v1/tickets", {"subject": "宽带无法上网", "type": "fault", "channel": "hotline"})
    assert ticket.status_code == 201, ticket.content
    url = f"/api/v1/tickets/{ticket.json()['id']}/transition"
    zh = post_json(admin_api, url, {"status": "closed"})
    en = post_json(admin_api, url, {"status": "closed"}, **EN)
    assert zh.status_code == en.status_code == 409
    assert zh.json()["message"] == "工单不能从“新建”变为“已关闭”。"
    assert en.json()["message"] == "A case cannot go from New to Closed."


def test_request_shape_errors_have_translated_reasons(admin_api):
    body = {"name": "x" * 101, "arpu": "lots"}
    zh = post_json(admin_api, "/api/v1/customers", body).json()
    en = post_json(admin_api, "/api/v1/customers", body, **EN).json()
    assert zh["message"] == "部分字段无效。"
    assert zh["fields"]["kind"] == "必填" and en["fields"]["kind"] == "required"
    assert zh["fields"]["name"] == "最多 100 个字符" and en["fields"]["name"] == "at most 100 characters"
    assert "Field required" not in str(zh) and "String should" not in str(zh)


def test_an_unauthenticated_call_in_both_languages():
    assert Client().get("/api/v1/customers").json()["message"] == "请登录或提供有效的 API 令牌。"
    assert Client().get("/api/v1/customers", **EN).json()["message"] == "Log in or send a valid API token."


def test_a_body_that_is_not_json_in_both_languages(admin_api):
    zh = post_json(admin_api, "/api/v1/customers", "{not json")
    en = post_json(admin_api, "/api/v1/customers", "{not json", **EN)
    assert zh.status_code == en.status_code == 400
    assert (zh.json()["message"], en.json()["message"]) == ("无法解析请求内容", "Cannot parse request body")
