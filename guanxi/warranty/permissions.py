"""Who may do what with 三包 records: one table, read by the services (writes) and the API.

Reading follows the customer: a sale, a repair or an exchange is readable by whoever may read the
sale's customer (a sales rep sees only their customers' units); products and parts are the
catalogue, readable by every role that reads customers.
"""

from django.utils.translation import gettext as _

from guanxi.accounts.enums import Role
from guanxi.accounts.models import User
from guanxi.accounts.roles import Scope, policy_for
from guanxi.core.errors import PermissionDenied

# action → the roles that may take it
ACTIONS: dict[str, frozenset[str]] = {
    # products and their parts (the 三包 catalogue)
    "configure": frozenset({Role.ADMIN, Role.SERVICE_MANAGER}),
    # serial numbers come with stock and with units brought in for service
    "register_serial": frozenset({Role.ADMIN, Role.SERVICE_MANAGER, Role.TEAM_LEAD, Role.AGENT}),
    # a sale is recorded by whoever may write the customer (checked per customer by the caller)
    "record_sale": frozenset({Role.ADMIN, Role.SERVICE_MANAGER, Role.TEAM_LEAD, Role.AGENT, Role.SALES_REP,
                              Role.SALES_MANAGER, Role.KEY_ACCOUNT_MANAGER, Role.PARTNER}),
    # repairs and exchanges are service work
    "record_service": frozenset({Role.ADMIN, Role.SERVICE_MANAGER, Role.TEAM_LEAD, Role.AGENT}),
    # deleting a record that nothing depends on
    "delete": frozenset({Role.ADMIN, Role.SERVICE_MANAGER}),
}


def can(user: User, action: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser or user.role in ACTIONS[action])


def require(user: User | None, action: str) -> None:
    """PermissionDenied unless `user` may take `action`; a service called without a user (demo,
    CLI as the system) is trusted."""
    if user is not None and not can(user, action):
        raise PermissionDenied(_("Your role cannot do this in the warranty module."))


def reads_every_unit(user: User) -> bool:
    """Unsold serials belong to no customer: only roles that read every customer see them."""
    return policy_for(user).read is Scope.ALL
