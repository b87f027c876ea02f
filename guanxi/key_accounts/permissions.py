"""Who may do what with key accounts (大客户): one table, read by the selectors and every service.

Entities:
- `account`: read = the accounts, their profile, people, competitors and plans (OWN: those one manages
  or backs up; ALL: every one); write = change people, competitors and plans; export = the list as CSV
  (within the read scope).
- `designation`: read = the candidate list from the key-account score; write = designate,
  de-designate, change tier and managers.
- `tier`: read = the tiers; configure = create and change them.
- `process`: the green-channel processes (绿色通道) of the accounts one may read (OWN: of the accounts one
  manages or backs up); write = start one, upload documents, complete and reopen steps.
- `template`: read = the green-channel process templates; configure = create and edit them.
- `visit`: the yellow channel (黄色通道) — visits, customers' visits to us and friendly services of
  the accounts in scope; write = schedule them and record their outcomes; export = the list as CSV.
- `red_rule`: the red-channel rules (红色通道规则); configure = create, change and deactivate them
  (administrators and service managers, who run the service desk's teams and standards they name).
The system (the demo, tasks) may do everything; the portal's customer nothing.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.access import (
    CUSTOMER_ROLE,
    EVERYTHING,
    NOTHING,
    SYSTEM_ROLE,
    PermissionTable,
    Rights,
)
from guanxi.accounts.enums import Role
from guanxi.accounts.roles import Scope

ALL, OWN, NONE = Scope.ALL, Scope.OWN, Scope.NONE

_NOBODY = {
    "account": NOTHING,
    "designation": NOTHING,
    "tier": NOTHING,
    "process": NOTHING,
    "template": NOTHING,
    "visit": NOTHING,
    "red_rule": NOTHING,
}
_KAM = {
    **_NOBODY,
    "account": Rights(read=OWN, write=OWN, export=True),
    "tier": Rights(read=ALL),
    "process": Rights(read=OWN, write=OWN),
    "template": Rights(read=ALL),
    "visit": Rights(read=OWN, write=OWN, export=True),
    "red_rule": Rights(read=ALL),
}
_MANAGER = {
    "account": Rights(read=ALL, write=ALL, export=True),
    "designation": Rights(read=ALL, write=ALL),
    "tier": Rights(read=ALL),
    "process": Rights(read=ALL, write=ALL),
    "template": Rights(read=ALL),
    "visit": Rights(read=ALL, write=ALL, export=True),
    "red_rule": Rights(read=ALL),
}

TABLE: dict[str, dict[str, Rights]] = {
    Role.AGENT: _NOBODY,
    Role.TEAM_LEAD: _NOBODY,
    Role.SERVICE_MANAGER: {
        **_NOBODY,
        "account": Rights(read=ALL),
        "tier": Rights(read=ALL),
        "process": Rights(read=ALL),
        "visit": Rights(read=ALL),
        "red_rule": Rights(read=ALL, write=ALL, configure=True),
    },
    Role.SALES_REP: _NOBODY,
    Role.KEY_ACCOUNT_MANAGER: _KAM,
    Role.SALES_MANAGER: _MANAGER,
    Role.PARTNER: _NOBODY,
    Role.ANALYST: {
        **_NOBODY,
        "account": Rights(read=ALL, export=True),
        "designation": Rights(read=ALL),
        "tier": Rights(read=ALL),
        "process": Rights(read=ALL),
        "template": Rights(read=ALL),
        "visit": Rights(read=ALL, export=True),
        "red_rule": Rights(read=ALL),
    },
    Role.ADMIN: {
        **_MANAGER,
        "tier": Rights(read=ALL, write=ALL, configure=True),
        "template": Rights(read=ALL, write=ALL, configure=True),
        "red_rule": Rights(read=ALL, write=ALL, configure=True),
    },
    SYSTEM_ROLE: {entity: EVERYTHING for entity in _NOBODY},
    CUSTOMER_ROLE: {},
}

DENIED = {
    ("account", "read"): _("Your role has no access to key accounts."),
    ("account", "write"): _("You cannot change this key account: it is not one of yours."),
    ("account", "export"): _("Your role cannot export key accounts."),
    ("designation", "read"): _("Only managers review key-account candidates."),
    ("designation", "write"): _("Only managers designate and de-designate key accounts."),
    ("tier", "configure"): _("Only administrators configure key-account tiers."),
    ("process", "read"): _("Your role has no access to green-channel processes."),
    ("process", "write"): _("You cannot work on this green-channel process: the account is not one of yours."),
    ("template", "configure"): _("Only administrators edit green-channel templates."),
    ("visit", "read"): _("Your role has no access to key-account visits."),
    ("visit", "write"): _("You cannot schedule or record visits of this account: it is not one of yours."),
    ("visit", "export"): _("Your role cannot export key-account visits."),
    ("red_rule", "read"): _("Your role has no access to the red-channel rules."),
    ("red_rule", "configure"): _("Only administrators and service managers configure the red-channel rules."),
}

permissions = PermissionTable(TABLE, denied=_("Your role cannot do this with key accounts."), messages=DENIED)
can = permissions.can
scope = permissions.scope
require = permissions.require


def account_condition(actor, action: str = "read") -> Q:
    """The key accounts `actor` may read (or write), as a filter on KeyAccount."""
    pk = getattr(actor, "pk", None)
    return permissions.condition(actor, "account", action, own=Q(manager_id=pk) | Q(backup_id=pk))


def may(actor, account, action: str = "read") -> bool:
    """Whether `actor` may take `action` on this one account (theirs or one they back up)."""
    return permissions.may_own(actor, "account", action, account.manager_id, account.backup_id)


def account_scope(actor, entity: str, action: str = "read", prefix: str = "account__") -> Q:
    """The records of `entity` (process, visit) `actor` may reach, as a filter through their account."""
    pk = getattr(actor, "pk", None)
    return permissions.condition(actor, entity, action,
                                 own=Q(**{f"{prefix}manager_id": pk}) | Q(**{f"{prefix}backup_id": pk}))


def may_on(actor, entity: str, account, action: str = "read") -> bool:
    """Whether `actor` may take `action` on an `entity` record (process, visit) of this account."""
    return permissions.may_own(actor, entity, action, account.manager_id, account.backup_id)
