"""Who may do what in the 公海 pool: one table, read by the selectors and by every service.

Entities:
- `pool`: read = see the pool's unowned leads and customers; write = claim records and release
  one's own (OWN), or anyone's (ALL).
- `assignment`: write = give a pool record to a representative (TEAM: of one's own team; ALL: anyone).
- `rule`: read = see the recycling rules and claim limits; configure = change them.
- `event`: read = the pool log (OWN: events of records one holds or held, or did oneself).
- `personal_data`: read = phones and e-mail of pool records unmasked (representatives see them
  masked until they claim the record).
The system (the sweep, the demo) may do everything; the portal's customer nothing.
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
    is_system,
    role_of,
)
from guanxi.accounts.enums import Role
from guanxi.accounts.roles import Scope

ALL, TEAM, OWN, NONE = Scope.ALL, Scope.TEAM, Scope.OWN, Scope.NONE

_REP = {"pool": Rights(read=ALL, write=OWN), "assignment": NOTHING, "rule": Rights(read=ALL),
        "event": Rights(read=OWN), "personal_data": NOTHING}
_MANAGER = {"pool": Rights(read=ALL, write=ALL), "assignment": Rights(write=TEAM),
            "rule": Rights(read=ALL, configure=True), "event": Rights(read=ALL, export=True),
            "personal_data": Rights(read=ALL)}
_NOBODY = {"pool": NOTHING, "assignment": NOTHING, "rule": NOTHING, "event": NOTHING, "personal_data": NOTHING}

TABLE: dict[str, dict[str, Rights]] = {
    Role.AGENT: _NOBODY,
    Role.TEAM_LEAD: _NOBODY,
    Role.SERVICE_MANAGER: _NOBODY,
    Role.SALES_REP: _REP,
    Role.KEY_ACCOUNT_MANAGER: _REP,
    Role.SALES_MANAGER: _MANAGER,
    Role.PARTNER: _NOBODY,
    Role.ANALYST: {**_NOBODY, "pool": Rights(read=ALL), "rule": Rights(read=ALL), "event": Rights(read=ALL)},
    Role.ADMIN: {**_MANAGER, "assignment": Rights(write=ALL)},
    SYSTEM_ROLE: {entity: EVERYTHING for entity in _NOBODY},
    CUSTOMER_ROLE: {},
}

DENIED = {
    ("pool", "read"): _("Your role has no access to the public pool."),
    ("pool", "write"): _("Your role cannot claim records from the public pool."),
    ("assignment", "write"): _("Only sales managers and administrators assign pool records."),
    ("rule", "configure"): _("Only sales managers and administrators configure the pool."),
    ("event", "read"): _("Your role cannot see the pool log."),
}
permissions = PermissionTable(TABLE, denied=_("Your role cannot do this in the public pool."), messages=DENIED)
can = permissions.can
scope = permissions.scope
require = permissions.require
CLAIMER_ROLES = (Role.SALES_REP, Role.KEY_ACCOUNT_MANAGER, Role.SALES_MANAGER, Role.ADMIN)


def may_hold(user) -> bool:
    """Whether this user may hold pool records (claim them, be assigned them)."""
    return not is_system(user) and bool(getattr(user, "is_active", False)) and role_of(user) in CLAIMER_ROLES


def may_release(actor, owner_id: int | None) -> bool:
    return permissions.may_own(actor, "pool", "write", owner_id)


def may_assign_to(actor, assignee) -> bool:
    reach = scope(actor, "assignment", "write")
    if reach is ALL:
        return True
    return reach is TEAM and bool(actor.team_id) and assignee.team_id == actor.team_id


def event_condition(actor) -> Q:
    """The pool events `actor` may read, as a filter on PoolEvent."""
    reach = scope(actor, "event", "read")
    if reach is ALL:
        return Q()
    if reach is NONE or is_system(actor):
        return Q(pk__in=[])
    return Q(owner_id=actor.pk) | Q(actor_id=actor.pk)


def sees_personal_data(actor) -> bool:
    return can(actor, "personal_data", "read")
