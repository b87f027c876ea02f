from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from guanxi.core.navigation import register_home_panel


def _ensure_search_index(sender, using, **kwargs):
    from django.db import connections

    from .search_index import ensure_sqlite_fts

    ensure_sqlite_fts(connections[using])


class CustomersConfig(AppConfig):
    name = "guanxi.customers"
    verbose_name = _("Customers")

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)

        # Infrastructure hook, not business logic: SQLite table rebuilds drop FTS triggers.
        post_migrate.connect(_ensure_search_index, sender=self)
        register_home_panel("guanxi.customers.views.customers.home_panel", "customers/partials/_home_panel.html")
