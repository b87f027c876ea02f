"""Writes of customer care: rules (administrators), customers' birthday preference, the daily care
run and completing care tasks. Every write checks its actor against `permissions` first.

The daily run is set-based: per rule, one INSERT … SELECT picks the customers whose occasion is
due and records a CareAction for each, `ON CONFLICT DO NOTHING` on (rule, customer, occasion date),
with the rule's row locked so that concurrent runs neither duplicate nor overspend. Greetings are
then queued in bulk through the messaging layer; actions that need a person become tasks."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.access import SYSTEM, user_of
from guanxi.accounts.models import User
from guanxi.core.errors import Conflict, PermissionDenied, ValidationFailed
from guanxi.customers.models import Customer
from guanxi.integrations.messaging.services import message_id_sql, message_queue_many, message_queue_sql
from guanxi.marketing.enums import OptOutChannel
from guanxi.marketing.models import MarketingOptOut
from guanxi.orders.models import Contract
from guanxi.segments.models import Segment
from guanxi.segments.selectors import segment_queryset
from guanxi.tasks.models import Task
from guanxi.tasks.services import task_complete, task_create_many

from . import calendar, occasions, permissions
from .enums import ActionKind, BirthdayCalendar, CareChannel, Festival, OccasionKind, PublicHoliday
from .models import CareAction, CareProfile, CareRule

BATCH = 5_000
MAX_LEAD_DAYS = 60
MAX_MONEY = Decimal("9999999999.99")
RULE_FIELDS = ("name", "segment", "occasion", "occasion_key", "lead_days", "action", "channel", "template",
               "subject", "budget", "cost_per_action", "assignee", "is_enabled")
Progress = Callable[[str, int, int], None]
NAME_PLACEHOLDER = "客户姓名"
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


# ---------------------------------------------------------------- rules


def _placeholders_stored(template: str) -> str:
    """Templates are written with {客户姓名} (or {name}) and stored with {name}."""
    return template.replace("{" + NAME_PLACEHOLDER + "}", "{name}")


def template_shown(template: str) -> str:
    """A stored template as people write it: {客户姓名} for the customer's name."""
    return template.replace("{name}", "{" + NAME_PLACEHOLDER + "}")


def _one_of(choices) -> str:
    return _("one of: %(values)s") % {"values": ", ".join(choices.values)}


def _money(value, field: str, errors: dict, *, required: bool) -> Decimal | None:
    if value is None or value == "":
        if required:
            errors[field] = _("required")
        return None
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        amount = None
    if amount is None or not amount.is_finite() or not Decimal(0) <= amount <= MAX_MONEY:
        errors[field] = _("an amount from 0 to 9999999999.99")
        return None
    return amount.quantize(Decimal("0.01"))


