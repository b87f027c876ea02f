"""Who may do what in analytics (分析): one table, read by the selectors and every service.

Entities:
- `warehouse`: read = see the star schema's refresh status; write = start a refresh by hand.
- `churn_model`: read = see the churn models' quality; write = train one.
- `churn_score`: read = see customers' churn risk and reasons; the customers are those the user may
  read in customers (its table scopes the rows), with personal data masked as it masks it.
The system (the scheduled refresh, the CLI) may do everything; the portal's customer nothing.
"""

from __future__ import annotations

from guanxi.accounts.access import CUSTOMER_ROLE, EVERYTHING, NOTHING, SYSTEM_ROLE, PermissionTable, Rights
from guanxi.accounts.enums import Role
from guanxi.accounts.roles import Scope

ALL = Scope.ALL

_NOBODY = {"warehouse": NOTHING, "churn_model": NOTHING, "churn_score": NOTHING}
_SCORES = {"warehouse": NOTHING, "churn_model": NOTHING, "churn_score": Rights(read=ALL)}
_READER = {"warehouse": Rights(read=ALL), "churn_model": Rights(read=ALL), "churn_score": Rights(read=ALL)}
_ANALYST = {"warehouse": Rights(read=ALL, write=ALL), "churn_model": Rights(read=ALL, write=ALL),
            "churn_score": Rights(read=ALL)}

TABLE: dict[str, dict[str, Rights]] = {
    Role.AGENT: _NOBODY,
    Role.TEAM_LEAD: _SCORES,
    Role.SERVICE_MANAGER: _READER,
    Role.SALES_REP: _SCORES,
    Role.KEY_ACCOUNT_MANAGER: _SCORES,
    Role.SALES_MANAGER: _READER,
    Role.PARTNER: _NOBODY,
    Role.ANALYST: _ANALYST,
    Role.ADMIN: _ANALYST,
    SYSTEM_ROLE: {"warehouse": EVERYTHING, "churn_model": EVERYTHING, "churn_score": EVERYTHING},
    CUSTOMER_ROLE: _NOBODY,
}

permissions = PermissionTable(TABLE)
