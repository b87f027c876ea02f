"""Reads of sales expenses, scoped by `permissions.expense_condition`: the list with its filters and
totals, and one expense."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from guanxi.core.errors import NotFound

from .. import permissions
from ..models import SalesExpense


@dataclass(frozen=True)
class ExpenseFilter:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    rep_id: int | None = None
    team_id: int | None = None
    category: str = ""
    monthly: bool | None = None  # True: the teams' monthly figures only; False: entries only


def expense_list(*, user, filters: ExpenseFilter = ExpenseFilter()) -> QuerySet[SalesExpense]:
    """The expenses `user` may read, newest day first."""
    qs = SalesExpense.objects.filter(permissions.expense_condition(user))
    if filters.date_from:
        qs = qs.filter(spent_on__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(spent_on__lte=filters.date_to)
    if filters.rep_id:
        qs = qs.filter(rep_id=filters.rep_id)
    if filters.team_id:
        qs = qs.filter(team_id=filters.team_id)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.monthly is not None:
        qs = qs.filter(rep__isnull=filters.monthly)
    return qs.select_related("rep", "team", "channel", "opportunity", "customer").order_by("-spent_on", "-id")


def expense_totals(expenses: QuerySet[SalesExpense]) -> dict:
    """The total and count of a list, and per category (in the categories' order)."""
    rows = {r["category"]: r for r in expenses.order_by().values("category").annotate(
        total=Sum("amount"), count=Count("id"))}
    labels = dict(SalesExpense.Category.choices)
    by_category = [{"category": code, "label": labels.get(code, _("Monthly figure")), "total": row["total"],
                    "count": row["count"]} for code, row in sorted(rows.items(), key=lambda kv: list(
                        labels).index(kv[0]) if kv[0] in labels else len(labels))]
    return {"total": sum((r["total"] for r in by_category), Decimal(0)),
            "count": sum(r["count"] for r in by_category), "by_category": by_category}


def expense_get_for_user(*, user, expense_id: int, action: str = "read") -> SalesExpense:
    """One expense; 404 outside the user's read scope, 403 when they may read but not change it."""
    expense = expense_list(user=user).filter(pk=expense_id).first()
    if expense is None:
        raise NotFound(_("Expense not found."))
    if action != "read":
        permissions.require_expense(user, rep_id=expense.rep_id, team_id=expense.team_id, action=action)
    return expense
