"""Sales expenses (销售费用): what a team spent on selling in a month, optionally per channel — the
cost side of the sales analysis. Set by the team's sales manager or an administrator (the quota
rights: `analysis` write)."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.access import user_of
from guanxi.core.errors import ValidationFailed

from .. import permissions
from ..models import SalesExpense
from .opportunities import _amount


@transaction.atomic
def expense_set(*, actor, team_id: int, month: dt.date, amount: Decimal, channel_id: int | None = None,
                note: str = "") -> SalesExpense:
    """Record (or change) a team's sales expense of one month (and channel)."""
    permissions.require(actor, "analysis", "write", message=permissions.QUOTA_DENIED,
                        allowed=permissions.reaches(actor, "analysis", team_id=team_id, action="write"))
    clean, reason = _amount(amount)
    errors = {"amount": reason} if reason else {}
    if month.day != 1:
        errors["month"] = _("the first day of the month")
    if len(note) > 200:
        errors["note"] = _("at most 200 characters")
    if errors:
        raise ValidationFailed(fields=errors)
    expense = SalesExpense.objects.filter(team_id=team_id, month=month, channel_id=channel_id,
                                          rep__isnull=True).first() or \
        SalesExpense(team_id=team_id, month=month, channel_id=channel_id, spent_on=month)
    expense.amount, expense.note = clean, note
    expense._history_user = user_of(actor)
    expense.save()
    return expense
