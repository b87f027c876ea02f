"""The main menu: one entry per module of the product, shown as modules land."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    section: str  # the first path segment that marks the item as active


NAV_ITEMS = (
    NavItem(_("Home"), "core:home", "house", ""),
    NavItem(_("Customers"), "customers:list", "people", "customers"),
)


def nav_for(path: str) -> list[dict]:
    items = []
    for item in NAV_ITEMS:
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        section = path.strip("/").split("/")[0]
        items.append({"label": item.label, "url": url, "icon": item.icon, "active": section == item.section})
    return items
