from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from guanxi.core.demo import DeferredStep, register_demo_step


# The demo's modules, imported only when the demo runs (see guanxi.core.demo).
def _demo():
    from .demo.leads import lead_demo_load

    return lead_demo_load


def _campaign_demo():
    from .demo.campaigns import campaign_demo_load

    return campaign_demo_load


class MarketingConfig(AppConfig):
    name = "guanxi.marketing"
    label = "marketing"
    verbose_name = _("Marketing")

    def ready(self):
        from guanxi.customers.importing.targets import register_import_target
        from guanxi.customers.timeline import register_timeline_source
        from guanxi.tasks.kinds import register_task_kind

        from .services.imports import LEAD_TARGET
        from .timeline import MARKETING_EVENTS_IN, marketing_events

        register_timeline_source(marketing_events, present_in=MARKETING_EVENTS_IN)
        register_task_kind("campaign_call", _("Campaign call"), "megaphone")
        register_import_target(LEAD_TARGET)
        register_demo_step(DeferredStep(_demo))
        register_demo_step(DeferredStep(_campaign_demo))
