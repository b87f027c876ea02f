"""Who may do what with staff accounts: one table, read by the accounts services before they write.

Entities: `user` (staff users and their roles), `team` (teams and departments) and `token` (personal
API tokens). Every member of staff reads the staff list and the teams (to pick an assignee or a
department); administrators and the system (the demo loader, the CLI) create users and teams; each
user keeps their own tokens (OWN), nobody else's.

What each role may do with customers is the customers app's table (`roles.py`); each app's own
`permissions.py` says the rest, in the words of `access.py`.
"""

from django.utils.translation import gettext_lazy as _

from .access import EVERYTHING, SYSTEM_ROLE, PermissionTable, Rights
from .enums import Role
from .roles import Scope

ALL, OWN = Scope.ALL, Scope.OWN

STAFF = {"user": Rights(read=ALL), "team": Rights(read=ALL), "token": Rights(read=OWN, write=OWN, delete=OWN)}

TABLE: dict[str, dict[str, Rights]] = {
    **{role: STAFF for role in Role.values if role != Role.ADMIN},
    Role.ADMIN: {**STAFF, "user": EVERYTHING, "team": EVERYTHING},
    SYSTEM_ROLE: {"user": EVERYTHING, "team": EVERYTHING},
}

permissions = PermissionTable(TABLE, denied=_("Only administrators manage staff accounts."))
can = permissions.can
require = permissions.require