def _clean_rule(data: dict) -> dict:
    errors: dict = {}
    clean = {k: data[k] for k in RULE_FIELDS if k in data}
    clean["name"] = (clean.get("name") or "").strip()
    if not clean["name"] or len(clean["name"]) > 100:
        errors["name"] = _("required, at most 100 characters")
    occasion = clean.get("occasion")
    if occasion not in OccasionKind.values:
        errors["occasion"] = _one_of(OccasionKind)
    key = clean["occasion_key"] = (clean.get("occasion_key") or "").strip()
    if occasion == OccasionKind.LUNAR_FESTIVAL and key not in Festival.values:
        errors["occasion_key"] = _one_of(Festival)
    elif occasion == OccasionKind.PUBLIC_HOLIDAY and key not in PublicHoliday.values:
        errors["occasion_key"] = _one_of(PublicHoliday)
    elif occasion == OccasionKind.KEY_ACCOUNT and occasions.occasion_source(key) is None:
        errors["occasion_key"] = _("one of: %(choices)s") % {"choices": "、".join(
            f"{source.label} ({code})" for code, source in occasions.occasion_sources().items())}
    elif occasion in (OccasionKind.BIRTHDAY, OccasionKind.CONTRACT_ANNIVERSARY):
        clean["occasion_key"] = ""
    lead = clean.setdefault("lead_days", 0)
    if not isinstance(lead, int) or isinstance(lead, bool) or not 0 <= lead <= MAX_LEAD_DAYS:
        errors["lead_days"] = _("a whole number of days from 0 to 60")
    action, channel = clean.get("action"), clean.get("channel")
    if action not in ActionKind.values:
        errors["action"] = _one_of(ActionKind)
    if channel not in CareChannel.values:
        errors["channel"] = _one_of(CareChannel)
    elif action == ActionKind.GREETING and channel == CareChannel.TASK:
        errors["channel"] = _("a greeting is sent by SMS or e-mail")
    elif action in ActionKind.values and action != ActionKind.GREETING and channel != CareChannel.TASK \
            and action != ActionKind.RECOMMENDATION:
        errors["channel"] = _("this action is done by a person: choose a task")
    template = clean["template"] = _placeholders_stored((clean.get("template") or "").strip())
    unknown = sorted({p for p in PLACEHOLDER.findall(template) if p != "name"})
    if channel in (CareChannel.SMS, CareChannel.EMAIL) and not template:
        errors["template"] = _("required for a message; {客户姓名} is the customer's name")
    elif len(template) > 1000:
        errors["template"] = _("at most 1000 characters")
    elif unknown:
        errors["template"] = _("unknown placeholder %(placeholders)s: only {客户姓名} (the customer's name) is "
                               "filled in") % {"placeholders": "、".join("{" + p + "}" for p in unknown)}
    clean["subject"] = (clean.get("subject") or "").strip()
    if len(clean["subject"]) > 200:
        errors["subject"] = _("at most 200 characters")
    clean["budget"] = _money(clean.get("budget"), "budget", errors, required=False)
    clean["cost_per_action"] = _money(clean.get("cost_per_action", 0), "cost_per_action", errors, required=True)
    segment = clean.get("segment")
    if segment is not None and not isinstance(segment, Segment):
        errors["segment"] = _("does not exist")
    assignee = clean.get("assignee")
    if assignee is not None and (not isinstance(assignee, User) or not assignee.is_active):
        errors["assignee"] = _("not an active member of staff")
    clean["is_enabled"] = bool(clean.get("is_enabled", True))
    if errors:
        raise ValidationFailed(fields=errors)
    return clean


@transaction.atomic
def care_rule_save(*, actor, data: dict, rule: CareRule | None = None) -> CareRule:
    """Create a care rule, or change one (the fields given replace its own); audited (history)."""
    permissions.require(actor, "rule", "configure")
    if rule is not None:
        rule = CareRule.objects.select_for_update().get(pk=rule.pk)
        data = {**{k: getattr(rule, k) for k in RULE_FIELDS}, **data}
    clean = _clean_rule(data)
    rule = rule or CareRule()
    for key, value in clean.items():
        setattr(rule, key, value)
    rule._history_user = user_of(actor)
    rule.save()
    return rule


@transaction.atomic
def care_rule_delete(*, actor, rule: CareRule) -> None:
    """Delete a rule that has done nothing yet; one with a history is switched off instead (409)."""
    permissions.require(actor, "rule", "configure")
    rule = CareRule.objects.select_for_update().get(pk=rule.pk)
    if CareAction.objects.filter(rule=rule).exists():
        raise Conflict(_("This rule has a care history: switch it off instead of deleting it."),
                       code="care_rule_used")
    rule._history_user = user_of(actor)
    rule.delete()


@transaction.atomic
def care_profile_set(*, actor, customer: Customer, birthday_calendar: str) -> CareProfile:
    """How the customer keeps their birthday (solar or lunar); the caller has checked that the
    actor may change the customer (customers' selector)."""
    permissions.require(actor, "rule", "read")
    if birthday_calendar not in BirthdayCalendar.values:
        raise ValidationFailed(fields={"birthday_calendar": _one_of(BirthdayCalendar)})
    profile, _created = CareProfile.objects.select_for_update().get_or_create(customer=customer)
    profile.birthday_calendar = birthday_calendar
    profile._history_user = user_of(actor)
    profile.save()
    return profile


# ---------------------------------------------------------------- the daily run


