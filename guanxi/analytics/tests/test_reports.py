"""Scheduled reports: due periods rendered to PDF and e-mailed once per period (time-machine), only
to recipients allowed to see them; subscriptions validated and managed on their page."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from pypdf import PdfReader

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.analytics.models import ReportDelivery, ReportFile, ReportSubscription
from guanxi.analytics.reports.periods import report_period
from guanxi.analytics.reports.services import report_subscription_create, reports_send_due
from guanxi.analytics.services import warehouse_refresh
from guanxi.core.errors import ValidationFailed
from guanxi.customers.tests.factories import make_customer
from guanxi.integrations.messaging.models import OutboundMessage
from guanxi.servicedesk.services.tickets import ticket_create

pytestmark = pytest.mark.django_db
MONDAY = dt.datetime(2026, 6, 8, 2, tzinfo=dt.UTC)  # Monday 10:00 in Shanghai


@pytest.fixture(autouse=True)
def _warehouse(settings, tmp_path):
    settings.WAREHOUSE_DIR = str(tmp_path / "warehouse")


def _user(role, **kwargs):
    return UserFactory(role=role, email=f"{kwargs.pop('name', role)}@example.com", **kwargs)


def _pdf_text(data: bytes) -> str:
    import io

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _pdf_of(delivery, user) -> bytes:
    return bytes(ReportFile.objects.get(delivery=delivery, recipient=user, content_type="application/pdf").content)


def test_periods_are_the_last_complete_day_week_and_month():
    assert report_period("daily", dt.date(2026, 6, 8)) == (dt.date(2026, 6, 7), dt.date(2026, 6, 7))
    assert report_period("weekly", dt.date(2026, 6, 8)) == (dt.date(2026, 6, 1), dt.date(2026, 6, 7))
    assert report_period("weekly", dt.date(2026, 6, 14)) == (dt.date(2026, 6, 1), dt.date(2026, 6, 7))
    assert report_period("monthly", dt.date(2026, 3, 1)) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))


def test_weekly_hotspot_report_is_sent_once_per_week_to_allowed_recipients(django_capture_on_commit_callbacks):
    manager, analyst = _user(Role.SERVICE_MANAGER, name="m"), _user(Role.ANALYST, name="a")
    agent = UserFactory(role=Role.AGENT)
    with time_machine.travel(dt.datetime(2026, 6, 3, 2, tzinfo=dt.UTC), tick=False):
        customer = make_customer(manager, name="王五", arpu="30")
        for _ in range(3):
            ticket_create(actor=agent, customer=customer, data={
                "subject": "华星X1电池鼓包", "description": "电池鼓包要求三包换货", "type": "complaint",
                "channel": "hotline"})
    with time_machine.travel(MONDAY, tick=False):
        subscription = report_subscription_create(actor=manager, name="焦点周报", kind="hotspot", cadence="weekly",
                                                  recipient_ids=[manager.pk, analyst.pk])
        analyst.role = Role.AGENT  # loses the right to see it before the report goes out
        analyst.save(update_fields=["role"])
        with django_capture_on_commit_callbacks(execute=True):
            assert reports_send_due() == 1
        assert reports_send_due() == 0  # the same period is never sent twice
    delivery = ReportDelivery.objects.get()
    assert (delivery.period_start, delivery.period_end) == (dt.date(2026, 6, 1), dt.date(2026, 6, 7))
    assert delivery.recipients == [manager.username]
    text = _pdf_text(_pdf_of(delivery, manager))
    assert "焦点分析" in text and "电池鼓包" in text
    assert delivery.skipped == [{"user": analyst.username, "reason": "无权查看焦点分析"}]
    mails = list(OutboundMessage.objects.all())
    assert [m.recipient for m in mails] == ["m@example.com"] and mails[0].status == "sent"
    assert f"/analytics/reports/deliveries/{delivery.pk}/pdf/" in mails[0].body
    with time_machine.travel(MONDAY + dt.timedelta(days=3), tick=False):
        assert reports_send_due() == 0
    with time_machine.travel(MONDAY + dt.timedelta(days=7), tick=False):
        assert reports_send_due() == 1
    assert list(ReportDelivery.objects.order_by("period_start").values_list("period_start", flat=True)) == [
        dt.date(2026, 6, 1), dt.date(2026, 6, 8)]
    subscription.refresh_from_db()
    assert subscription.last_period_start == dt.date(2026, 6, 8)
    # The PDF is there for the recipient, not for someone else.
    client = Client()
    client.force_login(manager)
    response = client.get(f"/analytics/reports/deliveries/{delivery.pk}/pdf/")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    client.force_login(analyst)
    assert client.get(f"/analytics/reports/deliveries/{delivery.pk}/pdf/").status_code == 404


def test_monthly_dashboard_summary_shows_the_owners_cards():
    analyst = _user(Role.ANALYST, name="boss")
    with time_machine.travel(dt.datetime(2026, 7, 1, 2, tzinfo=dt.UTC), tick=False):
        warehouse_refresh(actor=SYSTEM, full=True)
        report_subscription_create(actor=analyst, name="月度经营", kind="dashboard", cadence="monthly",
                                   recipient_ids=[analyst.pk])
        assert reports_send_due() == 1
    delivery = ReportDelivery.objects.get()
    assert (delivery.period_start, delivery.period_end) == (dt.date(2026, 6, 1), dt.date(2026, 6, 30))
    text = _pdf_text(_pdf_of(delivery, analyst))
    assert "2026-06" in text and "工单量" in text and "按生命周期阶段与客户类别的客户数" in text


def test_a_subscription_for_someone_not_allowed_is_refused_and_nothing_is_saved():
    manager = _user(Role.SERVICE_MANAGER, name="m")
    with pytest.raises(ValidationFailed) as refused:
        report_subscription_create(actor=manager, name="焦点周报", kind="hotspot", cadence="weekly",
                                   recipient_ids=[_user(Role.AGENT, name="x").pk])
    assert "recipients" in refused.value.fields
    with pytest.raises(ValidationFailed):
        report_subscription_create(actor=manager, name="", kind="nope", cadence="daily", recipient_ids=[manager.pk])
    assert not ReportSubscription.objects.exists()


def test_the_page_adds_sends_now_and_deletes_a_subscription_in_chinese():
    manager = _user(Role.SERVICE_MANAGER, name="m")
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(manager)
    with time_machine.travel(MONDAY, tick=False):
        page = client.get("/analytics/reports/")
        assert page.status_code == 200 and "定期报表" in page.content.decode()
        response = client.post("/analytics/reports/", {"name": "焦点周报", "kind": "hotspot", "cadence": "weekly",
                                                       "recipients": [manager.pk]})
        assert response.status_code == 302
        subscription = ReportSubscription.objects.get()
        assert client.post(f"/analytics/reports/{subscription.pk}/send/").status_code == 302
        assert client.post(f"/analytics/reports/{subscription.pk}/send/").status_code == 302
        assert ReportDelivery.objects.count() == 1 and OutboundMessage.objects.count() == 1
        bad = client.post("/analytics/reports/", {"name": "x", "kind": "hotspot", "cadence": "yearly",
                                                  "recipients": [manager.pk]})
        assert bad.status_code == 400 and ReportSubscription.objects.count() == 1
    other = _user(Role.SERVICE_MANAGER, name="o")
    intruder = Client()
    intruder.force_login(other)
    assert intruder.post(f"/analytics/reports/{subscription.pk}/delete/").status_code == 404
    assert ReportSubscription.objects.count() == 1
    assert client.post(f"/analytics/reports/{subscription.pk}/delete/").status_code == 302
    assert not ReportSubscription.objects.exists()
    assert _browser_status(UserFactory(role=Role.AGENT)) == 403


def _browser_status(user) -> int:
    client = Client()
    client.force_login(user)
    return client.get("/analytics/reports/").status_code
