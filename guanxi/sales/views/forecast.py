"""The forecast page: weighted forecast, won and quota per period with attainment, the funnel and,
for a team, each representative's attainment; charts drawn by static/js/sales.js from JSON blocks."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.roles import Scope
from guanxi.core.views import domain_errors_as_http

from .. import permissions
from ..forms.opportunities import ForecastForm
from ..models import Period
from ..selectors import forecast as selectors
from .board import board_owner, board_teams

PERIODS = {Period.MONTH: 6, Period.QUARTER: 4}


def _target(user, team_id, owner_id) -> tuple[int | None, int | None]:
    """The company for those who see all of it, else the user's team, else the user."""
    if team_id or owner_id:
        return team_id, owner_id
    reach = permissions.scope(user, "forecast", "read")
    if reach is Scope.ALL:
        return None, None
    if reach is Scope.TEAM and user.team_id:
        return user.team_id, None
    return None, user.pk


def _money(value) -> float | None:
    return None if value is None else float(value)


@login_required
@domain_errors_as_http
def forecast_page(request):
    permissions.require(request.user, "forecast", "read", message=permissions.FORECAST_DENIED)
    form = ForecastForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    kind = data.get("period") or Period.MONTH
    team_id, owner_id = _target(request.user, data.get("team"), data.get("owner"))
    today = timezone.localdate()
    first = selectors.periods(kind, today, 1)[0][0]
    # Two periods back (what was won against the quota), the current one and what lies ahead.
    rows = selectors.forecast(user=request.user, kind=kind, first=_shift(kind, first, -2),
                              count=PERIODS[kind], team_id=team_id, owner_id=owner_id)
    funnel = selectors.funnel(user=request.user, team_id=team_id, owner_id=owner_id)
    reps = selectors.forecast_by_rep(user=request.user, kind=kind, start=today, team_id=team_id) \
        if team_id and owner_id is None else []
    chart = {"categories": [r.label for r in rows],
             "series": {"won": [_money(r.won) for r in rows], "weighted": [_money(r.weighted) for r in rows],
                        "quota": [_money(r.quota) for r in rows],
                        "attainment": [round(r.attainment * 100, 1) if r.attainment is not None else None
                                       for r in rows]},
             "names": {"won": _("Won"), "weighted": _("Weighted forecast"), "quota": _("Quota"),
                       "attainment": _("Attainment")}}
    funnel_chart = [{"name": f.name, "value": f.count, "amount": _money(f.amount)} for f in funnel]
    return render(request, "sales/forecast.html", {
        "form": form, "kind": kind, "periods": Period.choices, "rows": rows, "funnel": funnel, "reps": reps,
        "chart": chart, "funnel_chart": funnel_chart, "team_id": team_id, "owner_id": owner_id,
        "teams": board_teams(request.user), "owner": board_owner(request.user, owner_id),
    })


def _shift(kind: str, start, steps: int):
    months = (1 if kind == Period.MONTH else 3) * steps
    index = start.year * 12 + start.month - 1 + months
    return start.replace(year=index // 12, month=index % 12 + 1, day=1)
