"""Retention rules: each kind goes exactly at the end of its period (not a day before), holds and open
business keep their rows, a dry run changes nothing, a stopped run is finished by the next."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.catalog.tests.factories import make_product
from guanxi.core.errors import PermissionDenied, ValidationFailed
from guanxi.customers.models import Customer, ImportJob
from guanxi.customers.services.customers import customer_delete
from guanxi.customers.services.imports import import_job_create
from guanxi.customers.tests.factories import make_customer
from guanxi.integrations.messaging.inbound import sms_inbound_accept, sms_inbox_apply
from guanxi.integrations.messaging.models import InboundSms, OutboundMessage
from guanxi.integrations.messaging.services import message_deliver, message_send
from guanxi.marketing.enums import LeadStatus
from guanxi.marketing.models import Lead
from guanxi.marketing.tests.factories import make_lead
from guanxi.orders.models import Order
from guanxi.orders.services import order_deliver
from guanxi.orders.tests.factories import order, pay
from guanxi.portal.models import PortalAccount
from guanxi.portal.services import portal_account_create
from guanxi.privacy.models import DataRequest, PersonalDataAccess, RetentionRule, RetentionRun
from guanxi.privacy.retention import retention_rule_update, retention_sweep
from guanxi.privacy.scrub import REDACTED
from guanxi.privacy.tasks import retention_sweep_task
from guanxi.servicedesk.models import Call, CtiEvent
from guanxi.servicedesk.services.cti import cti_event_receive
from guanxi.servicedesk.services.tickets import ticket_create

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC)
MOBILE = "13812345678"


def at(moment):
    return time_machine.travel(moment, tick=False)


def rule(kind: str, days: int, action: str) -> RetentionRule:
    return retention_rule_update(actor=SYSTEM, rule=RetentionRule.objects.get(kind=kind), period_days=days,
                                 action=action, is_enabled=True)


def sweep(moment, **options) -> dict[str, RetentionRun]:
    with at(moment):
        return {run.kind: run for run in retention_sweep(actor=SYSTEM, **options)}


def before_and_at(days: int):
    """A minute before the period is over, and the moment it is."""
    end = T0 + dt.timedelta(days=days)
    return end - dt.timedelta(days=1), end


def test_the_defaults_are_seeded_disabled_and_a_sweep_then_does_nothing():
    assert RetentionRule.objects.count() == 8 and not RetentionRule.objects.filter(is_enabled=True).exists()
    PersonalDataAccess.objects.create(at=T0, user=UserFactory(), fields="mobile", channel="page")
    assert sweep(T0 + dt.timedelta(days=5000)) == {}
    assert PersonalDataAccess.objects.count() == 1 and not RetentionRun.objects.exists()


@pytest.mark.parametrize("action", ["anonymise", "delete"])
def test_calls_lose_the_callers_number_and_their_cti_events_at_the_end_of_the_period(action):
    with at(T0):
        cti_event_receive(actor=SYSTEM, event_id="e1", type="call_started", call_id="c1", caller=MOBILE,
                          payload={"caller": MOBILE})
    rule("calls", 365, action)
    day_before, end = before_and_at(365)
    sweep(day_before)
    assert Call.objects.get().caller == MOBILE and CtiEvent.objects.count() == 1
    runs = sweep(end)
    assert not CtiEvent.objects.exists()
    if action == "delete":
        assert not Call.objects.exists()
    else:
        call = Call.objects.get()
        assert (call.caller, call.caller_normalized, call.call_id) == ("", "", "c1")
    assert runs["calls"].processed == 2 and runs["calls"].changed["servicedesk.CtiEvent"] == 1  # the call, its event
    assert sweep(end + dt.timedelta(days=1))["calls"].expired == 0  # nothing left to do


def test_sent_messages_are_anonymised_and_queued_ones_wait():
    with at(T0):
        sent = message_send(channel="sms", recipient="+86" + MOBILE, body=f"您的验证码 1234，{MOBILE}")
        message_deliver(message_id=sent.pk)
        queued = message_send(channel="sms", recipient="+8613900000000", body="还在排队")
    rule("outbound_messages", 30, "anonymise")
    day_before, end = before_and_at(30)
    sweep(day_before)
    assert OutboundMessage.objects.get(pk=sent.pk).recipient == "+86" + MOBILE
    sweep(end)
    sent.refresh_from_db()
    assert (sent.recipient, sent.body, sent.status) == ("", REDACTED, "sent")
    assert OutboundMessage.objects.get(pk=queued.pk).body == "还在排队"


def test_inbound_sms_are_deleted_after_the_period():
    with at(T0):
        sms_inbound_accept(phone="+86" + MOBILE, text="退订", message_key="m1", apply=False)
        sms_inbox_apply()
    assert InboundSms.objects.get().status != "pending"
    rule("inbound_sms", 90, "delete")
    day_before, end = before_and_at(90)
    sweep(day_before)
    assert InboundSms.objects.count() == 1
    assert sweep(end)["inbound_sms"].changed == {"messaging.InboundSms": 1}
    assert not InboundSms.objects.exists()


def test_untouched_unconverted_leads_are_anonymised_with_their_history_and_converted_ones_stay():
    with at(T0):
        lead = make_lead(person_name="欧阳晓燕", mobile=MOBILE, interest=f"请打 {MOBILE}")
        converted = make_lead(person_name="王大力", mobile="13900001111")
        Lead.objects.filter(pk=converted.pk).update(status=LeadStatus.CONVERTED)
    with at(T0 + dt.timedelta(days=10)):
        touched = make_lead(person_name="张三", mobile="13900002222")
    rule("leads", 365, "anonymise")
    day_before, end = before_and_at(365)
    sweep(day_before)
    assert Lead.objects.get(pk=lead.pk).person_name == "欧阳晓燕"
    runs = sweep(end)
    lead.refresh_from_db()
    assert (lead.person_name, lead.mobile, lead.phone) == ("匿名", "", REDACTED) and MOBILE not in lead.interest
    assert not Lead.history.model.objects.filter(id=lead.pk, person_name="欧阳晓燕").exists()
    assert Lead.objects.get(pk=converted.pk).person_name == "王大力"
    assert Lead.objects.get(pk=touched.pk).person_name == "张三"
    assert runs["leads"].processed == 1


def test_import_files_are_deleted_from_storage_and_the_job_keeps_its_counts(django_capture_on_commit_callbacks):
    admin = UserFactory(role=Role.ADMIN)
    with at(T0):
        upload = SimpleUploadedFile("张三的客户.csv", f"姓名,手机\n张三,{MOBILE}\n".encode())
        job = import_job_create(actor=admin, upload=upload, original_name="张三的客户.csv")
    job.refresh_from_db()
    stored = job.file.name
    assert stored and default_storage.exists(stored)
    rule("import_files", 180, "anonymise")
    day_before, end = before_and_at(180)
    sweep(day_before)
    assert default_storage.exists(stored)
    job_before = ImportJob.objects.get(pk=job.pk)
    with django_capture_on_commit_callbacks(execute=True):  # the files go once the batch commits
        runs = sweep(end)
    job.refresh_from_db()
    assert (job.file.name, job.original_name, job.errors) == ("", REDACTED, [])
    assert job.total_rows == job_before.total_rows
    assert not default_storage.exists(stored)
    assert runs["import_files"].processed == 1


def test_the_access_log_is_deleted_after_its_period_only():
    user = UserFactory(role=Role.ADMIN)
    for days in (0, 1, 2):
        PersonalDataAccess.objects.create(at=T0 + dt.timedelta(days=days), user=user, fields="mobile", channel="page")
    rule("access_log", 180, "delete")
    sweep(T0 + dt.timedelta(days=180, hours=1))
    assert sorted(PersonalDataAccess.objects.values_list("at", flat=True)) == [
        T0 + dt.timedelta(days=1), T0 + dt.timedelta(days=2)]


def test_inactive_portal_accounts_go_but_not_while_the_customer_has_an_open_case():
    admin = UserFactory(role=Role.ADMIN)
    with at(T0):
        quiet = make_customer(admin, name="安静客户", mobile="13900003333")
        busy = make_customer(admin, name="有工单客户", mobile="13900004444")
        portal_account_create(actor=admin, customer=quiet)
        portal_account_create(actor=admin, customer=busy)
        ticket_create(actor=admin, customer=busy, data={"subject": "报修", "type": "query", "channel": "hotline"})
    rule("portal_accounts", 400, "delete")
    day_before, end = before_and_at(400)
    sweep(day_before)
    assert PortalAccount.objects.count() == 2
    runs = sweep(end)
    assert list(PortalAccount.objects.values_list("customer_id", flat=True)) == [busy.pk]
    assert (runs["portal_accounts"].processed, runs["portal_accounts"].kept) == (1, 1)


def _closed_customers(admin):
    product = make_product("HX-T1", price="1000.00", since=dt.date(2024, 1, 1))
    with at(T0):
        gone = make_customer(admin, name="欧阳晓燕", mobile=MOBILE, email="xy@example.com")
        paid = order(admin, gone, product, quantity=1, day=T0.date())
        pay(admin, gone, "1000.00", orders=[(paid, "1000.00")], day=T0.date())
        paid = order_deliver(actor=admin, order=paid)  # a confirmed order is open business until delivered
        owing = make_customer(admin, name="欠款客户", mobile="13900005555")
        order_deliver(actor=admin, order=order(admin, owing, product, quantity=1, day=T0.date()))
        alive = make_customer(admin, name="在用客户", mobile="13900006666")
        for customer in (gone, owing):
            customer_delete(actor=admin, customer=customer)
    return gone, owing, alive, paid


def test_closed_customers_are_anonymised_through_the_erasure_keeping_figures_and_holds():
    admin = UserFactory(role=Role.ADMIN)
    gone, owing, alive, paid = _closed_customers(admin)
    rule("closed_customers", 730, "anonymise")
    day_before, end = before_and_at(730)
    sweep(day_before)
    assert Customer.objects.get(pk=gone.pk).name == "欧阳晓燕"
    run = sweep(end)["closed_customers"]
    gone.refresh_from_db()
    assert gone.name == f"匿名客户{gone.pk}" and gone.mobile == "" and gone.email == ""
    assert Order.objects.get(pk=paid.pk).total == Decimal("1000.00")
    assert Customer.objects.get(pk=owing.pk).name == "欠款客户"  # money owed: a legal hold
    assert Customer.objects.get(pk=alive.pk).name == "在用客户"
    assert (run.expired, run.processed, run.kept) == (2, 1, 1)
    erasure = DataRequest.objects.get(customer=gone)
    assert (erasure.kind, erasure.status) == ("erasure", "executed")
    assert erasure.note == "retention: closed_customers, 730 days"
    again = sweep(end + dt.timedelta(days=1))["closed_customers"]  # erased once: not again
    assert (again.expired, again.processed) == (1, 0) and DataRequest.objects.count() == 1


def test_a_dry_run_counts_every_rule_and_changes_nothing():
    admin = UserFactory(role=Role.ADMIN)
    gone, *_others = _closed_customers(admin)
    for days in (0, 1):
        PersonalDataAccess.objects.create(at=T0 + dt.timedelta(days=days), user=admin, fields="mobile",
                                          channel="page")
    rule("access_log", 200, "delete")  # closed customers stay disabled: previewed all the same
    runs = sweep(T0 + dt.timedelta(days=2000), dry_run=True)  # past the default 1825 days
    assert (runs["access_log"].expired, runs["access_log"].processed) == (2, 2)
    assert (runs["closed_customers"].expired, runs["closed_customers"].processed,
            runs["closed_customers"].kept) == (2, 1, 1)
    assert all(run.pk is None for run in runs.values()) and len(runs) == 8
    assert PersonalDataAccess.objects.count() == 2 and Customer.objects.get(pk=gone.pk).name == "欧阳晓燕"
    assert not RetentionRun.objects.exists() and not DataRequest.objects.exists()


def test_a_run_stopped_after_some_batches_is_finished_by_the_next():
    user = UserFactory(role=Role.ADMIN)
    for minutes in range(5):
        PersonalDataAccess.objects.create(at=T0 + dt.timedelta(minutes=minutes), user=user, fields="mobile",
                                          channel="page")
    rule("access_log", 180, "delete")
    later = T0 + dt.timedelta(days=200)
    first = sweep(later, batch_size=2, max_batches=1)["access_log"]
    assert (first.status, first.processed, first.expired, first.batches) == ("partial", 2, 5, 1)
    assert PersonalDataAccess.objects.count() == 3
    second = sweep(later, batch_size=2)["access_log"]
    assert (second.status, second.processed, second.expired, second.batches) == ("done", 3, 3, 2)
    assert not PersonalDataAccess.objects.exists()
    assert RetentionRun.objects.count() == 2


def test_a_run_left_running_by_a_dead_process_is_marked_interrupted():
    user = UserFactory(role=Role.ADMIN)
    PersonalDataAccess.objects.create(at=T0, user=user, fields="mobile", channel="page")
    rule("access_log", 180, "delete")
    dead = RetentionRun.objects.create(kind="access_log", action="delete", period_days=180, cutoff=T0,
                                       started_at=T0, updated_at=T0)
    sweep(T0 + dt.timedelta(days=200))
    dead.refresh_from_db()
    assert dead.status == "interrupted"


def test_rules_refuse_bad_periods_and_actions_the_kind_does_not_allow():
    access = RetentionRule.objects.get(kind="access_log")
    for bad in (-1, 0, 179, 7301):
        with pytest.raises(ValidationFailed) as refused:
            retention_rule_update(actor=SYSTEM, rule=access, period_days=bad, is_enabled=True)
        assert "period_days" in refused.value.fields
    with pytest.raises(ValidationFailed) as refused:
        retention_rule_update(actor=SYSTEM, rule=access, action="anonymise")
    assert "action" in refused.value.fields
    access.refresh_from_db()
    assert (access.period_days, access.action, access.is_enabled) == (1095, "delete", False)


@pytest.mark.parametrize("role", [Role.AGENT, Role.SERVICE_MANAGER, Role.SALES_REP])
def test_only_the_privacy_officer_configures_or_runs(role):
    user = UserFactory(role=role)
    access = RetentionRule.objects.get(kind="access_log")
    with pytest.raises(PermissionDenied):
        retention_rule_update(actor=user, rule=access, period_days=400)
    with pytest.raises(PermissionDenied):
        retention_sweep(actor=user, dry_run=True)
    access.refresh_from_db()
    assert access.period_days == 1095


def test_the_command_runs_dry_and_refuses_bad_input(capsys):
    PersonalDataAccess.objects.create(at=T0, user=UserFactory(), fields="mobile", channel="page")
    rule("access_log", 180, "delete")
    with at(T0 + dt.timedelta(days=200)):
        call_command("retention_sweep", "--dry-run", "--json")
    out = capsys.readouterr().out
    assert '"kind": "access_log"' in out and '"processed": 1' in out
    assert PersonalDataAccess.objects.count() == 1
    with pytest.raises(CommandError, match="unknown kind"):
        call_command("retention_sweep", "--kind", "everything")
    with pytest.raises(CommandError, match="at least 1"):
        call_command("retention_sweep", "--batch-size", "0")
    with at(T0 + dt.timedelta(days=200)):
        call_command("retention_sweep")
    assert not PersonalDataAccess.objects.exists()


def test_the_sweep_is_scheduled_daily_as_a_job_that_applies_the_enabled_rules(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["privacy-retention-sweep"]
    assert entry["task"] == retention_sweep_task.name == "privacy.retention_sweep"
    PersonalDataAccess.objects.create(at=T0, user=UserFactory(), fields="mobile", channel="page")
    rule("access_log", 180, "delete")
    with at(T0 + dt.timedelta(days=181)):
        run_ids = retention_sweep_task.delay().get()
    run = RetentionRun.objects.get()
    assert run_ids == [run.pk] and (run.kind, run.processed, run.actor) == ("access_log", 1, None)
    assert not PersonalDataAccess.objects.exists()
