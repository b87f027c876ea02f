"""The green channel (绿色通道): a process from a template, its steps taken in order with their
documents, hand-over tasks, step limits on the calendar, late steps escalated; the yellow channel's
visits (none in the past) and coverage per manager."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import UserFactory
from guanxi.core.errors import Conflict, PermissionDenied, ValidationFailed
from guanxi.core.testing import rows_of
from guanxi.tasks.models import Task

from ..enums import GreenStatus, StepStatus, VisitKind, VisitStatus
from ..models import GreenStep, GreenTemplate, KeyAccountTier, Visit
from ..selectors import visit_coverage
from ..services import (
    green_document_upload,
    green_process_start,
    green_step_complete,
    green_step_reopen,
    green_steps_escalate,
    green_template_save,
    visit_record,
    visit_schedule,
)
from .factories import account, kam

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
START = dt.datetime(2026, 9, 29, 9, tzinfo=SHANGHAI)  # a Tuesday before the National Day week


def default_template():
    return GreenTemplate.objects.get(name="大客户绿色通道（标准流程）")


def pdf(name="doc.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 test", content_type="application/pdf")


def steps_of(process):
    return list(GreenStep.objects.filter(process=process).order_by("position"))


def complete_with_documents(actor, step, now):
    for name in step.required_documents:
        green_document_upload(actor=actor, step=step, name=name, upload=pdf(), now=now)
    return green_step_complete(actor=actor, step=step, notes="完成", now=now)


@pytest.fixture
def world(admin):
    first, second = kam(), kam()
    return {
        "first": first,
        "second": second,
        "mine": account(admin, first, name="甲集团"),
        "theirs": account(admin, second, name="丙集团"),
    }


def test_the_default_template_has_the_five_seeded_steps():
    names = list(default_template().steps.order_by("position").values_list("name", flat=True))
    assert names == ["客户拜访", "业务受理", "合同签订", "项目实施", "业务开通"]


def test_a_process_walks_from_visit_to_activation_with_hand_over_tasks(world):
    me, mine = world["first"], world["mine"]
    process = green_process_start(actor=me, account=mine, template=default_template(), now=START)
    first = steps_of(process)[0]
    assert first.status == StepStatus.ACTIVE and first.owner == me
    # 客户拜访: 2 working days from Tuesday 29 September: Wednesday 30, then 1–7 October are off → Thursday 8.
    assert first.due_at == dt.datetime(2026, 10, 8, 18, tzinfo=SHANGHAI)
    assert Task.objects.get(pk=first.task_id).kind == "hand_over"
    now = START
    for position in range(1, 6):
        step = GreenStep.objects.get(process=process, position=position)
        now += dt.timedelta(hours=1)
        complete_with_documents(me, step, now)
    process.refresh_from_db()
    assert process.status == GreenStatus.DONE and process.finished_at == now
    tasks = Task.objects.filter(pk__in=[s.task_id for s in steps_of(process)])
    assert tasks.count() == 5 and set(tasks.values_list("status", flat=True)) == {"done"}


def test_business_handling_in_hours_is_due_across_the_holiday_week(world):
    me, mine = world["first"], world["mine"]
    process = green_process_start(actor=me, account=mine, template=default_template(), now=START)
    complete_with_documents(me, steps_of(process)[0], dt.datetime(2026, 9, 30, 14, tzinfo=SHANGHAI))
    second = steps_of(process)[1]
    # 16 working hours from Wednesday 30 September 14:00: 4 that day, 8 on Thursday 8 October, 4 on Friday 9
    # (9–12 and 13–14).
    assert second.due_at == dt.datetime(2026, 10, 9, 14, tzinfo=SHANGHAI)


def test_a_step_without_its_documents_or_out_of_order_is_refused_and_nothing_changes(world):
    me, mine = world["first"], world["mine"]
    process = green_process_start(actor=me, account=mine, template=default_template(), now=START)
    first, third = steps_of(process)[0], steps_of(process)[2]
    before = rows_of("key_accounts", "tasks")
    with pytest.raises(ValidationFailed) as missing:
        green_step_complete(actor=me, step=first, now=START)
    assert "拜访纪要" in str(missing.value.message)
    with pytest.raises(Conflict) as skipped:
        green_step_complete(actor=me, step=third, now=START)
    assert skipped.value.code == "step_out_of_order" and "客户拜访" in str(skipped.value.message)
    with pytest.raises(Conflict):
        green_document_upload(actor=me, step=third, name="合同扫描件", upload=pdf(), now=START)
    with pytest.raises(ValidationFailed):
        green_document_upload(actor=me, step=first, name="拜访纪要", upload=pdf("x.exe"), now=START)
    assert rows_of("key_accounts", "tasks") == before


def test_only_the_last_completed_step_is_reopened_with_a_reason(world):
    me, mine = world["first"], world["mine"]
    process = green_process_start(actor=me, account=mine, template=default_template(), now=START)
    complete_with_documents(me, steps_of(process)[0], START)
    complete_with_documents(me, steps_of(process)[1], START)
    first, second, third = steps_of(process)[:3]
    third_task_id = third.task_id
    before = rows_of("key_accounts", "tasks")
    with pytest.raises(Conflict) as early:
        green_step_reopen(actor=me, step=first, reason="重新拜访", now=START)
    assert early.value.code == "step_out_of_order"
    with pytest.raises(Conflict):
        green_step_reopen(actor=me, step=third, reason="x", now=START)  # in progress, not completed
    with pytest.raises(ValidationFailed):
        green_step_reopen(actor=me, step=second, reason=" ", now=START)
    assert rows_of("key_accounts", "tasks") == before
    green_step_reopen(actor=me, step=second, reason="客户修改申请", now=START)
    second, third = steps_of(process)[1:3]
    assert second.status == StepStatus.ACTIVE and third.status == StepStatus.PENDING
    assert Task.objects.get(pk=third_task_id).status == "cancelled"


def test_another_managers_process_cannot_be_started_or_worked_on(world):
    me, theirs = world["first"], world["theirs"]
    before = rows_of("key_accounts", "tasks")
    with pytest.raises(PermissionDenied):
        green_process_start(actor=me, account=theirs, template=default_template(), now=START)
    assert rows_of("key_accounts", "tasks") == before
    process = green_process_start(actor=world["second"], account=theirs, template=default_template(), now=START)
    with pytest.raises(PermissionDenied):
        green_step_complete(actor=me, step=steps_of(process)[0], now=START)


def test_a_late_step_is_marked_once_and_escalated_to_the_owners_manager(world):
    boss = UserFactory(role=Role.SALES_MANAGER)
    me, mine = world["first"], world["mine"]
    process = green_process_start(actor=me, account=mine, template=default_template(), now=START)
    due = steps_of(process)[0].due_at
    assert green_steps_escalate(actor=SYSTEM, now=due - dt.timedelta(minutes=1)) == 0
    assert green_steps_escalate(actor=SYSTEM, now=due + dt.timedelta(minutes=1)) == 1
    assert green_steps_escalate(actor=SYSTEM, now=due + dt.timedelta(hours=2)) == 0
    step = steps_of(process)[0]
    assert step.is_late and step.escalated_at == due + dt.timedelta(minutes=1)
    told = Task.objects.get(assignee=boss)
    assert "客户拜访" in told.subject and told.source_url == f"/key-accounts/green/{process.pk}/"
    with pytest.raises(PermissionDenied):
        green_steps_escalate(actor=me, now=due + dt.timedelta(days=1))


def test_templates_are_edited_by_administrators_only_and_checked(admin, world):
    steps = [
        {
            "name": "方案评审",
            "owner_role": "key_account_manager",
            "limit_amount": 3,
            "limit_unit": "days",
            "required_documents": ["方案"],
        }
    ]
    with pytest.raises(PermissionDenied):
        green_template_save(actor=world["first"], name="快速通道", steps=steps)
    with pytest.raises(ValidationFailed) as bad:
        green_template_save(actor=admin, name="快速通道", steps=[{**steps[0], "limit_amount": 0}])
    assert "steps.1" in bad.value.fields
    template = green_template_save(actor=admin, name="快速通道", steps=steps)
    process = green_process_start(actor=world["first"], account=world["mine"], template=template, now=START)
    green_template_save(actor=admin, template=template, name="快速通道", steps=[{**steps[0], "name": "改名"}])
    assert steps_of(process)[0].name == "方案评审"  # a running process keeps its steps


def test_a_visit_in_the_past_is_refused_and_a_future_one_becomes_a_task(world):
    me, mine = world["first"], world["mine"]
    before = rows_of("key_accounts", "tasks")
    with translation.override("zh-hans"), pytest.raises(ValidationFailed) as past:
        visit_schedule(
            actor=me,
            account=mine,
            kind=VisitKind.MANAGER_VISIT,
            scheduled_at=START - dt.timedelta(minutes=1),
            now=START,
        )
    assert "过去" in str(past.value.fields["scheduled_at"])
    assert rows_of("key_accounts", "tasks") == before
    visit = visit_schedule(
        actor=me,
        account=mine,
        kind=VisitKind.FRIENDLY_SERVICE,
        scheduled_at=START + dt.timedelta(days=2),
        subject="中秋慰问",
        now=START,
    )
    assert Task.objects.get(pk=visit.task_id).kind == "care"
    visit_record(actor=me, visit=visit, outcome="客户满意", now=START + dt.timedelta(days=2))
    visit.refresh_from_db()
    assert visit.status == VisitStatus.DONE and Task.objects.get(pk=visit.task_id).status == "done"
    with pytest.raises(PermissionDenied):
        visit_schedule(
            actor=me,
            account=world["theirs"],
            kind=VisitKind.MANAGER_VISIT,
            scheduled_at=START + dt.timedelta(days=1),
            now=START,
        )


def test_coverage_counts_accounts_visited_within_their_tiers_cadence(admin, world):
    me = world["first"]
    other = account(admin, me, name="乙集团")
    cadence = KeyAccountTier.objects.get(code="key").visit_cadence_days
    assert cadence == 30
    for target, days_ago in ((world["mine"], 10), (other, 40)):
        when = START - dt.timedelta(days=days_ago)
        visit = visit_schedule(actor=me, account=target, kind=VisitKind.MANAGER_VISIT, scheduled_at=when, now=when)
        visit_record(actor=me, visit=visit, outcome="ok", now=when)
    rows = {r["manager_id"]: r for r in visit_coverage(user=admin, now=START)}
    assert (rows[me.pk]["accounts"], rows[me.pk]["covered"], rows[me.pk]["share"]) == (2, 1, 50.0)
    assert rows[world["second"].pk]["covered"] == 0
    assert [r["manager_id"] for r in visit_coverage(user=me, now=START)] == [me.pk]
    assert Visit.objects.count() == 2
