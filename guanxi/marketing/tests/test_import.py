import pytest

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.errors import PermissionDenied, ValidationFailed
from guanxi.customers.tests.factories import make_customer
from guanxi.marketing.enums import LeadSource
from guanxi.marketing.models import Lead
from guanxi.marketing.services.imports import leads_import

pytestmark = pytest.mark.django_db

CSV = """姓名,公司名称,手机号码,邮箱,省份,意向产品,备注说明
王芳,,13800138000,,广东,千兆宽带,
李雷,华星科技有限公司,138-1234-5678,li@hx.cn,上海,企业专线,
,,,,,,
韩梅梅,,12345,,,,
,无名公司,,,,,
"""


def test_a_csv_file_is_read_with_the_customer_import_machinery(tmp_path, admin):
    make_customer(admin, name="王芳", mobile="13800138000")
    path = tmp_path / "leads.csv"
    path.write_text(CSV, encoding="gbk")
    result = leads_import(actor=admin, path=path, source=LeadSource.EVENT, source_detail="2026 通信展")
    assert (result.rows, result.created, result.error_rows, result.linked_to_customers) == (4, 2, 2, 1)
    assert [(row, field) for row, field, _reason in result.errors] == [(5, "mobile"), (6, "mobile")]
    assert result.unknown_columns == ["备注说明"]
    lead = Lead.objects.get(person_name="李雷")
    assert (lead.mobile, lead.province, lead.source, lead.source_detail, lead.owner) == (
        "+8613812345678", "上海市", "event", "2026 通信展", None)


def test_an_xlsx_file_imports_too(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["联系人", "电话", "email"])
    book.active.append(["赵敏", "13911112222", "zm@qq.com"])
    path = tmp_path / "leads.xlsx"
    book.save(path)
    assert leads_import(actor=SYSTEM, path=path).created == 1


def test_files_it_cannot_use_and_roles_that_may_not(tmp_path):
    path = tmp_path / "leads.csv"
    path.write_text("城市,行业\n深圳,零售\n", encoding="utf-8")
    with pytest.raises(ValidationFailed):
        leads_import(actor=SYSTEM, path=path)
    with pytest.raises(PermissionDenied):
        leads_import(actor=UserFactory(role=Role.ANALYST), path=path)
    assert not Lead.objects.exists()