def _birthdays(base: QuerySet, target: dt.date) -> QuerySet:
    solar = Q()
    for month, day in calendar.solar_birth_month_days_on(target):
        solar |= Q(birth_date__month=month, birth_date__day=day)
    lunar_keepers = CareProfile.objects.filter(customer=OuterRef("pk"), birthday_calendar=BirthdayCalendar.LUNAR)
    condition = solar & ~Exists(lunar_keepers)
    lunar_dates = calendar.lunar_birth_dates_on(target)
    if lunar_dates:
        condition |= Q(birth_date__in=lunar_dates) & Exists(lunar_keepers)
    return base.filter(condition, birth_date__lt=target)


def _anniversaries(base: QuerySet, target: dt.date) -> QuerySet:
    when = Q()
    for month, day in calendar.anniversary_month_days_on(target):
        when |= Q(signed_on__month=month, signed_on__day=day)
    contracts = Contract.objects.filter(when, customer=OuterRef("pk"), signed_on__lt=target, status__in=(
        Contract.Status.ACTIVE, Contract.Status.RENEWED))
    return base.filter(Exists(contracts))


def occasion_on(rule: CareRule, target: dt.date) -> str | None:
    """The label of the rule's occasion on `target` (None when `target` is none of its days for
    festivals and holidays; birthdays and anniversaries are any day, per customer)."""
    if rule.occasion == OccasionKind.LUNAR_FESTIVAL:
        return str(Festival(rule.occasion_key).label) if calendar.festival_on(target) == rule.occasion_key else None
    if rule.occasion == OccasionKind.PUBLIC_HOLIDAY:
        found = calendar.public_holiday_on(target)
        return str(PublicHoliday(rule.occasion_key).label) if found == rule.occasion_key else None
    if rule.occasion == OccasionKind.KEY_ACCOUNT:
        source = occasions.occasion_source(rule.occasion_key)
        return str(source.label) if source is not None else None
    return str(OccasionKind(rule.occasion).label)


def due_customers(rule: CareRule, target: dt.date) -> QuerySet | None:
    """The customers the rule cares for on `target` and has not yet: reachable on its channel, not
    opted out of it, in its segment; None when `target` is not the rule's occasion."""
    if occasion_on(rule, target) is None:
        return None
    base = segment_queryset(segment=rule.segment) if rule.segment_id else Customer.objects.alive()
    if rule.occasion == OccasionKind.BIRTHDAY:
        base = _birthdays(base, target)
    elif rule.occasion == OccasionKind.CONTRACT_ANNIVERSARY:
        base = _anniversaries(base, target)
    elif rule.occasion == OccasionKind.KEY_ACCOUNT:
        base = occasions.occasion_source(rule.occasion_key).customers(base, target)
    if rule.channel == CareChannel.TASK:
        if rule.assignee_id is None:
            base = base.filter(owner__isnull=False)
    else:
        address = "mobile" if rule.channel == CareChannel.SMS else "email"
        base = base.exclude(**{address: ""}).exclude(Exists(MarketingOptOut.objects.filter(
            customer=OuterRef("pk"), channel__in=(rule.channel, OptOutChannel.ALL))))
    done = CareAction.objects.filter(rule=rule, customer=OuterRef("pk"), occasion_date=target)
    return base.exclude(Exists(done))


def spent(rule: CareRule, year: int) -> Decimal:
    """What the rule has spent on occasions of `year`."""
    total = CareAction.objects.filter(rule=rule, occasion_date__year=year).aggregate(total=Sum("cost"))["total"]
    return total or Decimal(0)


