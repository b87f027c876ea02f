from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from guanxi.core.demo import DeferredStep, register_demo_company, register_demo_step
from guanxi.core.navigation import register_home_panel


def _ensure_search_index(sender, using, **kwargs):
    from django.db import connections

    from .search_index import ensure_sqlite_fts

    ensure_sqlite_fts(connections[using])


# The demo's modules, imported only when the demo runs (see guanxi.core.demo).
def _demo_company():
    from .demo import COMPANY

    return COMPANY


def _interactions_demo():
    from .demo.history import interactions_demo_load

    return interactions_demo_load


def _transactions_demo():
    from .demo.history import transactions_demo_load

    return transactions_demo_load


def _duplicates_demo():
    from .demo.dedupe import duplicates_demo_load

    return duplicates_demo_load


class CustomersConfig(AppConfig):
    name = "guanxi.customers"
    verbose_name = _("Customers")

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)

        # Infrastructure hook, not business logic: SQLite table rebuilds drop FTS triggers.
        post_migrate.connect(_ensure_search_index, sender=self)
        from .views.customers import home_panel

        register_home_panel(home_panel, "customers/partials/_home_panel.html")
        register_demo_company(_demo_company)
        register_demo_step(DeferredStep(_interactions_demo))
        register_demo_step(DeferredStep(_transactions_demo))
        # Enters some customers a second time and runs a duplicate scan (the review queue).
        register_demo_step(DeferredStep(_duplicates_demo))
