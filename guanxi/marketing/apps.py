from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketingConfig(AppConfig):
    name = "guanxi.marketing"
    label = "marketing"
    verbose_name = _("Marketing")

    def ready(self):
        from guanxi.core.demo import register_demo_step
        from guanxi.customers.timeline import register_timeline_source

        from .demo.leads import lead_demo_load
        from .timeline import lead_events

        register_timeline_source(lead_events)
        register_demo_step(lead_demo_load)
