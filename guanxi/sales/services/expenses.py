"""Sales expense entries (销售费用): what a representative spent on a day (travel, entertainment…),
optionally for a deal or a customer, and a team's figure for a whole month. Entered by the
representative, their sales manager or an administrator (`permissions.expense_reaches`); every
change is recorded in the expense's history."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.access import user_of
from guanxi.accounts.models import User
from guanxi.core.errors import Conflict, ValidationFailed
from guanxi.customers.models import Customer
from guanxi.customers.permissions import customer_in_scope

from .. import permissions
from ..models import Opportunity, SalesChannel, SalesExpense
from .opportunities import EARLIEST, LATEST, _amount

MAX_NOTE = 200


def _clean(actor, *, rep: User | None, team, spent_on, category: str, amount, channel: SalesChannel | None,
           opportunity: Opportunity | None, customer: Customer | None, note: str) -> dict:
    """The expense's fields checked, with every reason collected; the team, month and channel that
    the analysis counts it under worked out."""
    errors = {}
    clean_amount, reason = _amount(amount)
    if reason or clean_amount == 0:
        errors["amount"] = reason or _("an amount above 0")
    if not isinstance(spent_on, dt.date) or not EARLIEST <= spent_on <= LATEST:
        errors["spent_on"] = _("a date from 2000 to 2999")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        errors["note"] = _("at most 200 characters")
    if rep is not None:
        if category not in SalesExpense.Category.values:
            errors["category"] = _("choose a category")
        if not permissions.may_own_opportunities(rep) or not rep.is_active or rep.team_id is None:
            errors["rep"] = _("not an active member of a sales team")
        team = rep.team if rep.team_id else None
    elif team is None:
        errors["team"] = _("the team whose monthly figure this is")
    elif category and category not in SalesExpense.Category.values:
        errors["category"] = _("choose a category")
    if channel is not None and not channel.is_active:
        errors["channel"] = _("not an active sales channel")
    if opportunity is not None:
        reach = permissions.opportunity_condition(actor)
        if reach is not None and not Opportunity.objects.filter(reach, pk=opportunity.pk).exists():
            errors["opportunity"] = _("not a deal of yours")
        elif customer is not None and customer.pk != opportunity.customer_id:
            errors["customer"] = _("not the deal's customer")
        customer = customer or opportunity.customer
        channel = channel or opportunity.channel
    if customer is not None and "customer" not in errors and not customer_in_scope(actor, customer, "read"):
        errors["customer"] = _("not a customer of yours")
    if errors:
        raise ValidationFailed(fields=errors)
    month = spent_on.replace(day=1)
    return {"rep": rep, "team": team, "spent_on": spent_on if rep is not None else month, "month": month,
            "category": category or "", "amount": clean_amount, "channel": channel, "opportunity": opportunity,
            "customer": customer, "note": note}


def _check_monthly_once(fields: dict, expense: SalesExpense | None) -> None:
    """One monthly figure per team, month and channel: the database's `sales_expense_once`, which SQLite
    does not create (models.W047), checked here on every database. The caller holds the team's lock."""
    if fields["rep"] is not None:
        return
    twins = SalesExpense.objects.filter(team=fields["team"], month=fields["month"], channel=fields["channel"],
                                        rep__isnull=True)
    if twins.exclude(pk=getattr(expense, "pk", None)).exists():
        raise Conflict(_("This team already has an expense figure for this month and sales method: change "
                         "that one instead."), code="expense_exists")


def _lock_team(team) -> None:
    """Serialise writes of one team's monthly figures (two managers entering the same month at once)."""
    type(team).objects.select_for_update().filter(pk=team.pk).first()


def _save(actor, expense: SalesExpense, fields: dict) -> SalesExpense:
    for name, value in fields.items():
        setattr(expense, name, value)
    expense._history_user = user_of(actor)
    expense.save()
    return expense


@transaction.atomic
def expense_record(*, actor, amount: Decimal, spent_on: dt.date, rep: User | None = None, team=None,
                   category: str = "", channel: SalesChannel | None = None, opportunity: Opportunity | None = None,
                   customer: Customer | None = None, note: str = "") -> SalesExpense:
    """Enter an expense: a representative's (`rep`, dated, with a category; one's own, or a team
    member's for their manager) or, without `rep`, the team's figure for the month of `spent_on`
    (managers; one per team, month and sales method: a second is a 409). Takes the team's row lock."""
    permissions.require(actor, "expense", "write", message=permissions.EXPENSE_DENIED)
    fields = _clean(actor, rep=rep, team=team, spent_on=spent_on, category=category, amount=amount,
                    channel=channel, opportunity=opportunity, customer=customer, note=note)
    permissions.require_expense(actor, rep_id=getattr(rep, "pk", None), team_id=fields["team"].pk)
    _lock_team(fields["team"])
    _check_monthly_once(fields, None)
    return _save(actor, SalesExpense(created_by=user_of(actor)), fields)


@transaction.atomic
def expense_update(*, actor, expense: SalesExpense, amount: Decimal, spent_on: dt.date, category: str = "",
                   channel: SalesChannel | None = None, opportunity: Opportunity | None = None,
                   customer: Customer | None = None, note: str = "") -> SalesExpense:
    """Change an expense (its representative and team stay); the same checks as entering one."""
    expense = SalesExpense.objects.select_for_update(of=("self",)).select_related("rep", "team").get(pk=expense.pk)
    permissions.require_expense(actor, rep_id=expense.rep_id, team_id=expense.team_id)
    fields = _clean(actor, rep=expense.rep, team=expense.team, spent_on=spent_on, category=category,
                    amount=amount, channel=channel, opportunity=opportunity, customer=customer, note=note)
    _lock_team(fields["team"])
    _check_monthly_once(fields, expense)
    return _save(actor, expense, fields)


@transaction.atomic
def expense_delete(*, actor, expense: SalesExpense) -> None:
    """Delete an expense entered by mistake (its history keeps a record of it)."""
    expense = SalesExpense.objects.select_for_update().get(pk=expense.pk)
    permissions.require_expense(actor, rep_id=expense.rep_id, team_id=expense.team_id, action="delete")
    expense._history_user = user_of(actor)
    expense.delete()
