"""Who may do what in sales: one table, read by the selectors (what a role sees) and by every
service before it writes (so a service called from the CLI, a task or another app is as safe as
its API).

Entities: `opportunity` (a deal with its stage moves, competitors, win and loss), `quota` (targets
per representative and team), `forecast` (the weighted forecast, attainment and funnel reports),
`expense` (sales expenses: OWN one's own entries, TEAM the team's entries and its monthly figures,
ALL every one; those who read the whole forecast read every expense), `configuration` (stages,
won/lost reasons, sales channels, regions, outlets, where representatives work, the big-deal amount;
read = see them, configure = change them), `analysis` (the sales analysis of SPEC C.4: read as the
forecast reads, export = its XLSX; write = set a team's monthly expense figure), `partner`
(channel partner organisations with their performance and forecast: ALL every partner, OWN one's own
organisation).

How the scopes read:
- opportunity read: ALL every deal; TEAM the team's deals, one's own and those of the team's
  customers; OWN one's own deals and those of the customers one owns. Write the same way, except
  that reading all deals (agents serving a customer, analysts) does not mean changing them.
- quota and forecast: ALL every team and representative; TEAM one's team and its members; OWN
  oneself.
- Partners (代理商) see and change only their organisation's deals: a partner organisation is a team
  of kind partner (accounts.Team), and a deal is its organisation's when `Opportunity.partner` names it
  (or, for deals from before organisations, when the partner user owns it): `partner_condition`.
The system (sweeps, tasks, the demo, the CLI) may do everything; the customer in the portal nothing.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.access import (
    CUSTOMER_ROLE,
    EVERYTHING,
    NOTHING,
    READ_ALL,
    SYSTEM_ROLE,
    PermissionTable,
    Rights,
    is_system,
)
from guanxi.accounts.enums import Role
from guanxi.accounts.models import User
from guanxi.accounts.roles import Scope
from guanxi.customers.permissions import customer_condition

ALL, TEAM, OWN, NONE = Scope.ALL, Scope.TEAM, Scope.OWN, Scope.NONE
CONFIGURE = Rights(read=ALL, write=ALL, delete=ALL, configure=True)


def _row(*, opportunity: Rights, quota: Rights = NOTHING, forecast: Scope = NONE,
         configure: bool = False, partner: Scope = NONE, expense: Scope = NONE) -> dict[str, Rights]:
    return {"opportunity": opportunity, "quota": quota, "forecast": Rights(read=forecast, export=forecast is ALL),
            "configuration": CONFIGURE if configure else READ_ALL,
            "analysis": Rights(read=forecast, write=quota.write, export=forecast in (ALL, TEAM)),
            "partner": Rights(read=partner),
            "expense": Rights(read=ALL if forecast is ALL else expense, write=expense, delete=expense)}


TABLE: dict[str, dict[str, Rights]] = {
    Role.AGENT: _row(opportunity=Rights(read=ALL)),
    Role.TEAM_LEAD: _row(opportunity=Rights(read=ALL)),
    Role.SERVICE_MANAGER: _row(opportunity=Rights(read=ALL)),
    Role.SALES_REP: _row(opportunity=Rights(read=OWN, write=OWN), quota=Rights(read=OWN), forecast=OWN,
                         expense=OWN),
    Role.SALES_MANAGER: _row(opportunity=Rights(read=TEAM, write=TEAM, delete=TEAM, export=True),
                             quota=Rights(read=TEAM, write=TEAM), forecast=TEAM, configure=True, partner=ALL,
                             expense=TEAM),
    Role.KEY_ACCOUNT_MANAGER: _row(opportunity=Rights(read=OWN, write=OWN), quota=Rights(read=OWN), forecast=OWN,
                                   expense=OWN),
    Role.PARTNER: _row(opportunity=Rights(read=OWN, write=OWN), quota=Rights(read=OWN), forecast=OWN,
                       partner=OWN),
    Role.ANALYST: _row(opportunity=Rights(read=ALL, export=True), quota=Rights(read=ALL), forecast=ALL,
                       partner=ALL),
    Role.ADMIN: _row(opportunity=EVERYTHING, quota=Rights(read=ALL, write=ALL, delete=ALL), forecast=ALL,
                     configure=True, partner=ALL, expense=ALL),
    SYSTEM_ROLE: {"opportunity": EVERYTHING, "quota": EVERYTHING, "forecast": EVERYTHING,
                  "configuration": EVERYTHING, "analysis": EVERYTHING, "partner": EVERYTHING, "expense": EVERYTHING},
    CUSTOMER_ROLE: {},
}

permissions = PermissionTable(TABLE, denied=_("Your role cannot do this in sales."))
can = permissions.can
scope = permissions.scope
require = permissions.require

OPPORTUNITY_DENIED = _("Only the opportunity's owner, their sales manager or an administrator can change it.")
CONFIGURE_DENIED = _("Only sales managers and administrators configure sales.")
QUOTA_DENIED = _("Only sales managers (for their team) and administrators set quotas.")
FORECAST_DENIED = _("You cannot see the forecast of this team or representative.")
ANALYSIS_DENIED = _("You cannot see the sales analysis of this team.")
PARTNER_DENIED = _("You cannot see this partner.")
EXPENSE_DENIED = _("Only the representative, their sales manager or an administrator can change this expense.")


def partner_condition(user, prefix: str = "") -> Q:
    """A partner user's deals: its organisation's (the team it belongs to) and those it owns."""
    own = Q(**{f"{prefix}owner_id": user.pk})
    return own | Q(**{f"{prefix}partner_id": user.team_id}) if user.team_id else own


def partner_reaches(user, opportunity) -> bool:
    """`partner_condition` for one deal."""
    return opportunity.owner_id == user.pk or (user.team_id is not None and opportunity.partner_id == user.team_id)


def opportunity_condition(user, action: str = "read") -> Q | None:
    """The opportunities `user` may take `action` on, as a filter; None for all."""
    reach = scope(user, "opportunity", action)
    if reach is ALL:
        return None
    if reach is NONE or is_system(user):
        return Q(pk__in=[])
    if user.role == Role.PARTNER:
        return partner_condition(user)
    own = Q(owner_id=user.pk) | customer_condition(user, "read", prefix="customer__")
    if reach is TEAM and user.team_id:
        return own | Q(team_id=user.team_id)
    return own


def can_write_opportunity(user, opportunity) -> bool:
    reach = scope(user, "opportunity", "write")
    if reach is ALL:
        return True
    if reach is NONE or is_system(user):
        return False
    if user.role == Role.PARTNER:
        return partner_reaches(user, opportunity)
    if opportunity.owner_id == user.pk:
        return True
    if reach is TEAM and user.team_id and opportunity.team_id == user.team_id:
        return True
    customer = opportunity.customer
    return customer.owner_id == user.pk or (reach is TEAM and user.team_id and customer.team_id == user.team_id)


def require_opportunity_write(actor, opportunity) -> None:
    require(actor, "opportunity", "write", allowed=can_write_opportunity(actor, opportunity),
            message=OPPORTUNITY_DENIED)


def may_own_opportunities(user) -> bool:
    """Whether a user may be an opportunity's owner: those who write their own deals."""
    return scope(user, "opportunity", "write") is not NONE and not is_system(user)


