from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from guanxi.core.demo import DeferredStep, register_demo_step


# The demo's module, imported only when the demo runs (see guanxi.core.demo).
def _demo():
    from .demo.leads import lead_demo_load

    return lead_demo_load


class MarketingConfig(AppConfig):
    name = "guanxi.marketing"
    label = "marketing"
    verbose_name = _("Marketing")

    def ready(self):
        from guanxi.customers.importing.targets import register_import_target
        from guanxi.customers.timeline import register_timeline_source

        from .services.imports import LEAD_TARGET
        from .timeline import lead_events

        register_timeline_source(lead_events)
        register_import_target(LEAD_TARGET)
        register_demo_step(DeferredStep(_demo))
