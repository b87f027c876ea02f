"""Who may do what with customers: one table, read by the selectors (what a role sees) and by every
customers service before it writes (so a service called from the CLI, a task or another app is as
safe as its API). It is the one place the customers' rules are read; other apps ask it too (whose
personal data a user sees unmasked: `can_see_personal_data`, `personal_data_scope`).

Scope says which customers a row reaches: ALL, TEAM (the team's and one's own), OWN (those one
owns). Roles that serve callers from anywhere (agents, the service side) read and write every
customer but see no personal data; people who own the relationship see it unmasked.

Entities:
- `customer`: the record with its profile (contacts, contact points, addresses, tags). read/write/
  delete by scope; export = the CSV export; configure = administration (every user's imports,
  rebuilding the search keys).
- `personal_data`: read = the customers whose phone, ID number and address a role sees unmasked.
- `history`: interactions and transactions. read/write on the customers of that scope; delete = the
  retention sweep, which only the system runs.
- `import`: write = may import customers (an import creates customers, so writers only; a job
  validates and writes as the user who started it); configure = may see and run imports started by
  others.
- `dedupe`: write = run duplicate scans over the whole customer base.
- `merge`: write = whose customers one may merge, unmerge, or dismiss as duplicates (merging changes
  one record and takes the other out of every list, as a delete does).
- `ownership` (客户归属; the rule itself is `customers.ownership`): read OWN = may be given customers
  (be their owner); write = whose customers (by their current and their new owner / team) one may
  hand over. Roles that write OWN records own what they create themselves and hand nothing over.

The system (sweeps, tasks, the demo loader, the CLI, webhooks) may do everything; the customer in
the portal nothing here (the portal and the service desk have their own tables).
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext, gettext_noop

from guanxi.accounts.access import (
    CUSTOMER_ROLE,
    EVERYTHING,
    SYSTEM_ROLE,
    PermissionTable,
    Rights,
    is_system,
)
from guanxi.accounts.enums import Role
from guanxi.accounts.roles import Scope

ALL, TEAM, OWN, NONE = Scope.ALL, Scope.TEAM, Scope.OWN, Scope.NONE


def _role(*, read: Scope, write: Scope, delete: Scope, personal_data: Scope, export: bool = False,
          configure: bool = False, may_own: bool = False, hand_over: Scope = NONE, dedupe: bool = False,
          merge: Scope = NONE) -> dict[str, Rights]:
    return {
        "customer": Rights(read, write, delete, export=export, configure=configure),
        "personal_data": Rights(read=personal_data),
        "history": Rights(read=read, write=write),
        "import": Rights(read=OWN if write is not NONE else NONE, write=ALL if write is not NONE else NONE,
                         configure=configure),
        "dedupe": Rights(read=ALL if dedupe else NONE, write=ALL if dedupe else NONE),
        "merge": Rights(read=merge, write=merge),
        "ownership": Rights(read=OWN if may_own else NONE, write=hand_over),
    }


TABLE: dict[str, dict[str, Rights]] = {
    Role.AGENT: _role(read=ALL, write=ALL, delete=NONE, personal_data=NONE),
    Role.TEAM_LEAD: _role(read=ALL, write=ALL, delete=NONE, personal_data=NONE, export=True, may_own=True,
                          hand_over=TEAM),
    Role.SERVICE_MANAGER: _role(read=ALL, write=ALL, delete=ALL, personal_data=ALL, export=True, may_own=True,
                                hand_over=ALL, dedupe=True, merge=ALL),
    Role.SALES_REP: _role(read=OWN, write=OWN, delete=NONE, personal_data=OWN, may_own=True),
    Role.SALES_MANAGER: _role(read=TEAM, write=TEAM, delete=TEAM, personal_data=TEAM, export=True, may_own=True,
                              hand_over=TEAM, merge=TEAM),
    Role.KEY_ACCOUNT_MANAGER: _role(read=OWN, write=OWN, delete=NONE, personal_data=OWN, may_own=True),
    # A partner owns the customers it registers itself; nobody hands a customer to a partner.
    Role.PARTNER: _role(read=OWN, write=OWN, delete=NONE, personal_data=OWN),
    Role.ANALYST: _role(read=ALL, write=NONE, delete=NONE, personal_data=NONE, export=True),
    Role.ADMIN: _role(read=ALL, write=ALL, delete=ALL, personal_data=ALL, export=True, configure=True, may_own=True,
                      hand_over=ALL, dedupe=True, merge=ALL),
    # An import job is always a user's (the command names one with --as): it validates and writes as
    # that user, so the system starts none itself.
    SYSTEM_ROLE: {entity: EVERYTHING for entity in ("customer", "personal_data", "history", "dedupe", "merge")}
    | {"import": Rights(read=ALL, configure=True), "ownership": Rights(write=ALL)},
    CUSTOMER_ROLE: {},
}

permissions = PermissionTable(TABLE, denied=gettext_noop("You are not allowed to do this."))
rights = permissions.rights
can = permissions.can
scope = permissions.scope

DENIED = {
    ("customer", "write"): gettext_noop("Your role cannot change this customer."),
    ("customer", "delete"): gettext_noop("Your role cannot delete this customer."),
    ("customer", "export"): gettext_noop("Your role cannot export customers."),
    ("history", "write"): gettext_noop("Your role cannot record history for this customer."),
    ("history", "delete"): gettext_noop("Only the system removes history past its retention."),
    ("import", "write"): gettext_noop("Your role cannot create customers, so it cannot import them."),
    ("import", "configure"): gettext_noop("Only the user who started this import can run it."),
    ("dedupe", "write"): gettext_noop("Your role cannot run duplicate scans."),
    ("merge", "write"): gettext_noop("Your role cannot merge these customers."),
}
CREATE_DENIED = gettext_noop("Your role cannot create customers.")

# Roles a customer may be handed over to (administrators by the superuser flag as well).
OWNER_ROLES = tuple(role for role in Role.values if TABLE[role]["ownership"].allows("read"))


def require(actor, entity: str, action: str, *, allowed: bool = True, message=None, code=None) -> None:
    permissions.require(actor, entity, action, allowed=allowed, message=message or DENIED.get((entity, action)),
                        code=code)


def is_in_scope(reach: Scope, *, user, owner_id: int | None, team_id: int | None) -> bool:
    """Whether one record (by its owner and team) falls inside `reach` for `user`."""
    if reach is ALL:
        return True
    if reach is NONE or is_system(user):
        return False
    if owner_id is not None and owner_id == user.id:
        return True
    return reach is TEAM and team_id is not None and team_id == user.team_id


def customer_in_scope(actor, customer, action: str = "read", entity: str = "customer") -> bool:
    """Whether `actor` may take `action` on `entity` of this customer (by its owner and team)."""
    return is_in_scope(scope(actor, entity, action), user=actor, owner_id=customer.owner_id,
                       team_id=customer.team_id)


def require_customer(actor, customer, action: str = "write", entity: str = "customer", message=None) -> None:
    """PermissionDenied unless `actor` may take `action` on `entity` of this customer."""
    require(actor, entity, action, allowed=customer_in_scope(actor, customer, action, entity), message=message)


def require_merge(actor, customers) -> None:
    """PermissionDenied (code "merge_forbidden", naming the customer) unless `actor` may merge every
    one of `customers`: merge scope over each (`SYSTEM`: all; None: none)."""
    for customer in customers:
        allowed = customer_in_scope(actor, customer, "write", "merge")
        message = None if allowed else gettext("Your role cannot merge customer %(code)s.") % {"code": customer.code}
        require(actor, "merge", "write", allowed=allowed, message=message, code="merge_forbidden")


def customer_condition(user, action: str = "read", entity: str = "customer", prefix: str = "") -> Q:
    """The customers within `user`'s scope for `action` on `entity`, as a filter on Customer (or, with
    `prefix`, on a relation to it: "left__")."""
    reach = scope(user, entity, action)
    if reach is ALL:
        return Q()
    if reach is NONE or is_system(user):
        return Q(pk__in=[]) if not prefix else Q(**{f"{prefix}pk__in": []})
    own = Q(**{f"{prefix}owner_id": user.pk})
    if reach is TEAM and user.team_id:
        return own | Q(**{f"{prefix}team_id": user.team_id})
    return own


# ---------------------------------------------------------------- personal data


def personal_data_scope(user) -> Scope:
    """Within which customers `user` sees personal data (phone, ID number, address) unmasked."""
    return scope(user, "personal_data", "read")


# The fields masked for those who may not see a customer's personal data, where fields are shown by name.
PERSONAL_DATA_FIELDS = frozenset({"mobile", "id_number", "bank_account", "email", "birth_date"})


def can_see_personal_data(*, user, customer) -> bool:
    return customer_in_scope(user, customer, "read", "personal_data")


# ---------------------------------------------------------------- ownership


def may_own(role: str | None) -> bool:
    """Whether a user of this role (a table row, see `accounts.access.role_of`) may own customers."""
    return TABLE.get(role, {}).get("ownership", Rights()).allows("read")


def hand_over_scope(actor) -> Scope:
    return scope(actor, "ownership", "write")



# ---------------------------------------------------------------- whole-app actions


def can_export(user) -> bool:
    return can(user, "customer", "export")


def can_administer(user) -> bool:
    return can(user, "customer", "configure")



def customer_read_scope(user) -> Scope:
    """Which customers `user` reads (other apps scope their customer-based reports by it)."""
    return scope(user, "customer", "read")
