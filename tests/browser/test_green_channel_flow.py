"""A key-account manager walks a green-channel process (绿色通道) in Chinese from the customer visit to
service activation: starts it from the account, uploads each step's required document, completes the
steps in order (a step cannot be completed before its document is there), and sees it completed; no
sideways scroll at 1,280 px."""

from importlib import import_module

import pytest
from django.apps import apps
from playwright.sync_api import Page, expect

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.key_accounts.models import GreenProcess, GreenStep, KeyAccountTier
from guanxi.key_accounts.services import key_account_designate
from guanxi.key_accounts.tests.factories import organisation
from guanxi.tasks.models import Task

from .test_customer_flow import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
STEPS = ["客户拜访", "业务受理", "合同签订", "项目实施", "业务开通"]


def test_a_key_account_manager_walks_a_green_channel_process(page: Page, live_server, tmp_path):
    # Live-server tests flush the database after them: seed again what the migrations seeded.
    import_module("guanxi.key_accounts.migrations.0001_initial").seed_tiers(apps, None)
    import_module("guanxi.key_accounts.migrations.0002_green_yellow_channels").seed(apps, None)
    admin = UserFactory(role=Role.ADMIN)
    manager = UserFactory(role=Role.KEY_ACCOUNT_MANAGER, username="kam9", display_name="客户经理老周")
    account = key_account_designate(actor=SYSTEM, customer=organisation(admin, "星河控股集团"),
                                    tier=KeyAccountTier.objects.get(code="strategic"), manager=manager,
                                    reason="战略客户")
    document = tmp_path / "资料.pdf"
    document.write_bytes(b"%PDF-1.4 demo")
    base = live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    log_in(page, base, manager.username)
    page.goto(f"{base}/key-accounts/{account.pk}/")
    page.get_by_role("link", name="绿色通道").first.click()
    expect(page.locator("h1")).to_contain_text("绿色通道 · 星河控股集团")
    page.locator("#gx-green-title").fill("专线扩容项目")
    page.get_by_role("button", name="启动绿色通道").click()
    expect(page.locator("h1")).to_contain_text("专线扩容项目")
    process = GreenProcess.objects.get()

    for position, name in enumerate(STEPS, start=1):
        card = page.locator(f"#step-{position}")
        expect(card).to_contain_text("进行中")
        complete = card.get_by_role("button", name="完成此步骤")
        expect(complete).to_be_disabled()  # its required document is missing
        card.locator('input[type="file"]').set_input_files(str(document))
        card.get_by_role("button", name="上传").click()
        expect(page.locator("#gx-messages")).to_contain_text("文件已上传")
        card = page.locator(f"#step-{position}")
        card.locator('input[name="notes"]').fill(f"{name}已完成")
        card.get_by_role("button", name="完成此步骤").click()
        expect(page.locator(f"#step-{position}")).to_contain_text("已完成")
        if position == 1:
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            shot(page, "green-channel-step")

    expect(page.locator("h1")).to_contain_text("已完成")
    assert GreenProcess.objects.get().status == "done"
    steps = GreenStep.objects.filter(process=process)
    assert set(steps.values_list("status", flat=True)) == {"done"}
    assert set(Task.objects.filter(pk__in=steps.values("task_id")).values_list("status", flat=True)) == {"done"}
    page.goto(f"{base}/key-accounts/{account.pk}/green/")
    expect(page.locator("table")).to_contain_text("专线扩容项目")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "green-channel-list")
    assert errors == []
