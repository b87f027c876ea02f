from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _warranty_demo():
    from .demo import warranty_demo_load

    return warranty_demo_load


class WarrantyConfig(AppConfig):
    name = "guanxi.warranty"
    verbose_name = _("Warranty (三包)")

    def ready(self):
        from guanxi.core.demo import DeferredStep, register_demo_step
        from guanxi.customers.timeline import register_timeline_source
        from guanxi.orders.signals import order_delivered

        from .receivers import register_delivered_units
        from .timeline import WARRANTY_EVENTS_IN, warranty_events

        register_timeline_source(warranty_events, present_in=WARRANTY_EVENTS_IN)
        order_delivered.connect(register_delivered_units, dispatch_uid="warranty.register_delivered_units")
        register_demo_step(DeferredStep(_warranty_demo))  # imported when the demo runs
