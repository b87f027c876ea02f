"""The opportunity board (商机看板): one column per stage, cards dragged between columns (htmx posts
the move to the service; a refused move shows why and the card stays where it was)."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.accounts.enums import TeamKind
from guanxi.accounts.models import Team
from guanxi.accounts.roles import Scope
from guanxi.accounts.selectors import team_list, user_visible_to
from guanxi.core.errors import DomainError, NotFound
from guanxi.core.pagination import capped_page
from guanxi.core.versioning import VersionConflict
from guanxi.core.views import domain_errors_as_http

from .. import permissions
from ..forms.opportunities import BoardColumnForm, BoardForm, BoardMoveForm
from ..selectors import configuration as config_selectors
from ..selectors import opportunities as selectors
from ..services import opportunities as services

SALES_KINDS = (TeamKind.SALES, TeamKind.KEY_ACCOUNTS, TeamKind.PARTNER)
CLOSED_DAYS = 30
COLUMN_PAGE_SIZE = 50


def board_teams(user) -> list[Team]:
    """The teams whose boards the user may pick."""
    reach = permissions.scope(user, "opportunity", "read")
    if reach is Scope.ALL:
        return team_list(kinds=SALES_KINDS)
    if reach is Scope.TEAM and user.team_id:
        return [user.team]
    return []


def board_owner(viewer, owner_id: int | None):
    """The person whose deals the board shows, when the viewer may see them."""
    try:
        return user_visible_to(viewer=viewer, user_id=owner_id) if owner_id else None
    except NotFound:
        return None


def board_target(user, team_id: int | None, owner_id: int | None) -> tuple[int | None, int | None]:
    """(team, owner) of the board to show: the one asked for, else the user's team when they read it
    whole, else their own deals, else the first sales team."""
    if owner_id is not None:
        return None, owner_id
    if team_id is not None:
        return team_id, None
    teams = board_teams(user)
    if user.team_id and any(t.pk == user.team_id for t in teams):
        return user.team_id, None
    if permissions.may_own_opportunities(user):
        return None, user.pk
    return (teams[0].pk if teams else None), None


def closed_since() -> dt.datetime:
    """Since when the won and lost columns show deals."""
    return timezone.now() - dt.timedelta(days=CLOSED_DAYS)


def board_context(request, team_id: int | None, owner_id: int | None, message: str = "",
                  level: str = "danger") -> dict:
    since = closed_since()
    columns = [] if team_id is None and owner_id is None else selectors.opportunity_board(
        user=request.user, team_id=team_id, owner_id=owner_id, closed_since=since)
    for column in columns:
        for card in column.cards:
            card.movable = card.is_open and permissions.can_write_opportunity(request.user, card)
    teams = board_teams(request.user)
    owner = board_owner(request.user, owner_id)
    return {"columns": columns, "teams": teams, "team_id": team_id, "owner_id": owner_id, "owner": owner,
            "people": selectors.board_people(user=request.user, team_id=team_id or (owner and owner.team_id)),
            "message": message, "level": level, "closed_days": CLOSED_DAYS,
            "can_create": permissions.can(request.user, "opportunity", "write"),
            "open_total": sum(c.amount for c in columns if not c.stage.is_terminal),
            "weighted_total": sum(c.weighted for c in columns if not c.stage.is_terminal)}


@login_required
def board(request):
    """A team's or a representative's board."""
    if not permissions.can(request.user, "opportunity", "read"):
        return render(request, "refused.html", status=403)
    form = BoardForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    team_id, owner_id = board_target(request.user, data.get("team"), data.get("owner"))
    return render(request, "sales/board.html", board_context(request, team_id, owner_id))


@login_required
@domain_errors_as_http
def board_column(request):
    """All the deals of one board column, a page at a time (a column's "more" link)."""
    if not permissions.can(request.user, "opportunity", "read"):
        return render(request, "refused.html", status=403)
    form = BoardColumnForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Not a column of a board."))
    data = form.cleaned_data
    team_id, owner_id = board_target(request.user, data.get("team"), data.get("owner"))
    stage = config_selectors.stage_get(stage_id=data["stage"])
    rows = selectors.board_column_list(user=request.user, stage=stage, closed_since=closed_since(),
                                       team_id=team_id, owner_id=owner_id)
    page = capped_page(rows, page=data.get("page") or 1, per_page=COLUMN_PAGE_SIZE)
    target = f"owner={owner_id}" if owner_id else f"team={team_id}" if team_id else ""
    return render(request, "sales/board_column.html", {
        "stage": stage, "page": page, "closed_days": CLOSED_DAYS, "board_query": target,
        "base_query": f"{target}&stage={stage.pk}" if target else f"stage={stage.pk}"})


def error_text(exc: DomainError) -> str:
    """A refusal in words: its message and the reason given for each field (a version conflict's
    fields with their current values)."""
    if isinstance(exc, VersionConflict):
        return exc.summary()
    return " ".join([exc.message, *exc.fields.values()]) if exc.fields else exc.message


@login_required
@require_POST
def board_move(request):
    """A card dropped on a column: move the deal there (or win it on the won column). The board comes
    back re-drawn; a refused move comes back with the reason and nothing changed."""
    form = BoardMoveForm(request.POST)
    target = BoardForm(request.POST)
    if not form.is_valid() or not target.is_valid():
        return HttpResponseBadRequest(_("Not a move of this board."))
    team_id, owner_id = board_target(request.user, target.cleaned_data.get("team"),
                                     target.cleaned_data.get("owner"))
    message, level = "", "success"
    try:
        opportunity = selectors.opportunity_get_for_user(user=request.user,
                                                         opportunity_id=form.cleaned_data["opportunity"],
                                                         action="write")
        stage = config_selectors.stage_get(stage_id=form.cleaned_data["stage"])
        if stage.is_won:
            services.opportunity_win(actor=request.user, opportunity=opportunity)
            message = _("%(name)s is won.") % {"name": opportunity.name}
        elif stage.is_lost:
            message, level = _("A lost deal needs its reason: record it on the deal's page."), "warning"
        elif stage.pk != opportunity.stage_id:
            services.opportunity_move(actor=request.user, opportunity=opportunity, stage=stage)
            message = _("%(name)s moved to %(stage)s.") % {"name": opportunity.name, "stage": stage.name}
    except DomainError as exc:
        message, level = error_text(exc), "danger"
    return render(request, "sales/partials/_board.html", board_context(request, team_id, owner_id, message, level))
