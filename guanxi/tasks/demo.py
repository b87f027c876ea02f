"""Demo tasks (任务与日程): for every demo login, visits, calls, meetings and follow-ups over the
last three weeks (mostly done, a few cancelled, some left overdue) and the next three (open, with
appointment reminders), a few due today — so that "my work today" and the calendar look real for
every role. A demo step registered in `TasksConfig.ready()`, played through the services."""

import datetime as dt
import random

from django.utils import timezone

from guanxi.accounts.access import SYSTEM
from guanxi.accounts.demo import DemoStaff
from guanxi.accounts.enums import Role
from guanxi.customers.models import Customer

from .models import Task
from .services import task_cancel, task_complete, task_create

DAYS = 21
PER_DAY = 0.6
TODAY = 3
DONE_SHARE, CANCELLED_SHARE = 0.8, 0.06
SUBJECTS = {
    "visit": ("上门拜访：了解宽带续约意向", "陪同装维师傅上门检修", "走访政企客户，介绍专线方案"),
    "call": ("电话回访：新装宽带满意度", "提醒客户按时缴费", "推荐融合套餐升级"),
    "meeting": ("与客户IT部门沟通专线方案", "部门周例会", "季度经营分析会"),
    "follow_up": ("跟进报价反馈", "跟进投诉处理结果", "核实客户地址变更"),
    "care": ("生日关怀：致电问候", "节日礼品寄送"),
    "hand_over": ("移交装维部门：光猫更换",),
}
WEIGHTS = {"visit": 3, "call": 5, "meeting": 1, "follow_up": 4, "care": 1, "hand_over": 1}
OUTCOMES = ("客户满意，已完成", "客户有续约意向，下周再联系", "已解决", "客户不在家，已改约", "已发送资料")


def _moment(rng: random.Random, day: dt.date) -> dt.datetime:
    hour = rng.choice((9, 10, 11, 14, 15, 16, 17))
    return dt.datetime.combine(day, dt.time(hour, rng.choice((0, 30))), tzinfo=timezone.get_current_timezone())


def _customers_for(user, customers: list[int], owned: dict[int, list[int]]) -> list[int]:
    """A partner's user works on its own customers only; the others on theirs, or on any."""
    mine = owned.get(user.pk, [])
    return mine if mine or user.role == Role.PARTNER else customers[:300]


def task_demo_load(*, seed: int, scale: float, staff: DemoStaff, customers: list[int], now: dt.datetime) -> str:
    rng = random.Random(seed + 40)  # nosec B311  # demo/sample data, not security: seeded random for repeatable demo figures
    owned: dict[int, list[int]] = {}
    for pk, owner in Customer.objects.filter(pk__in=customers, owner__isnull=False).values_list("pk", "owner_id"):
        owned.setdefault(owner, []).append(pk)
    by_pk = {c.pk: c for c in Customer.objects.filter(pk__in=[p for ps in owned.values() for p in ps] +
                                                      customers[:300])}
    kinds, weights = list(WEIGHTS), list(WEIGHTS.values())
    today = timezone.localdate(now)
    made = done = cancelled = 0
    backdate: list[tuple[int, dt.datetime, dt.datetime | None]] = []
    for user in staff.users:
        pool = [by_pk[pk] for pk in _customers_for(user, customers, owned) if pk in by_pk]
        days = [today + dt.timedelta(days=d) for d in range(-DAYS, DAYS + 1) if d and rng.random() < PER_DAY]
        days += [today] * TODAY + [today + dt.timedelta(days=1)]  # and always something tomorrow
        for day in days:
            kind = rng.choices(kinds, weights)[0]
            due = _moment(rng, day)
            start = due - dt.timedelta(hours=1) if kind in ("visit", "meeting") else None
            customer = rng.choice(pool) if pool and kind != "meeting" else None
            reminders = [(start or due) - dt.timedelta(minutes=30)] if due > now else []
            task = task_create(actor=SYSTEM, kind=kind, subject=rng.choice(SUBJECTS[kind]), customer=customer,
                               assignee=user, start_at=start, due_at=due, reminders=reminders,
                               priority=rng.choice((1, 2, 2, 2, 3, 4)))
            made += 1
            created = min(now, due - dt.timedelta(days=rng.randint(1, 5)))
            closed_at = None
            if due < now - dt.timedelta(hours=1):
                roll = rng.random()
                if roll < DONE_SHARE:
                    task_complete(actor=SYSTEM, task=task, outcome=rng.choice(OUTCOMES))
                    done, closed_at = done + 1, due + dt.timedelta(minutes=rng.randint(10, 240))
                elif roll < DONE_SHARE + CANCELLED_SHARE:
                    task_cancel(actor=SYSTEM, task=task, reason="客户取消预约")
                    cancelled, closed_at = cancelled + 1, due - dt.timedelta(hours=rng.randint(1, 24))
            backdate.append((task.pk, created, min(closed_at, now) if closed_at else None))
    # The services stamp "now"; the demo's past happened when it says it did.
    for pk, created, closed_at in backdate:
        Task.objects.filter(pk=pk).update(created_at=created, closed_at=closed_at)
    still_open = Task.objects.filter(status=Task.Status.OPEN).count()
    return f"{made} tasks for {len(staff.users)} people: {done} done, {cancelled} cancelled, {still_open} open"