def _allowance(rule: CareRule, year: int) -> int | None:
    """How many more actions the rule's budget pays for this year (None: no limit)."""
    if rule.budget is None or not rule.cost_per_action:
        return None
    return max(0, int((rule.budget - spent(rule, year)) // rule.cost_per_action))


def _insert_actions(rule: CareRule, target: dt.date, label: str, due: QuerySet, limit: int | None,
                    now: dt.datetime) -> list[tuple[int, int]]:
    """One INSERT … SELECT of the due customers' actions; the (action, customer) ids written."""
    picked = due.annotate(due_customer=F("pk")).order_by("pk").values_list("due_customer", flat=True)
    if limit is not None:
        picked = picked[:limit]
    select, params = picked.query.sql_with_params()
    ops = connection.ops
    table = CareAction._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (rule_id, customer_id, occasion_date, occasion_label, action, channel, cost, "  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
            f"created_at) SELECT %s, due.due_customer, %s, %s, %s, %s, %s, %s FROM ({select}) due WHERE true "
            f"ON CONFLICT (rule_id, customer_id, occasion_date) DO NOTHING RETURNING id, customer_id",
            [rule.pk, ops.adapt_datefield_value(target), label[:50], rule.action, rule.channel,
             ops.adapt_decimalfield_value(rule.cost_per_action, 12, 2), ops.adapt_datetimefield_value(now), *params])
        return [(row[0], row[1]) for row in cursor.fetchall()]


def render(template: str, customer_name: str) -> str:
    """The rule's text for one customer: `{name}` is their name (nothing else is interpreted)."""
    return template.replace("{name}", customer_name)


def _queue_greetings(rule: CareRule, written: list[tuple[int, int]]) -> int:
    """One queued message per new action, in batches, each linked to its action."""
    field = "mobile" if rule.channel == CareChannel.SMS else "email"
    for start in range(0, len(written), BATCH):
        chunk = written[start:start + BATCH]
        people = {pk: (name, address) for pk, name, address in Customer.objects.filter(
            pk__in=[customer for _action, customer in chunk]).values_list("pk", "name", field)}
        ids = message_queue_many(messages=[{
            "channel": rule.channel, "recipient": people[customer][1], "subject": rule.subject or rule.name,
            "body": render(rule.template, people[customer][0])} for _action, customer in chunk])
        _link_messages([action for action, _customer in chunk], ids)
    return len(written)


def _link_messages(actions: list[int], messages: list[int]) -> None:
    _link("message_id", actions, messages)


def _link(field: str, actions: list[int], targets: list[int]) -> None:
    """Each action's message or task (`field`), in one statement per batch."""
    table = CareAction._meta.db_table
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} a SET {field} = v.t FROM unnest(%s::bigint[], %s::bigint[]) "  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
                           f"AS v(a, t) WHERE a.id = v.a", [actions, targets])
        return
    CareAction.objects.bulk_update([CareAction(pk=a, **{field: t}) for a, t in zip(actions, targets, strict=True)],
                                   [field], batch_size=500)


def _create_tasks(rule: CareRule, target: dt.date, label: str, written: list[tuple[int, int]]) -> int:
    """One care task per new action, for the customer's owner (or the rule's fallback assignee),
    through the task list's bulk service: one insert (with the history rows) per batch, each task
    linking back to its rule."""
    due_at = timezone.make_aware(dt.datetime.combine(target, dt.time(9)), timezone.get_current_timezone())
    action_label = str(ActionKind(rule.action).label)
    source_url = reverse("care:rule_detail", args=[rule.pk])
    made = 0
    for start in range(0, len(written), BATCH):
        chunk = written[start:start + BATCH]
        customers = Customer.objects.only("pk", "name", "owner_id").in_bulk([c for _action, c in chunk])
        owners = User.objects.in_bulk({c.owner_id for c in customers.values() if c.owner_id})
        actions, items = [], []
        for action_id, customer_id in chunk:
            customer = customers[customer_id]
            owner = owners.get(customer.owner_id)
            assignee = owner if owner is not None and owner.is_active else rule.assignee
            if assignee is None or not assignee.is_active:
                continue
            actions.append(action_id)
            items.append({"subject": f"{action_label}（{label}）：{customer.name}"[:200], "due_at": due_at,
                          "assignee": assignee, "customer_id": customer_id, "source": rule,
                          "source_label": rule.name, "source_url": source_url})
        if items:
            tasks = task_create_many(actor=SYSTEM, kind="care", items=items)
            _link("task_id", actions, [task.pk for task in tasks])
        made += len(items)
    return made


