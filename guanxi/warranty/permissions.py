"""Who may do what with 三包 records: one table, read by the selectors (what a role sees) and by
every service before it writes.

Entities: `product` (products and their parts: the 三包 catalogue; configure), `serial` (serial
numbers: they come with stock and with units brought in for service), `sale` (a unit sold to a
customer), `repair` and `exchange` (service work on a sold unit) and `decision` (the 三包 rules
applied to a fault).

Reading follows the customer: a sale, a repair, an exchange or a decision is readable by whoever may
read the sale's customer (read OWN: a sales rep sees only their customers' units; ALL: every unit,
unsold ones included); products and parts are the catalogue, readable by every role. Recording a sale
also needs write on its customer (checked through the customers app); a decision, read on its sale.
The system (the demo loader, the CLI) has a row of its own.
"""

from django.utils.translation import gettext_lazy as _

from guanxi.accounts.access import EVERYTHING, SYSTEM_ROLE, PermissionTable, Rights
from guanxi.accounts.enums import Role
from guanxi.accounts.roles import Scope

ALL, OWN = Scope.ALL, Scope.OWN

CATALOGUE = Rights(read=ALL)
CONFIGURES = Rights(read=ALL, write=ALL, delete=ALL, configure=True)


def _row(reach: Scope, *, sells: bool = False, serves: bool = False, manages: bool = False) -> dict[str, Rights]:
    """reach: which units the role reads (those of customers it reads: ALL or OWN)."""
    delete = ALL if manages else Scope.NONE
    service = Rights(read=reach, write=reach if serves else Scope.NONE, delete=delete)
    return {
        "product": CONFIGURES if manages else CATALOGUE,
        "serial": Rights(read=reach, write=ALL if serves else Scope.NONE, delete=delete),
        "sale": Rights(read=reach, write=reach if sells else Scope.NONE, delete=delete),
        "repair": service,
        "exchange": service,
        "decision": Rights(read=reach, write=reach),
    }


TABLE: dict[str, dict[str, Rights]] = {
    Role.AGENT: _row(ALL, sells=True, serves=True),
    Role.TEAM_LEAD: _row(ALL, sells=True, serves=True),
    Role.SERVICE_MANAGER: _row(ALL, sells=True, serves=True, manages=True),
    Role.SALES_REP: _row(OWN, sells=True),
    Role.SALES_MANAGER: _row(OWN, sells=True),
    Role.KEY_ACCOUNT_MANAGER: _row(OWN, sells=True),
    Role.PARTNER: _row(OWN, sells=True),
    Role.ANALYST: _row(ALL),
    Role.ADMIN: _row(ALL, sells=True, serves=True, manages=True),
    # A decision is asked for by a member of staff (it records who asked): the system only reads them.
    SYSTEM_ROLE: {**{entity: EVERYTHING for entity in ("product", "serial", "sale", "repair", "exchange")},
                  "decision": Rights(read=ALL)},
}

permissions = PermissionTable(TABLE, denied=_("Your role cannot do this in the warranty module."))
can = permissions.can
scope = permissions.scope
require = permissions.require


def reads_every_unit(user) -> bool:
    """Unsold serials belong to no customer: only roles that read every unit see them."""
    return scope(user, "serial", "read") is ALL
