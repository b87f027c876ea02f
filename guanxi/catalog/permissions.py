"""Who may do what with the catalogue: one table, read by the selectors and by every service before
it writes.

Entities: `product` (products and services with their list prices and parts) and `category` (the
category tree). Every role reads the catalogue (staff sell and serve these products, partners sell
them). Sales managers keep it with the administrators; service managers also write products and
parts, as they kept the 三包 catalogue before it moved here (the warranty app creates products
through these services). The category tree is the administrators' and sales managers'.
The system (the demo loader, the CLI) has a row of its own.
"""

from django.utils.translation import gettext_lazy as _

from guanxi.accounts.access import EVERYTHING, SYSTEM_ROLE, PermissionTable, Rights
from guanxi.accounts.enums import Role
from guanxi.accounts.roles import Scope

ALL = Scope.ALL

READS = Rights(read=ALL)
KEEPS = Rights(read=ALL, write=ALL, delete=ALL, configure=True)

TABLE: dict[str, dict[str, Rights]] = {
    Role.AGENT: {"product": READS, "category": READS},
    Role.TEAM_LEAD: {"product": READS, "category": READS},
    Role.SERVICE_MANAGER: {"product": KEEPS, "category": READS},
    Role.SALES_REP: {"product": READS, "category": READS},
    Role.SALES_MANAGER: {"product": KEEPS, "category": KEEPS},
    Role.KEY_ACCOUNT_MANAGER: {"product": READS, "category": READS},
    Role.PARTNER: {"product": READS, "category": READS},
    Role.ANALYST: {"product": READS, "category": READS},
    Role.ADMIN: {"product": KEEPS, "category": KEEPS},
    SYSTEM_ROLE: {"product": EVERYTHING, "category": EVERYTHING},
}

permissions = PermissionTable(TABLE, denied=_("Your role cannot change the product catalogue."))
can = permissions.can
scope = permissions.scope
require = permissions.require
