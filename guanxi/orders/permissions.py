"""Who may do what with orders, contracts and payments: one table, read by the selectors (what a role
sees) and by every service before it writes.

Entities: `order` (orders, their lines and payment plans), `contract` (sales contracts and renewals),
`payment` (payments received, allocations, refunds), `receivable` (receivables and ageing reports).

Scopes: OWN — the records one owns and those of the customers one owns; TEAM — also the team's;
ALL — every record. Partners (代理商) reach only the records they own. Service roles read every order
(to answer the customer) but change none; analysts read everything and export the reports, with
personal data masked by the customers table.
The system (beat jobs, the demo, the CLI) may do everything; the customer in the portal nothing.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.access import CUSTOMER_ROLE, EVERYTHING, SYSTEM_ROLE, PermissionTable, Rights, is_system
from guanxi.accounts.enums import Role
from guanxi.accounts.roles import Scope

ALL, TEAM, OWN, NONE = Scope.ALL, Scope.TEAM, Scope.OWN, Scope.NONE
ENTITIES = ("order", "contract", "payment")


def _row(records: Rights, receivable: Rights) -> dict[str, Rights]:
    return {**{entity: records for entity in ENTITIES}, "receivable": receivable}


SELLS_OWN = _row(Rights(read=OWN, write=OWN), Rights(read=OWN))
READS_ALL = _row(Rights(read=ALL), Rights())

TABLE: dict[str, dict[str, Rights]] = {
    Role.AGENT: READS_ALL,
    Role.TEAM_LEAD: READS_ALL,
    Role.SERVICE_MANAGER: READS_ALL,
    Role.SALES_REP: SELLS_OWN,
    Role.KEY_ACCOUNT_MANAGER: SELLS_OWN,
    Role.PARTNER: SELLS_OWN,
    Role.SALES_MANAGER: _row(Rights(read=TEAM, write=TEAM, delete=TEAM, export=True),
                             Rights(read=TEAM, export=True)),
    Role.ANALYST: _row(Rights(read=ALL, export=True), Rights(read=ALL, export=True)),
    Role.ADMIN: _row(EVERYTHING, EVERYTHING),
    SYSTEM_ROLE: _row(EVERYTHING, EVERYTHING),
    CUSTOMER_ROLE: {},
}

permissions = PermissionTable(TABLE, denied=_("Your role cannot do this with orders and contracts."))
can = permissions.can
scope = permissions.scope
require = permissions.require

WRITE_DENIED = _("Only the owner, their sales manager or an administrator can change this record.")


def record_condition(user, entity: str, action: str = "read") -> Q | None:
    """The orders, contracts or payments (all have owner, team and customer) `user` may take `action`
    on, as a filter; None for all."""
    reach = scope(user, entity, action)
    if reach is ALL:
        return None
    if reach is NONE or is_system(user):
        return Q(pk__in=[])
    own = Q(owner_id=user.pk)
    if user.role == Role.PARTNER:
        return own
    own |= Q(customer__owner_id=user.pk)
    if reach is TEAM and user.team_id:
        return own | Q(team_id=user.team_id) | Q(customer__team_id=user.team_id)
    return own


def in_reach(user, entity: str, record, action: str = "write") -> bool:
    """Whether `record` (an order, contract or payment) is within `user`'s scope for `action`."""
    reach = scope(user, entity, action)
    if reach is ALL:
        return True
    if reach is NONE or is_system(user):
        return False
    if record.owner_id == user.pk:
        return True
    if user.role == Role.PARTNER:
        return False
    customer = record.customer
    if customer.owner_id == user.pk:
        return True
    return reach is TEAM and bool(user.team_id) and user.team_id in (record.team_id, customer.team_id)


def require_record(actor, entity: str, record, action: str = "write") -> None:
    require(actor, entity, action, allowed=in_reach(actor, entity, record, action), message=WRITE_DENIED)


def receivable_condition(user) -> Q | None:
    """The orders whose receivables `user` may see, as a filter on Order; None for all."""
    reach = scope(user, "receivable", "read")
    if reach is ALL:
        return None
    if reach is NONE or is_system(user):
        return Q(pk__in=[])
    if reach is TEAM and user.team_id:
        return Q(owner_id=user.pk) | Q(team_id=user.team_id)
    return Q(owner_id=user.pk)


def may_own(user) -> bool:
    """Whether a user may own orders, contracts and payments: those who write their own."""
    return scope(user, "order", "write") is not NONE and not is_system(user)
