"""`/api/v1/sales/expenses`: sales expenses (销售费用) the caller may read, a page at a time; enter,
change and delete them (the representative, their sales manager, an administrator)."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Status

from guanxi.accounts.models import Team
from guanxi.accounts.selectors import user_visible_to
from guanxi.core.api import CursorPageParams
from guanxi.core.errors import NotFound, ValidationFailed, referenced
from guanxi.core.masking import mask_free_text
from guanxi.core.pagination import keyset_page
from guanxi.core.routers import Router
from guanxi.customers.selectors import customer_get_for_user

from ..models import SalesExpense
from ..schemas.expenses import ExpenseFilterIn, ExpenseIn, ExpenseOut, ExpensePageOut, ExpenseUpdateIn
from ..selectors import configuration as config_selectors
from ..selectors import expenses as selectors
from ..selectors import opportunities as opportunity_selectors
from ..services import expenses as services

router = Router(tags=["sales expenses"], operation_prefix="guanxi_sales_api_expenses")


def _ref(obj):
    return {"id": obj.pk, "name": str(obj)} if obj is not None else None


def out(user, expense: SalesExpense) -> dict:
    """One expense; its note (free text) masked for all but who spent or entered it."""
    own = user.pk in (expense.rep_id, expense.created_by_id)
    return {"id": expense.pk, "spent_on": expense.spent_on, "month": expense.month, "amount": expense.amount,
            "category": expense.category, "category_label": expense.get_category_display(),
            "rep": _ref(expense.rep), "team": _ref(expense.team), "channel": _ref(expense.channel),
            "opportunity": _ref(expense.opportunity), "customer": _ref(expense.customer),
            "note": expense.note if own else mask_free_text(expense.note), "created_at": expense.created_at}


def _known(field: str, lookup, **kwargs):
    try:
        return lookup(**kwargs)
    except NotFound as exc:
        raise ValidationFailed(fields={field: _("does not exist")}) from exc


def _links(request, payload) -> dict:
    """The records the body names, each one the caller may read (else a 422 on its field)."""
    user = request.user
    return {
        "channel": _known("channel", config_selectors.channel_get, channel_id=payload.channel)
        if payload.channel else None,
        "opportunity": _known("opportunity", opportunity_selectors.opportunity_get_for_user, user=user,
                              opportunity_id=payload.opportunity) if payload.opportunity else None,
        "customer": _known("customer", customer_get_for_user, user=user, customer_id=payload.customer)
        if payload.customer else None,
    }


@router.get("/sales/expenses", response=ExpensePageOut)
def list_sales_expenses(request: HttpRequest, filters: Query[ExpenseFilterIn], page: Query[CursorPageParams]):
    """Expenses the caller may read, newest day first: pass `next_cursor` back as `cursor` until null."""
    query = selectors.ExpenseFilter(date_from=filters.date_from, date_to=filters.date_to, rep_id=filters.rep,
                                    team_id=filters.team, category=filters.category, monthly=filters.monthly)
    result = keyset_page(selectors.expense_list(user=request.user, filters=query), cursor=page.cursor,
                         limit=page.limit)
    return {"items": [out(request.user, e) for e in result.rows], "next_cursor": result.next_cursor}


@router.post("/sales/expenses", response={201: ExpenseOut})
def create_sales_expense(request: HttpRequest, payload: ExpenseIn):
    """Enter an expense: yours by default, a team member's (managers), or with `team` and no `rep` the
    team's figure for the month (one per team, month and sales method: a second is a 409)."""
    if payload.team and payload.rep:
        raise ValidationFailed(fields={"team": _("give either a representative or a team")})
    rep, team = None, _team(payload.team) if payload.team else None
    if team is None:
        rep = referenced(user_visible_to, field="rep", reason=_("does not exist"), viewer=request.user,
                         user_id=payload.rep) if payload.rep else request.user
    expense = services.expense_record(actor=request.user, rep=rep, team=team, spent_on=payload.spent_on,
                                      amount=payload.amount, category=payload.category, note=payload.note,
                                      **_links(request, payload))
    return Status(201, out(request.user, selectors.expense_list(user=request.user).get(pk=expense.pk)))


def _team(team_id: int) -> Team:
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise ValidationFailed(fields={"team": _("does not exist")})
    return team


@router.put("/sales/expenses/{expense_id}", response=ExpenseOut)
def update_sales_expense(request: HttpRequest, expense_id: int, payload: ExpenseUpdateIn):
    """Change an expense (its representative and team stay)."""
    expense = selectors.expense_get_for_user(user=request.user, expense_id=expense_id, action="write")
    services.expense_update(actor=request.user, expense=expense, spent_on=payload.spent_on, amount=payload.amount,
                            category=payload.category, note=payload.note, **_links(request, payload))
    return out(request.user, selectors.expense_list(user=request.user).get(pk=expense_id))


@router.delete("/sales/expenses/{expense_id}", response={204: None})
def delete_sales_expense(request: HttpRequest, expense_id: int):
    """Delete an expense entered by mistake."""
    expense = selectors.expense_get_for_user(user=request.user, expense_id=expense_id, action="delete")
    services.expense_delete(actor=request.user, expense=expense)
    return Status(204, None)