def _insert_greetings(rule: CareRule, target: dt.date, label: str, due: QuerySet, limit: int | None,
                      now: dt.datetime) -> int:
    """PostgreSQL: the due customers' actions and their queued greetings in one statement — each
    action reserves its message's id, and the outbox rows are made from the actions inserted (a
    customer already greeted conflicts, so gets no second message)."""
    picked = due.annotate(due_customer=F("pk")).order_by("pk").values_list("due_customer", flat=True)
    if limit is not None:
        picked = picked[:limit]
    select, params = picked.query.sql_with_params()
    address = "mobile" if rule.channel == CareChannel.SMS else "email"
    messages, message_params = message_queue_sql(channel=rule.channel, subject=rule.subject or rule.name,
                                                 template=rule.template, source="people")
    actions, customers = CareAction._meta.db_table, Customer._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH new AS (INSERT INTO {actions} (rule_id, customer_id, occasion_date, occasion_label, action, "  # nosec B608  # SQL built from code-defined table/column names; values are bound parameters
            f"channel, cost, created_at, message_id) SELECT %s, due.due_customer, %s, %s, %s, %s, %s, %s, "
            f"{message_id_sql()} FROM ({select}) due "
            f"ON CONFLICT (rule_id, customer_id, occasion_date) DO NOTHING RETURNING message_id, customer_id), "
            f"people AS (SELECT new.message_id AS id, c.name, c.{address} AS recipient FROM new "
            f"JOIN {customers} c ON c.id = new.customer_id) {messages}",
            [rule.pk, target, label[:50], rule.action, rule.channel, rule.cost_per_action, now, *params,
             *message_params])
        return cursor.rowcount


def _is_due(rule: CareRule, day: dt.date) -> bool:
    return rule.is_enabled and occasion_on(rule, day + dt.timedelta(days=rule.lead_days)) is not None


def _run_rule(rule_id: int, day: dt.date, now: dt.datetime) -> dict[str, int]:
    nothing = {"actions": 0, "messages": 0, "tasks": 0}
    # A festival's or holiday's rule is due a day or two a year: looked at first without its lock.
    if not _is_due(CareRule.objects.get(pk=rule_id), day):
        return nothing
    with transaction.atomic():
        rule = CareRule.objects.select_for_update(of=("self",)).select_related("segment", "assignee").get(pk=rule_id)
        target = day + dt.timedelta(days=rule.lead_days)
        label = occasion_on(rule, target) if rule.is_enabled else None
        if label is None:  # disabled or changed since the look without the lock
            return nothing
        due = due_customers(rule, target)
        limit = _allowance(rule, target.year)
        if limit == 0:
            return nothing
        if rule.sends_message and connection.vendor == "postgresql":
            sent = _insert_greetings(rule, target, label, due, limit, now)
            return {"actions": sent, "messages": sent, "tasks": 0}
        written = _insert_actions(rule, target, label, due, limit, now)
        if rule.sends_message:
            return {"actions": len(written), "messages": _queue_greetings(rule, written), "tasks": 0}
        return {"actions": len(written), "messages": 0, "tasks": _create_tasks(rule, target, label, written)}


def care_run(*, actor=SYSTEM, day: dt.date | None = None, now: dt.datetime | None = None,
             progress: Progress | None = None, deliver: bool = True) -> dict[str, int]:
    """The daily care run (关怀任务): every enabled rule, one transaction each, for the occasions
    `lead_days` after `day` (default: the day of `now`). Idempotent: a customer gets a rule's care
    once per occasion however often or concurrently it runs; the queued greetings are delivered
    after commit (`deliver`)."""
    permissions.require(actor, "run", "write")
    now = now or timezone.now()
    day = day or timezone.localdate(now)
    rules = list(CareRule.objects.filter(is_enabled=True).order_by("id").values_list("pk", flat=True))
    totals = {"rules": len(rules), "actions": 0, "messages": 0, "tasks": 0}
    for index, rule_id in enumerate(rules):
        for key, value in _run_rule(rule_id, day, now).items():
            totals[key] += value
        if progress:
            progress(_("care rules"), index + 1, len(rules))
    if deliver and totals["messages"]:
        from guanxi.integrations.messaging.tasks import deliver_queued

        transaction.on_commit(deliver_queued.delay)
    return totals


# ---------------------------------------------------------------- care tasks


@transaction.atomic
def care_task_complete(*, actor, action: CareAction, outcome: str) -> Task:
    """Complete a care task with what came of it (the tasks app records who and when)."""
    permissions.require(actor, "task", "write")
    if action.task_id is None:
        raise Conflict(_("This care action has no task."), code="care_no_task")
    task = Task.objects.get(pk=action.task_id)
    if not permissions.may_complete(actor, task.assignee_id):
        raise PermissionDenied(_("Only the task's assignee or a manager can complete it."))
    return task_complete(actor=actor, task=task, outcome=outcome)

