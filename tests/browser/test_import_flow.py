"""An administrator imports a POS export in the browser: upload → map the unknown column →
preview → check every row → commit; the customers are then in the list."""

import csv
import os

import pytest
from playwright.sync_api import Page, expect

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.customers.models import Customer, ImportMapping

from .test_customer_flow import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def private_dirs(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_WORK_DIR = str(tmp_path / "work")


def test_upload_map_validate_commit(page: Page, live_server, tmp_path, private_dirs):
    admin = UserFactory(role=Role.ADMIN, username="importer", display_name="导入员")
    path = tmp_path / "pos.csv"
    with open(path, "w", encoding="gbk", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["客户类别", "会员名", "手机号码", "所在省"])
        writer.writerows([["个人", f"会员{i}", f"1390000{i:04d}", "浙江"] for i in range(25)])
    base = live_server.url
    log_in(page, base, admin.username)

    page.goto(f"{base}/customers/")
    page.locator("#gx-import").click()
    page.locator("#id_source").fill("POS 门店系统")
    page.locator("#id_file").set_input_files(str(path))
    page.locator("#gx-import-submit").click()

    # 会员名 is not a header the system knows: map it by hand, then look at the first rows.
    expect(page.locator("#gx-import-mapping")).to_be_visible()
    expect(page.locator("#id_col_2")).to_have_value("mobile")
    page.locator("#id_col_1").select_option("name")
    page.locator("#gx-import-preview").click()
    expect(page.locator("#gx-import-preview-table")).to_contain_text("会员9")
    shot(page, "import-preview")

    page.locator("#gx-import-validate").click()
    expect(page.locator("#gx-import-status")).to_have_text("已校验")
    expect(page.locator("#gx-import-errors")).to_have_text("0")
    assert Customer.objects.count() == 0
    shot(page, "import-validated")

    page.locator("#gx-import-commit").click()
    expect(page.locator("#gx-import-status")).to_have_text("已完成")
    expect(page.locator("#gx-import-created")).to_contain_text("25")
    expect(page.locator("#gx-import-progress")).to_contain_text("100%")
    shot(page, "import-done")
    assert Customer.objects.filter(name="会员7", mobile="+8613900000007").exists()
    assert ImportMapping.objects.get(source="POS 门店系统").mapping["会员名"] == "name"

    page.goto(f"{base}/customers/?q=会员7")
    expect(page.locator("#customer-table")).to_contain_text("会员7")
    assert os.path.exists(tmp_path / "media" / "imports")
