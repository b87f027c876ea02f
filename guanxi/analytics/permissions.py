"""Who may do what in analytics (分析): one table, read by the selectors and every service.

Entities:
- `warehouse`: read = see the star schema's refresh status; write = start a refresh by hand.
The system (the scheduled refresh, the CLI) may do everything; the portal's customer nothing.
"""

from __future__ import annotations

from guanxi.accounts.access import CUSTOMER_ROLE, EVERYTHING, NOTHING, SYSTEM_ROLE, PermissionTable, Rights
from guanxi.accounts.enums import Role
from guanxi.accounts.roles import Scope

ALL = Scope.ALL

_NOBODY = {"warehouse": NOTHING}
_READER = {"warehouse": Rights(read=ALL)}

TABLE: dict[str, dict[str, Rights]] = {
    Role.AGENT: _NOBODY,
    Role.TEAM_LEAD: _NOBODY,
    Role.SERVICE_MANAGER: _READER,
    Role.SALES_REP: _NOBODY,
    Role.KEY_ACCOUNT_MANAGER: _NOBODY,
    Role.SALES_MANAGER: _READER,
    Role.PARTNER: _NOBODY,
    Role.ANALYST: {"warehouse": Rights(read=ALL, write=ALL)},
    Role.ADMIN: {"warehouse": Rights(read=ALL, write=ALL)},
    SYSTEM_ROLE: {"warehouse": EVERYTHING},
    CUSTOMER_ROLE: _NOBODY,
}

permissions = PermissionTable(TABLE)
