"""Reads of customer care, scoped by `permissions`: rules with their spending, the care history
(per rule, per customer), care tasks and a rule's monthly costs against its budget."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncMonth

from guanxi.core.errors import NotFound

from . import permissions
from .models import CareAction, CareRule


def rule_list(*, user) -> QuerySet[CareRule]:
    permissions.require(user, "rule", "read")
    return CareRule.objects.select_related("segment", "assignee").order_by("id")


def rule_get(*, user, rule_id: int) -> CareRule:
    rule = rule_list(user=user).filter(pk=rule_id).first()
    if rule is None:
        raise NotFound("Care rule not found.")
    return rule


def action_list(*, user, rule: CareRule | None = None, customer_id: int | None = None) -> QuerySet[CareAction]:
    """The care history the user may read, newest first."""
    permissions.require(user, "action", "read")
    rows = CareAction.objects.filter(permissions.action_condition(user))
    if rule is not None:
        rows = rows.filter(rule=rule)
    if customer_id is not None:
        rows = rows.filter(customer_id=customer_id)
    return rows.select_related("customer", "message", "task").order_by("-created_at", "-id")


def task_list(*, user, open_only: bool = False) -> QuerySet[CareAction]:
    """Care actions with a task that the user may read, by due time."""
    permissions.require(user, "task", "read")
    rows = CareAction.objects.filter(permissions.task_condition(user), task__isnull=False)
    if open_only:
        rows = rows.filter(task__status="open")
    return rows.select_related("customer", "task", "task__assignee", "rule").order_by("-occasion_date", "-id")


def task_get(*, user, action_id: int) -> CareAction:
    action = task_list(user=user).filter(pk=action_id).first()
    if action is None:
        raise NotFound("Care task not found.")
    return action


def rule_spending(*, user, rule: CareRule, year: int) -> dict:
    """The rule's actions and costs per month of `year` (by occasion date) against its budget."""
    permissions.require(user, "rule", "read")
    rows = (CareAction.objects.filter(rule=rule, occasion_date__year=year)
            .annotate(month=TruncMonth("occasion_date")).values("month")
            .annotate(count=Count("id"), cost=Sum("cost")).order_by("month"))
    by_month = {row["month"].month if isinstance(row["month"], dt.date) else int(str(row["month"])[5:7]): row
                for row in rows}
    months = [by_month.get(m, {"count": 0, "cost": Decimal(0)}) for m in range(1, 13)]
    total = sum((m["cost"] or Decimal(0) for m in months), Decimal(0))
    return {"year": year, "counts": [m["count"] for m in months],
            "costs": [float(m["cost"] or 0) for m in months], "total": total,
            "budget": rule.budget, "left": (rule.budget - total) if rule.budget is not None else None}
