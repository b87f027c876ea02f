from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from guanxi.core.demo import DemoCompany, register_demo_company, register_demo_step
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
        from guanxi.accounts.demo import DEMO_PASSWORD

        from .demo import COMPANY_NAME, dedupe, demo_last_touched, demo_load, history
        from .models import Customer
        from .views.customers import home_panel

        register_home_panel(home_panel, "customers/partials/_home_panel.html")
        register_demo_company(DemoCompany(name=COMPANY_NAME, password=DEMO_PASSWORD, load=demo_load,
                                          exists=Customer.objects.exists, finish=demo_last_touched))
        register_demo_step(history.interactions_demo_load)
        register_demo_step(history.transactions_demo_load)
        # Enters some customers a second time and runs a duplicate scan (the review queue).
        register_demo_step(dedupe.duplicates_demo_load)
