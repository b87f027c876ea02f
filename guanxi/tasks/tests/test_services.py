"""Task services: bad input refused with nothing written, the life of a task, hand-overs, and the
appointment reminders (预约提醒) at pinned times, sent once however often the job runs."""

import datetime as dt

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.enums import Role
from guanxi.accounts.tests.factories import TeamFactory, UserFactory
from guanxi.core.errors import Conflict, PermissionDenied, ValidationFailed
from guanxi.core.testing import rows_of
from guanxi.customers.tests.factories import make_customer
from guanxi.integrations.messaging.models import OutboundMessage
from guanxi.tasks import selectors
from guanxi.tasks.kinds import KINDS, register_task_kind
from guanxi.tasks.models import Task, TaskReminder
from guanxi.tasks.services import (
    reminders_send,
    task_cancel,
    task_complete,
    task_create,
    task_create_many,
    task_reassign,
    task_update,
)
from guanxi.tasks.tasks import send_reminders

pytestmark = pytest.mark.django_db

CHINA = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=CHINA)  # a Tuesday morning


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def rep(db):
    return UserFactory(role=Role.SALES_REP, mobile="+8613900001111")


def _create(actor, **data):
    data = {"kind": "visit", "subject": "上门拜访", "due_at": NOW + dt.timedelta(hours=5), **data}
    return task_create(actor=actor, **data)


@pytest.mark.parametrize(("data", "field"), [
    ({"start_at": NOW + dt.timedelta(hours=6)}, "due_at"),  # due before start
    ({"kind": "picnic"}, "kind"),
    ({"subject": "   "}, "subject"),
    ({"subject": "长" * 201}, "subject"),
    ({"priority": 9}, "priority"),
    ({"due_at": dt.datetime(2026, 3, 10, 14, 0)}, "due_at"),  # no time zone
    ({"due_at": None}, "due_at"),
    ({"reminders": [NOW + dt.timedelta(hours=6)]}, "reminders"),  # after the due time
    ({"reminders": [NOW + dt.timedelta(minutes=m) for m in range(6)]}, "reminders"),
    ({"source_url": "https://elsewhere.example/x"}, "source"),
])
def test_bad_input_is_refused_and_nothing_is_written(rep, clock, data, field):
    before = rows_of("tasks")
    with pytest.raises(ValidationFailed) as refused:
        _create(rep, **data)
    assert field in refused.value.fields
    assert rows_of("tasks") == before


def test_an_unknown_or_inactive_assignee_is_refused(rep, clock):
    gone = UserFactory(role=Role.AGENT, is_active=False)
    with pytest.raises(ValidationFailed) as refused:
        _create(rep, assignee=gone)
    assert "assignee" in refused.value.fields
    with pytest.raises(ValidationFailed):  # the system names whose task it is
        _create(SYSTEM)
    assert not Task.objects.exists()


def test_completing_a_cancelled_task_is_a_conflict(rep, clock):
    task, other = _create(rep), _create(rep)
    task_cancel(actor=rep, task=task, reason="客户改期")
    before = rows_of("tasks")
    with pytest.raises(Conflict):
        task_complete(actor=rep, task=task, outcome="完成")
    with pytest.raises(Conflict):
        task_update(actor=rep, task=task, subject="再改")
    with pytest.raises(ValidationFailed):
        task_cancel(actor=rep, task=other, reason=" ")
    assert rows_of("tasks") == before


def test_a_task_from_another_module_keeps_its_source(rep, clock):
    customer = make_customer(rep, name="王五")
    task = task_create(actor=SYSTEM, kind="follow_up", subject="跟进报价", due_at=NOW + dt.timedelta(days=2),
                       assignee=rep, customer=customer, source=customer, source_url=f"/customers/{customer.pk}/")
    assert task.created_by is None and task.team == rep.team
    assert task.source == customer and task.source_type == ContentType.objects.get_for_model(customer)
    assert task.source_label == str(customer)


def test_update_replaces_the_unsent_reminders_and_keeps_history(rep, clock):
    task = _create(rep, reminders=[NOW + dt.timedelta(hours=4)])
    task_update(actor=rep, task=task, start_at=NOW + dt.timedelta(hours=6), due_at=NOW + dt.timedelta(hours=7),
                reminders=[NOW + dt.timedelta(hours=5, minutes=30)])
    task.refresh_from_db()
    assert [r.remind_at for r in task.reminders.all()] == [NOW + dt.timedelta(hours=5, minutes=30)]
    assert task.history.count() == 2
    with pytest.raises(ValidationFailed) as refused:
        task_update(actor=rep, task=task, start_at=NOW + dt.timedelta(hours=8))
    assert "due_at" in refused.value.fields


