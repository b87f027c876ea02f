"""Who may act on personal data rights: one table, read by the privacy services and selectors.

Entities: `export` (export = build the file of everything held about a customer; read = list the
requests), `erasure` (write = file a request; configure = review and execute it) and `access_log`
(read = the log of who was shown which customer's unmasked personal data; export = download it) and
`retention` (read = the retention rules and their runs; configure = change a rule, preview or run the
sweep). Administrators act as the privacy officer (个人信息保护负责人); the system (CLI, the daily
sweep) may do everything. Service and sales managers may read the retention rules and runs (how long
the calls, messages and leads they work with are kept, and what went), nothing else. Other roles do
nothing here: a request reaches them through an administrator.
"""

from django.utils.translation import gettext_lazy as _

from guanxi.accounts.access import EVERYTHING, READ_ALL, SYSTEM_ROLE, PermissionTable
from guanxi.accounts.enums import Role

PRIVACY_OFFICER = {"export": EVERYTHING, "erasure": EVERYTHING, "access_log": EVERYTHING, "retention": EVERYTHING}
RETENTION_READER = {"retention": READ_ALL}
TABLE = {Role.ADMIN: PRIVACY_OFFICER, SYSTEM_ROLE: PRIVACY_OFFICER,
         Role.SERVICE_MANAGER: RETENTION_READER, Role.SALES_MANAGER: RETENTION_READER}

permissions = PermissionTable(
    TABLE, denied=_("Only the privacy officer may handle personal data requests."),
    messages={("retention", "configure"): _("Only the privacy officer may change retention rules or run them.")})
can = permissions.can
require = permissions.require
