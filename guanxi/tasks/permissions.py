"""Who may do what with tasks: one table, read by the selectors (what a role sees) and by every
service before it writes (so a task created by another module, a sweep or the CLI is as safe as
one created through the API).

Entity `task`. Scopes:
- OWN: the tasks assigned to the user, those they created, those on customers they own, and their
  team's tasks nobody has taken yet. Representatives, agents, key-account managers; a partner's
  user the same (so only tasks on the partner's own records and its own work), and a partner
  assigns tasks to itself only.
- TEAM: OWN plus every task of the user's team (team leads, sales and service managers).
- ALL: administrators (and analysts read everything, writing only their own).
The system (other modules' sweeps, the demo, reminders) creates and changes any task; the customer
in the portal has none.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

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

TABLE: dict[str, dict[str, Rights]] = {
    Role.AGENT: {"task": Rights(read=OWN, write=OWN)},
    Role.TEAM_LEAD: {"task": Rights(read=TEAM, write=TEAM)},
    Role.SERVICE_MANAGER: {"task": Rights(read=TEAM, write=TEAM)},
    Role.SALES_REP: {"task": Rights(read=OWN, write=OWN)},
    Role.SALES_MANAGER: {"task": Rights(read=TEAM, write=TEAM)},
    Role.KEY_ACCOUNT_MANAGER: {"task": Rights(read=OWN, write=OWN)},
    Role.PARTNER: {"task": Rights(read=OWN, write=OWN)},
    Role.ANALYST: {"task": Rights(read=ALL, write=OWN)},
    Role.ADMIN: {"task": EVERYTHING},
    SYSTEM_ROLE: {"task": EVERYTHING},
    CUSTOMER_ROLE: {},
}

permissions = PermissionTable(TABLE, denied=_("Your role cannot do this with tasks."))
can = permissions.can
scope = permissions.scope
require = permissions.require

WRITE_DENIED = _("Only the task's assignee, its creator, the customer's owner or the team's lead can change it.")
ASSIGN_DENIED = _("A partner assigns tasks to itself only.")


def _own(user) -> Q:
    own = Q(assignee_id=user.pk) | Q(created_by_id=user.pk) | Q(customer__owner_id=user.pk)
    if user.team_id:
        own |= Q(assignee__isnull=True, team_id=user.team_id)
    return own


def task_condition(user, action: str = "read") -> Q | None:
    """The tasks `user` may read (or write) as a filter; None for every task."""
    reach = scope(user, "task", action)
    if reach is ALL:
        return None
    if reach is NONE or is_system(user):
        return Q(pk__in=[])
    if reach is TEAM and user.team_id:
        return _own(user) | Q(team_id=user.team_id)
    return _own(user)


def can_write(user, task) -> bool:
    """Write on one task, by the same rules as `task_condition(user, "write")`."""
    reach = scope(user, "task", action="write")
    if reach is ALL:
        return True
    if reach is NONE or is_system(user):
        return False
    if user.pk in (task.assignee_id, task.created_by_id):
        return True
    if task.customer_id is not None and task.customer.owner_id == user.pk:
        return True
    if user.team_id and task.team_id == user.team_id:
        return reach is TEAM or task.assignee_id is None
    return False


def require_write(actor, task) -> None:
    require(actor, "task", "write", allowed=can_write(actor, task), message=WRITE_DENIED)


def require_assignable(actor, assignee, team) -> None:
    """A partner's user gives tasks to itself (or its own team) only; other writers to anyone."""
    if getattr(actor, "role", None) != Role.PARTNER or is_system(actor):
        return
    allowed = (assignee is None or assignee.pk == actor.pk) and (team is None or team.pk == actor.team_id)
    require(actor, "task", "write", allowed=allowed, message=ASSIGN_DENIED)
