"""Who may do what with segments and customer value; read by the selectors and services.

- Reports (pyramid, ABC, RFM, brand × ARPU, portfolio, clusters) are for analysts and managers
  (sales, service, key accounts) and administrators; each report covers the customers the
  viewer may read (a sales manager sees their team's).
- A customer's value is shown to whoever may read the customer (agents included).
- Segments: everyone sees the system segments, shared segments and their own; members are
  always limited to the customers the viewer may read. Analysts, managers and administrators
  create segments and may share them; the owner or an administrator edits or deletes one.
  System segments are kept by the value run; only their description and tiered service are
  edited, by service managers and administrators.
- A recompute is started by analysts and administrators; strategic weights are set by
  administrators (SPEC B.5: "admin-set").
"""

from guanxi.accounts.enums import Role
from guanxi.accounts.roles import policy_for

REPORT_ROLES = frozenset({Role.ANALYST, Role.SALES_MANAGER, Role.SERVICE_MANAGER, Role.KEY_ACCOUNT_MANAGER})
SEGMENT_ROLES = REPORT_ROLES
SERVICE_TIER_ROLES = frozenset({Role.SERVICE_MANAGER})
RECOMPUTE_ROLES = frozenset({Role.ANALYST})


def _role(user) -> str | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user.role


def is_admin(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_administrator)


def can_see_reports(user) -> bool:
    return is_admin(user) or _role(user) in REPORT_ROLES


def can_create_segments(user) -> bool:
    return is_admin(user) or _role(user) in SEGMENT_ROLES


def can_edit_segment(user, segment) -> bool:
    if segment.is_system:
        return False
    return is_admin(user) or (can_create_segments(user) and segment.owner_id == user.id)


def can_edit_service_tier(user, segment) -> bool:
    return can_edit_segment(user, segment) or is_admin(user) or _role(user) in SERVICE_TIER_ROLES


def can_recompute(user) -> bool:
    return is_admin(user) or _role(user) in RECOMPUTE_ROLES


def can_set_strategic_weight(user) -> bool:
    return is_admin(user)


def can_export(user) -> bool:
    return policy_for(user).can_export
