"""Pages run under `script-src 'self'`: no inline script or handler is refused and the behaviour that
used to be inline (the attainment page's month filter) still works."""

import pytest
from playwright.sync_api import Page, expect

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory

from .test_customer_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_s_pages_run_under_the_policy_and_the_month_filter_applies_itself(page: Page, live_server):
    manager = UserFactory(role=Role.SERVICE_MANAGER, username="manager3")
    base = live_server.url
    log_in(page, base, manager.username)
    for path in ("/", "/customers/", "/service/", "/segments/analysis/", "/service/knowledge/"):
        response = page.goto(f"{base}{path}")
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
    docs = page.goto(f"{base}/api/v1/docs")
    assert docs.status == 200
    # The page renders once it has fetched the whole OpenAPI schema, built on first request: seconds on a busy machine.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Guanxi API", timeout=30_000)
    page.goto(f"{base}/service/attainment/")
    page.locator("#gx-months").select_option("6")
    expect(page).to_have_url(f"{base}/service/attainment/?months=6")