def require_configure(actor) -> None:
    require(actor, "configuration", "configure", message=CONFIGURE_DENIED)


def reaches(user, entity: str, *, team_id: int | None = None, user_id: int | None = None,
            action: str = "read") -> bool:
    """Whether `user` may take `action` on `entity` (quota, forecast) of this team or representative
    (both None: the whole company)."""
    reach = scope(user, entity, action)
    if reach is ALL:
        return True
    if reach is NONE or is_system(user):
        return False
    if user_id is not None and user_id == user.pk:
        return True
    if reach is TEAM and user.team_id:
        if team_id is not None and user_id is None:
            return team_id == user.team_id
        if user_id is not None:
            return User.objects.filter(pk=user_id, team_id=user.team_id).exists()
    return False


def require_reach(actor, entity: str, *, team_id=None, user_id=None, action: str = "read") -> None:
    message = QUOTA_DENIED if entity == "quota" else FORECAST_DENIED
    require(actor, entity, action, allowed=reaches(actor, entity, team_id=team_id, user_id=user_id, action=action),
            message=message)


def partner_in_reach(user, partner_id: int) -> bool:
    """Whether `user` may see this partner organisation (its performance and forecast)."""
    reach = scope(user, "partner", "read")
    if reach is ALL:
        return True
    return reach is OWN and not is_system(user) and user.team_id is not None and user.team_id == partner_id


def expense_condition(user, action: str = "read") -> Q:
    """The sales expenses `user` may take `action` on, as a filter."""
    reach = scope(user, "expense", action)
    if reach is ALL:
        return Q()
    if reach is NONE or is_system(user):
        return Q(pk__in=[])
    own = Q(rep_id=user.pk) | Q(created_by_id=user.pk, rep__isnull=False)
    return own | Q(team_id=user.team_id) if reach is TEAM and user.team_id else own


def expense_reaches(user, *, rep_id: int | None, team_id: int | None, action: str = "write") -> bool:
    """Whether `user` may take `action` on an expense of this representative (None: the team's monthly
    figure) in this team: one's own entries (OWN), the team's (TEAM), every one (ALL)."""
    reach = scope(user, "expense", action)
    if reach is ALL:
        return True
    if reach is NONE or is_system(user):
        return False
    if rep_id is not None and rep_id == user.pk:
        return True
    return reach is TEAM and user.team_id is not None and team_id == user.team_id


def require_expense(actor, *, rep_id, team_id, action: str = "write") -> None:
    require(actor, "expense", action, allowed=expense_reaches(actor, rep_id=rep_id, team_id=team_id, action=action),
            message=EXPENSE_DENIED)
