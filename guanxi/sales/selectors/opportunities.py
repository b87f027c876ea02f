"""Reads of opportunities, scoped by `permissions.py`: lists with filters, one deal with its
history, and the kanban board of a team or a representative."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.models import User
from guanxi.accounts.roles import Scope
from guanxi.core.errors import NotFound

from .. import permissions
from ..models import Opportunity, OpportunityStage, StageChange
from .configuration import stage_list

Status = Opportunity.Status
ZERO = Decimal("0.00")
WEIGHTED = ExpressionWrapper(F("amount") * F("probability") / 100,
                             output_field=DecimalField(max_digits=20, decimal_places=4))
BOARD_CARDS = 30


def opportunity_list(*, user, action: str = "read") -> QuerySet[Opportunity]:
    condition = permissions.opportunity_condition(user, action)
    return Opportunity.objects.all() if condition is None else Opportunity.objects.filter(condition)


def opportunity_get_for_user(*, user, opportunity_id: int, action: str = "read") -> Opportunity:
    """One deal; 404 outside the user's read scope, 403 when they may read but not change it."""
    opportunity = (opportunity_list(user=user).filter(pk=opportunity_id)
                   .select_related("customer", "owner", "team", "stage", "channel", "reason", "created_by",
                                   "campaign").first())
    if opportunity is None:
        raise NotFound(_("Opportunity not found."))
    if action == "write":
        permissions.require_opportunity_write(user, opportunity)
    return opportunity


@dataclass(frozen=True)
class OpportunityFilter:
    statuses: tuple[str, ...] = ()
    stage_id: int | None = None
    customer_id: int | None = None
    owner_id: int | None = None
    team_id: int | None = None
    channel_id: int | None = None
    close_after: dt.date | None = None
    close_before: dt.date | None = None
    min_amount: Decimal | None = None
    query: str = ""


def opportunity_search(*, user, filters: OpportunityFilter) -> QuerySet[Opportunity]:
    """The deals the user may read that match, newest first."""
    qs = opportunity_list(user=user)
    if filters.statuses:
        qs = qs.filter(status__in=filters.statuses)
    simple = {"stage_id": filters.stage_id, "customer_id": filters.customer_id, "owner_id": filters.owner_id,
              "team_id": filters.team_id, "channel_id": filters.channel_id,
              "expected_close_date__gte": filters.close_after, "expected_close_date__lte": filters.close_before,
              "amount__gte": filters.min_amount}
    qs = qs.filter(**{k: v for k, v in simple.items() if v is not None})
    if filters.query:
        qs = qs.filter(Q(name__icontains=filters.query) | Q(customer__name__icontains=filters.query))
    return qs.select_related("customer", "owner", "team", "stage", "channel", "reason", "campaign").order_by(
        "-created_at", "-id")


def stage_history(*, opportunity: Opportunity) -> list[StageChange]:
    return list(opportunity.stage_changes.select_related("from_stage", "to_stage", "changed_by")
                .order_by("changed_at", "id"))


def opportunities_of_customer(*, user, customer_id: int, limit: int = 20) -> list[Opportunity]:
    return list(opportunity_list(user=user).filter(customer_id=customer_id)
                .select_related("stage", "owner").order_by("-created_at", "-id")[:limit])


# ---------------------------------------------------------------- the board


@dataclass
class BoardColumn:
    stage: OpportunityStage
    count: int = 0
    amount: Decimal = ZERO
    weighted: Decimal = ZERO
    cards: list = field(default_factory=list)

    @property
    def more(self) -> int:
        return max(0, self.count - len(self.cards))


def _board_rows(user, *, team_id: int | None, owner_id: int | None) -> QuerySet[Opportunity]:
    """The board's deals: a team's or a representative's, within what the user reads. A filter the
    user reaches entirely is applied alone, so that the database walks the board's index."""
    rows = Opportunity.objects.all()
    rows = rows.filter(owner_id=owner_id) if owner_id is not None else rows.filter(team_id=team_id)
    reach = permissions.scope(user, "opportunity", "read")
    whole = reach is Scope.ALL or (owner_id is not None and owner_id == user.pk) or (
        reach is Scope.TEAM and owner_id is None and team_id == user.team_id)
    if not whole:
        condition = permissions.opportunity_condition(user)
        rows = rows.filter(condition)
    return rows


def _board_sources(user, *, team_id: int | None, owner_id: int | None,
                   closed_since: dt.datetime) -> tuple[QuerySet[Opportunity], QuerySet[Opportunity]]:
    """The board's open deals and its deals closed since `closed_since`."""
    rows = _board_rows(user, team_id=team_id, owner_id=owner_id)
    return (rows.filter(status=Status.OPEN),
            rows.filter(status__in=(Status.WON, Status.LOST), closed_at__gte=closed_since))


CARD_FIELDS = ("id", "name", "amount", "probability", "expected_close_date", "status", "stage_id", "closed_at",
               "owner_id", "team_id", "customer_id", "customer__name", "customer__owner_id", "customer__team_id",
               "owner__display_name", "owner__username")


def _column_rows(stage: OpportunityStage, open_rows: QuerySet, closed_rows: QuerySet) -> QuerySet[Opportunity]:
    """A column's deals in the board's order: soonest close first, or latest closed first (each one
    index range scan on (team or owner, stage, ...))."""
    if stage.is_terminal:
        return closed_rows.filter(stage_id=stage.pk).order_by("-closed_at", "-id")
    return open_rows.filter(stage_id=stage.pk).order_by("expected_close_date", "id")


def board_column_list(*, user, stage: OpportunityStage, closed_since: dt.datetime, team_id: int | None = None,
                      owner_id: int | None = None) -> QuerySet[Opportunity]:
    """All the deals of one board column (what its "more" link lists), in the column's order."""
    open_rows, closed_rows = _board_sources(user, team_id=team_id, owner_id=owner_id, closed_since=closed_since)
    return _column_rows(stage, open_rows, closed_rows).select_related("customer", "owner", "stage")


def opportunity_board(*, user, team_id: int | None = None, owner_id: int | None = None,
                      closed_since: dt.datetime, cards: int = BOARD_CARDS) -> list[BoardColumn]:
    """One column per active stage: open deals in open stages (soonest close first); deals won or
    lost since `closed_since` in the won and lost stages; each with its count, amount and weighted
    amount, and at most `cards` cards."""
    open_rows, closed_rows = _board_sources(user, team_id=team_id, owner_id=owner_id, closed_since=closed_since)
    columns = [BoardColumn(stage) for stage in stage_list(active_only=True)]
    by_stage = {column.stage.pk: column for column in columns}
    for source in (open_rows, closed_rows):
        totals = source.values("stage_id").annotate(n=Count("id"), total=Coalesce(Sum("amount"), ZERO),
                                                    weighted=Coalesce(Sum(WEIGHTED), ZERO)).order_by()
        for row in totals:
            column = by_stage.get(row["stage_id"])
            if column is not None:
                column.count, column.amount, column.weighted = row["n"], row["total"], row["weighted"]
    for column in columns:
        if column.count:
            column.cards = list(_column_rows(column.stage, open_rows, closed_rows)
                                .select_related("customer", "owner").only(*CARD_FIELDS)[:cards])
    return columns


def board_people(*, user, team_id: int | None) -> list[User]:
    """The people whose boards one may pick within a team."""
    if team_id is None:
        return []
    return list(User.objects.filter(team_id=team_id, is_active=True).order_by("display_name", "username"))
