"""Who may do what with next-best offers: one table, read by the selectors and by every service
before it writes.

Entities:
- `offer`: read the offers of a customer (whoever may read the customer: the customers app decides
  which customers, this table which roles see offers at all); write: record what became of an
  offer (offered, accepted, declined) — the roles that serve or sell to customers.
- `model`: read the model page (metrics, training history); write: train a new model (analysts,
  administrators).
The system (the weekly task, the CLI, the demo) has a row of its own.
"""

from django.utils.translation import gettext_lazy as _

from guanxi.accounts.access import EVERYTHING, SYSTEM_ROLE, PermissionTable, Rights
from guanxi.accounts.enums import Role
from guanxi.accounts.roles import Scope

ALL = Scope.ALL

SERVES = {"offer": Rights(read=ALL, write=ALL)}
SEES_MODELS = Rights(read=ALL)
TRAINS = Rights(read=ALL, write=ALL)

TABLE: dict[str, dict[str, Rights]] = {
    Role.AGENT: SERVES,
    Role.TEAM_LEAD: SERVES,
    Role.SERVICE_MANAGER: {**SERVES, "model": SEES_MODELS},
    Role.SALES_REP: SERVES,
    Role.SALES_MANAGER: {**SERVES, "model": SEES_MODELS},
    Role.KEY_ACCOUNT_MANAGER: SERVES,
    Role.PARTNER: SERVES,
    Role.ANALYST: {"offer": Rights(read=ALL), "model": TRAINS},
    Role.ADMIN: {"offer": Rights(read=ALL, write=ALL), "model": TRAINS},
    SYSTEM_ROLE: {"offer": EVERYTHING, "model": EVERYTHING},
}

permissions = PermissionTable(TABLE, denied=_("Your role cannot do this with offers."))
can = permissions.can
scope = permissions.scope
require = permissions.require
