"""Quotas (销售指标): a target amount per representative or team for a month or a quarter."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.access import user_of
from guanxi.accounts.enums import TeamKind
from guanxi.accounts.models import Team, User
from guanxi.core.errors import ValidationFailed

from .. import permissions
from ..models import Period, Quota
from .opportunities import MAX_AMOUNT


def _check_period(period: str, start: dt.date) -> None:
    if period not in Period.values:
        raise ValidationFailed(fields={"period": _("month or quarter")})
    if not isinstance(start, dt.date) or start.day != 1 or (period == Period.QUARTER and start.month % 3 != 1) \
            or not 2000 <= start.year <= 2999:
        raise ValidationFailed(fields={"period_start": _("the first day of a month or quarter, 2000 to 2999")})


@transaction.atomic
def quota_set(*, actor, period: str, period_start: dt.date, amount: Decimal, user: User | None = None,
              team: Team | None = None) -> Quota:
    """Set (create or change) the quota of one representative or one sales team for a period."""
    if (user is None) == (team is None):
        raise ValidationFailed(fields={"user": _("give a representative or a team")})
    _check_period(period, period_start)
    if amount is None or not Decimal(0) <= amount <= MAX_AMOUNT:
        raise ValidationFailed(_("The amount cannot be negative."), fields={"amount": _("an amount of 0 or more")})
    if user is not None and not permissions.may_own_opportunities(user):
        raise ValidationFailed(fields={"user": _("not a member of the sales force")})
    if team is not None and team.kind not in (TeamKind.SALES, TeamKind.KEY_ACCOUNTS, TeamKind.PARTNER):
        raise ValidationFailed(fields={"team": _("not a sales team")})
    permissions.require_reach(actor, "quota", team_id=team.pk if team else None, user_id=user.pk if user else None,
                              action="write")
    quota = Quota.objects.select_for_update().filter(period=period, period_start=period_start, user=user,
                                                     team=team).first()
    quota = quota or Quota(period=period, period_start=period_start, user=user, team=team)
    quota.amount = amount.quantize(Decimal("0.01"))
    quota._history_user = user_of(actor)
    quota.save()
    return quota
