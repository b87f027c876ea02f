"""A service manager reviews a duplicate pair, keeps one field from the other record, merges,
lands on the golden record, then undoes the merge."""

import pytest
from playwright.sync_api import Page, expect

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.customers.models import Contact, Customer, CustomerMerge, MatchCandidate
from guanxi.customers.services import contact_add
from guanxi.customers.tests.factories import make_customer

from .test_customer_flow import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_reviews_merges_and_undoes(page: Page, live_server):
    manager = UserFactory(role=Role.SERVICE_MANAGER, username="manager1", display_name="服务经理")
    kept = make_customer(manager, name="黄晓明", mobile="13800138000", email="hxm@example.com", occupation="演员")
    other = make_customer(manager, name="黄小明", mobile="13800138000", occupation="")
    contact = contact_add(actor=manager, customer=other, name="黄太太")
    left, right = sorted((kept.pk, other.pk))
    candidate = MatchCandidate.objects.create(
        left_id=left, right_id=right, probability=0.96, match_weight=8.0,
        reasons=[{"field": "mobile", "label": "手机号相同", "level": "exact", "weight": 6.0},
                 {"field": "name", "label": "姓名拼音相同", "level": "pinyin", "weight": 3.1}])
    base = live_server.url

    log_in(page, base, manager.username)
    page.locator("nav").get_by_role("link", name="重复客户").click()
    row = page.locator(f"#gx-pair-{candidate.pk}")
    expect(row).to_contain_text("96%")
    expect(row).to_contain_text("手机号相同")
    shot(page, "merge-queue")

    row.locator(".gx-compare").click()
    expect(page.locator("h1")).to_have_text("比对重复客户")
    # The more complete record (with the e-mail) is proposed as the one kept, with its own name.
    expect(page.locator("#gx-survivor-left")).to_be_checked()
    expect(page.locator("#f_name_left")).to_be_checked()
    page.locator("#f_name_right").check()  # keep the other record's spelling of the name
    shot(page, "merge-compare")
    page.locator("#gx-merge").click()

    expect(page).to_have_url(f"{base}/customers/{kept.pk}/#merges")
    expect(page.locator("#gx-customer-name")).to_have_text("黄小明")
    expect(page.locator("#contacts")).to_contain_text("黄太太")
    history = page.locator("#merges")
    expect(history).to_contain_text("合并历史")
    expect(history).to_contain_text(other.code)
    shot(page, "merge-survivor")
    assert Contact.objects.get(pk=contact.pk).customer_id == kept.pk
    assert Customer.objects.get(pk=other.pk).merged_into_id == kept.pk

    # The merged record's page points to the survivor.
    page.goto(f"{base}/customers/{other.pk}/")
    expect(page.locator("#gx-merged-banner")).to_be_visible()
    page.locator("#gx-merged-survivor").click()
    expect(page.locator("#gx-customer-name")).to_have_text("黄小明")

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".gx-undo-merge").click()
    expect(page.locator("#gx-messages")).to_contain_text("合并已撤销")
    expect(page.locator("#gx-customer-name")).to_have_text("黄晓明")
    expect(page.locator("#merges")).to_contain_text("撤销")
    expect(page.locator(".gx-undo-merge")).to_have_count(0)
    shot(page, "merge-undone")
    assert Contact.objects.get(pk=contact.pk).customer_id == other.pk
    assert CustomerMerge.objects.get().undone_by_id == manager.pk
    assert MatchCandidate.objects.get(pk=candidate.pk).status == "pending"
