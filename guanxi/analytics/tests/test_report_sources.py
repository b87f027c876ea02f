"""Scheduled reports of a saved explorer view, a data-mining analysis and the CRM quality assessment:
a daily period sent once, to each recipient an XLSX and a PDF rendered with their own rights (row
scope, masked names) attached to a real e-mail and kept for them alone; a recipient who may no
longer see it skipped with the reason; a deleted source refused at creation and, deleted later,
stopping the subscription with the reason shown."""

import datetime as dt
import io

import pytest
import time_machine
from django.core import mail
from django.test import Client
from openpyxl import load_workbook
from pypdf import PdfReader

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.analytics.explorer.query import ExplorerQuery
from guanxi.analytics.explorer.saved import explorer_view_delete, explorer_view_save
from guanxi.analytics.models import ExplorerView, ReportDelivery, ReportFile, ReportSubscription
from guanxi.analytics.reports.services import report_subscription_create, reports_send_due
from guanxi.analytics.services import warehouse_refresh
from guanxi.core.errors import ValidationFailed
from guanxi.customers.tests.factories import make_customer
from guanxi.integrations.messaging.attachments import message_attachments
from guanxi.integrations.messaging.models import OutboundMessage
from guanxi.orders.tests.factories import world
from guanxi.servicedesk.services.tickets import ticket_create

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 9, 2, tzinfo=dt.UTC)  # Monday 10:00 in Shanghai
NEXT_DAY = NOW + dt.timedelta(days=1)
EMAIL = "guanxi.integrations.messaging.backends.DjangoEmailBackend"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _private_dirs(settings, tmp_path):
    settings.WAREHOUSE_DIR = str(tmp_path / "warehouse")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.MESSAGING_BACKENDS = {"email": EMAIL, "sms": "guanxi.integrations.messaging.backends.LocalBackend"}


@pytest.fixture
def cases():
    """Cases on the sales rep's customer 华星客户 and on another rep's 李四, in the warehouse."""
    with time_machine.travel(NOW, tick=False):
        w = world()
        w["rep"].email = "rep@example.cn"
        w["rep"].save(update_fields=["email"])
        other = UserFactory(role=Role.SALES_REP)
        theirs = make_customer(other, name="李四")
        for customer, actor in ((w["customer"], w["rep"]), (theirs, other), (theirs, other)):
            ticket_create(actor=actor, customer=customer, data={"subject": "宽带断线", "type": "fault",
                                                                "channel": "hotline"})
        warehouse_refresh(actor=SYSTEM, full=True)
    return w


def _user(role, name, **extra):
    return UserFactory(role=role, email=f"{name}@example.cn", **extra)


def _view(owner, name="每日工单按客户"):
    query = ExplorerQuery(measures=("cases",), rows=("customer",), date_from=dt.date(2026, 1, 1),
                          date_to=dt.date(2026, 12, 31))
    return explorer_view_save(actor=owner, name=name, query=query, sharing=ExplorerView.Sharing.EVERYONE)


def _sheet_rows(content: bytes) -> list[tuple]:
    return [tuple(row) for row in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]


