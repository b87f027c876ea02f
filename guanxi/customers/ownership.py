"""Who may own a customer and who may hand one over (客户归属): the one rule, used by the
customer services (API and forms) and by the import, on plain values so that the import's
worker processes can run it too.

1. An owner is an active user whose role may own customers (the `ownership` read right of
   `customers.permissions`: not agents,
   analysts or partners) and who is staff of the owning team: the customer's team is its owner's.
2. Roles that write only their own records (sales reps, key-account managers, partners) own what
   they create themselves and hand nothing over.
3. Any other change of owner or team - or a new customer given to someone other than its
   creator - is a hand-over, allowed within the actor's hand-over scope (`ownership` write) for both
   where the customer comes from and where it goes (agents and analysts: never).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_noop

from guanxi.accounts.access import role_of
from guanxi.accounts.roles import Scope

from .permissions import OWNER_ROLES, hand_over_scope, is_in_scope, may_own, scope

# Reasons by code, in English in the API and translated on the pages (see validation.MESSAGES).
REASONS = {
    "owner_own": gettext_noop("You can only own customers yourself."),
    "owner_hand_over": gettext_noop("Your role cannot hand customers over to another owner or team."),
    "owner_team": gettext_noop("You can hand over only customers of your team, to members of your team."),
    "owner_cannot_own": gettext_noop("This user's role cannot own customers."),
    "inactive_user": gettext_noop("this user is not active"),
    "owner_wrong_team": gettext_noop("The owner must be staff of the owning team."),
}
FORBIDDEN = frozenset({"owner_own", "owner_hand_over", "owner_team"})  # 403; the others are 422

__all__ = ["OWNER_ROLES", "REASONS", "Decision", "Party", "decide_ownership"]


@dataclass(frozen=True)
class Party:
    """A user as the rule needs it."""

    id: int
    team_id: int | None
    role: str
    is_active: bool = True
    is_superuser: bool = False

    @classmethod
    def of(cls, user) -> Party:
        return cls(id=user.pk, team_id=user.team_id, role=user.role, is_active=user.is_active,
                   is_superuser=user.is_superuser)

    is_authenticated = True  # a Party is always a user; `role_of` reads its row of the table

    @property
    def may_own(self) -> bool:
        return may_own(role_of(self))


@dataclass(frozen=True)
class Decision:
    """The owner and team to write, or `refusal`: a code of REASONS."""

    owner_id: int | None
    team_id: int | None
    refusal: str | None = None

    @property
    def forbidden(self) -> bool:
        return self.refusal in FORBIDDEN


def decide_ownership(*, actor: Party, current: tuple[int | None, int | None] | None, owner: Party | None,
                     owner_given: bool, team_id: int | None, team_given: bool) -> Decision:
    """The owner and team a customer gets when `actor` creates it (`current` None) or changes its
    owner / team (`current` = its (owner id, team id)), or why not. `owner` / `team_id` are the
    requested values, `*_given` whether they were sent at all."""
    if owner is not None and not owner.is_active:
        return _refused("inactive_user")
    if owner is not None and team_given and team_id != owner.team_id:
        if current == (owner.id, team_id):
            return Decision(*current)  # unchanged (a form sends both back as they were)
        return _refused("owner_wrong_team")
    if current is None:
        return _on_create(actor=actor, owner=owner, team_id=team_id, team_given=team_given)
    owner_id = (owner.id if owner else None) if owner_given else current[0]
    if owner is not None:
        team_id = owner.team_id
    elif not team_given:
        team_id = current[1]
    if (owner_id, team_id) == current:
        return Decision(owner_id, team_id)
    if scope(actor, "customer", "write") is Scope.OWN:
        return _refused("owner_own")
    refusal = _hand_over_refusal(actor, hand_over_scope(actor), source=current, target=(owner_id, team_id))
    if refusal:
        return _refused(refusal)
    if owner is not None and not owner.may_own:
        return _refused("owner_cannot_own")
    if owner_id is not None and not owner_given:
        return _refused("owner_wrong_team")  # a new team while the owner stays in the old one
    return Decision(owner_id, team_id)


def _on_create(*, actor: Party, owner: Party | None, team_id: int | None, team_given: bool) -> Decision:
    write = scope(actor, "customer", "write")
    if write is Scope.OWN:
        if owner is not None and owner.id != actor.id:
            return _refused("owner_own")
        return Decision(actor.id, actor.team_id)
    if owner is None and not team_given and write is Scope.TEAM:
        owner = actor
    target = (None, team_id if team_given else actor.team_id) if owner is None else (owner.id, owner.team_id)
    if target != (None, actor.team_id) and target[0] != actor.id:
        refusal = _hand_over_refusal(actor, hand_over_scope(actor), source=None, target=target)
        if refusal:
            return _refused(refusal)
    if owner is not None and not owner.may_own:
        return _refused("owner_cannot_own")
    return Decision(*target)


def _refused(code: str) -> Decision:
    return Decision(None, None, code)


def _hand_over_refusal(actor: Party, scope: Scope, *, source, target) -> str | None:
    """Whether `actor` may move a customer from `source` to `target` (owner id, team id); a
    customer without owner and team comes from nobody."""
    if scope is Scope.NONE:
        return "owner_hand_over"
    for owner_id, team_id in (source or (None, None), target):
        if (owner_id, team_id) == (None, None):
            continue
        if not is_in_scope(scope, user=actor, owner_id=owner_id, team_id=team_id):
            return "owner_team"
    return None
