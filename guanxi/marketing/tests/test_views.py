import pytest
from django.test import Client

from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.customers.tests.factories import make_customer
from guanxi.marketing.enums import LeadStatus
from guanxi.marketing.models import Lead

from .factories import make_lead

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_list_filters_and_masks_for_analysts(admin):
    make_lead(person_name="王芳", mobile="13812345678", source="event")
    make_lead(person_name="李雷", mobile="13900000000", source="web_form")
    page = _client(admin).get("/marketing/leads/?source=event").content.decode()
    assert "王芳" in page and "李雷" not in page and "138 1234 5678" not in page  # shown as stored, +86…
    analyst = _client(UserFactory(role=Role.ANALYST)).get("/marketing/leads/?q=王").content.decode()
    assert "王芳" in analyst and "+86138****5678" in analyst and "13812345678" not in analyst
    assert _client(admin).get("/marketing/leads/?status=nonsense&page=abc").status_code == 200


def test_capture_warns_about_duplicates_before_saving(admin):
    customer = make_customer(admin, name="王芳", mobile="13800138000")
    client = _client(admin)
    data = {"person_name": "王芳", "mobile": "13800138000", "source": "manual"}
    response = client.post("/marketing/leads/new/", data)
    assert response.status_code == 400
    assert "可能重复" in response.content.decode() and customer.code in response.content.decode()
    assert not Lead.objects.exists()
    response = client.post("/marketing/leads/new/", {**data, "confirm_duplicate": "on"})
    lead = Lead.objects.get()
    assert response.status_code == 302 and lead.customer == customer and lead.owner == admin
    response = client.post("/marketing/leads/new/", {"person_name": "赵", "mobile": "123", "source": "manual"})
    assert response.status_code == 400 and "不是有效的电话号码" in response.content.decode()


def test_the_lead_page_runs_the_workflow(admin):
    lead = make_lead(admin, person_name="王芳")
    client = _client(admin)
    page = client.get(f"/marketing/leads/{lead.pk}/").content.decode()
    assert "线索甄别" in page and "变更记录" in page
    client.post(f"/marketing/leads/{lead.pk}/contact/", {"contact-note": "已沟通"})
    client.post(f"/marketing/leads/{lead.pk}/qualify/", {"qualify-budget": "3000", "qualify-timeline": "month",
                                                          "qualify-authority": "decision_maker"})
    lead.refresh_from_db()
    assert lead.status == LeadStatus.QUALIFIED and lead.budget == 3000
    response = client.post(f"/marketing/leads/{lead.pk}/disqualify/", {"disqualify-reason": "other"})
    lead.refresh_from_db()
    assert response.status_code == 302 and lead.status == LeadStatus.QUALIFIED  # other needs a note
    assert client.post(f"/marketing/leads/{lead.pk}/bogus/").status_code == 404
    response = client.post(f"/marketing/leads/{lead.pk}/edit/", {"person_name": "王芳", "mobile": "13800138000",
                                                                 "city": "深圳"})
    lead.refresh_from_db()
    assert response.status_code == 302 and lead.city == "深圳"


def test_others_leads_are_not_found_and_analysts_cannot_act(admin):
    lead = make_lead(UserFactory(role=Role.SALES_REP))
    assert _client(UserFactory(role=Role.SALES_REP)).get(f"/marketing/leads/{lead.pk}/").status_code == 404
    analyst = _client(UserFactory(role=Role.ANALYST))
    assert analyst.get(f"/marketing/leads/{lead.pk}/").status_code == 200
    assert analyst.post(f"/marketing/leads/{lead.pk}/contact/").status_code == 403
    assert analyst.get("/marketing/leads/new/").status_code == 403
    assert analyst.get("/marketing/leads/import/").status_code == 403


def test_import_page(admin, tmp_path, django_capture_on_commit_callbacks):
    client = _client(admin)
    path = tmp_path / "leads.csv"
    path.write_text("姓名,手机号码\n孙丽,13966667777\n钱七,123\n", encoding="utf-8")
    with path.open("rb") as upload, django_capture_on_commit_callbacks(execute=True):
        response = client.post("/marketing/leads/import/", {"file": upload, "source_detail": "通信展"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "第 3 行" in page or ">3<" in page
    assert "gx-import-error-table" in page and "gx-import-commit" not in page and not Lead.objects.exists()
    path.write_text("\x00garbage", encoding="utf-8")
    with path.open("rb") as upload:
        assert client.post("/marketing/leads/import/", {"file": upload}).status_code == 400
