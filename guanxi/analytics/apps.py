from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from guanxi.core.demo import DeferredStep, register_demo_step


def _install_capture(using: str = "default", **kwargs) -> None:
    from .warehouse.capture import install_capture_triggers

    install_capture_triggers(using)


def _demo():
    from .demo import analytics_demo_load

    return analytics_demo_load


# The explorer's demo module, imported only when the demo runs (see guanxi.core.demo).
def _explorer_demo():
    from .explorer.demo import explorer_demo_load

    return explorer_demo_load


def _hotspot_demo():
    from .hotspot.demo import hotspot_demo_load

    return hotspot_demo_load


def _reports_demo():
    from .reports.demo import reports_demo_load

    return reports_demo_load


def _churn_demo():
    from .churn.demo import churn_demo_load

    return churn_demo_load


def _workbench_demo():
    from .workbench.demo import workbench_demo_load

    return workbench_demo_load


def _quality_demo():
    from .quality.demo import quality_demo_load

    return quality_demo_load


class AnalyticsConfig(AppConfig):
    name = "guanxi.analytics"
    label = "analytics"
    verbose_name = _("Analytics")

    def ready(self):
        # After every migrate (sent once all apps are migrated): SQLite drops triggers with a rebuilt table.
        post_migrate.connect(_install_capture, sender=self, dispatch_uid="analytics-capture-triggers")
        from guanxi.core.table_watchers import register_table_watcher

        from .warehouse.capture import WarehouseCapture

        register_table_watcher(WarehouseCapture())

        # The apps before this one have registered theirs: the warehouse is built from their data,
        # after the hotspot story has added its cases.
        register_demo_step(DeferredStep(_hotspot_demo))
        register_demo_step(DeferredStep(_reports_demo))
        register_demo_step(DeferredStep(_demo))
        register_demo_step(DeferredStep(_explorer_demo))
        from guanxi.customers.facts import register_fact_source

        from .churn.facts import churn_fact

        register_fact_source(churn_fact)
        from guanxi.key_accounts.selectors import register_risk_source

        from .churn.selectors import churn_risk_percent

        register_risk_source(churn_risk_percent)
        register_demo_step(DeferredStep(_churn_demo))
        from guanxi.segments.rules import Field, register_field

        from .workbench.members import mining_selection_q

        register_field(Field("mining_selection", _("Data-mining result (saved selection id)"), "id", "id",
                             build=mining_selection_q))
        register_demo_step(DeferredStep(_workbench_demo))
        register_demo_step(DeferredStep(_quality_demo))
