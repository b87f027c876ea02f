"""The main menu: one entry per module of the product, shown as modules land."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    section: str  # the first path segment that marks the item as active
    admin_only: bool = False
    roles: tuple[str, ...] = ()  # when set, only these roles (and administrators) see the item


NAV_ITEMS = (
    NavItem(_("Home"), "core:home", "house", ""),
    NavItem(_("My work today"), "tasks:today", "list-check", "tasks"),
    NavItem(_("Calendar"), "tasks:calendar", "calendar3", "tasks"),
    NavItem(_("Customers"), "customers:list", "people", "customers"),
    NavItem(_("Duplicate customers"), "customers:duplicates", "union", "customers",
            roles=("service_manager", "sales_manager")),
    NavItem(_("Segments"), "segments:list", "diagram-2", "segments"),
    NavItem(_("Customer value"), "segments:analysis", "bar-chart-line", "segments",
            roles=("analyst", "sales_manager", "service_manager", "key_account_manager")),
    NavItem(_("Offer model"), "offers:models", "lightbulb", "offers",
            roles=("analyst", "sales_manager", "service_manager")),
    NavItem(_("Leads"), "marketing:leads", "funnel", "marketing"),
    NavItem(_("Campaigns"), "marketing:campaigns", "megaphone", "marketing",
            roles=("sales_rep", "sales_manager", "key_account_manager", "analyst")),
    NavItem(_("Web forms"), "marketing:web_forms", "ui-checks", "marketing", roles=("sales_manager",)),
    NavItem(_("Opportunities"), "sales:board", "kanban", "sales"),
    NavItem(_("Public pool"), "pool:list", "inboxes", "pool",
            roles=("sales_rep", "sales_manager", "key_account_manager", "analyst")),
    NavItem(_("Sales forecast"), "sales:forecast", "graph-up-arrow", "sales",
            roles=("sales_rep", "sales_manager", "key_account_manager", "partner", "analyst")),
    NavItem(_("Sales analysis"), "sales:analysis", "bar-chart", "sales",
            roles=("sales_rep", "sales_manager", "key_account_manager", "partner", "analyst")),
    NavItem(_("Channel partners"), "sales:partners", "shop", "sales", roles=("sales_manager", "analyst")),
    NavItem(_("Sales expenses"), "sales:expenses", "wallet2", "sales",
            roles=("sales_rep", "sales_manager", "key_account_manager", "analyst")),
    NavItem(_("Sales settings"), "sales:settings", "sliders", "sales", roles=("sales_manager",)),
    NavItem(_("Partner home"), "sales:partner_home", "briefcase", "sales", roles=("partner",)),
    NavItem(_("Orders"), "orders:list", "receipt", "orders"),
    NavItem(_("Receivables and ageing"), "orders:receivables", "hourglass-split", "orders",
            roles=("sales_rep", "sales_manager", "key_account_manager", "partner", "analyst")),
    NavItem(_("Service desk"), "servicedesk:queue", "headset", "service"),
    NavItem(_("Callbacks"), "servicedesk:callbacks", "telephone-outbound", "service"),
    NavItem(_("Promises"), "servicedesk:commitments", "hand-thumbs-up", "service"),
    NavItem(_("Knowledge base"), "servicedesk:knowledge", "journal-text", "service"),
    NavItem(_("Attainment"), "servicedesk:attainment", "graph-up", "service",
            roles=("service_manager", "team_lead", "analyst")),
    NavItem(_("Satisfaction surveys"), "surveys:responses", "emoji-smile", "surveys",
            roles=("agent", "team_lead", "service_manager", "analyst")),
    NavItem(_("Customer care"), "care:rules", "gift", "care",
            roles=("agent", "team_lead", "service_manager", "sales_rep", "sales_manager", "key_account_manager",
                   "analyst")),
    NavItem(_("Key accounts"), "key_accounts:list", "star", "key-accounts",
            roles=("key_account_manager", "sales_manager", "service_manager", "analyst")),
    NavItem(_("Explorer"), "analytics:explorer", "grid-3x3", "analytics",
            roles=("analyst", "sales_manager", "service_manager", "team_lead", "sales_rep", "key_account_manager")),
    NavItem(_("Warranty (三包)"), "warranty:home", "shield-check", "warranty"),
    NavItem(_("Executive dashboard"), "analytics:dashboard", "speedometer2", "analytics",
            roles=("service_manager", "sales_manager", "analyst")),
    NavItem(_("Data-mining workbench"), "analytics:workbench", "cpu", "analytics", roles=("analyst",)),
    NavItem(_("CRM quality assessment"), "analytics:quality", "clipboard-check", "analytics",
            roles=("service_manager", "sales_manager", "analyst")),
    NavItem(_("Hotspot analysis"), "analytics:hotspots", "fire", "analytics",
            roles=("service_manager", "team_lead", "sales_manager", "analyst")),
    NavItem(_("Scheduled reports"), "analytics:reports", "envelope-paper", "analytics",
            roles=("service_manager", "sales_manager", "analyst")),
    NavItem(_("Product catalogue"), "catalog:list", "box-seam", "catalog"),
    NavItem(_("Case categories"), "servicedesk:categories", "diagram-3", "service", roles=("service_manager",)),
    NavItem(_("Personal data requests"), "privacy:home", "shield-lock", "privacy", admin_only=True),
    NavItem(_("Personal data access log"), "privacy:access_log", "eye", "privacy", admin_only=True),
    NavItem(_("Data retention"), "privacy:retention", "clock-history", "privacy",
            roles=("service_manager", "sales_manager")),
    NavItem(_("Administration"), "admin:index", "gear", "admin", admin_only=True),
)


def nav_for(path: str, user=None) -> list[dict]:
    is_admin = bool(getattr(user, "is_administrator", False))
    section = path.strip("/").split("/")[0]
    items = []
    for item in NAV_ITEMS:
        if (item.admin_only or item.roles) and not is_admin and getattr(user, "role", None) not in item.roles:
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": item.label, "url": url, "icon": item.icon, "active": section == item.section})
    # Several items in one section: only the one whose address is the longest prefix of the path.
    active = [i for i in items if i["active"]]
    if len(active) > 1:
        best = max((i for i in active if path.startswith(i["url"])), key=lambda i: len(i["url"]), default=None)
        for i in active:
            i["active"] = i is best
    return items


# The home page shows one panel per module. A module registers, in its AppConfig.ready(), a
# function user -> context dict and the template that renders it; core never imports the modules
# above it.
HOME_PANELS: list[tuple[Callable[..., dict], str]] = []


def register_home_panel(context_function: Callable[..., dict], template: str) -> None:
    if (context_function, template) not in HOME_PANELS:
        HOME_PANELS.append((context_function, template))


def home_panels(user) -> list[dict]:
    return [{"template": template, "context": function(user)} for function, template in HOME_PANELS]