def _pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_a_daily_view_report_goes_once_a_day_to_each_recipient_as_they_may_see_it(
        cases, django_capture_on_commit_callbacks):
    manager, analyst = _user(Role.SERVICE_MANAGER, "m"), _user(Role.ANALYST, "a")
    leaver, rep = _user(Role.ANALYST, "x"), cases["rep"]
    with time_machine.travel(NOW, tick=False):
        view = _view(manager)
        report_subscription_create(
            actor=manager, name="每日工单", kind="explorer_view", cadence="daily", explorer_view_id=view.pk,
            recipient_ids=[manager.pk, analyst.pk, rep.pk, leaver.pk])
    leaver.role = Role.AGENT  # may no longer open the explorer when the report goes out
    leaver.save(update_fields=["role"])
    with time_machine.travel(NEXT_DAY, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert reports_send_due() == 1
        assert reports_send_due() == 0  # once a day
    delivery = ReportDelivery.objects.get()
    assert delivery.period_start == delivery.period_end == dt.date(2026, 3, 9)
    assert sorted(delivery.recipients) == sorted([manager.username, analyst.username, rep.username])
    assert [s["user"] for s in delivery.skipped] == [leaver.username] and delivery.skipped[0]["reason"]

    def files(user):
        found = {f.content_type: bytes(f.content) for f in ReportFile.objects.filter(delivery=delivery, recipient=user)}
        return _sheet_rows(found[XLSX]), _pdf_text(found["application/pdf"])

    # The service manager sees every customer's cases with names; the analyst the same rows, masked.
    rows, text = files(manager)
    assert ("华星客户", 1) in rows and ("李四", 2) in rows and ("合计", 3) in rows
    assert "华星客户" in text and "李四" in text and "每日工单按客户" in text
    rows, text = files(analyst)
    assert ("华***", 1) in rows and ("李**", 2) in rows and ("合计", 3) in rows
    assert "华星客户" not in text and "李四" not in text and "李**" in text
    # The sales rep sees only the cases of the customer they own.
    rows, text = files(rep)
    assert ("华星客户", 1) in rows and not any("李" in str(r[0]) for r in rows if r and r[0])
    assert not ReportFile.objects.filter(recipient=leaver).exists()
    # Real MIME attachments: the analyst's e-mail carries the analyst's files.
    sent = {m.to[0]: m for m in mail.outbox}
    assert set(sent) == {"m@example.cn", "a@example.cn", "rep@example.cn"}
    names = [(name, kind) for name, _content, kind in sent["a@example.cn"].attachments]
    assert names == [("每日工单-20260309.xlsx", XLSX), ("每日工单-20260309.pdf", "application/pdf")]
    assert _sheet_rows(sent["a@example.cn"].attachments[0][1]) == files(analyst)[0]
    outbox = OutboundMessage.objects.get(recipient="a@example.cn")
    assert outbox.status == "sent" and len(message_attachments(outbox)) == 2
    # Each copy is served to its recipient only.
    mine = ReportFile.objects.get(delivery=delivery, recipient=analyst, content_type=XLSX)
    client = Client()
    client.force_login(analyst)
    assert client.get(f"/analytics/reports/files/{mine.pk}/").content == bytes(mine.content)
    assert "每日工单" in client.get("/analytics/reports/received/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    client.force_login(manager)
    assert client.get(f"/analytics/reports/files/{mine.pk}/").status_code == 404
    with time_machine.travel(NEXT_DAY + dt.timedelta(days=1), tick=False):
        assert reports_send_due() == 1
    assert ReportDelivery.objects.count() == 2


def test_a_deleted_view_is_refused_and_a_view_deleted_later_stops_the_schedule(cases):
    manager = _user(Role.SERVICE_MANAGER, "m")
    with time_machine.travel(NOW, tick=False):
        view, gone = _view(manager), _view(manager, "将删除")
        explorer_view_delete(actor=manager, view=gone)
        with pytest.raises(ValidationFailed) as refused:
            report_subscription_create(actor=manager, name="x", kind="explorer_view", cadence="daily",
                                       explorer_view_id=gone.pk, recipient_ids=[manager.pk])
        assert "explorer_view" in refused.value.fields
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(manager)
        answer = client.post("/api/v1/analytics/report-subscriptions", {
            "name": "x", "kind": "explorer_view", "cadence": "daily", "explorer_view": gone.pk,
            "recipients": [manager.pk]}, content_type="application/json")
        assert answer.status_code == 422 and "已被删除" in answer.json()["fields"]["explorer_view"]
        answer = client.post("/api/v1/analytics/report-subscriptions", {
            "name": "每日工单", "kind": "explorer_view", "cadence": "daily", "explorer_view": view.pk,
            "recipients": [manager.pk]}, content_type="application/json")
        assert answer.status_code == 201, answer.content
        created = answer.json()["id"]
        explorer_view_delete(actor=manager, view=view)
    with time_machine.travel(NEXT_DAY, tick=False):
        assert reports_send_due() == 0
        assert reports_send_due() == 0
        subscription = ReportSubscription.objects.get(pk=created)
        assert not subscription.is_active and "每日工单按客户" in subscription.stopped_reason
        assert not ReportDelivery.objects.exists() and not OutboundMessage.objects.exists()
        client.force_login(manager)  # a day later: signed in again
        page = client.get("/analytics/reports/").content.decode()
        assert "已停止" in page and "已被删除" in page
        listed = client.get("/api/v1/analytics/report-subscriptions?limit=1").json()
        assert [s["id"] for s in listed["items"]] == [created] and listed["items"][0]["is_active"] is False
        stopped = client.post(f"/analytics/reports/{created}/send/", follow=True)
        assert stopped.status_code == 200 and "此定期报表已停止" in stopped.content.decode()
        assert client.delete(f"/api/v1/analytics/report-subscriptions/{created}").status_code == 204
    assert not ReportSubscription.objects.exists()


def test_quality_report_and_an_unknown_analysis(django_capture_on_commit_callbacks):
    analyst = _user(Role.ANALYST, "a")
    agent_with_phone = UserFactory(role=Role.AGENT, email="", mobile="+8613800138000")
    with time_machine.travel(NOW, tick=False):
        with pytest.raises(ValidationFailed) as refused:
            report_subscription_create(actor=analyst, name="挖掘", kind="mining", cadence="weekly",
                                       analysis_id=987654, recipient_ids=[analyst.pk])
        assert "analysis" in refused.value.fields
        with pytest.raises(ValidationFailed) as refused:  # an agent may not see the assessment
            report_subscription_create(actor=analyst, name="质量", kind="quality", cadence="monthly",
                                       recipient_ids=[analyst.pk, agent_with_phone.pk])
        assert "recipients" in refused.value.fields
        sales_manager = UserFactory(role=Role.SALES_MANAGER, email="", mobile="+8613900139000")
        report_subscription_create(actor=analyst, name="质量月报", kind="quality", cadence="monthly",
                                   recipient_ids=[analyst.pk, sales_manager.pk])
    with (time_machine.travel(dt.datetime(2026, 4, 1, 2, tzinfo=dt.UTC), tick=False),
          django_capture_on_commit_callbacks(execute=True)):
        assert reports_send_due() == 1
    assert len(mail.outbox) == 1 and len(mail.outbox[0].attachments) == 2
    sms = OutboundMessage.objects.get(channel="sms")
    assert sms.recipient == "+8613900139000" and "/analytics/reports/received/" in sms.body
    copy = ReportFile.objects.get(recipient=sales_manager, content_type="application/pdf")
    assert "尚未记录CRM质量评估" in _pdf_text(bytes(copy.content))
