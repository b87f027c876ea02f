from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "guanxi.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self):
        from guanxi.core.demo import register_demo_step
        from guanxi.customers.timeline import register_timeline_source

        from .demo.opportunities import sales_demo_load
        from .timeline import opportunity_events

        register_timeline_source(opportunity_events)
        register_demo_step(sales_demo_load)
