"""Who may do what in customer care (客户关怀): one table, read by the selectors and every service.

Entities:
- `rule`: read = see the care rules and their spending; configure = create, change, delete them.
- `action`: read = the care history (OWN: of the customers one owns; ALL: every customer's).
- `task`: read/write = care tasks (OWN: assigned to oneself; ALL: anyone's) and completing them.
- `run`: write = start the daily care run by hand.
- `personal_data`: read = the customers' phones and e-mail unmasked.
The system (the daily run, the demo) may do everything; the portal's customer nothing.
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

_NOBODY = {"rule": NOTHING, "action": NOTHING, "task": NOTHING, "run": NOTHING, "personal_data": NOTHING}
_STAFF = {**_NOBODY, "rule": Rights(read=ALL), "action": Rights(read=OWN), "task": Rights(read=OWN, write=OWN)}
_MANAGER = {**_NOBODY, "rule": Rights(read=ALL), "action": Rights(read=ALL, export=True),
            "task": Rights(read=ALL, write=ALL), "personal_data": Rights(read=ALL)}

TABLE: dict[str, dict[str, Rights]] = {
    Role.AGENT: _STAFF,
    Role.TEAM_LEAD: _STAFF,
    Role.SERVICE_MANAGER: _MANAGER,
    Role.SALES_REP: _STAFF,
    Role.KEY_ACCOUNT_MANAGER: _STAFF,
    Role.SALES_MANAGER: _MANAGER,
    Role.PARTNER: _NOBODY,
    Role.ANALYST: {**_NOBODY, "rule": Rights(read=ALL), "action": Rights(read=ALL)},
    Role.ADMIN: {**_MANAGER, "rule": Rights(read=ALL, write=ALL, delete=ALL, configure=True),
                 "run": Rights(write=ALL)},
    SYSTEM_ROLE: {entity: EVERYTHING for entity in _NOBODY},
    CUSTOMER_ROLE: {},
}

DENIED = {
    ("rule", "read"): _("Your role has no access to customer care."),
    ("rule", "configure"): _("Only administrators configure care rules."),
    ("action", "read"): _("Your role cannot see the care history."),
    ("task", "read"): _("Your role cannot see care tasks."),
    ("task", "write"): _("Your role cannot complete care tasks."),
    ("run", "write"): _("Only administrators start the care run."),
}

permissions = PermissionTable(TABLE, denied=_("Your role cannot do this in customer care."), messages=DENIED)
can = permissions.can
scope = permissions.scope
require = permissions.require
sees_personal_data = permissions.sees_personal_data


def action_condition(actor) -> Q:
    """The care actions `actor` may read, as a filter on CareAction."""
    return permissions.condition(actor, "action", "read", own=Q(customer__owner_id=getattr(actor, "pk", None)))


def task_condition(actor) -> Q:
    """The care tasks `actor` may read, as a filter on CareAction (those with a task)."""
    return permissions.condition(actor, "task", "read", own=Q(task__assignee_id=getattr(actor, "pk", None)),
                                 every=Q(task__isnull=False))


def may_complete(actor, assignee_id: int | None) -> bool:
    return permissions.may_own(actor, "task", "write", assignee_id)
