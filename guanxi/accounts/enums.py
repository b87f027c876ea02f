from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Staff roles (岗位角色)."""

    AGENT = "agent", _("Agent")
    TEAM_LEAD = "team_lead", _("Team lead")
    SERVICE_MANAGER = "service_manager", _("Service manager")
    SALES_REP = "sales_rep", _("Sales representative")
    SALES_MANAGER = "sales_manager", _("Sales manager")
    KEY_ACCOUNT_MANAGER = "key_account_manager", _("Key-account manager")
    PARTNER = "partner", _("Partner")
    ANALYST = "analyst", _("Analyst")
    ADMIN = "admin", _("Administrator")


class TeamKind(models.TextChoices):
    SERVICE = "service", _("Customer service")
    SALES = "sales", _("Sales")
    KEY_ACCOUNTS = "key_accounts", _("Key accounts")
    PARTNER = "partner", _("Partner")
    ANALYTICS = "analytics", _("Analytics")
    ADMINISTRATION = "administration", _("Administration")