def test_hand_over_between_teams(rep, clock):
    service = TeamFactory(name="装维部")
    task = _create(rep, kind="hand_over", subject="光猫更换")
    task_reassign(actor=rep, task=task, team=service, note="客户周三上午在家")
    task.refresh_from_db()
    assert task.assignee is None and task.team == service
    hand_over = task.hand_overs.get()
    assert (hand_over.from_assignee, hand_over.from_team, hand_over.to_team) == (rep, rep.team, service)
    technician = UserFactory(role=Role.AGENT, team=service)
    assert [t.pk for g in selectors.my_work(user=technician) for t in g.rows] == [task.pk]  # untaken: the team's
    task_reassign(actor=technician, task=task, assignee=technician)
    with pytest.raises(ValidationFailed):
        task_reassign(actor=technician, task=task, assignee=technician)


def test_my_work_groups_overdue_today_and_upcoming(rep, clock):
    overdue = _create(rep, due_at=NOW - dt.timedelta(days=1))
    today = _create(rep, due_at=NOW + dt.timedelta(hours=8))  # 17:00 today
    later = _create(rep, due_at=NOW + dt.timedelta(days=3))
    _create(rep, due_at=NOW + dt.timedelta(days=30))  # beyond the week
    task_complete(actor=rep, task=_create(rep, due_at=NOW + dt.timedelta(hours=1)))
    _create(UserFactory(role=Role.SALES_REP), due_at=NOW)  # someone else's
    groups = {g.key: [t.pk for t in g.rows] for g in selectors.my_work(user=rep)}
    assert groups == {"overdue": [overdue.pk], "today": [today.pk], "upcoming": [later.pk]}
    assert selectors.today_count(user=rep) == {"overdue": 1, "today": 1}


def test_kinds_are_extensible():
    register_task_kind("gift", "Gift")
    assert "gift" in KINDS
    with pytest.raises(ValueError):
        register_task_kind("Not A Code", "x")
    KINDS.pop("gift")


# ---------------------------------------------------------------- reminders


def test_reminders_are_sent_once_when_due(rep, clock):
    customer = make_customer(rep, name="赵六")
    task = _create(rep, customer=customer, start_at=NOW + dt.timedelta(hours=4),
                   reminders=[NOW + dt.timedelta(hours=3, minutes=30), NOW + dt.timedelta(hours=1)])
    assert reminders_send(actor=SYSTEM) == {"due": 0, "sent": 0}
    clock.move_to(NOW + dt.timedelta(hours=1))
    assert reminders_send(actor=SYSTEM) == {"due": 1, "sent": 1}
    assert reminders_send(actor=SYSTEM) == {"due": 0, "sent": 0}  # the job repeats: nothing more
    message = OutboundMessage.objects.get()
    assert message.channel == "sms" and message.recipient == rep.mobile
    assert "13:00" in message.body and "上门拜访" in message.body and "赵六" in message.body
    clock.move_to(NOW + dt.timedelta(hours=3, minutes=31))
    assert send_reminders.apply().get() == {"due": 1, "sent": 1}
    assert OutboundMessage.objects.count() == 2
    assert not TaskReminder.objects.filter(task=task, sent_at__isnull=True).exists()


def test_reminders_of_closed_tasks_or_found_too_late_are_not_sent(clock):
    person = UserFactory(role=Role.AGENT, mobile="", email="a@example.cn")
    done = _create(person, reminders=[NOW + dt.timedelta(hours=1)])
    task_complete(actor=person, task=done)
    late = _create(person, due_at=NOW + dt.timedelta(days=2), reminders=[NOW + dt.timedelta(hours=2)])
    clock.move_to(NOW + dt.timedelta(days=1))
    assert reminders_send(actor=SYSTEM) == {"due": 2, "sent": 0}
    assert set(TaskReminder.objects.values_list("skipped", flat=True)) == {"task closed", "too late"}
    task_update(actor=person, task=late, reminders=[NOW + dt.timedelta(days=1, minutes=30)])
    clock.move_to(NOW + dt.timedelta(days=1, hours=1))
    assert reminders_send(actor=SYSTEM) == {"due": 1, "sent": 1}
    assert OutboundMessage.objects.get().channel == "email"


def test_only_the_system_or_an_administrator_sends_reminders(rep):
    with pytest.raises(Exception) as refused:
        reminders_send(actor=rep)
    assert getattr(refused.value, "status", None) == 403


def test_many_tasks_at_once_with_their_history_for_the_system_only(rep, clock):
    other = UserFactory(role=Role.SALES_REP, team=TeamFactory())
    items = [{"subject": " 回访 ", "due_at": NOW, "assignee": person} for person in (rep, other)]
    tasks = task_create_many(actor=SYSTEM, kind="follow_up", items=items)
    assert [(t.assignee, t.team_id, t.subject) for t in tasks] == [(rep, rep.team_id, "回访"),
                                                                    (other, other.team_id, "回访")]
    assert all(t.history.get().history_type == "+" for t in tasks)
    with pytest.raises(ValidationFailed):
        task_create_many(actor=SYSTEM, kind="follow_up", items=[{**items[0], "subject": ""}, items[1]])
    with pytest.raises(PermissionDenied):
        task_create_many(actor=rep, kind="follow_up", items=items[:1])
    assert Task.objects.count() == 2
