"""What each role may see and do with customer records: one table, read by the selectors.

Scope says which records a role sees: ALL, TEAM (own team's and own), OWN (records it owns).
Roles that serve callers from anywhere (agents, service side) see all customers but not their
personal data; people who own the relationship see it unmasked.

Ownership follows from the table too (the rule itself is `guanxi.customers.ownership`): `may_own`
says who may be given customers; `hand_over` whose customers a role may give to another owner or
team (team leads and managers within their team, service managers and administrators anywhere,
everyone else not at all). Roles that write OWN records own what they create themselves.
"""

from dataclasses import dataclass
from enum import Enum

from .enums import Role


class Scope(Enum):
    NONE = "none"
    OWN = "own"
    TEAM = "team"
    ALL = "all"


@dataclass(frozen=True)
class RolePolicy:
    read: Scope
    write: Scope
    delete: Scope
    # Scope within which personal data (phone, ID number, address) is shown unmasked.
    personal_data: Scope
    can_export: bool = False
    can_administer: bool = False
    # Whether a customer may be handed over to a user of this role (made its owner).
    may_own: bool = False
    # Whose customers (by their current and their new owner / team) the role may hand over.
    hand_over: Scope = Scope.NONE


POLICIES: dict[str, RolePolicy] = {
    Role.AGENT: RolePolicy(Scope.ALL, Scope.ALL, Scope.NONE, Scope.NONE),
    Role.TEAM_LEAD: RolePolicy(Scope.ALL, Scope.ALL, Scope.NONE, Scope.NONE, can_export=True, may_own=True,
                               hand_over=Scope.TEAM),
    Role.SERVICE_MANAGER: RolePolicy(Scope.ALL, Scope.ALL, Scope.ALL, Scope.ALL, can_export=True, may_own=True,
                                     hand_over=Scope.ALL),
    Role.SALES_REP: RolePolicy(Scope.OWN, Scope.OWN, Scope.NONE, Scope.OWN, may_own=True),
    Role.SALES_MANAGER: RolePolicy(Scope.TEAM, Scope.TEAM, Scope.TEAM, Scope.TEAM, can_export=True, may_own=True,
                                   hand_over=Scope.TEAM),
    Role.KEY_ACCOUNT_MANAGER: RolePolicy(Scope.OWN, Scope.OWN, Scope.NONE, Scope.OWN, may_own=True),
    # A partner owns the customers it registers itself; nobody hands a customer to a partner.
    Role.PARTNER: RolePolicy(Scope.OWN, Scope.OWN, Scope.NONE, Scope.OWN),
    Role.ANALYST: RolePolicy(Scope.ALL, Scope.NONE, Scope.NONE, Scope.NONE, can_export=True),
    Role.ADMIN: RolePolicy(
        Scope.ALL, Scope.ALL, Scope.ALL, Scope.ALL, can_export=True, can_administer=True, may_own=True,
        hand_over=Scope.ALL,
    ),
}

NO_ACCESS = RolePolicy(Scope.NONE, Scope.NONE, Scope.NONE, Scope.NONE)


def policy_for(user) -> RolePolicy:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_ACCESS
    if user.is_superuser:
        return POLICIES[Role.ADMIN]
    return POLICIES.get(user.role, NO_ACCESS)


def is_in_scope(scope: Scope, *, user, owner_id: int | None, team_id: int | None) -> bool:
    """Whether one record (by its owner and team) falls inside `scope` for `user`."""
    if scope is Scope.ALL:
        return True
    if scope is Scope.NONE:
        return False
    if owner_id is not None and owner_id == user.id:
        return True
    return scope is Scope.TEAM and team_id is not None and team_id == user.team_id
