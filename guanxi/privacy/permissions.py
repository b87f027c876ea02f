"""Who may act on personal data rights: one table, read by the privacy services and selectors.

Entities: `export` (export = build the file of everything held about a customer; read = list the
requests), `erasure` (write = file a request; configure = review and execute it) and `access_log`
(read = the log of who was shown which customer's unmasked personal data; export = download it). Administrators
act as the privacy officer (个人信息保护负责人); the system (CLI) may do everything. Other roles do
nothing here: a request reaches them through an administrator.
"""

from django.utils.translation import gettext_lazy as _

from guanxi.accounts.access import EVERYTHING, SYSTEM_ROLE, PermissionTable
from guanxi.accounts.enums import Role

PRIVACY_OFFICER = {"export": EVERYTHING, "erasure": EVERYTHING, "access_log": EVERYTHING}
TABLE = {Role.ADMIN: PRIVACY_OFFICER, SYSTEM_ROLE: PRIVACY_OFFICER}

permissions = PermissionTable(TABLE, denied=_("Only the privacy officer may handle personal data requests."))
can = permissions.can
require = permissions.require
