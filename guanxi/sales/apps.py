from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from guanxi.core.demo import DeferredStep, register_demo_step


# The demo's module, imported only when the demo runs (see guanxi.core.demo).
def _demo():
    from .demo.opportunities import sales_demo_load

    return sales_demo_load


def _default_pipeline(sender, using, **kwargs):
    from .defaults import ensure_default_pipeline

    ensure_default_pipeline(using=using)


class SalesConfig(AppConfig):
    name = "guanxi.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self):
        from guanxi.customers.timeline import register_timeline_source

        from .timeline import opportunity_events

        register_timeline_source(opportunity_events)
        register_demo_step(DeferredStep(_demo))
        post_migrate.connect(_default_pipeline, sender=self)
