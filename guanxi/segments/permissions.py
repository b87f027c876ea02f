"""Who may do what with segments and customer value: one table, read by the selectors (what a role
sees) and by every service before it writes.

Entities:
- `segment`: read ALL every segment (administrators); OWN the system segments, shared segments and
  one's own. Write and delete: ALL any rule segment; OWN one's own. Configure: a system segment's
  description and tiered service (system segments themselves are kept by the value run and never
  deleted). Export: the members of a segment as CSV (the roles that export customers).
- `report`: the value reports (pyramid, ABC, RFM, brand × ARPU, portfolio, clusters) and the list of
  value runs; each report covers the customers the viewer may read.
- `value_run`: starting a recompute of every customer's value (write).
- `contact_profile`: refreshing the contact profiles survey sampling reads (write; those who start value runs).
- `value_settings`: the thresholds of the value computation (configure; SPEC B.5 "admin-set").
- `strategic_weight`: how crucial a customer is to the company's goals (write; administrators).
A customer's value itself is shown to whoever may read the customer (the customers app decides).
The system (the nightly task, the CLI, the demo) has a row of its own.
"""

from django.utils.translation import gettext_lazy as _

from guanxi.accounts.access import EVERYTHING, SYSTEM_ROLE, PermissionTable, Rights
from guanxi.accounts.enums import Role
from guanxi.accounts.roles import Scope

ALL, OWN, NONE = Scope.ALL, Scope.OWN, Scope.NONE
REPORTS = Rights(read=ALL)


def _row(*, segment: Rights, reports: bool = False, recompute: bool = False) -> dict[str, Rights]:
    row = {"segment": segment}
    if reports:
        row["report"] = REPORTS
    if recompute:
        row["value_run"] = Rights(write=ALL)
        row["contact_profile"] = Rights(write=ALL)
    return row


# Everyone reads the system segments, shared segments and their own.
READS = Rights(read=OWN)

TABLE: dict[str, dict[str, Rights]] = {
    Role.AGENT: _row(segment=READS),
    Role.TEAM_LEAD: _row(segment=Rights(read=OWN, export=True)),
    Role.SERVICE_MANAGER: _row(segment=Rights(read=OWN, write=OWN, delete=OWN, export=True, configure=True),
                               reports=True),
    Role.SALES_REP: _row(segment=READS),
    Role.SALES_MANAGER: _row(segment=Rights(read=OWN, write=OWN, delete=OWN, export=True), reports=True),
    Role.KEY_ACCOUNT_MANAGER: _row(segment=Rights(read=OWN, write=OWN, delete=OWN), reports=True),
    Role.PARTNER: _row(segment=READS),
    Role.ANALYST: _row(segment=Rights(read=OWN, write=OWN, delete=OWN, export=True), reports=True, recompute=True),
    Role.ADMIN: {"segment": EVERYTHING, "report": REPORTS, "value_run": Rights(write=ALL),
                 "contact_profile": Rights(write=ALL), "value_settings": Rights(read=ALL, configure=True),
                 "strategic_weight": Rights(read=ALL, write=ALL)},
    SYSTEM_ROLE: {"segment": EVERYTHING, "report": EVERYTHING, "value_run": EVERYTHING, "contact_profile": EVERYTHING,
                  "value_settings": EVERYTHING, "strategic_weight": EVERYTHING},
}

permissions = PermissionTable(TABLE, denied=_("Your role cannot do this with segments."))
can = permissions.can
scope = permissions.scope
require = permissions.require


def can_edit_segment(user, segment) -> bool:
    """A rule segment's owner (among the roles that write segments) or an administrator."""
    if segment.is_system:
        return False
    reach = scope(user, "segment", "write")
    return reach is ALL or (reach is OWN and segment.owner_id is not None and segment.owner_id == user.pk)


def can_edit_service_tier(user, segment) -> bool:
    """The tiered service of a rule segment is edited with the segment; a system segment's by the
    roles that configure segments."""
    return can_edit_segment(user, segment) or can(user, "segment", "configure")


def can_delete_segment(user, segment) -> bool:
    if segment.is_system:
        return False
    reach = scope(user, "segment", "delete")
    return reach is ALL or (reach is OWN and segment.owner_id is not None and segment.owner_id == user.pk)
