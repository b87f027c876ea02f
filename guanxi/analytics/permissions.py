"""Who may do what in analytics (分析): one table, read by the selectors and every service.

Entities:
- `warehouse`: read = see the star schema's refresh status; write = start a refresh by hand.
- `explorer` (多维分析): read = may open the OLAP explorer (which rows count is each fact's own app's
  read scope, applied by `explorer.query`); export = download a pivot as XLSX.
- `explorer_view`: saved views. read = one's own and those shared with one's team or everyone;
  write/delete = one's own (ALL: anyone's).
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

OWN, TEAM = Scope.OWN, Scope.TEAM
_VIEWS = Rights(read=OWN, write=OWN, delete=OWN)
_EXPLORER: dict[str, dict[str, Rights]] = {
    Role.TEAM_LEAD: {"explorer": Rights(read=TEAM, export=True), "explorer_view": _VIEWS},
    Role.SERVICE_MANAGER: {"explorer": Rights(read=ALL, export=True), "explorer_view": _VIEWS},
    Role.SALES_REP: {"explorer": Rights(read=OWN), "explorer_view": _VIEWS},
    Role.KEY_ACCOUNT_MANAGER: {"explorer": Rights(read=OWN), "explorer_view": _VIEWS},
    Role.SALES_MANAGER: {"explorer": Rights(read=TEAM, export=True), "explorer_view": _VIEWS},
    Role.ANALYST: {"explorer": Rights(read=ALL, export=True), "explorer_view": _VIEWS},
    Role.ADMIN: {"explorer": Rights(read=ALL, export=True), "explorer_view": Rights(read=OWN, write=ALL, delete=ALL)},
    SYSTEM_ROLE: {"explorer": EVERYTHING, "explorer_view": EVERYTHING},
}
for _role, _rights in _EXPLORER.items():
    TABLE[_role] = {**TABLE[_role], **_rights}

permissions = PermissionTable(TABLE)
