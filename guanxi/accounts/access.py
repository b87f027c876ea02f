"""The words every app's `permissions.py` is written in: a `Rights` row per role and entity, the
`PermissionTable` that reads it, and the actors that are not staff users.

An app's table says, for each role and each of its entities, within which `Scope` the role may read,
write and delete, and whether it may export or configure. Services check their `actor` against the
table before they write; selectors scope their reads with it.

Not every caller is a member of staff. Sweeps, tasks, the demo loader, the CLI and signed webhooks
act as `SYSTEM`; a customer acting through the self-service portal acts as a `CustomerActor` of their
own customer record. Both are explicit values, never `None`: a service given `None` (or an anonymous or
inactive user) refuses, so a forgotten actor is never mistaken for the system. Each table names what
the system and the customer may do, in the same rows as the roles. What services store as the author
of a change (`created_by`, `_history_user`) is `user_of(actor)`: the user, or `None` for the system and
the customer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanxi.core.errors import PermissionDenied

from .enums import Role
from .roles import Scope

ACTIONS = ("read", "write", "delete", "export", "configure")
# Rows of a table that are not staff roles.
SYSTEM_ROLE = "system"
CUSTOMER_ROLE = "customer"


@dataclass(frozen=True)
class Rights:
    """What one role may do with one kind of record: read, write and delete within a scope
    (ALL, TEAM: the team's and its own, OWN: its own, NONE), export it, configure it."""

    read: Scope = Scope.NONE
    write: Scope = Scope.NONE
    delete: Scope = Scope.NONE
    export: bool = False
    configure: bool = False

    def allows(self, action: str) -> bool:
        value = getattr(self, action)
        return value if isinstance(value, bool) else value is not Scope.NONE

    def scope(self, action: str) -> Scope:
        value = getattr(self, action)
        if isinstance(value, bool):
            return Scope.ALL if value else Scope.NONE
        return value


NOTHING = Rights()
EVERYTHING = Rights(Scope.ALL, Scope.ALL, Scope.ALL, export=True, configure=True)
READ_ALL = Rights(read=Scope.ALL)


@dataclass(frozen=True)
class SystemActor:
    """The product acting by itself (a sweep, a task, the demo loader, the CLI, a signed webhook).
    It answers the few attributes services read of a user as nobody in particular."""

    name: str = "system"
    role: str = SYSTEM_ROLE
    customer_id: int | None = None
    pk = None
    id = None
    team = None
    team_id = None
    is_superuser = False
    is_active = True
    is_authenticated = False

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class CustomerActor(SystemActor):
    """A customer acting on their own records through the self-service portal."""

    name: str = "customer"
    role: str = CUSTOMER_ROLE
    customer_id: int | None = field(default=None)


SYSTEM = SystemActor()


def customer_actor(customer) -> CustomerActor:
    return CustomerActor(customer_id=customer.pk)


def is_system(actor) -> bool:
    """Whether `actor` is the system or a customer (not a member of staff)."""
    return isinstance(actor, SystemActor)


def user_of(actor):
    """Who is recorded as having made a change: the user, or None for the system and customers."""
    return None if actor is None or is_system(actor) else actor


def role_of(actor) -> str | None:
    """The table row that applies: the actor's role; administrators' for superusers; the system's
    or the customer's row for those actors; None (nothing allowed) for None, anonymous and
    inactive users."""
    if actor is None:
        return None
    if is_system(actor):
        return actor.role
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return None
    if actor.is_superuser:
        return Role.ADMIN
    return actor.role


class PermissionTable:
    """One app's table: `{role: {entity: Rights}}`; a role or entity left out may do nothing."""

    def __init__(self, table: dict[str, dict[str, Rights]], *, denied=None, messages=None):
        """`denied` is the refusal's message; `messages` a more precise one per (entity, action)."""
        self.table = table
        self.denied = denied or _("You are not allowed to do this.")
        self.messages = dict(messages or {})
        self.entities = frozenset(entity for row in table.values() for entity in row)

    def rights(self, actor, entity: str) -> Rights:
        if entity not in self.entities:  # a misspelt entity would silently allow nothing
            raise KeyError(f"no entity {entity!r} in this permission table")
        return self.table.get(role_of(actor), {}).get(entity, NOTHING)

    def can(self, actor, entity: str, action: str) -> bool:
        return self.rights(actor, entity).allows(action)

    def scope(self, actor, entity: str, action: str) -> Scope:
        return self.rights(actor, entity).scope(action)

    def require(self, actor, entity: str, action: str, *, allowed: bool = True, message=None, code=None) -> None:
        """PermissionDenied (with `code`, "forbidden" by default) unless the table lets `actor` take
        `action` on `entity` at all and the record at hand is within its scope (`allowed`, worked out
        by the caller from `scope`)."""
        if not (self.can(actor, entity, action) and allowed):
            raise PermissionDenied(message or self.messages.get((entity, action)) or self.denied, code=code)

    def condition(self, actor, entity: str, action: str, *, own: Q, team: Q | None = None, every: Q | None = None) -> Q:
        """The records `actor` may take `action` on, as a filter: `every` (default: no filter) for ALL,
        `own` for OWN, `own | team` for TEAM (`team` None: the actor has no team, so `own`), nothing
        for NONE and for the system and customers (who act on records, never list them by scope)."""
        reach = self.scope(actor, entity, action)
        if reach is Scope.ALL:
            return Q() if every is None else every
        if reach is Scope.NONE or is_system(actor):
            return Q(pk__in=[])
        return own | team if reach is Scope.TEAM and team is not None else own

    def may_own(self, actor, entity: str, action: str, owner_id: int | None, *other_owner_ids: int | None) -> bool:
        """Whether `actor` may take `action` on one record owned (assigned) by `owner_id` (or by one of
        `other_owner_ids`, e.g. a backup): anyone's with ALL, else only their own; never a system actor
        or customer with less than ALL."""
        reach = self.scope(actor, entity, action)
        if reach is Scope.ALL:
            return True
        if reach is Scope.NONE or is_system(actor):
            return False
        pk = getattr(actor, "pk", None)
        return pk is not None and pk in {i for i in (owner_id, *other_owner_ids) if i is not None}

    def sees_personal_data(self, actor) -> bool:
        """The app's `personal_data` entity: phones and e-mail addresses shown unmasked."""
        return self.can(actor, "personal_data", "read")

    def roles(self, entity: str, action: str) -> frozenset[str]:
        """The rows (roles, "system", "customer") that may take `action` on `entity` somewhere."""
        return frozenset(role for role, row in self.table.items() if row.get(entity, NOTHING).allows(action))
