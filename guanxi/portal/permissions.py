"""Who may do what in the self-service portal: one table, read by its services before they write.

Entities: `account` (a customer's portal account: opening the portal to a customer is `configure`;
setting its password and signing in are `write`) and `case` (the customer's own cases, opened and
answered through the service desk's services, which check their own table as well).

Staff on the service side open the portal to customers they may change; the CLI does it as the
system. Everything else is the customer acting on their own account (a `CustomerActor` of it): the
portal's sign-in gives the account, and its services take the account, never an id of another one.
"""

from django.utils.translation import gettext_lazy as _

from guanxi.accounts.access import CUSTOMER_ROLE, SYSTEM_ROLE, PermissionTable, Rights, is_system
from guanxi.accounts.enums import Role
from guanxi.accounts.roles import Scope

ALL, OWN = Scope.ALL, Scope.OWN

OPENS_PORTAL = {"account": Rights(read=ALL, configure=True)}

TABLE: dict[str, dict[str, Rights]] = {
    Role.AGENT: OPENS_PORTAL,
    Role.TEAM_LEAD: OPENS_PORTAL,
    Role.SERVICE_MANAGER: OPENS_PORTAL,
    Role.ADMIN: OPENS_PORTAL,
    SYSTEM_ROLE: {"account": Rights(read=ALL, write=ALL, configure=True)},
    CUSTOMER_ROLE: {"account": Rights(read=OWN, write=OWN), "case": Rights(read=OWN, write=OWN)},
}

permissions = PermissionTable(TABLE, denied=_("Your role cannot open the portal to customers."))
can = permissions.can
require = permissions.require


def require_own(actor, entity: str, account) -> None:
    """The customer acts on their own account only (the system may act on any)."""
    own = is_system(actor) and (actor.role == SYSTEM_ROLE or actor.customer_id == account.customer_id)
    require(actor, entity, "write", allowed=own, message=_("This is another customer's account."))
